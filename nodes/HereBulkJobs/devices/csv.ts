/**
 * CSV text → SourceRows, with csv-parse doing the RFC 4180 work (quoting, BOM, CRLF, quoted
 * newlines) and this file doing what HERE's CSV format adds: a required header with a fixed
 * vocabulary, `tag:`/`rule:`/`geofence:` columns, list cells, and row numbers as the user sees
 * them (the 1-based line where a record starts; the header is row 1).
 *
 * Input is a string, a Buffer, or an async iterable of Buffer chunks (n8n's `getBinaryStream`),
 * parsed incrementally: memory grows with the rows kept, never with a copy of the whole parse.
 * Type checking of cell values is left to validate.ts.
 */
import { CsvError, Parser } from 'csv-parse';
import type { Options as CsvParseOptions } from 'csv-parse';

import * as fieldHelpers from './fields';
import type { DeviceFields, FieldName, ListField } from './fields';
import { optionError } from './report';
import type { RowIssue, SourceRow, SourceRows } from './types';
import type { INode } from 'n8n-workflow';

// Module-level copies of the helpers. Loaders that compile TypeScript to CommonJS on the fly
// (tsx, which the benchmarks and the emulator use) turn every use of an imported binding into a
// getter call, which in the per-row code costs more than the work itself.
const {
	ALL_FIELDS,
	ALLOWED_KEYS_TEXT,
	classifyKey,
	clearFields,
	emptyFields,
	isUuid,
	readBoolean,
	setFieldById,
	showName,
	showValue,
	splitList,
} = fieldHelpers;

export type CsvInput = string | Uint8Array | AsyncIterable<Uint8Array | string>;

export interface CsvOptions {
	/** Most device rows accepted; more is refused as soon as it is seen. Default 1,000,000. */
	maxRows?: number;
	/** Longest record accepted, in characters. Default 65,536 (a device row is well under 4 KiB). */
	maxRecordLength?: number;
	/** For option errors (NodeOperationError names the node). */
	node?: INode;
}

export const DEFAULT_MAX_ROWS = 1_000_000;
export const DEFAULT_MAX_RECORD_LENGTH = 65_536;

/** Bytes examined for signs of a binary or non-UTF-8 file before anything is parsed. */
const SNIFF_BYTES = 4096;
/** Buffers and strings are handed to the parser in slices, so that a refusal stops early. */
const SLICE_BYTES = 1 << 20;

/** Fields whose text is kept as given (see RowBuilder.textual). */
const TEXT_FIELDS: ReadonlySet<string> = new Set([
	'name',
	'deviceId',
	'externalId',
	'externalDeviceId',
	'connectorId',
	'type',
	'tags',
	'rules',
	'geofences',
	'trackingId',
]);

/** How a column's cells are read. */
type Mode = typeof FIELD | typeof LIST | typeof ENTRY;
/** A device field: the cell's text is the value. */
const FIELD = 0;
/** `tags`/`rules`/`geofences`: the cell holds several entries separated by `|`. */
const LIST = 1;
/** `tag:<name>`/`rule:<uuid>`/`geofence:<uuid>`: a cell of 1 adds the entry. */
const ENTRY = 2;

/** Parse a CSV upload into SourceRows. Never throws for bad input: it returns issues. */
export async function parseCsvDevices(input: CsvInput, options: CsvOptions = {}): Promise<SourceRows> {
	return await readCsv(input, options);
}

/** Hooks for callers that handle rows as they are read (prepareDevices validates them at once). */
export interface CsvRowHandling {
	/**
	 * Called for every row in order, instead of collecting the rows (`rows` comes back empty).
	 * The row object and its `fields` are reused for the next row (fewer short-lived objects,
	 * fewer garbage collections): use them during the call, keep only the values.
	 */
	onRow?: (row: SourceRow) => void;
	/** Issues are appended here, so that a consumer's own issues interleave in row order. */
	issues?: RowIssue[];
}

/** parseCsvDevices, with the rows handed to `onRow` as they are read. */
export async function readCsv(
	input: CsvInput,
	options: CsvOptions & CsvRowHandling = {},
): Promise<SourceRows> {
	const maxRows = limit(options.maxRows, DEFAULT_MAX_ROWS, 'maxRows', options.node);
	const maxRecordLength = limit(
		options.maxRecordLength,
		DEFAULT_MAX_RECORD_LENGTH,
		'maxRecordLength',
		options.node,
	);
	const builder = new RowBuilder(maxRows, maxRecordLength, options.issues ?? [], options.onRow);
	const reader = new CsvReader(builder, maxRecordLength);
	try {
		if (typeof input === 'string' || input instanceof Uint8Array) {
			const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
			for (let at = 0; at < bytes.length && !reader.stopped(); at += SLICE_BYTES) {
				reader.write(bytes.subarray(at, at + SLICE_BYTES));
			}
		} else {
			for await (const chunk of input) {
				if (reader.stopped()) break;
				const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
				for (let at = 0; at < bytes.length && !reader.stopped(); at += SLICE_BYTES) {
					reader.write(at === 0 && bytes.length <= SLICE_BYTES ? bytes : bytes.subarray(at, at + SLICE_BYTES));
				}
			}
		}
	} catch (error) {
		// A failing input stream (binary-data store, network) is no problem of the CSV text:
		// an operational error, which a retry may cure.
		await reader.end();
		const detail = error instanceof Error ? error.message.slice(0, 300) : 'unknown error';
		throw optionError(options.node, `Could not read the CSV data: ${detail}`);
	}
	await reader.end();
	return builder.result();
}

// ---------------------------------------------------------------------------------------------

/**
 * Turns csv-parse's records into SourceRows. Nothing is thrown from here while the parser runs:
 * a fatal problem sets `done`, and the reader stops feeding the parser.
 */
class RowBuilder {
	readonly rows: SourceRow[] = [];
	fatal = false;
	/** The parse stopped (fatal problem or too many rows): further records are ignored. */
	done = false;

	private header: string[] | undefined;
	/** Per column: the field a FIELD column sets (its ALL_FIELDS position), … */
	private fieldOf: number[] = [];
	/** … the list a LIST or ENTRY column adds to, … */
	private listOf: ListField[] = [];
	private modes: Mode[] = [];
	/** … and the entry an ENTRY column adds (`tag:<entry>`). */
	private entries: string[] = [];
	/**
	 * Columns whose text is kept as it is (names, ids, type, list cells): only these need the
	 * check for bytes that were not UTF-8. A number or a flag with such bytes fails validation.
	 */
	private textual: boolean[] = [];
	private width = 0;
	private devices = 0;
	private previousEnd = 0;
	private previousEmpty = 0;
	private drift = 0;

	private readonly emit: (row: SourceRow) => void;
	/** The one row object handed to `onRow` again and again (undefined when rows are collected). */
	private readonly shared: { row: number; fields: DeviceFields; flagged: boolean } | undefined;

	constructor(
		private readonly maxRows: number,
		private readonly maxRecordLength: number,
		readonly issues: RowIssue[],
		onRow: ((row: SourceRow) => void) | undefined,
	) {
		const rows = this.rows;
		this.emit = onRow ?? ((row) => rows.push(row));
		this.shared = onRow === undefined ? undefined : { row: 0, fields: emptyFields(), flagged: false };
	}

	/**
	 * The line where the next record starts. csv-parse counts lines as it reads (`info.lines`
	 * is the line a record ends on when it is handed over) and counts the empty lines it skips;
	 * but it counts a CRLF inside a quoted value as two lines, so that drift is subtracted.
	 */
	nextStart(emptyLines: number): number {
		return this.previousEnd + 1 + (emptyLines - this.previousEmpty) - this.drift;
	}

	/**
	 * csv-parse's running counts (`info` of its parser): `lines` is the line a record ends on
	 * when it is handed over, `empty_lines` the empty lines skipped so far.
	 */
	counts: { readonly lines: number; readonly empty_lines: number } = { lines: 0, empty_lines: 0 };

	/** One record from csv-parse. */
	record(cells: string[]): void {
		if (this.done) return;
		const endLine = this.counts.lines;
		const emptyLines = this.counts.empty_lines;
		const row = this.nextStart(emptyLines);
		if (endLine > row + this.drift) this.drift += countCrLf(cells); // spans lines: quoted newlines
		this.previousEnd = endLine;
		this.previousEmpty = emptyLines;
		if (this.header === undefined) {
			if (!allBlank(cells)) this.readHeader(cells, row);
			return;
		}
		if (cells.length !== this.width) {
			if (!allBlank(cells) && this.count(row)) {
				this.issues.push({
					row,
					label: 'row',
					reason:
						`has ${cells.length} ${cells.length === 1 ? 'column' : 'columns'}, but the header has ${this.width}` +
						(cells.length > this.width ? ' (a value that contains a comma must be in double quotes)' : ''),
				});
			}
			return;
		}
		const shared = this.shared;
		const fields = shared === undefined ? emptyFields() : clearFields(shared.fields);
		const issuesBefore = this.issues.length;
		let set = 0;
		let tags: string[] | undefined;
		let rules: string[] | undefined;
		let geofences: string[] | undefined;
		const { fieldOf, modes, listOf, entries, textual } = this;
		for (let i = 0; i < cells.length; i++) {
			const cell = cells[i];
			const length = cell.length;
			if (length === 0) continue;
			const mode = modes[i];
			if (textual[i] && cell.indexOf('\uFFFD') !== -1) {
				this.notUtf8(row, i);
				return;
			}
			if (mode === FIELD) {
				if ((cell.charCodeAt(0) <= 32 || cell.charCodeAt(length - 1) <= 32) && cell.trim() === '') continue;
				setFieldById(fields, fieldOf[i], cell);
				set++;
				continue;
			}
			let add: string[] | string;
			if (mode === ENTRY) {
				const on = cell === '1' ? true : readBoolean(cell);
				if (on === 'invalid') {
					this.issues.push({
						row,
						label: 'row',
						column: this.header[i],
						reason: 'takes 1 to apply it (or 0 or nothing to not apply it)',
						value: showValue(cell),
					});
					set++;
				}
				if (on !== true) continue;
				add = entries[i];
			} else {
				add = splitList(cell);
				if (add.length === 0) continue;
			}
			set++;
			const list = listOf[i];
			if (list === 'tags') tags = append(tags, add);
			else if (list === 'rules') rules = append(rules, add);
			else geofences = append(geofences, add);
		}
		if (tags !== undefined) fields.tags = tags;
		if (rules !== undefined) fields.rules = rules;
		if (geofences !== undefined) fields.geofences = geofences;
		if (set === 0) return; // a row of empty cells (a sheet's trailing ",,,,") is a blank line
		if (!this.count(row)) return;
		const flagged = this.issues.length !== issuesBefore;
		if (shared === undefined) {
			this.emit(flagged ? { row, fields, flagged } : { row, fields });
		} else {
			shared.row = row;
			shared.flagged = flagged;
			this.emit(shared);
		}
	}

	/** Count a (non-blank) row; false, and parsing stops, once there are more than allowed. */
	private count(row: number): boolean {
		if (++this.devices <= this.maxRows) return true;
		this.fail(
			row,
			`the file has more than ${this.maxRows.toLocaleString('en-US')} device rows, the most accepted at once: split it into smaller files`,
		);
		return false;
	}

	/**
	 * csv-parse decodes UTF-8 and turns invalid bytes into U+FFFD; finding one in a value (it
	 * never belongs in a device field) means the file is in another encoding. Checking the values
	 * kept is much cheaper than validating every byte of the file.
	 */
	private notUtf8(row: number, column: number | undefined): void {
		this.fail(
			row,
			'is not UTF-8 text (the file may be saved in another encoding, such as Windows-1252): save or export it as "CSV UTF-8"',
			column === undefined || this.header === undefined ? undefined : this.header[column],
		);
	}

	/** A problem that makes the whole input unusable; parsing stops. */
	fail(row: number, reason: string, column?: string): void {
		const issue: RowIssue =
			row === 0 ? { row: 0, label: 'row', whole: true, reason } : { row, label: 'row', reason };
		if (column !== undefined) issue.column = column;
		this.issues.push(issue);
		this.fatal = true;
		this.done = true;
	}

	/** csv-parse refused the text; say what is wrong in words, with the row. */
	parseError(error: unknown, emptyLines: number): void {
		if (this.done) return;
		const row = this.nextStart(emptyLines);
		if (!(error instanceof CsvError)) {
			this.fail(row, `could not be read as CSV (${error instanceof Error ? error.message : 'unknown error'})`);
			return;
		}
		const line = typeof error.lines === 'number' ? error.lines - this.drift : row;
		const at = line > row ? ` (at line ${line})` : '';
		const column = typeof error.column === 'number' && this.header !== undefined ? this.header[error.column] : undefined;
		switch (error.code) {
			case 'CSV_QUOTE_NOT_CLOSED':
				this.fail(row, 'starts a quoted value that is never closed: a closing double quote (") is missing');
				break;
			case 'CSV_INVALID_CLOSING_QUOTE':
				this.fail(
					row,
					`has text right after a closing double quote${at}: inside a quoted value write a double quote as two ("")`,
					column,
				);
				break;
			case 'INVALID_OPENING_QUOTE':
				this.fail(
					row,
					`has a double quote inside a value that is not quoted${at}: put the whole value in double quotes and write the inner quote as two ("")`,
					column,
				);
				break;
			case 'CSV_MAX_RECORD_SIZE':
				this.fail(
					row,
					`is longer than ${this.maxRecordLength.toLocaleString('en-US')} characters: usually a double quote that is never closed`,
				);
				break;
			default:
				this.fail(row, `could not be read as CSV (${error.code})`);
		}
	}

	result(): SourceRows {
		if (!this.fatal) {
			if (this.header === undefined) this.fail(0, 'the file is empty: it needs a header row and one row per device');
			else if (this.devices === 0 && this.issues.length === 0)
				this.fail(0, 'the file has a header row but no device rows');
		}
		return { label: 'row', rows: this.fatal ? [] : this.rows, issues: this.issues, fatal: this.fatal };
	}

	/** Plan every column once: which field it feeds and how its cells are read. */
	private readHeader(cells: string[], row: number): void {
		if (cells.some((cell) => cell.includes('\uFFFD'))) {
			this.notUtf8(row, undefined);
			return;
		}
		this.header = cells.map((cell) => showName(cell.trim()));
		this.width = cells.length;
		const problems: RowIssue[] = [];
		const problem = (reason: string, column?: string, value?: string): void => {
			const issue: RowIssue = { row, label: 'row', reason };
			if (column !== undefined) issue.column = column;
			if (value !== undefined) issue.value = value;
			problems.push(issue);
		};

		const delimiter = otherDelimiter(cells);
		if (delimiter !== undefined) {
			this.fail(
				row,
				`the columns seem to be separated by ${delimiter}: HERE's CSV format uses commas, so save or export the file with commas between columns`,
			);
			return;
		}

		const seen = new Map<string, number>();
		const unknown: string[] = [];
		for (let i = 0; i < cells.length; i++) {
			const name = this.header[i];
			const target = classifyKey(cells[i]);
			let key: string;
			if (target.type === 'empty') {
				problem(`has no name: every column needs a header (remove empty columns)`, `column ${i + 1}`);
				continue;
			} else if (target.type === 'unknown') {
				unknown.push(`"${name}"`);
				continue;
			} else if (target.type === 'field') {
				const field = target.field;
				this.textual[i] = TEXT_FIELDS.has(field);
				this.fieldOf[i] = ALL_FIELDS.indexOf(field);
				this.listOf[i] = isList(field) ? field : 'tags';
				this.modes[i] = isList(field) ? LIST : FIELD;
				this.entries[i] = '';
				key = field;
			} else {
				this.textual[i] = false;
				this.fieldOf[i] = ALL_FIELDS.indexOf(target.list);
				this.listOf[i] = target.list;
				this.modes[i] = ENTRY;
				this.entries[i] = target.entry;
				if (target.entry === '') {
					problem(`needs a ${target.prefix === 'tag:' ? 'tag name' : 'UUID'} after "${target.prefix}"`, name);
					continue;
				}
				if (target.list !== 'tags' && !isUuid(target.entry)) {
					problem(
						`must name a ${target.list === 'rules' ? 'rule' : 'geofence'} by its UUID, like ${target.prefix}e0de7cbc-9328-4e37-b865-cdbe1fa1c7dc`,
						name,
						showValue(target.entry),
					);
					continue;
				}
				// tag names are compared as written, UUIDs in any case
				key = `${target.list}:${target.list === 'tags' ? target.entry : target.entry.toLowerCase()}`;
			}
			const first = seen.get(key);
			if (first !== undefined) problem(`appears twice (columns ${first + 1} and ${i + 1})`, name);
			else seen.set(key, i);
		}
		if (unknown.length > 0) {
			const noneKnown = unknown.length === cells.length;
			problem(
				`${unknown.length === 1 ? 'unknown column' : 'unknown columns'} ${unknown.join(', ')}` +
					(noneKnown ? ' (the first row must be the header row)' : '') +
					`. Allowed columns: ${ALLOWED_KEYS_TEXT}`,
			);
		}
		if (problems.length > 0) {
			this.issues.push(...problems);
			this.fatal = true;
			this.done = true;
		}
	}
}

/**
 * Feeds bytes to csv-parse's streaming parser. The parser's `push` is where csv-parse hands over
 * each record, with `info.lines` at the record's last line: overriding it gives the row number
 * without csv-parse's per-record info objects (which cost a third of the parse time).
 */
class CsvReader {
	private readonly parser: Parser;
	private readonly finished: Promise<void>;
	private head: Uint8Array[] = [];
	private headBytes = 0;
	private sniffed = false;

	constructor(
		private readonly builder: RowBuilder,
		maxRecordLength: number,
	) {
		const options: CsvParseOptions = {
			bom: true,
			delimiter: ',',
			quote: '"',
			escape: '"',
			relax_column_count: true,
			skip_empty_lines: true,
			max_record_size: maxRecordLength,
		};
		this.parser = new RecordParser(options, builder);
		builder.counts = this.parser.info;
		const parser = this.parser;
		// Errors are also read synchronously (checkError): a stream that is destroyed before its
		// 'error' event is emitted drops the event.
		this.finished = new Promise<void>((resolve) => {
			parser.once('finish', resolve);
			parser.once('close', resolve);
			parser.once('error', (error: unknown) => {
				builder.parseError(error, parser.info.empty_lines);
				resolve();
			});
		});
	}

	private checkError(): void {
		const error = this.parser.errored;
		if (error !== null) this.builder.parseError(error, this.parser.info.empty_lines);
	}

	stopped(): boolean {
		return this.builder.done || this.parser.errored !== null || this.parser.destroyed;
	}

	write(bytes: Uint8Array): void {
		if (!this.sniffed) {
			this.head.push(bytes);
			this.headBytes += bytes.length;
			if (this.headBytes < SNIFF_BYTES) return;
			this.flushHead();
			return;
		}
		this.feed(bytes);
	}

	async end(): Promise<void> {
		if (!this.sniffed) this.flushHead();
		if (this.stopped()) {
			this.checkError();
			this.parser.destroy();
		} else {
			this.parser.end();
		}
		await this.finished;
		this.checkError();
		if (!this.parser.destroyed) this.parser.destroy();
	}

	private flushHead(): void {
		this.sniffed = true;
		const head = this.head.length === 1 ? this.head[0] : Buffer.concat(this.head);
		this.head = [];
		const verdict = sniff(head.subarray(0, SNIFF_BYTES));
		if (verdict !== undefined) {
			this.builder.fail(0, verdict);
			return;
		}
		this.feed(head);
	}

	private feed(bytes: Uint8Array): void {
		if (this.stopped()) return;
		this.parser.write(bytes);
		this.checkError();
	}
}

/** A csv-parse stream whose `push` hands each record to the builder. */
class RecordParser extends Parser {
	constructor(
		options: CsvParseOptions,
		private readonly builder: RowBuilder,
	) {
		super(options);
	}

	override push(record: unknown): boolean {
		if (record === null) return super.push(null);
		this.builder.record(record as string[]);
		return true;
	}
}

// ---------------------------------------------------------------------------------------------

/** Why the first bytes cannot be a UTF-8 CSV file, or undefined when they can. */
function sniff(head: Uint8Array): string | undefined {
	const n = head.length;
	if (n >= 2 && ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)))
		return 'is UTF-16 text: save or export it as "CSV UTF-8"';
	if (n >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04)
		return 'is a ZIP archive or an Excel workbook (.xlsx), not CSV text: save or export it as "CSV UTF-8"';
	if (n >= 4 && head[0] === 0xd0 && head[1] === 0xcf && head[2] === 0x11 && head[3] === 0xe0)
		return 'is an Excel workbook (.xls), not CSV text: save or export it as "CSV UTF-8"';
	if (n >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'is gzip-compressed: unpack it first';
	if (n >= 4 && head[0] === 0x25 && head[1] === 0x50 && head[2] === 0x44 && head[3] === 0x46)
		return 'is a PDF document, not CSV text';
	let control = 0;
	for (let i = 0; i < n; i++) {
		const b = head[i];
		if (b === 0) return 'contains binary data (zero bytes), not CSV text';
		if ((b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) || b === 0x7f) control++;
	}
	if (control > 1 && control * 100 > n) return 'contains binary data (control characters), not CSV text';
	return undefined;
}

/** `;` or tab between what look like column names: the file was saved with another separator. */
function otherDelimiter(cells: string[]): string | undefined {
	for (const cell of cells) {
		for (const [separator, name] of [
			[';', 'semicolons (;)'],
			['\t', 'tabs'],
		] as const) {
			if (!cell.includes(separator)) continue;
			const parts = cell.split(separator);
			if (parts.some((part) => classifyKey(part).type === 'field')) return name;
		}
	}
	return undefined;
}

function isList(field: FieldName): field is ListField {
	return field === 'tags' || field === 'rules' || field === 'geofences';
}

/**
 * Add one entry or several to a row's list, making arrays of exactly the needed size (`push`
 * would leave room for 16 more entries in every device's list, `concat` is slow).
 */
function append(list: string[] | undefined, add: string[] | string): string[] {
	if (typeof add === 'string') {
		if (list === undefined) return [add];
		if (list.length === 1) return [list[0], add];
		if (list.length === 2) return [list[0], list[1], add];
		const longer = list.slice();
		longer.push(add);
		return longer;
	}
	if (list === undefined) return add;
	return [...list, ...add];
}

function countCrLf(cells: string[]): number {
	let count = 0;
	for (const cell of cells) {
		for (let at = cell.indexOf('\r\n'); at !== -1; at = cell.indexOf('\r\n', at + 2)) count++;
	}
	return count;
}

function allBlank(cells: string[]): boolean {
	for (const cell of cells) if (cell.trim() !== '') return false;
	return true;
}

function limit(value: number | undefined, fallback: number, name: string, node: INode | undefined): number {
	if (value === undefined) return fallback;
	if (!Number.isInteger(value) || value < 1) throw optionError(node, `${name} must be a whole number of at least 1 (got ${String(value)})`);
	return value;
}
