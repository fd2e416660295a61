import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { getJobStatus } from '../../jobs/api';
import { jobLocator, projectLocator } from '../common.descriptions';
import { readJobId, readProjectId } from '../parameters';

const properties: INodeProperties[] = [jobLocator, projectLocator];

export const description = updateDisplayOptions({ show: { resource: ['bulkJob'], operation: ['getStatus'] } }, properties);

export const mode = 'perItem';

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const jobId = readJobId(this, itemIndex);
	const status = await getJobStatus(this, jobId, { projectId: readProjectId(this, itemIndex), itemIndex });
	return [{ json: { jobId, ...status } }];
}
