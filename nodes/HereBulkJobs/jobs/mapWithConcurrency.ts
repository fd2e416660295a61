/**
 * Maps `inputs` with at most `concurrency` calls in flight, keeping the input order in the
 * output. The first failure stops new calls from starting; calls already running finish, and
 * the outcome of each input is reported so a caller can say exactly what was and was not done.
 */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown } | { ok: false; skipped: true };

export async function mapWithConcurrency<I, T>(
	inputs: readonly I[],
	concurrency: number,
	fn: (input: I, index: number) => Promise<T>,
): Promise<Array<Outcome<T>>> {
	const outcomes: Array<Outcome<T>> = inputs.map(() => ({ ok: false, skipped: true }));
	let next = 0;
	let stopped = false;
	const worker = async () => {
		while (!stopped && next < inputs.length) {
			const index = next++;
			try {
				outcomes[index] = { ok: true, value: await fn(inputs[index], index) };
			} catch (error) {
				outcomes[index] = { ok: false, error };
				stopped = true;
			}
		}
	};
	const workers = Array.from({ length: Math.max(1, Math.min(concurrency, inputs.length)) }, worker);
	await Promise.all(workers);
	return outcomes;
}

/** The values in order, or the first error. */
export function valuesOrThrow<T>(outcomes: Array<Outcome<T>>): T[] {
	return outcomes.map((outcome) => {
		if (outcome.ok) return outcome.value;
		if ('error' in outcome) throw outcome.error;
		throw new Error('A call was skipped after an earlier failure');
	});
}
