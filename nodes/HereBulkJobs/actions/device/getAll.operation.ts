import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { projectLocator, returnAllOrLimit } from '../common.descriptions';
import { readProjectId } from '../parameters';
import { listDevicePages } from './listDevices';
import type { ListedDevice } from './wire';
import { listedRate } from './wire';

const properties: INodeProperties[] = [
	projectLocator,
	...returnAllOrLimit,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Include Shadow',
				name: 'includeShadow',
				type: 'boolean',
				default: false,
				description: 'Whether to add the device shadow as HERE returns it (desired and reported state)',
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['device'], operation: ['getAll'] } }, properties);

export const mode = 'perItem';

/** One output item: the identities and the rates of the desired shadow, flat. */
export function deviceItem(device: ListedDevice, includeShadow: boolean): IDataObject {
	const json: IDataObject = { trackingId: device.trackingId };
	if (device.externalId !== undefined) json.externalId = device.externalId;
	if (device.appId !== undefined) json.appId = device.appId;
	Object.assign(json, listedRate(device));
	if (includeShadow && device.shadow !== undefined) json.shadow = device.shadow as IDataObject;
	return json;
}

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const projectId = readProjectId(this, itemIndex);
	const returnAll = this.getNodeParameter('returnAll', itemIndex) as boolean;
	const maxItems = returnAll ? undefined : (this.getNodeParameter('limit', itemIndex) as number);
	const { includeShadow = false } = this.getNodeParameter('options', itemIndex, {}) as { includeShadow?: boolean };

	const output: INodeExecutionData[] = [];
	for await (const page of listDevicePages(this, { projectId, itemIndex }, { maxItems })) {
		for (const device of page) output.push({ json: deviceItem(device, includeShadow) });
	}
	return output;
}
