import type { INodeProperties } from 'n8n-workflow';

import { projectLocator } from '../actions/common.descriptions';

/**
 * The trigger's parameters. Names are stored in users' workflows: never rename a `name` or a
 * `value` once released.
 */

/** The final statuses a user can watch for; `acknowledged` is the trigger's own "handled" mark. */
export const WATCHABLE_STATUSES = ['completed', 'failed', 'cancelled'] as const;
export type WatchableStatus = (typeof WATCHABLE_STATUSES)[number];

export const triggerProperties: INodeProperties[] = [
	projectLocator,
	{
		displayName: 'Event',
		name: 'event',
		type: 'options',
		noDataExpression: true,
		default: 'jobFinished',
		options: [
			{
				name: 'Job Reached a Final Status',
				value: 'jobFinished',
				description: 'A bulk job completed, failed or was cancelled',
			},
		],
		description: 'What starts the workflow',
	},
	{
		displayName: 'Statuses',
		name: 'statuses',
		type: 'multiOptions',
		required: true,
		default: ['completed', 'failed', 'cancelled'],
		options: [
			{ name: 'Cancelled', value: 'cancelled', description: 'Someone cancelled the job before it finished' },
			{
				name: 'Completed',
				value: 'completed',
				description: 'HERE processed every device (some devices may still have failed: see each result)',
			},
			{
				name: 'Failed',
				value: 'failed',
				description: "HERE ended the job as failed (often every device failed; a job can also stop part-way): see each device's result",
			},
		],
		description: 'Which final statuses start the workflow',
	},
	{
		displayName: 'Job Type',
		name: 'jobType',
		type: 'options',
		default: 'any',
		options: [
			{ name: 'Add Devices', value: 'create', description: 'Only jobs that add devices' },
			{ name: 'Add or Delete Devices', value: 'any', description: 'Jobs of both types' },
			{ name: 'Delete Devices', value: 'delete', description: 'Only jobs that delete devices' },
		],
		description: 'Which kind of bulk job to watch',
	},
	{
		displayName: 'Output',
		name: 'output',
		type: 'options',
		default: 'perDevice',
		options: [
			{
				name: 'One Item per Device',
				value: 'perDevice',
				description:
					"Each device's result as its own item (outcome \"succeeded\" or \"failed\"), with the job's ID, type, file name and final figures on it. A job without any device result gives one item with outcome \"none\".",
			},
			{
				name: 'One Summary Item per Job',
				value: 'summary',
				description: 'One item per job with its status and counts, the failed devices and every device\'s result under "results"',
			},
		],
		description: 'The shape of what the trigger emits for each finished job',
		hint: 'Same shapes as the HERE Bulk Jobs node\'s Get Results',
	},
	{
		displayName: 'Acknowledge Emitted Jobs',
		name: 'acknowledge',
		type: 'boolean',
		default: false,
		description:
			'Whether to acknowledge each job on HERE once its emission is recorded. HERE then lists only jobs not handled yet, which keeps every poll small. Turn off if something else acknowledges these jobs.',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Device Results in Summary',
				name: 'includeResults',
				type: 'boolean',
				default: true,
				description:
					'Whether a summary item lists every device\'s result under "results". Turn off when the counts and failed devices are enough.',
				hint: 'Used with the summary output',
			},
			{
				displayName: 'Include Device Secret',
				name: 'includeDeviceSecret',
				type: 'boolean',
				default: false,
				description:
					'Whether to output the deviceSecret that HERE returns for newly provisioned devices. It is a credential: it then appears in the execution data, so only turn this on when the next node stores it safely.',
				hint: 'Off by default, as in the HERE Bulk Jobs node',
			},
			{
				displayName: 'On First Poll',
				name: 'firstPoll',
				type: 'options',
				default: 'recordExisting',
				options: [
					{
						name: 'Emit Finished Jobs HERE Still Keeps',
						value: 'emitExisting',
						description:
							'Emit every finished job HERE still lists (HERE keeps jobs for one week and gives no finish times)',
					},
					{
						name: 'Record Existing Jobs, Emit Nothing',
						value: 'recordExisting',
						description: 'Only jobs that finish after activation start the workflow',
					},
				],
				description: 'What the first poll does with jobs that had already finished',
			},
			{
				displayName: 'Only File Names',
				name: 'fileNames',
				type: 'string',
				default: '',
				placeholder: 'e.g. erp-sync-*.csv, onboarding.csv',
				description:
					'Only jobs uploaded with one of these file names (comma-separated; * matches any characters). The jobs of an upload split into parts, such as erp.csv (2/3), match erp.csv. Jobs without a file name never match.',
			},
			{
				displayName: 'Only Job IDs',
				name: 'jobIds',
				type: 'string',
				default: '',
				placeholder: 'e.g. BULK-6279286f-a09a-4521-9d3a-af7559e84836',
				description: 'Only these jobs (comma-separated job IDs)',
			},
		],
	},
];
