import type { INodeExecutionData, INodeType, INodeTypeDescription, IPollFunctions } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { searchProjects } from './methods/listSearch';
import { pollTrigger } from './trigger/poll';
import { triggerProperties } from './trigger/trigger.descriptions';

export class HereBulkJobsTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'HERE Bulk Jobs Trigger',
		name: 'hereBulkJobsTrigger',
		icon: { light: 'file:here.svg', dark: 'file:here.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: 'Job reached a final status',
		description: 'Starts the workflow when a HERE Tracking bulk job completes, fails or is cancelled',
		defaults: { name: 'HERE Bulk Jobs Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'hereTrackingApi', required: true }],
		properties: triggerProperties,
	};

	methods = {
		listSearch: { searchProjects },
	};

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		return await pollTrigger(this);
	}
}
