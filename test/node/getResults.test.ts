import { parse } from 'csv-parse/sync';
import type { INodeExecutionData } from 'n8n-workflow';

import type { HereEmulator } from '../../emulator';
import { startEmulator } from '../../emulator';
import type { Engine } from '../harness/engine';
import { createEngine, executeContext, runWorkflow } from '../harness/engine';
import { bulkJobsNode, byId, createJobDirectly, itemsThen, loginUser, newDevices } from '../harness/fixtures';
import { countOpenRequests } from '../harness/openRequests';
import { RESULTS_CONCURRENCY } from '../../nodes/HereBulkJobs/jobs/collectResults';
import { resultCalls, statusCalls } from '../jobs/helpers';

// Manual processing: each test decides how far its job has got.
let emulator: HereEmulator;
let engine: Engine;
let user: ReturnType<typeof loginUser>;

beforeAll(async () => {
	emulator = await startEmulator({ processing: { mode: 'manual' }, seed: 41 });
	engine = await createEngine();
	user = loginUser(emulator, engine);
});

afterAll(async () => {
	await emulator.close();
});

beforeEach(() => emulator.clearRequests());

async function getResults(parameters: Record<string, unknown>, items: unknown[] = [{}], nodeSettings: Record<string, unknown> = {}) {
	const node = { ...bulkJobsNode(user.credential, { operation: 'getResults', ...parameters } as never), ...nodeSettings };
	const run = await runWorkflow(engine, itemsThen(node, items));
	return run;
}

async function finishedJob(devices: object[]): Promise<string> {
	const jobId = await createJobDirectly(emulator, user.email, devices);
	emulator.process({ jobId });
	emulator.clearRequests();
	return jobId;
}

/** The deviceSecrets HERE handed out for a job, read straight from the emulator. */
async function secretsOf(jobId: string): Promise<string[]> {
	const response = await fetch(`${emulator.url}/bulkjobs/v4/deviceUploads/${jobId}/results?limit=100`, {
		headers: { Authorization: `Bearer ${emulator.issueToken(user.email)}` },
	});
	const body = (await response.json()) as { items: Array<{ deviceSecret?: string }> };
	return body.items.map((item) => item.deviceSecret).filter((s): s is string => typeof s === 'string');
}

async function csvOf(items: INodeExecutionData[], property = 'data'): Promise<Array<Record<string, string>>> {
	const context = executeContext(engine, bulkJobsNode(user.credential, {}), items);
	const buffer = await context.helpers.getBinaryDataBuffer(0, property);
	return parse(buffer, { columns: true }) as Array<Record<string, string>>;
}

test('Return All reads 250 devices over 3 pages and outputs one item per device', async () => {
	const devices = newDevices(250);
	const jobId = await finishedJob(devices);

	const run = await getResults({ jobId: byId(jobId), returnAll: true });

	expect(run.error()).toBeUndefined();
	const items = run.output('HERE');
	expect(items).toHaveLength(250);
	expect(items.map((item) => item.json.name)).toEqual(devices.map((device) => device.name));
	expect(items[0].json).toMatchObject({ jobId, outcome: 'succeeded', jobStatus: 'completed', resultsComplete: true, jobType: 'create', errors: [], errorMessage: '' });
	expect(items.every((item) => JSON.stringify(item.pairedItem) === JSON.stringify({ item: 0 }))).toBe(true);
	expect(resultCalls(emulator, jobId).map((call) => call.query.limit)).toEqual(['100', '100', '100']);
	expect(statusCalls(emulator, jobId)).toHaveLength(1);
});

test('Limit (default 50) stops early and asks HERE only for what it needs', async () => {
	const jobId = await finishedJob(newDevices(250));

	// One row past the Limit tells whether the job has more (limitReached).
	const byDefault = await getResults({ jobId: byId(jobId) });
	expect(byDefault.output('HERE')).toHaveLength(50);
	expect(resultCalls(emulator, jobId).map((call) => call.query.limit)).toEqual(['51']);

	emulator.clearRequests();
	const limited = await getResults({ jobId: byId(jobId), returnAll: false, limit: 120 });
	expect(limited.output('HERE')).toHaveLength(120);
	expect(resultCalls(emulator, jobId).map((call) => call.query.limit)).toEqual(['100', '21']);
});

test('results cut by the Limit never say they are complete: per device, in the summary and beside the CSV file', async () => {
	const jobId = await finishedJob(newDevices(120));

	const perDevice = await getResults({ jobId: byId(jobId) });
	expect(perDevice.output('HERE')[0].json).toMatchObject({ jobStatus: 'completed', resultsComplete: false, limitReached: true });

	const summary = await getResults({ jobId: byId(jobId), output: 'summary', resultOptions: { attachCsv: true } });
	const [item] = summary.output('HERE');
	expect(item.json).toMatchObject({ status: 'completed', total: 120, resultCount: 50, resultsComplete: false, limitReached: true });
	expect(Object.keys(item.binary ?? {})).toEqual(['data']);

	// A Limit the job does not reach cuts nothing.
	const whole = await getResults({ jobId: byId(jobId), limit: 120, output: 'summary' });
	expect(whole.output('HERE')[0].json).toMatchObject({ resultCount: 120, resultsComplete: true });
	expect(whole.output('HERE')[0].json.limitReached).toBeUndefined();
});

test('failed devices are told apart from succeeded ones; the summary counts them and lists the failed', async () => {
	const taken = newDevices(2);
	await finishedJob(taken);
	const fresh = newDevices(3);
	const jobId = await finishedJob([taken[0], ...fresh]);

	const perDevice = (await getResults({ jobId: byId(jobId), returnAll: true })).output('HERE');
	expect(perDevice.map((item) => item.json.outcome)).toEqual(['failed', 'succeeded', 'succeeded', 'succeeded']);
	expect(perDevice[0].json.errorMessage).toContain('already exists');
	expect(perDevice[0].json.errors).toEqual([expect.objectContaining({ code: 409 })]);

	const summary = (await getResults({ jobId: byId(jobId), returnAll: true, output: 'summary' })).output('HERE');
	expect(summary).toHaveLength(1);
	expect(summary[0].json).toMatchObject({
		jobId,
		status: 'completed',
		total: 4,
		succeeded: 3,
		failed: 1,
		resultsComplete: true,
		resultCount: 4,
		succeededCount: 3,
		failedCount: 1,
	});
	expect(summary[0].json.failedDevices).toEqual([expect.objectContaining({ name: taken[0].name, outcome: 'failed' })]);
	expect(summary[0].json.results).toHaveLength(4);
	expect(summary[0].pairedItem).toEqual({ item: 0 });

	const lean = (await getResults({ jobId: byId(jobId), returnAll: true, output: 'summary', resultOptions: { includeResults: false } })).output('HERE');
	expect(lean[0].json).not.toHaveProperty('results');
});

test('deviceSecret is left out of items and CSV unless asked for', async () => {
	const jobId = await finishedJob(newDevices(3));
	const secrets = await secretsOf(jobId);
	expect(secrets).toHaveLength(3);

	const hidden = (await getResults({ jobId: byId(jobId), returnAll: true, resultOptions: { attachCsv: true } })).output('HERE');
	expect(hidden[0].json).toHaveProperty('deviceId');
	expect(hidden.every((item) => !('deviceSecret' in item.json))).toBe(true);
	const hiddenCsv = await csvOf(hidden);
	expect(Object.keys(hiddenCsv[0])).not.toContain('deviceSecret');
	const everything = JSON.stringify(hidden.map((item) => item.json)) + JSON.stringify(hiddenCsv);
	for (const secret of secrets) expect(everything).not.toContain(secret);

	const shown = (await getResults({ jobId: byId(jobId), returnAll: true, resultOptions: { attachCsv: true, includeDeviceSecret: true } })).output('HERE');
	expect(shown.map((item) => item.json.deviceSecret)).toEqual(secrets);
	expect((await csvOf(shown)).map((row) => row.deviceSecret)).toEqual(secrets);
});

test('the CSV file is attached through n8n\'s binary data and reads back as the results', async () => {
	const taken = newDevices(1);
	await finishedJob(taken);
	const jobId = await finishedJob([{ name: 'Depot, "North"\nGate 2' }, taken[0], ...newDevices(2)]);

	const items = (
		await getResults({
			jobId: byId(jobId),
			returnAll: true,
			output: 'summary',
			resultOptions: { attachCsv: true, binaryPropertyName: 'report', csvFileName: 'upload-report.csv' },
		})
	).output('HERE');

	expect(items).toHaveLength(1);
	const binary = items[0].binary?.report;
	expect(binary).toMatchObject({ fileName: 'upload-report.csv', mimeType: 'text/csv', fileExtension: 'csv' });
	const rows = await csvOf(items, 'report');
	expect(rows).toHaveLength(4);
	expect(Object.keys(rows[0])).toEqual(['jobId', 'name', 'deviceId', 'externalId', 'externalDeviceId', 'connectorId', 'trackingId', 'outcome', 'errors']);
	expect(rows[0]).toMatchObject({ jobId, name: 'Depot, "North"\nGate 2', outcome: 'succeeded', errors: '' });
	expect(rows[1]).toMatchObject({ name: taken[0].name, outcome: 'failed' });
	expect(rows[1].errors).toContain('already exists');
	expect(rows[0].trackingId).toMatch(/^HERE-/);
});

test('per device, the CSV file rides on the first item only; default file name names the job', async () => {
	const jobId = await finishedJob(newDevices(3));
	const items = (await getResults({ jobId: byId(jobId), returnAll: true, resultOptions: { attachCsv: true } })).output('HERE');
	expect(items).toHaveLength(3);
	expect(items[0].binary?.data?.fileName).toBe(`here-results-${jobId}.csv`);
	expect(items.slice(1).every((item) => item.binary === undefined)).toBe(true);
	expect(await csvOf(items)).toHaveLength(3);
});

test('a job that still runs gives partial results, and says so on each item', async () => {
	const jobId = await createJobDirectly(emulator, user.email, newDevices(10));
	emulator.process({ jobId, devices: 4 });

	const items = (await getResults({ jobId: byId(jobId), returnAll: true })).output('HERE');
	expect(items).toHaveLength(4);
	expect(items.every((item) => item.json.jobStatus === 'ongoing' && item.json.resultsComplete === false)).toBe(true);

	const summary = (await getResults({ jobId: byId(jobId), returnAll: true, output: 'summary' })).output('HERE');
	expect(summary[0].json).toMatchObject({ status: 'ongoing', progress: 40, resultsComplete: false, resultCount: 4 });
	emulator.process({ jobId });
});

test('a job without any device result yet still gives one item, with outcome "none"', async () => {
	const jobId = await createJobDirectly(emulator, user.email, newDevices(2));
	const items = (await getResults({ jobId: byId(jobId), returnAll: true, resultOptions: { attachCsv: true } })).output('HERE');
	expect(items).toHaveLength(1);
	expect(items[0].json).toEqual({ jobId, outcome: 'none', jobStatus: 'pending', resultsComplete: false, jobType: 'create', errors: [], errorMessage: '' });
	expect(await csvOf(items)).toEqual([]);
	emulator.process({ jobId });
});

test('one run per input item, each paired with its item; the job can come from an expression', async () => {
	const first = await finishedJob(newDevices(2));
	const second = await finishedJob(newDevices(3));
	const run = await getResults({ jobId: byId('={{ $json.jobId }}'), returnAll: true, output: 'summary' }, [{ jobId: first }, { jobId: second }]);
	const items = run.output('HERE');
	expect(items.map((item) => [item.json.jobId, item.json.resultCount, item.pairedItem])).toEqual([
		[first, 2, { item: 0 }],
		[second, 3, { item: 1 }],
	]);
});

test('a malformed job ID fails before any request; continueOnFail turns it into an error item', async () => {
	// A typed ID is checked by n8n's own locator validation; one from an expression is checked here.
	const failing = await getResults({ jobId: byId('={{ $json.jobId }}') }, [{ jobId: 'BULK-not-a-job' }]);
	expect(failing.error()?.message).toContain('"BULK-not-a-job" is not a HERE bulk job ID');
	expect(emulator.requests.filter((r) => r.path.startsWith('/bulkjobs/'))).toHaveLength(0);

	const good = await finishedJob(newDevices(1));
	const run = await getResults({ jobId: byId('={{ $json.jobId }}'), returnAll: true }, [{ jobId: 'nope' }, { jobId: good }], {
		onError: 'continueRegularOutput',
	});
	expect(run.error()).toBeUndefined();
	const items = run.output('HERE');
	expect(items[0].json.error).toContain('"nope" is not a HERE bulk job ID');
	expect(items[0].pairedItem).toEqual({ item: 0 });
	expect(items[1].json).toMatchObject({ jobId: good, outcome: 'succeeded' });
	expect(items[1].pairedItem).toEqual({ item: 1 });
});

test('On Error "Continue (using error output)": the failing item goes to the error output, with its error; the others to the success output', async () => {
	const good = await finishedJob(newDevices(1));
	const run = await getResults({ jobId: byId('={{ $json.jobId }}'), returnAll: true }, [{ jobId: 'nope' }, { jobId: good }], {
		onError: 'continueErrorOutput',
	});

	expect(run.error()).toBeUndefined();
	expect(run.output('HERE', 0).map((item) => [item.json.jobId, item.json.outcome, item.pairedItem])).toEqual([[good, 'succeeded', { item: 1 }]]);
	const [failed] = run.output('HERE', 1);
	expect(failed.json.error).toContain('"nope" is not a HERE bulk job ID');
	expect(run.output('HERE', 1)).toHaveLength(1);
});

test('an unknown job is HERE\'s 404 with the hint that jobs are kept a week', async () => {
	const run = await getResults({ jobId: byId('BULK-00000000-0000-4000-8000-000000000000') });
	const error = run.error() as Error & { description?: string };
	expect(error.message).toContain('404');
	expect(error.description).toContain('one week');
});

test('several items: jobs are read at once (a bounded number), and the output keeps the item order with each item\'s own error', async () => {
	const first = await finishedJob(newDevices(150));
	const unknown = 'BULK-00000000-0000-4000-8000-000000000000';
	const third = await finishedJob(newDevices(2));
	// More items than are read at once: the rest wait for a free place.
	const more: string[] = [];
	for (let index = 0; index < RESULTS_CONCURRENCY; index++) more.push(await finishedJob(newDevices(1)));
	const items = [{ jobId: first }, { jobId: unknown }, { jobId: third }, ...more.map((jobId) => ({ jobId }))];
	const parameters = { jobId: byId('={{ $json.jobId }}'), returnAll: true };
	// Slow result pages, so that reads which overlap are seen overlapping.
	emulator.faults.setRate({ rate: 1, kinds: ['slow'], slowMs: 100, match: { method: 'GET', path: /\/results$/ } });
	const openReads = countOpenRequests('server', (method, path) => method === 'GET' && path.endsWith('/results'));
	try {
		const run = await getResults(parameters, items, { onError: 'continueRegularOutput' });
		expect(run.error()).toBeUndefined();
		const output = run.output('HERE');
		expect(output.map((item) => [item.json.jobId ?? 'error', item.pairedItem])).toEqual([
			...Array.from({ length: 150 }, () => [first, { item: 0 }]),
			['error', { item: 1 }],
			[third, { item: 2 }],
			[third, { item: 2 }],
			...more.map((jobId, index) => [jobId, { item: 3 + index }]),
		]);
		expect(output[150].json.error).toContain('404');
		expect(openReads.max()).toBeGreaterThan(1);
		expect(openReads.max()).toBeLessThanOrEqual(RESULTS_CONCURRENCY);

		// Without continueOnFail, the failing item's error stops the run and names that item.
		const failing = await getResults(parameters, items);
		expect(failing.error()?.message).toContain('404');
		expect((failing.error() as Error & { context?: { itemIndex?: number } }).context?.itemIndex).toBe(1);
	} finally {
		openReads.stop();
		emulator.faults.clear();
	}
});
