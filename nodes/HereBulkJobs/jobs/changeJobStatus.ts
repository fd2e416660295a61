import { NodeApiError } from 'n8n-workflow';

import type { HereContext } from '../transport';
import { ensureNodeError } from '../transport';
import type { Scope } from './api';
import { getJobStatus, patchJob } from './api';
import type { JobStatus } from './wire';

type JobAction = 'cancel' | 'acknowledge';

const RULES: Record<JobAction, { target: JobStatus; allowedFrom: JobStatus[]; verb: string }> = {
	cancel: { target: 'cancelled', allowedFrom: ['pending', 'ongoing'], verb: 'cancelled' },
	acknowledge: { target: 'acknowledged', allowedFrom: ['completed', 'failed', 'cancelled'], verb: 'acknowledged' },
};

/** "pending or ongoing", "completed, failed or cancelled". */
function orList(words: readonly string[]): string {
	return words.length < 2 ? words.join('') : `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
}

export interface JobStatusChange {
	jobId: string;
	status: JobStatus;
	/** True when the job already had the target status (e.g. a retried request had gone through). */
	alreadyDone: boolean;
}

/**
 * Cancels or acknowledges a job. HERE answers 412 when the job's status does not allow the
 * action; then the job's status is read so the error can say what it is and what is allowed.
 * A job that already has the target status counts as done: that is what a PATCH retried after a
 * lost answer meets.
 */
export async function changeJobStatus(context: HereContext, jobId: string, action: JobAction, scope: Scope): Promise<JobStatusChange> {
	const rule = RULES[action];
	try {
		const answer = await patchJob(context, jobId, action, scope);
		return { jobId, status: answer?.status ?? rule.target, alreadyDone: false };
	} catch (error) {
		if (!(error instanceof NodeApiError) || error.context.httpStatus !== 412) {
			throw ensureNodeError(context.getNode(), error, scope.itemIndex);
		}
		const { status } = await getJobStatus(context, jobId, scope);
		if (status === rule.target) return { jobId, status, alreadyDone: true };
		const hint =
			action === 'cancel'
				? 'It has already finished, so there is nothing to cancel.'
				: 'Wait until it has finished (use "Wait for Completion"), then acknowledge it.';
		throw new NodeApiError(
			context.getNode(),
			{ message: `Job ${jobId} cannot be ${rule.verb}` },
			{
				message: `Job ${jobId} cannot be ${rule.verb}: its status is "${status}"`,
				description: `Only jobs that are ${orList(rule.allowedFrom)} can be ${rule.verb}. ${hint} (HERE answered 412 Precondition Failed.)`,
				httpCode: '412',
				itemIndex: scope.itemIndex,
			},
		);
	}
}
