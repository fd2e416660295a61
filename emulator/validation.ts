import { ANY_UUID } from './ids';
import type { AddRow, DeleteRow } from './types';

/**
 * Row rules from the spec's request-body oneOf schemas (additionalProperties: false) plus the
 * notes' rules. Rows arrive as JSON values (CSV rows are converted to the same shape first), so
 * one validator serves both formats. Hand-written rather than ajv: the error must name the field
 * and say what is wrong, and a oneOf failure from ajv says neither.
 */

export const MAX_LIST_ITEMS = 10;
export const MAX_AREA_BASED_GEOFENCES = 3;

/** A problem with one row; the upload parser adds the row number. */
export class RowError extends Error {
	constructor(
		readonly field: string | undefined,
		message: string,
	) {
		super(message);
	}
}

const SHARED_IDENTITY = ['externalId', 'externalDeviceId', 'connectorId'] as const;
const ADD_ONLY = ['name', 'deviceId', 'sendMs', 'sampleMs', 'distanceM', 'areaBased', 'type', 'tags', 'rules', 'geofences'] as const;
const DELETE_ONLY = ['trackingId', 'unclaimOnly', 'removeFromConnectorOnly'] as const;
const ADD_KEYS: ReadonlySet<string> = new Set([...ADD_ONLY, ...SHARED_IDENTITY]);
const DELETE_KEYS: ReadonlySet<string> = new Set([...DELETE_ONLY, ...SHARED_IDENTITY]);
const ADD_ONLY_KEYS: ReadonlySet<string> = new Set(ADD_ONLY);
const DELETE_ONLY_KEYS: ReadonlySet<string> = new Set(DELETE_ONLY);

export type RowKind = 'add' | 'delete';
export type RawRow = Record<string, unknown>;

export function asRawRow(value: unknown): RawRow {
	if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new RowError(undefined, 'each device must be a JSON object');
	return value as RawRow;
}

/**
 * The job type is not a parameter: the server infers it from the row shape. A row with any
 * add-only field is an add, with any delete-only field a delete. A row naming only an identity
 * (`externalId`, `externalDeviceId` + `connectorId`) or nothing known fits either: undefined,
 * and it takes the upload's kind.
 */
export function classify(row: RawRow): RowKind | undefined {
	const { add, del } = kindFields(row);
	if (add !== undefined && del !== undefined) {
		throw new RowError(del, `mixes add-device fields (${add}) and delete-device fields (${del})`);
	}
	return add !== undefined ? 'add' : del !== undefined ? 'delete' : undefined;
}

/**
 * What a value's fields say it is, without judging it: a value that is not an object, or a row
 * with fields of both kinds, says nothing here (each is refused when its turn comes). This lets
 * the upload's kind be known before the rows are validated in order.
 */
export function kindOf(value: unknown): RowKind | undefined {
	if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
	const { add, del } = kindFields(value as RawRow);
	if (add !== undefined && del !== undefined) return undefined;
	return add !== undefined ? 'add' : del !== undefined ? 'delete' : undefined;
}

/** The first add-only and the first delete-only field of a row, if any. */
function kindFields(row: RawRow): { add?: string; del?: string } {
	let add: string | undefined;
	let del: string | undefined;
	for (const key of Object.keys(row)) {
		if (ADD_ONLY_KEYS.has(key)) add ??= key;
		else if (DELETE_ONLY_KEYS.has(key)) del ??= key;
	}
	return { add, del };
}

export function validateAddRow(row: RawRow): AddRow {
	rejectUnknown(row, ADD_KEYS, 'an add-device row');
	const out: AddRow = { kind: 'add', name: requiredString(row, 'name', 50) };
	const deviceId = optionalString(row, 'deviceId', 50);
	const externalId = optionalString(row, 'externalId', 50);
	const externalDeviceId = optionalString(row, 'externalDeviceId', 50);
	const connectorId = optionalString(row, 'connectorId', 50);
	checkC2cPair(externalDeviceId, connectorId);
	const identities = [deviceId, externalId, externalDeviceId].filter((v) => v !== undefined).length;
	if (identities > 1) {
		throw new RowError(
			deviceId !== undefined ? 'deviceId' : 'externalId',
			'at most one identity is allowed: deviceId, externalId, or externalDeviceId with connectorId',
		);
	}
	if (deviceId !== undefined) out.deviceId = deviceId;
	if (externalId !== undefined) out.externalId = externalId;
	if (externalDeviceId !== undefined && connectorId !== undefined) {
		out.externalDeviceId = externalDeviceId;
		out.connectorId = connectorId;
	}
	for (const field of ['sendMs', 'sampleMs', 'distanceM'] as const) {
		const value = row[field];
		if (value === undefined) continue;
		if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new RowError(field, 'must be a number greater than or equal to 0');
		out[field] = value;
	}
	const areaBased = optionalBoolean(row, 'areaBased');
	const type = optionalString(row, 'type', 50);
	if (type !== undefined) out.type = type;
	const tags = optionalList(row, 'tags', (v) => typeof v === 'string', 'a string');
	const rules = optionalList(row, 'rules', isUuid, 'a UUID');
	const geofences = optionalList(row, 'geofences', isUuid, 'a UUID');
	if (tags) out.tags = tags;
	if (rules) out.rules = rules;
	if (geofences) out.geofences = geofences;
	if (areaBased !== undefined) {
		if (areaBased && (geofences?.length ?? 0) > MAX_AREA_BASED_GEOFENCES) {
			throw new RowError('areaBased', `area based mode is only allowed with at most ${MAX_AREA_BASED_GEOFENCES} geofences`);
		}
		out.areaBased = areaBased;
	}
	return out;
}

export function validateDeleteRow(row: RawRow): DeleteRow {
	rejectUnknown(row, DELETE_KEYS, 'a delete-device row');
	const trackingId = optionalString(row, 'trackingId', 50);
	const externalId = optionalString(row, 'externalId', 50);
	const externalDeviceId = optionalString(row, 'externalDeviceId', 50);
	const connectorId = optionalString(row, 'connectorId', 50);
	checkC2cPair(externalDeviceId, connectorId);
	const identities = [trackingId, externalId, externalDeviceId].filter((v) => v !== undefined).length;
	if (identities === 0) throw new RowError(undefined, 'a delete-device row needs trackingId, externalId, or externalDeviceId with connectorId');
	if (identities > 1) throw new RowError('trackingId', 'exactly one identity is allowed: trackingId, externalId, or externalDeviceId with connectorId');
	const removeFromConnectorOnly = optionalBoolean(row, 'removeFromConnectorOnly');
	// Only the C2C variant of the schema has this property at all, so even `false` is refused elsewhere.
	if (removeFromConnectorOnly !== undefined && externalDeviceId === undefined) {
		throw new RowError('removeFromConnectorOnly', 'is only allowed for cloud-to-cloud devices (externalDeviceId with connectorId)');
	}
	const out: DeleteRow = { kind: 'delete', unclaimOnly: optionalBoolean(row, 'unclaimOnly') ?? false, removeFromConnectorOnly: removeFromConnectorOnly ?? false };
	if (trackingId !== undefined) out.trackingId = trackingId;
	if (externalId !== undefined) out.externalId = externalId;
	if (externalDeviceId !== undefined) out.externalDeviceId = externalDeviceId;
	if (connectorId !== undefined) out.connectorId = connectorId;
	return out;
}

/** JSON Schema's maxLength counts characters (code points), not UTF-16 units: an emoji is one. */
export function tooLong(value: string, maxLength: number): boolean {
	return value.length > maxLength && [...value].length > maxLength;
}

export function isUuid(value: unknown): boolean {
	return typeof value === 'string' && ANY_UUID.test(value);
}

function rejectUnknown(row: RawRow, allowed: ReadonlySet<string>, what: string): void {
	for (const key of Object.keys(row)) {
		if (!allowed.has(key)) throw new RowError(key, `unknown field for ${what}`);
	}
}

function checkC2cPair(externalDeviceId: string | undefined, connectorId: string | undefined): void {
	if ((externalDeviceId === undefined) !== (connectorId === undefined)) {
		throw new RowError(externalDeviceId === undefined ? 'externalDeviceId' : 'connectorId', 'externalDeviceId and connectorId must be given together');
	}
}

function requiredString(row: RawRow, field: string, maxLength: number): string {
	const value = optionalString(row, field, maxLength);
	if (value === undefined) throw new RowError(field, 'is required');
	return value;
}

function optionalString(row: RawRow, field: string, maxLength: number): string | undefined {
	const value = row[field];
	if (value === undefined) return undefined;
	if (typeof value !== 'string') throw new RowError(field, 'must be a string');
	if (value.length < 1 || tooLong(value, maxLength)) throw new RowError(field, `must be 1-${maxLength} characters long`);
	return value;
}

function optionalBoolean(row: RawRow, field: string): boolean | undefined {
	const value = row[field];
	if (value === undefined) return undefined;
	if (typeof value !== 'boolean') throw new RowError(field, 'must be a boolean (true or false)');
	return value;
}

function optionalList(row: RawRow, field: string, isItem: (v: unknown) => boolean, itemName: string): string[] | undefined {
	const value = row[field];
	if (value === undefined) return undefined;
	if (!Array.isArray(value)) throw new RowError(field, 'must be an array');
	if (value.length > MAX_LIST_ITEMS) throw new RowError(field, `at most ${MAX_LIST_ITEMS} items are allowed (got ${value.length})`);
	for (const item of value) {
		if (!isItem(item)) throw new RowError(field, `every item must be ${itemName} (got ${JSON.stringify(item)})`);
	}
	return value as string[];
}
