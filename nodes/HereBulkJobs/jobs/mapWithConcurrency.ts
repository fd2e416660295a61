import { concurrencyLimit } from '../transport';

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown } | { ok: false; skipped: true };

/**
 * Maps `inputs` with at most `concurrency` calls in flight, keeping the input order in the
 * output. The first failure stops new calls from starting (unless `stopOnFailure` is false);
 * calls already running finish, and the outcome of each input is reported so a caller can say
 * exactly what was and was not done.
 */
export async function mapWithConcurrency<I, T>(
	inputs: readonly I[],
	concurrency: number,
	fn: (input: I, index: number) => Promise<T>,
	options: { stopOnFailure?: boolean } = {},
): Promise<Array<Outcome<T>>> {
	const limit = concurrencyLimit(concurrency);
	let stopped = false;
	return await Promise.all(
		inputs.map(async (input, index) =>
			await limit(async (): Promise<Outcome<T>> => {
				if (stopped) return { ok: false, skipped: true };
				try {
					return { ok: true, value: await fn(input, index) };
				} catch (error) {
					stopped = options.stopOnFailure !== false;
					return { ok: false, error };
				}
			}),
		),
	);
}

/** The values in order, or the first error. */
export function valuesOrThrow<T>(outcomes: Array<Outcome<T>>): T[] {
	return outcomes.map((outcome) => {
		if (outcome.ok) return outcome.value;
		if ('error' in outcome) throw outcome.error;
		throw new Error('A call was skipped after an earlier failure');
	});
}
