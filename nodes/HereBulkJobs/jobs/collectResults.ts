import type { JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { escapeHtml, htmlParagraphs } from '../editorText';
import type { HereContext, HereRequestOptions } from '../transport';
import { concurrencyLimit, ensureNodeError, REQUESTS_IN_FLIGHT } from '../transport';
import type { Scope } from './api';
import { resultPages } from './api';
import { ArrivingJobs } from './arrivingJobs';
import type { WaitSettings } from './waitForJob';
import { waitForJobs } from './waitForJob';
import type { FinishedJob, JobStatusAnswer, ResultRow } from './wire';

/**
 * The per-device results of a job, following `nextPageToken` (100 rows a page) until the last
 * page or until `maxItems` rows were read. While a job runs, HERE returns the rows finished so
 * far; a caller that needs all of them reads the status first and waits for a terminal one.
 * `retry` narrows the transport's retry policy (the trigger keeps a poll within its budget).
 * With `failAbove`, a job that has more rows than that is an error, found after reading one row
 * more: a job holds at most 1000 devices, so a server that sends more is not followed on.
 * Once `signal` is aborted, no further page is requested and the signal's reason is thrown; a
 * page request under way (with its retries) ends first.
 */
export async function collectResults(
	context: HereContext,
	jobId: string,
	scope: Scope,
	options: { maxItems?: number; failAbove?: number; signal?: AbortSignal } & HereRequestOptions = {},
): Promise<ResultRow[]> {
	const { failAbove, signal } = options;
	const maxItems = failAbove === undefined ? options.maxItems : failAbove + 1;
	const rows: ResultRow[] = [];
	signal?.throwIfAborted();
	for await (const page of resultPages(context, jobId, scope, { maxItems, retry: options.retry })) {
		for (const row of page) rows.push(row);
		signal?.throwIfAborted();
	}
	if (failAbove !== undefined && rows.length > failAbove) throw tooManyResults(context, jobId, failAbove);
	return rows;
}

function tooManyResults(context: HereContext, jobId: string, limit: number): NodeApiError {
	const reason = `HERE returned more than ${limit} results for job ${jobId}`;
	return new NodeApiError(context.getNode(), { message: reason } as JsonObject, {
		message: `${reason}, which holds at most ${limit} devices`,
		description: htmlParagraphs([
			`Reading stopped after ${limit + 1} result rows, so that a wrong answer cannot fill n8n's memory. HERE's answer for job ${escapeHtml(jobId)} is wrong.`,
			'Try again later; if it persists, report it to HERE support with the job ID.',
		]),
	});
}

/** A job's figures with the result rows read for it. */
export interface JobResults {
	/** `limitReached`: the rows stop at the Limit the user set, and HERE holds more. */
	job: (FinishedJob | (JobStatusAnswer & { jobId: string })) & { limitReached?: boolean };
	rows: ResultRow[];
}

/**
 * Jobs whose result pages are read at once: as many as the run may have requests in flight, so
 * that the reads alone can fill its places; status checks take their turn in the same places.
 */
export const RESULTS_CONCURRENCY = REQUESTS_IN_FLIGHT;

/**
 * What Wait for Completion and Create's wait option do: wait for every job, and read each job's
 * results as soon as it has finished (`RESULTS_CONCURRENCY` jobs at once), so that reading
 * overlaps the wait for the jobs still running. Jobs may arrive while it runs (`ArrivingJobs`:
 * Create hands over each job as HERE answers its upload). The answer keeps the order in which
 * the jobs came.
 *
 * The first failure ends it, and its error is thrown: the wait's own (a timeout, a failed job,
 * a status check that failed for good; it is weighed when its round of checks has answered) or
 * a read's. A failed read ends the wait at once during a pause, else when the status checks
 * under way have answered. Then no further read starts, the reads under way stop after the page
 * they are reading, and once they have, the error is thrown with each job's last status seen
 * (`error.context.jobStatuses`). The failure also aborts the hand-off's `stop`, and a `cancel`
 * from the caller ends the wait the same way.
 */
export async function waitAndCollectResults(
	context: HereContext,
	jobs: readonly string[] | ArrivingJobs,
	scope: Scope,
	settings: WaitSettings,
): Promise<JobResults[]> {
	const arriving = jobs instanceof ArrivingJobs ? jobs : ArrivingJobs.of(jobs);
	const limit = concurrencyLimit(RESULTS_CONCURRENCY);
	const reads = new Map<string, Promise<ResultRow[]>>();
	// Aborted by the first failure, which stays its reason: later ones do not replace it.
	const { stop } = arriving;
	const startRead = (job: FinishedJob): Promise<ResultRow[]> => {
		const read = limit(async () => await collectResults(context, job.jobId, scope, { signal: stop.signal }));
		read.catch((error: unknown) => stop.abort(ensureNodeError(context.getNode(), error, scope.itemIndex)));
		reads.set(job.jobId, read);
		return read;
	};
	let finished: FinishedJob[] = [];
	try {
		finished = await waitForJobs(context, arriving, scope, settings, { onFinished: startRead, signal: stop.signal });
		// Every finished job's read has started (onFinished); `?? startRead` only says so to the type checker.
		return await Promise.all(finished.map(async (job) => ({ job, rows: await (reads.get(job.jobId) ?? startRead(job)) })));
	} catch (error) {
		stop.abort(error);
		await Promise.allSettled(reads.values());
		const failure = ensureNodeError(context.getNode(), stop.signal.reason, scope.itemIndex);
		// A read that failed after every job had finished: their statuses are the final ones.
		failure.context.jobStatuses ??= Object.fromEntries(finished.map((job) => [job.jobId, job.status]));
		throw failure;
	}
}
