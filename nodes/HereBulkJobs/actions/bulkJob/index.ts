import type { INodeProperties } from 'n8n-workflow';

import type { OperationModule } from '../operation';
import * as acknowledge from './acknowledge.operation';
import * as cancel from './cancel.operation';
import * as create from './create.operation';
import * as getAll from './getAll.operation';
import * as getResults from './getResults.operation';
import * as getStatus from './getStatus.operation';
import * as waitForCompletion from './waitForCompletion.operation';

export const operations: Record<string, OperationModule> = {
	acknowledge,
	cancel,
	create,
	getAll,
	getResults,
	getStatus,
	waitForCompletion,
};

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['bulkJob'] } },
		options: [
			{
				name: 'Acknowledge',
				value: 'acknowledge',
				description: 'Mark a finished job as handled, so it no longer shows up as new',
				action: 'Acknowledge a bulk job',
			},
			{
				name: 'Cancel',
				value: 'cancel',
				description: 'Stop a pending or ongoing job; devices already processed stay processed',
				action: 'Cancel a bulk job',
			},
			{
				name: 'Create',
				value: 'create',
				description: 'Upload devices to add or delete, from CSV, JSON or the input items',
				action: 'Create a bulk job',
			},
			{
				name: 'Get Many',
				value: 'getAll',
				description: 'List the bulk jobs of a project',
				action: 'Get many bulk jobs',
			},
			{
				name: 'Get Results',
				value: 'getResults',
				description: 'Get the outcome for each device of a job',
				action: 'Get the results of a bulk job',
			},
			{
				name: 'Get Status',
				value: 'getStatus',
				description: 'Get the status, progress and counts of a job',
				action: 'Get the status of a bulk job',
			},
			{
				name: 'Wait for Completion',
				value: 'waitForCompletion',
				description: 'Wait until one or several jobs have finished, then return their results',
				action: 'Wait for a bulk job to finish',
			},
		],
		default: 'create',
	},
	...acknowledge.description,
	...cancel.description,
	...create.description,
	...getAll.description,
	...getResults.description,
	...getStatus.description,
	...waitForCompletion.description,
];
