/**
 * Device input for bulk jobs: rows in (CSV, JSON array, n8n items) → validated devices out, and
 * upload batches of them (chunk.ts). Pure code, no HTTP. `prepareDevices` runs the whole
 * pipeline: a source reads rows, and each row is validated as it is read.
 */
import type { CsvInput } from './csv';
import { readCsv } from './csv';
import { readJson } from './json';
import { readObjects } from './objects';
import type { SeenDevices } from './seen';
import type { DeviceFor, JobKind, ReadOptions, RowIssue, RowLabel, RowSink } from './types';
import type { RequiredField } from './validate';
import { DeviceValidator } from './validate';

export * from './types';
export { SeenDevices } from './seen';
export { chunkDevices, chunkForUpload, DeviceTooLargeError, deviceTooLargeError, MAX_UPLOAD_BYTES } from './chunk';
export { formatIssues, issueText } from './report';
export type { RequiredField } from './validate';

export type DeviceSource =
	/** CSV: a string, bytes, or an async iterable of chunks (n8n's getBinaryStream). */
	| { type: 'csv'; data: CsvInput }
	/** A JSON array of devices: JSON text, UTF-8 bytes, or an already parsed value. */
	| { type: 'json'; data: unknown }
	/** n8n items, one device each (the items' `json`, or the items themselves). */
	| { type: 'items'; items: readonly unknown[] };

export interface PrepareDevicesOptions<K extends JobKind = JobKind> extends ReadOptions {
	source: DeviceSource;
	kind: K;
	/**
	 * Device keys (names, identities) seen by earlier calls in this node run: pass the same
	 * object for every source of a run, so that a device repeated across sources is an issue.
	 */
	seen?: SeenDevices;
	/** This source's name in those issues, e.g. "input item 1" ("also in input item 0, row 2"). */
	sourceName?: string;
	/** Fields each row must give, by row (see ValidateOptions.requiredFields). */
	requiredFields?: (row: number) => readonly RequiredField[] | undefined;
}

export interface PreparedDevices<T> {
	/** How `row` numbers count (CSV line, item index, array index). */
	label: RowLabel;
	/** The valid devices, in input order (none when the input is `fatal`). */
	devices: T[];
	/** `rows[i]` is the source row of `devices[i]`. */
	rows: number[];
	/** Every problem found, in input order. */
	issues: RowIssue[];
	/** Number of distinct rows with at least one issue. */
	invalidRows: number;
	/** The input as a whole is unusable (empty, bad header, broken quoting, ...): no chunks, and Skip Invalid Rows cannot help. */
	fatal: boolean;
	/** The source holds more rows than `maxRows` (then also `fatal`). */
	overLimit: boolean;
}

/** How each kind of source counts its rows. */
export const SOURCE_LABELS: Record<DeviceSource['type'], RowLabel> = { csv: 'row', json: 'element', items: 'item' };

/**
 * Read and validate devices. Every problem comes back as an issue, and the valid devices either
 * way: the caller decides whether issues stop the upload or are only reported (and batches the
 * devices with chunkDevices). Throws only NodeOperationError, for bad options or an unreadable stream.
 */
export async function prepareDevices<K extends JobKind>(options: PrepareDevicesOptions<K>): Promise<PreparedDevices<DeviceFor<K>>> {
	const { kind, source, seen, sourceName, requiredFields } = options;
	const label = SOURCE_LABELS[source.type];
	const devices: Array<DeviceFor<K>> = [];
	const rows: number[] = [];
	const issues: RowIssue[] = [];
	const validator = new DeviceValidator(kind, { label, seen, sourceName, requiredFields }, issues, (row, device) => {
		devices.push(device);
		rows.push(row);
	});
	const sink: RowSink = { issues, onRow: (row, fields, flagged) => validator.check(row, fields, flagged) };
	const fatal = await readSource(source, options, sink);

	const invalidRows = new Set(issues.filter((issue) => issue.whole !== true).map((issue) => issue.row)).size;
	if (fatal) return { label, devices: [], rows: [], issues, invalidRows, fatal, overLimit: sink.overLimit === true };
	return { label, devices, rows, issues, invalidRows, fatal, overLimit: false };
}

/** Read a source's rows into `sink`; true when the input as a whole is unusable. */
export async function readSource(source: DeviceSource, options: ReadOptions, sink: RowSink): Promise<boolean> {
	if (source.type === 'csv') return await readCsv(source.data, options, sink);
	if (source.type === 'json') return readJson(source.data, options, sink);
	return readObjects(source.items, 'item', options, sink);
}
