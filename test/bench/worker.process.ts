/**
 * One side of the benchmark in a process of its own (forked by run.ts): `node` loads n8n-core
 * and the built package, `reference` only the reference client. Each run is timed and its
 * peak RSS recorded above this process's idle baseline (measured once everything is loaded).
 */
import { serve } from './lib/ipc';
import { PeakRss, rssNow, settleHeap } from './lib/memory';
import { profiled } from './lib/profile';
import * as scenarios from './scenarios/scenarios';
import type { Outcome } from './scenarios/scenarios';
import { nodeSyncPlan, referenceSyncPlan } from './scenarios/sync';
import { referenceTriggerPoll } from './scenarios/triggerReference';

/** `floor`: the reference client's requests through n8n's HTTP helper (see reference/client.ts). */
type Side = 'node' | 'reference' | 'floor';
type Runner = (params: never) => Promise<Outcome & { ms: number }>;

const RUNNERS: Record<string, Partial<Record<Side, Runner>>> = {
	onboard: { node: scenarios.nodeOnboard, reference: scenarios.referenceOnboard, floor: scenarios.referenceOnboard },
	validate: { node: scenarios.nodeValidate, reference: scenarios.referenceValidate },
	keys: { node: scenarios.nodeKeys },
	getResults: { node: scenarios.nodeGetResults, reference: scenarios.referenceGetResults, floor: scenarios.referenceGetResults },
	waitResults: { node: scenarios.nodeWaitResults, reference: scenarios.referenceWaitResults, floor: scenarios.referenceWaitResults },
	waitLatency: { node: scenarios.nodeWaitLatency },
	syncPlan: { node: nodeSyncPlan, reference: referenceSyncPlan, floor: referenceSyncPlan },
	// Loaded on use: the trigger's harness would otherwise count in every side's idle memory.
	triggerPoll: { node: async (params) => await (await import('./scenarios/trigger')).nodeTriggerPoll(params), reference: referenceTriggerPoll },
};

let side: Side = 'node';
let idleRss = 0;
let idleHeap = 0;
let runCount = 0;
/** Set by run.ts --profile: every run of this process is profiled into this folder. */
const PROFILE_DIR = process.env.BENCH_PROFILE_DIR || undefined;

export interface RunReport extends Outcome {
	ms: number;
	/** Highest RSS during the run, minus the process's idle RSS (everything loaded, nothing run). */
	peakAboveIdle: number;
	peakRss: number;
	idleRss: number;
	rssMethod: string;
	/** Heap the run's output (items, rows) still takes once everything else is collected; needs --expose-gc. */
	outputHeap?: number;
	/** Epoch ms at the start and the end of the timed part, to place the emulator's request log. */
	startedAt: number;
	endedAt: number;
}

serve({
	/** Loads what the side needs, so that the idle baseline includes it. */
	async init(payload: { side: Side; csvRows?: number[] }) {
		side = payload.side;
		if (side === 'node' || side === 'floor') {
			const { nodeEngine } = await import('./scenarios/nodeSide');
			await nodeEngine();
			await import('../../nodes/HereBulkJobs/devices');
		} else {
			await import('csv-parse/sync');
		}
		for (const rows of payload.csvRows ?? []) scenarios.csvOf(rows);
		await settleHeap();
		idleRss = rssNow();
		idleHeap = process.memoryUsage().heapUsed;
		return { idleRss, idleHeap };
	},
	async run({ scenario, params }: { scenario: string; params: Record<string, unknown> }): Promise<RunReport> {
		const runner = RUNNERS[scenario]?.[side];
		if (!runner) throw new Error(`no ${side} side for scenario ${scenario}`);
		await settleHeap();
		const heapBefore = process.memoryUsage().heapUsed;
		const tracker = PeakRss.start();
		runCount++;
		const startedAt = Date.now();
		const input = side === 'floor' ? { ...params, floor: true } : params;
		const outcome = await profiled(PROFILE_DIR, `${scenario}-${side}-${runCount}`, async () => await runner(input as never));
		const endedAt = Date.now();
		const peakRss = await tracker.stop();
		let outputHeap: number | undefined;
		if (outcome.output !== undefined) {
			await settleHeap();
			outputHeap = process.memoryUsage().heapUsed - heapBefore;
		}
		const { output: _output, ...report } = outcome;
		return { ...report, outputHeap, peakRss, idleRss, peakAboveIdle: peakRss - idleRss, rssMethod: tracker.method, startedAt: outcome.startedAt ?? startedAt, endedAt };
	},
	/** RSS and heap after full collections: run N of the leak check. */
	async settled() {
		await settleHeap();
		const usage = process.memoryUsage();
		return { rss: rssNow(), heapUsed: usage.heapUsed, idleHeap, external: usage.external, arrayBuffers: usage.arrayBuffers };
	},
	async triggerActivate(params: Parameters<typeof import('./scenarios/trigger').triggerActivate>[0]) {
		const { triggerActivate } = await import('./scenarios/trigger');
		return await triggerActivate(params);
	},
	async triggerTick() {
		const { triggerTick } = await import('./scenarios/trigger');
		return await triggerTick();
	},
});
