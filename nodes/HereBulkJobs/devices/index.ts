/**
 * Device input for bulk jobs: rows in (CSV, JSON array, n8n items) → validated device batches
 * out. Pure code, no HTTP. `prepareDevices` runs the whole pipeline: a source reads rows, each
 * row is validated as it is read, and valid devices go straight into upload batches.
 */
import type { INode } from 'n8n-workflow';

import type { DeviceChunk } from './chunk';
import { ChunkCollector, MAX_CHUNK_SIZE } from './chunk';
import type { CsvInput } from './csv';
import { readCsv } from './csv';
import { readJson } from './json';
import { readObjects } from './objects';
import { optionError } from './report';
import type { SeenDevices } from './seen';
import type { DeviceFor, JobKind, RowIssue, RowLabel, RowSink } from './types';
import { DeviceValidator } from './validate';

export * from './types';
export { parseCsvDevices, DEFAULT_MAX_ROWS } from './csv';
export { SeenDevices } from './seen';
export { chunkDevices } from './chunk';
export type { DeviceChunk } from './chunk';
export { formatIssues, issueText } from './report';

export type DeviceSource =
	/** CSV: a string, bytes, or an async iterable of chunks (n8n's getBinaryStream). */
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
	/** Most devices accepted from this source; default 1,000,000. */
	maxRows?: number;
	/** Items and JSON: leave out fields that are not device fields instead of reporting them. */
	ignoreUnknownFields?: boolean;
	/** The node, for NodeOperationErrors (`this.getNode()`). */
	node?: INode;
	/**
	 * Device keys (names, identities) seen by earlier calls in this node run: pass the same
	 * object for every source of a run, so that a device repeated across sources is an issue.
	 */
	seen?: SeenDevices;
	/** This source's name in those issues, e.g. "input item 1" ("also in input item 0, row 2"). */
	sourceName?: string;
}

export interface PreparedDevices<T> {
	/** How `row` numbers count (CSV line, item index, array index). */
	label: RowLabel;
	/** Upload batches of the valid devices. */
	chunks: Array<DeviceChunk<T>>;
	/** Number of valid devices (the sum of the chunks' counts). */
	deviceCount: number;
	/** Every problem found, in input order. */
	issues: RowIssue[];
	/** Number of distinct rows with at least one issue. */
	invalidRows: number;
	/** The input as a whole is unusable (empty, bad header, broken quoting, ...): no chunks, and Skip Invalid Rows cannot help. */
	fatal: boolean;
	/** The source holds more rows than `maxRows` (then also `fatal`). */
	overLimit: boolean;
}

const LABELS: Record<DeviceSource['type'], RowLabel> = { csv: 'row', json: 'element', items: 'item' };

/**
 * Read, validate and batch devices. Every problem comes back as an issue, and the valid devices
 * batched either way: the caller decides whether issues stop the upload (`issuesError`) or are
 * only reported. Throws only NodeOperationError, for bad options or an unreadable stream.
 */
export async function prepareDevices<K extends JobKind>(options: PrepareDevicesOptions<K>): Promise<PreparedDevices<DeviceFor<K>>> {
	const { source, kind, node } = options;
	if (kind !== 'add' && kind !== 'delete') throw optionError(node, `Unknown job kind "${String(kind)}": use "add" or "delete"`);
	const label: RowLabel | undefined = LABELS[source?.type];
	if (label === undefined) throw optionError(node, 'Unknown device source: use "csv", "json" or "items"');
	if (source.type === 'items' && !Array.isArray(source.items)) throw optionError(node, 'The items source needs a list of items');

	const batches = new ChunkCollector<DeviceFor<K>>(options.chunkSize ?? MAX_CHUNK_SIZE, node);
	const issues: RowIssue[] = [];
	const validator = new DeviceValidator(kind, { label, seen: options.seen, sourceName: options.sourceName }, issues, (row, device) =>
		batches.add(row, device),
	);
	const sink: RowSink = { issues, onRow: (row) => validator.check(row) };
	const read = { maxRows: options.maxRows, ignoreUnknownFields: options.ignoreUnknownFields, node };
	const fatal =
		source.type === 'csv'
			? await readCsv(source.data, read, sink)
			: source.type === 'json'
				? readJson(source.data, read, sink)
				: readObjects(source.items, 'item', read, sink);

	const chunks = fatal ? [] : batches.chunks();
	const invalidRows = new Set(issues.filter((issue) => issue.whole !== true).map((issue) => issue.row)).size;
	const deviceCount = chunks.reduce((sum, chunk) => sum + chunk.count, 0);
	return { label, chunks, deviceCount, issues, invalidRows, fatal, overLimit: sink.overLimit === true };
}
