import type { HereEmulator } from '../../emulator';
import { startEmulator } from '../../emulator';
import type { WaitSettings } from '../../nodes/HereBulkJobs/jobs/waitForJob';
import { doneShare, estimatedCompletion, pauseBeforeNextCheck, waitForJob } from '../../nodes/HereBulkJobs/jobs/waitForJob';
import type { JobStatusAnswer } from '../../nodes/HereBulkJobs/jobs/wire';
import type { Engine } from '../harness/engine';
import { createEngine, executeContext } from '../harness/engine';
import { bulkJobsNode, createJobDirectly, loginUser, newDevices } from '../harness/fixtures';
import { onVirtualClock } from '../harness/virtualClock';
import { statusCalls } from './helpers';

const settings: WaitSettings = { pollIntervalMs: 1000, maxPollIntervalMs: 30_000, timeoutMs: 600_000, failOnUnsuccessful: true };

describe('the completion estimate', () => {
	const status = (figures: Partial<JobStatusAnswer>) => ({ status: 'ongoing', progress: 0, total: 0, succeeded: 0, failed: 0, partiallySucceeded: 0, pending: 0, ...figures }) as JobStatusAnswer;

	test('reads the share done from the device counts, or the percentage while there is no total', () => {
		expect(doneShare(status({ total: 1000, succeeded: 240, failed: 5, partiallySucceeded: 5, progress: 24 }))).toBe(0.25);
		expect(doneShare(status({ status: 'pending', total: 0, progress: 0 }))).toBe(0);
		expect(doneShare(status({ total: 0, progress: 40 }))).toBe(0.4);
	});

	test('extrapolates the pace of the last three readings, only for a job seen moving in both intervals', () => {
		expect(estimatedCompletion([{ at: 1000, done: 0.05 }, { at: 3000, done: 0.15 }, { at: 7000, done: 0.35 }])).toBe(20_000);
		expect(estimatedCompletion([{ at: 0, done: 0 }, { at: 1000, done: 0.05 }, { at: 3000, done: 0.15 }, { at: 7000, done: 0.35 }])).toBe(20_000);
		// Too few readings, a single jump (a batch), a stall, the end.
		expect(estimatedCompletion([{ at: 1000, done: 0.05 }, { at: 3000, done: 0.15 }])).toBeUndefined();
		expect(estimatedCompletion([{ at: 1000, done: 0 }, { at: 3000, done: 0 }, { at: 7000, done: 0.5 }])).toBeUndefined();
		expect(estimatedCompletion([{ at: 1000, done: 0.2 }, { at: 3000, done: 0.5 }, { at: 7000, done: 0.5 }])).toBeUndefined();
		expect(estimatedCompletion([{ at: 1000, done: 0.2 }, { at: 3000, done: 0.5 }, { at: 7000, done: 1 }])).toBeUndefined();
	});

	test('only ever shortens the doubling pause, aims a little after the estimate, and keeps the poll interval apart', () => {
		// Checks at 0, 1, 3, 7, 15 s of a job that will be done at 20 s: the doubling would next check at 31 s.
		expect(pauseBeforeNextCheck(16_000, settings, 15_000, 0, 20_000)).toBe(6000);
		expect(pauseBeforeNextCheck(4000, settings, 3000, 0, 20_000)).toBe(4000);
		expect(pauseBeforeNextCheck(16_000, settings, 15_000, 0, undefined)).toBe(16_000);
		// Past the estimate and still running: the next check is one poll interval later, not at once.
		expect(pauseBeforeNextCheck(30_000, settings, 21_000, 0, 20_100)).toBe(1000);
	});
});

describe('waiting for a running job', () => {
	let emulator: HereEmulator;
	let engine: Engine;

	beforeAll(async () => {
		emulator = await startEmulator({ processing: { mode: 'manual' }, seed: 77 });
		engine = await createEngine();
	});

	afterAll(async () => {
		await emulator.close();
	});

	test('the pause before the check that sees the end is cut short, where the doubling alone would wait on', async () => {
		const user = loginUser(emulator, engine);
		const context = executeContext(engine, bulkJobsNode(user.credential, {}));
		const jobId = await createJobDirectly(emulator, user.email, newDevices(800));
		// 800 devices at 400 a second, on the virtual clock: the job is done at 2000 ms.
		// Doubling alone: checks at 0, 50, 150, 350, 750, 1550, 3150 ms: the end would be seen at 3150.
		const wait: WaitSettings = { pollIntervalMs: 50, maxPollIntervalMs: 5000, timeoutMs: 20_000, failOnUnsuccessful: true };
		let startedAt = 0;
		let processed = 0;
		const finished = await onVirtualClock(
			async () => {
				startedAt = Date.now();
				return await waitForJob(context, jobId, {}, wait);
			},
			{
				afterPause: () => {
					const due = Math.min(800, Math.floor((Date.now() - startedAt) * 0.4));
					if (due > processed) emulator.process({ jobId, devices: due - processed });
					processed = due;
				},
			},
		);

		expect(finished.status).toBe('completed');
		const calls = statusCalls(emulator, jobId);
		const checkedAt = calls.map((call) => call.at - startedAt);
		// From the readings at 750 and 1550 ms the estimate is 2000 ms: the next check comes a
		// little after it (by 5% of the time waited), not at 3150, and sees the end.
		expect(checkedAt).toEqual([0, 50, 150, 350, 750, 1550, 2100]);
		expect(finished.waitedMs).toBe(2100);
	});
});
