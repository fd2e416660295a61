import type { RowLabel } from '../../../devices';
import type { LocatedDevice, PlannedJob } from './plan';

/**
 * How rows are named in messages and output items, the way the user counts them: CSV line
 * numbers (header = row 1), item indexes, or JSON array positions, with the input item when
 * several items each brought their own CSV or JSON.
 */

const PLURAL: Record<RowLabel, string> = { row: 'rows', item: 'items', element: 'elements' };

export function plural(label: RowLabel): string {
	return PLURAL[label];
}

export interface RowContext {
	/** Rows are counted within each input item's CSV or JSON. */
	rowsPerItem: boolean;
	/** More than one input item brought CSV or JSON: say which item a row is in. */
	severalSources: boolean;
}

function where(item: number, context: RowContext): string {
	return context.rowsPerItem && context.severalSources ? ` of input item ${item}` : '';
}

function span(label: RowLabel, first: number, last: number): string {
	return first === last ? `${label} ${first}` : `${PLURAL[label]} ${first} to ${last}`;
}

/** A job's rows as first to last per input item: "rows 2 to 1001", "rows 2 to 40 of input item 0; row 2 of input item 1". */
export function describeRows(devices: readonly LocatedDevice[], label: RowLabel, context: RowContext): string {
	if (devices.length === 0) return 'no rows';
	if (!context.rowsPerItem) return span(label, devices[0].row, devices[devices.length - 1].row);
	const parts: string[] = [];
	let start = 0;
	for (let i = 1; i <= devices.length; i++) {
		if (i === devices.length || devices[i].item !== devices[start].item) {
			parts.push(`${span(label, devices[start].row, devices[i - 1].row)}${where(devices[start].item, context)}`);
			start = i;
		}
	}
	return parts.join('; ');
}

/** Scattered rows exactly, runs joined: "rows 2 to 1001, 1500, 1502 to 1600". */
export function listRows(devices: readonly LocatedDevice[], label: RowLabel, context: RowContext): string {
	const parts: string[] = [];
	let start = 0;
	for (let i = 1; i <= devices.length; i++) {
		const previous = devices[i - 1];
		if (i < devices.length && devices[i].item === previous.item && devices[i].row === previous.row + 1) continue;
		const first = devices[start].row;
		parts.push(`${first === previous.row ? first : `${first} to ${previous.row}`}${where(previous.item, context)}`);
		start = i;
	}
	return `${devices.length === 1 ? label : PLURAL[label]} ${parts.join(', ')}`;
}

/** A job as one line of a message: `job 2 of 3: rows 1002 to 2001 (1000 devices), file "devices.csv (2/3)"`. */
export function describeJob(job: PlannedJob, total: number, context: RowContext): string {
	const count = `${job.devices.length} ${job.devices.length === 1 ? 'device' : 'devices'}`;
	return `job ${job.index + 1} of ${total}: ${describeRows(job.devices, job.label, context)} (${count}), file "${job.fileName}"`;
}
