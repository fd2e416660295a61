/**
 * Device input for bulk jobs: rows in (CSV, JSON array, n8n items) → validated device batches
 * out. Pure code, no HTTP. `prepareDevices` runs the whole pipeline; the parts are exported for
 * callers that need only one step.
 */
import type { INode } from 'n8n-workflow';

import { checkChunkSize, chunkDevices, ChunkCollector, DEFAULT_CHUNK_SIZE } from './chunk';
import type { DeviceChunk } from './chunk';
import { readCsv } from './csv';
import type { CsvInput } from './csv';
import { itemsToSourceRows } from './items';
import { parseJsonDevices } from './json';
import { optionError } from './report';
import type { DeviceFor, JobKind, RowIssue, RowLabel, SourceRows } from './types';
import { DeviceValidator, validateDevices } from './validate';

export * from './types';
export { parseCsvDevices, DEFAULT_MAX_ROWS, DEFAULT_MAX_RECORD_LENGTH } from './csv';
export type { CsvInput, CsvOptions } from './csv';
export { parseJsonDevices } from './json';
export type { JsonOptions } from './json';
export { itemsToSourceRows } from './items';
export type { ItemsOptions } from './items';
export { DeviceValidator, validateDevices } from './validate';
export type { DeviceValidatorOptions, ValidateOptions } from './validate';
export { chunkDevices, checkChunkSize, ChunkCollector, describeChunk, MAX_CHUNK_SIZE, DEFAULT_CHUNK_SIZE } from './chunk';
export type { DeviceChunk } from './chunk';
export { formatIssues, issueText, issuesError, rowName } from './report';
export type { FormatIssuesOptions, IssuesErrorOptions } from './report';
export {
	ADD_FIELDS,
	DELETE_FIELDS,
	KNOWN_DEVICE_TYPES,
	MAX_LIST_ITEMS,
	MAX_TEXT_LENGTH,
	MAX_AREA_BASED_GEOFENCES,
} from './fields';

export type DeviceSource =
	/** CSV text: a string, a Buffer, or an async iterable of chunks (n8n's getBinaryStream). */
	| { type: 'csv'; data: CsvInput }
	/** A JSON array of devices: JSON text, UTF-8 bytes, or an already parsed value. */
	| { type: 'json'; data: unknown }
	/** n8n items, one device each (the items' `json`, or the items themselves). */
	| { type: 'items'; items: readonly unknown[] };

export interface PrepareDevicesOptions<K extends JobKind = JobKind> {
	source: DeviceSource;
	kind: K;
	/** Devices per upload, 1-1000; default 1000. */
	chunkSize?: number;
	/** Most devices accepted; default 1,000,000. */
	maxRows?: number;
	/** Items and JSON: leave out fields that are not device fields instead of reporting them. */
	ignoreUnknownFields?: boolean;
	/** The node, for NodeOperationErrors (`this.getNode()`). */
	node?: INode;
}

export interface PreparedDevices<T> {
	/** How `row` numbers count (CSV line, item index, array index). */
	label: RowLabel;
	/** Upload batches of the valid devices. */
	chunks: Array<DeviceChunk<T>>;
	/** Number of valid devices (the sum of the chunks' counts). */
	deviceCount: number;
	/** Every problem found, ordered by row (problems of the whole input first). */
	issues: RowIssue[];
	/** Number of distinct rows with at least one issue. */
	invalidRows: number;
	/**
	 * The input as a whole is unusable (empty, bad header, broken quoting, not an array, too many
	 * rows): there are no chunks, and "skip invalid rows" cannot help.
	 */
	fatal: boolean;
}

/**
 * Read, validate and batch devices. Problems with the input are returned as `issues` (all of
 * them, so that one message can list every bad row); the valid devices come back batched either
 * way, and the caller decides whether issues stop the upload (`issuesError`) or only get
 * reported. Throws only NodeOperationError, and only for bad options or an unreadable stream.
 */
export async function prepareDevices<K extends JobKind>(
	options: PrepareDevicesOptions<K>,
): Promise<PreparedDevices<DeviceFor<K>>> {
	const { source, kind, node } = options;
	if (kind !== 'add' && kind !== 'delete') {
		throw optionError(node, `Unknown job kind "${String(kind)}": use "add" or "delete"`);
	}
	const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
	checkChunkSize(chunkSize, node);

	let rows: SourceRows;
	switch (source?.type) {
		case 'csv': {
			// Rows are validated as they are read: only the devices stay in memory.
			const collector = new ChunkCollector<DeviceFor<K>>(chunkSize, node);
			const validator = new DeviceValidator(kind, {
				label: 'row',
				onDevice: (row, device) => collector.add(row, device),
			});
			const read = await readCsv(source.data, {
				maxRows: options.maxRows,
				node,
				issues: validator.issues,
				onRow: (row) => validator.check(row),
			});
			if (read.fatal) return finish<DeviceFor<K>>('row', [], wholeFirst(validator.issues), [], true);
			return finish('row', collector.chunks(), wholeFirst(validator.issues), [], false);
		}
		case 'json':
			rows = parseJsonDevices(source.data, {
				maxRows: options.maxRows,
				ignoreUnknownFields: options.ignoreUnknownFields,
				node,
			});
			break;
		case 'items':
			if (!Array.isArray(source.items)) throw optionError(node, 'The items source needs a list of items');
			rows = itemsToSourceRows(source.items, {
				maxRows: options.maxRows,
				ignoreUnknownFields: options.ignoreUnknownFields,
				node,
			});
			break;
		default:
			throw optionError(node, 'Unknown device source: use "csv", "json" or "items"');
	}

	if (rows.fatal || (rows.rows.length === 0 && rows.issues.length > 0)) {
		return finish<DeviceFor<K>>(rows.label, [], rows.issues, [], rows.fatal);
	}
	const validated = validateDevices(rows.rows, kind, { label: rows.label });
	const chunks = chunkDevices(validated.devices, chunkSize, node) as Array<DeviceChunk<DeviceFor<K>>>;
	return finish(rows.label, chunks, rows.issues, validated.issues, false);
}

function finish<T>(
	label: RowLabel,
	chunks: Array<DeviceChunk<T>>,
	sourceIssues: RowIssue[],
	validationIssues: RowIssue[],
	fatal: boolean,
): PreparedDevices<T> {
	const issues = mergeByRow(sourceIssues, validationIssues);
	const badRows = new Set<number>();
	for (const issue of issues) if (issue.whole !== true) badRows.add(issue.row);
	let deviceCount = 0;
	for (const chunk of chunks) deviceCount += chunk.count;
	return { label, chunks, deviceCount, issues, invalidRows: badRows.size, fatal };
}

/** Issues about the whole input first (they are found at the end of a CSV file, if at all). */
function wholeFirst(issues: RowIssue[]): RowIssue[] {
	if (!issues.some((issue, i) => issue.whole === true && i > 0)) return issues;
	return [...issues.filter((issue) => issue.whole === true), ...issues.filter((issue) => issue.whole !== true)];
}

/** Both lists are in row order; merge them so that the first issue is the earliest row. */
function mergeByRow(a: RowIssue[], b: RowIssue[]): RowIssue[] {
	if (b.length === 0) return a;
	if (a.length === 0) return b;
	const key = (issue: RowIssue): number => (issue.whole === true ? -1 : issue.row);
	const out: RowIssue[] = [];
	let i = 0;
	let j = 0;
	while (i < a.length && j < b.length) out.push(key(a[i]) <= key(b[j]) ? a[i++] : b[j++]);
	while (i < a.length) out.push(a[i++]);
	while (j < b.length) out.push(b[j++]);
	return out;
}
