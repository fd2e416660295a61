import type { IDataObject, IExecuteFunctions, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { createJob } from '../../../jobs/api';
import type { ArrivingJobs } from '../../../jobs/arrivingJobs';
import { mapWithConcurrency } from '../../../jobs/mapWithConcurrency';
import { JOB_ID_PATTERN } from '../../../jobs/wire';
import { ensureNodeError } from '../../../transport';
import { escapeHtml, htmlList, htmlParagraphs } from '../../../editorText';
import { issueReports } from './checkInput';
import type { DeviceBlock } from './deviceSource';
import type { PlannedJob } from './plan';
import type { RowContext } from './rows';
import { describeJob, describeRows, plural } from './rows';

/**
 * Uploads the planned jobs with bounded concurrency. Nothing here retries: the transport already
 * retries a create only when HERE certainly did not take it (429, 503, no connection), because
 * a blind retry can make a second job. After the first failure no further upload starts; those
 * already under way finish, and every job's fate is reported.
 */

export type Submission =
	| { job: PlannedJob; state: 'created'; jobId: string }
	/** `mayExist`: HERE may have created the job although the client saw an error (5xx, broken connection). */
	| { job: PlannedJob; state: 'failed'; error: Error; mayExist: boolean }
	| { job: PlannedJob; state: 'notSent' };

export interface SubmitSettings {
	projectId?: string;
	concurrency: number;
	rowContext: RowContext;
	/**
	 * The wait that follows the jobs while the rest upload: each created job is handed to it at
	 * once, and a failed upload cancels it. A failed wait does not stop the uploads: which jobs
	 * exist must not depend on how soon HERE ends one of them.
	 */
	arriving?: ArrivingJobs;
}

/**
 * Whether a failed create may still have made a job: only a refusal (4xx, 503) or an upload that
 * never reached HERE (connection refused, host not found, login failed) says it did not.
 */
function mayExist(error: unknown): boolean {
	if (!(error instanceof NodeApiError)) return true;
	if (error.context.notProcessed === true) return false;
	const status = error.context.httpStatus;
	if (typeof status !== 'number') return true;
	return !((status >= 400 && status < 500) || status === 503);
}

export async function submitJobs(context: IExecuteFunctions, jobs: PlannedJob[], settings: SubmitSettings): Promise<Submission[]> {
	const { arriving } = settings;
	const upload = async (job: PlannedJob): Promise<string> => {
		const answer = await createJob(
			context,
			job.devices.map((located) => located.device as unknown as IDataObject),
			{ projectId: settings.projectId, fileName: job.fileName, itemIndex: job.items[0] },
		);
		const jobId = typeof answer?.jobId === 'string' ? answer.jobId : '';
		if (!JOB_ID_PATTERN.test(jobId)) {
			throw new NodeOperationError(context.getNode(), `HERE accepted the upload of ${describeJob(job, jobs.length, settings.rowContext)} but returned no valid job ID`);
		}
		return jobId;
	};
	const outcomes = await mapWithConcurrency(jobs, settings.concurrency, async (job) => {
		try {
			const jobId = await upload(job);
			arriving?.add(jobId);
			return jobId;
		} catch (error) {
			arriving?.cancel();
			throw ensureNodeError(context.getNode(), error);
		}
	});
	return outcomes.map((outcome, index): Submission => {
		const job = jobs[index];
		if (outcome.ok) return { job, state: 'created', jobId: outcome.value };
		if ('error' in outcome) {
			const error = outcome.error instanceof Error ? outcome.error : new Error(String(outcome.error));
			return { job, state: 'failed', error, mayExist: mayExist(outcome.error) };
		}
		return { job, state: 'notSent' };
	});
}

/** A failed upload that never reached HERE (the transport says so): no job, and no answer from HERE. */
function neverReachedHere(error: Error): boolean {
	return error instanceof NodeApiError && error.context.notProcessed === true && typeof error.context.httpStatus !== 'number';
}

/** A heading and one job per line, for the error's description. */
function section(title: string, lines: string[]): string {
	return `${escapeHtml(title)}${htmlList(lines.map(escapeHtml))}`;
}

/**
 * The jobs that were not created, one section per fate: failed but may exist (look for them
 * before sending their rows again), refused by HERE or never reached it (send again once fixed),
 * not sent (send in a new run).
 */
export function uncreatedSections(submissions: Submission[], rowContext: RowContext): string[] {
	const jobText = (s: Submission) => describeJob(s.job, submissions.length, rowContext);
	const failed = submissions.filter((s): s is Extract<Submission, { state: 'failed' }> => s.state === 'failed');
	const uncertain = failed.filter((s) => s.mayExist);
	const unreached = failed.filter((s) => !s.mayExist && neverReachedHere(s.error));
	const refused = failed.filter((s) => !s.mayExist && !neverReachedHere(s.error));
	const notSent = submissions.filter((s) => s.state === 'notSent');
	const sections: string[] = [];
	if (uncertain.length > 0) {
		sections.push(
			section(
				'Failed, but HERE may have created the job anyway: before sending these rows again, look for a job with this file name in Get Many with "Include Status Figures" on under Options (or the HERE UI):',
				uncertain.map(jobText),
			),
		);
	}
	if (refused.length > 0) {
		sections.push(section('Failed and not created (HERE refused the upload): send these rows again once the cause is fixed:', refused.map(jobText)));
	}
	if (unreached.length > 0) {
		sections.push(section('Not sent (the upload never reached HERE, so no job was made): send these rows again once the cause is fixed:', unreached.map(jobText)));
	}
	if (notSent.length > 0) {
		sections.push(section('Not sent (the upload stopped after the failure): send these rows in a new run:', notSent.map(jobText)));
	}
	return sections;
}

/** The run's rows that no job list names: for an error that stops the run once the upload has begun. */
export interface OtherRows {
	/** The sources as read. Past the input check their issues are the rows Skip Invalid Rows skipped. */
	read: DeviceBlock[];
	/** Rows left out: HERE took their devices in an earlier job (Skip Devices Already in Jobs). */
	alreadySent: number;
	/** Rows in this run's jobs that are sent again: their devices failed in an earlier job. */
	resent: number;
}

/**
 * The skipped invalid rows (the report of the input check, bounded the same way) and how many
 * rows were left out or sent again for earlier jobs. Without it an error thrown after the
 * upload began would be the only thing the run gives, and would not mention those rows at all.
 */
export function otherRowSections(rows: OtherRows, rowContext: RowContext): string[] {
	const sections: string[] = [];
	const skipped = issueReports(rows.read, rowContext);
	if (skipped.length > 0) {
		sections.push(`${escapeHtml('Skipped as invalid (Skip Invalid Rows), so not sent: fix them and send them in a new run:')}<br>${skipped.join('<br><br>')}`);
	}
	const label = rows.read[0]?.prepared.label ?? 'row';
	const whose = (n: number) => `${n} ${n === 1 ? `${label} whose device` : `${plural(label)} whose devices`}`;
	const earlierJobs = 'the jobs named in Options > Skip Devices Already in Jobs';
	if (rows.alreadySent > 0) sections.push(escapeHtml(`Left out: ${whose(rows.alreadySent)} HERE took in ${earlierJobs}.`));
	if (rows.resent > 0) sections.push(escapeHtml(`Sent again in the jobs above: ${whose(rows.resent)} failed in ${earlierJobs}.`));
	return sections;
}

/**
 * The error for an upload that stopped part-way: what failed and, row by row, which jobs were
 * created (never send those rows again), which may exist, and which were not sent, so that a
 * re-run can send exactly the rest. Keeps HERE's status and trace ids of the failed request.
 */
export function submissionError(
	context: IExecuteFunctions,
	submissions: Submission[],
	rowContext: RowContext,
	otherRows: OtherRows,
): NodeApiError | NodeOperationError {
	const total = submissions.length;
	const failed = submissions.filter((s): s is Extract<Submission, { state: 'failed' }> => s.state === 'failed');
	const created = submissions.filter((s): s is Extract<Submission, { state: 'created' }> => s.state === 'created');
	const first = failed[0];
	const cause = first.error;
	const jobText = (s: Submission) => describeJob(s.job, total, rowContext);

	const count = first.job.devices.length;
	const what = `${describeRows(first.job.devices, first.job.label, rowContext)}, ${count} ${count === 1 ? 'device' : 'devices'}`;
	const message =
		total === 1
			? `${cause.message} (${what})`
			: `${created.length} of ${total} jobs were created, then job ${first.job.index + 1} (${what}) failed: ${cause.message}`;

	const sections: string[] = [];
	// The transport's description is description text already.
	const causeDescription = (cause as { description?: unknown }).description;
	if (typeof causeDescription === 'string' && causeDescription !== '') sections.push(causeDescription);
	if (created.length > 0) {
		sections.push(section('Created (do not send these rows again):', created.map((s) => `${jobText(s)}: ${s.jobId}`)));
	}
	sections.push(...uncreatedSections(submissions, rowContext), ...otherRowSections(otherRows, rowContext));
	const uncertain = failed.filter((s) => s.mayExist);
	if (created.length > 0) {
		// The re-run that sends just the rest: the created jobs' devices are left out by their results.
		const maybe = uncertain.length > 0 ? ', plus the ID of any job you find under a file name listed above' : '';
		sections.push(
			escapeHtml(`To send just the rest, run the node again with Options > Skip Devices Already in Jobs set to: ${created.map((s) => s.jobId).join(', ')}${maybe}.`),
		);
	}

	const description = htmlParagraphs(sections);
	const itemIndex = first.job.items[0];
	const summary = {
		createdJobIds: created.map((s) => s.jobId),
		failedJobs: failed.map((s) => s.job.index + 1),
		/** File names of the jobs HERE may have created although the upload failed: look for them before sending their rows again. */
		mayExistFileNames: uncertain.map((s) => s.job.fileName),
		notSentJobs: submissions.filter((s) => s.state === 'notSent').map((s) => s.job.index + 1),
	};
	if (cause instanceof NodeApiError) {
		const error = new NodeApiError(context.getNode(), { message, description } as JsonObject, {
			message,
			description,
			httpCode: cause.httpCode ?? undefined,
			itemIndex,
		});
		Object.assign(error.context, cause.context, summary, { itemIndex });
		return error;
	}
	const error = new NodeOperationError(context.getNode(), message, { description, itemIndex });
	Object.assign(error.context, summary);
	return error;
}
