import type { HereEmulator, RequestLogEntry } from '../../emulator';
import { startEmulator } from '../../emulator';
import { waitForJobs } from '../../nodes/HereBulkJobs/jobs/waitForJob';
import type { WaitSettings } from '../../nodes/HereBulkJobs/jobs/waitForJob';
import type { Engine } from '../harness/engine';
import { createEngine, executeContext } from '../harness/engine';
import { onVirtualClock } from '../harness/virtualClock';
import { bulkJobsNode, createJobDirectly, loginUser, newDevices } from '../harness/fixtures';
import { DEFAULT_RETRY_POLICY } from '../../nodes/HereBulkJobs/transport';
import { gaps, statusCalls } from './helpers';

// A wait for several jobs lists the project's running jobs once a round (jobs/runningJobs.ts).
// Manual processing: a job moves only when the test says so.
let emulator: HereEmulator;
let engine: Engine;
let user: ReturnType<typeof loginUser>;

beforeAll(async () => {
	emulator = await startEmulator({ processing: { mode: 'manual' }, seed: 33 });
	engine = await createEngine();
	user = loginUser(emulator, engine);
});

afterAll(async () => {
	await emulator.close();
});

beforeEach(() => {
	emulator.faults.clear();
	emulator.clearRequests();
});

const context = () => executeContext(engine, bulkJobsNode(user.credential, {}));
const settings: WaitSettings = { pollIntervalMs: 40, maxPollIntervalMs: 320, timeoutMs: 20_000, failOnUnsuccessful: true };

const listings = (): RequestLogEntry[] =>
	emulator.requests.filter((request) => request.method === 'GET' && request.path === '/bulkjobs/v4/deviceUploads');

async function createJobs(count: number, devicesEach = 1): Promise<string[]> {
	const ids: string[] = [];
	for (let index = 0; index < count; index++) ids.push(await createJobDirectly(emulator, user.email, newDevices(devicesEach)));
	return ids;
}

test('a job that leaves the running list is checked at the next listing, not at the end of its own doubling pause', async () => {
	const [first, second, third] = await createJobs(3);
	let startedAt = 0;
	let firstDoneAt: number | undefined;
	let secondDoneAt: number | undefined;
	const checkedSince = (jobId: string, at: number | undefined) => at !== undefined && statusCalls(emulator, jobId).some((call) => call.at >= at);
	const jobs = await onVirtualClock(
		async () => {
			startedAt = Date.now();
			return await waitForJobs(context(), [first, second, third], {}, settings);
		},
		{
			afterPause: () => {
				// After a second, every pause has doubled to 320 ms, the listings' too: one job ends.
				if (firstDoneAt === undefined && Date.now() - startedAt >= 1000) {
					emulator.process({ jobId: first });
					firstDoneAt = Date.now();
				} else if (secondDoneAt === undefined && checkedSince(first, firstDoneAt) && listings().some((call) => call.at > (firstDoneAt ?? 0))) {
					// The first job has left the list: the listings come at the poll interval again. Another ends.
					emulator.process({ jobId: second });
					secondDoneAt = Date.now();
				} else if (checkedSince(second, secondDoneAt)) {
					emulator.process({ jobId: third });
				}
			},
		},
	);

	expect(jobs.map((job) => [job.jobId, job.status])).toEqual([
		[first, 'completed'],
		[second, 'completed'],
		[third, 'completed'],
	]);
	const secondCalls = statusCalls(emulator, second);
	const seenDone = secondCalls.find((call) => call.at >= (secondDoneAt as number)) as RequestLogEntry;
	const before = secondCalls[secondCalls.indexOf(seenDone) - 1];
	// Its own schedule had reached the 320 ms pause; the listing 40 ms after the end brought the check forward.
	expect(gaps(secondCalls.slice(0, secondCalls.indexOf(seenDone)))).toContain(320);
	expect(seenDone.at - (secondDoneAt as number)).toBeLessThanOrEqual(settings.pollIntervalMs);
	expect(seenDone.at - before.at).toBeLessThan(320);
	expect(listings().some((call) => call.at === seenDone.at)).toBe(true);
	// The listing asks for the running jobs only.
	expect(listings()[0].query).toMatchObject({ status: ['pending', 'ongoing'] });
});

test('a wait for one job makes no listing: its own status check costs the same', async () => {
	const [jobId] = await createJobs(1);
	const jobs = await onVirtualClock(async () => await waitForJobs(context(), [jobId], {}, settings), {
		afterPause: (pause) => {
			if (pause === 4) emulator.process({ jobId });
		},
	});
	expect(jobs[0].status).toBe('completed');
	expect(listings()).toHaveLength(0);
});

test('a listing that fails for good is not asked again: each job is followed on its own schedule to the end', async () => {
	const ids = await createJobs(2);
	emulator.faults.script([{ method: 'GET', path: /\/bulkjobs\/v4\/deviceUploads$/, kind: '500', times: 1000, retryAfterSeconds: 0 }]);
	const jobs = await onVirtualClock(async () => await waitForJobs(context(), ids, {}, settings), {
		afterPause: (pause) => {
			if (pause === 6) emulator.process();
		},
	});
	expect(jobs.map((job) => job.status)).toEqual(['completed', 'completed']);
	// One listing, with the transport's retries, then none.
	expect(listings()).toHaveLength(DEFAULT_RETRY_POLICY.maxAttempts);
	expect(statusCalls(emulator, ids[0]).length).toBeGreaterThan(1);
});

test('a project with more than 1000 running jobs is not listed again: its pages would cost more than the checks', async () => {
	const followed = await createJobs(2);
	// Other work in the project: 1000 more running jobs.
	for (let batch = 0; batch < 20; batch++) {
		await Promise.all(Array.from({ length: 50 }, async () => await createJobDirectly(emulator, user.email, newDevices(1))));
	}
	emulator.clearRequests();
	const jobs = await onVirtualClock(async () => await waitForJobs(context(), followed, {}, settings), {
		afterPause: (pause) => {
			if (pause === 6) for (const jobId of followed) emulator.process({ jobId });
		},
	});
	expect(jobs.map((job) => job.status)).toEqual(['completed', 'completed']);
	// One listing, read to its 11th page (1001 jobs), then none.
	expect(listings()).toHaveLength(11);
	emulator.process();
}, 60_000);
