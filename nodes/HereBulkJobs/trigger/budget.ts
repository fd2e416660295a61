import type { RetryPolicy } from '../transport';

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

	constructor(
		readonly budgetMs: number,
		private readonly now: () => number = Date.now,
	) {
		this.startedAt = now();
		this.handOverMs = Math.min(5_000, budgetMs * 0.1);
	}

	elapsedMs(): number {
		return this.now() - this.startedAt;
	}

	remainingMs(): number {
		return this.budgetMs - this.elapsedMs() - this.handOverMs;
	}

	/** For a single request (a list page, an acknowledgement): any time left at all. */
	allowsRequest(): boolean {
		return this.remainingMs() > 0;
	}

	/** For one more job (its status and every results page): as long as the longest one so far took. */
	allowsJob(): boolean {
		return this.remainingMs() > this.longestJobMs;
	}

	recordJob(durationMs: number): void {
		this.longestJobMs = Math.max(this.longestJobMs, durationMs);
	}

	/**
	 * Retries that fit the time left. A short budget also shortens the backoff steps, so a
	 * fault early in a poll still leaves time for the work after it; HERE's Retry-After is
	 * honoured up to the same cap.
	 */
	retry(): { retry: Partial<RetryPolicy> } {
		return {
			retry: {
				budgetMs: Math.max(0, this.remainingMs()),
				baseDelayMs: clamp(this.budgetMs / 200, 20, 500),
				maxDelayMs: clamp(this.budgetMs / 20, 100, 15_000),
			},
		};
	}
}

function clamp(value: number, min: number, max: number): number {
	return Math.min(max, Math.max(min, Math.round(value)));
}
