/**
 * Wire and pipeline types for device uploads (rows in → validated device batches out).
 *
 * The device shapes mirror the JSON request body of `POST /bulkjobs/v4/deviceUploads`
 * (HERE Tracking 2.1.191, "Add devices" and "Delete devices"); the normalized objects that
 * `validate.ts` produces can be sent as that body unchanged.
 */

/** Which kind of bulk job the rows are for. The server infers it from the row shape. */
export type JobKind = 'add' | 'delete';

/** One device to add (any of the four variants: unprovisioned, provisioned, virtual, cloud-to-cloud). */
export interface AddDeviceRow {
	name: string;
	deviceId?: string;
	externalId?: string;
	externalDeviceId?: string;
	connectorId?: string;
	sendMs?: number;
	sampleMs?: number;
	distanceM?: number;
	areaBased?: boolean;
	type?: string;
	tags?: string[];
	rules?: string[];
	geofences?: string[];
}

/** One device to delete (tracking id, virtual device, or cloud-to-cloud variant). */
export interface DeleteDeviceRow {
	trackingId?: string;
	externalId?: string;
	connectorId?: string;
	externalDeviceId?: string;
	unclaimOnly?: boolean;
	removeFromConnectorOnly?: boolean;
}

export type DeviceRow = AddDeviceRow | DeleteDeviceRow;

/** The device type for a job kind. */
export type DeviceFor<K extends JobKind> = K extends 'add' ? AddDeviceRow : DeleteDeviceRow;

/**
 * How a source counts its rows, so that messages read the way the user counts:
 * - `row`: CSV, the 1-based line number in the file where the record starts (the header is row 1);
 * - `item`: n8n items, the 0-based item index as n8n shows it;
 * - `element`: a JSON array, the 0-based array index.
 */
export type RowLabel = 'row' | 'item' | 'element';

/**
 * A problem with the input. `row` is counted as `label` says. Issues about the input as a whole
 * (empty file, not an array, unclosed quote at the end, ...) have `row: 0` and `whole: true`.
 */
export interface RowIssue {
	row: number;
	label: RowLabel;
	/** The column (CSV) or field (items, JSON) the problem is in, if it is in one. */
	column?: string;
	/** What is wrong, phrased so that it can follow the column name. */
	reason: string;
	/**
	 * The offending value, already made safe to show: truncated, control characters replaced,
	 * never set for unknown or secret-like columns.
	 */
	value?: string;
	/** The issue concerns the whole input rather than one row. */
	whole?: true;
}

/** One input row before type checking: canonical field names → raw values. */
export interface SourceRow {
	/** Counted as the source's `label` says (see RowLabel). */
	row: number;
	/**
	 * Keys are canonical device field names (`name`, `sendMs`, `tags`, ...); `undefined` or
	 * `null` means "not set" (the sources create every field, see `emptyFields`). The sources map
	 * `tag:<name>`/`rule:<uuid>`/`geofence:<uuid>` columns into `tags`/`rules`/`geofences` and flag
	 * unknown keys; values are left for `validate.ts` to check.
	 */
	fields: Record<string, unknown>;
	/**
	 * The source already reported a problem with this row (a bad `tag:` cell, an unknown item
	 * field): validation still checks it, to report every problem at once, but yields no device.
	 */
	flagged?: boolean;
}

/** What a source (CSV, JSON, items) hands to validation. */
export interface SourceRows {
	label: RowLabel;
	rows: SourceRow[];
	issues: RowIssue[];
	/**
	 * The input as a whole cannot be used (bad header, broken quoting, binary data, too many
	 * rows, ...): `rows` is empty and nothing from this input may be uploaded.
	 */
	fatal: boolean;
}

/** A validated device with the source row it came from. */
export interface ValidatedDevice<T> {
	row: number;
	device: T;
}

export interface ValidatedDevices<T> {
	/** Valid devices only, in input order. */
	devices: Array<ValidatedDevice<T>>;
	/** Every problem found, in input order (all rows, all columns). */
	issues: RowIssue[];
}
