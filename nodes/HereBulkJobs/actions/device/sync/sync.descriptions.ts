import type { INodeProperties } from 'n8n-workflow';

import { createProperties } from '../../bulkJob/create/create.descriptions';
import { projectLocator } from '../../common.descriptions';
import { waitProperties } from '../../results.descriptions';

/**
 * Parameters of Sync. The list is read exactly as Create reads add rows, so its parameters are
 * Create's own (taken by name), minus the job type: a sync list holds virtual devices to have.
 */

export const DEFAULT_MAX_DELETIONS = 100;
export const DEFAULT_MAX_DELETION_PERCENT = 50;

/** Create's parameter `name` for adding devices (its delete-only twins are left out). */
function fromCreate(name: string, changes: Partial<INodeProperties> = {}): INodeProperties {
	const property = createProperties.find((p) => p.name === name && !(p.displayOptions?.show?.jobType ?? []).includes('delete'));
	if (property === undefined) throw new Error(`Create has no parameter ${name}`);
	const show = { ...(property.displayOptions?.show ?? {}) };
	delete show.jobType;
	return { ...property, ...changes, ...(property.displayOptions ? { displayOptions: { ...property.displayOptions, show } } : {}) };
}

function createOption(name: string): INodeProperties {
	const options = (createProperties.find((p) => p.name === 'options')?.options ?? []) as INodeProperties[];
	const option = options.find((o) => o.name === name);
	if (option === undefined) throw new Error(`Create has no option ${name}`);
	return option;
}

/** The columns a sync list takes: Create's add columns for a virtual device (no other identity, no delete columns). */
const SYNC_COLUMNS_HINT =
	'The file needs a header row. Columns: name and externalId (both required), and optionally sendMs, sampleMs, distanceM, areaBased, type, tags, rules, geofences, tag:NAME, rule:UUID, geofence:UUID. Each row is a virtual device to keep; Sync finds the devices to add and to delete itself. The file of every input item is read; a device in several files is reported as a repeated row.';

/** Create's choices, with Map Automatically naming the fields a sync list takes. */
function syncFieldMapping(): INodeProperties {
	const property = fromCreate('fieldMapping');
	const options = (property.options ?? []) as Array<{ name: string; value: string; description?: string }>;
	return {
		...property,
		options: options.map((option) =>
			option.value === 'auto'
				? { ...option, description: "Use the item fields whose names match HERE's device fields (name, externalId, sendMs, tags, …)" }
				: option,
		),
	};
}

const definedOnly = { show: { inputSource: ['items'], fieldMapping: ['define'] } };

const listParameters: INodeProperties[] = [
	fromCreate('inputSource', {
		description:
			'Where the list comes from: every device the project should have (in scope), one per row or item, each a virtual device with a name and an externalId',
	}),
	fromCreate('binaryPropertyName', { hint: SYNC_COLUMNS_HINT }),
	fromCreate('csvText', { placeholder: 'name,externalId,sendMs,sampleMs\nTruck 1,truck-1,600000,300000' }),
	fromCreate('devicesJson', {
		default: '[\n  {\n    "name": "",\n    "externalId": ""\n  }\n]',
		placeholder: '[{"name": "Truck 1", "externalId": "truck-1", "sendMs": 600000, "sampleMs": 300000}]',
		description:
			'A JSON array of devices, as Create takes add rows: each needs "name" and "externalId"; "sendMs", "sampleMs", "distanceM", "type", "tags", "rules", "geofences" and "areaBased" are optional',
	}),
	syncFieldMapping(),
	// Define Below always describes a virtual device: the list is keyed by externalId.
	{ displayName: 'Device Variant', name: 'addIdentity', type: 'hidden', default: 'externalId', displayOptions: definedOnly },
	fromCreate('deviceName'),
	fromCreate('externalId'),
	fromCreate('addFields'),
];

const scopeParameters: INodeProperties[] = [
	{
		displayName: 'Scope',
		name: 'scope',
		type: 'options',
		noDataExpression: true,
		default: 'none',
		options: [
			{ name: 'None (Never Delete)', value: 'none', description: 'The sync only adds; no device can be deleted' },
			{ name: 'External ID Prefix', value: 'prefix', description: 'The sync manages the virtual devices whose externalId starts with a prefix' },
			{ name: 'External ID Pattern', value: 'regex', description: 'The sync manages the virtual devices whose whole externalId matches a regular expression' },
		],
		description:
			'Which devices of the project this sync manages. Only devices in scope can be deleted, and the list may hold only devices in scope; every other device is reported as outsideScope and never touched.',
	},
	{
		displayName: 'External ID Prefix',
		name: 'externalIdPrefix',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. fleet-',
		displayOptions: { show: { scope: ['prefix'] } },
		description: 'The prefix every managed externalId starts with (case-sensitive)',
	},
	{
		displayName: 'External ID Pattern',
		name: 'externalIdPattern',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. truck-\\d+',
		displayOptions: { show: { scope: ['regex'] } },
		description: 'A JavaScript regular expression that must match the whole externalId (no need for ^ and $)',
	},
	{
		displayName: 'Delete Devices Not in List',
		name: 'deleteMissing',
		type: 'boolean',
		default: false,
		description:
			'Whether to delete the devices in scope that HERE has and the list does not. Needs a Scope. Off: they are reported as notInList and kept.',
	},
	{
		displayName: 'Max Deletions',
		name: 'maxDeletions',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: DEFAULT_MAX_DELETIONS,
		displayOptions: { show: { deleteMissing: [true] } },
		description: 'Stop with an error, sending nothing, when the sync would delete more devices than this',
	},
	{
		displayName: 'Max Deletion Percentage',
		name: 'maxDeletionPercent',
		type: 'number',
		typeOptions: { minValue: 0, maxValue: 100 },
		default: DEFAULT_MAX_DELETION_PERCENT,
		displayOptions: { show: { deleteMissing: [true] } },
		description:
			'Stop with an error, sending nothing, when the sync would delete more than this share of the devices in scope (guards against a truncated list)',
	},
	{
		displayName: 'Unclaim Only',
		name: 'unclaimOnly',
		type: 'boolean',
		default: false,
		displayOptions: { show: { deleteMissing: [true] } },
		description: 'Whether deleted devices are only unclaimed from the project and keep their provisioning (by default both are removed)',
	},
];

const options: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	options: [
		createOption('ignoreUnknownFields'),
		createOption('concurrency'),
		{
			displayName: 'Output Devices Outside Scope',
			name: 'includeOutsideScope',
			type: 'boolean',
			default: false,
			description:
				'Whether the devices the sync never touches (physical, without externalId, or outside the Scope) get an item each. Off, the summary item only counts them, which keeps the output small in a large project.',
		},
	],
};

/** Sync always outputs failed jobs' devices (with their outcome), so that option of the wait does not apply. */
const syncWaitProperties = waitProperties.map((property) => ({
	...property,
	displayOptions: { show: { dryRun: [false] } },
	options: (property.options as INodeProperties[] | undefined)?.filter((option) => option.name !== 'outputUnsuccessfulJobs'),
}));

export const syncProperties: INodeProperties[] = [
	projectLocator,
	{
		displayName: 'Dry Run',
		name: 'dryRun',
		type: 'boolean',
		default: true,
		description:
			'Whether to only output the plan (one item per device with its action and reason, then a summary item) without sending anything to HERE. Turn off to apply the plan.',
		hint: 'Read the plan first: turn Dry Run off once the planned adds and deletes are what you expect',
	},
	...listParameters,
	...scopeParameters,
	options,
	...syncWaitProperties,
];
