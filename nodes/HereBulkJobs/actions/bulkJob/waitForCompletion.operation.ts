import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { listedWithMore } from '../../editorText';
import { waitAndCollectResults } from '../../jobs/collectResults';
import { JOB_ID_PATTERN } from '../../jobs/wire';
import { ensureNodeError } from '../../transport';
import { projectLocator } from '../common.descriptions';
import { readProjectId } from '../parameters';
import { readResultOutput, readWaitSettings, resultOutputItems, resultOutputProperties, waitProperties } from '../results.descriptions';

/** More jobs than this in one item is a mistake (1000 devices each: a million devices). */
export const MAX_JOBS_PER_WAIT = 1000;

const properties: INodeProperties[] = [
	{
		displayName: 'Job IDs',
		name: 'jobIds',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. BULK-6279286f-a09a-4521-9d3a-af7559e84836, BULK-...',
		description:
			'The job or jobs to wait for: one job ID, several separated by commas, or an expression giving a list of IDs or of objects with a jobId (such as the items Create outputs)',
		hint: 'E.g. {{ $json.jobId }}: each input item waits for its own jobs. To wait for all jobs of the input at once, use {{ $input.all().map(item => item.json.jobId) }} and turn on Execute Once in the node settings.',
	},
	projectLocator,
	...resultOutputProperties,
	...waitProperties,
];

export const description = updateDisplayOptions({ show: { resource: ['bulkJob'], operation: ['waitForCompletion'] } }, properties);

export const mode = 'perItem';

/** Flattens what the Job IDs parameter may hold: text, lists, objects with `jobId`, n8n items with `json.jobId`. */
function collectIdCandidates(value: unknown, into: unknown[], depth = 0): void {
	if (depth > 3) {
		into.push(value);
		return;
	}
	if (value === undefined || value === null) return;
	if (typeof value === 'string') {
		for (const part of value.split(/[\s,;]+/)) if (part !== '') into.push(part);
		return;
	}
	if (Array.isArray(value)) {
		for (const entry of value) collectIdCandidates(entry, into, depth + 1);
		return;
	}
	if (typeof value === 'object') {
		const record = value as Record<string, unknown>;
		if ('jobId' in record) return collectIdCandidates(record.jobId, into, depth + 1);
		if ('jobIds' in record) return collectIdCandidates(record.jobIds, into, depth + 1);
		if (typeof record.json === 'object' && record.json !== null) return collectIdCandidates(record.json, into, depth + 1);
	}
	into.push(value);
}

function show(value: unknown): string {
	const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
	return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * The job IDs of the parameter value, checked and without repeats, before any request. Every
 * entry that is not a job ID is named with its position, so a wrong expression is easy to spot.
 */
export function parseJobIds(context: IExecuteFunctions, value: unknown, itemIndex: number): string[] {
	const candidates: unknown[] = [];
	collectIdCandidates(value, candidates);
	const invalid: string[] = [];
	const ids: string[] = [];
	candidates.forEach((candidate, position) => {
		const text = typeof candidate === 'string' ? candidate.trim() : undefined;
		if (text === undefined || !JOB_ID_PATTERN.test(text)) invalid.push(`#${position + 1} "${show(candidate)}"`);
		else if (!ids.includes(text)) ids.push(text);
	});
	if (invalid.length > 0) {
		throw new NodeOperationError(context.getNode(), `Job IDs holds ${invalid.length === 1 ? 'an entry that is' : `${invalid.length} entries that are`} not a HERE bulk job ID: ${listedWithMore(invalid)}`, {
			itemIndex,
			description:
				'A job ID looks like BULK-6279286f-a09a-4521-9d3a-af7559e84836. Give one ID, several separated by commas, or a list (of IDs or of objects with a jobId).',
		});
	}
	if (ids.length === 0) throw noJobError(context, itemIndex);
	if (ids.length > MAX_JOBS_PER_WAIT) {
		throw new NodeOperationError(context.getNode(), `Job IDs holds ${ids.length} jobs; at most ${MAX_JOBS_PER_WAIT} can be waited for at once`, {
			itemIndex,
			description: 'Split the jobs over several items, or use the HERE Bulk Jobs Trigger for so many jobs.',
		});
	}
	return ids;
}

/** Create's items that carry no job: rows left out, the list of rows sent again (in its jobs), uploads that failed (continuing on fail). */
const JOBLESS_CREATE_OUTCOMES = ['alreadySent', 'resent', 'invalid', 'failed', 'notSent'];

function noJobError(context: IExecuteFunctions, itemIndex: number): NodeOperationError {
	const outcome = context.getInputData()[itemIndex]?.json.outcome;
	if (typeof outcome === 'string' && JOBLESS_CREATE_OUTCOMES.includes(outcome)) {
		return new NodeOperationError(context.getNode(), `Input item ${itemIndex} has no job to wait for: it is Create's "${outcome}" item, not a job`, {
			itemIndex,
			description:
				'Besides one item per job, Create outputs items without a jobId: rows it left out (alreadySent, invalid), the list of rows it sent again (resent; those devices are in its job items) and, continuing on fail, uploads that did not make a job (failed, notSent). Keep only the items with a jobId before this step (an If node: jobId is not empty), or turn on Wait for Completion in Create itself.',
		});
	}
	return new NodeOperationError(context.getNode(), 'Job IDs is empty: there is no job to wait for', {
		itemIndex,
		description: 'Set Job IDs to the jobId that Create returned, e.g. the expression {{ $json.jobId }}.',
	});
}

/**
 * Before any wait, every item's Job IDs are read and checked, so that a bad item stops the run
 * before time goes into waiting for the others: Job IDs that name no job, and a job already in an
 * earlier item's Job IDs (each item waits for its own jobs: the job's results would come out
 * once per item). Continuing on fail, each such item is its own error item and the others run.
 */
export function checkInput(this: IExecuteFunctions, items: INodeExecutionData[]): Map<number, Error> {
	const refused = new Map<number, Error>();
	const firstItemOf = new Map<string, number>();
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		let jobIds: string[];
		try {
			jobIds = parseJobIds(this, this.getNodeParameter('jobIds', itemIndex, ''), itemIndex);
		} catch (error) {
			refused.set(itemIndex, ensureNodeError(this.getNode(), error, itemIndex));
			continue;
		}
		const repeated = jobIds.find((jobId) => firstItemOf.has(jobId));
		if (repeated !== undefined) {
			refused.set(itemIndex, repeatedJobError(this, repeated, firstItemOf.get(repeated) as number, itemIndex));
			continue;
		}
		for (const jobId of jobIds) firstItemOf.set(jobId, itemIndex);
	}
	return refused;
}

function repeatedJobError(context: IExecuteFunctions, jobId: string, firstItem: number, itemIndex: number): NodeOperationError {
	return new NodeOperationError(context.getNode(), `Job ${jobId} is in the Job IDs of input items ${firstItem} and ${itemIndex}: its results would be output twice`, {
		itemIndex,
		description:
			"Wait for Completion runs once for each input item, and each run waits for the jobs its Job IDs give. To wait for all jobs of the input in one run, turn on Execute Once in the node settings; to wait for each item's own job, use {{ $json.jobId }}.",
	});
}

/** Waits for every job of the item (one shared deadline), then outputs all their results. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const jobIds = parseJobIds(this, this.getNodeParameter('jobIds', itemIndex, ''), itemIndex);
	const scope = { projectId: readProjectId(this, itemIndex), itemIndex };
	const settings = readWaitSettings(this, itemIndex);
	const output = readResultOutput(this, itemIndex);
	const results = await waitAndCollectResults(this, jobIds, scope, settings);
	return await resultOutputItems(this, results, output);
}
