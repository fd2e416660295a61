/**
 * Types of the device pipeline: rows in (CSV, JSON array, n8n items) → validated devices out.
 * The device shapes are the JSON body of `POST /bulkjobs/v4/deviceUploads` ("Add devices",
 * "Delete devices"): validated devices are sent as they are.
 */
import type { INode } from 'n8n-workflow';

import type { DeviceFields, JobKind } from './fields';

export type { JobKind } from './fields';

/** One device to add (unprovisioned, provisioned, virtual or cloud-to-cloud): the add fields of fields.ts's table. */
export type AddDeviceRow = DeviceFields<'add'> & { name: string };
/** One device to delete (tracking id, virtual device, or cloud-to-cloud variant). */
export type DeleteDeviceRow = DeviceFields<'delete'>;
export type DeviceRow = AddDeviceRow | DeleteDeviceRow;

export type DeviceFor<K extends JobKind> = K extends 'add' ? AddDeviceRow : DeleteDeviceRow;

/**
 * How a source counts its rows, as the user counts them: `row` is the line of a CSV file where
 * the record starts (the header is row 1); `item` an n8n item index and `element` a JSON array
 * index, both from 0.
 */
export type RowLabel = 'row' | 'item' | 'element';

/** A problem with the input. Problems of the input as a whole have `row: 0` and `whole: true`. */
export interface RowIssue {
	row: number;
	label: RowLabel;
	/** The column (CSV) or field (items, JSON) the problem is in, if it is in one. */
	column?: string;
	/** What is wrong, phrased to follow the column name. */
	reason: string;
	/** The offending value made printable (see showValue); never set for unknown columns, which may hold secrets. */
	value?: string;
	whole?: true;
}

/**
 * Where a source puts what it reads, as it reads it: problems into `issues`, rows to `onRow`
 * (`flagged` when the source already reported a problem with the row: it is validated, but yields no device).
 */
export interface RowSink {
	issues: RowIssue[];
	onRow: (row: number, fields: Record<string, unknown>, flagged: boolean) => void;
	/** Set by the source when it holds more rows than `maxRows` allows (it then stops reading). */
	overLimit?: boolean;
}

/** The most device rows one source (and, in Create, one node run) reads. */
export const DEFAULT_MAX_ROWS = 1_000_000;

export interface ReadOptions {
	/** Most devices accepted from this source; default DEFAULT_MAX_ROWS. */
	maxRows?: number;
	/** Longest CSV record accepted, in bytes of UTF-8; default 65,536 (64 KiB). */
	maxRecordLength?: number;
	/** Items and JSON: leave out fields that are not device fields instead of reporting them. */
	ignoreUnknownFields?: boolean;
	/** The node, for NodeOperationErrors (`this.getNode()`). */
	node?: INode;
}
