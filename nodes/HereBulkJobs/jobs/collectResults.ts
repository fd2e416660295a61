import type { JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { escapeHtml, htmlParagraphs } from '../editorText';
import type { HereContext, HereRequestOptions } from '../transport';
import { ensureNodeError } from '../transport';
import type { Scope } from './api';
import { resultPages } from './api';
import { concurrencyLimit } from './mapWithConcurrency';
import type { FinishedJob, WaitSettings } from './waitForJob';
import { waitForJobs } from './waitForJob';
import type { JobStatusAnswer, ResultRow } from './wire';

/**
 * The per-device results of a job, following `nextPageToken` (100 rows a page) until the last
 * page or until `maxItems` rows were read. While a job runs, HERE returns the rows finished so
 * far; a caller that needs all of them reads the status first and waits for a terminal one.
 * `retry` narrows the transport's retry policy (the trigger keeps a poll within its budget).
 * With `failAbove`, a job that has more rows than that is an error, found after reading one row
 * more: a job holds at most 1000 devices, so a server that sends more is not followed on.
 */
export async function collectResults(
	context: HereContext,
	jobId: string,
	scope: Scope,
	options: { maxItems?: number; failAbove?: number } & HereRequestOptions = {},
): Promise<ResultRow[]> {
	const { failAbove } = options;
	const maxItems = failAbove === undefined ? options.maxItems : failAbove + 1;
	const rows: ResultRow[] = [];
	for await (const page of resultPages(context, jobId, scope, { maxItems, retry: options.retry })) {
		for (const row of page) rows.push(row);
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
	job: FinishedJob | (JobStatusAnswer & { jobId: string });
	rows: ResultRow[];
}

/** Result pages of this many jobs are read at once (README, Performance: why this many). */
export const RESULTS_CONCURRENCY = 10;

/**
 * What Wait for Completion and Create's wait option do: wait for every job, and read each job's
 * results as soon as it has finished (`RESULTS_CONCURRENCY` jobs at once), so that reading
 * overlaps the wait for the jobs still running. The answer keeps the order of `jobIds`. When
 * the wait fails (a timeout, a failed job) or a read fails, no further read starts, the reads
 * under way end, and the first error is thrown.
 */
export async function waitAndCollectResults(
	context: HereContext,
	jobIds: string[],
	scope: Scope,
	settings: WaitSettings,
): Promise<JobResults[]> {
	const limit = concurrencyLimit(RESULTS_CONCURRENCY);
	const reads = new Map<string, Promise<ResultRow[]>>();
	let stopped = false;
	let failRead: (error: unknown) => void = () => undefined;
	const readFailed = new Promise<never>((_, reject) => (failRead = reject));
	// Handled here too: a read that fails after the wait has ended is still awaited below, never left unhandled.
	readFailed.catch(() => undefined);

	const startRead = (job: FinishedJob) => {
		const read = limit(async () => (stopped ? [] : await collectResults(context, job.jobId, scope)));
		read.catch(failRead);
		reads.set(job.jobId, read);
	};
	try {
		const finished = await waitForJobs(context, jobIds, scope, settings, { onFinished: startRead, stop: readFailed });
		return await Promise.all(finished.map(async (job) => ({ job, rows: await (reads.get(job.jobId) as Promise<ResultRow[]>) })));
	} catch (error) {
		stopped = true;
		await Promise.allSettled(reads.values());
		throw ensureNodeError(context.getNode(), error, scope.itemIndex);
	}
}
