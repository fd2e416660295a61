import { parse } from 'csv-parse/sync';
import type { INodeExecutionData } from 'n8n-workflow';

import type { HereEmulator } from '../../emulator';
import { startEmulator } from '../../emulator';
import type { Engine } from '../harness/engine';
import { createEngine, executeContext, runWorkflow } from '../harness/engine';
import { onVirtualClock } from '../harness/virtualClock';
import { bulkJobsNode, createJobDirectly, itemsThen, loginUser, newDevices } from '../harness/fixtures';
import { acknowledgeDirectly, cancelDirectly, gaps, resultCalls, statusCalls, until } from '../jobs/helpers';

// Manual processing: the jobs move only when a test says so, so the polls can be watched.
let emulator: HereEmulator;
let engine: Engine;
let user: ReturnType<typeof loginUser>;

beforeAll(async () => {
	emulator = await startEmulator({ processing: { mode: 'manual' }, seed: 51 });
	engine = await createEngine();
	user = loginUser(emulator, engine);
});

afterAll(async () => {
	await emulator.close();
});

beforeEach(() => emulator.clearRequests());

/** Short waits: 50 ms first pause, doubling to 400 ms, 30 s timeout unless a test sets one. */
const FAST = { pollInterval: 0.05, maxPollInterval: 0.4, timeout: 0.5 };

function waitNode(parameters: Record<string, unknown>, nodeSettings: Record<string, unknown> = {}) {
	const { waitOptions, ...rest } = parameters as { waitOptions?: Record<string, unknown> };
	return { ...bulkJobsNode(user.credential, { operation: 'waitForCompletion', waitOptions: { ...FAST, ...waitOptions }, ...rest } as never), ...nodeSettings };
}

async function wait(parameters: Record<string, unknown>, items: unknown[] = [{}], nodeSettings: Record<string, unknown> = {}) {
	return await runWorkflow(engine, itemsThen(waitNode(parameters, nodeSettings), items));
}

function bulkRequests() {
	return emulator.requests.filter((r) => r.path.startsWith('/bulkjobs/'));
}

async function csvOf(items: INodeExecutionData[]): Promise<Array<Record<string, string>>> {
	const context = executeContext(engine, bulkJobsNode(user.credential, {}), items);
	return parse(await context.helpers.getBinaryDataBuffer(0, 'data'), { columns: true }) as Array<Record<string, string>>;
}

type Described = Error & { description?: string };

test('polls with backoff while the job runs, then outputs one item per device', async () => {
	const devices = newDevices(6);
	const jobId = await createJobDirectly(emulator, user.email, devices);
	// Half the devices are done at the end of the third pause, the rest at the end of the fifth.
	const run = await onVirtualClock(async () => await wait({ jobIds: jobId }), {
		afterPause: (pause) => {
			if (pause === 3) emulator.process({ jobId, devices: 3 });
			if (pause === 5) emulator.process({ jobId });
		},
	});

	expect(run.error()).toBeUndefined();
	const items = run.output('HERE');
	expect(items.map((item) => item.json.name)).toEqual(devices.map((device) => device.name));
	expect(items[0].json).toMatchObject({ jobId, outcome: 'succeeded', jobStatus: 'completed', resultsComplete: true });
	expect(items.every((item) => !('deviceSecret' in item.json))).toBe(true);
	expect(items.every((item) => (item.pairedItem as { item: number }).item === 0)).toBe(true);

	// Pauses of 50 ms doubling up to the 400 ms cap, on the virtual clock: exact.
	const calls = statusCalls(emulator, jobId);
	expect(gaps(calls)).toEqual([50, 100, 200, 400, 400]);
	// Results are read once, after the job has finished.
	const results = resultCalls(emulator, jobId);
	expect(results).toHaveLength(1);
	expect(results[0].at).toBeGreaterThanOrEqual(calls[calls.length - 1].at);
});

test('the deadline stops the wait with an error naming the job, its status and progress', async () => {
	const jobId = await createJobDirectly(emulator, user.email, newDevices(4));
	emulator.process({ jobId, devices: 1 });
	const run = await onVirtualClock(
		async () => await wait({ jobIds: jobId, waitOptions: { pollInterval: 0.1, maxPollInterval: 0.2, timeout: 0.01 } }),
	);

	const error = run.error() as Described;
	expect(error.message).toContain(`Job ${jobId} did not finish within 600 ms`);
	expect(error.message).toContain('"ongoing" at 25% (1 of 4 devices processed: 1 succeeded, 0 failed)');
	expect(error.description).toContain('HERE Bulk Jobs Trigger');
	// 100, then 200 (the cap) until the deadline at 600 ms: four checks, the last one right at it.
	const calls = statusCalls(emulator, jobId);
	expect(gaps(calls)).toEqual([100, 200, 200, 100]);
	expect(error.description).toMatch(/^Waited 600 ms \(5 status checks\)/);
	expect(resultCalls(emulator, jobId)).toHaveLength(0);
	emulator.process({ jobId });
});

test('a failed job is an error; with "Output Unsuccessful Jobs" it is output with its devices\' errors', async () => {
	const jobId = await createJobDirectly(emulator, user.email, newDevices(3));
	emulator.process({ jobId, devices: 1 });
	emulator.setJobOutcome(jobId, 'failed');

	const failing = await wait({ jobIds: jobId });
	const error = failing.error() as Described;
	expect(error.message).toBe(`Job ${jobId} ended "failed" at 100% (3 of 3 devices processed: 1 succeeded, 2 failed)`);
	expect(error.description).toContain(`Get Results on job ${jobId}`);

	const tolerant = await wait({ jobIds: jobId, output: 'summary', waitOptions: { outputUnsuccessfulJobs: true } });
	expect(tolerant.error()).toBeUndefined();
	const [summary] = tolerant.output('HERE');
	expect(summary.json).toMatchObject({ jobId, status: 'failed', succeededCount: 1, failedCount: 2, resultsComplete: true });
	expect((summary.json.failedDevices as Array<{ errorMessage: string }>)[0].errorMessage).toContain('failed before this device was processed');
	expect(summary.json.statusCalls).toBe(1);
});

test('a cancelled job is an error; continueOnFail outputs the error on the item and goes on with the next', async () => {
	const cancelled = await createJobDirectly(emulator, user.email, newDevices(2));
	await cancelDirectly(emulator, user.email, cancelled);
	const fine = await createJobDirectly(emulator, user.email, newDevices(2));
	emulator.process({ jobId: fine });

	const failing = await wait({ jobIds: cancelled });
	expect(failing.error()?.message).toContain(`Job ${cancelled} ended "cancelled"`);

	// Cancelled before HERE processed a device: per device, one item says so.
	const tolerant = await wait({ jobIds: cancelled, waitOptions: { outputUnsuccessfulJobs: true } });
	expect(tolerant.output('HERE').map((item) => item.json)).toEqual([
		expect.objectContaining({ jobId: cancelled, outcome: 'none', jobStatus: 'cancelled', resultsComplete: true }),
	]);

	const run = await wait({ jobIds: '={{ $json.jobId }}' }, [{ jobId: cancelled }, { jobId: fine }], { onError: 'continueRegularOutput' });
	expect(run.error()).toBeUndefined();
	const items = run.output('HERE');
	expect(items[0].json.error).toContain(`Job ${cancelled} ended "cancelled"`);
	expect(items[0].pairedItem).toEqual({ item: 0 });
	expect(items.slice(1).map((item) => [item.json.jobId, item.pairedItem])).toEqual([
		[fine, { item: 1 }],
		[fine, { item: 1 }],
	]);
});

test('a job acknowledged after it failed or was cancelled is still unsuccessful: acknowledging hides the status, not the figures', async () => {
	// Every device refused (their names are taken): HERE ends the job failed.
	const taken = newDevices(3);
	emulator.process({ jobId: await createJobDirectly(emulator, user.email, taken) });
	const refused = await createJobDirectly(emulator, user.email, taken);
	emulator.process({ jobId: refused });
	await acknowledgeDirectly(emulator, user.email, refused);
	const failing = await wait({ jobIds: refused });
	expect(failing.error()?.message).toBe(`Job ${refused} ended "acknowledged", after it failed, at 100% (3 of 3 devices processed: 0 succeeded, 3 failed)`);

	// Cancelled after one device of three.
	const cancelled = await createJobDirectly(emulator, user.email, newDevices(3));
	emulator.process({ jobId: cancelled, devices: 1 });
	await cancelDirectly(emulator, user.email, cancelled);
	await acknowledgeDirectly(emulator, user.email, cancelled);
	const stopped = await wait({ jobIds: cancelled });
	expect(stopped.error()?.message).toContain(`Job ${cancelled} ended "acknowledged", after it was cancelled, at 33%`);
	expect((stopped.error() as Described).description).toContain('The job was cancelled');

	// With Output Unsuccessful Jobs, it is output.
	const tolerant = await wait({ jobIds: cancelled, output: 'summary', waitOptions: { outputUnsuccessfulJobs: true } });
	expect(tolerant.output('HERE')[0].json).toMatchObject({ jobId: cancelled, status: 'acknowledged', succeededCount: 1 });

	// A completed job that someone acknowledged is output as before, its failed devices as failed items.
	const partly = await createJobDirectly(emulator, user.email, [...newDevices(1), taken[0]]);
	emulator.process({ jobId: partly });
	await acknowledgeDirectly(emulator, user.email, partly);
	const fine = await wait({ jobIds: partly });
	expect(fine.error()).toBeUndefined();
	expect(fine.output('HERE').map((item) => item.json.outcome)).toEqual(['succeeded', 'failed']);

	// A job that failed part-way has the same figures once acknowledged: it is output like that one (the limit of what HERE tells).
	const halfway = await createJobDirectly(emulator, user.email, newDevices(3));
	emulator.process({ jobId: halfway, devices: 1 });
	emulator.setJobOutcome(halfway, 'failed');
	await acknowledgeDirectly(emulator, user.email, halfway);
	const lookalike = await wait({ jobIds: halfway });
	expect(lookalike.error()).toBeUndefined();
	expect(lookalike.output('HERE').map((item) => item.json.outcome)).toEqual(['succeeded', 'failed', 'failed']);
});

describe('several jobs in one item', () => {
	let ids: string[];
	let sizes: number[];

	beforeAll(async () => {
		sizes = [3, 1, 2];
		ids = [];
		for (const size of sizes) ids.push(await createJobDirectly(emulator, user.email, newDevices(size)));
	});

	test('a comma-separated list: waits for all, outputs every device in the order of the list', async () => {
		emulator.process({ jobId: ids[1] });
		const running = wait({ jobIds: `${ids[0]}, ${ids[1]} ,${ids[2]}` });
		await until(() => statusCalls(emulator, ids[0]).length >= 3, 10_000, 'three rounds');
		expect(statusCalls(emulator, ids[1])).toHaveLength(1);
		emulator.process();
		const run = await running;

		expect(run.error()).toBeUndefined();
		const jobOrder = run.output('HERE').map((item) => item.json.jobId);
		expect(jobOrder).toEqual([ids[0], ids[0], ids[0], ids[1], ids[2], ids[2]]);
	});

	test('an array from an expression, with repeats dropped; summary gives one item per job; one CSV of all', async () => {
		const run = await wait(
			{ jobIds: `={{ ${JSON.stringify([ids[2], ids[0], ids[2]])} }}`, output: 'summary', resultOptions: { attachCsv: true } },
		);
		const items = run.output('HERE');
		expect(items.map((item) => [item.json.jobId, item.json.resultCount])).toEqual([
			[ids[2], 2],
			[ids[0], 3],
		]);
		expect(items[0].binary?.data?.fileName).toBe('here-results.csv');
		expect(items[1].binary).toBeUndefined();
		const rows = await csvOf(items);
		expect(rows.map((row) => row.jobId)).toEqual([ids[2], ids[2], ids[0], ids[0], ids[0]]);
	});

	test('objects with a jobId, as the items of Create: from a field, or all input items in one execution', async () => {
		const fromField = await wait({ jobIds: '={{ $json.jobs }}', output: 'summary' }, [{ jobs: ids.map((jobId) => ({ jobId, status: 'pending' })) }]);
		expect(fromField.output('HERE').map((item) => item.json.jobId)).toEqual(ids);

		const allItems = await wait(
			{ jobIds: '={{ $input.all().map(item => item.json.jobId) }}', output: 'summary' },
			ids.map((jobId) => ({ jobId })),
			{ executeOnce: true },
		);
		const items = allItems.output('HERE');
		expect(items.map((item) => item.json.jobId)).toEqual(ids);
		expect(items.every((item) => (item.pairedItem as { item: number }).item === 0)).toBe(true);
	});
});

test('job IDs are checked before any request; the error names each bad entry', async () => {
	const good = await createJobDirectly(emulator, user.email, newDevices(1));
	emulator.clearRequests();

	const run = await wait({ jobIds: `${good}, BULK-123, job-7` });
	const error = run.error() as Described;
	expect(error.message).toBe('Job IDs holds 2 entries that are not a HERE bulk job ID: #2 "BULK-123", #3 "job-7"');
	expect(bulkRequests()).toHaveLength(0);

	const fromObjects = await wait({ jobIds: '={{ $json.jobs }}' }, [{ jobs: [{ id: good }] }]);
	expect(fromObjects.error()?.message).toContain('#1 "{"id":');

	const empty = await wait({ jobIds: '={{ $json.jobId }}' }, [{}]);
	expect(empty.error()?.message).toBe('Job IDs is empty: there is no job to wait for');
	expect(bulkRequests()).toHaveLength(0);
	emulator.process({ jobId: good });
});

test('every item is checked before any wait: a job in two items, or an item of Create that holds no job, stops the run at once', async () => {
	const jobs = [await createJobDirectly(emulator, user.email, newDevices(1)), await createJobDirectly(emulator, user.email, newDevices(1))];
	emulator.process();
	emulator.clearRequests();

	// Without Execute Once, each item would wait for both jobs: every result twice.
	const twice = await wait({ jobIds: '={{ $input.all().map(item => item.json.jobId) }}' }, jobs.map((jobId) => ({ jobId })));
	const overlap = twice.error() as Described;
	expect(overlap.message).toBe(`Job ${jobs[0]} is in the Job IDs of input items 0 and 1: its results would be output twice`);
	expect(overlap.description).toContain('turn on Execute Once in the node settings');

	// Create's items after a re-run with Skip Devices Already in Jobs: a job, and the rows left out.
	const createItems = [{ outcome: 'created', jobId: jobs[0] }, { outcome: 'alreadySent', alreadySentCount: 2 }];
	const jobless = await wait({ jobIds: '={{ $json.jobId }}' }, createItems);
	const noJob = jobless.error() as Described;
	expect(noJob.message).toBe('Input item 1 has no job to wait for: it is Create\'s "alreadySent" item, not a job');
	expect(noJob.description).toContain('Keep only the items with a jobId before this step');
	// Neither run waited for anything before its error.
	expect(bulkRequests()).toHaveLength(0);

	// Continuing on fail, the item without a job, or with a job of an earlier item, is its own error
	// item; the others are waited for.
	const continued = await wait({ jobIds: '={{ $json.jobId }}' }, [...createItems, { jobId: jobs[0] }, { jobId: jobs[1] }], { onError: 'continueRegularOutput' });
	expect(continued.output('HERE').map((item) => [item.json.jobId ?? item.json.error, (item.pairedItem as { item: number }).item])).toEqual([
		[jobs[0], 0],
		[noJob.message, 1],
		[`Job ${jobs[0]} is in the Job IDs of input items 0 and 2: its results would be output twice`, 2],
		[jobs[1], 3],
	]);
});

test('a Wait Option that is not a positive number is an error before any request', async () => {
	const jobId = await createJobDirectly(emulator, user.email, newDevices(1));
	emulator.clearRequests();
	const run = await wait({ jobIds: jobId, waitOptions: { timeout: 0 } });
	expect(run.error()?.message).toBe('Timeout must be a positive number of minutes');
	expect(bulkRequests()).toHaveLength(0);
	emulator.process({ jobId });
});
