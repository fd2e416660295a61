import type { INodeProperties } from 'n8n-workflow';

import { MAX_CHUNK_SIZE } from '../../../devices/chunk';
import { KNOWN_DEVICE_TYPES } from '../../../devices/fields';
import { projectLocator } from '../../common.descriptions';

/**
 * Parameters of Create. Names are saved in users' workflows: never rename one.
 *
 * Input Items uses plain parameters rather than n8n's resourceMapper: HERE's device fields are
 * fixed (no schema to load), each field gets its own hint, placeholder and type, the device
 * variants (new, provisioned, virtual, cloud-to-cloud) become one clear choice instead of four
 * optional columns that must not be mixed, and an AI agent sees every field in the tool schema.
 */

export const DEFAULT_CONCURRENCY = 3;
export const MAX_CONCURRENCY = 10;

const kindOptions: INodeProperties = {
	displayName: 'Job Type',
	name: 'jobType',
	type: 'options',
	noDataExpression: true,
	default: 'create',
	options: [
		{ name: 'Add Devices', value: 'create', description: 'Create or claim the devices in the project' },
		{ name: 'Delete Devices', value: 'delete', description: 'Remove (or only unclaim) the devices from the project' },
	],
	description:
		'Whether the job adds or deletes devices. HERE infers the job type from the rows, so every row must fit the chosen type (checked before anything is sent).',
};

const inputSource: INodeProperties = {
	displayName: 'Devices From',
	name: 'inputSource',
	type: 'options',
	noDataExpression: true,
	default: 'csvFile',
	options: [
		{
			name: 'CSV File',
			value: 'csvFile',
			description: 'A CSV file in a binary field of the input items, e.g. from Read Files, HTTP Request or an e-mail',
		},
		{ name: 'CSV Text', value: 'csvText', description: 'CSV text typed here or taken from an expression' },
		{ name: 'Input Items', value: 'items', description: 'One input item per device, with its fields mapped below' },
		{ name: 'JSON', value: 'json', description: 'A JSON array of device objects, as HERE\'s API takes it' },
	],
	description:
		'Where the devices come from. Rows of all input items go into the same job(s) unless "One Job per Input Item" is on.',
};

/** n8n reads a parameter once per input item, so a fixed value is read as often as there are items. */
const ONCE_PER_ITEM =
	'Read once per input item: with several input items, a fixed value brings the same devices again, and they are reported as repeated rows (never sent twice). Feed the node one item, or give each item its own devices with an expression.';

const csvHeaderExample =
	'name,deviceId,sendMs,sampleMs,type,tag:fragile\nTruck 1,a19b2648-60c1-49fc-896c-ea450a07e98d,600000,300000,Tracker,1';

const sourceParameters: INodeProperties[] = [
	{
		displayName: 'Input Binary Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		placeholder: 'e.g. data',
		displayOptions: { show: { inputSource: ['csvFile'] } },
		description: 'The name of the binary field of each input item that holds the CSV file',
		hint: 'The file needs a header row. Add-device columns: name, deviceId, externalId, externalDeviceId, connectorId, sendMs, sampleMs, distanceM, areaBased, type, tags, rules, geofences, tag:NAME, rule:UUID, geofence:UUID. Delete columns: trackingId, externalId, connectorId, externalDeviceId, unclaimOnly, removeFromConnectorOnly. The file of every input item is read; a device in several files is reported as a repeated row, never sent twice.',
	},
	{
		displayName: 'CSV Text',
		name: 'csvText',
		type: 'string',
		typeOptions: { rows: 8 },
		default: '',
		required: true,
		placeholder: csvHeaderExample,
		displayOptions: { show: { inputSource: ['csvText'] } },
		description:
			'The devices as CSV with a header row, one device per line. Lists (tags, rules, geofences) are separated by |, ; or , (a tag that holds one of these goes in a tag:NAME column); tag:NAME, rule:UUID and geofence:UUID columns take 1 to apply. An empty cell means "not set".',
		hint: ONCE_PER_ITEM,
	},
	{
		displayName: 'Devices (JSON)',
		name: 'devicesJson',
		type: 'json',
		// An empty name fails validation: a default left untouched never creates a device.
		default: '[\n  {\n    "name": ""\n  }\n]',
		placeholder: '[{"name": "Truck 1", "sendMs": 600000, "sampleMs": 300000, "type": "Tracker"}]',
		required: true,
		displayOptions: { show: { inputSource: ['json'] } },
		description:
			'A JSON array of devices. Add: {"name" (required), optional "deviceId" | "externalId" | "externalDeviceId" + "connectorId", "sendMs", "sampleMs", "distanceM", "areaBased", "type", "tags", "rules", "geofences"}. Delete: {"trackingId"} or {"externalId"} or {"connectorId", "externalDeviceId"}, each with optional "unclaimOnly" (and "removeFromConnectorOnly" for connector devices). A field set to null or "" is refused: leave it out.',
		hint: ONCE_PER_ITEM,
	},
	{
		displayName: 'Field Mapping',
		name: 'fieldMapping',
		type: 'options',
		noDataExpression: true,
		default: 'auto',
		displayOptions: { show: { inputSource: ['items'] } },
		options: [
			{
				name: 'Map Automatically',
				value: 'auto',
				description: 'Use the item fields whose names match HERE\'s device fields (name, deviceId, sendMs, tags, trackingId, …)',
			},
			{ name: 'Define Below', value: 'define', description: 'Set each device field below, usually with an expression' },
		],
		description: 'How the fields of each input item become a device',
	},
	// A hint for each choice: a parameter's own hint cannot change with its value.
	{
		displayName:
			'Each input item becomes one device from its fields named like HERE\'s (case does not matter). Other fields are reported as invalid unless Options > Ignore Unknown Fields is on. Lists may be arrays or text separated by |, ; or ,.',
		name: 'autoMappingNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { inputSource: ['items'], fieldMapping: ['auto'] } },
	},
	{
		displayName:
			'Each input item becomes one device with the fields set below, usually expressions over the item such as {{ $json.name }}. A field that evaluates to an empty value is left out, except the IDs of a Provisioned, Virtual or Cloud-to-Cloud Device: an item where they are empty is an invalid row (never a new device).',
		name: 'defineMappingNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { inputSource: ['items'], fieldMapping: ['define'] } },
	},
];

/** Define Below, Add Devices. */
const addDeviceFields: INodeProperties[] = [
	{
		displayName: 'Device Name',
		name: 'deviceName',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. {{ $json.name }}',
		description: 'The device\'s name, 1 to 50 characters, unique within the project',
	},
	{
		displayName: 'Device Variant',
		name: 'addIdentity',
		type: 'options',
		default: 'new',
		options: [
			{
				name: 'Cloud-to-Cloud Device',
				value: 'connector',
				description: 'A device of another cloud, reached through a connector (External Device ID + Connector ID)',
			},
			{ name: 'New Device', value: 'new', description: 'HERE provisions a new device; the results give its deviceId and deviceSecret' },
			{ name: 'Provisioned Device', value: 'deviceId', description: 'A device that already has a HERE device ID (claims it)' },
			{ name: 'Virtual Device', value: 'externalId', description: 'A virtual device with your own external ID' },
		],
		description: 'Which kind of device each item describes',
	},
	{
		displayName: 'Device ID',
		name: 'deviceId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. a19b2648-60c1-49fc-896c-ea450a07e98d',
		displayOptions: { show: { addIdentity: ['deviceId'] } },
		description: 'The HERE device ID of the provisioned device to claim',
	},
	{
		displayName: 'External ID',
		name: 'externalId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. {{ $json.assetNumber }}',
		displayOptions: { show: { addIdentity: ['externalId'] } },
		description: 'Your ID for the virtual device, 1 to 50 characters',
	},
	{
		displayName: 'External Device ID',
		name: 'externalDeviceId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. 1e50ed8d-c291-4f16-8a51-86fe03267496',
		displayOptions: { show: { addIdentity: ['connector'] } },
		description: 'The device\'s ID in the other cloud',
	},
	{
		displayName: 'Connector ID',
		name: 'connectorId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. cf208b96-ef0b-4227-a3ee-224679cce07a',
		displayOptions: { show: { addIdentity: ['connector'] } },
		description: 'The ID of the connector to the other cloud',
	},
	{
		displayName: 'Device Fields',
		name: 'addFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		description: 'Optional settings of each device. Fields that evaluate to an empty value are left out.',
		options: [
			{
				displayName: 'Area Based',
				name: 'areaBased',
				type: 'boolean',
				default: false,
				description: 'Whether the device reports in area-based mode (only for devices with at most 3 geofences)',
			},
			{
				displayName: 'Distance Threshold (Meters)',
				name: 'distanceM',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 100,
				description: 'Send an update when the device has moved farther than this many meters',
			},
			{
				displayName: 'Geofences',
				name: 'geofences',
				type: 'string',
				default: '',
				placeholder: 'e.g. 08e742fc-52d1-49aa-bea0-60a6cd17d8a2|2bff17e2-af05-4843-9780-878df098d35a',
				description: 'Geofence UUIDs, as a list or as text separated by |, ; or , (at most 10)',
			},
			{
				displayName: 'Rules',
				name: 'rules',
				type: 'string',
				default: '',
				placeholder: 'e.g. 74a6fe54-2077-4629-b924-3340bc88b864',
				description: 'Rule or sensor rule UUIDs, as a list or as text separated by |, ; or , (at most 10)',
			},
			{
				displayName: 'Sample Interval (Milliseconds)',
				name: 'sampleMs',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 300000,
				description: 'How often the device samples its sensors, in milliseconds (at most the send interval)',
			},
			{
				displayName: 'Send Interval (Milliseconds)',
				name: 'sendMs',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 600000,
				description: 'How often the device sends its samples, in milliseconds',
			},
			{
				displayName: 'Tags',
				name: 'tags',
				type: 'string',
				default: '',
				placeholder: 'e.g. fragile|food',
				description: 'Tags, as a list or as text separated by |, ; or , (at most 10; a tag that holds one of these needs a list)',
			},
			{
				displayName: 'Type',
				name: 'type',
				type: 'options',
				default: 'Tracker',
				options: KNOWN_DEVICE_TYPES.map((value) => ({ name: value, value })).sort((a, b) => a.name.localeCompare(b.name)),
				description:
					'The asset type; the known types choose the icon in HERE\'s apps. For your own type (1 to 50 characters), switch to Expression and type it.',
			},
		],
	},
];

/** Define Below, Delete Devices. */
const deleteDeviceFields: INodeProperties[] = [
	{
		displayName: 'Identify Devices By',
		name: 'deleteIdentity',
		type: 'options',
		default: 'trackingId',
		options: [
			{ name: 'Connector and External Device ID', value: 'connector', description: 'A cloud-to-cloud device' },
			{ name: 'External ID', value: 'externalId', description: 'A virtual device' },
			{ name: 'Tracking ID', value: 'trackingId', description: 'Any device, by its HERE tracking ID (HERE-…)' },
		],
		description: 'How each item names the device to delete',
	},
	{
		displayName: 'Tracking ID',
		name: 'trackingId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. HERE-5cb2b777-7389-472b-81f0-9ab89a9c7fed',
		displayOptions: { show: { deleteIdentity: ['trackingId'] } },
		description: 'The tracking ID of the device to delete',
	},
	{
		displayName: 'External ID',
		name: 'externalId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. {{ $json.assetNumber }}',
		displayOptions: { show: { deleteIdentity: ['externalId'] } },
		description: 'The external ID of the virtual device to delete',
	},
	{
		displayName: 'Connector ID',
		name: 'connectorId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. cf208b96-ef0b-4227-a3ee-224679cce07a',
		displayOptions: { show: { deleteIdentity: ['connector'] } },
		description: 'The ID of the connector the device is attached to',
	},
	{
		displayName: 'External Device ID',
		name: 'externalDeviceId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. 1e50ed8d-c291-4f16-8a51-86fe03267496',
		displayOptions: { show: { deleteIdentity: ['connector'] } },
		description: 'The device\'s ID in the other cloud',
	},
	{
		displayName: 'Unclaim Only',
		name: 'unclaimOnly',
		type: 'boolean',
		default: false,
		description:
			'Whether to only unclaim the device from the project and keep its provisioning (by default both are removed)',
	},
	{
		displayName: 'Remove From Connector Only',
		name: 'removeFromConnectorOnly',
		type: 'boolean',
		default: false,
		displayOptions: { show: { deleteIdentity: ['connector'] } },
		description: 'Whether to only detach the device from the connector and keep the virtual device in HERE Tracking',
	},
];

function forItems(jobType: 'create' | 'delete', properties: INodeProperties[]): INodeProperties[] {
	return properties.map((property) => ({
		...property,
		displayOptions: {
			show: {
				...(property.displayOptions?.show ?? {}),
				jobType: [jobType],
				inputSource: ['items'],
				fieldMapping: ['define'],
			},
		},
	}));
}

const waitForCompletion: INodeProperties = {
	displayName: 'Wait for Completion',
	name: 'waitForCompletion',
	type: 'boolean',
	default: false,
	description:
		'Whether to wait until HERE has processed every device and output the per-device results, instead of the job IDs right away',
	hint: 'For thousands of devices a job can take minutes. To keep the execution short, leave this off and follow the jobs with the HERE Bulk Jobs Trigger or a Wait for Completion step.',
};

const outputMode: INodeProperties = {
	displayName: 'Output',
	name: 'jobOutput',
	type: 'options',
	noDataExpression: true,
	default: 'perJob',
	displayOptions: { show: { waitForCompletion: [false] } },
	options: [
		{
			name: 'One Item per Job',
			value: 'perJob',
			description: 'Each job with its jobId, file name, device count and row range: a following Wait for Completion step can take each item\'s jobId',
		},
		{ name: 'One Summary Item', value: 'summary', description: 'One item listing every job (jobIds, jobs, counts)' },
	],
	description: 'What the node outputs once the devices are uploaded',
};

const options: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	options: [
		{
			displayName: 'Devices per Job',
			name: 'chunkSize',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: MAX_CHUNK_SIZE },
			default: MAX_CHUNK_SIZE,
			description: `HERE takes at most ${MAX_CHUNK_SIZE} devices per job; more devices are split into several jobs of at most this many`,
		},
		{
			displayName: 'File Name',
			name: 'fileName',
			type: 'string',
			default: '',
			placeholder: 'e.g. fleet-2024-06.csv',
			description:
				'The name HERE shows for the job (at most 50 characters; longer names are shortened). Default: the CSV file\'s name, otherwise "devices" with the input\'s file extension. Split jobs get " (2/3)" appended.',
		},
		{
			displayName: 'Ignore Unknown Fields',
			name: 'ignoreUnknownFields',
			type: 'boolean',
			default: false,
			displayOptions: { show: { '/inputSource': ['items', 'json'] } },
			description:
				'Whether to leave out item or JSON fields that are not HERE device fields (such as an ID from your ERP). By default they are reported as invalid, so that a misspelled field (sendMilis) is not silently dropped.',
		},
		{
			displayName: 'One Job per Input Item',
			name: 'jobPerItem',
			type: 'boolean',
			default: false,
			// With Input Items each item is one device: it would make one job per device. n8n drops a
			// hidden option's saved value, so a value set under another source does not count there.
			displayOptions: { show: { '/inputSource': ['csvFile', 'csvText', 'json'] } },
			description:
				'Whether each input item becomes its own job(s), e.g. when every item carries its own CSV file. By default the devices of all items go into the same job(s).',
		},
		{
			displayName: 'Parallel Uploads',
			name: 'concurrency',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: MAX_CONCURRENCY },
			default: DEFAULT_CONCURRENCY,
			description: 'How many jobs are uploaded at the same time when the devices are split into several jobs',
		},
		{
			displayName: 'Skip Devices Already in Jobs',
			name: 'skipDevicesInJobs',
			type: 'string',
			default: '',
			placeholder: 'e.g. BULK-6279286f-a09a-4521-9d3a-af7559e84836, BULK-...',
			description:
				'For a re-run after an upload that stopped part-way or a job with failed devices: the job IDs of the earlier uploads (separated by commas, or a list). Rows whose device HERE reports as succeeded in one of these jobs are not sent again; rows whose device failed there are sent again in this run\'s jobs. The output adds one item with outcome "alreadySent" and one with outcome "resent" (with HERE\'s earlier errors); One Summary Item has the same as its alreadySent… and resent… fields instead; after waiting with one item per device, each resent device\'s own result carries resent: true, earlierJobId and earlierErrors instead of the "resent" item. A result with errors counts as failed, even if HERE applied part of it. The jobs must have finished.',
			hint: 'The error of an upload that stopped part-way, or of a job that ended with failed devices, lists the job IDs to put here',
		},
		{
			displayName: 'Skip Invalid Rows',
			name: 'skipInvalidRows',
			type: 'boolean',
			default: false,
			description:
				'Whether to upload the valid rows and report the invalid ones in the output: in invalidRows of the job or summary item, or, with Wait for Completion and one item per device, as items of their own with outcome "invalid". By default one invalid row stops the node before anything is sent. The error names up to 100 rows for each kind of problem and 50 kinds, and counts the rest; continuing on fail, invalidRows holds every invalid row.',
		},
	],
};

export const createProperties: INodeProperties[] = [
	projectLocator,
	kindOptions,
	inputSource,
	...sourceParameters,
	...forItems('create', addDeviceFields),
	...forItems('delete', deleteDeviceFields),
	waitForCompletion,
	outputMode,
	options,
];
