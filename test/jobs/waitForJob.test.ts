import { NodeOperationError } from 'n8n-workflow';

import type { HereEmulator, RequestLogEntry } from '../../emulator';
import { startEmulator } from '../../emulator';
import { ArrivingJobs } from '../../nodes/HereBulkJobs/jobs/arrivingJobs';
import { waitForJob, waitForJobs } from '../../nodes/HereBulkJobs/jobs/waitForJob';
import type { WaitSettings } from '../../nodes/HereBulkJobs/jobs/waitForJob';
import type { Engine } from '../harness/engine';
import { createEngine, executeContext } from '../harness/engine';
import { onVirtualClock } from '../harness/virtualClock';
import { bulkJobsNode, createJobDirectly, loginUser, newDevices } from '../harness/fixtures';
import { acknowledgeDirectly, cancelDirectly, gaps, statusCalls, until } from './helpers';

// Manual processing: a job moves only when the test says so, so the polls can be counted.
let emulator: HereEmulator;
let engine: Engine;
let user: ReturnType<typeof loginUser>;

beforeAll(async () => {
	emulator = await startEmulator({ processing: { mode: 'manual' }, seed: 21 });
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
const fast = (overrides: Partial<WaitSettings> = {}): WaitSettings => ({
	pollIntervalMs: 40,
	maxPollIntervalMs: 320,
	timeoutMs: 20_000,
	failOnUnsuccessful: true,
	...overrides,
});

async function caught(promise: Promise<unknown>): Promise<NodeOperationError> {
	try {
		await promise;
	} catch (error) {
		return error as NodeOperationError;
	}
	throw new Error('expected an error');
}

test('polls with doubling pauses until the job finishes, then returns its figures', async () => {
	const jobId = await createJobDirectly(emulator, user.email, newDevices(10));
	// The job finishes at the end of the seventh pause.
	const finished = await onVirtualClock(() => waitForJob(context(), jobId, {}, fast()), {
		afterPause: (pause) => {
			if (pause === 7) emulator.process({ jobId });
		},
	});

	expect(finished).toMatchObject({ jobId, status: 'completed', progress: 100, total: 10, succeeded: 10, failed: 0 });
	const calls = statusCalls(emulator, jobId);
	expect(finished.statusCalls).toBe(8);
	expect(calls).toHaveLength(8);
	// Pauses 40, 80, 160, 320, then capped at 320 (on the virtual clock: exact).
	expect(gaps(calls)).toEqual([40, 80, 160, 320, 320, 320, 320]);
	expect(finished.waitedMs).toBe(40 + 80 + 160 + 320 * 4);
});

test('a job that is already finished costs one status check', async () => {
	const jobId = await createJobDirectly(emulator, user.email, newDevices(3));
	emulator.process({ jobId });
	const finished = await waitForJob(context(), jobId, {}, fast());
	expect(finished.statusCalls).toBe(1);
	expect(statusCalls(emulator, jobId)).toHaveLength(1);
});

test('stops at the deadline with an error that names the job, its status, progress and the wait', async () => {
	const jobId = await createJobDirectly(emulator, user.email, newDevices(10));
	emulator.process({ jobId, devices: 4 });
	const error = await onVirtualClock(
		async () => await caught(waitForJob(context(), jobId, { itemIndex: 0 }, fast({ pollIntervalMs: 50, maxPollIntervalMs: 100, timeoutMs: 400 }))),
	);

	expect(error).toBeInstanceOf(NodeOperationError);
	expect(error.message).toContain(jobId);
	expect(error.message).toContain('"ongoing" at 40%');
	expect(error.message).toContain('4 of 10 devices processed');
	expect(error.description).toContain('Timeout (Minutes)');
	expect(error.description).toContain('HERE Bulk Jobs Trigger');
	// Pauses 50, then 100 (the cap), the last one cut to end right at the deadline.
	const calls = statusCalls(emulator, jobId);
	expect(gaps(calls)).toEqual([50, 100, 100, 100, 50]);
	expect(error.description).toContain(`Waited 400 ms (${calls.length} status checks)`);
});

test('a failed job is an error naming the job and its figures', async () => {
	const jobId = await createJobDirectly(emulator, user.email, newDevices(5));
	emulator.process({ jobId, devices: 2 });
	emulator.setJobOutcome(jobId, 'failed');
	const error = await caught(waitForJob(context(), jobId, {}, fast()));
	expect(error).toBeInstanceOf(NodeOperationError);
	expect(error.message).toBe(`Job ${jobId} ended "failed" at 100% (5 of 5 devices processed: 2 succeeded, 3 failed)`);
	expect(error.description).toContain('Output Unsuccessful Jobs');
	// HERE's reasons for the failed devices, from one results page, and what happened to the job.
	const names = newDeviceNames(error.description ?? '');
	expect(names).toHaveLength(3);
	expect(error.description).toContain('The job failed before this device was processed. (code 500, job)');
	expect(error.description).toContain('The job has ended: nothing of it keeps running on HERE.');
	expect(emulator.requests.filter((r) => r.path.endsWith(`${jobId}/results`))).toHaveLength(1);
	expect(error.context.jobStatuses).toEqual({ [jobId]: 'failed' });
});

test('a failed job with many failed devices names the first five and counts the rest', async () => {
	const jobId = await createJobDirectly(emulator, user.email, newDevices(8));
	emulator.setJobOutcome(jobId, 'failed');
	const error = await caught(waitForJob(context(), jobId, {}, fast()));
	expect(newDeviceNames(error.description ?? '')).toHaveLength(5);
	expect(error.description).toContain('<li>and 3 more failed devices</li>');
});

test('when the reasons cannot be read, the error still says the job failed and has ended', async () => {
	const jobId = await createJobDirectly(emulator, user.email, newDevices(2));
	emulator.setJobOutcome(jobId, 'failed');
	emulator.faults.script([{ method: 'GET', path: /\/results$/, kind: '429', retryAfterSeconds: 0, times: 5 }]);
	const error = await caught(waitForJob(context(), jobId, {}, fast()));
	// One page, with the transport's usual retries (5 attempts), then the error goes on without the reasons.
	expect(emulator.requests.filter((r) => r.path.endsWith(`${jobId}/results`))).toHaveLength(5);
	expect(error.message).toContain(`Job ${jobId} ended "failed"`);
	expect(error.description).toContain("HERE's reasons for the failed devices could not be read");
	expect(error.description).toContain('The job has ended');
});

/** The quoted device names in an error's list of failed devices. */
function newDeviceNames(description: string): string[] {
	return [...description.matchAll(/<li>&quot;(device-[^&]+)&quot;:/g)].map((match) => match[1]);
}

test('with failOnUnsuccessful off, failed and cancelled jobs are returned with their status', async () => {
	const failedId = await createJobDirectly(emulator, user.email, newDevices(2));
	emulator.setJobOutcome(failedId, 'failed');
	const cancelledId = await createJobDirectly(emulator, user.email, newDevices(2));
	await cancelDirectly(emulator, user.email, cancelledId);

	const jobs = await waitForJobs(context(), [failedId, cancelledId], {}, fast({ failOnUnsuccessful: false }));
	expect(jobs.map((job) => [job.jobId, job.status])).toEqual([
		[failedId, 'failed'],
		[cancelledId, 'cancelled'],
	]);
});

test('a cancelled job is an error by default', async () => {
	const jobId = await createJobDirectly(emulator, user.email, newDevices(4));
	emulator.process({ jobId, devices: 1 });
	const waiting = caught(waitForJob(context(), jobId, {}, fast()));
	await until(() => statusCalls(emulator, jobId).length >= 2, 5000, 'two status checks');
	await cancelDirectly(emulator, user.email, jobId);
	const error = await waiting;
	expect(error.message).toContain(`Job ${jobId} ended "cancelled" at 25%`);
});

test('acknowledged counts as finished', async () => {
	const jobId = await createJobDirectly(emulator, user.email, newDevices(1));
	emulator.process({ jobId });
	await acknowledgeDirectly(emulator, user.email, jobId);
	const finished = await waitForJob(context(), jobId, {}, fast());
	expect(finished.status).toBe('acknowledged');
});

test('several jobs: one shared deadline, answers in input order, finished jobs are not polled again', async () => {
	const ids: string[] = [];
	for (let i = 0; i < 3; i++) ids.push(await createJobDirectly(emulator, user.email, newDevices(2)));
	emulator.process({ jobId: ids[1] });
	const waiting = waitForJobs(context(), ids, {}, fast());
	await until(() => statusCalls(emulator, ids[0]).length >= 3, 5000, 'three rounds');
	emulator.process({ jobId: ids[2] });
	await until(() => statusCalls(emulator, ids[0]).length >= 5, 5000, 'five rounds');
	emulator.process({ jobId: ids[0] });
	const jobs = await waiting;

	expect(jobs.map((job) => job.jobId)).toEqual(ids);
	expect(jobs.every((job) => job.status === 'completed')).toBe(true);
	expect(statusCalls(emulator, ids[1])).toHaveLength(1);
	expect(jobs[1].statusCalls).toBe(1);
	expect(jobs[2].statusCalls).toBeLessThan(jobs[0].statusCalls);
	expect(jobs[0].statusCalls).toBe(statusCalls(emulator, ids[0]).length);
});

test('several jobs that run out of time: the error lists each unfinished job', async () => {
	const done = await createJobDirectly(emulator, user.email, newDevices(1));
	emulator.process({ jobId: done });
	const slow = await createJobDirectly(emulator, user.email, newDevices(2));
	const error = await caught(waitForJobs(context(), [done, slow], {}, fast({ timeoutMs: 150 })));
	expect(error.message).toMatch(new RegExp(`^1 of 2 jobs did not finish within 150 ms: job ${slow} is still "pending" at 0%`));
	expect(error.message).not.toContain(done);
});

test('transient HTTP faults during the wait are retried by the transport', async () => {
	const jobId = await createJobDirectly(emulator, user.email, newDevices(2));
	emulator.faults.script([{ method: 'GET', path: /\/status$/, kind: '503', times: 1, retryAfterSeconds: 0 }]);
	const waiting = waitForJob(context(), jobId, {}, fast());
	await until(() => statusCalls(emulator, jobId).length >= 3, 10_000, 'a retried status check');
	emulator.process({ jobId });
	expect((await waiting).status).toBe('completed');
	expect(statusCalls(emulator, jobId).some((call) => call.fault === '503')).toBe(true);
});

test('an unknown job fails at once with HERE\'s 404, not after the timeout', async () => {
	const jobId = 'BULK-00000000-0000-4000-8000-000000000000';
	const error = await caught(waitForJob(context(), jobId, {}, fast({ timeoutMs: 60_000 })));
	expect(error.message).toContain('404');
	expect(statusCalls(emulator, jobId)).toHaveLength(1);
});

describe('a finished job is not handed on (onFinished) when its round of checks ends the wait', () => {
	/** `done` has finished, and its status answer is slow, so that the other job's answer comes first. */
	async function slowFinishedJob(slowMs = 300): Promise<string> {
		const done = await createJobDirectly(emulator, user.email, newDevices(2));
		emulator.process({ jobId: done });
		emulator.faults.setRate({ rate: 1, kinds: ['slow'], slowMs, match: { method: 'GET', path: new RegExp(`${done}/status$`) } });
		return done;
	}

	test('after a status check that failed for good', async () => {
		const done = await slowFinishedJob();
		const unknown = 'BULK-00000000-0000-4000-8000-000000000000';
		const handedOn: string[] = [];
		const error = await caught(waitForJobs(context(), [unknown, done], {}, fast(), { onFinished: (job) => handedOn.push(job.jobId) }));
		expect(error.message).toContain('404');
		expect(statusCalls(emulator, done).at(-1)?.status).toBe(200);
		expect(handedOn).toEqual([]);
	});

	test('after a job that failed', async () => {
		const done = await slowFinishedJob();
		const failing = await createJobDirectly(emulator, user.email, newDevices(2));
		emulator.setJobOutcome(failing, 'failed');
		const handedOn: string[] = [];
		const error = await caught(waitForJobs(context(), [failing, done], {}, fast(), { onFinished: (job) => handedOn.push(job.jobId) }));
		expect(error.message).toMatch(new RegExp(`^Job ${failing} ended "failed"`));
		expect(handedOn).toEqual([]);
	});

	test('after the caller stopped the wait', async () => {
		// The answer takes a second; the caller stops the wait a fifth of the way through it.
		const done = await slowFinishedJob(1000);
		const stop = new AbortController();
		const handedOn: string[] = [];
		const waiting = caught(waitForJobs(context(), [done], {}, fast(), { onFinished: (job) => handedOn.push(job.jobId), signal: stop.signal }));
		await new Promise((resolve) => setTimeout(resolve, 200));
		stop.abort(new Error('The caller stopped the wait'));
		expect((await waiting).message).toBe('The caller stopped the wait');
		expect(statusCalls(emulator, done).map((call) => call.status)).toEqual([200]);
		expect(handedOn).toEqual([]);
	});

	afterEach(() => emulator.faults.clear());
});

test('a timeout over many jobs names the first ten and keeps all ids in the error context', async () => {
	const ids: string[] = [];
	for (let i = 0; i < 12; i++) ids.push(await createJobDirectly(emulator, user.email, newDevices(1)));
	const error = await caught(waitForJobs(context(), ids, {}, fast({ timeoutMs: 100 })));
	expect(error.message).toMatch(/^12 of 12 jobs did not finish within 100 ms: /);
	expect(error.message).toContain(ids[9]);
	expect(error.message).not.toContain(ids[10]);
	expect(error.message).toMatch(/; and 2 more$/);
	expect(error.context.jobIds).toEqual(ids);
	// Every unfinished job is checked in each round.
	const counts = ids.map((id) => statusCalls(emulator, id).length);
	expect(new Set(counts).size).toBe(1);
	emulator.process();
});

test('a job that arrives while the wait runs is checked at once, then on its own doubling schedule', async () => {
	const early = await createJobDirectly(emulator, user.email, newDevices(2));
	const late = await createJobDirectly(emulator, user.email, newDevices(2));
	const arriving = new ArrivingJobs();
	arriving.add(early);
	let arrivedAt = 0;
	const jobs = await onVirtualClock(() => waitForJobs(context(), arriving, {}, fast()), {
		afterPause: (pause) => {
			// After the early job's pauses of 40, 80 and 160 ms: the late job comes, and no more after it.
			if (pause === 3) {
				arrivedAt = Date.now();
				arriving.add(late);
				arriving.close();
			}
			if (statusCalls(emulator, late).length === 4) emulator.process();
		},
	});

	expect(jobs.map((job) => job.jobId)).toEqual([early, late]);
	const lateCalls = statusCalls(emulator, late);
	expect(lateCalls[0].at).toBe(arrivedAt);
	// Its own schedule from its arrival, not the early job's longer pauses.
	expect(gaps(lateCalls).slice(0, 3)).toEqual([40, 80, 160]);
	expect(gaps(statusCalls(emulator, early)).slice(0, 4)).toEqual([40, 80, 160, 320]);
});

// A wait for several jobs lists the project's running jobs (jobs/runningJobs.ts).
const listings = (): RequestLogEntry[] =>
	emulator.requests.filter((request) => request.method === 'GET' && request.path === '/bulkjobs/v4/deviceUploads');

async function createJobs(count: number): Promise<string[]> {
	const ids: string[] = [];
	for (let index = 0; index < count; index++) ids.push(await createJobDirectly(emulator, user.email, newDevices(1)));
	return ids;
}

/** Other work in the project: `count` more running jobs, made 50 at a time. */
async function createOtherRunningJobs(count: number): Promise<void> {
	for (let made = 0; made < count; made += 50) {
		await Promise.all(Array.from({ length: 50 }, async () => await createJobDirectly(emulator, user.email, newDevices(1))));
	}
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
			return await waitForJobs(context(), [first, second, third], {}, fast());
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
	expect(seenDone.at - (secondDoneAt as number)).toBeLessThanOrEqual(fast().pollIntervalMs);
	expect(seenDone.at - before.at).toBeLessThan(320);
	expect(listings().some((call) => call.at === seenDone.at)).toBe(true);
	// The listing asks for the running jobs only.
	expect(listings()[0].query).toMatchObject({ status: ['pending', 'ongoing'] });
});

test('a job that its own check saw running and the first listing misses is checked at that listing', async () => {
	const [early, late] = await createJobs(2);
	const arriving = new ArrivingJobs();
	arriving.add(early);
	let earlyDoneAt = 0;
	const jobs = await onVirtualClock(() => waitForJobs(context(), arriving, {}, fast()), {
		afterPause: (pause) => {
			// After the early job's pauses of 40, 80 and 160 ms the late job comes: two jobs are open,
			// so the first listing comes one poll interval later. The early job ends just before it.
			if (pause === 3) {
				arriving.add(late);
				arriving.close();
			} else if (pause === 4) {
				emulator.process({ jobId: early });
				earlyDoneAt = Date.now();
			} else if (pause > 4) {
				emulator.process({ jobId: late });
			}
		},
	});

	expect(jobs.map((job) => [job.jobId, job.status])).toEqual([
		[early, 'completed'],
		[late, 'completed'],
	]);
	const earlyCalls = statusCalls(emulator, early);
	// It was never listed, but its check at 280 ms said it was running: missing from the listing
	// at 320 ms, it is checked then, not at the end of its own 320 ms pause (600 ms).
	expect(listings()[0].at).toBe(earlyDoneAt);
	expect(gaps(earlyCalls)).toEqual([40, 80, 160, 40]);
	expect(earlyCalls[earlyCalls.length - 1].at).toBe(earlyDoneAt);
});

test('a wait for one job makes no listing: its own status check costs the same', async () => {
	const [jobId] = await createJobs(1);
	const jobs = await onVirtualClock(async () => await waitForJobs(context(), [jobId], {}, fast()), {
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
	const jobs = await onVirtualClock(async () => await waitForJobs(context(), ids, {}, fast()), {
		afterPause: (pause) => {
			if (pause === 6) emulator.process();
		},
	});
	expect(jobs.map((job) => job.status)).toEqual(['completed', 'completed']);
	// One attempt, not retried (it would hold up the checks), then no listing.
	expect(listings()).toHaveLength(1);
	expect(statusCalls(emulator, ids[0]).length).toBeGreaterThan(1);
});

test('a listing that would take more pages than there are open jobs is not read again: it would cost more than their checks', async () => {
	const followed = await createJobs(2);
	// Other work in the project: 200 more running jobs, so that the listing needs a third page.
	await createOtherRunningJobs(200);
	emulator.clearRequests();
	const jobs = await onVirtualClock(async () => await waitForJobs(context(), followed, {}, fast()), {
		afterPause: (pause) => {
			if (pause === 6) for (const jobId of followed) emulator.process({ jobId });
		},
	});
	expect(jobs.map((job) => job.status)).toEqual(['completed', 'completed']);
	// One listing, read until it was longer than 2 pages (201 jobs), then none.
	expect(listings()).toHaveLength(3);
	emulator.process();
});

test('a wait stopped by its caller during a listing asks for no further page of it', async () => {
	const followed = await createJobs(4);
	// 250 more running jobs: the listing has 3 pages, each answered slowly.
	await createOtherRunningJobs(250);
	emulator.clearRequests();
	emulator.faults.setRate({ rate: 1, kinds: ['slow'], slowMs: 150, match: { method: 'GET', path: /\/bulkjobs\/v4\/deviceUploads$/ } });
	const stop = new AbortController();
	const waiting = waitForJobs(context(), followed, {}, fast(), { signal: stop.signal });
	await until(() => listings().length >= 1, 5000, 'the first listing page');
	stop.abort(new Error('The caller stopped the wait'));
	await expect(waiting).rejects.toThrow('The caller stopped the wait');
	// The page under way when the wait stopped is answered; the third is never asked for.
	await new Promise((resolve) => setTimeout(resolve, 500));
	expect(listings().length).toBeLessThan(3);
	emulator.process();
});
