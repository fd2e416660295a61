import type { INodeExecutionData } from 'n8n-workflow';

import type { HereEmulator } from '../../emulator';
import type { Engine } from '../harness/engine';
import { createEngine } from '../harness/engine';
import { bulkJobsNode, byId, createJobDirectly, itemsThen } from '../harness/fixtures';
import type { Flow, FlowCheck, User } from './support/flow';
import { runFlow } from './support/flow';
import { pool, seedsFor } from './support/runs';
import { compressRequestTimeouts, TRANSPORT_TIMEOUT_MS } from './support/timeouts';

/**
 * List, status, cancel and acknowledge under faults, 50 runs each with different seeds, 20% of
 * all requests failing. A run returns exactly what HERE holds (every job listed once, every
 * status right, every job cancelled or acknowledged), or ends with a clear NodeApiError; either
 * way HERE's state is what the run says.
 */
const TIMEOUT_DIVISOR = 40;
const SLOW_MS = Math.round((TRANSPORT_TIMEOUT_MS.request / TIMEOUT_DIVISOR) * 1.5);
/** Three list pages (100, 100, 1): two page tokens crossed under faults. */
const LISTED_JOBS = 201;
/** Input items (one job each) of the status, cancel and acknowledge runs. */
const ITEMS = 10;

let engine: Engine;
let restoreTimeouts: () => void;

beforeAll(async () => {
	engine = await createEngine();
	restoreTimeouts = compressRequestTimeouts(TIMEOUT_DIVISOR);
});

afterAll(() => restoreTimeouts());

async function makeJobs(emulator: HereEmulator, user: User, count: number, seed: number): Promise<string[]> {
	return await pool(
		Array.from({ length: count }, (_, i) => i),
		10,
		(i) => createJobDirectly(emulator, user.email, [{ name: `s${seed}-job${i}` }]),
	);
}

function statusOf(emulator: HereEmulator, jobId: string): string | undefined {
	return emulator.jobs().find((job) => job.jobId === jobId)?.status;
}

/** One item per job id, and the node reading the job id from the item. */
function perJob(user: User, operation: string, jobIds: string[]) {
	return itemsThen(
		bulkJobsNode(user.credential, { operation, jobId: byId('={{ $json.jobId }}') } as never),
		jobIds.map((jobId) => ({ jobId })),
	);
}

function itemIndexOf(error: Error): number | undefined {
	const value = (error as Error & { context?: { itemIndex?: unknown } }).context?.itemIndex;
	return typeof value === 'number' ? value : undefined;
}

const list: Flow<string[]> = {
	name: 'faults: list (Get Many, 201 jobs)',
	emulator: { processing: { mode: 'instant' } },
	prepare: (emulator, user, seed) => makeJobs(emulator, user, LISTED_JOBS, seed),
	workflow: (user) => itemsThen(bulkJobsNode(user.credential, { operation: 'getAll', returnAll: true } as never)),
	check: (output, jobIds) => {
		const listed = output.map((item) => String(item.json.jobId));
		const unique = new Set(listed);
		const problems: string[] = [];
		const missing = jobIds.filter((id) => !unique.has(id));
		if (missing.length > 0) problems.push(`${missing.length} jobs missing from the list`);
		if (unique.size !== listed.length) problems.push(`${listed.length - unique.size} jobs listed twice`);
		if (listed.some((id) => !jobIds.includes(id))) problems.push('a job listed that does not exist');
		return { problems, rowsExpected: jobIds.length, rowsReturned: jobIds.length - missing.length };
	},
};

const status: Flow<string[]> = {
	name: 'faults: status (Get Status, 10 jobs)',
	emulator: { processing: { mode: 'instant' } },
	prepare: (emulator, user, seed) => makeJobs(emulator, user, ITEMS, seed),
	workflow: (user, jobIds) => perJob(user, 'getStatus', jobIds),
	check: (output, jobIds) => {
		const problems: string[] = [];
		let right = 0;
		jobIds.forEach((jobId, index) => {
			const json = output[index]?.json ?? {};
			if (json.jobId === jobId && json.status === 'completed' && json.total === 1 && json.succeeded === 1) right++;
			else problems.push(`item ${index}: ${JSON.stringify(json).slice(0, 120)}`);
		});
		if (output.length !== jobIds.length) problems.push(`${output.length} items for ${jobIds.length} jobs`);
		return { problems, rowsExpected: jobIds.length, rowsReturned: right };
	},
};

/** Cancel and acknowledge: every job changed and said so, or the error names the item it stopped at. */
function change(action: 'cancel' | 'acknowledge', target: string): Flow<string[]> {
	return {
		name: `faults: ${action} (10 jobs)`,
		// Cancel needs jobs that have not finished: nothing is processed until the test says so.
		emulator: { processing: { mode: action === 'cancel' ? 'manual' : 'instant' } },
		prepare: (emulator, user, seed) => makeJobs(emulator, user, ITEMS, seed),
		workflow: (user, jobIds) => perJob(user, action, jobIds),
		check: (output: INodeExecutionData[], jobIds, emulator): FlowCheck => {
			const problems: string[] = [];
			let changed = 0;
			jobIds.forEach((jobId, index) => {
				const json = output[index]?.json ?? {};
				const onHere = statusOf(emulator, jobId);
				if (json.jobId === jobId && json.status === target && onHere === target) changed++;
				else problems.push(`item ${index}: output ${JSON.stringify(json)}, HERE says ${onHere}`);
			});
			return { problems, rowsExpected: jobIds.length, rowsReturned: changed };
		},
		checkAfterError: (error, jobIds, emulator): FlowCheck => {
			// Items before the failed one are done, the failed one may be (its answer was lost), later ones are untouched.
			const failedAt = itemIndexOf(error);
			if (failedAt === undefined) return { problems: ['the error does not name the item it stopped at'] };
			const problems: string[] = [];
			jobIds.forEach((jobId, index) => {
				const onHere = statusOf(emulator, jobId);
				if (index < failedAt && onHere !== target) problems.push(`item ${index} before the failure is ${onHere}`);
				if (index > failedAt && onHere === target) problems.push(`item ${index} after the failure was changed`);
			});
			return { problems };
		},
	};
}

test.each([
	['list', list, 2],
	['status', status, 3],
	['cancel', change('cancel', 'cancelled'), 4],
	['acknowledge', change('acknowledge', 'acknowledged'), 5],
] as const)('%s: 50 seeds, 20%% faults on every endpoint', async (_name, flow, flowNumber) => {
	const result = await runFlow(engine, flow as Flow<string[]>, seedsFor(flowNumber), SLOW_MS);
	expect(result.problems).toEqual([]);
	expect(result.succeeded).toBeGreaterThan(result.outcomes.length / 2);
});
