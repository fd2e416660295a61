import { sleep } from 'n8n-workflow';

/**
 * Requests to HERE in flight at once from one node run (all its items, uploads, status checks,
 * listings and result pages together) or from one trigger activation (its polls share them).
 * The others wait for a place, in the order they came. README, Performance: why this many.
 */
export const REQUESTS_IN_FLIGHT = 20;

/** A run that HERE slowed down gets one place back after this long without a refusal. */
const GROWTH_MS = 1000;

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

/**
 * The places of one run. When HERE says it gets too much (429, or 503, its other quota answer),
 * the whole run slows down, not only the request it refused: nobody sends until the wait HERE
 * asked for is over, the places are halved (down to one), and they come back one for every second
 * without a refusal (quotas count requests a second). A refused request keeps its place, or, when
 * the run now has fewer places than requests in them, gets the next free one before any request
 * that was not refused. Without this, the other places kept HERE's window full while a refused
 * request waited, and under a tight quota it could be refused five times and fail the run.
 */
export class RunPlaces {
	private places = REQUESTS_IN_FLIGHT;
	private active = 0;
	/** Refused requests waiting for a place: served before `waiting`, each in the order it came. */
	private readonly refusedWaiting: Array<() => void> = [];
	private readonly waiting: Array<() => void> = [];
	private pausedUntil = 0;
	/** When the places were last halved: only a request sent after it can halve them again. */
	private halvedAt = 0;
	/** From when the places come back, one a second. */
	private regrowFrom = 0;

	/** A place for one request, in the order asked; call the answer to give it back. */
	async take(): Promise<() => void> {
		this.regrow(); // places that came back go to those already waiting first
		if (this.active < this.places && this.waiting.length === 0 && this.refusedWaiting.length === 0) this.active++;
		else await new Promise<void>((resolve) => this.waiting.push(resolve));
		let given = false;
		return () => {
			if (given) return;
			given = true;
			this.active--;
			this.admit();
		};
	}

	/**
	 * Resolves once no wait HERE asked for is in force: true, or false at once when that wait ends
	 * at or after `latestSendAt` (the caller must then not send).
	 */
	async sendable(latestSendAt: number): Promise<boolean> {
		while (Date.now() < this.pausedUntil) {
			if (this.pausedUntil >= latestSendAt) return false;
			await sleep(this.pausedUntil - Date.now());
		}
		return true;
	}

	/** How long the run still waits before anybody may send. */
	pauseLeftMs(): number {
		return Math.max(0, this.pausedUntil - Date.now());
	}

	/** HERE refused a request of this run, sent at `sentAt`, and asked for a wait of `waitMs`. */
	refused(sentAt: number, waitMs: number): void {
		const now = Date.now();
		// Requests sent in the same burst are refused together: one sign, one halving.
		if (sentAt >= this.halvedAt) {
			this.places = Math.max(1, Math.floor(this.places / 2));
			this.halvedAt = now;
		}
		this.pausedUntil = Math.max(this.pausedUntil, now + waitMs);
		this.regrowFrom = this.pausedUntil;
	}

	/** HERE answered a request of this run without refusing it. */
	answered(): void {
		this.regrow();
	}

	/** After a refusal, in its place: keeps it while the run has room for it, else waits for the next free one. */
	async keepOrRequeue(): Promise<void> {
		if (this.active <= this.places) return;
		this.active--;
		await new Promise<void>((resolve) => this.refusedWaiting.push(resolve));
	}

	private regrow(): void {
		const regained = Math.floor((Date.now() - this.regrowFrom) / GROWTH_MS);
		if (regained < 1 || this.places >= REQUESTS_IN_FLIGHT) return;
		this.places = Math.min(REQUESTS_IN_FLIGHT, this.places + regained);
		this.regrowFrom += regained * GROWTH_MS;
		this.admit();
	}

	/** Hands free places to the waiting requests: the refused ones first, each list in its order. */
	private admit(): void {
		while (this.active < this.places) {
			const next = this.refusedWaiting.shift() ?? this.waiting.shift();
			if (next === undefined) return;
			this.active++;
			next();
		}
	}
}

// Keyed by n8n's context object: one per node run (shared by its items), one per trigger
// activation (n8n hands every poll of an activation the same context).
const runs = new WeakMap<object, RunPlaces>();

/** The places shared by every request made with this n8n context. */
export function requestsInFlight(context: object): RunPlaces {
	let places = runs.get(context);
	if (!places) runs.set(context, (places = new RunPlaces()));
	return places;
}
