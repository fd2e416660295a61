import * as path from 'node:path';

import type { EmulatorOptions, ProcessingOptions } from '../../../emulator';
import type { RequestCounts } from '../emulator.process';
import type { RunReport } from '../worker.process';
import { Child } from './ipc';
import { OUT, session } from './session';
import type { Row } from './session';
import { max, median } from './stats';

/**
 * Running sides side by side: the emulator process, one worker process per side, rounds in
 * rotating order, and the figures of each run (time, peak RSS, requests, phases).
 */

let userCounter = 0;

/** A new emulator user with a project of its own (the emulator is reset between runs, the names never repeat). */
export function account(baseUrl: string) {
	userCounter++;
	return { baseUrl, email: `bench${userCounter}@example.com`, password: 'bench-password-not-secret', projectId: `bench-project-${userCounter}` };
}

/** The emulator in its own process, seeded so that list orders and ids repeat from run to run; `models`: latency and rate limit. */
export async function startEmulator(processing: ProcessingOptions, models: Pick<EmulatorOptions, 'latency' | 'rateLimit'> = {}): Promise<{ emulator: Child; url: string }> {
	const emulator = await Child.start('emulator', 'emulator.process.ts');
	const url = await emulator.call<string>('init', { processing, seed: 4242, ...models } satisfies EmulatorOptions);
	return { emulator, url };
}

export type Side = 'node' | 'reference' | 'floor';

/** A worker process for one side, everything loaded, its idle RSS measured. */
export async function startSide(side: Side, label: string, csvRows: number[] = []): Promise<Child> {
	// --profile: each measured run writes a CPU and a heap profile (both sides, for comparison).
	const env = session.options.profile ? { BENCH_PROFILE_DIR: path.join(OUT, 'profiles', label) } : {};
	const child = await Child.start(`${side} (${label})`, 'worker.process.ts', { nodeFlags: ['--expose-gc'], env });
	await child.call('init', { side, csvRows });
	return child;
}

export interface Paired {
	node: RunReport[];
	reference: RunReport[];
	floor: RunReport[];
	requestsNode: RequestCounts[];
	requestsReference: RequestCounts[];
	requestsFloor: RequestCounts[];
	settledNode: Array<{ rss: number; heapUsed: number; idleHeap: number }>;
}

export function emptyPaired(): Paired {
	return { node: [], reference: [], floor: [], requestsNode: [], requestsReference: [], requestsFloor: [], settledNode: [] };
}

const REQUESTS_OF = { node: 'requestsNode', reference: 'requestsReference', floor: 'requestsFloor' } as const;

/**
 * Warm-up plus `runs` rounds; each round runs every side once, the order rotating from round to
 * round. `prepare` sets the emulator up before each single run and returns the run's parameters.
 */
export async function paired(
	scenario: string,
	sides: { node: Child; reference: Child; floor?: Child },
	emulator: Child | undefined,
	prepare: () => Promise<Record<string, unknown>>,
	settle = false,
): Promise<Paired> {
	const out = emptyPaired();
	const present = (['node', 'reference', 'floor'] as const).filter((side) => sides[side] !== undefined);
	for (let round = 0; round < session.options.warmup + session.options.runs; round++) {
		const order = present.map((_, index) => present[(index + round) % present.length]);
		for (const side of order) {
			const params = await prepare();
			await emulator?.call('clearRequests');
			const report = await sides[side]!.call<RunReport>('run', { scenario, params });
			const requests: RequestCounts = emulator ? await emulator.call<RequestCounts>('requests') : { total: 0, byKind: {}, spans: {}, tooMany: 0, connections: 0 };
			const settled = settle && side === 'node' ? await sides.node.call<{ rss: number; heapUsed: number; idleHeap: number }>('settled') : undefined;
			if (round < session.options.warmup) continue;
			out[side].push(report);
			out[REQUESTS_OF[side]].push(requests);
			if (settled) out.settledNode.push(settled);
		}
		process.stdout.write('.');
	}
	process.stdout.write('\n');
	return out;
}

/** Why the node's request count differs from the reference's, when it does. */
function requestNote(result: Paired): string | undefined {
	const node = median(result.requestsNode.map((r) => r.total));
	const reference = median(result.requestsReference.map((r) => r.total));
	if (!node || node === reference) return undefined;
	const logins = median(result.requestsNode.map((r) => r.byKind.login ?? 0));
	const referenceLogins = median(result.requestsReference.map((r) => r.byKind.login ?? 0));
	if (node - logins === reference - referenceLogins) {
		return `the node made ${logins} logins to the reference's ${referenceLogins}: with a fresh credential, n8n runs the credential's login for each of the first concurrent requests (the same happens to the n8n floor)`;
	}
	return `request counts differ: ${node} vs ${reference}`;
}

/** A row of the instant table; `basis`: whose time the target divides by (the reference client's, or n8n's floor). */
export function pairedRow(scenario: string, result: Paired, target: number, targetText: string, basis: 'reference' | 'floor' = 'reference'): Row {
	const node = median(result.node.map((r) => r.ms));
	const reference = median(result.reference.map((r) => r.ms));
	const requestsNode = median(result.requestsNode.map((r) => r.total));
	const requestsReference = median(result.requestsReference.map((r) => r.total));
	const value = node / reference;
	const floor = result.floor.length ? median(result.floor.map((r) => r.ms)) : undefined;
	return {
		scenario,
		floor,
		nodeOverFloor: floor === undefined ? undefined : node / floor,
		node,
		reference,
		ratio: value,
		peakNode: max(result.node.map((r) => r.peakAboveIdle)),
		peakReference: max(result.reference.map((r) => r.peakAboveIdle)),
		requestsNode: requestsNode || undefined,
		requestsReference: requestsReference || undefined,
		target: targetText,
		met: (basis === 'floor' && floor !== undefined ? node / floor : value) <= target,
		note: requestNote(result),
	};
}

/**
 * Where a run's time went, from the emulator's request log: before the first upload (reading and
 * validating), uploads, status checks, result pages, and after the last request (building the
 * output). Medians over the runs, in ms.
 */
export function phases(reports: RunReport[], requests: RequestCounts[]) {
	const parts = reports.map((report, index) => {
		const spans = requests[index]?.spans ?? {};
		const firstCall = Math.min(...Object.values(spans).map((span) => span![0]));
		const lastCall = Math.max(...Object.values(spans).map((span) => span![1]));
		const length = (kind: keyof RequestCounts['spans']) => (spans[kind] ? spans[kind]![1] - spans[kind]![0] : 0);
		return {
			beforeFirstRequest: firstCall - report.startedAt,
			uploads: length('upload'),
			status: length('status'),
			results: length('results'),
			afterLastRequest: report.endedAt - lastCall,
		};
	});
	const keys = Object.keys(parts[0] ?? {}) as Array<keyof (typeof parts)[number]>;
	return Object.fromEntries(keys.map((key) => [key, Math.round(median(parts.map((part) => part[key])))]));
}

export function summary(result: Paired) {
	return {
		phasesNode: result.requestsNode.length ? phases(result.node, result.requestsNode) : undefined,
		phasesReference: result.requestsReference.length ? phases(result.reference, result.requestsReference) : undefined,
		phasesFloor: result.requestsFloor.length ? phases(result.floor, result.requestsFloor) : undefined,
		floorMs: result.floor.map((r) => Math.round(r.ms)),
		nodeMs: result.node.map((r) => Math.round(r.ms)),
		referenceMs: result.reference.map((r) => Math.round(r.ms)),
		pairRatios: result.node.map((r, i) => +(r.ms / result.reference[i].ms).toFixed(3)),
		nodePeakAboveIdle: result.node.map((r) => r.peakAboveIdle),
		referencePeakAboveIdle: result.reference.map((r) => r.peakAboveIdle),
		nodeIdleRss: result.node[0]?.idleRss,
		referenceIdleRss: result.reference[0]?.idleRss,
		rssMethod: result.node[0]?.rssMethod,
		requestsNode: result.requestsNode,
		requestsReference: result.requestsReference,
		requestsFloor: result.requestsFloor,
		settledNode: result.settledNode,
	};
}

// ---------------------------------------------------------------------------------------------
