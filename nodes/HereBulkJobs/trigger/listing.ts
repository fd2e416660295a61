import type { IPollFunctions, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { listJobPages } from '../jobs/api';
import type { JobListItem } from '../jobs/wire';
import { JOB_ID_PATTERN } from '../jobs/wire';
import type { PollBudget } from './budget';
import type { TriggerSettings } from './settings';

export interface FinalJobListing {
	/** In HERE's order (which is not promised); each job once. */
	jobs: JobListItem[];
	/** True when every page was read: only then may absence from the list mean anything. */
	complete: boolean;
	requests: number;
}

/** HERE's job ids are `BULK-<uuid>`; anything else from a listing is never used as a key or in a URL. */
export function isJobId(jobId: unknown): jobId is string {
	return typeof jobId === 'string' && JOB_ID_PATTERN.test(jobId);
}

/**
 * Lists the project's jobs in the watched final statuses (and type), page by page, while the
 * budget allows. With acknowledging on, handled jobs are `acknowledged` and drop out of this
 * list, so it holds only what is new (plus jobs the trigger skipped). What HERE lists is taken as
 * what was asked for: a job it lists in another status is left out (the next poll finds it again
 * once it has finished), and one without a type is of the type asked for.
 */
export async function listFinalJobs(context: IPollFunctions, settings: TriggerSettings, budget: PollBudget): Promise<FinalJobListing> {
	const jobs: JobListItem[] = [];
	const seen = new Set<string>();
	const invalidIds: string[] = [];
	let requests = 0;
	if (!budget.allowsRequest()) return { jobs, complete: false, requests };
	const pages = listJobPages(context, { type: settings.jobType, statuses: settings.statuses }, { projectId: settings.projectId }, budget.retry());
	let pageStartedAt = Date.now();
	try {
		for await (const page of pages) {
			requests++;
			budget.recordRequest(Date.now() - pageStartedAt);
			for (const job of page) {
				if (!isJobId(job?.jobId)) {
					invalidIds.push(String(job?.jobId).slice(0, 80));
					continue;
				}
				// Asked for the watched statuses only: a job listed in another (still running) is not one of them yet.
				if (seen.has(job.jobId) || !(settings.statuses as string[]).includes(job.status)) continue;
				seen.add(job.jobId);
				// Asked for one type, HERE may leave `type` out of the items (the spec does not require it).
				jobs.push(job.type === undefined && settings.jobType !== undefined ? { ...job, type: settings.jobType } : job);
			}
			// Leaving the loop ends the generator before it asks for the next page.
			if (!budget.allowsRequest()) return withWarning(context, invalidIds, { jobs, complete: false, requests });
			pageStartedAt = Date.now();
		}
	} catch (error) {
		throw explainListingFailure(context, settings, error);
	}
	return withWarning(context, invalidIds, { jobs, complete: true, requests });
}

/** A listed id that is not a job id is left out, and said so in n8n's log. */
function withWarning(context: IPollFunctions, invalidIds: string[], listing: FinalJobListing): FinalJobListing {
	if (invalidIds.length > 0) {
		context.logger.warn(`HERE Bulk Jobs Trigger: HERE listed ${invalidIds.length} job IDs that are not BULK-uuid; they were left out`, {
			examples: invalidIds.slice(0, 5),
		});
	}
	return listing;
}

/**
 * The list call is the first one every poll makes, so it is where a wrong credential or project
 * shows up, also when the workflow is activated: the message says so in trigger terms (the
 * transport's description already says what to check).
 */
function explainListingFailure(context: IPollFunctions, settings: TriggerSettings, error: unknown): unknown {
	// A later page failed for its own reason (its token): the transport's error says which.
	if (!(error instanceof NodeApiError) || error.context.laterPage === true) return error;
	const status = error.context.httpStatus as number | undefined;
	if (status !== 400 && status !== 401 && status !== 403 && status !== 404) return error;
	const project = settings.projectId ? `project "${settings.projectId}"` : "the credential's default project";
	const wrapped = new NodeApiError(context.getNode(), { message: error.message } as JsonObject, {
		message: `The HERE Bulk Jobs Trigger cannot list the jobs of ${project}: ${error.message}`,
		description: error.description ?? undefined,
		httpCode: String(status),
	});
	Object.assign(wrapped.context, error.context);
	return wrapped;
}
