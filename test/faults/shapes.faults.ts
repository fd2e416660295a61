import type { INode, INodeExecutionData } from 'n8n-workflow';

import type { HereEmulator } from '../../emulator';
import { startEmulator } from '../../emulator';
import type { Engine, WorkflowRun } from '../harness/engine';
import { createEngine, runWorkflow } from '../harness/engine';
import { bulkJobsNode, byId, CANARY, createJobDirectly, itemsThen, loginUser } from '../harness/fixtures';
import { PollDriver, TriggerStore } from '../harness/poll';
import { triggerNode } from '../trigger/helpers';
import { recordFigures } from './figures';
import { errorText, judgeApiError } from './support/errors';
import type { ShapeRule, ShapingProxy } from './support/shapingProxy';
import { startShapingProxy } from './support/shapingProxy';

/**
 * Answers the spec allows but the emulator never gives, through a reshaping proxy: optional
 * fields missing, extra fields, empty pages that still carry a nextPageToken, a repeated page
 * token, a server that never stops paging. Every case ends with the right output or a clear
 * error, without a crash and within a bounded number of requests.
 */
type Json = Record<string, unknown>;

let emulator: HereEmulator;
let proxy: ShapingProxy;
let engine: Engine;
let credential: { id: string; name: string };
let projectId: string;
let bigJob: string;
let smallJobs: string[];
let pendingJob: string;
let email: string;
const BIG = 250;

/** `clearError`: the case ends, rightly, with an error (a server that would page for ever). */
const outcomes: Array<{ name: string; handled: boolean; clearError: boolean; requests: number }> = [];
const started = Date.now();

beforeAll(async () => {
	emulator = await startEmulator({ processing: { mode: 'instant' }, seed: 77 });
	proxy = await startShapingProxy(emulator.url);
	engine = await createEngine();
	const user = loginUser(emulator, engine);
	projectId = user.projectId;
	email = user.email;
	credential = engine.saveCredential('shapes', { authentication: 'login', email: user.email, password: CANARY.password, host: 'custom', baseUrl: proxy.url });
	bigJob = await createJobDirectly(emulator, user.email, Array.from({ length: BIG }, (_, i) => ({ name: `big-${i}` })));
	smallJobs = [];
	for (let i = 0; i < 5; i++) smallJobs.push(await createJobDirectly(emulator, user.email, [{ name: `small-${i}` }]));
});

afterAll(async () => {
	await proxy.close();
	await emulator.close();
	recordFigures({
		suite: 'shapes: unusual answers (spec-allowed)',
		ms: Date.now() - started,
		figures: {
			runs: outcomes.length,
			succeeded: outcomes.filter((o) => o.handled && !o.clearError).length,
			failedClearly: outcomes.filter((o) => o.handled && o.clearError).length,
			failedUnclearly: outcomes.filter((o) => !o.handled).length,
		},
		note: `most requests in one case: ${Math.max(0, ...outcomes.map((o) => o.requests))}`,
	});
});

afterEach(() => proxy.use(undefined));

const isResults = (path: string) => /\/results$/.test(path);
const isStatus = (path: string) => /\/status$/.test(path);
const isList = (method: string, path: string) => method === 'GET' && path === '/bulkjobs/v4/deviceUploads';

async function run(parameters: INode['parameters'], items: unknown[] = [{}]): Promise<WorkflowRun> {
	return await runWorkflow(engine, itemsThen(bulkJobsNode(credential, parameters), items));
}

function record(name: string, handled: boolean, clearError = false): void {
	outcomes.push({ name, handled, clearError, requests: proxy.seen.length });
}

function names(items: INodeExecutionData[]): Set<string> {
	return new Set(items.map((item) => String(item.json.name)));
}

describe('optional fields missing', () => {
	test('a status with only "status": Get Status, Wait for Completion and a results summary still work', async () => {
		proxy.use(({ path }) => (isStatus(path) ? { transform: (body) => ({ status: (body as Json).status }) } : undefined));
		const status = await run({ operation: 'getStatus', jobId: byId(bigJob) });
		const wait = await run({ operation: 'waitForCompletion', jobIds: bigJob, output: 'summary', waitOptions: { pollInterval: 0.01 } });
		const handled =
			status.error() === undefined &&
			status.output('HERE')[0].json.status === 'completed' &&
			wait.error() === undefined &&
			wait.output('HERE')[0].json.jobId === bigJob;
		record('status without figures', handled);
		expect(status.error()).toBeUndefined();
		expect(status.output('HERE')[0].json).toMatchObject({ jobId: bigJob, status: 'completed' });
		expect(wait.error()).toBeUndefined();
		expect(wait.output('HERE')[0].json).toMatchObject({ jobId: bigJob });
	});

	test('result rows without name or ids, and pages without status/type: every row still comes out', async () => {
		proxy.use(({ path }) =>
			isResults(path)
				? {
						transform: (body) => {
							const page = body as Json;
							const items = (page.items as Json[]).map((row, i) => (i % 2 === 0 ? { errors: [] } : { deviceId: row.deviceId }));
							return { limit: page.limit, count: items.length, items, ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}) };
						},
					}
				: undefined,
		);
		const results = await run({ operation: 'getResults', jobId: byId(bigJob), returnAll: true });
		const handled = results.error() === undefined && results.output('HERE').length === BIG;
		record('result rows without optional fields', handled);
		expect(results.error()).toBeUndefined();
		expect(results.output('HERE')).toHaveLength(BIG);
	});

	test('list items without "type", a PATCH answer without "status": listing and acknowledging still work', async () => {
		proxy.use(({ method, path }) => {
			if (isList(method, path)) return { transform: (body) => ({ ...(body as Json), items: ((body as Json).items as Json[]).map(({ type: _type, ...rest }) => rest) }) };
			if (method === 'PATCH') return { transform: () => ({}) };
			return undefined;
		});
		const list = await run({ operation: 'getAll', returnAll: true });
		const ack = await run({ operation: 'acknowledge', jobId: byId(smallJobs[0]) });
		const onHere = emulator.jobs(projectId).length;
		const handled = list.error() === undefined && list.output('HERE').length === onHere && ack.error() === undefined;
		record('list without type, PATCH without status', handled);
		expect(list.error()).toBeUndefined();
		expect(list.output('HERE')).toHaveLength(onHere);
		expect(ack.error()).toBeUndefined();
		expect(ack.output('HERE')[0].json).toMatchObject({ jobId: smallJobs[0], status: 'acknowledged' });
	});
});

describe('extra fields', () => {
	const extra = { futureField: { nested: [1, 'two', null] }, 'x-trace': 'abc' };
	test('extra fields on every answer and in every row: nothing breaks, nothing is lost', async () => {
		proxy.use(() => ({
			transform: (body) => {
				if (body === null || typeof body !== 'object' || Array.isArray(body)) return body;
				const page = body as Json;
				return { ...page, ...extra, ...(Array.isArray(page.items) ? { items: (page.items as Json[]).map((row) => ({ ...row, ...extra })) } : {}) };
			},
		}));
		const status = await run({ operation: 'getStatus', jobId: byId(bigJob) });
		const results = await run({ operation: 'getResults', jobId: byId(bigJob), returnAll: true });
		const list = await run({ operation: 'getAll', returnAll: true });
		const created = await run({
			operation: 'create',
			jobType: 'create',
			inputSource: 'json',
			devicesJson: JSON.stringify([{ name: 'extra-1' }, { name: 'extra-2' }]),
			waitForCompletion: true,
			waitOptions: { pollInterval: 0.01 },
		});
		const handled =
			[status, results, list, created].every((r) => r.error() === undefined) &&
			names(results.output('HERE')).size === BIG &&
			created.output('HERE').length === 2;
		record('extra fields everywhere', handled);
		for (const r of [status, results, list, created]) expect(r.error()).toBeUndefined();
		expect(names(results.output('HERE')).size).toBe(BIG);
		expect(created.output('HERE').map((item) => item.json.outcome)).toEqual(['succeeded', 'succeeded']);
	});
});

describe('paging', () => {
	/** Empty pages with a next token before the first real page and between real pages. */
	function emptyPages(match: (method: string, path: string) => boolean, before: number): ShapeRule {
		return ({ method, path, query }) => {
			if (!match(method, path)) return undefined;
			const token = query.get('pageToken');
			const emptyAnswer = (next: string) => ({ respond: { status: 'completed', limit: Number(query.get('limit') ?? 100), count: 0, items: [], nextPageToken: next } });
			if (token === null) return emptyAnswer('empty-1');
			const lead = /^empty-(\d+)$/.exec(token);
			if (lead) {
				const n = Number(lead[1]);
				if (n < before) return emptyAnswer(`empty-${n + 1}`);
				const rest = new URLSearchParams(query);
				rest.delete('pageToken');
				return { forwardQuery: rest, transform: gapped };
			}
			const gap = /^gap-(.+)$/.exec(token);
			if (gap) return emptyAnswer(gap[1]);
			return { transform: gapped };
		};
		function gapped(body: unknown) {
			const page = body as Json;
			return typeof page.nextPageToken === 'string' ? { ...page, nextPageToken: `gap-${page.nextPageToken}` } : page;
		}
	}

	test('empty result pages with a nextPageToken (before and between the real pages): all rows, once each', async () => {
		proxy.use(emptyPages((_m, path) => isResults(path), 3));
		const results = await run({ operation: 'getResults', jobId: byId(bigJob), returnAll: true });
		const handled = results.error() === undefined && results.output('HERE').length === BIG && names(results.output('HERE')).size === BIG;
		record('empty result pages', handled);
		expect(results.error()).toBeUndefined();
		expect(names(results.output('HERE')).size).toBe(BIG);
		expect(results.output('HERE')).toHaveLength(BIG);
	});

	test('empty list pages with a nextPageToken: every job, once', async () => {
		proxy.use(emptyPages(isList, 4));
		const list = await run({ operation: 'getAll', returnAll: true });
		const ids = list.error() === undefined ? list.output('HERE').map((item) => String(item.json.jobId)) : [];
		const onHere = emulator.jobs(projectId).map((job) => job.jobId);
		const handled = ids.length === onHere.length && new Set(ids).size === onHere.length;
		record('empty list pages', handled);
		expect(list.error()).toBeUndefined();
		expect(ids).toHaveLength(onHere.length);
		expect(new Set(ids)).toEqual(new Set(onHere));
	});

	test.each([
		['results', (_m: string, p: string) => isResults(p), { operation: 'getResults', returnAll: true }],
		['list', isList, { operation: 'getAll', returnAll: true }],
	] as const)('a repeated page token (%s): a clear error after a bounded number of requests', async (name, match, parameters) => {
		// The first page points at "again"; "again" answers with "again" once more.
		proxy.use(({ method, path, query }) => {
			if (!match(method, path)) return undefined;
			if (query.get('pageToken') === 'again') return { respond: { status: 'completed', limit: 100, count: 0, items: [], nextPageToken: 'again' } };
			return { transform: (body) => ({ ...(body as Json), nextPageToken: 'again' }) };
		});
		const result = await run({ ...parameters, ...(name === 'results' ? { jobId: byId(bigJob) } : {}) } as INode['parameters']);
		const error = result.error();
		const handled = error !== undefined && /same page token twice/.test(errorText(error)) && proxy.seen.length <= 4;
		record(`repeated page token (${name})`, handled, true);
		expect(errorText(error)).toMatch(/HERE returned the same page token twice, so the list would never end/);
		expect(proxy.seen.length).toBeLessThanOrEqual(4);
	});

	test('a server that pages on for ever with new tokens and empty pages: the node stops with a clear error', async () => {
		let n = 0;
		proxy.use(({ path, query }) =>
			isResults(path) ? { respond: { status: 'completed', limit: Number(query.get('limit') ?? 100), count: 0, items: [], nextPageToken: `endless-${++n}` } } : undefined,
		);
		const result = await run({ operation: 'getResults', jobId: byId(bigJob), returnAll: true });
		const error = result.error();
		const verdict = error === undefined ? undefined : judgeApiError(error);
		const handled = verdict !== undefined && proxy.seen.length <= 101;
		record('endless empty pages', handled, true);
		expect(error).toBeDefined();
		expect(errorText(error)).toMatch(/HERE returned 100 empty pages in a row, each pointing at a further page, so the list would never end/);
		expect(errorText(error)).toMatch(/Request: GET \/bulkjobs\/v4\/deviceUploads\/BULK-[0-9a-f-]+\/results/);
		expect(proxy.seen.length).toBeLessThanOrEqual(101);
	});
});

describe('the trigger', () => {
	test('list items without type, statuses with only "status", extra fields: the finished job is emitted once', async () => {
		const driver = new PollDriver(engine, triggerNode(credential, projectId), new TriggerStore(), { budgetMs: 20_000 });
		await driver.tick(); // the first poll records what exists
		pendingJob = await createJobDirectly(emulator, email, [{ name: 'trigger-shape' }]);
		proxy.use(({ method, path }) => {
			if (isList(method, path)) return { transform: (body) => ({ ...(body as Json), extra: true, items: ((body as Json).items as Json[]).map(({ type: _t, ...rest }) => ({ ...rest, more: 1 })) }) };
			if (isStatus(path)) return { transform: (body) => ({ status: (body as Json).status, extra: 'x' }) };
			return undefined;
		});
		const outcome = await driver.tick();
		const jobIds = (outcome.items ?? []).map((item) => item.json.jobId);
		const handled = outcome.error === undefined && jobIds.includes(pendingJob);
		record('trigger with reshaped answers', handled);
		expect(outcome.error).toBeUndefined();
		expect(new Set(jobIds)).toEqual(new Set([pendingJob]));
	});
});

