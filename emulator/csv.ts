import { parse } from 'csv-parse/sync';
import { badRequest } from './errors';
import { ANY_UUID } from './ids';
import { MAX_LIST_ITEMS, RowError, type RawRow } from './validation';

/**
 * CSV uploads → the same JSON-shaped rows a JSON upload has, so one validator serves both.
 * RFC 4180 quoting, BOM, CRLF and quoted newlines are csv-parse's job; this file knows the
 * spec's column vocabulary: plain fields, `|`-separated lists, and `tag:`/`rule:`/`geofence:`
 * columns whose cell `1` applies them.
 */

export interface CsvRow {
	/** 1-based device number (the header is not a device). */
	row: number;
	/** The line the row ends on (quoted newlines make rows span lines). */
	line: number;
	/** Undefined when a cell could not be read: then `error` says which and why. */
	value: RawRow | undefined;
	error?: RowError;
}

export interface CsvUpload {
	/** The header has add-only columns (name, type, ...): rows that name only an identity are then adds missing a name. */
	addColumns: boolean;
	rows: CsvRow[];
	/** True when the file has more data rows than `maxRows` (parsing stopped early). */
	tooMany: boolean;
}

type Column =
	| { kind: 'string'; field: string }
	| { kind: 'number'; field: string }
	| { kind: 'boolean'; field: string }
	| { kind: 'list'; field: ListField }
	| { kind: 'flag'; field: ListField; value: string };

type ListField = 'tags' | 'rules' | 'geofences';

const STRING_COLUMNS: ReadonlySet<string> = new Set(['name', 'deviceId', 'externalId', 'externalDeviceId', 'connectorId', 'type', 'trackingId']);
const NUMBER_COLUMNS: ReadonlySet<string> = new Set(['sendMs', 'sampleMs', 'distanceM']);
const BOOLEAN_COLUMNS: ReadonlySet<string> = new Set(['areaBased', 'unclaimOnly', 'removeFromConnectorOnly']);
const ADD_ONLY_COLUMNS: ReadonlySet<string> = new Set(['name', 'deviceId', 'sendMs', 'sampleMs', 'distanceM', 'areaBased', 'type', 'tags', 'rules', 'geofences']);
/** The digits before the point and after it cannot trade places, so a long cell that fails is refused in linear time. */
const NUMBER_TEXT = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

interface CsvRecord {
	record: string[];
	info: { lines: number };
}

export function parseCsv(body: Buffer, maxRows: number): CsvUpload {
	let records: CsvRecord[];
	try {
		// `to` stops after one record too many: a 10 MiB file of tiny rows is refused without parsing it all.
		records = parse(body, { bom: true, info: true, skip_empty_lines: true, to: maxRows + 2 }) as unknown as CsvRecord[];
	} catch (error: unknown) {
		const lines = (error as { lines?: number }).lines;
		throw badRequest(`The CSV could not be parsed: ${(error as Error).message}`, lines === undefined ? {} : { line: lines });
	}
	if (records.length === 0) throw badRequest('The CSV is empty: a header row and at least one device row are required.');
	const named = new Set<string>();
	const columns = records[0].record.map((cell) => {
		const name = cell.trim();
		if (named.has(name)) throw badRequest(`The CSV header names column "${name}" twice.`, { line: 1, field: name });
		named.add(name);
		return columnFor(name);
	});
	const addColumns = columns.some((c) => ADD_ONLY_COLUMNS.has(c.field));
	const data = records.slice(1, maxRows + 2);
	if (data.length === 0) throw badRequest('The CSV has a header row but no device rows.');
	const rows = data.slice(0, maxRows).map((r, i): CsvRow => {
		const row = i + 1;
		const line = r.info.lines;
		// A cell that cannot be read is kept as the row's error, so that the upload is refused at the first bad row, whatever its fault.
		try {
			return { row, line, value: toRow(r.record, columns) };
		} catch (error: unknown) {
			if (!(error instanceof RowError)) throw error;
			return { row, line, value: undefined, error };
		}
	});
	return { addColumns, rows, tooMany: data.length > maxRows };
}

function columnFor(name: string): Column {
	if (STRING_COLUMNS.has(name)) return { kind: 'string', field: name };
	if (NUMBER_COLUMNS.has(name)) return { kind: 'number', field: name };
	if (BOOLEAN_COLUMNS.has(name)) return { kind: 'boolean', field: name };
	if (name === 'tags' || name === 'rules' || name === 'geofences') return { kind: 'list', field: name };
	const prefixed = /^(tag|rule|geofence):(.*)$/.exec(name);
	if (prefixed) {
		const value = prefixed[2].trim();
		const field = prefixed[1] === 'tag' ? 'tags' : prefixed[1] === 'rule' ? 'rules' : 'geofences';
		if (value === '') throw badRequest(`The CSV column "${name}" names no ${prefixed[1]}.`, { line: 1, field: name });
		if (field !== 'tags' && !ANY_UUID.test(value)) {
			throw badRequest(`The CSV column "${name}": ${prefixed[1]} ids must be UUIDs.`, { line: 1, field: name });
		}
		return { kind: 'flag', field, value };
	}
	throw badRequest(`The CSV header has an unknown column "${name}".`, { line: 1, field: name });
}

function toRow(cells: string[], columns: Column[]): RawRow {
	const out: RawRow = {};
	const fail = (field: string, message: string): never => {
		throw new RowError(field, message);
	};
	// `tags` plus `tag:x` columns can name the same tag twice: it is applied once. A list is
	// refused as soon as it passes the limit, so that no row ever holds more than that.
	const lists = new Map<ListField, Set<string>>();
	const addToList = (field: ListField, values: string[]): void => {
		let list = lists.get(field);
		if (list === undefined) lists.set(field, (list = new Set()));
		for (const value of values) {
			list.add(value);
			if (list.size > MAX_LIST_ITEMS) fail(field, `at most ${MAX_LIST_ITEMS} items are allowed (this row names more)`);
		}
	};
	for (let i = 0; i < columns.length; i++) {
		const column = columns[i];
		const cell = cells[i].trim();
		if (cell === '') continue; // an empty cell is "not set"
		switch (column.kind) {
			case 'string':
				out[column.field] = cell;
				break;
			case 'number':
				if (!NUMBER_TEXT.test(cell)) fail(column.field, `must be a number (got "${cell}")`);
				out[column.field] = Number(cell);
				break;
			case 'boolean': {
				const lower = cell.toLowerCase();
				if (lower === '1' || lower === 'true') out[column.field] = true;
				else if (lower === '0' || lower === 'false') out[column.field] = false;
				else fail(column.field, `must be 1, true, 0 or false (got "${cell}")`);
				break;
			}
			case 'list':
				addToList(column.field, cell.split('|').map((s) => s.trim()).filter((s) => s !== ''));
				break;
			case 'flag':
				if (cell === '1') addToList(column.field, [column.value]);
				else if (cell !== '0') fail(`${column.field.slice(0, -1)}:${column.value}`, `must be 1 (apply) or empty (got "${cell}")`);
				break;
		}
	}
	for (const [field, list] of lists) out[field] = [...list];
	return out;
}
