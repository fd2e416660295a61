/**
 * The sources and the validator seen apart (prepareDevices joins them): what a source reads before
 * validation, and what validation makes of given rows, so that each is tested on its own.
 */
import type { DeviceSource } from '../../nodes/HereBulkJobs/devices';
import { readSource, SOURCE_LABELS } from '../../nodes/HereBulkJobs/devices';
import type { DeviceFor, JobKind, ReadOptions, RowIssue, RowLabel, RowSink } from '../../nodes/HereBulkJobs/devices/types';
import type { ValidateOptions } from '../../nodes/HereBulkJobs/devices/validate';
import { DeviceValidator } from '../../nodes/HereBulkJobs/devices/validate';

/** One input row before validation: device field names → raw values (only the fields given). */
export interface SourceRow {
	row: number;
	fields: Record<string, unknown>;
	/** The source already reported a problem with this row. */
	flagged?: boolean;
}

export interface SourceRows {
	label: RowLabel;
	rows: SourceRow[];
	issues: RowIssue[];
	fatal: boolean;
}

/** A source's rows before validation (`rows` stays empty when the input as a whole is unusable). */
export async function readRows(source: DeviceSource, options: ReadOptions = {}): Promise<SourceRows> {
	const rows: SourceRow[] = [];
	const sink: RowSink = { issues: [], onRow: (row, fields, flagged) => rows.push(flagged ? { row, fields, flagged } : { row, fields }) };
	const fatal = await readSource(source, options, sink);
	return { label: SOURCE_LABELS[source.type], rows: fatal ? [] : rows, issues: sink.issues, fatal };
}

/** Check rows for a job kind: the valid devices in input order, and every issue. */
export function validateDevices<K extends JobKind>(
	rows: readonly SourceRow[],
	kind: K,
	options: ValidateOptions = {},
): { devices: Array<{ row: number; device: DeviceFor<K> }>; issues: RowIssue[] } {
	const devices: Array<{ row: number; device: DeviceFor<K> }> = [];
	const issues: RowIssue[] = [];
	const validator = new DeviceValidator(kind, options, issues, (row, device) => devices.push({ row, device }));
	for (const { row, fields, flagged } of rows) validator.check(row, fields, flagged === true);
	return { devices, issues };
}
