/**
 * Reading CSV: csv-parse does the RFC 4180 work (quoting, BOM, CRLF, quoted newlines) through
 * its sync API, which needs no Node stream (n8n's scanner allows none). A file is handed to it
 * piece by piece, each piece ending after a complete record, so a large streamed file never
 * sits in memory whole. What HERE's format adds (header vocabulary, list cells) is csvRows.ts.
 */
import type { CsvError } from 'csv-parse/sync';
import { parse } from 'csv-parse/sync';

import { CsvRows, lineBreaks } from './csvRows';
import { optionError, wholeNumberOption } from './report';
import type { ReadOptions, RowSink } from './types';
import { DEFAULT_MAX_ROWS } from './types';

/** A string, bytes, or byte chunks as n8n's `getBinaryStream` gives them. */
export type CsvInput = string | Uint8Array | AsyncIterable<Uint8Array | string>;

const DEFAULT_MAX_RECORD_LENGTH = 65_536;

/** Bytes examined for signs of a binary or UTF-16 file before anything is parsed. */
const SNIFF_BYTES = 4096;
/**
 * Input is read in pieces of at most this size: a refusal stops reading early, and only one
 * piece of parsed records is held at a time. Measured on 100,000 rows: 64 KiB pieces validate
 * about 20 % faster than 1 MiB ones; whether they raise the end-to-end peak RSS is not settled
 * (README, Performance, scenario 5).
 */
const PIECE_BYTES = 1 << 16;

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/** Read CSV rows into `sink` as they are parsed; true when the input as a whole is unusable. */
export async function readCsv(input: CsvInput, options: ReadOptions, sink: RowSink): Promise<boolean> {
	const maxRows = wholeNumberOption(options.maxRows, DEFAULT_MAX_ROWS, 'maxRows', options.node);
	const maxRecordLength = wholeNumberOption(options.maxRecordLength, DEFAULT_MAX_RECORD_LENGTH, 'maxRecordLength', options.node);
	const rows = new CsvRows(sink, maxRows, maxRecordLength);
	const reader = new PieceReader(rows, maxRecordLength);
	try {
		for await (const bytes of pieces(input)) {
			reader.push(bytes, false);
			if (rows.done) break;
		}
	} catch (error) {
		// A failing input stream (binary data store, network) is no fault of the CSV text.
		const detail = error instanceof Error ? error.message.slice(0, 300) : 'unknown error';
		throw optionError(options.node, `Could not read the CSV data: ${detail}`);
	}
	if (!rows.done) reader.push(new Uint8Array(0), true);
	return rows.finish();
}

/** The input as UTF-8 bytes, in pieces of at most PIECE_BYTES. */
async function* pieces(input: CsvInput): AsyncGenerator<Uint8Array> {
	const chunks = typeof input === 'string' || input instanceof Uint8Array ? [input] : input;
	for await (const chunk of chunks) {
		const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
		for (let at = 0; at < bytes.length; at += PIECE_BYTES) yield bytes.subarray(at, at + PIECE_BYTES);
	}
}

/**
 * Collects bytes and hands csv-parse everything up to the end of the last complete record. A
 * record ends at a line break outside double quotes (an escaped quote `""` toggles twice).
 */
class PieceReader {
	private pending: Uint8Array = new Uint8Array(0);
	/** How far `pending` has been scanned for record ends, and whether that point is inside quotes. */
	private scanned = 0;
	private inQuotes = false;
	private sniffed = false;
	/** The line where the next record starts: 1 + the line breaks in the raw text of the records before it. */
	private line = 1;

	constructor(
		private readonly rows: CsvRows,
		private readonly maxRecordLength: number,
	) {}

	push(bytes: Uint8Array, final: boolean): void {
		this.pending = this.pending.length === 0 ? bytes : Buffer.concat([this.pending, bytes]);
		if (!this.sniffed) {
			if (this.pending.length < SNIFF_BYTES && !final) return;
			this.sniffed = true;
			const verdict = sniff(this.pending.subarray(0, SNIFF_BYTES));
			if (verdict !== undefined) return this.rows.fail(0, verdict);
		}
		const end = final ? this.pending.length : this.lastRecordEnd();
		if (end > 0) {
			this.parse(this.pending.subarray(0, end));
			this.pending = this.pending.subarray(end);
			this.scanned -= end;
		}
		// An unfinished record this long will not end well: let csv-parse name the problem (a stray
		// or unclosed quote) where it can; the record is refused either way.
		if (!this.rows.done && this.pending.length > this.maxRecordLength) {
			const row = this.line;
			this.parse(this.pending);
			if (!this.rows.done) this.rows.tooLong(row, this.inQuotes);
		}
	}

	private lastRecordEnd(): number {
		const bytes = this.pending;
		let end = 0;
		let i = this.scanned;
		for (; i < bytes.length; i++) {
			const byte = bytes[i];
			if (byte === QUOTE) this.inQuotes = !this.inQuotes;
			if (this.inQuotes) continue;
			if (byte === LF) end = i + 1;
			if (byte === CR) {
				if (i + 1 === bytes.length) break; // is it followed by an LF? Look again with more bytes
				if (bytes[i + 1] !== LF) end = i + 1;
			}
		}
		this.scanned = i;
		return end;
	}

	private parse(text: Uint8Array): void {
		let failure: CsvError | undefined;
		const bytes = Buffer.from(text.buffer, text.byteOffset, text.length);
		// Not csv-parse's on_record: with it set, csv-parse builds an info object per record, which costs more than the array.
		const records = parse(bytes, {
			...this.csvOptions(),
			// The records before a broken one are still read (their problems reported too); reading stops at it.
			skip_records_with_error: true,
			on_skip: (error) => {
				failure ??= error;
			},
		}) as string[][];
		// A csv-parse error counts the records before it (its documented `records`).
		const good = failure === undefined ? records.length : Number(failure.records);
		for (let i = 0; i < good && !this.rows.done; i++) {
			this.rows.record(records[i], this.line);
			// A record takes one line, plus the line breaks inside its quoted values.
			this.line++;
			for (const cell of records[i]) this.line += lineBreaks(cell);
		}
		if (failure !== undefined && !this.rows.done) this.rows.parseError(failure, this.line, this.brokenRecordText(bytes));
	}

	/** The text of the first broken record up to its problem, from csv-parse's `raw` option (read again: this happens once). */
	private brokenRecordText(bytes: Buffer): string {
		let text = '';
		parse(bytes, {
			...this.csvOptions(),
			raw: true,
			skip_records_with_error: true,
			on_skip: (_error, raw) => {
				text ||= raw ?? '';
			},
		});
		return text;
	}

	private csvOptions() {
		return {
			bom: this.line === 1, // only the file's start may hold a byte order mark
			delimiter: ',',
			quote: '"',
			escape: '"',
			record_delimiter: ['\r\n', '\n', '\r'],
			relax_column_count: true,
			max_record_size: this.maxRecordLength,
		};
	}
}

/** Why the first bytes cannot be UTF-8 CSV text, or undefined when they can. */
function sniff(head: Uint8Array): string | undefined {
	const starts = (...signature: number[]) => signature.every((byte, i) => head[i] === byte);
	if (starts(0xff, 0xfe) || starts(0xfe, 0xff)) return 'is UTF-16 text: save or export it as "CSV UTF-8"';
	if (starts(0x50, 0x4b, 0x03, 0x04))
		return 'is a ZIP archive or an Excel workbook (.xlsx), not CSV text: save or export it as "CSV UTF-8"';
	if (starts(0xd0, 0xcf, 0x11, 0xe0)) return 'is an Excel workbook (.xls), not CSV text: save or export it as "CSV UTF-8"';
	if (starts(0x1f, 0x8b)) return 'is gzip-compressed: unpack it first';
	if (starts(0x25, 0x50, 0x44, 0x46)) return 'is a PDF document, not CSV text';
	if (head.includes(0)) return 'contains binary data (zero bytes), not CSV text';
	const control = head.filter((b) => (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) || b === 0x7f).length;
	if (control > 1 && control * 100 > head.length) return 'contains binary data (control characters), not CSV text';
	return undefined;
}
