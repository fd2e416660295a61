import type { IDataObject, IPollFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { getJobStatus } from '../jobs/api';
import { MAX_CHUNK_SIZE } from '../devices/chunk';
import { collectResults } from '../jobs/collectResults';
import { processedCount } from '../jobs/jobEnd';
import { deviceResultItems, jobSummary, noDeviceItem } from '../jobs/resultItems';
import { ensureNodeError } from '../transport';
import type { JobStatusAnswer, ResultRow } from '../jobs/wire';
import { isTerminal } from '../jobs/wire';
import type { PollBudget } from './budget';
import type { TriggerSettings } from './settings';
import { wantsFileName } from './settings';

export type FinishedJobAnswer = JobStatusAnswer & { jobId: string };

/** What one finished job turned out to be once its status was read. */
export type JobFetch =
	| { kind: 'emit'; job: FinishedJobAnswer; items: INodeExecutionData[] }
	/** Finished, but not for this trigger: its file name does not match, or someone else acknowledged it. */
	| { kind: 'skip'; job: FinishedJobAnswer }
	/** HERE no longer knows the job (it was forgotten between the list and this read). */
	| { kind: 'gone' }
	/** Listed as finished, but its status says it still runs: left for a later poll, not recorded. */
	| { kind: 'notYet' };

function isNotFound(error: unknown): boolean {
	return error instanceof NodeApiError && error.context.httpStatus === 404;
}

/**
 * Reads a finished job's status and all its result rows (100 a page) and builds its output
 * items. One status request plus one request per 100 devices; a job holds at most 1000, and
 * more rows than that are an error (the job is left for the next poll). Requests retry within
 * the poll's budget.
 *
 * Without a file-name filter nothing needs the status before the results, so the results are
 * read from the start, alongside the status request: one round trip less per job. The rows count
 * only once the status has confirmed a watched final status; otherwise the read stops after the
 * page it is reading and its rows are dropped. Fewer rows than the devices the final figures say
 * HERE processed mean that the job ended during the read: it is read again. With a filter, the
 * status (which holds the file name) comes first, so that no results of a job the filter leaves
 * out are read.
 */
export async function fetchFinishedJob(
	context: IPollFunctions,
	settings: TriggerSettings,
	jobId: string,
	budget: PollBudget,
	options: { acceptAcknowledged?: boolean } = {},
): Promise<JobFetch> {
	const scope = { projectId: settings.projectId };
	const stop = new AbortController();
	// With the poll's retry budget, so that a fault late in a poll cannot keep it past its time.
	const readRows = async () => await collectResults(context, jobId, scope, { failAbove: MAX_CHUNK_SIZE, signal: stop.signal, ...budget.retry() });
	const early = settings.fileNamePatterns.length === 0 ? readRows() : undefined;
	early?.catch(() => undefined); // awaited below, or dropped
	const dropRead = async () => {
		stop.abort();
		await early?.catch(() => undefined);
	};

	let job: FinishedJobAnswer;
	try {
		job = { ...(await getJobStatus(context, jobId, scope, budget.retry())), jobId };
	} catch (error) {
		await dropRead();
		if (isNotFound(error)) return { kind: 'gone' };
		throw ensureNodeError(context.getNode(), error);
	}
	if (!isTerminal(job.status)) {
		await dropRead();
		return { kind: 'notYet' };
	}
	const watched = (settings.statuses as string[]).includes(job.status) || (options.acceptAcknowledged === true && job.status === 'acknowledged');
	if (!watched || !wantsFileName(settings, job.fileName)) {
		await dropRead();
		return { kind: 'skip', job };
	}

	let rows: ResultRow[];
	try {
		rows = await (early ?? readRows());
		// A job HERE listed as finished may have still run when the early read began: rows
		// fewer than the final figures' devices are read again, now that it has finished.
		if (early !== undefined && rows.length < processedCount(job)) rows = await readRows();
	} catch (error) {
		if (isNotFound(error)) return { kind: 'gone' };
		throw ensureNodeError(context.getNode(), error);
	}
	return { kind: 'emit', job, items: jobItems(settings, job, rows) };
}

/** HERE's final figures of the job, on every per-device item so each item stands on its own. */
function jobFigures(job: FinishedJobAnswer): IDataObject {
	return {
		jobTotal: job.total,
		jobSucceeded: job.succeeded,
		jobFailed: job.failed,
		jobPartiallySucceeded: job.partiallySucceeded,
	};
}

/**
 * The items of one finished job, in the shapes of the action node's Get Results
 * (jobs/resultItems.ts). Per device, a job without any device result (cancelled before HERE
 * processed a device) still gives one item, with `outcome` "none", so that its end is not lost.
 * Each per-device item also carries the job's final figures.
 */
export function jobItems(settings: TriggerSettings, job: FinishedJobAnswer, rows: ResultRow[]): INodeExecutionData[] {
	const options = { omitDeviceSecret: settings.omitDeviceSecret, includeResults: settings.includeResults };
	if (settings.output === 'summary') return [{ json: jobSummary(job, rows, options) }];
	const figures = jobFigures(job);
	if (rows.length === 0) return [{ json: { ...noDeviceItem(job), ...figures } }];
	return deviceResultItems(rows, job, options).map((json) => ({ json: { ...json, ...figures } }));
}
