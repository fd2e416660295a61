/**
 * When a failed HERE call may be sent again. Kept apart from the HTTP code so the rules read
 * as a table and can be tested on their own.
 */

/** `safe`: reads and state changes that HERE applies at most once (GET, PATCH).
 * `create`: a POST that creates a job; sending it twice can make two jobs. */
export type RequestKind = 'safe' | 'create';

export interface RetryPolicy {
	/** Attempts in all, the first included. */
	maxAttempts: number;
	/** First backoff delay; doubled on each retry, with jitter. */
	baseDelayMs: number;
	/** Cap of the exponential backoff. A Retry-After from HERE is honoured as it is, within the budget. */
	maxDelayMs: number;
	/** No retry starts once this much time has passed since the first attempt. */
	budgetMs: number;
	/**
	 * A time (ms since the epoch) by which the caller must have its answer, such as the end of a
	 * trigger poll's budget: no retry starts after it, and no attempt waits for HERE past it.
	 */
	deadlineAt?: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
	maxAttempts: 5,
	baseDelayMs: 500,
	maxDelayMs: 15_000,
	budgetMs: 60_000,
};

/** Error codes of a connection that never reached HERE: safe to retry even for a create. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

export interface FailureFacts {
	/** HTTP status, or undefined when no answer came. */
	status?: number;
	/** Network error code when no answer came. */
	code?: string;
	/** 2xx answer whose body could not be read as JSON. */
	unreadableBody?: boolean;
}

export function isNetworkFailure(facts: FailureFacts): boolean {
	return facts.status === undefined && !facts.unreadableBody;
}

/** HERE's answers when a user asks too much (its quota answers 429 or 503): the whole run slows down. */
export function isRefusal(status: number | undefined): boolean {
	return status === 429 || status === 503;
}

/** True when the server certainly did not act on the request. */
export function certainlyNotProcessed(facts: FailureFacts): boolean {
	if (isRefusal(facts.status)) return true;
	return facts.status === undefined && facts.code !== undefined && NOT_SENT_CODES.has(facts.code);
}

export function isRetryable(kind: RequestKind, facts: FailureFacts): boolean {
	if (kind === 'create') return certainlyNotProcessed(facts);
	if (facts.unreadableBody) return true;
	if (facts.status !== undefined) {
		return facts.status === 429 || (facts.status >= 500 && facts.status !== 501);
	}
	// Any connection failure: a GET or PATCH can be repeated without harm.
	return true;
}

/** A longer Retry-After is read as this: it still stops every request, and every date stays one JavaScript can write. */
const MAX_RETRY_AFTER_MS = 24 * 3600 * 1000;

/** Seconds or an HTTP date, as RFC 9110 allows, at most a day; undefined when absent or unreadable. */
export function parseRetryAfterMs(header: unknown, now = Date.now()): number | undefined {
	const value = Array.isArray(header) ? header[0] : header;
	if (typeof value !== 'string' && typeof value !== 'number') return undefined;
	const text = String(value).trim();
	const ms = /^\d+(\.\d+)?$/.test(text) ? Math.round(Number(text) * 1000) : Date.parse(text) - now;
	return Number.isNaN(ms) ? undefined : Math.min(MAX_RETRY_AFTER_MS, Math.max(0, ms));
}

/** "HERE asked to wait 120 s (Retry-After): try again after 2026-01-10T12:02:00Z." */
export function tryAgainAfter(retryAfterMs: number): string {
	const when = new Date(Date.now() + retryAfterMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
	return `HERE asked to wait ${Math.ceil(retryAfterMs / 1000)} s (Retry-After): try again after ${when}.`;
}

/**
 * The wait before retry number `retry` (1 = first retry): HERE's Retry-After when it asks for a
 * wait, else (also for a Retry-After of 0 or a date already past, which would send every retry at
 * once) the exponential backoff.
 */
export function backoffDelayMs(policy: RetryPolicy, retry: number, retryAfterMs: number | undefined, random = Math.random): number {
	if (retryAfterMs !== undefined && retryAfterMs > 0) return retryAfterMs;
	const exponential = policy.baseDelayMs * 2 ** (retry - 1);
	// Full jitter on the upper half keeps parallel chunk uploads from retrying in lockstep.
	const jittered = exponential / 2 + (exponential / 2) * random();
	return Math.min(Math.round(jittered), policy.maxDelayMs);
}
