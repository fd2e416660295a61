/**
 * Requests to HERE in flight at once from one node run (all its items, uploads, status checks,
 * listings and result pages together) or from one trigger activation (its polls share them).
 * The others wait for a place, in the order they came. README, Performance: why this many.
 */
export const REQUESTS_IN_FLIGHT = 20;

export type Limit = <T>(call: () => Promise<T>) => Promise<T>;

/**
 * Runs the calls given to it with at most `concurrency` in flight, the others queued in the
 * order they came: also for work that arrives over time (a job's results once it has finished).
 */
export function concurrencyLimit(concurrency: number): Limit {
	let active = 0;
	const queued: Array<() => void> = [];
	return async (call) => {
		// A finished call hands its place straight to the next queued one, so none can slip in between.
		if (active >= concurrency) await new Promise<void>((resolve) => queued.push(resolve));
		else active++;
		try {
			return await call();
		} finally {
			const next = queued.shift();
			if (next) next();
			else active--;
		}
	};
}

// Keyed by n8n's context object: one per node run (shared by its items), one per trigger
// activation (n8n hands every poll of an activation the same context).
const limits = new WeakMap<object, Limit>();

/** The places shared by every request made with this n8n context. */
export function requestsInFlight(context: object): Limit {
	let limit = limits.get(context);
	if (!limit) limits.set(context, (limit = concurrencyLimit(REQUESTS_IN_FLIGHT)));
	return limit;
}
