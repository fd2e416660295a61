import type { INodeExecutionData, IPollFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { listJobPages } from '../jobs/api';
import { JOB_TYPE_NAMES } from '../jobs/wire';
import { PollBudget, pollBudgetMs } from './budget';
import type { JobFetch } from './emit';
import { fetchFinishedJob } from './emit';
import { isJobId } from './listing';
import type { TriggerSettings } from './settings';
import { wantsJobId } from './settings';
import { isAbout, readState } from './state';
import { accountKey } from './account';

/** The sample never reads more than this many list pages or job statuses. */
const SAMPLE_LIST_LIMIT = 500;
const SAMPLE_STATUS_READS = 10;
/** Of the jobs this trigger emitted, the newest few are tried (HERE may have forgotten some). */
const SAMPLE_EMITTED_TRIES = 3;
/** The Job Type as the editor names it. */

/**
 * "Fetch Test Event": one finished job in the shape the trigger emits, so the next nodes can be
 * built on real data. Reads the static data but never writes it: a test fetch changes nothing
 * about what the active trigger emits later.
 *
 * HERE gives no finish times, so "the most recent" can only be known from this trigger's own
 * records: the job it emitted last. Without one, the sample is the first finished job HERE
 * lists that passes the trigger's filters.
 */
export async function manualSample(context: IPollFunctions, settings: TriggerSettings): Promise<INodeExecutionData[][]> {
	const budget = new PollBudget(pollBudgetMs(context));
	const state = readState(context.getWorkflowStaticData('node'));
	const account = await accountKey(context, settings);
	// The state's records are oldest first.
	const emittedNewestFirst =
		isAbout(state, account, settings.projectId)
			? [...state.jobs]
					.filter(([, record]) => record.mark === 'emitted' || record.mark === 'acknowledged')
					.map(([jobId]) => jobId)
					.reverse()
			: [];
	for (const jobId of emittedNewestFirst.slice(0, SAMPLE_EMITTED_TRIES)) {
		const fetched = await fetchFinishedJob(context, settings, jobId, budget, { acceptAcknowledged: true });
		if (fetched.kind === 'emit') return [fetched.items];
	}

	let statusReads = 0;
	const pages = listJobPages(context, { type: settings.jobType, statuses: settings.statuses }, { projectId: settings.projectId }, { maxItems: SAMPLE_LIST_LIMIT });
	for await (const page of pages) {
		for (const { jobId } of page) {
			if (!isJobId(jobId) || !wantsJobId(settings, jobId)) continue;
			if (statusReads++ >= SAMPLE_STATUS_READS) return noSample(context, settings, true);
			const fetched: JobFetch = await fetchFinishedJob(context, settings, jobId, budget);
			if (fetched.kind === 'emit') return [fetched.items];
		}
	}
	return noSample(context, settings, false);
}

function noSample(context: IPollFunctions, settings: TriggerSettings, gaveUp: boolean): never {
	const project = settings.projectId ? `project "${settings.projectId}"` : "the credential's default project";
	const watched = `${settings.statuses.join(', ')}${settings.jobType ? `; ${JOB_TYPE_NAMES[settings.jobType]} only` : ''}`;
	const filters = settings.jobIds.size > 0 || settings.fileNamePatterns.length > 0 ? ' and the Only Job IDs / Only File Names options' : '';
	throw new NodeOperationError(
		context.getNode(),
		gaveUp
			? `No finished job among the first ${SAMPLE_STATUS_READS} of ${project} matches the trigger's filters`
			: `${project.charAt(0).toUpperCase()}${project.slice(1)} has no finished job that matches the trigger (${watched})`,
		{
			description: `Check the Statuses, Job Type${filters}, or run a bulk job (HERE Bulk Jobs → Create) and wait until it has finished, then fetch again. HERE keeps jobs for one week.`,
		},
	);
}
