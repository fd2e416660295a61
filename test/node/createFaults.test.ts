import type { IDataObject } from 'n8n-workflow';

import type { HereEmulator } from '../../emulator';
import { startEmulator } from '../../emulator';
import { editorView } from '../harness/editorView';
import type { Engine } from '../harness/engine';
import { runWorkflow } from '../harness/engine';
import { withEmulatorAndEngine } from '../harness/suite';
import { onVirtualClock } from '../harness/virtualClock';
import { bulkJobsNode, CANARY, itemsThen, loginUser } from '../harness/fixtures';
import { cancelDirectly, resultCalls, statusCalls, until } from '../jobs/helpers';
import { UPLOADS_PATH, csvOf, uploads } from './createFixtures';

// Create when HERE fails part-way: which rows went where, and never a second job for the same rows.
let emulator: HereEmulator;
let engine: Engine;
withEmulatorAndEngine({ processing: { mode: 'instant' }, seed: 62 }, (started) => ({ emulator, engine } = started));

type User = ReturnType<typeof loginUser>;
type Described = Error & { description?: string; context?: IDataObject };

/** The first `passing` uploads go through untouched (a `slow` fault of 0 ms), then one fails. */
function failUpload(passing: number, kind: '500' | '502', afterEffect: boolean) {
	const match = { method: 'POST', path: UPLOADS_PATH };
	emulator.faults.script([
		...(passing > 0 ? [{ ...match, kind: 'slow' as const, slowMs: 0, times: passing }] : []),
		{ ...match, kind, afterEffect },
	]);
}

async function create(user: User, parameters: Record<string, unknown>, nodeSettings: Record<string, unknown> = {}) {
	const node = { ...bulkJobsNode(user.credential, { operation: 'create', jobType: 'create', ...parameters } as never), ...nodeSettings };
	return await runWorkflow(engine, itemsThen(node, [{}], { data: { fileName: 'devices.csv', content: csvOf(2500, 'fleet') } }));
}

/** One parallel upload at a time, so "the 3rd POST" is job 3. */
const SERIAL = { options: { concurrency: 1 } };

test('a 500 on the 3rd upload: the error names the created jobs and the rows that were not created', async () => {
	const user = loginUser(emulator, engine);
	failUpload(2, '500', false);
	const run = await create(user, { inputSource: 'csvFile', ...SERIAL });

	const error = run.error() as Described;
	expect(error.message).toMatch(/^2 of 3 jobs were created, then job 3 \(rows 2002 to 2501, 500 devices\) failed: .*HTTP 500/);
	const jobs = emulator.jobs(user.projectId);
	expect(jobs).toHaveLength(2);
	expect(uploads(emulator)).toHaveLength(3);
	const created = jobs.sort((a, b) => (a.fileName ?? '').localeCompare(b.fileName ?? ''));
	expect(editorView(error.description)).toContain(
		`Created (do not send these rows again):\n- job 1 of 3: rows 2 to 1001 (1000 devices), file "devices.csv (1/3)": ${created[0].jobId}\n- job 2 of 3: rows 1002 to 2001 (1000 devices), file "devices.csv (2/3)": ${created[1].jobId}`,
	);
	expect(editorView(error.description)).toMatch(/Failed, but HERE may have created the job anyway.*\n- job 3 of 3: rows 2002 to 2501 \(500 devices\), file "devices.csv \(3\/3\)"/);
	// Get Many shows a job's file name only with Include Status Figures on.
	expect(editorView(error.description)).toContain('look for a job with this file name in Get Many with "Include Status Figures" on under Options');
	expect(error.description).toContain('Request: POST /bulkjobs/v4/deviceUploads');
});

test('a 500 after HERE made the job: no second job, and the error says it may exist under its file name', async () => {
	const user = loginUser(emulator, engine);
	failUpload(2, '500', true);
	const run = await create(user, { inputSource: 'csvFile', ...SERIAL });

	const error = run.error() as Described;
	expect(error.message).toMatch(/^2 of 3 jobs were created, then job 3 \(rows 2002 to 2501, 500 devices\) failed/);
	expect(editorView(error.description)).toMatch(/may have created the job anyway.*\n- job 3 of 3: .*file "devices.csv \(3\/3\)"/);
	// The server made three jobs, the client sent three uploads: the failed create was not repeated.
	expect(uploads(emulator)).toHaveLength(3);
	const jobs = emulator.jobs(user.projectId);
	expect(jobs.map((job) => job.fileName).sort()).toEqual(['devices.csv (1/3)', 'devices.csv (2/3)', 'devices.csv (3/3)']);
	expect(jobs.map((job) => job.total).sort()).toEqual([1000, 1000, 500]);
});

test('a failure in the middle: the later jobs are not sent, and the error lists their rows', async () => {
	const user = loginUser(emulator, engine);
	failUpload(1, '502', false);
	const run = await create(user, { inputSource: 'csvFile', options: { concurrency: 1, chunkSize: 600 } });

	const error = run.error() as Described;
	expect(error.message).toMatch(/^1 of 5 jobs were created, then job 2 \(rows 602 to 1201, 600 devices\) failed/);
	expect(uploads(emulator)).toHaveLength(2);
	expect(emulator.jobs(user.projectId)).toHaveLength(1);
	expect(editorView(error.description)).toContain(
		'Not sent (the upload stopped after the failure): send these rows in a new run:\n' +
			'- job 3 of 5: rows 1202 to 1801 (600 devices), file "devices.csv (3/5)"\n' +
			'- job 4 of 5: rows 1802 to 2401 (600 devices), file "devices.csv (4/5)"\n' +
			'- job 5 of 5: rows 2402 to 2501 (100 devices), file "devices.csv (5/5)"',
	);
	expect(error.context).toMatchObject({ failedJobs: [2], notSentJobs: [3, 4, 5], httpStatus: 502 });
});

test('On Error "Continue (using error output)": every job on the success output, the upload\'s error with its facts on the error output', async () => {
	const user = loginUser(emulator, engine);
	failUpload(1, '500', false);
	const run = await create(user, { inputSource: 'csvFile', options: { concurrency: 1, chunkSize: 1000 } }, { onError: 'continueErrorOutput' });

	expect(run.error()).toBeUndefined();
	expect(run.output('HERE', 0).map((item) => item.json.outcome)).toEqual(['created', 'failed', 'notSent']);
	const [failed, ...more] = run.output('HERE', 1);
	expect(more).toEqual([]);
	expect(failed.json).toEqual({
		error: expect.stringMatching(/^1 of 3 jobs were created, then job 2 .* HTTP 500/),
		details: {
			description: expect.stringContaining('Created (do not send these rows again):'),
			createdJobIds: [emulator.jobs(user.projectId)[0].jobId],
			failedJobs: [2],
			mayExistFileNames: ['devices.csv (2/3)'],
			notSentJobs: [3],
		},
	});
});

test('continue on fail: one item per job saying created, failed or not sent, with its rows', async () => {
	const user = loginUser(emulator, engine);
	failUpload(1, '500', false);
	const run = await create(user, { inputSource: 'csvFile', options: { concurrency: 1, chunkSize: 1000 } }, { onError: 'continueRegularOutput' });

	expect(run.error()).toBeUndefined();
	const items = run.output('HERE');
	expect(items.map((item) => [item.json.outcome, item.json.firstRow, item.json.lastRow, item.json.deviceCount])).toEqual([
		['created', 2, 1001, 1000],
		['failed', 1002, 2001, 1000],
		['notSent', 2002, 2501, 500],
	]);
	expect(items[0].json.jobId).toBe(emulator.jobs(user.projectId)[0].jobId);
	expect(items[1].json).toMatchObject({ mayHaveBeenCreated: true, error: expect.stringContaining('HTTP 500') });
	expect(items[1].json).not.toHaveProperty('jobId');
	expect(items.every((item) => JSON.stringify(item.pairedItem) === '{"item":0}')).toBe(true);

	// The summary shape: one item, its description plain text for the next node.
	failUpload(1, '500', false);
	const summary = await create(user, { inputSource: 'csvFile', jobOutput: 'summary', options: { concurrency: 1, chunkSize: 1000 } }, { onError: 'continueRegularOutput' });
	expect(summary.output('HERE')).toHaveLength(1);
	const [item] = summary.output('HERE');
	expect(item.json.description).toMatch(/\n- /);
	expect(item.json.description).not.toMatch(/<|&quot;/);
});

test('Skip Invalid Rows, then an upload fails: the error also reports the skipped rows, which no output will', async () => {
	const user = loginUser(emulator, engine);
	failUpload(1, '502', false);
	const csvText = 'name,sendMs\nGood 1,5\nBad 1,x\nGood 2,5\nBad 2,-1';
	const node = bulkJobsNode(user.credential, { operation: 'create', jobType: 'create', inputSource: 'csvText', csvText, options: { skipInvalidRows: true, chunkSize: 1, concurrency: 1 } } as never);
	const run = await runWorkflow(engine, itemsThen(node));

	const error = run.error() as Described;
	expect(error.message).toMatch(/^1 of 2 jobs were created, then job 2 \(row 4, 1 device\) failed/);
	expect(editorView(error.description)).toContain(
		'Skipped as invalid (Skip Invalid Rows), so not sent: fix them and send them in a new run:\n' +
			'2 problems in 2 rows (row numbers are line numbers in the CSV file; the header is row 1):\n' +
			'- sendMs: is not a number (row 3: "x")\n' +
			'- sendMs: must be 0 or more (row 5: "-1")',
	);
});

test('an upload refused at the connection never reached HERE: its job is reported as not sent, not as one that may exist', async () => {
	// A port where nothing listens: every attempt is refused (ECONNREFUSED), so no job can exist.
	// The credential holds a session already, so the upload itself is what meets the closed port.
	const closed = await startEmulator({});
	const baseUrl = closed.url;
	await closed.close();
	const credential = engine.saveCredential('refused-connection', { authentication: 'login', email: CANARY.email, password: CANARY.password, sessionToken: 'canary-session-refused', host: 'custom', baseUrl });
	const node = bulkJobsNode(credential, { operation: 'create', jobType: 'create', inputSource: 'csvText', csvText: 'name\nA' } as never);
	// The transport retries a create that certainly did not arrive: the virtual clock skips its pauses.
	const run = await onVirtualClock(async () => await runWorkflow(engine, itemsThen(node)));

	const error = run.error() as Described;
	expect(error.message).toMatch(/no answer from HERE \(connection refused\) \(row 2, 1 device\)$/);
	const text = editorView(error.description);
	expect(text).toContain('Not sent (the upload never reached HERE, so no job was made): send these rows again once the cause is fixed:\n- job 1 of 1: row 2 (1 device), file "devices.csv"');
	expect(text).not.toContain('may have created the job');
	expect(error.context).toMatchObject({ failedJobs: [1], mayExistFileNames: [], notProcessed: true });

	const continued = await onVirtualClock(async () => await runWorkflow(engine, itemsThen({ ...node, onError: 'continueRegularOutput' })));
	expect(continued.output('HERE').map((item) => [item.json.outcome, item.json.mayHaveBeenCreated])).toEqual([['failed', false]]);
});

test("HERE's 429 on an upload is waited out and retried by the transport: every job once", async () => {
	const user = loginUser(emulator, engine);
	emulator.faults.script([{ method: 'POST', path: UPLOADS_PATH, kind: '429', retryAfterSeconds: 0, times: 2 }]);
	const run = await create(user, { inputSource: 'csvFile' });

	expect(run.error()).toBeUndefined();
	expect(run.output('HERE')).toHaveLength(3);
	expect(uploads(emulator).map((r) => r.status).filter((s) => s === 429)).toHaveLength(2);
	expect(emulator.jobs(user.projectId)).toHaveLength(3);
});

describe('Wait for Completion after the upload', () => {
	let manual: HereEmulator;

	beforeAll(async () => {
		manual = await startEmulator({ processing: { mode: 'manual' }, seed: 63 });
	});

	afterAll(async () => {
		await manual.close();
	});

	beforeEach(() => {
		manual.faults.clear();
		manual.clearRequests();
	});

	/** Create from CSV text with Wait for Completion on. */
	const waitingCreate = (user: User, csvText: string, parameters: Record<string, unknown>) =>
		bulkJobsNode(user.credential, { operation: 'create', jobType: 'create', inputSource: 'csvText', csvText, waitForCompletion: true, ...parameters } as never);

	const FAST = { pollInterval: 0.02, maxPollInterval: 0.05 };
	/** What the server does with each upload, in the order they come: answer, hold for 1.5 s then answer, or fail. */
	function scriptUploads(fates: Array<'answer' | 'hold' | '500'>) {
		const match = { method: 'POST', path: UPLOADS_PATH };
		manual.faults.script(fates.map((fate) => (fate === '500' ? { ...match, kind: '500' } : { ...match, kind: 'slow', slowMs: fate === 'hold' ? 1500 : 0 })));
	}
	const jobIdsOf = (user: User) => manual.jobs(user.projectId).map((job) => job.jobId);

	/** Create in jobs of 2 devices, one upload at a time, the second held: once job 1 has had its first status check. */
	async function startWithUpload2Held(user: User, rows: number, prefix: string) {
		scriptUploads(['answer', 'hold']);
		const node = waitingCreate(user, csvOf(rows, prefix), { options: { chunkSize: 2, concurrency: 1 }, waitOptions: FAST });
		const running = runWorkflow(engine, itemsThen(node));
		await until(() => jobIdsOf(user).length === 1 && statusCalls(manual, jobIdsOf(user)[0]).length >= 1, 5000, "job 1's first status check");
		return { running, first: jobIdsOf(user)[0] };
	}

	test("each job is followed as soon as HERE answers its upload: job 1's status is checked while job 2's upload is held", async () => {
		const user = loginUser(manual, engine);
		const { running, first } = await startWithUpload2Held(user, 4, 'early');
		// Job 2's upload is still held on the server: HERE has made only job 1.
		expect(jobIdsOf(user)).toHaveLength(1);
		expect(uploads(manual).filter((r) => r.status === 202)).toHaveLength(1);
		manual.process({ jobId: first });
		await until(() => resultCalls(manual, first).length >= 1, 5000, "job 1's results read");
		expect(jobIdsOf(user)).toHaveLength(1);
		await until(() => jobIdsOf(user).length === 2, 5000, "job 2's upload");
		manual.process();
		const run = await running;

		expect(run.error()).toBeUndefined();
		expect(run.output('HERE').map((item) => [item.json.name, item.json.outcome])).toEqual([
			['early-1', 'succeeded'],
			['early-2', 'succeeded'],
			['early-3', 'succeeded'],
			['early-4', 'succeeded'],
		]);
	});

	test('the output keeps the job order when a later upload is answered first', async () => {
		// Signed in: a run with a new credential sends its first request alone, while n8n logs in.
		const user = loginUser(manual, engine, { signedIn: true });
		// The first upload to reach the server is held: job 1's, as the uploads start in job order.
		manual.faults.script([{ method: 'POST', path: UPLOADS_PATH, kind: 'slow', slowMs: 500 }]);
		const node = waitingCreate(user, csvOf(3, 'order'), { options: { chunkSize: 1 }, waitOptions: FAST });
		const running = runWorkflow(engine, itemsThen(node));
		await until(() => jobIdsOf(user).length === 2, 5000, 'jobs 2 and 3');
		manual.process();
		await until(() => jobIdsOf(user).length === 3, 5000, 'job 1');
		manual.process();
		const run = await running;

		expect(run.error()).toBeUndefined();
		// HERE made job 1 last.
		expect(manual.jobs(user.projectId).map((job) => job.fileName)).toEqual(['devices.csv (2/3)', 'devices.csv (3/3)', 'devices.csv (1/3)']);
		expect(run.output('HERE').map((item) => item.json.name)).toEqual(['order-1', 'order-2', 'order-3']);
	});

	test('an upload that fails while earlier jobs are followed: the wait stops, and the error is the upload failure as before', async () => {
		const user = loginUser(manual, engine);
		scriptUploads(['answer', 'hold', '500']);
		const node = waitingCreate(user, csvOf(6, 'cut'), { options: { chunkSize: 2, concurrency: 1 }, waitOptions: FAST });
		const run = await runWorkflow(engine, itemsThen(node));

		const error = run.error() as Described;
		expect(error.message).toMatch(/^2 of 3 jobs were created, then job 3 \(rows 6 to 7, 2 devices\) failed: .*HTTP 500/);
		const [first, second] = jobIdsOf(user);
		const text = editorView(error.description);
		expect(text).toContain(`Created (do not send these rows again):\n- job 1 of 3: rows 2 to 3 (2 devices), file "devices.csv (1/3)": ${first}\n- job 2 of 3: rows 4 to 5 (2 devices), file "devices.csv (2/3)": ${second}`);
		expect(text).toMatch(/Failed, but HERE may have created the job anyway.*\n- job 3 of 3: rows 6 to 7/);
		expect(text).not.toContain('still running');
		expect(error.context).toMatchObject({ createdJobIds: [first, second], failedJobs: [3], notSentJobs: [], httpStatus: 500 });
		expect(error.context).not.toHaveProperty('jobStatuses');
		// Job 1 was being waited on while job 2's upload was held; after the failure, no check or read starts.
		expect(statusCalls(manual, first).length).toBeGreaterThanOrEqual(1);
		const checks = statusCalls(manual).length;
		await new Promise((resolve) => setTimeout(resolve, 200)); // ten poll intervals
		expect(statusCalls(manual)).toHaveLength(checks);
		expect(manual.requests.filter((r) => r.path.endsWith('/results'))).toHaveLength(0);
		manual.process();
	});

	test('continue on fail after a failed upload: one item per job with its fate, as without the wait', async () => {
		const user = loginUser(manual, engine);
		scriptUploads(['answer', '500']);
		const node = { ...waitingCreate(user, csvOf(6, 'cof'), { options: { chunkSize: 2, concurrency: 1 }, waitOptions: FAST }), onError: 'continueRegularOutput' as const };
		const run = await runWorkflow(engine, itemsThen(node));

		expect(run.error()).toBeUndefined();
		expect(run.output('HERE').map((item) => [item.json.outcome, item.json.firstRow, item.json.lastRow])).toEqual([
			['created', 2, 3],
			['failed', 4, 5],
			['notSent', 6, 7],
		]);
		manual.process();
	});

	test('a wait that fails while uploads go on: the uploads go on (which jobs exist never depends on how soon HERE ends one), and the error names every created job', async () => {
		const user = loginUser(manual, engine);
		const { running, first } = await startWithUpload2Held(user, 6, 'stop');
		manual.setJobOutcome(first, 'failed');
		const run = await running;

		const error = run.error() as Described;
		expect(error.message).toMatch(new RegExp(`^Job ${first} ended "failed"`));
		expect(uploads(manual).filter((r) => r.status === 202)).toHaveLength(3);
		const [, second, third] = jobIdsOf(user);
		const text = editorView(error.description);
		expect(text).toContain(`- job 1 of 3: rows 2 to 3 (2 devices), file "devices.csv (1/3)": ${first} ("failed": ended)`);
		expect(text).toContain(`- job 2 of 3: rows 4 to 5 (2 devices), file "devices.csv (2/3)": ${second} (state unknown)`);
		expect(text).toContain(`- job 3 of 3: rows 6 to 7 (2 devices), file "devices.csv (3/3)": ${third} (state unknown)`);
		expect(text).toContain(`The devices were uploaded, but the wait stopped before the state of every job was known: do not upload these rows again; follow the jobs with Wait for Completion or Get Results with these job IDs: ${second}, ${third}.`);
		expect(text).not.toContain('Not sent');
		expect(error.context?.createdJobIds).toEqual([first, second, third]);
		manual.process();
	});

	test('a wait that fails, then an upload that fails: the error says only the created jobs were uploaded, and which job HERE may have made anyway', async () => {
		const user = loginUser(manual, engine);
		scriptUploads(['answer', 'hold', '500']);
		const node = waitingCreate(user, csvOf(6, 'both'), { options: { chunkSize: 2, concurrency: 1 }, waitOptions: FAST });
		const running = runWorkflow(engine, itemsThen(node));
		await until(() => jobIdsOf(user).length === 1 && statusCalls(manual, jobIdsOf(user)[0]).length >= 1, 5000, "job 1's first status check");
		const [first] = jobIdsOf(user);
		manual.setJobOutcome(first, 'failed');
		const run = await running;

		const error = run.error() as Described;
		expect(error.message).toMatch(new RegExp(`^Job ${first} ended "failed"`));
		const text = editorView(error.description);
		expect(text).toContain("The created jobs' devices were uploaded, but the wait stopped before the state of every job was known");
		expect(text).toContain('Failed, but HERE may have created the job anyway');
		expect(text).toContain('- job 3 of 3: rows 6 to 7 (2 devices), file "devices.csv (3/3)"');
		expect(error.context?.createdJobIds).toEqual(jobIdsOf(user));
		manual.process();
	});

	test('a wait that fails with Skip Invalid Rows: the error also reports the skipped rows', async () => {
		const user = loginUser(manual, engine);
		const node = waitingCreate(user, 'name,sendMs\nkept-1,5\nBad,x', { options: { skipInvalidRows: true }, waitOptions: FAST });
		const running = runWorkflow(engine, itemsThen(node));
		await until(() => jobIdsOf(user).length === 1 && statusCalls(manual, jobIdsOf(user)[0]).length >= 1, 5000, "the job's first status check");
		const [first] = jobIdsOf(user);
		manual.setJobOutcome(first, 'failed');
		const run = await running;

		const error = run.error() as Described;
		expect(error.message).toMatch(new RegExp(`^Job ${first} ended "failed"`));
		expect(editorView(error.description)).toMatch(/Skipped as invalid \(Skip Invalid Rows\), so not sent.*\n.*\n- sendMs: is not a number \(row 3: "x"\)/);
	});

	test('a wait that times out says the jobs exist, so nobody uploads the devices again', async () => {
		const user = loginUser(manual, engine);
		const node = waitingCreate(user, csvOf(3, 'slow'), {
			options: { chunkSize: 2 },
			waitOptions: { pollInterval: 0.02, maxPollInterval: 0.05, timeout: 0.005 },
		});
		const run = await runWorkflow(engine, itemsThen(node));

		const error = run.error() as Described;
		expect(error.message).toMatch(/^2 of 2 jobs did not finish within/);
		const jobIds = manual.jobs(user.projectId).map((job) => job.jobId);
		expect(jobIds).toHaveLength(2);
		expect(error.description).toContain('The devices were uploaded and the jobs keep running on HERE');
		for (const jobId of jobIds) expect(error.description).toContain(jobId);
	});

	test('a results read that fails while another job is pending: the error says which job keeps running, with its ID', async () => {
		const user = loginUser(manual, engine);
		const node = waitingCreate(user, csvOf(3, 'half'), { options: { chunkSize: 2 } });
		// Every read of results fails, for longer than the transport retries.
		manual.faults.script([{ method: 'GET', path: /\/results$/, kind: '500', times: 50 }]);
		let finished = '';
		const run = await onVirtualClock(async () => await runWorkflow(engine, itemsThen(node)), {
			afterPause: (pause) => {
				if (pause !== 1) return;
				finished = manual.jobs(user.projectId)[0].jobId;
				manual.process({ jobId: finished });
			},
		});
		manual.faults.clear();

		const [pending] = manual.jobs(user.projectId).filter((job) => job.jobId !== finished);
		expect(pending.status).toBe('pending');
		const error = run.error() as Described;
		expect(error.message).toContain(`results of job ${finished}`);
		expect(error.context?.jobStatuses).toEqual({ [finished]: 'completed', [pending.jobId]: 'pending' });
		const text = editorView(error.description);
		expect(text).toContain(
			`The devices were uploaded and the jobs still running keep running on HERE (do not upload these rows again; use Wait for Completion or Get Results with these job IDs: ${pending.jobId}).`,
		);
		expect(text).toContain(`${finished} ("completed": ended)`);
		expect(text).toContain(`${pending.jobId} (last seen "pending": still running on HERE)`);
		expect(text).not.toContain('state unknown');
		manual.process();
	});

	test('a job cancelled part-way, with Output Unsuccessful Jobs: each device HERE did not process comes out as notProcessed, with its row', async () => {
		const user = loginUser(manual, engine);
		const node = waitingCreate(user, csvOf(5, 'halted'), { waitOptions: { ...FAST, outputUnsuccessfulJobs: true } });
		const running = runWorkflow(engine, itemsThen(node));
		await until(() => jobIdsOf(user).length === 1, 5000, 'the job');
		const [jobId] = jobIdsOf(user);
		manual.process({ jobId, devices: 2 });
		await cancelDirectly(manual, user.email, jobId);
		const run = await running;

		expect(run.error()).toBeUndefined();
		const items = run.output('HERE').map((item) => [item.json.outcome, item.json.name, item.json.row, item.json.jobStatus, item.pairedItem]);
		expect(items).toEqual([
			['succeeded', 'halted-1', 2, 'cancelled', { item: 0 }],
			['succeeded', 'halted-2', 3, 'cancelled', { item: 0 }],
			['notProcessed', 'halted-3', 4, 'cancelled', { item: 0 }],
			['notProcessed', 'halted-4', 5, 'cancelled', { item: 0 }],
			['notProcessed', 'halted-5', 6, 'cancelled', { item: 0 }],
		]);
		expect(run.output('HERE')[2].json).toMatchObject({
			jobId,
			errors: [],
			errorMessage: `HERE did not process this device: job ${jobId} ended "cancelled" first`,
		});
	});

	test('a job cancelled before HERE processed any device: every device is notProcessed, and no item says the job has no result', async () => {
		const user = loginUser(manual, engine);
		const node = waitingCreate(user, csvOf(2, 'untouched'), { waitOptions: { ...FAST, outputUnsuccessfulJobs: true } });
		const running = runWorkflow(engine, itemsThen(node));
		await until(() => jobIdsOf(user).length === 1, 5000, 'the job');
		await cancelDirectly(manual, user.email, jobIdsOf(user)[0]);
		const run = await running;

		expect(run.error()).toBeUndefined();
		expect(run.output('HERE').map((item) => [item.json.outcome, item.json.name, item.json.row])).toEqual([
			['notProcessed', 'untouched-1', 2],
			['notProcessed', 'untouched-2', 3],
		]);
	});

	test('the first job cancelled before HERE processed any device: its notProcessed devices come first, in job order, and keep the attached CSV file', async () => {
		const user = loginUser(manual, engine);
		const node = waitingCreate(user, csvOf(4, 'first-cancelled'), {
			options: { chunkSize: 2, concurrency: 1 },
			waitOptions: { ...FAST, outputUnsuccessfulJobs: true },
			resultOptions: { attachCsv: true },
		});
		const running = runWorkflow(engine, itemsThen(node));
		await until(() => jobIdsOf(user).length === 2, 5000, 'both jobs');
		const [first, second] = jobIdsOf(user);
		await cancelDirectly(manual, user.email, first);
		manual.process({ jobId: second });
		const run = await running;

		expect(run.error()).toBeUndefined();
		const items = run.output('HERE');
		expect(items.map((item) => [item.json.outcome, item.json.row])).toEqual([
			['notProcessed', 2],
			['notProcessed', 3],
			['succeeded', 4],
			['succeeded', 5],
		]);
		expect(Object.keys(items[0].binary ?? {})).toEqual(['data']);
	});

	test('a job that HERE fails ends the wait with an error naming it', async () => {
		const user = loginUser(manual, engine);
		const node = waitingCreate(user, csvOf(2, 'doomed'), { waitOptions: { pollInterval: 0.02, maxPollInterval: 0.05, timeout: 0.2 } });
		const running = runWorkflow(engine, itemsThen(node));
		const started = Date.now();
		while (manual.jobs(user.projectId).length === 0 && Date.now() - started < 5000) await new Promise((resolve) => setTimeout(resolve, 5));
		const [job] = manual.jobs(user.projectId);
		manual.setJobOutcome(job.jobId, 'failed');
		const run = await running;

		const error = run.error() as Described;
		expect(error.message).toContain(`Job ${job.jobId} ended "failed"`);
		const text = editorView(error.description);
		expect(text).toContain('The devices were uploaded');
		// The job has ended: the note about jobs that keep running would be wrong here.
		expect(text).toContain(
			`The devices were uploaded and every job has ended: nothing keeps running on HERE. Where HERE names a cause (for example a name that another device already has), fix it first, in the list or in the project: ` +
				`a re-run sends the failed devices again, and HERE refuses them again until their cause is fixed. To send only the devices that failed, run the node again with Options > Skip Devices Already in Jobs set to: ${job.jobId}.`,
		);
		expect(text).not.toContain('keep running on HERE');
		expect(text).toContain('- "doomed-1": The job failed before this device was processed. (code 500, job)');
	});
});
