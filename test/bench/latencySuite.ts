/**
 * `npm run bench -- --latency 80` (or `--latency 0,80`): what a user waits for against HERE
 * over the internet. The emulator adds a round trip to every request, processes 500 devices a
 * second per job with 10 jobs at once, answers 429 past 20 requests in flight or 100 a second,
 * and charges a new connection two round trips of TCP and TLS set-up (emulator/README.md: assumptions, HERE publishes no numbers). Each scenario prints the
 * node's wall time, the reference client's, and the schedule limit (lib/schedule.ts): the least
 * time any client could take for the same work under the same rules, computed, not measured.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import type { EmulatorOptions, ProcessingOptions } from '../../emulator';
import type { RequestCounts } from './emulator.process';
import type { Child } from './lib/ipc';
import type { NetworkModel } from './lib/schedule';
import { newConnectionPerRequest, onboardLimit, resultsLimit, syncPlanLimit, triggerLimit, waitLimit } from './lib/schedule';
import { log, OUT, session } from './lib/session';
import type { Side } from './lib/sides';
import { account, startEmulator, startSide } from './lib/sides';
import { median, ms, ratio, table } from './lib/stats';
import { devicesFromCsv } from './reference/client';
import type { NodeSettings } from './scenarios/scenarios';
import { csvOf } from './scenarios/scenarios';
import { SYNC_PROJECT } from './scenarios/sync';
import { seedSyncProject } from './syncScenario';
import type { RunReport } from './worker.process';

/** HERE as the emulator models it in this bench (emulator/README.md says why these figures). */
const PROCESSING = { mode: 'timer', devicesPerSecond: 500, parallelJobs: 10 } as const satisfies ProcessingOptions;
const RATE_LIMIT = { maxInFlight: 20, maxPerSecond: 100, retryAfter: true };
const BANDWIDTH_MBPS = 100;
const JITTER = 0.1;
/** HERE is HTTPS: TCP and TLS 1.3 set-up before a new connection's first request. */
const HANDSHAKE_ROUND_TRIPS = 2;
/** The targets at a real round trip: near the schedule limit, no slower than the reference, almost no 429s. */
const LIMIT_FACTOR = 1.15;
const MAX_TOO_MANY_SHARE = 0.01;

export interface LatencyRow {
	scenario: string;
	roundTripMs: number;
	node: number;
	reference: number;
	limit: number;
	/** The limit for a client that pays the connection set-up on every request (lib/schedule.ts). */
	limitNewConnections: number;
	requestsNode: number;
	requestsReference: number;
	tooManyNode: number;
	tooManyReference: number;
	connectionsNode: number;
	connectionsReference: number;
	target: string;
	met: boolean;
}

export const latencyRows: LatencyRow[] = [];

/** The rate limit in force: the default, or `--quota` requests a second (how a tight quota slows a run down). */
function rateLimit(): typeof RATE_LIMIT {
	return { ...RATE_LIMIT, maxPerSecond: session.options.quota ?? RATE_LIMIT.maxPerSecond };
}

function model(roundTripMs: number): NetworkModel {
	return { roundTripMs, handshakeRoundTrips: HANDSHAKE_ROUND_TRIPS, bandwidthMbps: BANDWIDTH_MBPS, devicesPerSecond: PROCESSING.devicesPerSecond, parallelJobs: PROCESSING.parallelJobs, ...rateLimit() };
}

function emulatorModels(roundTripMs: number): Pick<EmulatorOptions, 'latency' | 'rateLimit'> {
	return { latency: { roundTripMs, jitter: JITTER, bandwidthMbps: BANDWIDTH_MBPS, handshakeRoundTrips: HANDSHAKE_ROUND_TRIPS }, rateLimit: rateLimit() };
}

interface Measured {
	ms: Record<'node' | 'reference', number[]>;
	requests: Record<'node' | 'reference', RequestCounts[]>;
}

/**
 * Warm-up plus `runs` rounds, node and reference taking turns in rotating order. `prepare` sets
 * the emulator (and, for the trigger, the side) up before each run and returns its parameters.
 */
async function measure(scenario: string, sides: Record<'node' | 'reference', Child>, emulator: Child, prepare: (side: Side) => Promise<Record<string, unknown>>): Promise<Measured> {
	const out: Measured = { ms: { node: [], reference: [] }, requests: { node: [], reference: [] } };
	const order = ['node', 'reference'] as const;
	for (let round = 0; round < session.options.warmup + session.options.runs; round++) {
		for (const side of round % 2 === 0 ? order : [...order].reverse()) {
			const params = await prepare(side);
			await emulator.call('clearRequests');
			const report = await sides[side].call<RunReport>('run', { scenario, params });
			const requests = await emulator.call<RequestCounts>('requests');
			if (session.options.trace) writeTrace(`${scenario}-${side}-${round}`, { run: report, ...(await emulator.call<object>('trace')) });
			if (round < session.options.warmup) continue;
			out.ms[side].push(report.ms);
			out.requests[side].push(requests);
		}
		process.stdout.write('.');
	}
	process.stdout.write('\n');
	return out;
}

/** A run's trace, as JSON: its report (`startedAt`, epoch ms, places the emulator's times) and the emulator's log. */
function writeTrace(name: string, trace: object): void {
	const dir = path.join(OUT, 'traces');
	fs.mkdirSync(dir, { recursive: true });
	fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(trace));
}

/** The node settings a scenario takes from `--uploads` and `--poll-interval` (only those it has). */
function nodeSettings(names: Array<keyof NodeSettings>): NodeSettings {
	return Object.fromEntries(names.filter((name) => session.options[name] !== undefined).map((name) => [name, session.options[name]]));
}

/** What a row ran with other than the defaults the targets are for, in words; undefined for nothing. */
function changedSettings({ uploads, pollInterval }: NodeSettings): string | undefined {
	const { quota } = session.options;
	const changed: string[] = [];
	if (quota !== undefined) changed.push(`a quota of ${quota} a second`);
	if (uploads !== undefined) changed.push(`Parallel Uploads ${uploads}`);
	if (pollInterval !== undefined) changed.push(`Poll Interval ${pollInterval} s`);
	return changed.length > 0 ? changed.join(', ') : undefined;
}

/** A scenario's row; `limitOf` computes its schedule limit under a network model. */
function addRow(scenario: string, roundTripMs: number, measured: Measured, limitOf: (network: NetworkModel) => number, settings: NodeSettings = {}): void {
	const limit = limitOf(model(roundTripMs));
	const node = median(measured.ms.node);
	const reference = median(measured.ms.reference);
	const requestsNode = median(measured.requests.node.map((r) => r.total));
	const tooManyNode = Math.max(...measured.requests.node.map((r) => r.tooMany));
	const share = tooManyNode / Math.max(1, requestsNode);
	const timed = roundTripMs > 0;
	// Away from the defaults the targets do not apply: the row says the run finished, with its figures.
	const changed = changedSettings(settings);
	latencyRows.push({
		scenario,
		roundTripMs,
		node,
		reference,
		limit,
		limitNewConnections: limitOf(newConnectionPerRequest(model(roundTripMs))),
		requestsNode,
		requestsReference: median(measured.requests.reference.map((r) => r.total)),
		tooManyNode,
		tooManyReference: Math.max(...measured.requests.reference.map((r) => r.tooMany)),
		connectionsNode: median(measured.requests.node.map((r) => r.connections)),
		connectionsReference: median(measured.requests.reference.map((r) => r.connections)),
		target: changed !== undefined ? `finishes with ${changed} (times, 429s: figures)` : timed ? `≤ ${LIMIT_FACTOR}× limit, ≤ reference, 429 ≤ 1 %` : '429 ≤ 1 % (times: figures)',
		met: changed !== undefined || (share <= MAX_TOO_MANY_SHARE && (!timed || (node <= LIMIT_FACTOR * limit && node <= reference))),
	});
	// A long run prints as it goes, so that an interrupted one still tells something.
	log(`  node ${ms(node)}, reference ${ms(reference)}, limit ${ms(limit)}, 429s ${tooManyNode}`);
}

async function withSides<T>(label: string, csvRows: number[], processing: ProcessingOptions, roundTripMs: number, body: (sides: Record<'node' | 'reference', Child>, emulator: Child, url: string) => Promise<T>): Promise<T> {
	const { emulator, url } = await startEmulator(processing, emulatorModels(roundTripMs));
	const sides = { node: await startSide('node', `${label}-${roundTripMs}`, csvRows), reference: await startSide('reference', `${label}-${roundTripMs}`, csvRows) };
	try {
		return await body(sides, emulator, url);
	} finally {
		await Promise.all([sides.node.stop(), sides.reference.stop(), emulator.stop()]);
	}
}

/** A fresh user and `count` jobs of `devicesPerJob`, uploaded while HERE is paused. */
async function pausedJobs(emulator: Child, url: string, count: number, devicesPerJob: number) {
	await emulator.call('reset');
	await emulator.call('setProcessing', { mode: 'manual' });
	const user = account(url);
	await emulator.call('addUser', user);
	const jobIds = await emulator.call<string[]>('seedJobs', { email: user.email, count, devicesPerJob, prefix: 'latency' });
	return { user, jobIds };
}

async function onboard(roundTripMs: number): Promise<void> {
	log(`L1. Onboard 50,000 devices end to end, round trip ${roundTripMs} ms`);
	const uploadBytes = Buffer.byteLength(JSON.stringify(devicesFromCsv(csvOf(1000))));
	const settings = nodeSettings(['uploads', 'pollInterval']);
	const measured = await withSides('L1', [50_000], PROCESSING, roundTripMs, async (sides, emulator, url) =>
		await measure('onboard', sides, emulator, async () => {
			await emulator.call('reset');
			const user = account(url);
			await emulator.call('addUser', user);
			return { ...user, ...settings, rows: 50_000 };
		}),
	);
	addRow('L1. Onboard 50,000 devices (CSV → 50 jobs → results)', roundTripMs, measured, (network) => onboardLimit(network, 50_000, uploadBytes), settings);
}

async function getResults(roundTripMs: number): Promise<void> {
	log(`L2. Get Results of 20 finished jobs of 1000 devices, round trip ${roundTripMs} ms`);
	const measured = await withSides('L2', [], PROCESSING, roundTripMs, async (sides, emulator, url) => {
		const { user, jobIds } = await pausedJobs(emulator, url, 20, 1000);
		await emulator.call('settle');
		return await measure('getResults', sides, emulator, async () => ({ ...user, jobIds, expected: 20_000 }));
	});
	addRow('L2. Get Results, 20 finished jobs (20 items)', roundTripMs, measured, (network) => resultsLimit(network, 20, 1000));
}

async function waitForCompletion(roundTripMs: number): Promise<void> {
	log(`L3. Wait for Completion of 50 jobs of 1000 devices, round trip ${roundTripMs} ms`);
	const settings = nodeSettings(['pollInterval']);
	const measured = await withSides('L3', [], PROCESSING, roundTripMs, async (sides, emulator, url) =>
		await measure('waitResults', sides, emulator, async () => {
			const { user, jobIds } = await pausedJobs(emulator, url, 50, 1000);
			// HERE starts on the 50 jobs as the wait begins.
			await emulator.call('setProcessing', PROCESSING);
			return { ...user, ...settings, jobIds, expected: 50_000 };
		}),
	);
	addRow('L3. Wait for Completion, 50 jobs just uploaded', roundTripMs, measured, (network) => waitLimit(network, 50, 1000), settings);
}

async function trigger(roundTripMs: number): Promise<void> {
	log(`L4. Trigger poll: 50 jobs of 100 devices that finished together, round trip ${roundTripMs} ms`);
	const measured = await withSides('L4', [], PROCESSING, roundTripMs, async (sides, emulator, url) =>
		await measure('triggerPoll', sides, emulator, async (side) => {
			await emulator.call('reset');
			await emulator.call('setProcessing', { mode: 'manual' });
			const user = account(url);
			await emulator.call('addUser', user);
			if (side === 'node') {
				await sides.node.call('triggerActivate', { ...user, acknowledge: false });
				await sides.node.call('triggerTick'); // the first scheduled poll stores the baseline
			}
			await emulator.call('seedJobs', { email: user.email, count: 50, devicesPerJob: 100, prefix: 'finished' });
			await emulator.call('settle'); // all 50 finish at once
			return { ...user, expected: 5000 };
		}),
	);
	addRow('L4. Trigger poll, 50 jobs finished together', roundTripMs, measured, (network) => triggerLimit(network, 50, 100));
}

async function syncPlan(roundTripMs: number): Promise<void> {
	log(`L5. Sync plan over 50,000 devices (dry run), round trip ${roundTripMs} ms`);
	const measured = await withSides('L5', [], { mode: 'instant' }, roundTripMs, async (sides, emulator, url) => {
		const user = account(url);
		await emulator.call('addUser', user);
		await seedSyncProject(emulator, url, user.email);
		return await measure('syncPlan', sides, emulator, async () => ({ ...user }));
	});
	addRow('L5. Sync plan, 50,000 devices (dry run)', roundTripMs, measured, (network) => syncPlanLimit(network, SYNC_PROJECT.devices));
}

const SCENARIOS = [onboard, getResults, waitForCompletion, trigger, syncPlan];

export async function latencySuite(roundTripsMs: number[]): Promise<void> {
	for (const roundTripMs of roundTripsMs) {
		for (const [index, scenario] of SCENARIOS.entries()) if (session.options.only.has(index + 1)) await scenario(roundTripMs);
	}
}

export function latencyTable(): string {
	const header = ['Scenario', 'Round trip', 'Node (median)', 'Reference (median)', 'Schedule limit', 'Node / limit', 'Node / reference', 'Limit, new connection per request', 'Node / that limit', 'Requests node / ref', 'Connections node / ref', '429s node / ref', 'Target', 'Met'];
	const body = latencyRows.map((row) => [
		row.scenario,
		`${row.roundTripMs} ms`,
		ms(row.node),
		ms(row.reference),
		ms(row.limit),
		ratio(row.node / row.limit),
		ratio(row.node / row.reference),
		ms(row.limitNewConnections),
		ratio(row.node / row.limitNewConnections),
		`${row.requestsNode} / ${row.requestsReference}`,
		`${row.connectionsNode} / ${row.connectionsReference}`,
		`${row.tooManyNode} / ${row.tooManyReference}`,
		row.target,
		row.met ? 'yes' : 'NO',
	]);
	return table(header, body);
}
