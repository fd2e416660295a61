import type { HereContext } from '../transport';
import type { Scope } from './api';
import { listJobPages } from './api';

/** With fewer open jobs than this, their own status checks cost no more than a listing. */
const MIN_OPEN_JOBS = 2;

/** Jobs a listing page holds (HERE's largest page). */
const PAGE_SIZE = 100;

/** A listing is read to at most this many jobs (10 pages), so that it holds up the wait's checks only briefly. */
const MAX_LISTED_JOBS = 1000;

/**
 * One listing of the project's running jobs (`status=pending&status=ongoing`, 100 a page) tells
 * a wait which of several followed jobs have left it and may have finished: they are checked at
 * once, instead of at the end of each one's doubling pause (README, Performance: why). The
 * listing only brings checks forward; a job's status is still what ends its wait, and each job's
 * own schedule goes on beside it.
 *
 * The first listing comes one poll interval after two jobs are open (each job is checked when it
 * comes anyway); the next ones at the poll interval while jobs leave the list, with pauses that
 * double like a job's while none does. A listing is one attempt, not retried: if it fails, or
 * would take more pages than there are open jobs to check (or more than MAX_LISTED_JOBS jobs),
 * the wait goes on with each job's own checks alone. A job that a listing misses while it still
 * runs (HERE's list order may change between calls) costs one status check.
 */
export class RunningJobsWatch {
	private nextAt: number | undefined;
	private delay: number | undefined;
	private off = false;
	/**
	 * Followed jobs seen running, by a listing or by their own status check: only these say
	 * something by missing from a listing. A job with neither may be too new to be listed.
	 */
	private readonly seenRunning = new Set<string>();

	constructor(
		private readonly context: HereContext,
		private readonly scope: Scope,
		/** The wait's doubling pause (`nextPollDelayMs` with its settings): undefined before gives the first. */
		private readonly nextDelay: (previousMs: number | undefined, remainingMs: number) => number,
		/** Aborted when the wait ends early: a listing under way stops after its page. */
		private readonly signal?: AbortSignal,
	) {}

	/** When the next listing is due; undefined when these open jobs are not listed. */
	dueAt(openJobs: number, remainingMs: number): number | undefined {
		if (this.off || openJobs < MIN_OPEN_JOBS) return undefined;
		this.nextAt ??= Date.now() + this.nextDelay(undefined, remainingMs);
		return this.nextAt;
	}

	/** A followed job's own status check found it pending or ongoing. */
	sawRunning(jobId: string): void {
		this.seenRunning.add(jobId);
	}

	/** Lists the running jobs and answers which of `openJobIds` were seen running before and are not listed now: they may have finished. */
	async jobsThatLeft(openJobIds: readonly string[], remainingMs: number): Promise<string[]> {
		const running = await this.runningJobIds(Math.min(MAX_LISTED_JOBS, PAGE_SIZE * openJobIds.length));
		if (running === undefined) {
			this.off = true;
			return [];
		}
		// A job that left since it was seen running, even one its own check saw finished, means HERE is
		// moving: the next listing comes at the poll interval again.
		const left = [...this.seenRunning].filter((jobId) => !running.has(jobId));
		for (const jobId of left) this.seenRunning.delete(jobId);
		for (const jobId of openJobIds) if (running.has(jobId)) this.seenRunning.add(jobId);
		this.delay = this.nextDelay(left.length > 0 ? undefined : this.delay, remainingMs);
		this.nextAt = Date.now() + this.delay;
		const open = new Set(openJobIds);
		return left.filter((jobId) => open.has(jobId));
	}

	/** The IDs of the running jobs; undefined when the listing failed or holds more than `maxJobs` jobs. */
	private async runningJobIds(maxJobs: number): Promise<Set<string> | undefined> {
		const running = new Set<string>();
		let listed = 0;
		try {
			const pages = listJobPages(this.context, { statuses: ['pending', 'ongoing'] }, this.scope, {
				maxItems: maxJobs + 1,
				retry: { maxAttempts: 1 },
			});
			for await (const page of pages) {
				this.signal?.throwIfAborted();
				listed += page.length;
				for (const job of page) running.add(job.jobId);
			}
		} catch (error) {
			// A wait that was stopped ends with its own error; here the listing only stops.
			if (!this.signal?.aborted) {
				this.context.logger.warn('HERE Bulk Jobs: the running jobs could not be listed; the wait checks each job on its own schedule', {
					error: error instanceof Error ? error.message : String(error),
				});
			}
			return undefined;
		}
		return listed > maxJobs ? undefined : running;
	}
}
