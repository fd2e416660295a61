/**
 * CSV records → device rows, with what HERE's CSV format adds to plain CSV: a required header
 * row with a fixed vocabulary (see fields.ts), `tag:NAME`-style columns, list cells, and row
 * numbers as the user sees them. Type checks of the values are left to validate.ts.
 */
import type { CsvError } from 'csv-parse/sync';

import type { FieldName, ListField } from './fields';
import { addToList, ALLOWED_KEYS_TEXT, classifyKey, DEVICE_FIELDS, entryProblem } from './fields';
import { rowIssue } from './report';
import type { RowIssue, RowSink } from './types';
import { readBoolean, showName, showValue } from './values';

/** How a column's cells are read; undefined for columns already reported as wrong. */
type Column = { type: 'field'; field: FieldName } | { type: 'list'; list: ListField } | { type: 'entry'; list: ListField; entry: string } | undefined;

export class CsvRows {
	/** The input as a whole cannot be used: no device from it may be uploaded. */
	fatal = false;
	/** Reading stops: nothing more can be learnt from the rest of the input. */
	done = false;
	private header: string[] | undefined;
	private columns: Column[] = [];
	private devices = 0;

	constructor(
		private readonly sink: RowSink,
		private readonly maxRows: number,
		private readonly maxRecordLength: number,
	) {}

	/** One record from csv-parse, starting at line `row`. */
	record(cells: string[], row: number): void {
		// csv-parse turns bytes that are not UTF-8 into U+FFFD, which no device field holds.
		const notUtf8 = cells.findIndex((cell) => cell.includes('\uFFFD'));
		if (notUtf8 !== -1) {
			const reason = 'is not UTF-8 text (the file may be saved in another encoding, such as Windows-1252): save or export it as "CSV UTF-8"';
			return this.fail(row, reason, this.header?.[notUtf8]);
		}
		if (this.header === undefined) return isBlank(cells) ? undefined : this.readHeader(cells, row);
		if (cells.length !== this.columns.length) {
			if (isBlank(cells) || !this.count(row)) return;
			const columns = `${cells.length} ${cells.length === 1 ? 'column' : 'columns'}`;
			this.sink.issues.push({ row, label: 'row', reason: `has ${columns}, but the header has ${this.columns.length}${this.extraCellsHint(cells)}` });
			return;
		}

		const fields: Record<string, unknown> = {};
		const problems: RowIssue[] = [];
		let empty = true;
		for (let i = 0; i < cells.length; i++) {
			const column = this.columns[i];
			const cell = cells[i];
			if (column === undefined || cell.trim() === '') continue;
			if (column.type === 'entry') {
				const on = readBoolean(cell);
				if (on === false || on === 'empty') continue;
				if (on === true) addToList(fields, column.list, [column.entry]);
				else problems.push(rowIssue(row, 'row', 'takes 1 to apply it (or 0 or nothing to not apply it)', this.header[i], showValue(cell)));
			} else if (column.type === 'field') {
				fields[column.field] = cell;
			} else if (!addToList(fields, column.list, cell)) {
				continue;
			}
			empty = false;
		}
		if (empty || !this.count(row)) return; // a row of empty cells (a sheet's ",,,,") is a blank line
		this.sink.issues.push(...problems);
		this.sink.onRow(row, fields, problems.length > 0);
	}

	/**
	 * What to do about cells past the header's columns. Empty ones are most likely a trailing
	 * comma, and are still refused rather than dropped: an unquoted comma in a value plus a
	 * trailing comma also ends in an empty cell, and dropping it would shift the values into the
	 * wrong columns without a word (the header itself is refused for a trailing comma too).
	 */
	private extraCellsHint(cells: string[]): string {
		const extra = cells.length - this.columns.length;
		if (extra <= 0) return '';
		const quoting = 'a value that contains a comma must be in double quotes';
		if (!isBlank(cells.slice(this.columns.length))) return ` (${quoting})`;
		return extra === 1
			? `, and the extra one at the end is empty: remove the trailing comma from the row (${quoting})`
			: `, and the ${extra} extra ones at the end are empty: remove the trailing commas from the row (${quoting})`;
	}

	/** A problem that makes the whole input unusable; reading stops. */
	fail(row: number, reason: string, column?: string): void {
		this.sink.issues.push(row === 0 ? { row, label: 'row', whole: true, reason } : rowIssue(row, 'row', reason, column));
		this.fatal = true;
		this.done = true;
	}

	/**
	 * A record over the limit, which counts bytes of UTF-8 (as csv-parse's `max_record_size` does).
	 * `inQuotes`: the record was still inside a quoted value where the limit was passed.
	 */
	tooLong(row: number, inQuotes: boolean): void {
		const limit = `${this.maxRecordLength.toLocaleString('en-US')} bytes, the most one row may hold`;
		const shorten = "shorten the row's longest values, such as its tags (a character outside plain ASCII, like é, takes 2 to 4 bytes)";
		this.fail(
			row,
			inQuotes
				? `is longer than ${limit}, and is still inside a quoted value there: if a double quote (") that opens a value is never closed, close it; otherwise ${shorten}`
				: `is longer than ${limit}: ${shorten}`,
		);
	}

	/** csv-parse refused the record that starts at `row`; `raw` is its text up to the problem. */
	parseError(error: CsvError, row: number, raw: string): void {
		const line = row + lineBreaks(raw);
		const at = line > row ? ` (at line ${line})` : '';
		const column = typeof error.column === 'number' ? this.header?.[error.column] : undefined;
		switch (error.code) {
			case 'CSV_QUOTE_NOT_CLOSED':
				return this.fail(row, 'starts a quoted value that is never closed: a closing double quote (") is missing');
			case 'CSV_INVALID_CLOSING_QUOTE':
				return this.fail(row, `has text right after a closing double quote${at}: inside a quoted value write a double quote as two ("")`, column);
			case 'INVALID_OPENING_QUOTE':
				return this.fail(row, `has a double quote inside a value that is not quoted${at}: put the whole value in double quotes and write the inner quote as two ("")`, column);
			case 'CSV_MAX_RECORD_SIZE':
				return this.tooLong(row, insideQuotes(raw));
			default:
				return this.fail(row, `could not be read as CSV (${error.code})`);
		}
	}

	/** After the last record: whether the input as a whole is unusable. */
	finish(): boolean {
		if (this.fatal) return true;
		if (this.header === undefined) this.fail(0, 'the file is empty: it needs a header row and one row per device');
		else if (this.devices === 0 && this.sink.issues.length === 0) this.fail(0, 'the file has a header row but no device rows');
		return this.fatal;
	}

	/** Count a device row; false (and reading stops) past the limit. */
	private count(row: number): boolean {
		if (++this.devices <= this.maxRows) return true;
		const limit = this.maxRows.toLocaleString('en-US');
		this.sink.overLimit = true;
		this.fail(row, `the file has more than ${limit} device rows, the most one run reads`);
		return false;
	}

	/**
	 * Plan every column once. Wrong columns are reported and then ignored, so that every row's
	 * own problems are still found; the input stays unusable (fatal) either way.
	 */
	private readHeader(cells: string[], row: number): void {
		const names = cells.map((cell) => showName(cell.trim()));
		this.header = names;
		const delimiter = otherDelimiter(cells);
		if (delimiter !== undefined) {
			return this.fail(row, `the columns seem to be separated by ${delimiter}: HERE's CSV format uses commas, so save or export the file with commas between columns`);
		}
		const targets = cells.map(classifyKey);
		if (!targets.some((target) => target.type === 'field' || target.type === 'entry')) {
			// Most likely a data row (a file without a header): its cells may be secrets, so none is repeated.
			return this.fail(row, `the first row must be the header row, naming HERE's fields, but it names none of them (its cells are not repeated here: they may be data). Allowed columns: ${ALLOWED_KEYS_TEXT}`);
		}
		const problems: RowIssue[] = [];
		const problem = (reason: string, column?: string, value?: string) => problems.push(rowIssue(row, 'row', reason, column, value));
		const unknown: string[] = [];
		const firstColumn = new Map<string, number>();
		this.columns = targets.map((target, i): Column => {
			if (target.type === 'empty') {
				problem('has no name: every column needs a header (remove empty columns)', `column ${i + 1}`);
				return undefined;
			}
			if (target.type === 'unknown') {
				// A cell that may be a value is named by its position, here and in later rows' messages.
				const shown = SHOWN_UNKNOWN_NAME.test(names[i]);
				if (!shown) names[i] = `column ${i + 1}`;
				unknown.push(shown ? JSON.stringify(names[i]) : names[i]);
				return undefined;
			}
			const wrong = target.type === 'entry' ? entryProblem(target) : undefined;
			if (wrong !== undefined) {
				problem(wrong.reason, names[i], wrong.value);
				return undefined;
			}
			// tag names are compared as written, UUIDs in any case
			const key = target.type === 'field' ? target.field : `${target.prefix}${DEVICE_FIELDS[target.list].uuids ? target.entry.toLowerCase() : target.entry}`;
			const first = firstColumn.get(key);
			if (first !== undefined) {
				problem(`appears twice (columns ${first + 1} and ${i + 1})`, names[i]);
				return undefined;
			}
			firstColumn.set(key, i);
			if (target.type === 'entry') return target;
			return DEVICE_FIELDS[target.field].type === 'list' ? { type: 'list', list: target.field as ListField } : target;
		});
		if (unknown.length > 0) {
			const shown = unknown.length > MAX_UNKNOWN_SHOWN ? [...unknown.slice(0, MAX_UNKNOWN_SHOWN - 1), `and ${unknown.length - MAX_UNKNOWN_SHOWN + 1} more`] : unknown;
			problem(`${unknown.length === 1 ? 'unknown column' : 'unknown columns'} ${shown.join(', ')}. Allowed columns: ${ALLOWED_KEYS_TEXT}`);
		}
		if (problems.length === 0) return;
		this.sink.issues.push(...problems);
		this.fatal = true;
	}
}

/** How many unknown columns a header problem lists; the rest are counted. */
const MAX_UNKNOWN_SHOWN = 5;
/**
 * An unknown header cell that messages may repeat: at most 30 characters, no digits. Any other is
 * named by its column number: a long cell, or one with digits, looks more like a value (an id, a
 * secret) than a column name.
 */
const SHOWN_UNKNOWN_NAME = /^\D{1,30}$/u;

/**
 * `;` or tab between what look like column names: the file was saved with another separator. A
 * cell that is itself a usable column (`tag:fleet;type`, a tag holding a `;`) is no such sign.
 */
function otherDelimiter(cells: string[]): string | undefined {
	const suspects = cells.filter((cell) => !isUsableColumn(cell));
	for (const [separator, name] of [
		[';', 'semicolons (;)'],
		['\t', 'tabs'],
	]) {
		if (suspects.some((cell) => cell.split(separator).some((part, _, parts) => parts.length > 1 && classifyKey(part).type === 'field'))) {
			return name;
		}
	}
	return undefined;
}

function isUsableColumn(cell: string): boolean {
	const target = classifyKey(cell);
	return target.type === 'field' || (target.type === 'entry' && entryProblem(target) === undefined);
}

/** Whether a record's raw text ends inside a quoted value: an odd number of double quotes (an escaped one, "", counts twice). */
function insideQuotes(raw: string): boolean {
	let quotes = 0;
	for (const char of raw) if (char === '"') quotes++;
	return quotes % 2 === 1;
}

/** Line breaks (CRLF, LF or CR) in a value or in a record's raw text. */
export function lineBreaks(text: string): number {
	if (!text.includes('\n') && !text.includes('\r')) return 0; // most values: no need for the regular expression
	return text.match(/\r\n|\r|\n/g)?.length ?? 0;
}

function isBlank(cells: string[]): boolean {
	return cells.every((cell) => cell.trim() === '');
}
