import type { HereEmulator } from '../../emulator';
import { startEmulator } from '../../emulator';
import type { Engine } from '../harness/engine';
import { createEngine } from '../harness/engine';
import { loginUser, newDevices } from '../harness/fixtures';
import { PollDriver, TriggerStore } from '../harness/poll';
import { createJob, distinctJobIds, marks, patchJob, requestsTo, triggerNode } from './helpers';

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
function setup(parameters: Record<string, unknown> = {}, options: { budgetMs?: number } = {}) {
	const user = loginUser(emulator, engine);
	const store = new TriggerStore();
	const node = triggerNode(user.credential, user.projectId, parameters);
	const driver = new PollDriver(engine, node, store, options);
	return { user, store, node, driver, restart: () => new PollDriver(engine, node, store, options) };
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
		expect(store.committed.baselineComplete).toBe(true);

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
});

describe('emitting finished jobs', () => {
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
		const other = await createJob(emulator, user.email, newDevices(1), { fileName: 'manual.csv' });
		const unnamed = await createJob(emulator, user.email, newDevices(1));
		for (const jobId of [erp, other, unnamed]) finish(jobId);

		const poll = await driver.tick();
		expect(distinctJobIds(poll.items)).toEqual([erp]);
		expect(marks(store.committed)).toEqual({ [erp]: 'emitted', [other]: 'skipped', [unnamed]: 'skipped' });

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
