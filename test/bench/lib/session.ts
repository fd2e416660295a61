import * as path from 'node:path';

/** What one `npm run bench` invocation is doing: its options, and the table and figures it collects. */

export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const OUT = path.join(ROOT, 'bench-results');

export interface Options {
	runs: number;
	warmup: number;
	only: Set<number>;
	profile: boolean;
	/** Latency table: write each measured run's request log and jobs under bench-results/traces/. */
	trace?: boolean;
	/** Round trips (ms) of the latency table; undefined: the instant-emulator table. */
	latency?: number[];
	/** The latency table's quota, requests a second (undefined: the default rate limit, 100). */
	quota?: number;
	/** The node's Parallel Uploads in L1 and Poll Interval (seconds) in L1 and L3 (undefined: its defaults), to weigh the defaults. */
	uploads?: number;
	pollInterval?: number;
}

/** One row of the printed table. */
export interface Row {
	scenario: string;
	node: number;
	reference?: number;
	ratio?: number;
	peakNode?: number;
	peakReference?: number;
	requestsNode?: number;
	requestsReference?: number;
	/** The reference client on n8n's HTTP helper (median), and node / that. */
	floor?: number;
	nodeOverFloor?: number;
	target: string;
	met?: boolean;
	note?: string;
}

export const session = {
	options: { runs: 5, warmup: 1, only: new Set([1, 2, 3, 4, 5, 6, 7]), profile: false } as Options,
	rows: [] as Row[],
	details: {} as Record<string, unknown>,
};

export function log(text: string): void {
	process.stdout.write(`${text}\n`);
}
