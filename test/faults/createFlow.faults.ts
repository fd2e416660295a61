import type { Engine } from '../harness/engine';
import { createEngine } from '../harness/engine';
import { bulkJobsNode, itemsThen } from '../harness/fixtures';
import { csvOf } from '../node/createFixtures';
import type { Flow } from './support/flow';
import { runFlow } from './support/flow';
import { deviceSecrets } from './support/here';
import { counts, seedsFor } from './support/runs';
import { compressRequestTimeouts, TRANSPORT_TIMEOUT_MS } from './support/timeouts';

/**
 * The main flow under faults, 50 times with different seeds: Create with 2,500 devices from a
 * CSV file (3 jobs), Wait for Completion, every device's result. 20% of all requests (login,
 * uploads, status, results) fail. Each run either returns all 2,500 results exactly once, or
 * ends with a NodeApiError that names the request, the trace id and what to do, and that names
 * every job HERE holds for the run. Never a second job for the same rows.
 */
const DEVICES = 2500;
const JOBS = 3;
export const TIMEOUT_DIVISOR = 40;
/** Past the (compressed) timeout of an upload, so a slow answer is always one the client gave up on. */
export const SLOW_MS = Math.round((TRANSPORT_TIMEOUT_MS.upload / TIMEOUT_DIVISOR) * 1.2);

let engine: Engine;
let restoreTimeouts: () => void;

beforeAll(async () => {
	engine = await createEngine();
	restoreTimeouts = compressRequestTimeouts(TIMEOUT_DIVISOR);
});

afterAll(() => restoreTimeouts());

const names = (seed: number) => Array.from({ length: DEVICES }, (_, i) => `s${seed}-${i + 1}`);

const createFlow: Flow<{ seed: number }> = {
	name: 'faults: create 2,500 + wait + results',
	emulator: { processing: { mode: 'instant' } },
	prepare: async (_emulator, _user, seed) => ({ seed }),
	workflow: (user, prepared) =>
		itemsThen(
			bulkJobsNode(user.credential, {
				operation: 'create',
				jobType: 'create',
				inputSource: 'csvFile',
				waitForCompletion: true,
				waitOptions: { pollInterval: 0.01, maxPollInterval: 0.05, timeout: 2 },
				output: 'perDevice',
			} as never),
			[{}],
			{ data: { fileName: 'devices.csv', content: csvOf(DEVICES, `s${prepared.seed}`) } },
		),
	canaries: async (emulator, user) =>
		(await deviceSecrets(emulator, user.email, emulator.jobs(user.projectId).map((job) => job.jobId))).map((secret) => ['deviceSecret', secret]),
	check: (output, prepared, emulator, user) => {
		const problems: string[] = [];
		const jobs = emulator.jobs(user.projectId);
		const expected = new Set(names(prepared.seed));
		const returned = new Set(output.map((item) => String(item.json.name)).filter((name) => expected.has(name)));
		if (output.length !== DEVICES) problems.push(`${output.length} items for ${DEVICES} devices`);
		const notSucceeded = output.filter((item) => item.json.outcome !== 'succeeded');
		if (notSucceeded.length > 0) problems.push(`${notSucceeded.length} devices did not succeed: ${String(notSucceeded[0].json.errorMessage)}`);
		const duplicated = duplicates(jobs.map((job) => job.fileName ?? ''));
		if (jobs.length !== JOBS || duplicated > 0) problems.push(`HERE holds ${jobs.length} jobs: ${JSON.stringify(counts(jobs.map((job) => job.fileName ?? '')))}`);
		return { problems, rowsExpected: DEVICES, rowsReturned: returned.size, jobsExpected: JOBS, jobsCreated: jobs.length, jobsDuplicated: duplicated };
	},
	checkAfterError: (error, _prepared, emulator, user) => {
		// Every job HERE holds must be named: as created (with its id) or as one that may exist (by file name).
		const problems: string[] = [];
		const jobs = emulator.jobs(user.projectId);
		const context = (error as Error & { context?: { createdJobIds?: string[]; mayExistFileNames?: string[] } }).context ?? {};
		const named = new Set(context.createdJobIds ?? []);
		const mayExist = new Set(context.mayExistFileNames ?? []);
		const unnamed = jobs.filter((job) => !named.has(job.jobId) && !mayExist.has(job.fileName ?? ''));
		if (unnamed.length > 0) problems.push(`${unnamed.length} jobs on HERE are not named in the error: ${unnamed.map((job) => job.fileName).join(', ')}`);
		const duplicated = duplicates(jobs.map((job) => job.fileName ?? ''));
		if (duplicated > 0) problems.push(`duplicate jobs: ${JSON.stringify(counts(jobs.map((job) => job.fileName ?? '')))}`);
		return { problems, jobsExpected: JOBS, jobsCreated: jobs.length, jobsDuplicated: duplicated };
	},
};

function duplicates(keys: string[]): number {
	return Object.values(counts(keys)).reduce((sum, n) => sum + Math.max(0, n - 1), 0);
}

test('create 2,500 devices (3 jobs), wait, collect results: 50 seeds, 20% faults on every endpoint', async () => {
	const result = await runFlow(engine, createFlow, seedsFor(1), SLOW_MS);
	expect(result.problems).toEqual([]);
	// The faults must not win every time: most runs get through them.
	expect(result.succeeded).toBeGreaterThan(result.outcomes.length / 2);
});
