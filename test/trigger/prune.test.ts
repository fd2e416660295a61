import type { HereEmulator } from '../../emulator';
import { startEmulator } from '../../emulator';
import type { Engine } from '../harness/engine';
import { createEngine } from '../harness/engine';
import { loginUser, newDevices } from '../harness/fixtures';
import { PollDriver, TriggerStore } from '../harness/poll';
import { MAX_RECORDS, readState, storedForm } from '../../nodes/HereBulkJobs/trigger/state';
import { createJob, distinctJobIds, marks, patchJob, records, triggerNode } from './helpers';
import { startMisbehavingHere } from './misbehavingHere';

/**
 * The trigger's records are pruned once HERE has certainly forgotten a job. HERE's clock is the
 * emulator's (moved forward here); the trigger's is the real one, so "time passes for the
 * trigger" is played by moving its stored first-seen times back by the same amount.
 */
const DAY = 24 * 60 * 60 * 1000;

let emulator: HereEmulator;
let engine: Engine;

beforeAll(async () => {
	emulator = await startEmulator({ processing: { mode: 'manual' }, seed: 7, tokenTtlSeconds: 60 * 24 * 60 * 60 });
	engine = await createEngine();
});

afterAll(async () => {
	await emulator.close();
});

function ageRecords(store: TriggerStore, ms: number, only?: string[]): void {
	const state = readState(store.committed)!;
	for (const [jobId, record] of state.jobs) {
		if (only === undefined || only.includes(jobId)) record.seenAt -= ms;
	}
	store.committed = storedForm(state);
}

test('records leave the state only when HERE has forgotten the job, never while HERE still lists it', async () => {
	const user = loginUser(emulator, engine);
	const store = new TriggerStore();
	const driver = new PollDriver(engine, triggerNode(user.credential, user.projectId), store);
	const finish = (jobId: string) => emulator.process({ jobId });

	const baseline = await createJob(emulator, user.email, newDevices(1));
	finish(baseline);
	await driver.tick();
	const emitted = await createJob(emulator, user.email, newDevices(1));
	finish(emitted);
	expect(distinctJobIds((await driver.tick()).items)).toEqual([emitted]);
	const handledElsewhere = await createJob(emulator, user.email, newDevices(1));
	finish(handledElsewhere);
	expect(distinctJobIds((await driver.tick()).items)).toEqual([handledElsewhere]);

	// Old records of jobs HERE still lists stay: dropping them would emit the jobs again.
	ageRecords(store, 8 * DAY, [baseline, emitted]);
	await driver.tick();
	expect(marks(store.committed)).toEqual({ [baseline]: 'baseline', [emitted]: 'emitted', [handledElsewhere]: 'emitted' });

	// Someone else acknowledges a job: it leaves the list, but its record is young, so it stays.
	expect(await patchJob(emulator, user.email, handledElsewhere, 'acknowledge')).toBe(200);
	await driver.tick();
	expect(Object.keys(marks(store.committed))).toContain(handledElsewhere);

	// A week and a day later HERE has forgotten all three; the two old records go.
	emulator.clock.advance(8 * DAY);
	const fresh = await createJob(emulator, user.email, newDevices(1));
	finish(fresh);
	expect(distinctJobIds((await driver.tick()).items)).toEqual([fresh]);
	expect(marks(store.committed)).toEqual({ [handledElsewhere]: 'emitted', [fresh]: 'emitted' });

	// Once the trigger's own week has passed for the young record too, it goes as well.
	ageRecords(store, 8 * DAY, [handledElsewhere]);
	await driver.tick();
	expect(marks(store.committed)).toEqual({ [fresh]: 'emitted' });
});

test('over three weeks of daily jobs the state stays bounded by what HERE keeps', async () => {
	const user = loginUser(emulator, engine);
	const store = new TriggerStore();
	const driver = new PollDriver(engine, triggerNode(user.credential, user.projectId), store);
	await driver.tick();
	const sizes: number[] = [];
	let emittedJobs = 0;
	for (let day = 0; day < 21; day++) {
		for (let index = 0; index < 5; index++) emulator.process({ jobId: await createJob(emulator, user.email, newDevices(1)) });
		emittedJobs += distinctJobIds((await driver.tick()).items).length;
		sizes.push(Object.keys(records(store.committed)).length);
		emulator.clock.advance(DAY);
		ageRecords(store, DAY);
	}
	expect(emittedJobs).toBe(21 * 5);
	// HERE keeps 7 days of jobs; a record may outlive its job by up to the trigger's own week.
	expect(Math.max(...sizes)).toBeLessThanOrEqual(9 * 5);
	expect(sizes.slice(-1)[0]).toBeLessThanOrEqual(9 * 5);
});

test('a project whose list holds more jobs than the state may remember fails the poll with what to change', async () => {
	const user = loginUser(emulator, engine);
	const listed = MAX_RECORDS + 100;
	const fakeId = (n: number) => `BULK-${n.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`;
	// HERE lists more finished jobs than the state may hold (ids made up, 100 a page).
	const here = await startMisbehavingHere(emulator.url, async (request, forward) => {
		if (request.method !== 'GET' || !request.path.endsWith('/deviceUploads')) return await forward();
		const page = Number(request.query.get('pageToken') ?? 0);
		const items = Array.from({ length: 100 }, (_, index) => ({ jobId: fakeId(page * 100 + index), status: 'completed' }));
		const last = (page + 1) * 100 >= listed;
		return { status: 200, json: { count: 100, limit: 100, items, ...(last ? {} : { nextPageToken: String(page + 1) }) } };
	});
	try {
		const credential = engine.saveCredential(`crowded-${user.email}`, { ...engine.credentials.stored(user.credential.id), baseUrl: here.url });
		const store = new TriggerStore();
		const poll = await new PollDriver(engine, triggerNode(credential, user.projectId), store).tick();

		expect(poll.error?.message).toBe(`The HERE Bulk Jobs Trigger would have to remember ${listed} jobs, more than its limit of ${MAX_RECORDS}`);
		expect((poll.error as Error & { description?: string }).description).toMatch(/Turn on "Acknowledge Emitted Jobs".*no job is lost/);
		expect(store.committed).toEqual({});

		// With acknowledging on, the same list cannot be emptied by acknowledging: the error says what can.
		const acknowledging = await new PollDriver(engine, triggerNode(credential, user.projectId, { acknowledge: true }), new TriggerStore()).tick();
		const advice = (acknowledging.error as Error & { description?: string }).description;
		expect(advice).toMatch(/Narrow "Statuses" or "Job Type".*are not acknowledged/);
		expect(advice).not.toMatch(/Turn on "Acknowledge Emitted Jobs"/);
	} finally {
		await here.close();
	}
}, 120_000);
