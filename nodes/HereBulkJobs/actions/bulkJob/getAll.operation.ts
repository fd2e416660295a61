import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { JobType } from '../../jobs/wire';
import { JOB_STATUSES } from '../../jobs/wire';
import { getJobStatus, listJobPages } from '../../jobs/api';
import { mapWithConcurrency, valuesOrThrow } from '../../jobs/mapWithConcurrency';
import { projectLocator, returnAllOrLimit } from '../common.descriptions';
import { readProjectId } from '../parameters';

const STATUS_LOOKUP_CONCURRENCY = 5;

const properties: INodeProperties[] = [
	projectLocator,
	...returnAllOrLimit,
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		options: [
			{
				displayName: 'Job Type',
				name: 'type',
				type: 'options',
				default: 'create',
				options: [
					{ name: 'Add Devices', value: 'create' },
					{ name: 'Delete Devices', value: 'delete' },
				],
				description: 'Only jobs that add devices, or only jobs that delete them',
			},
			{
				displayName: 'Statuses',
				name: 'statuses',
				type: 'multiOptions',
				default: [],
				options: JOB_STATUSES.map((status) => ({ name: status.charAt(0).toUpperCase() + status.slice(1), value: status })),
				description: 'Only jobs in one of these statuses',
			},
		],
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		hint: "HERE's list gives each job's ID, status and type; Include Status Figures adds its progress, counts and file name",
		options: [
			{
				displayName: 'Include Status Figures',
				name: 'includeStatus',
				type: 'boolean',
				default: false,
				description:
					'Whether to add each job\'s progress, totals and file name (one more request per job)',
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['bulkJob'], operation: ['getAll'] } }, properties);

export const mode = 'perItem';

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const projectId = readProjectId(this, itemIndex);
	const returnAll = this.getNodeParameter('returnAll', itemIndex) as boolean;
	const maxItems = returnAll ? undefined : (this.getNodeParameter('limit', itemIndex) as number);
	const filters = this.getNodeParameter('filters', itemIndex, {}) as { type?: JobType; statuses?: string[] };
	const { includeStatus = false } = this.getNodeParameter('options', itemIndex, {}) as { includeStatus?: boolean };

	const jobs: IDataObject[] = [];
	const pages = listJobPages(
		this,
		{ type: filters.type, statuses: filters.statuses as (typeof JOB_STATUSES)[number][] | undefined },
		{ projectId, itemIndex },
		{ maxItems },
	);
	for await (const page of pages) for (const job of page) jobs.push({ ...job });

	if (includeStatus) {
		const figures = valuesOrThrow(
			await mapWithConcurrency(jobs, STATUS_LOOKUP_CONCURRENCY, async (job) =>
				await getJobStatus(this, String(job.jobId), { projectId, itemIndex }),
			),
		);
		figures.forEach((status, index) => Object.assign(jobs[index], status));
	}
	return jobs.map((json) => ({ json }));
}
