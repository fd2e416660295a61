import type { FaultKind, HereEmulator } from '../../../emulator';

/** Every fault the emulator can inject. */
export const ALL_FAULTS: FaultKind[] = ['429', '429-no-retry-after', '500', '502', '503', 'slow', 'drop', 'malformed-json'];

/**
 * Faults that may come after HERE did the work (the answer is lost or broken on the way back).
 * A 429 or 503 says the server did not take the request, so it never comes "after the effect":
 * the emulator could do it, HERE does not, and a client is right to resend then.
 */
export const AFTER_EFFECT_FAULTS: FaultKind[] = ['500', '502', 'slow', 'drop', 'malformed-json'];

/**
 * How many runs per flow (the issue asks for 50) and how many at once (each run has its own
 * emulator and seed). HERE_FAULTS_RUNS lowers the count for a quick local look; CI uses 50.
 */
export const RUNS_PER_FLOW = Number(process.env.HERE_FAULTS_RUNS) > 0 ? Number(process.env.HERE_FAULTS_RUNS) : 50;
export const PARALLEL_RUNS = 10;

/**
 * The seeds of a flow's runs: distinct across flows, the same on every machine. HERE_FAULTS_SEED_OFFSET
 * shifts them all, to explore other fault sequences locally; CI uses the fixed ones.
 */
const SEED_OFFSET = Number(process.env.HERE_FAULTS_SEED_OFFSET) || 0;

export function seedsFor(flow: number, runs = RUNS_PER_FLOW): number[] {
	return Array.from({ length: runs }, (_, run) => SEED_OFFSET + 10_000 * flow + run + 1);
}

/**
 * 20% of the requests on every endpoint (login included) fail with one of the fault kinds, drawn
 * from the seed. Odd seeds let the server do the work before the fault replaces its answer
 * (for the kinds where HERE can do that), even seeds inject faults where it did nothing.
 */
export function injectFaults(emulator: HereEmulator, seed: number, slowMs: number, match?: { method?: string; path?: RegExp }): { afterEffect: boolean } {
	const afterEffect = seed % 2 === 1;
	emulator.faults.setRate({
		rate: 0.2,
		kinds: afterEffect ? AFTER_EFFECT_FAULTS : ALL_FAULTS,
		seed,
		afterEffect,
		retryAfterSeconds: 0,
		slowMs,
		...(match ? { match } : {}),
	});
	return { afterEffect };
}

/** Every path but the one uploads go to: for tests about something else than a create's fate. */
export const EXCEPT_UPLOADS = /^(?!\/bulkjobs\/v4\/deviceUploads$)/;

/** Runs `task` over `inputs` with at most `limit` at once; results in input order. */
export async function pool<I, T>(inputs: readonly I[], limit: number, task: (input: I, index: number) => Promise<T>): Promise<T[]> {
	const results: T[] = new Array(inputs.length);
	let next = 0;
	const worker = async () => {
		while (next < inputs.length) {
			const index = next++;
			results[index] = await task(inputs[index], index);
		}
	};
	await Promise.all(Array.from({ length: Math.min(limit, inputs.length) }, worker));
	return results;
}

export function counts<T extends string>(values: readonly T[]): Record<string, number> {
	const out: Record<string, number> = {};
	for (const value of values) out[value] = (out[value] ?? 0) + 1;
	return out;
}

/** "median 1.2 s, max 4.0 s" of run times in milliseconds. */
export function timing(ms: readonly number[]): string {
	if (ms.length === 0) return 'no runs';
	const sorted = [...ms].sort((a, b) => a - b);
	const seconds = (value: number) => `${(value / 1000).toFixed(1)} s`;
	return `median ${seconds(sorted[Math.floor(sorted.length / 2)])}, max ${seconds(sorted[sorted.length - 1])}`;
}
