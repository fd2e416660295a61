import { parseCsv } from './csv';
import { badRequest, type ErrorDetails } from './errors';
import { unparsableJson } from './http';
import type { DeviceRow, JobType } from './types';
import { asRawRow, classify, kindOf, RowError, validateAddRow, validateDeleteRow } from './validation';

/** At most 1000 devices per upload, for CSV and JSON alike (Decided here). */
export const MAX_DEVICES = 1000;

export interface ParsedUpload {
	type: JobType;
	rows: DeviceRow[];
}

interface Positioned {
	row: number;
	line?: number;
	value: unknown;
	/** A CSV cell that could not be read: the row's error, told when its turn comes. */
	error?: RowError;
}

/**
 * A create request body → validated rows and the job type. Any problem refuses the whole upload
 * with a 400 that names the first bad row (rows are judged in order, in one pass), before a job
 * exists. Add and delete rows mixed in one upload are a problem of the whole upload, found first.
 */
export function parseUpload(body: Buffer, contentType: string | undefined): ParsedUpload {
	const media = (contentType ?? '').split(';')[0].trim().toLowerCase();
	if (body.length === 0 || body.toString('utf8').trim() === '') throw badRequest('The request body is empty: send a CSV file or a JSON array of devices.');
	let items: Positioned[];
	let addColumns = false;
	if (media === 'text/csv') {
		const csv = parseCsv(body, MAX_DEVICES);
		if (csv.tooMany) throw tooMany();
		items = csv.rows;
		addColumns = csv.addColumns;
	} else if (media === 'application/json' || media.endsWith('+json')) {
		const text = body.toString('utf8');
		let json: unknown;
		try {
			json = JSON.parse(text);
		} catch (error: unknown) {
			throw unparsableJson(error, text);
		}
		if (!Array.isArray(json)) throw badRequest('The JSON body must be an array of devices.');
		if (json.length === 0) throw badRequest('The JSON array is empty: at least one device is required.');
		if (json.length > MAX_DEVICES) throw tooMany();
		items = json.map((value: unknown, i) => ({ row: i + 1, value }));
	} else {
		throw badRequest(`Unsupported Content-Type "${media || '(none)'}": use text/csv or application/json.`, { field: 'Content-Type' });
	}

	// The upload's kind first, from the rows' fields alone: nothing is judged yet, so that the
	// refusal below names the first bad row whatever kind of fault it has.
	let firstAdd: Positioned | undefined;
	let firstDelete: Positioned | undefined;
	for (const item of items) {
		const kind = kindOf(item.value);
		if (kind === 'add') firstAdd ??= item;
		else if (kind === 'delete') firstDelete ??= item;
	}
	if (firstAdd !== undefined && firstDelete !== undefined) {
		throw badRequest(
			`The upload mixes add-device rows (first: row ${firstAdd.row}) and delete-device rows (first: row ${firstDelete.row}); send them as separate uploads.`,
			{ row: Math.max(firstAdd.row, firstDelete.row) },
		);
	}
	// Rows that fit either kind follow the others. With none to follow it is a delete (adds need a name), unless the CSV header has add columns.
	const type: JobType = firstAdd !== undefined || (firstDelete === undefined && addColumns) ? 'create' : 'delete';
	const rows = items.map((item) =>
		atRow(item, () => {
			if (item.error !== undefined) throw item.error;
			const raw = asRawRow(item.value);
			classify(raw); // refuses a row with fields of both kinds
			return type === 'create' ? validateAddRow(raw) : validateDeleteRow(raw);
		}),
	);
	return { type, rows };
}

function atRow<T>(item: Positioned, fn: () => T): T {
	try {
		return fn();
	} catch (error: unknown) {
		if (!(error instanceof RowError)) throw error;
		const where = item.line === undefined ? `Row ${item.row}` : `Row ${item.row} (line ${item.line})`;
		const details: ErrorDetails = { row: item.row };
		if (item.line !== undefined) details.line = item.line;
		if (error.field !== undefined) details.field = error.field;
		throw badRequest(`${where}: ${error.field === undefined ? '' : `${error.field}: `}${error.message}.`, details);
	}
}

function tooMany() {
	return badRequest(`An upload may hold at most ${MAX_DEVICES} devices; split it into several uploads.`);
}
