import type { IDataObject, INodeExecutionData, IPairedItemData } from 'n8n-workflow';

import type { RowLabel } from '../../../devices';
import { issueText } from '../../../devices';
import { plainText } from '../../../editorText';
import type { JobResults } from '../../../jobs/collectResults';
import { failedDeviceLines } from '../../../jobs/failedDevices';
import { describeFigures, describeJobEnd, isUnsuccessful } from '../../../jobs/jobEnd';
import { errorMessageOf, notProcessedItem } from '../../../jobs/resultItems';
import type { JobType } from '../../../jobs/wire';
import type { ResultShape } from '../../results.descriptions';
import type { InputProblem } from './checkInput';
import { countInvalidRows } from './checkInput';
import { keysOf } from './deviceKeys';
import type { EarlierDevice } from './earlierJobs';
import type { LocatedDevice, LocatedIssue, PlannedJob, UnsentItem, UploadPlan } from './plan';
import type { RowContext } from './rows';
import { describeRows, listRows } from './rows';
import type { Submission } from './submitChunks';

/**
 * Create's output items, all made here from what the run did: the upload plan, each job's
 * submission, the rows left out or sent again for earlier jobs, and, with Wait for Completion,
 * the results. Every item names the input items it came from (pairedItem): a job's item the
 * items whose rows it holds, a device result the item of that very device when it can be matched.
 */

export interface CreateRun {
	jobType: JobType;
	projectId?: string;
	skipInvalidRows: boolean;
	rowContext: RowContext;
	inputCount: number;
	/** How the input counts its rows (CSV rows, items, JSON elements). */
	label: RowLabel;
	plan: UploadPlan;
	/** Rows left out: HERE reports them as succeeded in an earlier job. */
	alreadySent: EarlierDevice[];
	/** Rows sent again: they failed in an earlier job. */
	resent: EarlierDevice[];
}

// ---------------------------------------------------------------------------------------------
// Pieces every item is made of: pairing, rows, invalid rows, earlier jobs

function pairedItems(items: readonly number[]): IPairedItemData | IPairedItemData[] {
	return items.length === 1 ? { item: items[0] } : items.map((item) => ({ item }));
}

function allInputs(run: { inputCount: number }): IPairedItemData[] {
	return Array.from({ length: run.inputCount }, (_, item) => ({ item }));
}

function itemsOf(devices: readonly LocatedDevice[]): number[] {
	return [...new Set(devices.map((device) => device.item))].sort((a, b) => a - b);
}

/** The row fields of a job's output item. */
function rowFields(job: PlannedJob, context: RowContext): IDataObject {
	const first = job.devices[0];
	const last = job.devices[job.devices.length - 1];
	const fields: IDataObject = { rowLabel: job.label, firstRow: first.row, lastRow: last.row, rows: describeRows(job.devices, job.label, context) };
	if (context.rowsPerItem) {
		fields.firstInputItem = first.item;
		fields.lastInputItem = last.item;
	}
	return fields;
}

/** An invalid row as an output entry: where, which column, why, the value when safe to show. */
function invalidRowEntry(located: LocatedIssue, context: RowContext): IDataObject {
	const { issue } = located;
	const entry: IDataObject = {};
	if (context.rowsPerItem) entry.inputItem = located.item;
	if (issue.whole === true) entry.wholeInput = true;
	else entry.row = issue.row;
	entry.rowLabel = issue.label;
	if (issue.column !== undefined) entry.column = issue.column;
	entry.reason = issue.reason;
	if (issue.value !== undefined) entry.value = issue.value;
	entry.message = context.severalSources ? `input item ${located.item}, ${issueText(issue)}` : issueText(issue);
	return entry;
}

function invalidFields(invalid: LocatedIssue[], run: CreateRun): IDataObject {
	if (!run.skipInvalidRows) return {};
	return { invalidRowCount: countInvalidRows(invalid), invalidRows: invalid.map((located) => invalidRowEntry(located, run.rowContext)) };
}

function allInvalid(run: CreateRun): LocatedIssue[] {
	const invalid = [...run.plan.jobs.flatMap((job) => job.invalid), ...run.plan.unsent.flatMap((unsent) => unsent.invalid)];
	return invalid.sort((a, b) => a.item - b.item || a.issue.row - b.issue.row);
}

const IDENTITY_FIELDS = ['name', 'deviceId', 'externalId', 'externalDeviceId', 'connectorId', 'trackingId'] as const;

/** The fields of an input device that name it (name, ids). */
function identityFields(device: LocatedDevice): IDataObject {
	const fields = device.device as Record<string, unknown>;
	const identity: IDataObject = {};
	for (const field of IDENTITY_FIELDS) if (typeof fields[field] === 'string') identity[field] = fields[field] as string;
	return identity;
}

/** A resent row: where it is, which device, and HERE's error for it in the earlier job. */
function resentEntry(device: EarlierDevice, run: CreateRun): IDataObject {
	const entry: IDataObject = {};
	if (run.rowContext.rowsPerItem) entry.inputItem = device.item;
	entry.row = device.row;
	return { ...entry, ...identityFields(device), ...earlierErrorFields(device) };
}

function earlierErrorFields(device: EarlierDevice): IDataObject {
	const errors = device.earlier.errors ?? [];
	return { earlierJobId: device.earlier.jobId, earlierErrors: errors.map((error) => ({ ...error })), earlierErrorMessage: errorMessageOf({ errors }) };
}

/** The fields that report the rows left out: HERE took their devices in an earlier job. */
function alreadySentFields(run: CreateRun): IDataObject {
	const { alreadySent } = run;
	if (alreadySent.length === 0) return {};
	return {
		alreadySentCount: alreadySent.length,
		alreadySentRows: listRows(alreadySent, run.label, run.rowContext),
		alreadySentInJobIds: [...new Set(alreadySent.map((device) => device.earlier.jobId))],
	};
}

/** The fields that report the rows sent again: their devices failed in an earlier job. */
function resentFields(run: CreateRun): IDataObject {
	const { resent } = run;
	if (resent.length === 0) return {};
	return {
		resentCount: resent.length,
		resentRows: listRows(resent, run.label, run.rowContext),
		resentFromJobIds: [...new Set(resent.map((device) => device.earlier.jobId))],
		resentDevices: resent.map((device) => resentEntry(device, run)),
	};
}

function runFields(run: CreateRun, outcome: string, deviceCount: number): IDataObject {
	const json: IDataObject = { outcome, jobType: run.jobType, deviceCount };
	if (run.projectId !== undefined) json.projectId = run.projectId;
	return json;
}

/**
 * The items for earlier jobs, after the job items (or the device results): one with outcome
 * "resent" (unless the per-device results already say so) and one with outcome "alreadySent",
 * so that every row of the input has a fate in the output.
 */
function earlierItems(run: CreateRun, resentInResults: boolean): INodeExecutionData[] {
	const items: INodeExecutionData[] = [];
	if (run.resent.length > 0 && !resentInResults) {
		items.push({ json: { ...runFields(run, 'resent', run.resent.length), ...resentFields(run) }, pairedItem: pairedItems(itemsOf(run.resent)) });
	}
	if (run.alreadySent.length > 0) {
		items.push({ json: { ...runFields(run, 'alreadySent', run.alreadySent.length), ...alreadySentFields(run) }, pairedItem: pairedItems(itemsOf(run.alreadySent)) });
	}
	return items;
}

// ---------------------------------------------------------------------------------------------
// Right after the upload: one item per job, or one summary item

/** One job as output JSON, whatever happened to it. */
function submissionJson(submission: Submission, total: number, run: CreateRun): IDataObject {
	const { job } = submission;
	const json: IDataObject = { outcome: submission.state };
	if (submission.state === 'created') json.jobId = submission.jobId;
	Object.assign(json, { jobType: run.jobType, fileName: job.fileName, deviceCount: job.devices.length, jobNumber: job.index + 1, jobCount: total, ...rowFields(job, run.rowContext) });
	if (run.projectId !== undefined) json.projectId = run.projectId;
	if (submission.state === 'failed') {
		json.error = submission.error.message;
		json.mayHaveBeenCreated = submission.mayExist;
	}
	return json;
}

/** An input item whose rows were all invalid (One Job per Input Item): it made no job. */
function unsentItem(unsent: UnsentItem, run: CreateRun): INodeExecutionData {
	return {
		json: { outcome: 'invalid', jobType: run.jobType, deviceCount: 0, inputItem: unsent.item, ...invalidFields(unsent.invalid, run) },
		pairedItem: { item: unsent.item },
	};
}

/**
 * One item per job (the default): `jobId`, `fileName`, `deviceCount`, the row range and, with
 * Skip Invalid Rows, the skipped rows among them. An input item whose rows were all invalid
 * (One Job per Input Item) gets an item with `outcome: "invalid"` and no jobId.
 */
function perJobItems(submissions: Submission[], run: CreateRun): INodeExecutionData[] {
	const entries: Array<{ first: number; item: INodeExecutionData }> = [];
	for (const submission of submissions) {
		const json = { ...submissionJson(submission, submissions.length, run), ...invalidFields(submission.job.invalid, run) };
		entries.push({ first: submission.job.items[0], item: { json, pairedItem: pairedItems(submission.job.items) } });
	}
	for (const unsent of run.plan.unsent) entries.push({ first: unsent.item, item: unsentItem(unsent, run) });
	// Stable: jobs of one item keep their order; an item without a job sits where its rows were.
	return entries.sort((a, b) => a.first - b.first).map((entry) => entry.item);
}

/** One item for the whole run: the jobs (with ids and row ranges), totals, skipped, resent and left-out rows. */
function summaryItem(submissions: Submission[], run: CreateRun, failure?: { message: string; description?: string }): INodeExecutionData {
	const jobs = submissions.map((submission) => {
		// The run's facts are said once, at the top.
		const json = submissionJson(submission, submissions.length, run);
		delete json.jobType;
		delete json.projectId;
		delete json.jobCount;
		return json;
	});
	const created = submissions.filter((s): s is Extract<Submission, { state: 'created' }> => s.state === 'created');
	const json: IDataObject = {
		jobType: run.jobType,
		jobIds: created.map((s) => s.jobId),
		jobCount: submissions.length,
		createdJobCount: created.length,
		deviceCount: created.reduce((sum, s) => sum + s.job.devices.length, 0),
		jobs,
	};
	if (run.projectId !== undefined) json.projectId = run.projectId;
	Object.assign(json, invalidFields(allInvalid(run), run), alreadySentFields(run), resentFields(run));
	if (failure) {
		json.error = failure.message;
		if (failure.description) json.description = plainText(failure.description);
	}
	return { json, pairedItem: allInputs(run) };
}

/** The output once the jobs are uploaded (or, continuing on fail, once the upload stopped). */
export function uploadOutput(
	run: CreateRun,
	submissions: Submission[],
	shape: 'perJob' | 'summary',
	failure?: { message: string; description?: string },
): INodeExecutionData[] {
	if (shape === 'summary') return [summaryItem(submissions, run, failure)];
	return [...perJobItems(submissions, run), ...earlierItems(run, false)];
}

// ---------------------------------------------------------------------------------------------
// Wait for Completion: the results, paired with the input rows

function deviceIndex(job: PlannedJob, jobType: JobType): Map<string, LocatedDevice> {
	const index = new Map<string, LocatedDevice>();
	for (const located of job.devices) {
		for (const key of keysOf(located.device, jobType)) if (!index.has(key)) index.set(key, located);
	}
	return index;
}

function findDevice(json: IDataObject, jobType: JobType, index: Map<string, LocatedDevice>): LocatedDevice | undefined {
	for (const key of keysOf(json, jobType)) {
		const located = index.get(key);
		if (located !== undefined) return located;
	}
	return undefined;
}

const rowKey = (device: { item: number; row: number }) => `${device.item}:${device.row}`;

/** Where a device item's row is in the input, and for a resent device HERE's earlier error. */
function placeFields(device: LocatedDevice, label: RowLabel, run: CreateRun, resent: Map<string, EarlierDevice>): IDataObject {
	const fields: IDataObject = { rowLabel: label, row: device.row };
	if (run.rowContext.rowsPerItem) fields.inputItem = device.item;
	const earlier = resent.get(rowKey(device));
	if (earlier !== undefined) Object.assign(fields, { resent: true, ...earlierErrorFields(earlier) });
	return fields;
}

/**
 * Pairs result items with the input, in place (`items` were just built for this run; a copy of
 * 50,000 items costs time and garbage): a per-device item gets the input item and row of its
 * device when the result names it (add: by name; delete: by tracking, external or connector id)
 * and, for a resent device, HERE's earlier error; otherwise the items of its job.
 */
function pairResults(items: INodeExecutionData[], jobsById: Map<string, PlannedJob>, run: CreateRun, resent: Map<string, EarlierDevice>): void {
	// Items come job by job, so one job's index at a time is enough (and holds at most 1000 devices).
	let indexed: { jobId: string; index: Map<string, LocatedDevice> } | undefined;
	for (const item of items) {
		const jobId = typeof item.json.jobId === 'string' ? item.json.jobId : '';
		const planned = jobsById.get(jobId);
		if (planned === undefined) {
			item.pairedItem = allInputs(run);
			continue;
		}
		const isDevice = item.json.outcome === 'succeeded' || item.json.outcome === 'failed';
		if (isDevice && indexed?.jobId !== jobId) indexed = { jobId, index: deviceIndex(planned, run.jobType) };
		const match = isDevice && indexed ? findDevice(item.json, run.jobType, indexed.index) : undefined;
		if (match === undefined) {
			item.pairedItem = pairedItems(planned.items);
			continue;
		}
		Object.assign(item.json, placeFields(match, planned.label, run, resent));
		item.pairedItem = { item: match.item };
	}
}

/**
 * Per device, the devices HERE did not process (a job that ended cancelled or failed part-way,
 * with Output Unsuccessful Jobs on), so that every row of the input has an item: one each, with
 * `outcome: "notProcessed"`, when the devices without a result are exactly as many as the job has
 * fewer results than devices; otherwise (results that do not name their device) one item for the
 * job that says how many.
 */
function notProcessedItems(results: JobResults[], jobsById: Map<string, PlannedJob>, run: CreateRun, resent: Map<string, EarlierDevice>): INodeExecutionData[] {
	const items: INodeExecutionData[] = [];
	for (const { job, rows } of results) {
		const planned = jobsById.get(job.jobId);
		const missing = planned === undefined ? 0 : planned.devices.length - rows.length;
		if (planned === undefined || missing <= 0) continue;
		const answered = new Set(rows.flatMap((row) => keysOf(row, run.jobType)));
		const unanswered = planned.devices.filter((device) => !keysOf(device.device, run.jobType).some((key) => answered.has(key)));
		if (unanswered.length === missing) {
			const reason = `HERE did not process this device: job ${job.jobId} ended "${job.status}" first`;
			for (const device of unanswered) {
				const json = { ...notProcessedItem(job, identityFields(device), reason), ...placeFields(device, planned.label, run, resent) };
				items.push({ json, pairedItem: { item: device.item } });
			}
			continue;
		}
		const fields = { notProcessedCount: missing, jobRowLabel: planned.label, jobRows: describeRows(planned.devices, planned.label, run.rowContext) };
		const reason = `HERE did not process ${missing} of the job's ${planned.devices.length} devices: job ${job.jobId} ended "${job.status}" first`;
		items.push({ json: notProcessedItem(job, fields, reason), pairedItem: pairedItems(planned.items) });
	}
	return items;
}

/**
 * A job summary of a job that ended failed or cancelled (when those are output rather than an
 * error) says so in `error`, as the error would: what happened, and HERE's first reasons.
 */
function withJobEnd(items: INodeExecutionData[], results: JobResults[]): void {
	const byId = new Map(results.map((result) => [result.job.jobId, result]));
	for (const item of items) {
		const result = byId.get(String(item.json.jobId));
		if (result === undefined || !isUnsuccessful(result.job)) continue;
		const reasons = failedDeviceLines(result.rows, Number(result.job.failed) || 0);
		const why = reasons.length > 0 ? ` HERE's reasons: ${reasons.join('; ')}.` : '';
		item.json.error = `Job ${result.job.jobId} ended ${describeFigures(result.job)}. ${describeJobEnd(result.job)}${why}`;
	}
}

/**
 * Skip Invalid Rows with Wait for Completion: the rows that were never sent, so that every row
 * of the input has a fate in the output. Per device they follow the results as items with
 * `outcome: "invalid"` (one per row, with all its problems); a job summary lists those
 * reported with its job.
 */
function invalidRowItems(items: INodeExecutionData[], jobsById: Map<string, PlannedJob>, shape: ResultShape, run: CreateRun): INodeExecutionData[] {
	if (!run.skipInvalidRows) return [];
	if (shape === 'summary') {
		for (const item of items) {
			const job = jobsById.get(String(item.json.jobId));
			if (job !== undefined) Object.assign(item.json, invalidFields(job.invalid, run));
		}
		return run.plan.unsent.map((unsent) => unsentItem(unsent, run));
	}
	const extra: INodeExecutionData[] = [];
	let previousRow: string | undefined;
	for (const located of allInvalid(run)) {
		const key = `${located.item}:${located.issue.whole === true ? 'whole' : located.issue.row}`;
		const { message, ...entry } = invalidRowEntry(located, run.rowContext);
		if (key === previousRow) {
			const previous = extra[extra.length - 1].json;
			(previous.problems as IDataObject[]).push({ ...entry, message });
			previous.errorMessage = `${String(previous.errorMessage)}; ${String(message)}`;
			continue;
		}
		previousRow = key;
		extra.push({ json: { outcome: 'invalid', ...entry, errorMessage: message, problems: [{ ...entry, message }] }, pairedItem: { item: located.item } });
	}
	return extra;
}

/** The output after Wait for Completion: the results (as `resultOutputItems` made them), then the rows never sent. */
export function resultsOutput(
	run: CreateRun,
	created: Array<Extract<Submission, { state: 'created' }>>,
	results: JobResults[],
	items: INodeExecutionData[],
	shape: ResultShape,
): INodeExecutionData[] {
	const jobsById = new Map<string, PlannedJob>(created.map((s) => [s.jobId, s.job]));
	// The resent devices by row: their items carry HERE's earlier error.
	const resent = new Map(run.resent.map((device) => [rowKey(device), device]));
	pairResults(items, jobsById, run, resent);
	if (shape === 'summary') withJobEnd(items, results);
	const notProcessed = shape === 'perDevice' ? notProcessedItems(results, jobsById, run, resent) : [];
	return [...inPlaceOfNone(items, notProcessed), ...invalidRowItems(items, jobsById, shape, run), ...earlierItems(run, shape === 'perDevice')];
}

/**
 * The results with the devices HERE never processed: a job that has them needs no item saying
 * it has no result, so they take that item's place (and the CSV file attached to it); the
 * others follow the results.
 */
function inPlaceOfNone(items: INodeExecutionData[], notProcessed: INodeExecutionData[]): INodeExecutionData[] {
	const byJob = new Map<unknown, INodeExecutionData[]>();
	for (const item of notProcessed) {
		const group = byJob.get(item.json.jobId);
		if (group === undefined) byJob.set(item.json.jobId, [item]);
		else group.push(item);
	}
	const output: INodeExecutionData[] = [];
	for (const item of items) {
		const instead = item.json.outcome === 'none' ? byJob.get(item.json.jobId) : undefined;
		if (instead === undefined) {
			output.push(item);
			continue;
		}
		byJob.delete(item.json.jobId);
		const [first, ...rest] = instead;
		output.push(item.binary === undefined ? first : { ...first, binary: item.binary }, ...rest);
	}
	for (const rest of byJob.values()) output.push(...rest);
	return output;
}

// ---------------------------------------------------------------------------------------------
// Invalid input, continuing on fail: nothing was sent

/** The one item for input that stopped the run before any upload: the error and every invalid row. */
export function invalidInputOutput(problem: InputProblem, run: { rowContext: RowContext; inputCount: number }): INodeExecutionData[] {
	const { error } = problem;
	return [
		{
			json: {
				error: error.message,
				description: plainText(error.description ?? ''),
				invalidRowCount: error.context.invalidRowCount as number,
				invalidRows: problem.issues.map((located) => invalidRowEntry(located, run.rowContext)),
			},
			pairedItem: allInputs(run),
		},
	];
}
