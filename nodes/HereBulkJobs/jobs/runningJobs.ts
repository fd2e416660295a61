import type { HereContext } from '../transport';
import type { Scope } from './api';
import { listJobPages } from './api';

/** With fewer open jobs than this, their own status checks cost no more than a listing. */
const MIN_OPEN_JOBS = 2;

/** A project with more running jobs than this is not listed: the pages would cost more than the checks they save. */
const MAX_LISTED_JOBS = 1000;

/**
 * One listing of the project's running jobs (`status=pending&status=ongoing`, 100 a page) tells
 * a wait which of many followed jobs have left it and may have finished: they are checked at
 * once, instead of at the end of each one's doubling pause (README, Performance: why). The
 * listing only brings checks forward; a job's status is still what ends its wait. Listings
 * come at the poll interval while jobs leave, and their pauses double like a job's while none
 * does. If a listing cannot be read, or holds more than MAX_LISTED_JOBS jobs, the wait goes on
 * with each job's own checks alone.
 */
export class RunningJobsWatch {
	private nextAt = 0;
	private delay: number | undefined;
	private off = false;
	/** Followed jobs seen in a listing: only leaving it says something. A job not listed yet may be too new. */
	private readonly seenRunning = new Set<string>();

	constructor(
		private readonly context: HereContext,
		private readonly scope: Scope,
		/** The wait's doubling pause (`nextPollDelayMs` with its settings): undefined before gives the first. */
		private readonly nextDelay: (previousMs: number | undefined, remainingMs: number) => number,
	) {}

	/** When the next listing is due; undefined when these open jobs are not listed. */
	dueAt(openJobs: number): number | undefined {
		return this.off || openJobs < MIN_OPEN_JOBS ? undefined : this.nextAt;
	}

	/** Lists the running jobs and answers which of `openJobIds` were listed before and are not now: they may have finished. */
	async jobsThatLeft(openJobIds: readonly string[], remainingMs: number): Promise<string[]> {
		const running = await this.runningJobIds();
		if (running === undefined) {
			this.off = true;
			return [];
		}
		// A job that left since the last listing, even one its own check saw finished, means HERE is
		// moving: the next listing comes at the poll interval again.
		const left = [...this.seenRunning].filter((jobId) => !running.has(jobId));
		for (const jobId of left) this.seenRunning.delete(jobId);
		for (const jobId of openJobIds) if (running.has(jobId)) this.seenRunning.add(jobId);
		this.delay = this.nextDelay(left.length > 0 ? undefined : this.delay, remainingMs);
		this.nextAt = Date.now() + this.delay;
		const open = new Set(openJobIds);
		return left.filter((jobId) => open.has(jobId));
	}

	private async runningJobIds(): Promise<Set<string> | undefined> {
		const running = new Set<string>();
		try {
			const pages = listJobPages(this.context, { statuses: ['pending', 'ongoing'] }, this.scope, { maxItems: MAX_LISTED_JOBS + 1 });
			for await (const page of pages) for (const job of page) running.add(job.jobId);
		} catch (error) {
			this.context.logger.warn('HERE Bulk Jobs: the running jobs could not be listed; the wait checks each job on its own schedule', {
				error: error instanceof Error ? error.message : String(error),
			});
			return undefined;
		}
		return running.size > MAX_LISTED_JOBS ? undefined : running;
	}
}
