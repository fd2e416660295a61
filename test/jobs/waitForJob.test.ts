import { NodeOperationError } from 'n8n-workflow';

import type { HereEmulator } from '../../emulator';
import { startEmulator } from '../../emulator';
import { ArrivingJobs } from '../../nodes/HereBulkJobs/jobs/arrivingJobs';
import { waitForJob, waitForJobs } from '../../nodes/HereBulkJobs/jobs/waitForJob';
import type { WaitSettings } from '../../nodes/HereBulkJobs/jobs/waitForJob';
import type { Engine } from '../harness/engine';
import { createEngine, executeContext } from '../harness/engine';
import { onVirtualClock } from '../harness/virtualClock';
import { bulkJobsNode, createJobDirectly, loginUser, newDevices } from '../harness/fixtures';
import { acknowledgeDirectly, cancelDirectly, gaps, statusCalls, until } from './helpers';

// Manual processing: a job moves only when the test says so, so the polls can be counted.
let emulator: HereEmulator;
let engine: Engine;
let user: ReturnType<typeof loginUser>;

beforeAll(async () => {
	emulator = await startEmulator({ processing: { mode: 'manual' }, seed: 21 });
	engine = await createEngine();
	user = loginUser(emulator, engine);
});

afterAll(async () => {
	await emulator.close();
});

beforeEach(() => {
	emulator.faults.clear();
	emulator.clearRequests();
});

const context = () => executeContext(engine, bulkJobsNode(user.credential, {}));
const fast = (overrides: Partial<WaitSettings> = {}): WaitSettings => ({
	pollIntervalMs: 40,
	maxPollIntervalMs: 320,
	timeoutMs: 20_000,
	failOnUnsuccessful: true,
	...overrides,
});

async function caught(promise: Promise<unknown>): Promise<NodeOperationError> {
	try {
		await promise;
	} catch (error) {
		return error as NodeOperationError;
	}
	throw new Error('expected an error');
}

test('polls with doubling pauses until the job finishes, then returns its figures', async () => {
	const jobId = await createJobDirectly(emulator, user.email, newDevices(10));
	// The job finishes at the end of the seventh pause.
	const finished = await onVirtualClock(() => waitForJob(context(), jobId, {}, fast()), {
		afterPause: (pause) => {
			if (pause === 7) emulator.process({ jobId });
		},
	});

	expect(finished).toMatchObject({ jobId, status: 'completed', progress: 100, total: 10, succeeded: 10, failed: 0 });
	const calls = statusCalls(emulator, jobId);
	expect(finished.statusCalls).toBe(8);
	expect(calls).toHaveLength(8);
	// Pauses 40, 80, 160, 320, then capped at 320 (on the virtual clock: exact).
	expect(gaps(calls)).toEqual([40, 80, 160, 320, 320, 320, 320]);
	expect(finished.waitedMs).toBe(40 + 80 + 160 + 320 * 4);
});

test('a job that is already finished costs one status check', async () => {
	const jobId = await createJobDirectly(emulator, user.email, newDevices(3));
	emulator.process({ jobId });
	const finished = await waitForJob(context(), jobId, {}, fast());
	expect(finished.statusCalls).toBe(1);
	expect(statusCalls(emulator, jobId)).toHaveLength(1);
});

test('stops at the deadline with an error that names the job, its status, progress and the wait', async () => {
	const jobId = await createJobDirectly(emulator, user.email, newDevices(10));
	emulator.process({ jobId, devices: 4 });
	const error = await onVirtualClock(
		async () => await caught(waitForJob(context(), jobId, { itemIndex: 0 }, fast({ pollIntervalMs: 50, maxPollIntervalMs: 100, timeoutMs: 400 }))),
	);

	expect(error).toBeInstanceOf(NodeOperationError);
	expect(error.message).toContain(jobId);
	expect(error.message).toContain('"ongoing" at 40%');
	expect(error.message).toContain('4 of 10 devices processed');
	expect(error.description).toContain('Timeout (Minutes)');
	expect(error.description).toContain('HERE Bulk Jobs Trigger');
	// Pauses 50, then 100 (the cap), the last one cut to end right at the deadline.
	const calls = statusCalls(emulator, jobId);
	expect(gaps(calls)).toEqual([50, 100, 100, 100, 50]);
	expect(error.description).toContain(`Waited 400 ms (${calls.length} status checks)`);
});

test('a failed job is an error naming the job and its figures', async () => {
	const jobId = await createJobDirectly(emulator, user.email, newDevices(5));
	emulator.process({ jobId, devices: 2 });
	emulator.setJobOutcome(jobId, 'failed');
	const error = await caught(waitForJob(context(), jobId, {}, fast()));
	expect(error).toBeInstanceOf(NodeOperationError);
	expect(error.message).toBe(`Job ${jobId} ended "failed" at 100% (5 of 5 devices processed: 2 succeeded, 3 failed)`);
	expect(error.description).toContain('Output Unsuccessful Jobs');
	// HERE's reasons for the failed devices, from one results page, and what happened to the job.
	const names = newDeviceNames(error.description ?? '');
	expect(names).toHaveLength(3);
	expect(error.description).toContain('The job failed before this device was processed. (code 500, job)');
	expect(error.description).toContain('The job has ended: nothing of it keeps running on HERE.');
	expect(emulator.requests.filter((r) => r.path.endsWith(`${jobId}/results`))).toHaveLength(1);
	expect(error.context.jobStatuses).toEqual({ [jobId]: 'failed' });
});

test('a failed job with many failed devices names the first five and counts the rest', async () => {
	const jobId = await createJobDirectly(emulator, user.email, newDevices(8));
	emulator.setJobOutcome(jobId, 'failed');
	const error = await caught(waitForJob(context(), jobId, {}, fast()));
	expect(newDeviceNames(error.description ?? '')).toHaveLength(5);
	expect(error.description).toContain('<li>and 3 more failed devices</li>');
});

test('when the reasons cannot be read, the error still says the job failed and has ended', async () => {
	const jobId = await createJobDirectly(emulator, user.email, newDevices(2));
	emulator.setJobOutcome(jobId, 'failed');
	emulator.faults.script([{ method: 'GET', path: /\/results$/, kind: '429', retryAfterSeconds: 0, times: 5 }]);
	const error = await caught(waitForJob(context(), jobId, {}, fast()));
	// One page, with the transport's usual retries (5 attempts), then the error goes on without the reasons.
	expect(emulator.requests.filter((r) => r.path.endsWith(`${jobId}/results`))).toHaveLength(5);
	expect(error.message).toContain(`Job ${jobId} ended "failed"`);
	expect(error.description).toContain("HERE's reasons for the failed devices could not be read");
	expect(error.description).toContain('The job has ended');
});

/** The quoted device names in an error's list of failed devices. */
function newDeviceNames(description: string): string[] {
	return [...description.matchAll(/<li>&quot;(device-[^&]+)&quot;:/g)].map((match) => match[1]);
}

test('with failOnUnsuccessful off, failed and cancelled jobs are returned with their status', async () => {
	const failedId = await createJobDirectly(emulator, user.email, newDevices(2));
	emulator.setJobOutcome(failedId, 'failed');
	const cancelledId = await createJobDirectly(emulator, user.email, newDevices(2));
	await cancelDirectly(emulator, user.email, cancelledId);

	const jobs = await waitForJobs(context(), [failedId, cancelledId], {}, fast({ failOnUnsuccessful: false }));
	expect(jobs.map((job) => [job.jobId, job.status])).toEqual([
		[failedId, 'failed'],
		[cancelledId, 'cancelled'],
	]);
});

test('a cancelled job is an error by default', async () => {
	const jobId = await createJobDirectly(emulator, user.email, newDevices(4));
	emulator.process({ jobId, devices: 1 });
	const waiting = caught(waitForJob(context(), jobId, {}, fast()));
	await until(() => statusCalls(emulator, jobId).length >= 2, 5000, 'two status checks');
	await cancelDirectly(emulator, user.email, jobId);
	const error = await waiting;
	expect(error.message).toContain(`Job ${jobId} ended "cancelled" at 25%`);
});

test('acknowledged counts as finished', async () => {
	const jobId = await createJobDirectly(emulator, user.email, newDevices(1));
	emulator.process({ jobId });
	await acknowledgeDirectly(emulator, user.email, jobId);
	const finished = await waitForJob(context(), jobId, {}, fast());
	expect(finished.status).toBe('acknowledged');
});

test('several jobs: one shared deadline, answers in input order, finished jobs are not polled again', async () => {
	const ids: string[] = [];
	for (let i = 0; i < 3; i++) ids.push(await createJobDirectly(emulator, user.email, newDevices(2)));
	emulator.process({ jobId: ids[1] });
	const waiting = waitForJobs(context(), ids, {}, fast());
	await until(() => statusCalls(emulator, ids[0]).length >= 3, 5000, 'three rounds');
	emulator.process({ jobId: ids[2] });
	await until(() => statusCalls(emulator, ids[0]).length >= 5, 5000, 'five rounds');
	emulator.process({ jobId: ids[0] });
	const jobs = await waiting;

	expect(jobs.map((job) => job.jobId)).toEqual(ids);
	expect(jobs.every((job) => job.status === 'completed')).toBe(true);
	expect(statusCalls(emulator, ids[1])).toHaveLength(1);
	expect(jobs[1].statusCalls).toBe(1);
	expect(jobs[2].statusCalls).toBeLessThan(jobs[0].statusCalls);
	expect(jobs[0].statusCalls).toBe(statusCalls(emulator, ids[0]).length);
});

test('several jobs that run out of time: the error lists each unfinished job', async () => {
	const done = await createJobDirectly(emulator, user.email, newDevices(1));
	emulator.process({ jobId: done });
	const slow = await createJobDirectly(emulator, user.email, newDevices(2));
	const error = await caught(waitForJobs(context(), [done, slow], {}, fast({ timeoutMs: 150 })));
	expect(error.message).toMatch(new RegExp(`^1 of 2 jobs did not finish within 150 ms: job ${slow} is still "pending" at 0%`));
	expect(error.message).not.toContain(done);
});

test('transient HTTP faults during the wait are retried by the transport', async () => {
	const jobId = await createJobDirectly(emulator, user.email, newDevices(2));
	emulator.faults.script([{ method: 'GET', path: /\/status$/, kind: '503', times: 1, retryAfterSeconds: 0 }]);
	const waiting = waitForJob(context(), jobId, {}, fast());
	await until(() => statusCalls(emulator, jobId).length >= 3, 10_000, 'a retried status check');
	emulator.process({ jobId });
	expect((await waiting).status).toBe('completed');
	expect(statusCalls(emulator, jobId).some((call) => call.fault === '503')).toBe(true);
});

test('an unknown job fails at once with HERE\'s 404, not after the timeout', async () => {
	const jobId = 'BULK-00000000-0000-4000-8000-000000000000';
	const error = await caught(waitForJob(context(), jobId, {}, fast({ timeoutMs: 60_000 })));
	expect(error.message).toContain('404');
	expect(statusCalls(emulator, jobId)).toHaveLength(1);
});

test('a timeout over many jobs names the first ten and keeps all ids in the error context', async () => {
	const ids: string[] = [];
	for (let i = 0; i < 12; i++) ids.push(await createJobDirectly(emulator, user.email, newDevices(1)));
	const error = await caught(waitForJobs(context(), ids, {}, fast({ timeoutMs: 100 })));
	expect(error.message).toMatch(/^12 of 12 jobs did not finish within 100 ms: /);
	expect(error.message).toContain(ids[9]);
	expect(error.message).not.toContain(ids[10]);
	expect(error.message).toMatch(/; and 2 more$/);
	expect(error.context.jobIds).toEqual(ids);
	// Every unfinished job is checked in each round.
	const counts = ids.map((id) => statusCalls(emulator, id).length);
	expect(new Set(counts).size).toBe(1);
	emulator.process();
});

test('a job that arrives while the wait runs is checked at once, then on its own doubling schedule', async () => {
	const early = await createJobDirectly(emulator, user.email, newDevices(2));
	const late = await createJobDirectly(emulator, user.email, newDevices(2));
	const arriving = new ArrivingJobs();
	arriving.add(early);
	let arrivedAt = 0;
	const jobs = await onVirtualClock(() => waitForJobs(context(), arriving, {}, fast()), {
		afterPause: (pause) => {
			// After the early job's pauses of 40, 80 and 160 ms: the late job comes, and no more after it.
			if (pause === 3) {
				arrivedAt = Date.now();
				arriving.add(late);
				arriving.close();
			}
			if (statusCalls(emulator, late).length === 4) emulator.process();
		},
	});

	expect(jobs.map((job) => job.jobId)).toEqual([early, late]);
	const lateCalls = statusCalls(emulator, late);
	expect(lateCalls[0].at).toBe(arrivedAt);
	// Its own schedule from its arrival, not the early job's longer pauses.
	expect(gaps(lateCalls).slice(0, 3)).toEqual([40, 80, 160]);
	expect(gaps(statusCalls(emulator, early)).slice(0, 4)).toEqual([40, 80, 160, 320]);
});
