import type { INodeProperties } from 'n8n-workflow';

import type { OperationModule } from '../operation';
import * as getAll from './getAll.operation';
import * as sync from './sync.operation';

export const operations: Record<string, OperationModule> = { getAll, sync };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['device'] } },
		options: [
			{
				name: 'Get Many',
				value: 'getAll',
				description: 'List the devices of a project with their externalId and rates',
				action: 'Get many devices',
			},
			{
				name: 'Sync',
				value: 'sync',
				description:
					'Make the project\'s virtual devices match a list (keyed by externalId): add the missing ones and, in a scope, delete the ones not in the list. Dry Run (on by default) only outputs the plan.',
				action: 'Sync devices with a list',
			},
		],
		default: 'getAll',
	},
	...getAll.description,
	...sync.description,
];
