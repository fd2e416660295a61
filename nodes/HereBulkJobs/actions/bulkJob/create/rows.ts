import type { IDataObject } from 'n8n-workflow';

import type { RowLabel } from '../../../devices';
import { issueText } from '../../../devices';
import type { LocatedDevice, LocatedIssue, PlannedJob } from './plan';

/**
 * How a job's rows and the skipped rows are named in output items and messages, the way the
 * user counts them: CSV line numbers (header = row 1), item indexes, or JSON array positions,
 * with the input item when several items each brought their own CSV or JSON.
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

function span(label: RowLabel, first: number, last: number): string {
	return first === last ? `${label} ${first}` : `${PLURAL[label]} ${first} to ${last}`;
}

/** "rows 2 to 1001", "items 0 to 999", "rows 2 to 40 of input item 0; rows 2 to 9 of input item 1". */
export function describeRows(devices: readonly LocatedDevice[], label: RowLabel, context: RowContext): string {
	if (devices.length === 0) return 'no rows';
	if (!context.rowsPerItem) return span(label, devices[0].row, devices[devices.length - 1].row);
	const parts: string[] = [];
	let start = 0;
	for (let i = 1; i <= devices.length; i++) {
		if (i === devices.length || devices[i].item !== devices[start].item) {
			const where = context.severalSources ? ` of input item ${devices[start].item}` : '';
			parts.push(`${span(label, devices[start].row, devices[i - 1].row)}${where}`);
			start = i;
		}
	}
	return parts.join('; ');
}

/** A job as one line of a message: `job 2 of 3, rows 1002 to 2001 (1000 devices), file "devices.csv (2/3)"`. */
export function describeJob(job: PlannedJob, total: number, context: RowContext): string {
	const count = `${job.devices.length} ${job.devices.length === 1 ? 'device' : 'devices'}`;
	return `job ${job.index + 1} of ${total}: ${describeRows(job.devices, job.label, context)} (${count}), file "${job.fileName}"`;
}

/** The row fields of a job's output item. */
export function rowFields(job: PlannedJob, context: RowContext): IDataObject {
	const first = job.devices[0];
	const last = job.devices[job.devices.length - 1];
	const fields: IDataObject = {
		rowLabel: job.label,
		firstRow: first.row,
		lastRow: last.row,
		rows: describeRows(job.devices, job.label, context),
	};
	if (context.rowsPerItem) {
		fields.firstInputItem = first.item;
		fields.lastInputItem = last.item;
	}
	return fields;
}

/** An invalid row as an output entry: where, which column, why, the value when safe to show. */
export function invalidRowEntry(located: LocatedIssue, context: RowContext): IDataObject {
	const { issue } = located;
	const entry: IDataObject = {};
	if (context.rowsPerItem) entry.inputItem = located.item;
	if (issue.whole === true) entry.wholeInput = true;
	else entry.row = issue.row;
	entry.rowLabel = issue.label;
	if (issue.column !== undefined) entry.column = issue.column;
	entry.reason = issue.reason;
	if (issue.value !== undefined) entry.value = issue.value;
	entry.message = context.severalSources ? `input item ${located.item}, ${issueText(issue)}` : issueText(issue);
	return entry;
}

/** Distinct invalid rows (not counting problems of a whole input). */
export function countInvalidRows(issues: readonly LocatedIssue[]): number {
	const rows = new Set<string>();
	for (const { item, issue } of issues) if (issue.whole !== true) rows.add(`${item}:${issue.row}`);
	return rows.size;
}
