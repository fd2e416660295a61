/**
 * What each scenario does on each side. `node` runs the HERE Bulk Jobs node (or its device
 * pipeline, or the trigger) inside n8n-core; `reference` does the same work with the reference
 * client. Both get the same input and make the same requests (run.ts checks the counts).
 */
import { DEFAULT_CONCURRENCY } from '../../../nodes/HereBulkJobs/actions/bulkJob/create/create.descriptions';
import { RESULTS_CONCURRENCY } from '../../../nodes/HereBulkJobs/jobs/collectResults';
import { STATUS_CONCURRENCY } from '../../../nodes/HereBulkJobs/jobs/waitForJob';
import { REQUESTS_IN_FLIGHT } from '../../../nodes/HereBulkJobs/transport';
import { deviceCsv, keyCsv } from '../lib/data';
import type { ReferenceConcurrency, Transport } from '../reference/client';
import { ReferenceClient, chunk, devicesFromCsv } from '../reference/client';

export interface Account {
	baseUrl: string;
	email: string;
	password: string;
}

export interface Outcome {
	/** What was produced: result items, validated devices, emitted items. */
	count: number;
	/** For the reference: the requests it made (the node's are counted by the emulator). */
	requests?: number;
	/** Scenario-specific figures. */
	extra?: Record<string, unknown>;
	/** When the measured work began (epoch ms), if not when the run was called (the node: n8n's start of the HERE node). */
	startedAt?: number;
	/** What the run produced (items, rows), held while the worker measures how much heap it takes. */
	output?: unknown;
}

/** Node settings the latency bench can change (`--uploads`, `--poll-interval`) to weigh the defaults; unset: the node's default. */
export interface NodeSettings {
	/** Parallel Uploads. */
	uploads?: number;
	/** Poll Interval, seconds. */
	pollInterval?: number;
}

function settingParameters({ uploads, pollInterval }: NodeSettings): Record<string, unknown> {
	const parameters: Record<string, unknown> = {};
	if (uploads !== undefined) parameters.options = { concurrency: uploads };
	if (pollInterval !== undefined) parameters.waitOptions = { pollInterval };
	return parameters;
}

/** The node's defaults the reference copies: Parallel Uploads, status checks at once, jobs whose results are read at once, requests in flight. */
export const NODE_CONCURRENCY: ReferenceConcurrency = {
	uploads: DEFAULT_CONCURRENCY,
	status: STATUS_CONCURRENCY,
	resultJobs: RESULTS_CONCURRENCY,
	inFlight: REQUESTS_IN_FLIGHT,
};

/**
 * The reference client on Node's fetch, or (`floor`) on n8n's HTTP helper. Set up inside the
 * timed part, as the node sets up its own context inside its run.
 */
async function referenceClient(account: Account, floor: boolean): Promise<ReferenceClient> {
	let transport: Transport | undefined;
	if (floor) {
		const { n8nTransport } = await import('./nodeSide');
		transport = await n8nTransport(account.baseUrl, account.email, account.password);
	}
	return new ReferenceClient(account.baseUrl, NODE_CONCURRENCY, transport);
}

const csvCache = new Map<number, Buffer>();
export function csvOf(rows: number): Buffer {
	let csv = csvCache.get(rows);
	if (!csv) {
		csv = deviceCsv(rows);
		csvCache.set(rows, csv);
	}
	return csv;
}

// ---------------------------------------------------------------------------------------------
// 1 and 5: onboard N devices from an N-row CSV: validate, split, upload, wait, collect every result.

export async function nodeOnboard(account: Account & NodeSettings & { rows: number }): Promise<Outcome & { ms: number }> {
	const { loginCredential, hereNode, runHereNode } = await import('./nodeSide');
	const credential = await loginCredential(account.baseUrl, account.email, account.password);
	const node = hereNode(credential, {
		operation: 'create',
		jobType: 'create',
		inputSource: 'csvFile',
		binaryPropertyName: 'data',
		waitForCompletion: true,
		output: 'perDevice',
		...settingParameters(account),
	});
	const content = csvOf(account.rows).toString('utf8');
	const run = await runHereNode(node, [{}], { data: { fileName: 'fleet-export.csv', content } });
	const succeeded = run.items.filter((item) => item.json.outcome === 'succeeded').length;
	if (succeeded !== account.rows) throw new Error(`node: ${succeeded} of ${account.rows} devices succeeded`);
	return { ms: run.ms, count: run.items.length, startedAt: run.startedAt, output: run.items };
}

export async function referenceOnboard(account: Account & { rows: number; floor?: boolean }): Promise<Outcome & { ms: number }> {
	const csv = csvOf(account.rows);
	const started = performance.now();
	const client = await referenceClient(account, account.floor === true);
	const devices = devicesFromCsv(csv);
	await client.login(account.email, account.password);
	const jobIds = await client.createJobs(chunk(devices, 1000), 'fleet-export.csv');
	const results = await client.waitAndReadResults(jobIds);
	const ms = performance.now() - started;
	const count = results.reduce((sum, rows) => sum + rows.length, 0);
	if (count !== account.rows) throw new Error(`reference: ${count} of ${account.rows} results`);
	return { ms, count, requests: client.requests, output: results };
}

// ---------------------------------------------------------------------------------------------
// 2: validate and split an N-row CSV, no network.

export async function nodeValidate({ rows }: { rows: number }): Promise<Outcome & { ms: number }> {
	// The pipeline's own entry point, compiled by tsx (esbuild, as the bundle in dist/ is): the
	// bundle exports only the node classes, and this scenario has no network and no n8n in it.
	const { chunkForUpload, prepareDevices } = await import('../../../nodes/HereBulkJobs/devices');
	const csv = csvOf(rows);
	const started = performance.now();
	const prepared = await prepareDevices({ source: { type: 'csv', data: csv }, kind: 'add' });
	// As Create cuts them: 1000 devices a job, each job's JSON body within HERE's 10 MiB.
	const chunks = chunkForUpload(prepared.devices, 1000, (device) => device);
	const ms = performance.now() - started;
	if (prepared.devices.length !== rows || prepared.issues.length > 0) {
		throw new Error(`node pipeline: ${prepared.devices.length} devices, ${prepared.issues.length} issues`);
	}
	return { ms, count: prepared.devices.length, extra: { chunks: chunks.length } };
}

export async function referenceValidate({ rows }: { rows: number }): Promise<Outcome & { ms: number }> {
	const { parse } = await import('csv-parse/sync');
	const csv = csvOf(rows);
	const started = performance.now();
	const records = parse(csv, { bom: true, skip_empty_lines: true }) as string[][];
	const ms = performance.now() - started;
	if (records.length !== rows + 1) throw new Error(`csv-parse: ${records.length} records`);
	return { ms, count: records.length - 1 };
}

// ---------------------------------------------------------------------------------------------
// 7: validate names, externalIds (an add job) and trackingIds (a delete job) whose keys differ in the middle or at the end.

const keyCache = new Map<string, Buffer>();
function keyCsvOf(rows: number, kind: 'add' | 'delete', vary: 'middle' | 'end'): Buffer {
	const id = `${rows}-${kind}-${vary}`;
	const csv = keyCache.get(id) ?? keyCsv(rows, kind, vary);
	keyCache.set(id, csv);
	return csv;
}

export async function nodeKeys({ rows, vary }: { rows: number; vary: 'middle' | 'end' }): Promise<Outcome & { ms: number }> {
	const { prepareDevices } = await import('../../../nodes/HereBulkJobs/devices');
	const add = keyCsvOf(rows, 'add', vary);
	const remove = keyCsvOf(rows, 'delete', vary);
	const started = performance.now();
	const added = await prepareDevices({ source: { type: 'csv', data: add }, kind: 'add' });
	const deleted = await prepareDevices({ source: { type: 'csv', data: remove }, kind: 'delete' });
	const ms = performance.now() - started;
	if (added.devices.length !== rows || deleted.devices.length !== rows) {
		throw new Error(`node pipeline: ${added.devices.length} + ${deleted.devices.length} devices of ${rows} + ${rows}`);
	}
	return { ms, count: rows * 2 };
}

// ---------------------------------------------------------------------------------------------
// 3: collect the results of finished jobs (3a Get Results, one item per job; 3b Wait for Completion, all jobs in one item).

export async function nodeGetResults(account: Account & { jobIds: string[]; expected: number }): Promise<Outcome & { ms: number }> {
	const { loginCredential, hereNode, runHereNode } = await import('./nodeSide');
	const credential = await loginCredential(account.baseUrl, account.email, account.password);
	const node = hereNode(credential, {
		operation: 'getResults',
		jobId: { __rl: true, mode: 'id', value: '={{ $json.jobId }}' },
		returnAll: true,
		output: 'perDevice',
	});
	const run = await runHereNode(node, account.jobIds.map((jobId) => ({ jobId })));
	if (run.items.length !== account.expected) throw new Error(`node: ${run.items.length} of ${account.expected} results`);
	return { ms: run.ms, count: run.items.length, startedAt: run.startedAt };
}

export async function referenceGetResults(account: Account & { jobIds: string[]; expected: number; floor?: boolean }): Promise<Outcome & { ms: number }> {
	const started = performance.now();
	const client = await referenceClient(account, account.floor === true);
	await client.login(account.email, account.password);
	const count = (await client.statusAndResults(account.jobIds)).reduce((sum, rows) => sum + rows.length, 0);
	const ms = performance.now() - started;
	if (count !== account.expected) throw new Error(`reference: ${count} of ${account.expected} results`);
	return { ms, count, requests: client.requests };
}

export async function nodeWaitResults(account: Account & NodeSettings & { jobIds: string[]; expected: number }): Promise<Outcome & { ms: number }> {
	const { loginCredential, hereNode, runHereNode } = await import('./nodeSide');
	const credential = await loginCredential(account.baseUrl, account.email, account.password);
	const node = hereNode(credential, { operation: 'waitForCompletion', jobIds: account.jobIds.join(','), output: 'perDevice', ...settingParameters(account) });
	const run = await runHereNode(node, [{}]);
	if (run.items.length !== account.expected) throw new Error(`node: ${run.items.length} of ${account.expected} results`);
	return { ms: run.ms, count: run.items.length, startedAt: run.startedAt };
}

export async function referenceWaitResults(account: Account & { jobIds: string[]; expected: number; floor?: boolean }): Promise<Outcome & { ms: number }> {
	const started = performance.now();
	const client = await referenceClient(account, account.floor === true);
	await client.login(account.email, account.password);
	const results = await client.waitAndReadResults(account.jobIds);
	const ms = performance.now() - started;
	const count = results.reduce((sum, rows) => sum + rows.length, 0);
	if (count !== account.expected) throw new Error(`reference: ${count} of ${account.expected} results`);
	return { ms, count, requests: client.requests };
}

// ---------------------------------------------------------------------------------------------
// 6: wait latency: Wait for Completion on a job that finishes about 20 s later (defaults of Wait Options).

export async function nodeWaitLatency(account: Account & { jobId: string }): Promise<Outcome & { ms: number }> {
	const { loginCredential, hereNode, runHereNode } = await import('./nodeSide');
	const credential = await loginCredential(account.baseUrl, account.email, account.password);
	const node = hereNode(credential, { operation: 'waitForCompletion', jobIds: account.jobId, output: 'summary', resultOptions: { includeResults: false } });
	const run = await runHereNode(node, [{}]);
	return { ms: run.ms, count: run.items.length, extra: { finishedAt: Date.now() } };
}
