import { deriveSeed, Rng } from './ids';
import { FAULT_KINDS, type FaultKind } from './types';

export const DEFAULT_RETRY_AFTER_SECONDS = 1;
export const DEFAULT_SLOW_MS = 10_000;

export interface FaultMatch {
	method?: string;
	path?: RegExp;
}

interface FaultShaping {
	/**
	 * true: the request is handled (a job may be created) and only then is the response replaced
	 * by the fault: how a client's blind retry makes a duplicate job. false (default): the server
	 * did nothing (for `slow`, nothing happens unless the client is still waiting when the delay ends).
	 */
	afterEffect?: boolean;
	retryAfterSeconds?: number;
	slowMs?: number;
}

export interface FaultRateConfig extends FaultShaping {
	/** Probability in [0, 1] that a matching request gets a fault. */
	rate: number;
	kinds: FaultKind[];
	/** Seeds the dice; the same seed and the same requests give the same faults. */
	seed?: number;
	match?: FaultMatch;
}

export interface FaultScriptEntry extends FaultShaping {
	method?: string;
	path?: RegExp;
	kind: FaultKind;
	/** How many matching requests get this fault (default 1). */
	times?: number;
}

export interface FaultDecision {
	kind: FaultKind;
	afterEffect: boolean;
	retryAfterSeconds: number;
	slowMs: number;
}

interface ActiveRate {
	config: FaultRateConfig;
	rng: Rng;
}

interface ActiveScript {
	entry: FaultScriptEntry;
	remaining: number;
}

/** Decides, per API request, whether and how it fails. Script entries go first, then the rate. */
export class Faults {
	private rate: ActiveRate | undefined;
	private scripted: ActiveScript[] = [];
	private count = 0;

	constructor(private readonly defaultSeed: number) {}

	get injected(): number {
		return this.count;
	}

	setRate(config: FaultRateConfig | null): void {
		if (config === null) {
			this.rate = undefined;
			return;
		}
		if (!(config.rate >= 0 && config.rate <= 1)) throw new RangeError('faults.setRate: rate must be between 0 and 1');
		if (!Array.isArray(config.kinds) || config.kinds.length === 0) throw new RangeError('faults.setRate: kinds must name at least one fault');
		config.kinds.forEach(checkKind);
		checkShaping(config);
		this.rate = { config, rng: new Rng(deriveSeed(config.seed ?? this.defaultSeed, 'faults')) };
	}

	/** Appends entries: each applies to the next `times` requests that match it. */
	script(entries: FaultScriptEntry[]): void {
		for (const entry of entries) {
			checkKind(entry.kind);
			checkShaping(entry);
			const times = entry.times ?? 1;
			if (!Number.isInteger(times) || times < 1) throw new RangeError('faults.script: times must be a positive integer');
			this.scripted.push({ entry, remaining: times });
		}
	}

	clear(): void {
		this.rate = undefined;
		this.scripted = [];
	}

	/** Resets the counter too (emulator reset). */
	reset(): void {
		this.clear();
		this.count = 0;
	}

	decide(method: string, path: string): FaultDecision | undefined {
		const index = this.scripted.findIndex((s) => matches(s.entry, method, path));
		if (index >= 0) {
			const active = this.scripted[index];
			if (--active.remaining === 0) this.scripted.splice(index, 1);
			return this.inject(active.entry.kind, active.entry);
		}
		if (this.rate && matches(this.rate.config.match ?? {}, method, path)) {
			const { config, rng } = this.rate;
			// Two draws per matching request, always: the kind sequence stays reproducible even if the rate changes.
			const hit = rng.next() < config.rate;
			const kind = config.kinds[rng.int(config.kinds.length)];
			if (hit) return this.inject(kind, config);
		}
		return undefined;
	}

	private inject(kind: FaultKind, shaping: FaultShaping): FaultDecision {
		this.count++;
		return {
			kind,
			afterEffect: shaping.afterEffect ?? false,
			retryAfterSeconds: shaping.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS,
			slowMs: shaping.slowMs ?? DEFAULT_SLOW_MS,
		};
	}
}

function matches(match: FaultMatch, method: string, path: string): boolean {
	if (match.method !== undefined && match.method.toUpperCase() !== method.toUpperCase()) return false;
	if (match.path !== undefined) {
		match.path.lastIndex = 0; // a /g or /y regex keeps state between tests otherwise
		if (!match.path.test(path)) return false;
	}
	return true;
}

function checkKind(kind: FaultKind): void {
	if (!FAULT_KINDS.includes(kind)) throw new RangeError(`Unknown fault kind "${String(kind)}"; known: ${FAULT_KINDS.join(', ')}`);
}

function checkShaping(shaping: FaultShaping): void {
	if (shaping.retryAfterSeconds !== undefined && !(Number.isInteger(shaping.retryAfterSeconds) && shaping.retryAfterSeconds >= 0)) {
		throw new RangeError('retryAfterSeconds must be a non-negative integer');
	}
	if (shaping.slowMs !== undefined && !(shaping.slowMs >= 0)) throw new RangeError('slowMs must be a non-negative number');
}
