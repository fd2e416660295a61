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
		// n8n's node search shows one entry for a node and its trigger, with the trigger's
		// description: so it describes both (the action node's own first).
		description: 'Add or delete HERE Tracking devices in bulk and follow the jobs; the trigger starts a workflow when a job finishes',
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
