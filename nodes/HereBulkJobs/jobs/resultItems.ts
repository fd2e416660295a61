import type { IDataObject } from 'n8n-workflow';

import type { FinishedJob, JobStatus, JobStatusAnswer, JobType, ResultRow, ResultRowError } from './wire';
import { isTerminal } from './wire';

/**
 * Turns HERE's result rows into what a workflow works with: one flat item per device, one
 * summary per job, or a CSV file. Pure functions, shared by the action node and the trigger.
 */

export interface ResultOutputOptions {
	/**
	 * Leave `deviceSecret` out. It is the credential of a newly provisioned device, so it only
	 * flows downstream (execution data, files, e-mails) when the user asks for it.
	 */
	omitDeviceSecret: boolean;
	/** Summary only: add every device's result under `results` (default true). */
	includeResults?: boolean;
}

/** `none`: the item of a job that has no device result (yet), see `noDeviceItem`. */
export type DeviceOutcome = 'succeeded' | 'failed' | 'none';

/** The identity fields of a result row, in the order the CSV lists them. */
const ROW_FIELDS = ['name', 'deviceId', 'deviceSecret', 'externalId', 'externalDeviceId', 'connectorId', 'trackingId'] as const;

/** A row with a non-empty `errors` list failed, wholly or partly (the API notes). */
export function rowOutcome(row: ResultRow): 'succeeded' | 'failed' {
	return Array.isArray(row.errors) && row.errors.length > 0 ? 'failed' : 'succeeded';
}

function rowErrors(row: ResultRow): ResultRowError[] {
	return Array.isArray(row.errors) ? row.errors : [];
}

/** "Device name already exists (code 409, name)": one error in one line. */
export function describeRowError(error: ResultRowError): string {
	const message = typeof error?.message === 'string' && error.message !== '' ? error.message : 'Unknown error';
	const facts = [error?.code !== undefined ? `code ${error.code}` : undefined, error?.details ? String(error.details) : undefined].filter(Boolean);
	return facts.length > 0 ? `${message} (${facts.join(', ')})` : message;
}

/** All errors of a row in one string ('' when none), for IF and Switch nodes and the CSV. */
export function errorMessageOf(row: ResultRow): string {
	return rowErrors(row).map(describeRowError).join('; ');
}

/**
 * Writes a device's result into `target`: the row's own fields (HERE may add more) without
 * `errors` and without the secret unless asked, then `errors` (always an array) and
 * `errorMessage`. Written into the caller's object rather than spread from intermediate ones:
 * a run can hand out 100,000 of these, and each copy costs time and garbage.
 */
function writeDeviceFields(target: IDataObject, row: ResultRow, options: ResultOutputOptions): IDataObject {
	const fields = (row ?? {}) as Record<string, unknown>;
	// for...in rather than Object.keys: no array per row. Own keys only, as Object.keys gives.
	for (const key in fields) {
		if (!Object.prototype.hasOwnProperty.call(fields, key)) continue;
		const value = fields[key];
		if (key === 'errors' || value === undefined) continue;
		if (key === 'deviceSecret' && options.omitDeviceSecret) continue;
		target[key] = value as IDataObject[keyof IDataObject];
	}
	target.errors = rowErrors(row).map((error) => ({ ...error }) as IDataObject);
	target.errorMessage = errorMessageOf(row);
	return target;
}

function deviceResultItem(row: ResultRow, options: ResultOutputOptions): IDataObject {
	return writeDeviceFields({ outcome: rowOutcome(row) }, row, options);
}

interface JobFacts {
	jobId: string;
	type?: JobType;
	fileName?: string;
	status?: JobStatus;
	/** The rows read stop at the user's Limit, and HERE holds more: they are not complete. */
	limitReached?: boolean;
}

/** Whether the rows read are every result the job will have: its status is final and no Limit cut them. */
function resultsComplete(job: JobFacts): boolean {
	return job.status !== undefined && isTerminal(job.status) && job.limitReached !== true;
}

function jobFieldsOf(job: JobFacts): IDataObject {
	const fields: IDataObject = { jobId: job.jobId };
	if (job.status !== undefined) {
		fields.jobStatus = job.status;
		fields.resultsComplete = resultsComplete(job);
		if (job.limitReached === true) fields.limitReached = true;
	}
	if (job.type !== undefined) fields.jobType = job.type;
	if (job.fileName !== undefined) fields.jobFileName = job.fileName;
	return fields;
}

/**
 * One item per device: `jobId`, `outcome`, the row's fields, `errors` (always an array) and
 * `errorMessage`. With the job's status given, each item also says `jobStatus` and whether the
 * results are complete (`resultsComplete` is false while the job still runs).
 */
export function deviceResultItems(rows: ResultRow[], job: JobFacts, options: ResultOutputOptions): IDataObject[] {
	const jobFields = jobFieldsOf(job);
	const jobKeys = Object.keys(jobFields);
	return rows.map((row) => {
		// Key order: jobId, outcome, the job's fields, the row's (a row's own key keeps its place and wins).
		const item: IDataObject = { jobId: job.jobId, outcome: rowOutcome(row) };
		for (const key of jobKeys) item[key] = jobFields[key];
		return writeDeviceFields(item, row, options);
	});
}

/**
 * The one item that stands for a job without any device result (pending, or cancelled or
 * failed before HERE processed a device), so that per-device output does not silently end:
 * the same fields as a device item, `outcome` "none", no device fields.
 */
export function noDeviceItem(job: JobFacts): IDataObject {
	return { jobId: job.jobId, outcome: 'none', ...jobFieldsOf(job), errors: [], errorMessage: '' };
}

/**
 * A device that HERE never processed (its job ended first): the same fields as a device item,
 * `outcome` "notProcessed", and the device's fields as the caller knows them from its input.
 */
export function notProcessedItem(job: JobFacts, fields: IDataObject, errorMessage: string): IDataObject {
	return { jobId: job.jobId, outcome: 'notProcessed', ...jobFieldsOf(job), ...fields, errors: [], errorMessage };
}

/**
 * One item for a job: HERE's figures (`status`, `progress`, `total`, `succeeded`, `failed`, ...),
 * the wait's figures when it was waited for, counts over the rows read (`resultCount`,
 * `succeededCount`, `failedCount`), the failed devices, and every device's result.
 */
export function jobSummary(
	job: (FinishedJob | (JobStatusAnswer & { jobId: string })) & { limitReached?: boolean },
	rows: ResultRow[],
	options: ResultOutputOptions,
): IDataObject {
	const results = rows.map((row) => deviceResultItem(row, options));
	const failedDevices = results.filter((result) => result.outcome === 'failed');
	const summary: IDataObject = { ...(job as unknown as IDataObject) };
	summary.jobId = job.jobId;
	summary.resultsComplete = resultsComplete(job);
	summary.resultCount = rows.length;
	summary.succeededCount = results.length - failedDevices.length;
	summary.failedCount = failedDevices.length;
	summary.failedDevices = failedDevices;
	if (options.includeResults !== false) summary.results = results;
	return { jobId: job.jobId, ...summary };
}

/** One CSV field, quoted when RFC 4180 needs it (comma, quote, CR or LF), quotes doubled. */
export function csvField(value: unknown): string {
	const text = value === undefined || value === null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
	return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * The results as an RFC 4180 CSV text: a header row, CRLF line ends, one line per device with
 * its identity fields, `outcome` and `errors` (all of a row's errors in one cell). A `jobId`
 * column comes first when rows carry one (results of several jobs in one file). Values are
 * written as they are: nothing is prefixed, so the file reads back exactly.
 */
export function resultsCsv(rows: ReadonlyArray<ResultRow & { jobId?: string }>, options: ResultOutputOptions): string {
	const withJob = rows.some((row) => typeof row.jobId === 'string');
	const fields = ROW_FIELDS.filter((field) => !(field === 'deviceSecret' && options.omitDeviceSecret));
	const header = [...(withJob ? ['jobId'] : []), ...fields, 'outcome', 'errors'];
	const lines = [header.map(csvField).join(',')];
	for (const row of rows) {
		const cells = [
			...(withJob ? [row.jobId] : []),
			...fields.map((field) => row[field]),
			rowOutcome(row),
			errorMessageOf(row),
		];
		lines.push(cells.map(csvField).join(','));
	}
	return `${lines.join('\r\n')}\r\n`;
}
