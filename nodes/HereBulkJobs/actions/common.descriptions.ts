import type { INodeProperties } from 'n8n-workflow';

/** Parameters several operations share, defined once so their names and hints never drift. */

export const projectLocator: INodeProperties = {
	displayName: 'Project',
	name: 'projectId',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	description:
		'The HERE Tracking project. Leave empty to use the credential\'s Default Project ID, or the only project of the user.',
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			placeholder: 'Select a project...',
			typeOptions: { searchListMethod: 'searchProjects', searchable: true },
		},
		{
			displayName: 'ID',
			name: 'id',
			type: 'string',
			placeholder: 'e.g. 0ac1f3e2-...',
			validation: [
				{
					type: 'regex',
					properties: { regex: '^[^\\s]{1,50}$', errorMessage: 'A project ID has 1 to 50 characters and no spaces' },
				},
			],
		},
	],
};

/** Return All, or a Limit (default 50): the listings' page-size choice. */
export const returnAllOrLimit: INodeProperties[] = [
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		description: 'Max number of results to return',
		displayOptions: { show: { returnAll: [false] } },
	},
];

export const JOB_ID_REGEX = '^BULK-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$';

export const jobLocator: INodeProperties = {
	displayName: 'Job',
	name: 'jobId',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	description: 'The bulk job, as returned by Create (a jobId such as BULK-6279286f-a09a-4521-9d3a-af7559e84836)',
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			placeholder: 'Select a job...',
			typeOptions: { searchListMethod: 'searchJobs', searchable: true },
		},
		{
			displayName: 'ID',
			name: 'id',
			type: 'string',
			placeholder: 'e.g. BULK-6279286f-a09a-4521-9d3a-af7559e84836',
			validation: [
				{
					type: 'regex',
					properties: { regex: JOB_ID_REGEX, errorMessage: 'A job ID looks like BULK-6279286f-a09a-4521-9d3a-af7559e84836' },
				},
			],
		},
	],
};
