import type { HereEmulator } from '../../emulator';
import { startEmulator } from '../../emulator';
import { collectResults, waitAndCollectResults } from '../../nodes/HereBulkJobs/jobs/collectResults';
import { pollSchedule } from '../../nodes/HereBulkJobs/jobs/waitForJob';
import type { Engine } from '../harness/engine';
import { createEngine, executeContext } from '../harness/engine';
import { onVirtualClock } from '../harness/virtualClock';
import { bulkJobsNode, createJobDirectly, loginUser, newDevices } from '../harness/fixtures';
import { resultCalls, statusCalls, until } from './helpers';

let emulator: HereEmulator;
let engine: Engine;
let user: ReturnType<typeof loginUser>;

beforeAll(async () => {
	emulator = await startEmulator({ processing: { mode: 'manual' }, seed: 31 });
	engine = await createEngine();
	user = loginUser(emulator, engine);
});

afterAll(async () => {
	await emulator.close();
});

beforeEach(() => emulator.clearRequests());

const context = () => executeContext(engine, bulkJobsNode(user.credential, {}));

test('reads every page: 250 devices are 3 requests of up to 100', async () => {
	const devices = newDevices(250);
	const jobId = await createJobDirectly(emulator, user.email, devices);
	emulator.process({ jobId });
	emulator.clearRequests();

	const rows = await collectResults(context(), jobId, {});

	expect(rows.map((row) => row.name)).toEqual(devices.map((device) => device.name));
	const calls = resultCalls(emulator, jobId);
	expect(calls.map((call) => call.query.limit)).toEqual(['100', '100', '100']);
	expect(calls.map((call) => call.status)).toEqual([200, 200, 200]);
	expect(calls[0].query.pageToken).toBeUndefined();
	expect(new Set(calls.slice(1).map((call) => call.query.pageToken)).size).toBe(2);
});

test('maxItems reads only the pages it needs', async () => {
	const jobId = await createJobDirectly(emulator, user.email, newDevices(250));
	emulator.process({ jobId });
	emulator.clearRequests();

	const rows = await collectResults(context(), jobId, {}, { maxItems: 120 });
	expect(rows).toHaveLength(120);
	expect(resultCalls(emulator, jobId).map((call) => call.query.limit)).toEqual(['100', '20']);
});

test('while a job runs, the rows finished so far', async () => {
	const jobId = await createJobDirectly(emulator, user.email, newDevices(10));
	emulator.process({ jobId, devices: 3 });
	expect(await collectResults(context(), jobId, {})).toHaveLength(3);
	emulator.process({ jobId });
});

test('the project goes with every page request', async () => {
	const other = loginUser(emulator, engine, { projects: ['fleet-a', 'fleet-b'] });
	const jobId = await createJobDirectly(emulator, other.email, newDevices(150), 'fleet-b');
	emulator.process({ jobId });
	emulator.clearRequests();
	const ctx = executeContext(engine, bulkJobsNode(other.credential, {}));
	expect(await collectResults(ctx, jobId, { projectId: 'fleet-b' })).toHaveLength(150);
	expect(resultCalls(emulator, jobId).map((call) => call.query.projectId)).toEqual(['fleet-b', 'fleet-b']);
});

const fastWait = { pollIntervalMs: 20, maxPollIntervalMs: 40, timeoutMs: 10_000, failOnUnsuccessful: true };

test('waitAndCollectResults reads nothing while no job has finished, then every row, in input order', async () => {
	const first = await createJobDirectly(emulator, user.email, newDevices(120));
	const second = await createJobDirectly(emulator, user.email, newDevices(5));
	const waiting = waitAndCollectResults(context(), [first, second], {}, fastWait);
	await until(() => statusCalls(emulator, first).length >= 2, 5000, 'two rounds');
	expect(emulator.requests.filter((r) => r.path.endsWith('/results'))).toHaveLength(0);
	emulator.process();
	const results = await waiting;
	expect(results.map((r) => [r.job.jobId, r.job.status, r.rows.length])).toEqual([
		[first, 'completed', 120],
		[second, 'completed', 5],
	]);
});

test('waitAndCollectResults reads a job that finished early while a later job still runs; the output keeps the input order', async () => {
	const late = await createJobDirectly(emulator, user.email, newDevices(5));
	const early = await createJobDirectly(emulator, user.email, newDevices(150));
	const waiting = waitAndCollectResults(context(), [late, early], {}, fastWait);
	await until(() => statusCalls(emulator, late).length >= 1, 5000, 'a first round');
	emulator.process({ jobId: early });
	await until(() => resultCalls(emulator, early).length === 2, 5000, "the early job's two result pages");
	// Both pages were read while the late job was still pending, and its checks go on.
	const checks = statusCalls(emulator, late).length;
	await until(() => statusCalls(emulator, late).length > checks, 5000, 'another check of the late job');
	expect(resultCalls(emulator, late)).toHaveLength(0);
	emulator.process({ jobId: late });

	const results = await waiting;
	expect(results.map((r) => [r.job.jobId, r.job.status, r.rows.length])).toEqual([
		[late, 'completed', 5],
		[early, 'completed', 150],
	]);
});

test('waitAndCollectResults: a job that fails still fails the run, and a timeout still names the unfinished job, after an early job was read', async () => {
	const early = await createJobDirectly(emulator, user.email, newDevices(3));
	emulator.process({ jobId: early });
	const never = await createJobDirectly(emulator, user.email, newDevices(2));
	const timeout = await waitAndCollectResults(context(), [early, never], {}, { ...fastWait, timeoutMs: 200 }).catch((error: Error) => error);
	expect((timeout as Error).message).toMatch(new RegExp(`^1 of 2 jobs did not finish within 200 ms: job ${never} is still "pending"`));
	expect(resultCalls(emulator, early)).toHaveLength(1);

	const failing = await createJobDirectly(emulator, user.email, newDevices(2));
	const waiting = waitAndCollectResults(context(), [early, failing], {}, fastWait).catch((error: Error) => error);
	await until(() => resultCalls(emulator, early).length === 2, 5000, 'the early job read again');
	emulator.setJobOutcome(failing, 'failed');
	const failure = (await waiting) as Error & { context: Record<string, unknown> };
	expect(failure.message).toMatch(new RegExp(`^Job ${failing} ended "failed"`));
	expect(failure.context.jobId).toBe(failing);
	emulator.process();
});

test('waitAndCollectResults: a results read that fails ends the wait at once with its error, not at the timeout', async () => {
	const early = await createJobDirectly(emulator, user.email, newDevices(3));
	emulator.process({ jobId: early });
	const never = await createJobDirectly(emulator, user.email, newDevices(2));
	emulator.faults.script([{ method: 'GET', path: /\/results$/, kind: '500', times: 5 }]);
	const settings = { pollIntervalMs: 1_000, maxPollIntervalMs: 30_000, timeoutMs: 600_000, failOnUnsuccessful: true };
	const failure = (await onVirtualClock(() => waitAndCollectResults(context(), [early, never], {}, settings).catch((error: Error) => error))) as Error;
	emulator.faults.clear();
	expect(failure.message).toContain(`results of job ${early}`);
	expect(failure.message).toContain('500');
	// The wait stopped with the read: far fewer checks of the unfinished job than ten minutes of polling make.
	expect(statusCalls(emulator, never).length).toBeLessThan(pollSchedule(settings).length / 2);
	emulator.process();
});

test('waitAndCollectResults: once the wait has failed, a read under way stops after its current page', async () => {
	const long = await createJobDirectly(emulator, user.email, newDevices(1000));
	emulator.process({ jobId: long });
	const failing = await createJobDirectly(emulator, user.email, newDevices(2));
	// Each of the long job's 10 pages takes 200 ms: the job fails long before they could all be read.
	emulator.faults.setRate({ rate: 1, kinds: ['slow'], slowMs: 200, match: { method: 'GET', path: new RegExp(`${long}/results$`) } });
	try {
		const waiting = waitAndCollectResults(context(), [long, failing], {}, fastWait).catch((error: Error) => error);
		await until(() => resultCalls(emulator, long).length >= 1, 5000, "the long job's first page");
		emulator.setJobOutcome(failing, 'failed');
		const failure = (await waiting) as Error & { context: Record<string, unknown> };
		expect(failure.message).toMatch(new RegExp(`^Job ${failing} ended "failed"`));
		expect(failure.context.jobStatuses).toEqual({ [long]: 'completed', [failing]: 'failed' });
		expect(resultCalls(emulator, long).length).toBeLessThan(10);
	} finally {
		emulator.faults.clear();
	}
});

test('waitAndCollectResults: a read that failed first is the error, not a status check that fails after it', async () => {
	const early = await createJobDirectly(emulator, user.email, newDevices(3));
	emulator.process({ jobId: early });
	const never = await createJobDirectly(emulator, user.email, newDevices(2));
	// The read gives up after 4 Retry-After waits of 1 s; a status check that begins after the first
	// round (the first pause) gives up only after 4 waits of 3 s: the read fails first.
	emulator.faults.script([{ method: 'GET', path: /\/results$/, kind: '429', retryAfterSeconds: 1, times: 100 }]);
	const failing = async () => await waitAndCollectResults(context(), [early, never], {}, fastWait).catch((error: Error) => error);
	const failure = (await onVirtualClock(failing, {
		afterPause: (pause) => {
			if (pause === 1) emulator.faults.script([{ method: 'GET', path: /\/status$/, kind: '429', retryAfterSeconds: 3, times: 100 }]);
		},
	})) as Error & { context: Record<string, unknown> };
	expect(statusCalls(emulator, never).at(-1)?.status).toBe(429);
	emulator.faults.clear();
	expect(failure.message).toContain(`results of job ${early}`);
	expect(failure.context.jobStatuses).toEqual({ [early]: 'completed', [never]: 'pending' });
	emulator.process();
});

test('failAbove: more rows than that is an error naming the job, found after reading one row more', async () => {
	const jobId = await createJobDirectly(emulator, user.email, newDevices(250));
	emulator.process({ jobId });
	emulator.clearRequests();

	const failure = await collectResults(context(), jobId, {}, { failAbove: 120 }).then(
		() => undefined,
		(error: Error & { description?: string }) => error,
	);
	expect(failure?.message).toBe(`HERE returned more than 120 results for job ${jobId}, which holds at most 120 devices`);
	expect(failure?.description).toMatch(/Reading stopped after 121 result rows/);
	expect(resultCalls(emulator, jobId).map((call) => call.query.limit)).toEqual(['100', '21']);

	expect(await collectResults(context(), jobId, {}, { failAbove: 250 })).toHaveLength(250);
});
