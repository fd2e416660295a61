import { parseCsv } from './csv';
import { badRequest, type ErrorDetails } from './errors';
import { unparsableJson } from './http';
import type { DeviceRow, JobType } from './types';
import { asRawRow, classify, RowError, validateAddRow, validateDeleteRow, type RawRow, type RowKind } from './validation';

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
}

/**
 * A create request body → validated rows and the job type. Any problem refuses the whole upload
 * with a 400 that names the first bad row, before a job exists.
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

	const kinds: Array<RowKind | undefined> = [];
	const raws: RawRow[] = [];
	for (const item of items) {
		atRow(item, () => {
			const raw = asRawRow(item.value);
			raws.push(raw);
			kinds.push(classify(raw));
		});
	}
	const firstAdd = kinds.indexOf('add');
	const firstDelete = kinds.indexOf('delete');
	if (firstAdd >= 0 && firstDelete >= 0) {
		throw badRequest(
			`The upload mixes add-device rows (first: row ${items[firstAdd].row}) and delete-device rows (first: row ${items[firstDelete].row}); send them as separate uploads.`,
			{ row: items[Math.max(firstAdd, firstDelete)].row },
		);
	}
	// Rows that fit either kind follow the others. With none to follow it is a delete (adds need a name), unless the CSV header has add columns.
	const type: JobType = firstAdd >= 0 || (firstDelete < 0 && addColumns) ? 'create' : 'delete';
	const rows = raws.map((raw, i) => atRow(items[i], () => (type === 'create' ? validateAddRow(raw) : validateDeleteRow(raw))));
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
