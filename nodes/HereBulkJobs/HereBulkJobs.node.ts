import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import * as bulkJob from './actions/bulkJob';
import * as device from './actions/device';
import { router } from './actions/router';
import { searchJobs, searchProjects } from './methods/listSearch';

export class HereBulkJobs implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'HERE Bulk Jobs',
		name: 'hereBulkJobs',
		icon: { light: 'file:here.svg', dark: 'file:here.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["operation"] + ": " + $parameter["resource"] }}',
		description: 'Add or delete HERE Tracking devices in bulk and follow the jobs',
		defaults: { name: 'HERE Bulk Jobs' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'hereTrackingApi', required: true }],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Bulk Job', value: 'bulkJob' },
					{ name: 'Device', value: 'device' },
				],
				default: 'bulkJob',
			},
			...bulkJob.description,
			...device.description,
		],
	};

	methods = {
		listSearch: { searchProjects, searchJobs },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
