import type { IPollFunctions } from 'n8n-workflow';

import type { RetryPolicy } from '../transport';

/** n8n's own default poll budget, for n8n versions whose poll context has no getPollBudgetMs (1.x). */
export const DEFAULT_POLL_BUDGET_MS = 5 * 60_000;

export function pollBudgetMs(context: IPollFunctions): number {
	const budget = typeof context.getPollBudgetMs === 'function' ? context.getPollBudgetMs() : DEFAULT_POLL_BUDGET_MS;
	return Number.isFinite(budget) && budget > 0 ? budget : DEFAULT_POLL_BUDGET_MS;
}

/**
 * The time a poll may spend (`getPollBudgetMs()`), turned into the two questions a poll asks:
 * "may I start this piece of work?" and "how long may the transport retry this request?".
 * A poll stops starting work early enough to hand over what it has, and leaves the rest for the
 * next poll; it never keeps retrying past its budget.
 */
export class PollBudget {
	private readonly startedAt: number;
	/** Work only starts while this much of the budget is left: room to build and hand over the items. */
	private readonly handOverMs: number;
	private longestJobMs = 0;
	private longestRequestMs = 0;

	constructor(readonly budgetMs: number) {
		this.startedAt = Date.now();
		this.handOverMs = Math.min(5_000, budgetMs * 0.1);
	}

	elapsedMs(): number {
		return Date.now() - this.startedAt;
	}

	remainingMs(): number {
		return this.budgetMs - this.elapsedMs() - this.handOverMs;
	}

	/** For one more single request (a list page, an acknowledgement): as long as the longest one so far took. */
	allowsRequest(): boolean {
		return this.remainingMs() > Math.max(0, this.longestRequestMs);
	}

	recordRequest(durationMs: number): void {
		this.longestRequestMs = Math.max(this.longestRequestMs, durationMs);
	}

	/** For one more job (its status and every results page): as long as the longest one so far took. */
	allowsJob(): boolean {
		return this.remainingMs() > this.longestJobMs;
	}

	recordJob(durationMs: number): void {
		this.longestJobMs = Math.max(this.longestJobMs, durationMs);
	}

	/**
	 * Retries that fit the time left, and answers awaited no longer than it (a slow HERE must not
	 * keep a poll past its budget: n8n would drop all of its work). A short budget also shortens
	 * the backoff steps, so a fault early in a poll still leaves time for the work after it;
	 * HERE's Retry-After is honoured up to the same end.
	 */
	retry(): { retry: Partial<RetryPolicy> } {
		return {
			retry: {
				deadlineAt: this.startedAt + this.budgetMs - this.handOverMs,
				baseDelayMs: clamp(this.budgetMs / 200, 20, 500),
				maxDelayMs: clamp(this.budgetMs / 20, 100, 15_000),
			},
		};
	}
}

function clamp(value: number, min: number, max: number): number {
	return Math.min(max, Math.max(min, Math.round(value)));
}
