import type { INodeParameters } from 'n8n-workflow';

import type { HereEmulator } from '../../emulator';
import { startEmulator } from '../../emulator';
import type { Engine } from '../harness/engine';
import { createEngine, runWorkflow } from '../harness/engine';
import { RESULTS_CONCURRENCY } from '../../nodes/HereBulkJobs/jobs/collectResults';
import { loginUser, newDevices } from '../harness/fixtures';
import { countOpenRequests } from '../harness/openRequests';
import { legacyPollContext, PollDriver, TriggerStore } from '../harness/poll';
import { createJob, distinctJobIds, marks, patchJob, requestsTo, statusOf, TRIGGER_NAME, triggerNode } from './helpers';
import { startMisbehavingHere } from './misbehavingHere';

let emulator: HereEmulator;
let engine: Engine;

beforeAll(async () => {
	emulator = await startEmulator({ processing: { mode: 'manual' }, seed: 404 });
	engine = await createEngine();
});

afterAll(async () => {
	await emulator.close();
});

beforeEach(() => {
	emulator.faults.clear();
});

/** A fresh user with its own project, and a trigger watching that project. */
function setup(parameters: INodeParameters = {}, options: { budgetMs?: number } = {}) {
	const user = loginUser(emulator, engine);
	const store = new TriggerStore();
	const node = triggerNode(user.credential, user.projectId, parameters);
	const driver = new PollDriver(engine, node, store, options);
	return { user, store, node, driver, restart: () => new PollDriver(engine, node, store, options) };
}

/** A trigger whose credential goes through a misbehaving HERE in front of the emulator. */
async function misbehaving(answer: Parameters<typeof startMisbehavingHere>[1], parameters: INodeParameters = {}) {
	const { user, store } = setup();
	const here = await startMisbehavingHere(emulator.url, answer);
	const credential = engine.saveCredential(`misbehaving-${user.email}`, { ...engine.credentials.stored(user.credential.id), baseUrl: here.url });
	const driver = new PollDriver(engine, triggerNode(credential, user.projectId, parameters), store, { budgetMs: 10_000 });
	return { user, store, driver, here };
}

const finish = (jobId: string) => emulator.process({ jobId });

describe('first poll', () => {
	test('records the jobs that already finished and emits nothing; running jobs are not recorded', async () => {
		const { user, store, driver } = setup();
		const done = await createJob(emulator, user.email, newDevices(3));
		finish(done);
		const running = await createJob(emulator, user.email, newDevices(3));

		const activation = await driver.activate();
		expect(activation.items).toBeNull();
		// n8n does not store the state of an activation poll that emitted nothing.
		expect(store.committed).toEqual({});

		const first = await driver.tick();
		expect(first.items).toBeNull();
		expect(first.committed).toBe(true);
		expect(marks(store.committed)).toEqual({ [done]: 'baseline' });

		// The running job finishes later: it is new.
		finish(running);
		const second = await driver.tick();
		expect(distinctJobIds(second.items)).toEqual([running]);
		expect(marks(store.committed)).toEqual({ [done]: 'baseline', [running]: 'emitted' });
	});

	test('"Emit Finished Jobs HERE Still Keeps" emits what had finished before', async () => {
		const { user, store, driver } = setup({ options: { firstPoll: 'emitExisting' } });
		const done = await createJob(emulator, user.email, newDevices(2));
		finish(done);

		const first = await driver.tick();
		expect(distinctJobIds(first.items)).toEqual([done]);
		expect(marks(store.committed)).toEqual({ [done]: 'emitted' });
		expect((await driver.tick()).items).toBeNull();
	});
	test('a first listing cut short by the budget: a job that finishes after activation is still emitted, once', async () => {
		const { user, store, node, driver } = setup({}, { budgetMs: 400 });
		const existing: string[] = [];
		for (let index = 0; index < 250; index++) existing.push(await createJob(emulator, user.email, newDevices(1)));
		for (const jobId of existing) finish(jobId);
		// Every list page takes 150 ms: after one or two pages the next would not fit in the budget.
		emulator.faults.setRate({ rate: 1, kinds: ['slow'], slowMs: 150, match: { method: 'GET', path: /\/deviceUploads$/ } });

		const first = await driver.tick();
		emulator.faults.clear();
		expect(first.items).toBeNull();
		const recorded = Object.keys(marks(store.committed));
		expect([100, 200]).toContain(recorded.length);
		expect(new Set(Object.values(marks(store.committed)))).toEqual(new Set(['baseline']));

		// Finishes after activation, while part of the first listing was never read.
		const late = await createJob(emulator, user.email, newDevices(1));
		finish(late);
		const unlisted = existing.filter((jobId) => !recorded.includes(jobId));
		const roomy = new PollDriver(engine, node, store, { budgetMs: 60_000 });
		const second = await roomy.tick();

		// HERE gives no finish times: the jobs the first poll could not list are emitted as well.
		expect(distinctJobIds(second.items).sort()).toEqual([late, ...unlisted].sort());
		expect((await roomy.tick()).items).toBeNull();
		expect(marks(store.committed)).toEqual(
			Object.fromEntries([...recorded.map((jobId) => [jobId, 'baseline']), ...[late, ...unlisted].map((jobId) => [jobId, 'emitted'])]),
		);
	});

	test('works on a poll context without getPollBudgetMs (n8n 1.x): n8n\'s 5 minutes are assumed', async () => {
		const { user, node } = setup();
		const nodeType = engine.nodeTypes.getByNameAndVersion(node.type, 1);
		const { context, workflow } = legacyPollContext(engine, node, {});
		Object.defineProperty(context, 'getPollBudgetMs', { value: undefined });
		expect(await nodeType.poll!.call(context)).toBeNull();
		const jobId = await createJob(emulator, user.email, newDevices(1));
		finish(jobId);
		const next = legacyPollContext(engine, node, workflow.staticData);
		Object.defineProperty(next.context, 'getPollBudgetMs', { value: undefined });
		expect(distinctJobIds((await nodeType.poll!.call(next.context))?.[0])).toEqual([jobId]);
	});
});

describe('emitting finished jobs', () => {
	test("several new jobs are read at once; they are emitted in the order HERE listed them, each job's items together, in its results order, once", async () => {
		// HERE's listing order, as the trigger received it (the emulator shuffles every listing).
		const listed: string[] = [];
		const { user, store, driver, here } = await misbehaving(async (request, forward) => {
			const answer = await forward();
			if (request.method === 'GET' && request.path.endsWith('/deviceUploads')) {
				listed.push(...(answer.json as { items: Array<{ jobId: string }> }).items.map((job) => job.jobId));
			}
			return answer;
		});
		const openReads = countOpenRequests('client', (method, path) => method === 'GET' && path.endsWith('/results'));
		try {
			await driver.tick();
			const devices = new Map<string, string[]>();
			for (let index = 0; index < 6; index++) {
				const rows = newDevices(150);
				devices.set(await createJob(emulator, user.email, rows), rows.map((row) => row.name));
			}
			for (const jobId of devices.keys()) finish(jobId);
			// Slow result pages, so that reads which overlap are seen overlapping.
			emulator.faults.setRate({ rate: 1, kinds: ['slow'], slowMs: 100, match: { method: 'GET', path: /\/results$/ } });
			listed.length = 0;

			const poll = await driver.tick();

			expect(listed.filter((jobId) => devices.has(jobId))).toHaveLength(devices.size);
			expect(distinctJobIds(poll.items)).toEqual(listed.filter((jobId) => devices.has(jobId)));
			expect(poll.items!.map((item) => [item.json.jobId, item.json.name])).toEqual(
				listed.flatMap((jobId) => (devices.get(jobId) ?? []).map((name) => [jobId, name])),
			);
			expect(openReads.max()).toBeGreaterThan(1);
			emulator.faults.clear();
			expect(marks(store.committed)).toEqual(Object.fromEntries([...devices.keys()].map((jobId) => [jobId, 'emitted'])));
			expect((await driver.tick()).items).toBeNull();
		} finally {
			openReads.stop();
			emulator.faults.clear();
			await here.close();
		}
	});

	test('a job finishing between polls is emitted once, with all its results over several pages', async () => {
		const { user, store, driver } = setup();
		await driver.tick();
		const jobId = await createJob(emulator, user.email, newDevices(250), { fileName: 'fleet.csv' });
		expect((await driver.tick()).items).toBeNull();
		finish(jobId);
		emulator.clearRequests();

		const poll = await driver.tick();

		expect(poll.items).toHaveLength(250);
		const names = new Set(poll.items!.map((item) => item.json.name));
		expect(names.size).toBe(250);
		expect(poll.items![0].json).toMatchObject({
			jobId,
			outcome: 'succeeded',
			jobStatus: 'completed',
			jobType: 'create',
			jobFileName: 'fleet.csv',
			jobTotal: 250,
			jobSucceeded: 250,
			jobFailed: 0,
			resultsComplete: true,
		});
		// deviceSecret is left out unless asked for.
		expect(poll.items!.some((item) => 'deviceSecret' in item.json)).toBe(false);
		expect(requestsTo(emulator, 'GET', /\/results$/)).toHaveLength(3);
		expect(marks(store.committed)).toEqual({ [jobId]: 'emitted' });

		// Never again, and its results are not read again.
		emulator.clearRequests();
		expect((await driver.tick()).items).toBeNull();
		expect(requestsTo(emulator, 'GET', /\/results$|\/status$/)).toHaveLength(0);
		expect(store.emissions.flat()).toHaveLength(250);
	});

	test('a job that starts and finishes between two polls is not missed', async () => {
		const { user, store, driver } = setup();
		await driver.tick();
		const jobId = await createJob(emulator, user.email, newDevices(5));
		finish(jobId);

		const poll = await driver.tick();
		expect(distinctJobIds(poll.items)).toEqual([jobId]);
		expect(marks(store.committed)[jobId]).toBe('emitted');
	});

	test('summary output: one item per job with its figures and results; the secret only when asked', async () => {
		const { user, driver } = setup({ output: 'summary', options: { includeDeviceSecret: true } });
		await driver.tick();
		const jobId = await createJob(emulator, user.email, newDevices(120));
		finish(jobId);

		const poll = await driver.tick();
		expect(poll.items).toHaveLength(1);
		const summary = poll.items![0].json;
		expect(summary).toMatchObject({ jobId, status: 'completed', total: 120, succeeded: 120, resultCount: 120, failedCount: 0 });
		const results = summary.results as Array<Record<string, unknown>>;
		expect(results).toHaveLength(120);
		expect(results[0].deviceSecret).toEqual(expect.any(String));
	});

	test('filters on status and job type', async () => {
		const { user, store, driver } = setup({ statuses: ['failed', 'cancelled'], jobType: 'create' });
		await driver.tick();
		const completed = await createJob(emulator, user.email, newDevices(2));
		finish(completed);
		const failed = await createJob(emulator, user.email, newDevices(2));
		emulator.setJobOutcome(failed, 'failed');
		const cancelled = await createJob(emulator, user.email, newDevices(2));
		expect(await patchJob(emulator, user.email, cancelled, 'cancel')).toBe(200);
		const deletion = await createJob(emulator, user.email, [{ externalId: 'gone-1' }]);
		emulator.setJobOutcome(deletion, 'failed');

		const poll = await driver.tick();
		expect(distinctJobIds(poll.items).sort()).toEqual([failed, cancelled].sort());
		expect(marks(store.committed)).toEqual({ [failed]: 'emitted', [cancelled]: 'emitted' });
		// A cancelled job without any device result still gives one item.
		const cancelledItems = poll.items!.filter((item) => item.json.jobId === cancelled);
		expect(cancelledItems).toEqual([{ json: expect.objectContaining({ outcome: 'none', jobStatus: 'cancelled', jobTotal: 2 }) }]);
		const failedItems = poll.items!.filter((item) => item.json.jobId === failed);
		expect(failedItems.every((item) => item.json.outcome === 'failed' && item.json.errorMessage !== '')).toBe(true);
	});

	test('filters on file names (with *) and job ids; a filtered-out job is recorded as skipped', async () => {
		const { user, store, driver } = setup({ options: { fileNames: 'erp-*.csv' } });
		await driver.tick();
		const erp = await createJob(emulator, user.email, newDevices(1), { fileName: 'erp-2026-11.csv' });
		// The parts of a split upload carry the upload's name with " (k/n)": they match it.
		const parts = [
			await createJob(emulator, user.email, newDevices(1), { fileName: 'erp-2026-12.csv (1/2)' }),
			await createJob(emulator, user.email, newDevices(1), { fileName: 'erp-2026-12.csv (2/2)' }),
		];
		const other = await createJob(emulator, user.email, newDevices(1), { fileName: 'manual.csv' });
		const otherPart = await createJob(emulator, user.email, newDevices(1), { fileName: 'erp-2026-12.csv.bak (1/2)' });
		// Not a part Create would name: part 3 of 2.
		const notAPart = await createJob(emulator, user.email, newDevices(1), { fileName: 'erp-2026-12.csv (3/2)' });
		const unnamed = await createJob(emulator, user.email, newDevices(1));
		for (const jobId of [erp, ...parts, other, otherPart, notAPart, unnamed]) finish(jobId);

		const poll = await driver.tick();
		expect(distinctJobIds(poll.items).sort()).toEqual([erp, ...parts].sort());
		expect(marks(store.committed)).toEqual({
			[erp]: 'emitted',
			[parts[0]]: 'emitted',
			[parts[1]]: 'emitted',
			[other]: 'skipped',
			[otherPart]: 'skipped',
			[notAPart]: 'skipped',
			[unnamed]: 'skipped',
		});

		const byId = setup({ options: { jobIds: 'BULK-00000000-0000-4000-8000-000000000000' } });
		await byId.driver.tick();
		const ignored = await createJob(emulator, byId.user.email, newDevices(1));
		finish(ignored);
		emulator.clearRequests();
		expect((await byId.driver.tick()).items).toBeNull();
		// Known from the list alone: no status read.
		expect(requestsTo(emulator, 'GET', /\/status$/)).toHaveLength(0);
		expect(marks(byId.store.committed)).toEqual({ [ignored]: 'skipped' });
	});
});

describe('changing what the trigger watches', () => {
	const emptyProject = { __rl: true, mode: 'list', value: '' };

	test('another credential, or another Default Project ID, with the Project left empty: a new baseline, nothing old emitted', async () => {
		const a = loginUser(emulator, engine);
		const b = loginUser(emulator, engine, { projects: ['switch-one', 'switch-two'], defaultProjectId: 'switch-one' });
		const oldOnB = await createJob(emulator, b.email, newDevices(1), { projectId: 'switch-one' });
		const oldOnOtherProject = await createJob(emulator, b.email, newDevices(1), { projectId: 'switch-two' });
		finish(oldOnB);
		finish(oldOnOtherProject);
		const store = new TriggerStore();
		const onA = { ...triggerNode(a.credential, a.projectId), parameters: { projectId: emptyProject } };
		expect((await new PollDriver(engine, onA, store).tick()).items).toBeNull();

		const onB = { ...onA, credentials: { hereTrackingApi: b.credential } };
		expect((await new PollDriver(engine, onB, store).tick()).items).toBeNull();
		expect(marks(store.committed)).toEqual({ [oldOnB]: 'baseline' });
		// Whoever sees the workflow sees its static data: the account is kept as a hash, not as the e-mail.
		expect(JSON.stringify(store.committed)).not.toContain(b.email);

		engine.saveCredential(b.credential.id, { ...engine.credentials.stored(b.credential.id), projectId: 'switch-two' });
		expect((await new PollDriver(engine, onB, store).tick()).items).toBeNull();
		expect(marks(store.committed)).toEqual({ [oldOnOtherProject]: 'baseline' });
		const fresh = await createJob(emulator, b.email, newDevices(1), { projectId: 'switch-two' });
		finish(fresh);
		expect(distinctJobIds((await new PollDriver(engine, onB, store).tick()).items)).toEqual([fresh]);
	});

	test('another status keeps the records: nothing emitted twice, no job that finished meanwhile missed, acknowledgements still made', async () => {
		const { user, store, node, driver } = setup({ statuses: ['completed'], acknowledge: true });
		const cancelledBefore = await createJob(emulator, user.email, newDevices(1));
		expect(await patchJob(emulator, user.email, cancelledBefore, 'cancel')).toBe(200);
		await driver.tick();
		const emitted = await createJob(emulator, user.email, newDevices(1));
		finish(emitted);
		expect(distinctJobIds((await driver.tick()).items)).toEqual([emitted]);

		// A job completes; before the next poll, the user adds Cancelled to Statuses.
		const completedMeanwhile = await createJob(emulator, user.email, newDevices(1));
		finish(completedMeanwhile);
		const widened = new PollDriver(engine, { ...node, parameters: { ...node.parameters, statuses: ['completed', 'cancelled'] } }, store);
		const poll = await widened.tick();
		// The cancelled job that was there before the change is recorded, not emitted: nothing tells when it ended.
		expect(distinctJobIds(poll.items)).toEqual([completedMeanwhile]);
		expect(statusOf(emulator, emitted)).toBe('acknowledged');
		expect(marks(store.committed)[cancelledBefore]).toBe('baseline');
		const cancelledAfter = await createJob(emulator, user.email, newDevices(1));
		expect(await patchJob(emulator, user.email, cancelledAfter, 'cancel')).toBe(200);
		expect(distinctJobIds((await widened.tick()).items)).toEqual([cancelledAfter]);
	});

	test('with "Emit Finished Jobs HERE Still Keeps", a newly watched status emits its jobs, and the jobs emitted before stay emitted once', async () => {
		const { user, store, node, driver } = setup({ statuses: ['completed'], options: { firstPoll: 'emitExisting' } });
		const completed = await createJob(emulator, user.email, newDevices(1));
		finish(completed);
		const cancelled = await createJob(emulator, user.email, newDevices(1));
		expect(await patchJob(emulator, user.email, cancelled, 'cancel')).toBe(200);
		expect(distinctJobIds((await driver.tick()).items)).toEqual([completed]);

		const widened = new PollDriver(engine, { ...node, parameters: { ...node.parameters, statuses: ['completed', 'cancelled'] } }, store);
		expect(distinctJobIds((await widened.tick()).items)).toEqual([cancelled]);
		expect((await widened.tick()).items).toBeNull();
	});
});

describe('restarts and failed polls', () => {
	test('a state stored by 0.1.0 (version 1) is kept by an update: no job emitted again, none acknowledged late, a job that finished meanwhile emitted', async () => {
		const { user, store, driver } = setup({ acknowledge: true });
		const [baseline, emitted] = [await createJob(emulator, user.email, newDevices(1)), await createJob(emulator, user.email, newDevices(1))];
		finish(baseline);
		finish(emitted);
		// What 0.1.0 stored after emitting `emitted`, before the update.
		store.committed = {
			version: 1,
			scope: JSON.stringify([user.projectId, ['completed', 'failed', 'cancelled'], 'any']),
			baselineComplete: true,
			jobs: { [baseline]: { mark: 'baseline', seenAt: Date.now() - 3_600_000 }, [emitted]: { mark: 'emitted', seenAt: Date.now() - 60_000 } },
		};
		const meanwhile = await createJob(emulator, user.email, newDevices(1));
		finish(meanwhile);

		expect(distinctJobIds((await driver.tick()).items)).toEqual([meanwhile]);
		expect(statusOf(emulator, emitted)).toBe('acknowledged');
		// The acknowledged job has left HERE's list of the watched statuses: its record is done with.
		expect(marks(store.committed)).toEqual({ [baseline]: 'baseline', [meanwhile]: 'emitted' });
		expect(store.committed.version).toBe(2);
	});

	test('a restart (a new poll context from the stored static data) goes on without a gap or a repeat', async () => {
		const { user, store, driver, restart } = setup();
		await driver.tick();
		const before = await createJob(emulator, user.email, newDevices(2));
		finish(before);
		expect(distinctJobIds((await driver.tick()).items)).toEqual([before]);

		// n8n restarts: the old context is gone; jobs finish while it is down.
		const during = await createJob(emulator, user.email, newDevices(2));
		finish(during);
		const restarted = restart();
		const afterRestart = await restarted.tick();
		expect(distinctJobIds(afterRestart.items)).toEqual([during]);
		expect((await restarted.tick()).items).toBeNull();
		expect(marks(store.committed)).toEqual({ [before]: 'emitted', [during]: 'emitted' });
		expect(store.emissions.map((items) => distinctJobIds(items))).toEqual([[before], [during]]);
	});

	test('a poll that still fails after retries reports the error and leaves the state as it was', async () => {
		const { user, store, driver } = setup({}, { budgetMs: 4_000 });
		await driver.tick();
		const jobId = await createJob(emulator, user.email, newDevices(2));
		finish(jobId);
		const stateBefore = store.snapshot();

		emulator.faults.script([{ method: 'GET', path: /\/deviceUploads$/, kind: '500', times: 50 }]);
		const failed = await driver.tick();
		emulator.faults.clear();

		expect(failed.error?.message).toMatch(/List bulk jobs failed: HERE answered HTTP 500/);
		expect(failed.items).toBeNull();
		expect(store.committed).toEqual(stateBefore);
		expect(store.errors).toHaveLength(1);

		const next = await driver.tick();
		expect(distinctJobIds(next.items)).toEqual([jobId]);
	});

	test('a transient fault is retried within the poll', async () => {
		const { user, driver } = setup({}, { budgetMs: 4_000 });
		await driver.tick();
		const jobId = await createJob(emulator, user.email, newDevices(150));
		finish(jobId);
		emulator.faults.script([
			{ method: 'GET', path: /\/deviceUploads$/, kind: '503', times: 1 },
			{ method: 'GET', path: /\/status$/, kind: 'drop', times: 1 },
			{ method: 'GET', path: /\/results$/, kind: 'malformed-json', times: 1 },
			{ method: 'GET', path: /\/results$/, kind: '429', times: 1, retryAfterSeconds: 0 },
		]);
		const poll = await driver.tick();
		expect(poll.error).toBeUndefined();
		expect(poll.items).toHaveLength(150);
		expect(emulator.faults.injected).toBeGreaterThanOrEqual(4);
	});

	test('a process that dies before n8n stored the poll loses nothing: the next poll emits the job', async () => {
		const { user, store, driver, restart } = setup();
		await driver.tick();
		const jobId = await createJob(emulator, user.email, newDevices(2));
		finish(jobId);
		const stateBefore = store.snapshot();

		const crashed = await driver.tick({ crash: true });
		expect(crashed.committed).toBe(false);
		expect(store.emissions).toHaveLength(0);
		expect(store.committed).toEqual(stateBefore);

		const next = await restart().tick();
		expect(distinctJobIds(next.items)).toEqual([jobId]);
		expect(store.emissions).toHaveLength(1);
	});

	test('a failed poll on the legacy path (static data kept in memory) leaves it untouched', async () => {
		const { user, node } = setup({}, {});
		const staticData = {};
		const nodeType = engine.nodeTypes.getByNameAndVersion(node.type, 1);
		const first = legacyPollContext(engine, node, staticData, 4_000);
		expect(await nodeType.poll!.call(first.context)).toBeNull();
		const stored = first.workflow.getStaticData('node', node);
		const jobId = await createJob(emulator, user.email, newDevices(1));
		finish(jobId);
		const copy = JSON.parse(JSON.stringify(stored)) as unknown;
		expect(Object.keys(copy as object)).toContain('hours');

		emulator.faults.script([{ method: 'GET', path: /\/results$/, kind: '500', times: 50 }]);
		const failing = legacyPollContext(engine, node, first.workflow.staticData, 4_000);
		await expect(nodeType.poll!.call(failing.context)).rejects.toThrow(/results of job/);
		emulator.faults.clear();
		expect(JSON.parse(JSON.stringify(failing.workflow.getStaticData('node', node)))).toEqual(copy);
	});
});

describe('acknowledge mode', () => {
	test('acknowledges a job only in the poll after the one whose emission n8n stored; then an idle poll is one request', async () => {
		const { user, store, driver } = setup({ acknowledge: true });
		await driver.tick();
		const jobId = await createJob(emulator, user.email, newDevices(3));
		finish(jobId);
		emulator.clearRequests();

		const emitting = await driver.tick();
		expect(distinctJobIds(emitting.items)).toEqual([jobId]);
		expect(requestsTo(emulator, 'PATCH', /deviceUploads\//)).toHaveLength(0);
		expect(statusOf(emulator, jobId)).toBe('completed');
		expect(marks(store.committed)).toEqual({ [jobId]: 'emitted' });

		const acknowledging = await driver.tick();
		expect(acknowledging.items).toBeNull();
		expect(requestsTo(emulator, 'PATCH', new RegExp(`${jobId}$`))).toHaveLength(1);
		expect(statusOf(emulator, jobId)).toBe('acknowledged');
		// HERE now remembers it: the record is no longer needed.
		expect(marks(store.committed)).toEqual({});

		emulator.clearRequests();
		expect((await driver.tick()).items).toBeNull();
		expect(emulator.requests.filter((request) => request.path.startsWith('/bulkjobs/'))).toHaveLength(1);
		expect(store.emissions).toHaveLength(1);
	});

	test('an emission n8n never stored is never acknowledged: the job is emitted again, then acknowledged', async () => {
		const { user, store, driver } = setup({ acknowledge: true });
		await driver.tick();
		const jobId = await createJob(emulator, user.email, newDevices(1));
		finish(jobId);
		emulator.clearRequests();

		await driver.tick({ crash: true });
		expect(store.emissions).toHaveLength(0);
		expect(marks(store.committed)).toEqual({});

		const retried = await driver.tick();
		expect(distinctJobIds(retried.items)).toEqual([jobId]);
		expect(requestsTo(emulator, 'PATCH', /deviceUploads\//)).toHaveLength(0);
		expect(statusOf(emulator, jobId)).toBe('completed');

		await driver.tick();
		expect(statusOf(emulator, jobId)).toBe('acknowledged');
		expect(store.emissions.map((items) => distinctJobIds(items))).toEqual([[jobId]]);
	});

	test('a failed acknowledgement is retried by a later poll, without a second emission', async () => {
		const { user, store, driver } = setup({ acknowledge: true }, { budgetMs: 4_000 });
		await driver.tick();
		const jobId = await createJob(emulator, user.email, newDevices(2));
		finish(jobId);
		await driver.tick();
		expect(marks(store.committed)).toEqual({ [jobId]: 'emitted' });

		emulator.faults.script([{ method: 'PATCH', kind: '500', times: 50 }]);
		const failing = await driver.tick();
		emulator.faults.clear();
		expect(failing.error).toBeUndefined();
		expect(failing.items).toBeNull();
		expect(statusOf(emulator, jobId)).toBe('completed');
		expect(marks(store.committed)).toEqual({ [jobId]: 'emitted' });

		const retry = await driver.tick();
		expect(retry.items).toBeNull();
		expect(statusOf(emulator, jobId)).toBe('acknowledged');
		expect(marks(store.committed)).toEqual({});
		expect(store.emissions.map((items) => distinctJobIds(items))).toEqual([[jobId]]);
	});

	test('an acknowledgement whose answer was lost counts as done (HERE answers 412, the job is acknowledged)', async () => {
		const { user, store, driver } = setup({ acknowledge: true }, { budgetMs: 4_000 });
		await driver.tick();
		const jobId = await createJob(emulator, user.email, newDevices(1));
		finish(jobId);
		await driver.tick();

		emulator.faults.script([{ method: 'PATCH', kind: '502', afterEffect: true, times: 1 }]);
		const poll = await driver.tick();
		expect(poll.error).toBeUndefined();
		expect(statusOf(emulator, jobId)).toBe('acknowledged');
		expect(marks(store.committed)).toEqual({});
	});
});

describe('cost and budget', () => {
	test('an idle poll without acknowledging reads one list page per 100 watched final jobs, nothing else', async () => {
		const { user, driver } = setup();
		for (let index = 0; index < 230; index++) finish(await createJob(emulator, user.email, newDevices(1)));
		await driver.tick();
		emulator.clearRequests();

		expect((await driver.tick()).items).toBeNull();
		const requests = emulator.requests.filter((request) => request.path.startsWith('/bulkjobs/'));
		expect(requests.map((request) => request.path)).toEqual(Array(3).fill('/bulkjobs/v4/deviceUploads'));
		expect(requests[0].query.status).toEqual(['completed', 'failed', 'cancelled']);
	});

	test("without a file-name filter a new job's results are read alongside its status request; with one, after it", async () => {
		/** The order in which one job's requests were answered (the log records each when answered), its status held 300 ms. */
		const answerOrder = async (parameters: INodeParameters) => {
			const { user, driver } = setup(parameters);
			await driver.tick();
			const jobId = await createJob(emulator, user.email, newDevices(150), { fileName: 'erp-1.csv' });
			finish(jobId);
			emulator.clearRequests();
			emulator.faults.script([{ method: 'GET', path: /\/status$/, kind: 'slow', slowMs: 300 }]);
			const poll = await driver.tick();
			expect(distinctJobIds(poll.items)).toEqual([jobId]);
			expect(poll.items).toHaveLength(150);
			return requestsTo(emulator, 'GET', new RegExp(jobId)).map((request) => (request.path.endsWith('/status') ? 'status' : 'results'));
		};
		// The same requests either way: one status and two results pages.
		expect(await answerOrder({})).toEqual(['results', 'results', 'status']);
		expect(await answerOrder({ options: { fileNames: 'erp-*.csv' } })).toEqual(['status', 'results', 'results']);
	});

	test('a results read begun alongside the status is dropped when the status says the job is not to be emitted, or gone', async () => {
		let unwatched = '';
		let gone = '';
		const { user, store, driver, here } = await misbehaving(async (request, forward) => {
			const answer = await forward();
			// Between the listing and the status request, one job was acknowledged elsewhere and one deleted.
			if (request.path.endsWith(`/${unwatched}/status`)) return { ...answer, json: { ...(answer.json as object), status: 'acknowledged' } };
			if (request.path.endsWith(`/${gone}/status`)) return { status: 404, json: { error: 'Not Found', message: 'No such job' } };
			return answer;
		});
		try {
			await driver.tick();
			unwatched = await createJob(emulator, user.email, newDevices(3));
			gone = await createJob(emulator, user.email, newDevices(3));
			const kept = await createJob(emulator, user.email, newDevices(3));
			for (const jobId of [unwatched, gone, kept]) finish(jobId);
			emulator.clearRequests();

			const poll = await driver.tick();

			expect(distinctJobIds(poll.items)).toEqual([kept]);
			// The early reads were made, and their rows dropped.
			expect(requestsTo(emulator, 'GET', new RegExp(`${unwatched}/results`)).length).toBeGreaterThan(0);
			expect(requestsTo(emulator, 'GET', new RegExp(`${gone}/results`)).length).toBeGreaterThan(0);
			expect(marks(store.committed)).toEqual({ [unwatched]: 'skipped', [kept]: 'emitted' });
		} finally {
			await here.close();
		}
	});

	test('a poll budget too short for every finished job emits some now and the rest next poll', async () => {
		// 600 ms: work starts only while 540 ms are left.
		const { user, store, driver } = setup({}, { budgetMs: 600 });
		await driver.tick();
		const jobIds: string[] = [];
		// Twice as many jobs as are read at once, of two result pages each: more than one round of reads.
		const jobCount = 2 * RESULTS_CONCURRENCY;
		for (let index = 0; index < jobCount; index++) jobIds.push(await createJob(emulator, user.email, newDevices(101)));
		for (const jobId of jobIds) finish(jobId);
		// Every results page takes 150 ms: a job takes at least 300 ms, so the second round cannot start within the budget.
		emulator.faults.setRate({ rate: 1, kinds: ['slow'], slowMs: 150, match: { method: 'GET', path: /\/results$/ } });

		const first = await driver.tick();
		const firstJobs = distinctJobIds(first.items);
		// The poll stopped within its budget: shown by counting jobs, not by timing the poll.
		expect(firstJobs.length).toBeGreaterThan(0);
		expect(firstJobs.length).toBeLessThan(jobCount);
		// Only what was emitted is recorded; the rest stays new.
		expect(Object.keys(marks(store.committed)).sort()).toEqual([...firstJobs].sort());

		const later: string[] = [];
		for (let poll = 0; poll < 5 && firstJobs.length + later.length < jobCount; poll++) later.push(...distinctJobIds((await driver.tick()).items));
		emulator.faults.clear();
		expect([...firstJobs, ...later].sort()).toEqual([...jobIds].sort());
		for (const items of store.emissions) {
			for (const jobId of distinctJobIds(items)) expect(items.filter((item) => item.json.jobId === jobId)).toHaveLength(101);
		}
	});

	test('a HERE that answers slower than the poll budget does not hold the poll past it: the poll fails, the next one emits', async () => {
		// 3 s: the poll's requests must be answered within about 2.7 s.
		const { user, store, driver } = setup({}, { budgetMs: 3_000 });
		await driver.tick();
		const jobId = await createJob(emulator, user.email, newDevices(2));
		finish(jobId);
		const before = JSON.stringify(store.committed);
		// HERE takes 12 s to answer the results page (the transport's own request timeout is 30 s).
		emulator.faults.script([{ method: 'GET', path: /\/results$/, kind: 'slow', slowMs: 12_000 }]);

		const slow = await driver.tick();
		expect(slow.error?.message).toContain('no answer before the time-out');
		expect(slow.items).toBeNull();
		expect(JSON.stringify(store.committed)).toBe(before);

		expect(distinctJobIds((await driver.tick()).items)).toEqual([jobId]);
	});

	test('a rejected token while reading jobs fails the poll, and no job is started after it', async () => {
		let statusRequests = 0;
		const { user, store, driver, here } = await misbehaving(async (request, forward) => {
			if (!request.path.endsWith('/status')) return await forward();
			statusRequests++;
			return { status: 401, json: { error: 'Unauthorized', message: 'Token invalid' } };
		});
		try {
			await driver.tick();
			for (let index = 0; index < 3 * RESULTS_CONCURRENCY; index++) finish(await createJob(emulator, user.email, newDevices(1)));
			const stateBefore = store.snapshot();

			const poll = await driver.tick();

			expect(poll.items).toBeNull();
			expect(poll.error?.message).toMatch(/HTTP 401/);
			expect(store.committed).toEqual(stateBefore);
			// Only the first round of reads was under way (each tried again once after a fresh login): no job was started after the refusal.
			expect(statusRequests).toBe(2 * RESULTS_CONCURRENCY);
		} finally {
			await here.close();
		}
	});

	test('a job this user may not read (403 on its status) is left for later: the other jobs are emitted, and a poll with nothing else names it', async () => {
		let forbidden = '';
		const { user, store, driver, here } = await misbehaving(async (request, forward) => {
			if (forbidden !== '' && request.path.endsWith(`/${forbidden}/status`)) return { status: 403, json: { error: 'Forbidden', message: 'Not allowed' } };
			return await forward();
		});
		try {
			await driver.tick();
			forbidden = await createJob(emulator, user.email, newDevices(1));
			const readable = await createJob(emulator, user.email, newDevices(1));
			for (const jobId of [forbidden, readable]) finish(jobId);

			expect(distinctJobIds((await driver.tick()).items)).toEqual([readable]);
			expect(marks(store.committed)).toEqual({ [readable]: 'emitted' });

			const quiet = await driver.tick();
			expect(quiet.items).toBeNull();
			expect(quiet.error?.message).toBe(`Get the status of job ${forbidden} failed: HERE answered HTTP 403: Not allowed`);
			expect((quiet.error as Error & { description?: string }).description).toContain('The trigger reads this job again at every poll and emits it once that works.');
			expect(marks(store.committed)).toEqual({ [readable]: 'emitted' });
		} finally {
			await here.close();
		}
	});
});

describe('answers from HERE are not trusted', () => {
	test('results that never end stop after 1000 rows with an error naming the job; nothing is emitted', async () => {
		let resultPages = 0;
		const { user, store, driver, here } = await misbehaving(async (request, forward) => {
			if (!request.path.endsWith('/results')) return await forward();
			resultPages++;
			const page = Number(request.query.get('pageToken') ?? 0);
			const rows = Array.from({ length: Number(request.query.get('limit')) }, (_, index) => ({ name: `ghost-${page}-${index}` }));
			return { status: 200, json: { status: 'completed', limit: rows.length, count: rows.length, items: rows, nextPageToken: String(page + 1) } };
		});
		try {
			await driver.tick();
			const jobId = await createJob(emulator, user.email, newDevices(5));
			finish(jobId);
			const stateBefore = store.snapshot();

			const poll = await driver.tick();

			expect(poll.items).toBeNull();
			expect(poll.error?.message).toBe(`HERE returned more than 1000 results for job ${jobId}, which holds at most 1000 devices`);
			expect((poll.error as Error & { description?: string }).description).toMatch(/Try again later; if it persists, report it to HERE support/);
			expect(resultPages).toBe(11);
			expect(store.committed).toEqual(stateBefore);
		} finally {
			await here.close();
		}
	});

	test('a list that leaves out the jobs\' type (the spec does not require it): with a Job Type chosen, a new job is emitted, not taken as baseline', async () => {
		const { user, store, driver, here } = await misbehaving(async (request, forward) => {
			const answer = await forward();
			if (request.method !== 'GET' || !request.path.endsWith('/deviceUploads')) return answer;
			const page = answer.json as { items: Array<Record<string, unknown>> };
			return { ...answer, json: { ...page, items: page.items.map(({ type: _type, ...job }) => job) } };
		}, { jobType: 'create' });
		try {
			await driver.tick();
			const jobId = await createJob(emulator, user.email, newDevices(2));
			finish(jobId);
			expect(distinctJobIds((await driver.tick()).items)).toEqual([jobId]);
			expect(marks(store.committed)).toEqual({ [jobId]: 'emitted' });
		} finally {
			await here.close();
		}
	});

	test.each([
		['in a status it was not asked for', 'ongoing'],
		['as finished while its own status says it still runs', 'completed'],
	])('a job HERE lists %s is neither emitted nor recorded until it has finished, then emitted', async (_case, listedAs) => {
		let running: string | undefined;
		const { user, store, driver, here } = await misbehaving(async (request, forward) => {
			const answer = await forward();
			if (running === undefined || request.method !== 'GET' || !request.path.endsWith('/deviceUploads')) return answer;
			const page = answer.json as { items: Array<{ jobId: string }> };
			const items = page.items.some((job) => job.jobId === running) ? page.items : [...page.items, { jobId: running, status: listedAs, type: 'create' }];
			return { ...answer, json: { ...page, items } };
		});
		try {
			await driver.tick();
			running = await createJob(emulator, user.email, newDevices(2));
			expect(statusOf(emulator, running)).toBe('pending');

			expect((await driver.tick()).items).toBeNull();
			expect(marks(store.committed)).toEqual({});

			finish(running);
			expect(distinctJobIds((await driver.tick()).items)).toEqual([running]);
			expect(marks(store.committed)).toEqual({ [running]: 'emitted' });
		} finally {
			await here.close();
		}
	});

	test('a job HERE lists as finished that ends while its results are read: every device result is emitted, not the rows read before the end', async () => {
		let running: string | undefined;
		const { user, store, driver, here } = await misbehaving(async (request, forward) => {
			if (running !== undefined && request.path.endsWith(`${running}/status`)) {
				// The results read that goes alongside the status request is answered first, while the job runs.
				await new Promise((resolve) => setTimeout(resolve, 300));
				finish(running);
				return await forward();
			}
			const answer = await forward();
			if (running === undefined || request.method !== 'GET' || !request.path.endsWith('/deviceUploads')) return answer;
			const page = answer.json as { items: Array<{ jobId: string }> };
			const items = page.items.some((job) => job.jobId === running) ? page.items : [...page.items, { jobId: running, status: 'completed', type: 'create' }];
			return { ...answer, json: { ...page, items } };
		});
		try {
			await driver.tick();
			running = await createJob(emulator, user.email, newDevices(3));

			const poll = await driver.tick();

			expect(poll.items?.map((item) => item.json.outcome)).toEqual(['succeeded', 'succeeded', 'succeeded']);
			expect(poll.items?.every((item) => item.json.resultsComplete === true)).toBe(true);
			expect(marks(store.committed)).toEqual({ [running]: 'emitted' });
		} finally {
			await here.close();
		}
	});

	test('listed IDs that are not BULK-uuid are left out: never a key of the state, never in a URL', async () => {
		const bogus = ['__proto__', 'constructor', 'toString', '../../registry/v2/licenses', 'BULK-123', 'bulk-6279286f-a09a-4521-9d3a-af7559e84836', 42];
		const { user, store, driver, here } = await misbehaving(async (request, forward) => {
			const answer = await forward();
			if (request.method !== 'GET' || !request.path.endsWith('/deviceUploads') || request.query.has('pageToken')) return answer;
			const page = answer.json as { items: unknown[] };
			return { ...answer, json: { ...page, items: [...bogus.map((jobId) => ({ jobId, status: 'completed' })), ...page.items] } };
		});
		try {
			await driver.tick();
			const jobId = await createJob(emulator, user.email, newDevices(2));
			finish(jobId);
			emulator.clearRequests();

			const poll = await driver.tick();

			expect(distinctJobIds(poll.items)).toEqual([jobId]);
			expect(requestsTo(emulator, 'GET', /\/status$/).map((request) => request.path)).toEqual([`/bulkjobs/v4/deviceUploads/${jobId}/status`]);
			expect(marks(store.committed)).toEqual({ [jobId]: 'emitted' });
			expect(JSON.stringify(store.committed)).not.toMatch(/proto|constructor|toString|registry|BULK-123/);
		} finally {
			await here.close();
		}
	});
});

describe('manual mode (Fetch Test Event)', () => {
	function manualRun(node: ReturnType<typeof triggerNode>, nodeStaticData: Record<string, unknown>) {
		const staticData = { [`node:${node.name}`]: nodeStaticData };
		return { staticData, run: runWorkflow(engine, { nodes: [node], connections: {}, staticData }, 'manual') };
	}

	test('returns the job the trigger emitted last, in the chosen shape, and leaves the state untouched', async () => {
		const { user, store, driver, node } = setup({ output: 'summary' });
		await driver.tick();
		const older = await createJob(emulator, user.email, newDevices(2));
		finish(older);
		await driver.tick();
		await new Promise((resolve) => setTimeout(resolve, 5));
		const newer = await createJob(emulator, user.email, newDevices(3));
		finish(newer);
		await driver.tick();
		const stored = store.snapshot();
		const unfinished = await createJob(emulator, user.email, newDevices(1));

		const { staticData, run } = manualRun(node, store.snapshot());
		const result = await run;

		expect(result.error()).toBeUndefined();
		const items = result.output(TRIGGER_NAME);
		expect(items).toHaveLength(1);
		expect(items[0].json).toMatchObject({ jobId: newer, status: 'completed', resultCount: 3 });
		expect(JSON.parse(JSON.stringify(staticData[`node:${node.name}`]))).toEqual(stored);
		expect(statusOf(emulator, unfinished)).toBe('pending');
	});

	test('without any record, returns a finished job HERE lists that passes the filters (per device)', async () => {
		const { user, node } = setup({ options: { fileNames: 'wanted.csv' } });
		finish(await createJob(emulator, user.email, newDevices(2), { fileName: 'other.csv' }));
		const wanted = await createJob(emulator, user.email, newDevices(2), { fileName: 'wanted.csv' });
		finish(wanted);

		const { staticData, run } = manualRun(node, {});
		const items = (await run).output(TRIGGER_NAME);

		expect(distinctJobIds(items)).toEqual([wanted]);
		expect(items).toHaveLength(2);
		expect(items[0].json).toMatchObject({ jobId: wanted, jobFileName: 'wanted.csv', outcome: 'succeeded' });
		expect(staticData[`node:${node.name}`]).toEqual({});
	});

	test('says clearly when the project has no finished job to show', async () => {
		const { user, node } = setup();
		await createJob(emulator, user.email, newDevices(1));

		const result = await manualRun(node, {}).run;

		expect(result.error()?.message).toMatch(/has no finished job that matches the trigger \(completed, failed, cancelled\)/);
	});

	test('names the Job Type as the editor does', async () => {
		const { user, node } = setup({ jobType: 'delete' });
		finish(await createJob(emulator, user.email, newDevices(1)));

		const result = await manualRun(node, {}).run;

		expect(result.error()?.message).toMatch(/has no finished job that matches the trigger \(completed, failed, cancelled; Delete Devices only\)$/);
	});
});

test('a page token HERE refuses in the middle of a listing is said to be that, not a wrong project; the state is kept', async () => {
	let dropToken = false;
	const { store, driver, here } = await misbehaving(async (request, forward) => {
		if (request.path.endsWith('/deviceUploads') && request.query.get('pageToken') === 'dropped-token') {
			return { status: 400, json: { code: 400, error: 'Bad Request', id: 'trace-1', message: 'The pageToken is not valid' } };
		}
		const answer = await forward();
		// The first page (empty here) points at a next one, whose token HERE then refuses (it expired or was dropped).
		return dropToken && request.path.endsWith('/deviceUploads') ? { ...answer, json: { ...(answer.json as object), nextPageToken: 'dropped-token' } } : answer;
	});
	try {
		await driver.tick();
		dropToken = true;
		const before = JSON.stringify(store.committed);
		const poll = await driver.tick();
		expect(poll.error?.message).toMatch(/HTTP 400/);
		expect((poll.error as Error & { description?: string }).description).toContain('HERE refused the token of the next page');
		expect((poll.error as Error & { description?: string }).description).not.toMatch(/several projects|Pick the project/);
		expect(JSON.stringify(store.committed)).toBe(before);
	} finally {
		await here.close();
	}
});

describe('activation errors say what to fix', () => {
	test('a wrong password', async () => {
		const user = loginUser(emulator, engine);
		const credential = engine.saveCredential('wrong-password', {
			authentication: 'login',
			email: user.email,
			password: 'not-the-password',
			host: 'custom',
			baseUrl: emulator.url,
		});
		const driver = new PollDriver(engine, triggerNode(credential, user.projectId), new TriggerStore());
		await expect(driver.activate()).rejects.toThrow(/Check the E-Mail, Password and Realm fields of the credential/);
	});

	test('an invalid pasted access token', async () => {
		const user = loginUser(emulator, engine);
		const credential = engine.saveCredential('bad-token', {
			authentication: 'accessToken',
			accessToken: 'not-a-valid-token',
			host: 'custom',
			baseUrl: emulator.url,
		});
		const driver = new PollDriver(engine, triggerNode(credential, user.projectId), new TriggerStore());
		const error = await driver.activate().then(
			() => undefined,
			(failure: Error & { description?: string }) => failure,
		);
		expect(error?.message).toMatch(/cannot list the jobs of project/);
		expect(error?.description).toMatch(/The token is invalid or has expired\. .*a pasted Access Token must be replaced/);
	});

	test('an unknown project', async () => {
		const user = loginUser(emulator, engine);
		const store = new TriggerStore();
		const driver = new PollDriver(engine, triggerNode(user.credential, 'no-such-project'), store);
		const error = await driver.activate().then(
			() => undefined,
			(failure: Error & { description?: string }) => failure,
		);
		expect(error?.message).toMatch(/cannot list the jobs of project "no-such-project"/);
		expect(error?.description).toMatch(/Check the node's Project \(or the credential's Default Project ID/);
		// Said once: the trigger adds no advice of its own to the transport's.
		expect(error?.description?.match(/Project/g)).toHaveLength(2);
		expect(store.committed).toEqual({});
	});
});
