import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { changeJobStatus } from '../../jobs/changeJobStatus';
import { jobLocator, projectLocator } from '../common.descriptions';
import { readJobId, readProjectId } from '../parameters';

/** Cancel and Acknowledge differ only in the action they send; both are built here. */
export function jobActionOperation(action: 'cancel' | 'acknowledge') {
	const properties: INodeProperties[] = [jobLocator, projectLocator];
	return {
		description: updateDisplayOptions({ show: { resource: ['bulkJob'], operation: [action] } }, properties),
		mode: 'perItem' as const,
		async execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
			const jobId = readJobId(this, itemIndex);
			const change = await changeJobStatus(this, jobId, action, { projectId: readProjectId(this, itemIndex), itemIndex });
			return [{ json: { ...change } }];
		},
	};
}
