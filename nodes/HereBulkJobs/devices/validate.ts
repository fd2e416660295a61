/**
 * Type checking and the API's rules for device rows: SourceRows + job kind → normalized wire
 * objects plus every issue found (all rows, all columns), so that one error can list them all.
 *
 * Rules come from the OpenAPI document (HERE Tracking 2.1.191, POST /bulkjobs/v4/deviceUploads).
 * Where it is silent, the decision is written next to the code.
 */
import { randomBytes } from 'crypto';

import * as fieldHelpers from './fields';
import type { ListField } from './fields';
import { rowName } from './report';
import type {
	AddDeviceRow,
	DeleteDeviceRow,
	DeviceFor,
	DeviceRow,
	JobKind,
	RowIssue,
	RowLabel,
	SourceRow,
	ValidatedDevice,
	ValidatedDevices,
} from './types';

// Module-level copies of the helpers (see csv.ts: on-the-fly CommonJS loaders such as tsx make
// every use of an imported binding a getter call).
const {
	ADD_ONLY_FIELDS,
	DELETE_ONLY_FIELDS,
	MAX_AREA_BASED_GEOFENCES,
	MAX_LIST_ITEMS,
	MAX_TEXT_LENGTH,
	describeType,
	exactCopy,
	exceedsLength,
	isUuid,
	readBoolean,
	readNonNegativeNumber,
	showValue,
	splitList,
} = fieldHelpers;

export { formatIssues, issueText, issuesError } from './report';
export { KNOWN_DEVICE_TYPES } from './fields';

export interface ValidateOptions {
	/** How the rows are counted (see RowLabel); default `row` (CSV). */
	label?: RowLabel;
}

/** Where validation is: the issue list and the row being checked. One per call, not per row. */
interface Context {
	kind: JobKind;
	label: RowLabel;
	issues: RowIssue[];
	row: number;
}

/**
 * Check rows for a job kind. Returns the valid devices as normalized wire objects (numbers as
 * numbers, booleans as booleans, text trimmed, lists as arrays, only set fields present) and
 * every issue, in input order. A row with any issue yields no device.
 *
 * Values: `undefined` and `null` mean "not set"; an empty or blank string is an issue (the CSV
 * and items sources already drop empty cells, so this only reaches JSON input, where the API
 * itself would refuse it).
 */
export function validateDevices(
	rows: readonly SourceRow[],
	kind: 'add',
	options?: ValidateOptions,
): ValidatedDevices<AddDeviceRow>;
export function validateDevices(
	rows: readonly SourceRow[],
	kind: 'delete',
	options?: ValidateOptions,
): ValidatedDevices<DeleteDeviceRow>;
export function validateDevices(
	rows: readonly SourceRow[],
	kind: JobKind,
	options?: ValidateOptions,
): ValidatedDevices<DeviceRow>;
export function validateDevices(
	rows: readonly SourceRow[],
	kind: JobKind,
	options: ValidateOptions = {},
): ValidatedDevices<DeviceRow> {
	const validator = new DeviceValidator(kind, options);
	if (rows.length === 0) {
		validator.issues.push({
			row: 0,
			label: options.label ?? 'row',
			whole: true,
			reason: 'there are no devices in the input',
		});
	}
	for (const row of rows) validator.check(row);
	return validator.result();
}

export interface DeviceValidatorOptions<K extends JobKind> extends ValidateOptions {
	/** Append issues here (a source may share its issue list, so that issues stay in row order). */
	issues?: RowIssue[];
	/** Hand each valid device over instead of keeping it (then `result().devices` stays empty). */
	onDevice?: (row: number, device: DeviceFor<K>) => void;
}

/**
 * Validation one row at a time, for sources that stream (CSV): a row can be checked as soon as
 * it is read and then forgotten, so that only the devices stay in memory. Uniqueness (names,
 * identities) is tracked across all rows checked.
 */
export class DeviceValidator<K extends JobKind = JobKind> {
	/** Every issue so far; the array given in the options, if one was (sources may share it). */
	readonly issues: RowIssue[];
	private readonly ctx: Context;
	private readonly devices: Array<ValidatedDevice<DeviceFor<K>>> = [];
	private readonly names = new UniqueIndex();
	private readonly identities = new Identities();

	private readonly onDevice: ((row: number, device: DeviceFor<K>) => void) | undefined;

	constructor(kind: K, options: DeviceValidatorOptions<K> = {}) {
		this.issues = options.issues ?? [];
		this.ctx = { kind, label: options.label ?? 'row', issues: this.issues, row: 0 };
		this.onDevice = options.onDevice;
	}

	check(source: SourceRow): void {
		const ctx = this.ctx;
		ctx.row = source.row;
		const device =
			ctx.kind === 'add'
				? validateAddRow(source.fields, ctx, this.names, this.identities)
				: validateDeleteRow(source.fields, ctx, this.identities);
		if (device === undefined || source.flagged === true) return;
		if (this.onDevice !== undefined) this.onDevice(source.row, device as DeviceFor<K>);
		else this.devices.push({ row: source.row, device: device as DeviceFor<K> });
	}

	result(): ValidatedDevices<DeviceFor<K>> {
		return { devices: this.devices, issues: this.issues };
	}
}

// ---------------------------------------------------------------------------------------------
// Add rows

function validateAddRow(
	f: Record<string, unknown>,
	ctx: Context,
	names: UniqueIndex,
	identities: Identities,
): AddDeviceRow | undefined {
	if (
		f.trackingId !== undefined ||
		f.unclaimOnly !== undefined ||
		f.removeFromConnectorOnly !== undefined
	) {
		wrongKind(f, ctx, DELETE_ONLY_FIELDS, 'delete', 'add');
		return undefined;
	}
	const before = ctx.issues.length;

	const name = readText(f.name, 'name', ctx, true);
	const deviceId = readText(f.deviceId, 'deviceId', ctx, false);
	const externalId = readText(f.externalId, 'externalId', ctx, false);
	const externalDeviceId = readText(f.externalDeviceId, 'externalDeviceId', ctx, false);
	const connectorId = readText(f.connectorId, 'connectorId', ctx, false);

	// Identity: none (a new device is provisioned), deviceId, externalId, or
	// externalDeviceId + connectorId. Presence counts even when the value itself was invalid,
	// so that one mistake does not also produce a misleading "several identities" issue.
	const hasDeviceId = isSet(f.deviceId);
	const hasExternalId = isSet(f.externalId);
	const hasExtDevice = isSet(f.externalDeviceId);
	const hasConnector = isSet(f.connectorId);
	if (hasExtDevice !== hasConnector) {
		add(
			ctx,
			hasExtDevice ? 'connectorId' : 'externalDeviceId',
			hasExtDevice
				? 'is required when externalDeviceId is given (a cloud-to-cloud device needs both)'
				: 'is required when connectorId is given (a cloud-to-cloud device needs both)',
		);
	}
	const identityCount = (hasDeviceId ? 1 : 0) + (hasExternalId ? 1 : 0) + (hasExtDevice || hasConnector ? 1 : 0);
	if (identityCount > 1) {
		const given = [
			hasDeviceId ? 'deviceId' : '',
			hasExternalId ? 'externalId' : '',
			hasExtDevice || hasConnector ? 'externalDeviceId + connectorId' : '',
		].filter((g) => g !== '');
		add(
			ctx,
			undefined,
			`has more than one device identity (${given.join(', ')}); give at most one of deviceId, externalId, or externalDeviceId + connectorId`,
		);
	}

	const sendMs = readNumber(f.sendMs, 'sendMs', ctx);
	const sampleMs = readNumber(f.sampleMs, 'sampleMs', ctx);
	const distanceM = readNumber(f.distanceM, 'distanceM', ctx);
	if (sendMs !== undefined && sampleMs !== undefined && sendMs < sampleMs) {
		// The spec says sendMs "should be equal or greater than sampleMs"; a device that sends
		// more often than it samples is a mistake, so refuse it here.
		add(ctx, 'sendMs', 'must be at least sampleMs', `${sendMs} < ${sampleMs}`);
	}
	const areaBased = readFlag(f.areaBased, 'areaBased', ctx);
	const type = readText(f.type, 'type', ctx, false);
	const tags = readList(f.tags, 'tags', ctx, false);
	const rules = readList(f.rules, 'rules', ctx, true);
	const geofences = readList(f.geofences, 'geofences', ctx, true);
	if (areaBased === true && geofences !== undefined && geofences.length > MAX_AREA_BASED_GEOFENCES) {
		add(
			ctx,
			'areaBased',
			`can be true only for a device with at most ${MAX_AREA_BASED_GEOFENCES} geofences`,
			`${geofences.length} geofences`,
		);
	}

	if (name !== undefined) {
		const first = names.firstRow(name, ctx.row);
		if (first !== undefined)
			add(ctx, 'name', `is used twice in this upload (first in ${rowName(ctx.label, first)}); names must be unique`, showValue(name));
	}
	if (identityCount === 1) identities.check(ctx, deviceId, externalId, connectorId, externalDeviceId);

	if (ctx.issues.length !== before || name === undefined) return undefined;
	const device = new WireObject() as AddDeviceRow;
	device.name = name;
	if (deviceId !== undefined) device.deviceId = deviceId;
	if (externalId !== undefined) device.externalId = externalId;
	if (externalDeviceId !== undefined) device.externalDeviceId = externalDeviceId;
	if (connectorId !== undefined) device.connectorId = connectorId;
	if (sendMs !== undefined) device.sendMs = sendMs;
	if (sampleMs !== undefined) device.sampleMs = sampleMs;
	if (distanceM !== undefined) device.distanceM = distanceM;
	if (areaBased !== undefined) device.areaBased = areaBased;
	if (type !== undefined) device.type = type;
	if (tags !== undefined) device.tags = tags;
	if (rules !== undefined) device.rules = rules;
	if (geofences !== undefined) device.geofences = geofences;
	return device;
}

// ---------------------------------------------------------------------------------------------
// Delete rows

function validateDeleteRow(
	f: Record<string, unknown>,
	ctx: Context,
	identities: Identities,
): DeleteDeviceRow | undefined {
	for (const field of ADD_ONLY_FIELDS) {
		if (f[field] !== undefined) {
			wrongKind(f, ctx, ADD_ONLY_FIELDS, 'add', 'delete');
			return undefined;
		}
	}
	const before = ctx.issues.length;
	const trackingId = readText(f.trackingId, 'trackingId', ctx, false);
	const externalId = readText(f.externalId, 'externalId', ctx, false);
	const connectorId = readText(f.connectorId, 'connectorId', ctx, false);
	const externalDeviceId = readText(f.externalDeviceId, 'externalDeviceId', ctx, false);
	const unclaimOnly = readFlag(f.unclaimOnly, 'unclaimOnly', ctx);
	let removeFromConnectorOnly = readFlag(f.removeFromConnectorOnly, 'removeFromConnectorOnly', ctx);

	const hasTracking = isSet(f.trackingId);
	const hasExternal = isSet(f.externalId);
	const hasExtDevice = isSet(f.externalDeviceId);
	const hasConnector = isSet(f.connectorId);
	const c2c = hasExtDevice || hasConnector;
	if (hasExtDevice !== hasConnector) {
		add(
			ctx,
			hasExtDevice ? 'connectorId' : 'externalDeviceId',
			hasExtDevice
				? 'is required when externalDeviceId is given (a cloud-to-cloud device needs both)'
				: 'is required when connectorId is given (a cloud-to-cloud device needs both)',
		);
	}
	const given: string[] = [];
	if (hasTracking) given.push('trackingId');
	if (hasExternal) given.push('externalId');
	if (c2c) given.push('connectorId + externalDeviceId');
	if (given.length === 0) {
		add(
			ctx,
			undefined,
			'does not say which device to delete: give trackingId, externalId, or connectorId + externalDeviceId',
		);
	} else if (given.length > 1) {
		add(
			ctx,
			undefined,
			`names the device in more than one way (${given.join(', ')}); give exactly one of trackingId, externalId, or connectorId + externalDeviceId`,
		);
	}
	if (removeFromConnectorOnly === true && !c2c) {
		add(
			ctx,
			'removeFromConnectorOnly',
			'can be true only for a cloud-to-cloud device (connectorId + externalDeviceId)',
		);
	} else if (removeFromConnectorOnly === false && !c2c) {
		// false is the default; the API's other variants do not allow the field at all, so drop it.
		removeFromConnectorOnly = undefined;
	}

	if (given.length === 1 && ctx.issues.length === before) {
		identities.check(ctx, trackingId, externalId, connectorId, externalDeviceId);
	}

	if (ctx.issues.length !== before) return undefined;
	const device = new WireObject() as DeleteDeviceRow;
	if (trackingId !== undefined) device.trackingId = trackingId;
	if (externalId !== undefined) device.externalId = externalId;
	if (connectorId !== undefined) device.connectorId = connectorId;
	if (externalDeviceId !== undefined) device.externalDeviceId = externalDeviceId;
	if (unclaimOnly !== undefined) device.unclaimOnly = unclaimOnly;
	if (removeFromConnectorOnly !== undefined) device.removeFromConnectorOnly = removeFromConnectorOnly;
	return device;
}

// ---------------------------------------------------------------------------------------------
// Shared checks

/**
 * Makes the device objects: plain objects (their prototype is Object.prototype and their
 * constructor Object, exactly as for `{}`), but made by `new`, so V8 sizes them for the fields
 * they get. A `{}` has room for four fields and moves the rest to a second, growing array; with
 * 100,000 devices that doubled the cost of building them.
 */
const WireObject = function WireObject(): void {} as unknown as new () => object;
(WireObject as unknown as { prototype: object }).prototype = Object.prototype;

function add(ctx: Context, column: string | undefined, reason: string, value?: string): void {
	const issue: RowIssue = { row: ctx.row, label: ctx.label, reason };
	if (column !== undefined) issue.column = column;
	if (value !== undefined) issue.value = value;
	ctx.issues.push(issue);
}

function isSet(value: unknown): boolean {
	return value !== undefined && value !== null;
}

/** A row of the other job kind: one issue that says so, instead of a pile of follow-on issues. */
function wrongKind(
	f: Record<string, unknown>,
	ctx: Context,
	otherFields: readonly string[],
	rowKind: JobKind,
	jobKind: JobKind,
): void {
	const found = otherFields.filter((field) => f[field] !== undefined);
	add(
		ctx,
		found[0],
		`looks like a device to ${rowKind} (it has ${found.join(', ')}), but this job ${jobKind === 'add' ? 'adds' : 'deletes'} devices: use a ${rowKind === 'add' ? 'create (add devices)' : 'delete devices'} job for it, or leave ${found.length === 1 ? 'that field' : 'those fields'} out`,
	);
}

/**
 * Finds repeated keys (names, identities). A hand-made open-addressing table over typed arrays:
 * it holds row indexes and 32-bit hashes rather than references, so that 100,000 fresh strings
 * cost neither a JS Set's rehashing nor the garbage collector's old-to-new bookkeeping (a Set
 * or Map took a quarter of the time csv-parse needs for the same file). The hash is seeded per
 * process, so that no upload can be crafted to collide.
 */
class UniqueIndex {
	private keys: string[] = [];
	/** Per key: its hash and the row where it was first seen. */
	private hashes: Int32Array = EMPTY;
	private rows: Int32Array = EMPTY;
	/**
	 * slot → 1 + index into keys; 0 = empty. Kept at most half full. Allocated on first use,
	 * large enough for 8,192 keys before it first grows (to 32,768 keys, then 131,072, ...).
	 */
	private table: Int32Array = EMPTY;

	/** The row where `key` was first seen, or undefined (and `key` recorded) if it is new. */
	firstRow(key: string, row: number): number | undefined {
		const hash = hashText(key);
		if (this.table.length === 0) {
			this.table = new Int32Array(16384);
			this.hashes = new Int32Array(8192);
			this.rows = new Int32Array(8192);
		}
		const table = this.table;
		const mask = table.length - 1;
		let slot = hash & mask;
		for (let entry = table[slot]; entry !== 0; entry = table[slot]) {
			const index = entry - 1;
			if (this.hashes[index] === hash && this.keys[index] === key) return this.rows[index];
			slot = (slot + 1) & mask;
		}
		const index = this.keys.length;
		this.keys.push(key);
		if (index === this.hashes.length) {
			this.hashes = grown(this.hashes);
			this.rows = grown(this.rows);
		}
		this.hashes[index] = hash;
		this.rows[index] = row;
		table[slot] = index + 1;
		if ((index + 1) * 2 > table.length) this.grow();
		return undefined;
	}

	/** Four times larger at once: fewer rehashes (each touches every key) for a little more memory. */
	private grow(): void {
		const table = new Int32Array(this.table.length * 4);
		const mask = table.length - 1;
		for (let index = 0; index < this.keys.length; index++) {
			let slot = this.hashes[index] & mask;
			while (table[slot] !== 0) slot = (slot + 1) & mask;
			table[slot] = index + 1;
		}
		this.table = table;
	}
}

const EMPTY = new Int32Array(0);

function grown(array: Int32Array): Int32Array {
	const bigger = new Int32Array(array.length * 2);
	bigger.set(array);
	return bigger;
}

const HASH_SEED = randomBytes(4).readInt32LE(0);

/**
 * FNV-1a over the length and at most 16 UTF-16 code units, the first 4 and the last 12 (names
 * and ids differ at one end or the other; keys with equal hashes are compared in full anyway),
 * seeded, with a final mix so that the low bits spread well.
 */
function hashText(text: string): number {
	const n = text.length;
	let h = Math.imul(0x811c9dc5 ^ HASH_SEED ^ n, 0x01000193);
	const head = n <= 16 ? n : 4;
	for (let i = 0; i < head; i++) {
		h ^= text.charCodeAt(i);
		h = Math.imul(h, 0x01000193);
	}
	for (let i = n <= 16 ? n : n - 12; i < n; i++) {
		h ^= text.charCodeAt(i);
		h = Math.imul(h, 0x01000193);
	}
	h ^= h >>> 16;
	h = Math.imul(h, 0x85ebca6b);
	h ^= h >>> 13;
	return h;
}

/**
 * Device identities seen so far; a device can appear only once in an upload (the second row
 * could not succeed). The first identity is deviceId (add) or trackingId (delete).
 */
class Identities {
	private readonly primary = new UniqueIndex();
	private readonly external = new UniqueIndex();
	private readonly cloud = new UniqueIndex();

	check(
		ctx: Context,
		primaryId: string | undefined,
		externalId: string | undefined,
		connectorId: string | undefined,
		externalDeviceId: string | undefined,
	): void {
		let first: number | undefined;
		let column: string;
		let value: string;
		if (primaryId !== undefined) {
			first = this.primary.firstRow(primaryId, ctx.row);
			column = ctx.kind === 'add' ? 'deviceId' : 'trackingId';
			value = primaryId;
		} else if (externalId !== undefined) {
			first = this.external.firstRow(externalId, ctx.row);
			column = 'externalId';
			value = externalId;
		} else if (connectorId !== undefined && externalDeviceId !== undefined) {
			first = this.cloud.firstRow(`${connectorId}\u0000${externalDeviceId}`, ctx.row);
			column = 'externalDeviceId';
			value = externalDeviceId;
		} else {
			return;
		}
		if (first !== undefined) {
			add(
				ctx,
				column,
				`names the same device as ${rowName(ctx.label, first)}; a device can appear only once in an upload`,
				showValue(value),
			);
		}
	}
}

/**
 * Text of 1-50 characters (code points), trimmed. Numbers are accepted and turned into text (a
 * sheet may hold an id like 12345 as a number).
 */
function readText(value: unknown, column: string, ctx: Context, required: boolean): string | undefined {
	if (value === undefined || value === null) {
		if (required) add(ctx, column, 'is required');
		return undefined;
	}
	let text: string;
	if (typeof value === 'string') {
		text = value;
		const n = text.length;
		if (n === 0 || text.charCodeAt(0) <= 32 || text.charCodeAt(n - 1) <= 32 || n > MAX_TEXT_LENGTH) {
			text = text.trim();
		}
	} else if (typeof value === 'number' && Number.isFinite(value)) {
		text = String(value);
	} else {
		add(ctx, column, `must be text, not ${describeType(value)}`, showValue(value));
		return undefined;
	}
	if (text === '') {
		add(ctx, column, required ? 'is required (it is empty)' : 'is empty: leave it out or give a value');
		return undefined;
	}
	if (exceedsLength(text, MAX_TEXT_LENGTH)) {
		add(ctx, column, `is longer than ${MAX_TEXT_LENGTH} characters`, showValue(text));
		return undefined;
	}
	return text;
}

function readNumber(value: unknown, column: string, ctx: Context): number | undefined {
	if (value === undefined || value === null) return undefined;
	const result = readNonNegativeNumber(value);
	if (typeof result === 'number') return result;
	if (result === 'empty') add(ctx, column, 'is empty: leave it out or give a number');
	else if (result === 'negative') add(ctx, column, 'must be 0 or more', showValue(value));
	else if (typeof value === 'string' || typeof value === 'number')
		add(ctx, column, 'is not a number', showValue(value));
	else add(ctx, column, `must be a number, not ${describeType(value)}`, showValue(value));
	return undefined;
}

function readFlag(value: unknown, column: string, ctx: Context): boolean | undefined {
	if (value === undefined || value === null) return undefined;
	const result = readBoolean(value);
	if (typeof result === 'boolean') return result;
	if (result === 'empty') add(ctx, column, 'is empty: leave it out or give true or false');
	else add(ctx, column, 'must be true or false (or 1 or 0)', showValue(value));
	return undefined;
}

/**
 * A list: an array of text (or numbers), or text separated by `|`, `;` or `,` (see splitList).
 * Entries are trimmed, empty entries dropped, exact duplicates removed (the same tag twice means
 * it once), then at most 10 remain. Rules and geofences must be UUIDs. Tags have no length limit
 * of their own: the OpenAPI document gives none (only `type: string`), so none is invented here.
 */
function readList(value: unknown, column: ListField, ctx: Context, uuids: boolean): string[] | undefined {
	if (value === undefined || value === null) return undefined;
	let list: string[];
	if (typeof value === 'string') {
		list = splitList(value);
		if (list.length === 0) {
			add(ctx, column, 'is empty: leave it out or give a value');
			return undefined;
		}
	} else if (Array.isArray(value)) {
		list = normalizeEntries(value, column, ctx);
		if (list.length === 0) return undefined;
	} else {
		add(ctx, column, `must be a list or text separated by |, not ${describeType(value)}`, showValue(value));
		return undefined;
	}
	if (list.length > 1) list = withoutDuplicates(list);
	let ok = true;
	if (list.length > MAX_LIST_ITEMS) {
		add(ctx, column, `has more than ${MAX_LIST_ITEMS} entries`, `${list.length} ${column}`);
		ok = false;
	}
	if (uuids) {
		for (const entry of list) {
			if (!isUuid(entry)) {
				add(ctx, column, 'must hold only UUIDs', showValue(entry));
				ok = false;
			}
		}
	}
	return ok ? list : undefined;
}

/** Array entries → trimmed text. Keeps the array as it is when nothing needs changing. */
function normalizeEntries(value: unknown[], column: string, ctx: Context): string[] {
	let out: string[] | undefined;
	for (let i = 0; i < value.length; i++) {
		const entry = value[i];
		let text: string | undefined;
		if (typeof entry === 'string') {
			text = entry.trim();
			if (text === entry && text !== '') {
				if (out !== undefined) out.push(text);
				continue;
			}
		} else if (typeof entry === 'number' && Number.isFinite(entry)) {
			text = String(entry);
		} else {
			add(ctx, column, `entries must be text, not ${describeType(entry)}`, showValue(entry));
			text = undefined;
		}
		if (out === undefined) out = (value as string[]).slice(0, i);
		if (text !== undefined && text !== '') out.push(text);
	}
	return out === undefined ? (value as string[]) : exactCopy(out);
}

function withoutDuplicates(list: string[]): string[] {
	if (list.length <= 16) {
		for (let i = 1; i < list.length; i++) {
			if (list.indexOf(list[i]) !== i) return [...new Set(list)];
		}
		return list;
	}
	return [...new Set(list)];
}
