import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { JOB_ID_PATTERN } from '../jobs/wire';

/** The project ID of item `itemIndex`, or undefined to let the credential / HERE decide. */
export function readProjectId(context: IExecuteFunctions, itemIndex: number): string | undefined {
	const value = context.getNodeParameter('projectId', itemIndex, '', { extractValue: true }) as string;
	const projectId = String(value ?? '').trim();
	return projectId === '' ? undefined : projectId;
}

/** A job ID, checked before any request so a typo gets a clear error instead of HERE's 400. */
export function readJobId(context: IExecuteFunctions, itemIndex: number, parameter = 'jobId'): string {
	const value = context.getNodeParameter(parameter, itemIndex, '', { extractValue: true }) as string;
	return checkJobId(context, String(value ?? '').trim(), itemIndex);
}

export function checkJobId(context: IExecuteFunctions, jobId: string, itemIndex: number): string {
	if (!JOB_ID_PATTERN.test(jobId)) {
		throw new NodeOperationError(context.getNode(), `"${jobId.slice(0, 80)}" is not a HERE bulk job ID`, {
			itemIndex,
			description: 'A job ID looks like BULK-6279286f-a09a-4521-9d3a-af7559e84836 (as returned by Create or Get Many).',
		});
	}
	return jobId;
}
