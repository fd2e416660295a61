import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { Scope } from '../../../jobs/api';
import { getJobStatus } from '../../../jobs/api';
import { collectResults } from '../../../jobs/collectResults';
import { rowOutcome } from '../../../jobs/resultItems';
import type { JobType, ResultRowError } from '../../../jobs/wire';
import { isTerminal, JOB_ID_PATTERN } from '../../../jobs/wire';
import { keysOf } from './deviceKeys';
import type { DeviceBlock } from './deviceSource';
import type { LocatedDevice } from './plan';
import { locatedDevices } from './plan';

/**
 * "Skip Devices Already in Jobs": the re-run after an upload that stopped part-way or a job whose
 * devices partly failed. The user names the earlier jobs; an input row whose device HERE reports
 * as succeeded in one of them is left out (`alreadySent`), one whose device failed there is sent
 * again (`resent`, with HERE's earlier error), so that the run sends exactly what HERE did not take.
 *
 * A result row with `errors` counts as failed, even when HERE applied part of it: the results do
 * not tell a partial success from a failure, and resending shows the truth in the new job's
 * results (for example "name already exists" when the device was added after all).
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

/** A device's fate in the earlier jobs: the job, and HERE's errors when it failed there. */
export interface EarlierResult {
	jobId: string;
	/** Set when the device failed: HERE's errors of its result row. */
	errors?: ResultRowError[];
}

/**
 * The devices in the earlier jobs' results by key. A device that succeeded in any of them counts
 * as succeeded; of several failures the first is kept. Each job must have finished (its results
 * are complete then) and be of this run's type; otherwise nothing is sent.
 */
export async function readEarlierResults(
	context: IExecuteFunctions,
	jobIds: string[],
	jobType: JobType,
	scope: Scope,
): Promise<Map<string, EarlierResult>> {
	const earlier = new Map<string, EarlierResult>();
	for (const jobId of jobIds) {
		const status = await getJobStatus(context, jobId, scope);
		if (!isTerminal(status.status)) {
			throw new NodeOperationError(context.getNode(), `Job ${jobId} in Skip Devices Already in Jobs is still "${status.status}"; nothing was sent`, {
				description: 'Its results are not complete yet, so some of its devices could be sent twice. Wait until it has finished (Wait for Completion), then run this node again.',
			});
		}
		if (status.type !== undefined && status.type !== jobType) {
			throw new NodeOperationError(context.getNode(), `Job ${jobId} in Skip Devices Already in Jobs ${status.type === 'create' ? 'adds' : 'deletes'} devices, but this node ${jobType === 'create' ? 'adds' : 'deletes'} them; nothing was sent`, {
				description: 'Name only earlier jobs of the same Job Type.',
			});
		}
		for (const row of await collectResults(context, jobId, scope)) {
			const result: EarlierResult = rowOutcome(row) === 'failed' ? { jobId, errors: row.errors } : { jobId };
			for (const key of keysOf(row, jobType)) {
				const known = earlier.get(key);
				if (known === undefined || (known.errors !== undefined && result.errors === undefined)) earlier.set(key, result);
			}
		}
	}
	return earlier;
}

/** An input row whose device is in an earlier job. */
export interface EarlierDevice extends LocatedDevice {
	earlier: EarlierResult;
}

export interface SortedOut {
	/** The blocks without the devices HERE already took. */
	blocks: DeviceBlock[];
	/** Left out: HERE reports them as succeeded. */
	alreadySent: EarlierDevice[];
	/** Sent again: they failed in the earlier jobs. */
	resent: EarlierDevice[];
}

function blockWith(block: DeviceBlock, keep: LocatedDevice[]): DeviceBlock {
	const devices = keep.map((located) => located.device);
	const rows = keep.map((located) => located.row);
	return { ...block, prepared: { ...block.prepared, devices, rows } };
}

/** Sorts the input's devices by their fate in the earlier jobs. Pure code, no requests. */
export function sortOutEarlier(blocks: DeviceBlock[], earlier: Map<string, EarlierResult>, jobType: JobType): SortedOut {
	const sorted: SortedOut = { blocks, alreadySent: [], resent: [] };
	if (earlier.size === 0) return sorted;
	sorted.blocks = blocks.map((block) => {
		const located = locatedDevices(block);
		const keep: LocatedDevice[] = [];
		for (const device of located) {
			const found = keysOf(device.device, jobType)
				.map((key) => earlier.get(key))
				.find((result) => result !== undefined);
			if (found === undefined) {
				keep.push(device);
			} else if (found.errors === undefined) {
				sorted.alreadySent.push({ ...device, earlier: found });
			} else {
				keep.push(device);
				sorted.resent.push({ ...device, earlier: found });
			}
		}
		return keep.length === located.length ? block : blockWith(block, keep);
	});
	return sorted;
}
