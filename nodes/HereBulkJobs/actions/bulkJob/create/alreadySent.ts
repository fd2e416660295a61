import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { DeviceChunk, DeviceRow, RowLabel } from '../../../devices';
import type { Scope } from '../../../jobs/api';
import { getJobStatus } from '../../../jobs/api';
import { collectResults } from '../../../jobs/collectResults';
import type { JobType } from '../../../jobs/wire';
import { isTerminal, JOB_ID_PATTERN } from '../../../jobs/wire';
import type { DeviceBlock } from './deviceSource';
import type { OutputContext } from './output';
import { keysOf, pairedItems } from './output';
import type { LocatedDevice } from './plan';
import { locatedDevices } from './plan';
import type { RowContext } from './rows';
import { plural } from './rows';

/**
 * "Skip Devices Already in Jobs": the re-run after an upload that stopped part-way. The user
 * names the earlier jobs; every input row whose device is in one of their results (add: by
 * name; delete: by tracking, external or connector id, as Create pairs results) is left out,
 * so the run sends just the rest and no device goes to HERE twice.
 */

/** More earlier jobs than this is a mistake (1000 devices each: a million devices). */
const MAX_EARLIER_JOBS = 1000;

/** Job ids from the option: text separated by commas or spaces, a list, objects or items with a jobId. */
function collectIds(value: unknown, into: unknown[], depth = 0): void {
	if (value === undefined || value === null || value === '') return;
	if (typeof value === 'string') {
		for (const part of value.split(/[\s,;]+/)) if (part !== '') into.push(part);
	} else if (Array.isArray(value) && depth < 3) {
		for (const entry of value) collectIds(entry, into, depth + 1);
	} else if (typeof value === 'object' && depth < 3) {
		const record = value as Record<string, unknown>;
		if ('jobId' in record) collectIds(record.jobId, into, depth + 1);
		else if ('createdJobIds' in record) collectIds(record.createdJobIds, into, depth + 1);
		else if ('jobIds' in record) collectIds(record.jobIds, into, depth + 1);
		else if (typeof record.json === 'object') collectIds(record.json, into, depth + 1);
		else into.push(value);
	} else {
		into.push(value);
	}
}

/** The earlier jobs named in the option, checked before any request; [] when the option is empty. */
export function readEarlierJobIds(context: IExecuteFunctions, value: unknown): string[] {
	const candidates: unknown[] = [];
	collectIds(value, candidates);
	const ids: string[] = [];
	const invalid: string[] = [];
	for (const candidate of candidates) {
		const text = typeof candidate === 'string' ? candidate.trim() : '';
		if (!JOB_ID_PATTERN.test(text)) invalid.push(`"${(typeof candidate === 'string' ? candidate : JSON.stringify(candidate) ?? '').slice(0, 60)}"`);
		else if (!ids.includes(text)) ids.push(text);
	}
	if (invalid.length > 0) {
		throw new NodeOperationError(context.getNode(), `Skip Devices Already in Jobs holds ${invalid.length === 1 ? 'an entry that is' : `${invalid.length} entries that are`} not a HERE bulk job ID: ${invalid.slice(0, 10).join(', ')}`, {
			description: 'Give the job IDs of the earlier uploads, e.g. BULK-6279286f-a09a-4521-9d3a-af7559e84836, separated by commas, or a list of them. Nothing was sent to HERE.',
		});
	}
	if (ids.length > MAX_EARLIER_JOBS) {
		throw new NodeOperationError(context.getNode(), `Skip Devices Already in Jobs names ${ids.length} jobs; at most ${MAX_EARLIER_JOBS} are read`);
	}
	return ids;
}

/**
 * The devices in the earlier jobs' results: key → the job it is in. Each job must have finished
 * (its results are complete then) and be of this run's type; otherwise nothing is sent.
 */
export async function readEarlierDevices(
	context: IExecuteFunctions,
	jobIds: string[],
	jobType: JobType,
	scope: Scope,
): Promise<Map<string, string>> {
	const sent = new Map<string, string>();
	for (const jobId of jobIds) {
		const status = await getJobStatus(context, jobId, scope);
		if (!isTerminal(status.status)) {
			throw new NodeOperationError(context.getNode(), `Job ${jobId} in Skip Devices Already in Jobs is still "${status.status}"; nothing was sent`, {
				description: `Its results are not complete yet, so some of its devices could be sent twice. Wait until it has finished (Wait for Completion), then run this node again.`,
			});
		}
		if (status.type !== undefined && status.type !== jobType) {
			throw new NodeOperationError(context.getNode(), `Job ${jobId} in Skip Devices Already in Jobs ${status.type === 'create' ? 'adds' : 'deletes'} devices, but this node ${jobType === 'create' ? 'adds' : 'deletes'} them; nothing was sent`, {
				description: 'Name only earlier jobs of the same Job Type.',
			});
		}
		for (const row of await collectResults(context, jobId, scope)) {
			for (const key of keysOf(row as Record<string, unknown>, jobType)) if (!sent.has(key)) sent.set(key, jobId);
		}
	}
	return sent;
}

export interface AlreadySentDevice extends LocatedDevice {
	/** The earlier job whose results hold the device. */
	jobId: string;
}

/** The blocks without the devices already sent, and those devices. Pure code, no requests. */
export function withoutAlreadySent(
	blocks: DeviceBlock[],
	sent: Map<string, string>,
	jobType: JobType,
): { blocks: DeviceBlock[]; skipped: AlreadySentDevice[] } {
	const skipped: AlreadySentDevice[] = [];
	if (sent.size === 0) return { blocks, skipped };
	const kept = blocks.map((block): DeviceBlock => {
		const located = locatedDevices(block);
		const keep: LocatedDevice[] = [];
		for (const device of located) {
			const jobId = keysOf(device.device as unknown as Record<string, unknown>, jobType)
				.map((key) => sent.get(key))
				.find((id) => id !== undefined);
			if (jobId === undefined) keep.push(device);
			else skipped.push({ ...device, jobId });
		}
		if (keep.length === located.length) return block;
		// One chunk of the rows left: the upload plan re-chunks them anyway.
		const chunks: Array<DeviceChunk<DeviceRow>> =
			keep.length === 0
				? []
				: [
						{
							index: 0,
							devices: keep.map((device) => device.device),
							rows: keep.map((device) => device.row),
							firstRow: keep[0].row,
							lastRow: keep[keep.length - 1].row,
							count: keep.length,
						},
					];
		return { ...block, prepared: { ...block.prepared, chunks, deviceCount: keep.length } };
	});
	return { blocks: kept, skipped };
}

/** "rows 2 to 1001, 1500, 1502 to 1600" (per input item when rows are counted per item). */
function describeRanges(devices: AlreadySentDevice[], label: RowLabel, context: RowContext): string {
	const parts: string[] = [];
	let start = 0;
	for (let i = 1; i <= devices.length; i++) {
		const previous = devices[i - 1];
		if (i < devices.length && devices[i].item === previous.item && devices[i].row === previous.row + 1) continue;
		const first = devices[start].row;
		const where = context.rowsPerItem && context.severalSources ? ` of input item ${previous.item}` : '';
		parts.push(`${first === previous.row ? first : `${first} to ${previous.row}`}${where}`);
		start = i;
	}
	return `${devices.length === 1 ? label : plural(label)} ${parts.join(', ')}`;
}

/** The output fields that report the rows left out: how many, which, and in which earlier jobs. */
export function alreadySentFields(skipped: AlreadySentDevice[], label: RowLabel, context: RowContext): IDataObject {
	if (skipped.length === 0) return {};
	return {
		alreadySentCount: skipped.length,
		alreadySentRows: describeRanges(skipped, label, context),
		alreadySentInJobIds: [...new Set(skipped.map((device) => device.jobId))],
	};
}

/**
 * The item that reports the rows left out, after the job items (or the device results): one
 * item with `outcome: "alreadySent"`, so that every row of the input has a fate in the output.
 */
export function alreadySentItem(skipped: AlreadySentDevice[], label: RowLabel, context: OutputContext): INodeExecutionData[] {
	if (skipped.length === 0) return [];
	const items = [...new Set(skipped.map((device) => device.item))].sort((a, b) => a - b);
	const json: IDataObject = { outcome: 'alreadySent', jobType: context.jobType, deviceCount: skipped.length };
	if (context.projectId !== undefined) json.projectId = context.projectId;
	return [{ json: { ...json, ...alreadySentFields(skipped, label, context.rowContext) }, pairedItem: pairedItems(items) }];
}

/** The summary item with the rows left out. */
export function withAlreadySent(summary: INodeExecutionData, skipped: AlreadySentDevice[], label: RowLabel, context: OutputContext): INodeExecutionData {
	Object.assign(summary.json, alreadySentFields(skipped, label, context.rowContext));
	return summary;
}
