import type { HereEmulator } from '../../emulator';
import { startEmulator } from '../../emulator';
import type { Engine } from '../harness/engine';
import { createEngine } from '../harness/engine';
import { loginUser, newDevices } from '../harness/fixtures';
import { PollDriver, TriggerStore } from '../harness/poll';
import { onVirtualClock } from '../harness/virtualClock';
import { createJob, distinctJobIds, marks, patchJob, statusOf, triggerNode } from './helpers';

/**
 * Soak: 200 jobs finish at random times over 50 polls while 20% of all bulk-jobs requests
 * fail (seeded), n8n restarts 5 times, 2 polls "crash" before n8n stores anything and busy
 * polls run out of their budget. Every job must come out exactly once, with all its rows.
 */
const JOBS = 200;
const POLLS = 50;
const LAST_FINISH = POLLS - 6;
const RESTARTS = new Set([8, 17, 26, 33, 41]);
const CRASHES = new Set([12, 29]);
/**
 * Short enough that polls whose retries pause long run out of time and leave jobs for the next
 * poll. The polls run on a virtual clock, so the budget is spent by those pauses alone: a busy
 * machine cannot starve the polls (it did, with a wall clock, under a load of 15 on two cores).
 */
const BUDGET_MS = 400;

/** A small seeded generator (mulberry32), so a failure can be replayed. */
function rng(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

interface PlannedJob {
	createAt: number;
	finishAt: number;
	devices: number;
	outcome: 'completed' | 'failed' | 'cancelled';
	/** Cancelled jobs: devices processed before the cancel. */
	processedBeforeCancel: number;
	jobId?: string;
}

function plan(random: () => number): PlannedJob[] {
	return Array.from({ length: JOBS }, () => {
		const createAt = Math.floor(random() * LAST_FINISH);
		// About a third start and finish between the same two polls.
		const finishAt = random() < 0.35 ? createAt : createAt + Math.floor(random() * (LAST_FINISH - createAt + 1));
		const devices = 1 + Math.floor(random() * 240);
		const roll = random();
		const outcome = roll < 0.7 ? 'completed' : roll < 0.85 ? 'failed' : 'cancelled';
		return { createAt, finishAt, devices, outcome, processedBeforeCancel: Math.floor(random() * devices) };
	});
}

let emulator: HereEmulator;
let engine: Engine;

beforeAll(async () => {
	emulator = await startEmulator({ processing: { mode: 'manual' }, seed: 2026 });
	engine = await createEngine();
});

afterAll(async () => {
	await emulator.close();
});

test.each([
	{ acknowledge: false, seed: 1 },
	{ acknowledge: true, seed: 2 },
])('soak (acknowledge: $acknowledge): 200 jobs, 50 polls, 20% faults, 5 restarts: each job exactly once', async ({ acknowledge, seed }) => {
	const user = loginUser(emulator, engine);
	const node = triggerNode(user.credential, user.projectId, { acknowledge });
	const store = new TriggerStore();
	let driver = new PollDriver(engine, node, store, { budgetMs: BUDGET_MS });
	const random = rng(seed);
	const jobs = plan(random);
	const finish = async (job: PlannedJob) => {
		const jobId = job.jobId!;
		if (job.outcome === 'completed') emulator.process({ jobId });
		else if (job.outcome === 'failed') emulator.setJobOutcome(jobId, 'failed');
		else {
			if (job.processedBeforeCancel > 0) emulator.process({ jobId, devices: job.processedBeforeCancel });
			expect(await patchJob(emulator, user.email, jobId, 'cancel')).toBe(200);
		}
	};

	await driver.tick();
	emulator.faults.setRate({
		rate: 0.2,
		kinds: ['429', '429-no-retry-after', '500', '502', '503', 'drop', 'malformed-json'],
		seed: 1000 + seed,
		retryAfterSeconds: 0,
		match: { path: /^\/bulkjobs\// },
	});
	const faultsBefore = emulator.faults.injected;
	let failedPolls = 0;
	const emittedAt = new Map<string, number>();
	for (let poll = 0; poll < POLLS; poll++) {
		for (const job of jobs.filter((planned) => planned.createAt === poll)) {
			job.jobId = await createJob(emulator, user.email, newDevices(job.devices));
		}
		for (const job of jobs.filter((planned) => planned.finishAt === poll)) await finish(job);
		if (RESTARTS.has(poll)) driver = new PollDriver(engine, node, store, { budgetMs: BUDGET_MS });
		const outcome = await onVirtualClock(async () => await driver.tick({ crash: CRASHES.has(poll) }));
		if (outcome.error) failedPolls++;
		for (const jobId of distinctJobIds(outcome.items)) emittedAt.set(jobId, poll);
	}
	// Work may still be left: more polls (faults still on) until nothing is new. The bound only ends
	// the loop: with acknowledging on, each poll's acknowledgements come first and their retry
	// pauses spend most of the 400 ms budget, so draining has taken up to 18 polls.
	let drainPolls = 0;
	while (drainPolls < 40 && jobs.some((job) => !emittedAt.has(job.jobId!))) {
		drainPolls++;
		const outcome = await onVirtualClock(async () => await driver.tick());
		if (outcome.error) failedPolls++;
		for (const jobId of distinctJobIds(outcome.items)) emittedAt.set(jobId, POLLS + drainPolls);
	}
	const faults = emulator.faults.injected - faultsBefore;
	emulator.faults.clear();

	const times = new Map<string, number>();
	for (const items of store.emissions) for (const jobId of distinctJobIds(items)) times.set(jobId, (times.get(jobId) ?? 0) + 1);
	const emittedOnce = jobs.filter((job) => times.get(job.jobId!) === 1).length;
	const repeated = jobs.filter((job) => (times.get(job.jobId!) ?? 0) > 1).length;
	const missing = jobs.filter((job) => !times.has(job.jobId!)).length;
	// Emitted after the first poll that could have: the poll ran out of time, failed or crashed.
	const late = jobs.filter((job) => (emittedAt.get(job.jobId!) ?? Infinity) > job.finishAt).length;
	console.log(
		`soak (acknowledge: ${acknowledge}): ${JOBS} jobs, ${POLLS} polls (+${drainPolls} to drain), ${RESTARTS.size} restarts, ${CRASHES.size} crashed polls, ` +
			`${faults} faults injected, ${failedPolls} polls failed after retries, ${store.emissions.length} hand-offs, ${late} jobs left for a later poll: ` +
			`${emittedOnce} emitted once, ${repeated} repeated, ${missing} missing`,
	);

	expect({ emittedOnce, repeated, missing }).toEqual({ emittedOnce: JOBS, repeated: 0, missing: 0 });
	expect(faults).toBeGreaterThan(50);
	// Each emission carries every result row of its job (one "none" item for a job without any).
	const items = store.emittedItems();
	for (const job of jobs) {
		const rows = items.filter((item) => item.json.jobId === job.jobId).length;
		const expected = job.outcome === 'cancelled' ? Math.max(1, job.processedBeforeCancel) : job.devices;
		expect({ jobId: job.jobId, rows }).toEqual({ jobId: job.jobId, rows: expected });
	}

	// The stored state: every job recorded as emitted; with acknowledging, everything acknowledged
	// on HERE after one more (fault-free) poll, and the records gone with it.
	if (!acknowledge) {
		expect(Object.values(marks(store.committed)).filter((mark) => mark === 'emitted')).toHaveLength(JOBS);
	} else {
		await driver.tick();
		expect(jobs.filter((job) => statusOf(emulator, job.jobId!) !== 'acknowledged')).toEqual([]);
		expect(marks(store.committed)).toEqual({});
	}
}, 120_000);

/**
 * A week and a day at 10,000 jobs a week (HERE keeps one week), without acknowledging, so the
 * trigger must remember every job HERE still lists: the largest its static data gets. Time is
 * played forward 4 hours per poll for the trigger and the emulator alike. SOAK_WEEKLY_JOBS
 * runs it smaller.
 */
const WEEKLY_JOBS = Number(process.env.SOAK_WEEKLY_JOBS ?? 10_000);
const POLL_EVERY_MS = 4 * 60 * 60 * 1000;
const WEEK_POLLS = 42;

test(`a week at ${WEEKLY_JOBS} jobs: each emitted once, the static data stays bounded`, async () => {
	const user = loginUser(emulator, engine);
	const node = triggerNode(user.credential, user.projectId, { output: 'summary', options: { includeResults: false } });
	const store = new TriggerStore();
	const driver = new PollDriver(engine, node, store);
	const realNow = Date.now.bind(Date);
	let playedMs = 0;
	const clock = jest.spyOn(Date, 'now').mockImplementation(() => realNow() + playedMs);
	try {
		await driver.tick();
		const created: string[] = [];
		const times = new Map<string, number>();
		let largest = { bytes: 0, records: 0 };
		const perPoll = Math.ceil(WEEKLY_JOBS / WEEK_POLLS);
		for (let poll = 0; poll < WEEK_POLLS + 6; poll++) {
			for (let index = 0; index < perPoll; index++) created.push(await createJob(emulator, user.email, newDevices(1)));
			emulator.process();
			const outcome = await driver.tick();
			expect(outcome.error).toBeUndefined();
			for (const jobId of distinctJobIds(outcome.items)) times.set(jobId, (times.get(jobId) ?? 0) + 1);
			const bytes = JSON.stringify(store.committed).length;
			if (bytes > largest.bytes) largest = { bytes, records: Object.keys(marks(store.committed)).length };
			playedMs += POLL_EVERY_MS;
		}
		const repeated = created.filter((jobId) => (times.get(jobId) ?? 0) > 1).length;
		const missing = created.filter((jobId) => !times.has(jobId)).length;
		console.log(
			`a week at ${WEEKLY_JOBS} jobs (${created.length} jobs over ${WEEK_POLLS + 6} polls 4 hours apart, no acknowledging): ` +
				`static data at most ${largest.bytes} bytes of JSON for ${largest.records} remembered jobs ` +
				`(${(largest.bytes / largest.records).toFixed(1)} bytes a job); ${repeated} repeated, ${missing} missing`,
		);
		expect({ repeated, missing }).toEqual({ repeated: 0, missing: 0 });
		// HERE keeps a week of jobs (42 polls' worth), and the trigger a week after first seeing them, rounded up to the hour.
		expect(largest.records).toBeLessThanOrEqual(perPoll * (WEEK_POLLS + 1));
		// 32 hex digits a job, plus a few dozen bytes for each hour in which jobs were first seen.
		expect(largest.bytes).toBeLessThanOrEqual(32 * largest.records + 60 * (WEEK_POLLS + 6) + 200);
	} finally {
		clock.mockRestore();
	}
}, 600_000);
