import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';

import { router } from './actions/router';
import { versionDescription } from './actions/versionDescription';
import { searchJobs, searchProjects } from './methods/listSearch';

export class HereBulkJobs implements INodeType {
	description: INodeTypeDescription = versionDescription;

	methods = {
		listSearch: { searchProjects, searchJobs },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
