import type { HereEmulator } from '../../emulator';
import { startEmulator } from '../../emulator';
import { collectJobsResults, collectResults, waitAndCollectResults } from '../../nodes/HereBulkJobs/jobs/collectResults';
import type { Engine } from '../harness/engine';
import { createEngine, executeContext } from '../harness/engine';
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

test('waitAndCollectResults waits for every job, then reads all their rows, in input order', async () => {
	const first = await createJobDirectly(emulator, user.email, newDevices(120));
	const second = await createJobDirectly(emulator, user.email, newDevices(5));
	const waiting = waitAndCollectResults(context(), [first, second], {}, { pollIntervalMs: 20, maxPollIntervalMs: 40, timeoutMs: 10_000, failOnUnsuccessful: true });
	await until(() => statusCalls(emulator, first).length >= 2, 5000, 'two rounds');
	// No results are read before every job has finished.
	expect(resultCalls(emulator, first)).toHaveLength(0);
	emulator.process();
	const results = await waiting;
	expect(results.map((r) => [r.job.jobId, r.job.status, r.rows.length])).toEqual([
		[first, 'completed', 120],
		[second, 'completed', 5],
	]);
	expect(results.map((r) => r.job.jobId)).toEqual((await collectJobsResults(context(), results.map((r) => r.job), {})).map((r) => r.job.jobId));
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
