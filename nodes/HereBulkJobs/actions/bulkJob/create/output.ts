import type { IDataObject, INodeExecutionData, IPairedItemData } from 'n8n-workflow';

import type { JobResults } from '../../../jobs/collectResults';
import type { JobType, ResultRow } from '../../../jobs/wire';
import type { LocatedDevice, PlannedJob, UnsentItem } from './plan';
import type { RowContext } from './rows';
import { countInvalidRows, invalidRowEntry, rowFields } from './rows';
import type { Submission } from './submitChunks';

/**
 * Create's output items. Every item names the input items it came from (pairedItem): a job's
 * item the items whose rows it holds, a device result the item of that very device when it
 * can be matched.
 */

export interface OutputContext {
	jobType: JobType;
	projectId?: string;
	skipInvalidRows: boolean;
	rowContext: RowContext;
	inputCount: number;
}

export function pairedItems(items: readonly number[]): IPairedItemData | IPairedItemData[] {
	return items.length === 1 ? { item: items[0] } : items.map((item) => ({ item }));
}

function allInputs(context: OutputContext): IPairedItemData[] {
	return Array.from({ length: context.inputCount }, (_, item) => ({ item }));
}

function invalidFields(job: { invalid: PlannedJob['invalid'] }, context: OutputContext): IDataObject {
	if (!context.skipInvalidRows) return {};
	return {
		invalidRowCount: countInvalidRows(job.invalid),
		invalidRows: job.invalid.map((located) => invalidRowEntry(located, context.rowContext)),
	};
}

/** One job as output JSON, whatever happened to it. */
export function submissionJson(submission: Submission, total: number, context: OutputContext): IDataObject {
	const { job } = submission;
	const json: IDataObject = { outcome: submission.state };
	if (submission.state === 'created') json.jobId = submission.jobId;
	Object.assign(json, {
		jobType: context.jobType,
		fileName: job.fileName,
		deviceCount: job.devices.length,
		jobNumber: job.index + 1,
		jobCount: total,
		...rowFields(job, context.rowContext),
	});
	if (context.projectId !== undefined) json.projectId = context.projectId;
	if (submission.state === 'failed') {
		json.error = submission.error.message;
		json.mayHaveBeenCreated = submission.mayExist;
	}
	return { ...json, ...invalidFields(job, context) };
}

function unsentJson(unsent: UnsentItem, context: OutputContext): IDataObject {
	return {
		outcome: 'invalid',
		jobType: context.jobType,
		deviceCount: 0,
		inputItem: unsent.item,
		...invalidFields(unsent, context),
	};
}

/**
 * One item per job (the default): `jobId`, `fileName`, `deviceCount`, the row range and, with
 * Skip Invalid Rows, the skipped rows among them. An input item whose rows were all invalid
 * (One Job per Input Item) gets an item with `outcome: "invalid"` and no jobId.
 */
export function perJobItems(submissions: Submission[], unsent: UnsentItem[], context: OutputContext): INodeExecutionData[] {
	const entries: Array<{ first: number; item: INodeExecutionData }> = [];
	for (const submission of submissions) {
		entries.push({
			first: submission.job.items[0],
			item: { json: submissionJson(submission, submissions.length, context), pairedItem: pairedItems(submission.job.items) },
		});
	}
	for (const entry of unsent) {
		entries.push({ first: entry.item, item: { json: unsentJson(entry, context), pairedItem: { item: entry.item } } });
	}
	// Stable: jobs of one item keep their order; an item without a job sits where its rows were.
	return entries.sort((a, b) => a.first - b.first).map((entry) => entry.item);
}

/** One item for the whole run: the jobs (with ids and row ranges), totals and skipped rows. */
export function summaryItem(
	submissions: Submission[],
	unsent: UnsentItem[],
	context: OutputContext,
	failure?: { message: string; description?: string },
): INodeExecutionData {
	const jobs = submissions.map((submission) => {
		const json = submissionJson(submission, submissions.length, context);
		delete json.invalidRows;
		delete json.invalidRowCount;
		delete json.jobType;
		delete json.projectId;
		delete json.jobCount;
		return json;
	});
	const created = submissions.filter((s): s is Extract<Submission, { state: 'created' }> => s.state === 'created');
	const json: IDataObject = {
		jobType: context.jobType,
		jobIds: created.map((s) => s.jobId),
		jobCount: submissions.length,
		createdJobCount: created.length,
		deviceCount: created.reduce((sum, s) => sum + s.job.devices.length, 0),
		jobs,
	};
	if (context.projectId !== undefined) json.projectId = context.projectId;
	if (context.skipInvalidRows) {
		const invalid = [...submissions.flatMap((s) => s.job.invalid), ...unsent.flatMap((u) => u.invalid)];
		invalid.sort((a, b) => a.item - b.item || a.issue.row - b.issue.row);
		json.invalidRowCount = countInvalidRows(invalid);
		json.invalidRows = invalid.map((located) => invalidRowEntry(located, context.rowContext));
	}
	if (failure) {
		json.error = failure.message;
		if (failure.description) json.description = failure.description;
	}
	return { json, pairedItem: allInputs(context) };
}

// ---------------------------------------------------------------------------------------------
// Wait for Completion: results back to the input rows

/** Keys under which a device can be recognized in its result row (also used to skip devices already sent). */
export function keysOf(row: Record<string, unknown>, jobType: JobType): string[] {
	const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
	if (jobType === 'create') {
		const name = text(row.name);
		return name === undefined ? [] : [`n\u0000${name}`];
	}
	const keys: string[] = [];
	const trackingId = text(row.trackingId);
	const externalId = text(row.externalId);
	const connectorId = text(row.connectorId);
	const externalDeviceId = text(row.externalDeviceId);
	if (trackingId !== undefined) keys.push(`t\u0000${trackingId}`);
	if (externalId !== undefined) keys.push(`e\u0000${externalId}`);
	if (connectorId !== undefined && externalDeviceId !== undefined) keys.push(`c\u0000${connectorId}\u0000${externalDeviceId}`);
	return keys;
}

function deviceIndex(job: PlannedJob, jobType: JobType): Map<string, LocatedDevice> {
	const index = new Map<string, LocatedDevice>();
	for (const located of job.devices) {
		for (const key of keysOf(located.device as unknown as Record<string, unknown>, jobType)) {
			if (!index.has(key)) index.set(key, located);
		}
	}
	return index;
}

function findDevice(json: IDataObject, jobType: JobType, index: Map<string, LocatedDevice>): LocatedDevice | undefined {
	for (const key of keysOf(json as ResultRow as Record<string, unknown>, jobType)) {
		const located = index.get(key);
		if (located !== undefined) return located;
	}
	return undefined;
}

/**
 * Pairs result items with the input: a per-device item gets the input item (and row) of its
 * device when the result names it (add: by name; delete: by tracking, external or connector id),
 * otherwise the items of its job; a summary item gets the items of its job.
 *
 * `items` are the ones `resultOutputItems` has just built for this run, so they are completed in
 * place: copying 50,000 items (and their json) once more was a third of the time after the
 * last request, and as much garbage.
 */
export function pairResults(
	items: INodeExecutionData[],
	results: JobResults[],
	jobsById: Map<string, PlannedJob>,
	context: OutputContext,
): INodeExecutionData[] {
	const indexes = new Map<string, Map<string, LocatedDevice>>();
	for (const { job } of results) {
		const planned = jobsById.get(job.jobId);
		if (planned) indexes.set(job.jobId, deviceIndex(planned, context.jobType));
	}
	for (const item of items) {
		const jobId = typeof item.json.jobId === 'string' ? item.json.jobId : '';
		const planned = jobsById.get(jobId);
		if (planned === undefined) {
			item.pairedItem = allInputs(context);
			continue;
		}
		const isDevice = item.json.outcome === 'succeeded' || item.json.outcome === 'failed';
		const index = indexes.get(jobId);
		const match = isDevice && index ? findDevice(item.json, context.jobType, index) : undefined;
		if (match === undefined) {
			item.pairedItem = pairedItems(planned.items);
			continue;
		}
		item.json.rowLabel = planned.label;
		item.json.row = match.row;
		if (context.rowContext.rowsPerItem) item.json.inputItem = match.item;
		item.pairedItem = { item: match.item };
	}
	return items;
}

/**
 * Skip Invalid Rows with Wait for Completion: the rows that were never sent, so that every row
 * of the input has a fate in the output. Per device they follow the results as items with
 * `outcome: "invalid"`; a job summary lists those reported with its job.
 */
export function withInvalidRows(
	items: INodeExecutionData[],
	jobsById: Map<string, PlannedJob>,
	unsent: UnsentItem[],
	shape: 'perDevice' | 'summary',
	context: OutputContext,
): INodeExecutionData[] {
	if (!context.skipInvalidRows) return items;
	const jobs = [...jobsById.values()];
	if (shape === 'summary') {
		const summaries = items.map((item) => {
			const job = jobsById.get(typeof item.json.jobId === 'string' ? item.json.jobId : '');
			return job === undefined ? item : { ...item, json: { ...item.json, ...invalidFields(job, context) } };
		});
		return [...summaries, ...unsent.map((entry) => ({ json: unsentJson(entry, context), pairedItem: { item: entry.item } }))];
	}
	const invalid = [...jobs.flatMap((job) => job.invalid), ...unsent.flatMap((entry) => entry.invalid)];
	invalid.sort((a, b) => a.item - b.item || a.issue.row - b.issue.row);
	const seen = new Set<string>();
	const extra: INodeExecutionData[] = [];
	for (const located of invalid) {
		// One item per row, with all of its problems.
		const key = `${located.item}:${located.issue.whole === true ? 'whole' : located.issue.row}`;
		const entry = invalidRowEntry(located, context.rowContext);
		if (seen.has(key)) {
			const previous = extra[extra.length - 1].json;
			(previous.problems as IDataObject[]).push(entry);
			previous.errorMessage = `${String(previous.errorMessage)}; ${String(entry.message)}`;
			continue;
		}
		seen.add(key);
		const json: IDataObject = { outcome: 'invalid', ...entry, errorMessage: entry.message, problems: [entry] };
		delete json.message;
		extra.push({ json, pairedItem: { item: located.item } });
	}
	return [...items, ...extra];
}
