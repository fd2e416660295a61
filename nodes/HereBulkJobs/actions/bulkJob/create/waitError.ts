import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { escapeHtml, htmlList, htmlParagraphs } from '../../../editorText';
import type { JobStatuses } from '../../../jobs/waitForJob';
import type { RowContext } from './rows';
import { describeJob } from './rows';
import type { OtherRows, Submission } from './submitChunks';
import { otherRowSections, uncreatedSections } from './submitChunks';

type Created = Extract<Submission, { state: 'created' }>;

const RUNNING = new Set(['pending', 'ongoing']);

/**
 * A wait that fails after the upload must not lead to a second upload: the error names every
 * job with its state as last seen, and says exactly what is still going on: jobs that keep
 * running (the deadline passed, or a status check or results read failed), jobs that have
 * ended (then only the failed devices need sending again, once the causes HERE gave for a failed
 * job's devices are fixed), or, for a job whose status was never
 * read, that its state is unknown. A wait that failed while the upload went on also lists the
 * rows that were not sent (or whose upload failed), as an upload failure does; and, as it does,
 * the rows skipped as invalid or left out for earlier jobs.
 */
export function withCreatedJobs(error: unknown, submissions: Submission[], rowContext: RowContext, otherRows: OtherRows): unknown {
	if (!(error instanceof NodeOperationError || error instanceof NodeApiError)) return error;
	const created = submissions.filter((s): s is Created => s.state === 'created');
	const statuses = (error.context.jobStatuses ?? {}) as JobStatuses;
	const status = (jobId: string) => statuses[jobId] ?? 'unknown';
	const running = created.filter((s) => RUNNING.has(status(s.jobId)));
	const unknown = created.filter((s) => status(s.jobId) === 'unknown');
	const ids = (jobs: Created[]) => jobs.map((s) => s.jobId).join(', ');

	const state = (jobId: string) => {
		const last = status(jobId);
		if (last === 'unknown') return 'state unknown';
		return RUNNING.has(last) ? `last seen "${last}": still running on HERE` : `"${last}": ended`;
	};
	const lines = created.map((s) => `${describeJob(s.job, submissions.length, rowContext)}: ${s.jobId} (${state(s.jobId)})`);
	// Some uploads can have failed too, after the wait had failed: then only the created jobs' devices were sent.
	const uploaded = created.length === submissions.length ? 'The devices were uploaded' : "The created jobs' devices were uploaded";
	const mayExist = submissions.some((s) => s.state === 'failed' && s.mayExist);
	let note: string;
	if (running.length > 0) {
		const who = running.length === created.length ? 'the jobs keep' : 'the jobs still running keep';
		note = `${uploaded} and ${who} running on HERE (do not upload these rows again; use Wait for Completion or Get Results with these job IDs: ${ids(running)}).`;
	} else if (unknown.length > 0) {
		note = `${uploaded}, but the wait stopped before the state of every job was known: do not upload these rows again; follow the jobs with Wait for Completion or Get Results with these job IDs: ${ids(unknown)}.`;
	} else {
		const maybe = mayExist ? ', plus the ID of any job you find under a file name listed below' : '';
		const rerun = `To send only the devices that failed, run the node again with Options > Skip Devices Already in Jobs set to: ${ids(created)}${maybe}.`;
		// A failed job's devices failed with HERE's reasons (above): sent again unchanged, most are refused again.
		const fixFirst =
			error.context.jobEnd === 'failed'
				? ' Where HERE names a cause (for example a name that another device already has), fix it first, in the list or in the project: a re-run sends the failed devices again, and HERE refuses them again until their cause is fixed.'
				: '';
		note = `${uploaded} and every job has ended: nothing keeps running on HERE.${fixFirst} ${rerun}`;
	}
	error.description = htmlParagraphs([
		error.description ?? '',
		`${escapeHtml(note)}${htmlList(lines.map(escapeHtml))}`,
		...uncreatedSections(submissions, rowContext),
		...otherRowSections(otherRows, rowContext),
	]);
	error.context.createdJobIds = created.map((s) => s.jobId);
	return error;
}
