import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { DeviceRow, DeviceSource, JobKind, PreparedDevices } from '../../../devices';
import { DEFAULT_MAX_ROWS, prepareDevices, SeenDevices } from '../../../devices';
import { htmlParagraphs } from '../../../editorText';
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
	/** Which operation reads: Sync's list must be whole in one run, so its errors never say to split it. */
	run: 'create' | 'sync';
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

/** The source of input item `itemIndex`: CSV Text, CSV File and JSON are read once per input item (n8n's convention). */
async function itemSource(context: IExecuteFunctions, itemIndex: number, source: InputSource): Promise<{ source: DeviceSource; fileName?: string }> {
	if (source === 'csvFile') {
		const { data, fileName } = await binaryCsv(context, itemIndex);
		return { source: { type: 'csv', data }, fileName };
	}
	if (source === 'csvText') {
		const text = context.getNodeParameter('csvText', itemIndex, '') as unknown;
		return { source: { type: 'csv', data: typeof text === 'string' ? text : String(text ?? '') } };
	}
	return { source: { type: 'json', data: context.getNodeParameter('devicesJson', itemIndex, '') as unknown } };
}

/** Rows a source has read: its valid devices and its invalid rows. */
function rowsRead(prepared: PreparedDevices<DeviceRow>): number {
	return prepared.devices.length + prepared.invalidRows;
}

/** Whether a source went past the rows left of the run's budget (a source stops reading just past it). */
function crossedBudget(prepared: PreparedDevices<DeviceRow>, budget: number): boolean {
	return prepared.overLimit || rowsRead(prepared) > budget;
}

/** What to do about a run over the row limit: Create can send its devices in parts; a sync list cannot be split. */
const RUN_LIMIT_ADVICE = {
	create: 'Send the devices in batches: split the input with Loop Over Items (each batch is a run of its own), or the file into smaller ones. The limit keeps the memory of one run bounded.',
	sync: 'A sync list must be complete in one run (a device missing from it counts as gone), so do not split it into batches. Narrow the Scope instead and sync each part with its own External ID Prefix or Pattern, one Sync node per part: the limit keeps the memory of one run bounded.',
} as const;

/**
 * A run past the row limit: by the Input Items (`itemIndex` undefined), by one input item's CSV or
 * JSON alone, or by a later item's on top of the `before` rows of the earlier ones.
 */
function runLimitError(context: IExecuteFunctions, run: SourceSettings['run'], itemIndex: number | undefined, limit: number, before: number): NodeOperationError {
	const count = (rows: number) => rows.toLocaleString('en-US');
	const most = 'the most one run reads over all input items together; nothing was sent to HERE';
	let message: string;
	let facts = '';
	if (itemIndex === undefined) {
		message = `The input has more than ${count(limit)} items, ${most}`;
	} else if (before === 0) {
		message = `Input item ${itemIndex} holds more than ${count(limit)} rows, ${most}`;
	} else {
		message = `Input item ${itemIndex} takes this run past ${count(limit)} rows, ${most}`;
		const earlier = itemIndex === 1 ? 'Input item 0 holds' : `Input items 0 to ${itemIndex - 1} hold`;
		facts = `${earlier} ${count(before)} rows, so input item ${itemIndex} could add at most ${count(Math.max(0, limit - before))}.`;
	}
	return new NodeOperationError(context.getNode(), message, { itemIndex: itemIndex ?? 0, description: htmlParagraphs([facts, RUN_LIMIT_ADVICE[run]]) });
}

/**
 * Reads and validates the devices of every input item. Nothing is sent here: the caller sees
 * every issue of every source before deciding whether anything may be uploaded.
 *
 * One row limit holds for the whole run (all input items together, `maxRows`, 1,000,000 by
 * default), so that one execution never holds more devices than that: each source gets what is
 * left of it, and the item that crosses it stops the run.
 */
export async function readDeviceBlocks(
	context: IExecuteFunctions,
	items: INodeExecutionData[],
	settings: SourceSettings,
	maxRows = DEFAULT_MAX_ROWS,
): Promise<DeviceBlock[]> {
	// Devices are unique across the run: a device repeated in a later input item is a row issue there.
	const shared = { kind: settings.kind, ignoreUnknownFields: settings.ignoreUnknownFields, node: context.getNode(), seen: new SeenDevices() };
	if (settings.source === 'items') {
		const mapping = context.getNodeParameter('fieldMapping', 0, 'auto') as string;
		const defined = mapping === 'define' ? items.map((_, itemIndex) => definedDevice(context, itemIndex, settings.kind)) : undefined;
		const source: DeviceSource = { type: 'items', items: defined ? defined.map((item) => item.device) : items.map((item) => item.json) };
		// Items count from 0, so a row is its item's index.
		const requiredFields = defined && ((row: number) => defined[row]?.required);
		const prepared = await prepareDevices({ ...shared, source, maxRows, requiredFields });
		if (prepared.overLimit) throw runLimitError(context, settings.run, undefined, maxRows, 0);
		return [{ prepared }];
	}

	const blocks: DeviceBlock[] = [];
	let used = 0;
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		const { source, fileName } = await itemSource(context, itemIndex, settings.source);
		const budget = maxRows - used;
		const prepared = await prepareDevices({ ...shared, source, maxRows: Math.max(1, budget), sourceName: `input item ${itemIndex}` });
		if (crossedBudget(prepared, budget)) throw runLimitError(context, settings.run, itemIndex, maxRows, used);
		used += rowsRead(prepared);
		blocks.push({ itemIndex, fileName, prepared });
	}
	return blocks;
}
