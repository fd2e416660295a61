import { performance } from 'node:perf_hooks';

/**
 * HERE answers 429 to a client that asks too much, sometimes with `Retry-After` and sometimes
 * without (API notes). Off unless configured; the limits are assumptions (HERE publishes none).
 * A client is one access token (one user), or one address for calls without a token (login).
 */
export interface RateLimitOptions {
	/** Requests of one client being handled at once (arrival to answer, network time included). */
	maxInFlight?: number;
	/** Requests of one client accepted in any one second. */
	maxPerSecond?: number;
	/** Whether a 429 carries `Retry-After: 1` (default true). */
	retryAfter?: boolean;
}

/** 20 at once and 100 a second: generous for one integration, tight enough that a flood of parallel calls meets 429s. */
export const DEFAULT_RATE_LIMIT: Required<Omit<RateLimitOptions, 'retryAfter'>> = { maxInFlight: 20, maxPerSecond: 100 };

export type Admission = { allowed: true; release(): void } | { allowed: false; retryAfterSeconds?: number; release(): void };

interface ClientLoad {
	inFlight: number;
	/** Arrival times (ms) of the requests accepted within the last second, oldest first. */
	arrivals: number[];
}

const WINDOW_MS = 1000;

export class RateLimiter {
	readonly options: Required<RateLimitOptions>;
	private readonly clients = new Map<string, ClientLoad>();
	private refusedCount = 0;

	constructor(options: RateLimitOptions) {
		const { maxInFlight = Infinity, maxPerSecond = Infinity, retryAfter = true } = options;
		for (const [name, value] of Object.entries({ maxInFlight, maxPerSecond })) {
			if (!(value >= 1)) throw new RangeError(`rateLimit.${name} must be at least 1`);
		}
		this.options = { maxInFlight, maxPerSecond, retryAfter };
	}

	/** 429 answers given so far. */
	get refused(): number {
		return this.refusedCount;
	}

	/** Admits or refuses one request of `client`; call `release()` once its answer has gone. */
	admit(client: string, now = performance.now()): Admission {
		let load = this.clients.get(client);
		if (!load) this.clients.set(client, (load = { inFlight: 0, arrivals: [] }));
		while (load.arrivals.length > 0 && load.arrivals[0] <= now - WINDOW_MS) load.arrivals.shift();
		if (load.inFlight >= this.options.maxInFlight || load.arrivals.length >= this.options.maxPerSecond) {
			this.refusedCount++;
			return { allowed: false, ...(this.options.retryAfter ? { retryAfterSeconds: 1 } : {}), release: () => undefined };
		}
		load.inFlight++;
		load.arrivals.push(now);
		const counted = load;
		let released = false;
		return {
			allowed: true,
			release: () => {
				if (released) return;
				released = true;
				counted.inFlight--;
			},
		};
	}
}
