import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { DeviceRow, DeviceSource, JobKind, PreparedDevices } from '../../../devices';
import { prepareDevices } from '../../../devices';
import { definedDevice } from './fieldMapping';

export type InputSource = 'csvFile' | 'csvText' | 'items' | 'json';

/** The devices read from one source: the CSV or JSON of one input item, or all input items. */
export interface DeviceBlock {
	/** The input item the CSV or JSON came from; undefined for Input Items, where each row is an item. */
	itemIndex?: number;
	/** The binary file's name (CSV File). */
	fileName?: string;
	prepared: PreparedDevices<DeviceRow>;
}

export interface SourceSettings {
	source: InputSource;
	kind: JobKind;
	ignoreUnknownFields: boolean;
}

/**
 * The CSV of item `itemIndex`'s binary field, through n8n's binary helpers: a stream when the
 * file lives in a binary data store (filesystem, database, S3), so a large file is never held
 * twice; the buffer helper otherwise. Never `binary.data`, which is only a mode marker there.
 */
async function binaryCsv(context: IExecuteFunctions, itemIndex: number) {
	const property = String(context.getNodeParameter('binaryPropertyName', itemIndex, 'data')).trim();
	const binary = context.helpers.assertBinaryData(itemIndex, property);
	const data = binary.id
		? await context.helpers.getBinaryStream(binary.id)
		: await context.helpers.getBinaryDataBuffer(itemIndex, property);
	return { data, fileName: binary.fileName };
}

async function prepare(context: IExecuteFunctions, source: DeviceSource, settings: SourceSettings) {
	return await prepareDevices({
		source,
		kind: settings.kind,
		ignoreUnknownFields: settings.ignoreUnknownFields,
		node: context.getNode(),
	});
}

/**
 * Reads and validates the devices of every input item. Nothing is sent here: the caller sees
 * every issue of every source before deciding whether anything may be uploaded.
 */
export async function readDeviceBlocks(
	context: IExecuteFunctions,
	items: INodeExecutionData[],
	settings: SourceSettings,
): Promise<DeviceBlock[]> {
	if (settings.source === 'items') {
		const mapping = context.getNodeParameter('fieldMapping', 0, 'auto') as string;
		const devices = items.map((item, itemIndex) =>
			mapping === 'define' ? definedDevice(context, itemIndex, settings.kind) : item.json,
		);
		return [{ prepared: await prepare(context, { type: 'items', items: devices }, settings) }];
	}

	const blocks: DeviceBlock[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		if (settings.source === 'csvFile') {
			const { data, fileName } = await binaryCsv(context, itemIndex);
			blocks.push({ itemIndex, fileName, prepared: await prepare(context, { type: 'csv', data }, settings) });
		} else if (settings.source === 'csvText') {
			const text = context.getNodeParameter('csvText', itemIndex, '') as unknown;
			const data = typeof text === 'string' ? text : String(text ?? '');
			blocks.push({ itemIndex, prepared: await prepare(context, { type: 'csv', data }, settings) });
		} else {
			const data = context.getNodeParameter('devicesJson', itemIndex, '') as unknown;
			blocks.push({ itemIndex, prepared: await prepare(context, { type: 'json', data }, settings) });
		}
	}
	return blocks;
}
