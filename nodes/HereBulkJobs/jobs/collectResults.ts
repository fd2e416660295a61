import type { HereContext, HereRequestOptions } from '../transport';
import type { Scope } from './api';
import { resultPages } from './api';
import { mapWithConcurrency, valuesOrThrow } from './mapWithConcurrency';
import type { FinishedJob, WaitSettings } from './waitForJob';
import { waitForJobs } from './waitForJob';
import type { JobStatusAnswer, ResultRow } from './wire';

/**
 * The per-device results of a job, following `nextPageToken` (100 rows a page) until the last
 * page or until `maxItems` rows were read. While a job runs, HERE returns the rows finished so
 * far; a caller that needs all of them reads the status first and waits for a terminal one.
 * `retry` narrows the transport's retry policy (the trigger keeps a poll within its budget).
 */
export async function collectResults(
	context: HereContext,
	jobId: string,
	scope: Scope,
	options: { maxItems?: number } & HereRequestOptions = {},
): Promise<ResultRow[]> {
	const rows: ResultRow[] = [];
	for await (const page of resultPages(context, jobId, scope, { maxItems: options.maxItems, retry: options.retry })) {
		for (const row of page) rows.push(row);
	}
	return rows;
}

/** A job's figures with the result rows read for it. */
export interface JobResults {
	job: FinishedJob | (JobStatusAnswer & { jobId: string });
	rows: ResultRow[];
}

/** Result pages of this many jobs are read at once. */
const RESULTS_CONCURRENCY = 2;

/** The results of jobs, in the order given (after `waitForJobs`, every row of each job). */
export async function collectJobsResults(
	context: HereContext,
	jobs: Array<FinishedJob | (JobStatusAnswer & { jobId: string })>,
	scope: Scope,
	options: { maxItems?: number } = {},
): Promise<JobResults[]> {
	return valuesOrThrow(
		await mapWithConcurrency(jobs, RESULTS_CONCURRENCY, async (job) => ({
			job,
			rows: await collectResults(context, job.jobId, scope, options),
		})),
	);
}

/** What Wait for Completion and Create's wait option do: wait for every job, then read all their results. */
export async function waitAndCollectResults(
	context: HereContext,
	jobIds: string[],
	scope: Scope,
	settings: WaitSettings,
): Promise<JobResults[]> {
	const finished = await waitForJobs(context, jobIds, scope, settings);
	return await collectJobsResults(context, finished, scope);
}
