import type { IPollFunctions, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { getJobStatus, patchJob } from '../jobs/api';
import { ensureNodeError } from '../transport';
import type { PollBudget } from './budget';
import type { TriggerSettings } from './settings';
import type { TriggerState } from './state';
import { idsWithMark } from './state';

export interface AcknowledgeOutcome {
	acknowledged: string[];
	/** Left `emitted`: the next poll tries again. */
	retryLater: string[];
	requests: number;
}

/**
 * Acknowledges the jobs earlier polls emitted. A record says `emitted` only if n8n committed
 * the poll that emitted the job (the state and the hand-off are stored together), so this never
 * acknowledges a job whose emission could still be lost.
 *
 * The same rules as the action node's Acknowledge (jobs/changeJobStatus.ts), with the poll's
 * retry budget: a 412 means the job is not acknowledgeable, and if it already is acknowledged
 * (an earlier try went through but its answer was lost) that counts as done. A job HERE has
 * forgotten (404) needs nothing more. Any other failure keeps the record for the next poll;
 * it never leads to a second emission, because the record stays.
 */
export async function acknowledgeEmitted(
	context: IPollFunctions,
	settings: TriggerSettings,
	state: TriggerState,
	budget: PollBudget,
): Promise<AcknowledgeOutcome> {
	const outcome: AcknowledgeOutcome = { acknowledged: [], retryLater: [], requests: 0 };
	const scope = { projectId: settings.projectId };
	for (const jobId of idsWithMark(state, 'emitted')) {
		if (!budget.allowsRequest()) {
			outcome.retryLater.push(jobId);
			continue;
		}
		const startedAt = Date.now();
		try {
			outcome.requests++;
			await patchJob(context, jobId, 'acknowledge', scope, budget.retry());
			budget.recordRequest(Date.now() - startedAt);
			markAcknowledged(state, jobId);
			outcome.acknowledged.push(jobId);
		} catch (error) {
			const status = error instanceof NodeApiError ? (error.context.httpStatus as number | undefined) : undefined;
			if (status === 401) throw ensureNodeError(context.getNode(), error);
			if (status === 403) throw notAllowed(context, jobId, error as NodeApiError);
			if (status === 404) {
				state.jobs.delete(jobId);
				continue;
			}
			if (status === 412 && (await isAcknowledged(context, jobId, scope, budget, outcome))) {
				markAcknowledged(state, jobId);
				outcome.acknowledged.push(jobId);
				continue;
			}
			outcome.retryLater.push(jobId);
			context.logger.warn(`HERE Bulk Jobs Trigger: could not acknowledge job ${jobId} yet; the next poll tries again`, {
				jobId,
				httpStatus: status,
				requestId: error instanceof NodeApiError ? error.context.requestId : undefined,
			});
		}
	}
	return outcome;
}

function markAcknowledged(state: TriggerState, jobId: string): void {
	const record = state.jobs.get(jobId);
	if (record !== undefined) record.mark = 'acknowledged';
}

async function isAcknowledged(
	context: IPollFunctions,
	jobId: string,
	scope: { projectId?: string },
	budget: PollBudget,
	outcome: AcknowledgeOutcome,
): Promise<boolean> {
	try {
		outcome.requests++;
		const { status } = await getJobStatus(context, jobId, scope, budget.retry());
		return status === 'acknowledged';
	} catch {
		// Unknown for now: the record stays and the next poll asks again.
		return false;
	}
}

/** A user who may read but not change jobs: retrying will not help, so the poll says what to change. */
function notAllowed(context: IPollFunctions, jobId: string, error: NodeApiError): NodeApiError {
	const wrapped = new NodeApiError(context.getNode(), { message: error.message } as JsonObject, {
		message: `HERE does not let this user acknowledge job ${jobId} (HTTP 403)`,
		description:
			'Give the credential\'s user a role that may change bulk jobs in the project, or turn off "Acknowledge Emitted Jobs". The job was emitted; it will not be emitted again.',
		httpCode: '403',
	});
	Object.assign(wrapped.context, error.context);
	return wrapped;
}
