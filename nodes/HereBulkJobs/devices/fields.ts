/**
 * The device field catalog and the small value helpers that every source shares: which column or
 * item key means which field, how list cells split, and how values are shown safely in messages.
 * Kept apart from csv.ts/items.ts/validate.ts so that all of them agree on one vocabulary.
 */

/** Fields of an add-device row, in the order messages list them. */
export const ADD_FIELDS = [
	'name',
	'deviceId',
	'externalId',
	'externalDeviceId',
	'connectorId',
	'sendMs',
	'sampleMs',
	'distanceM',
	'areaBased',
	'type',
	'tags',
	'rules',
	'geofences',
] as const;

/** Fields of a delete-device row. */
export const DELETE_FIELDS = [
	'trackingId',
	'externalId',
	'externalDeviceId',
	'connectorId',
	'unclaimOnly',
	'removeFromConnectorOnly',
] as const;

export type AddField = (typeof ADD_FIELDS)[number];
export type DeleteField = (typeof DELETE_FIELDS)[number];
export type FieldName = AddField | DeleteField;
export type ListField = 'tags' | 'rules' | 'geofences';

/** Fields that only an add row has (a delete job that sees them was given add rows). */
export const ADD_ONLY_FIELDS: readonly AddField[] = ADD_FIELDS.filter(
	(f) => !(DELETE_FIELDS as readonly string[]).includes(f),
);
/** Fields that only a delete row has. */
export const DELETE_ONLY_FIELDS: readonly DeleteField[] = DELETE_FIELDS.filter(
	(f) => !(ADD_FIELDS as readonly string[]).includes(f),
);

/**
 * Device types the HERE asset application knows (they change the icon). Any other text of
 * 1-50 characters is allowed too.
 */
export const KNOWN_DEVICE_TYPES = [
	'Phone',
	'Heavy Machinery',
	'Tracker',
	'Airport / Air Cargo',
	'Warehouse',
	'Returnable / Reusable',
	'Generic',
	'Hospital',
] as const;

/** Limits from the OpenAPI document (maxLength 50 on every string, maxItems 10 on every list). */
export const MAX_TEXT_LENGTH = 50;
export const MAX_LIST_ITEMS = 10;
/** `areaBased` may be true only when the device has at most this many geofences. */
export const MAX_AREA_BASED_GEOFENCES = 3;

const FIELD_BY_LOWER_NAME: ReadonlyMap<string, FieldName> = new Map(
	[...ADD_FIELDS, ...DELETE_FIELDS].map((f): [string, FieldName] => [f.toLowerCase(), f]),
);

const PREFIXES: ReadonlyArray<readonly [string, ListField]> = [
	['tag:', 'tags'],
	['rule:', 'rules'],
	['geofence:', 'geofences'],
];

/**
 * The `fields` of a SourceRow: every device field, `undefined` when not set. Every source builds
 * rows with `emptyFields()`, so that all rows share one object shape, which keeps reading them in
 * validate.ts fast (V8 inline caches stay monomorphic).
 */
export type DeviceFields = { [F in FieldName]: unknown };

export function emptyFields(): DeviceFields {
	return {
		name: undefined,
		deviceId: undefined,
		externalId: undefined,
		externalDeviceId: undefined,
		connectorId: undefined,
		sendMs: undefined,
		sampleMs: undefined,
		distanceM: undefined,
		areaBased: undefined,
		type: undefined,
		tags: undefined,
		rules: undefined,
		geofences: undefined,
		trackingId: undefined,
		unclaimOnly: undefined,
		removeFromConnectorOnly: undefined,
	};
}

/** Set every field back to "not set", to reuse a fields object for the next row. */
export function clearFields(fields: DeviceFields): DeviceFields {
	fields.name = undefined;
	fields.deviceId = undefined;
	fields.externalId = undefined;
	fields.externalDeviceId = undefined;
	fields.connectorId = undefined;
	fields.sendMs = undefined;
	fields.sampleMs = undefined;
	fields.distanceM = undefined;
	fields.areaBased = undefined;
	fields.type = undefined;
	fields.tags = undefined;
	fields.rules = undefined;
	fields.geofences = undefined;
	fields.trackingId = undefined;
	fields.unclaimOnly = undefined;
	fields.removeFromConnectorOnly = undefined;
	return fields;
}

/** Every field in a fixed order: a field's position is its id for `setFieldById`. */
export const ALL_FIELDS: readonly FieldName[] = [...ADD_FIELDS, 'trackingId', 'unclaimOnly', 'removeFromConnectorOnly'];

/**
 * `fields[ALL_FIELDS[id]] = value` without a keyed store: a switch over small integers (a jump
 * table) is several times faster when the field varies from call to call, as in the CSV
 * reader's inner loop.
 */
export function setFieldById(fields: DeviceFields, id: number, value: unknown): void {
	switch (id) {
		case 0:
			fields.name = value;
			break;
		case 1:
			fields.deviceId = value;
			break;
		case 2:
			fields.externalId = value;
			break;
		case 3:
			fields.externalDeviceId = value;
			break;
		case 4:
			fields.connectorId = value;
			break;
		case 5:
			fields.sendMs = value;
			break;
		case 6:
			fields.sampleMs = value;
			break;
		case 7:
			fields.distanceM = value;
			break;
		case 8:
			fields.areaBased = value;
			break;
		case 9:
			fields.type = value;
			break;
		case 10:
			fields.tags = value;
			break;
		case 11:
			fields.rules = value;
			break;
		case 12:
			fields.geofences = value;
			break;
		case 13:
			fields.trackingId = value;
			break;
		case 14:
			fields.unclaimOnly = value;
			break;
		case 15:
			fields.removeFromConnectorOnly = value;
			break;
	}
}

/** What one CSV header cell or item key stands for. */
export type KeyTarget =
	| { type: 'field'; field: FieldName }
	/** `tag:<name>`, `rule:<uuid>`, `geofence:<uuid>`: a cell of 1 adds `entry` to `list`. */
	| { type: 'entry'; list: ListField; entry: string; prefix: string }
	| { type: 'empty' }
	| { type: 'unknown' };

/**
 * Classify a header cell or item key. Matching is case-insensitive and ignores surrounding
 * spaces (`Name`, ` sendms ` both work); a `tag:` name keeps its case.
 */
export function classifyKey(key: string): KeyTarget {
	const trimmed = key.trim();
	if (trimmed === '') return { type: 'empty' };
	const lower = trimmed.toLowerCase();
	const field = FIELD_BY_LOWER_NAME.get(lower);
	if (field !== undefined) return { type: 'field', field };
	for (const [prefix, list] of PREFIXES) {
		if (lower.startsWith(prefix)) {
			return { type: 'entry', list, entry: trimmed.slice(prefix.length).trim(), prefix };
		}
	}
	return { type: 'unknown' };
}

/** The allowed columns (CSV) or item fields, for "unknown column" messages. */
export const ALLOWED_KEYS_TEXT =
	`add: ${ADD_FIELDS.join(', ')}, tag:<name>, rule:<uuid>, geofence:<uuid>; ` +
	`delete: ${DELETE_FIELDS.join(', ')}`;

// ---------------------------------------------------------------------------------------------
// Value helpers (no per-call regex compilation: every pattern is compiled once here).

const DECIMAL = /^\+?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const NEGATIVE_DECIMAL = /^-(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Split a list cell or string (`tags`, `rules`, `geofences`). Separators: `|` (HERE's CSV
 * description), `;` (HERE's own CSV example 2 writes `Priority1;Important`) and `,` (the usual
 * separator in a sheet cell). Entries are trimmed and empty entries dropped. A tag that itself
 * contains one of these characters can be given as a `tag:<name>` column or a JSON array.
 */
export function splitList(text: string): string[] {
	const out: string[] = [];
	const n = text.length;
	let start = 0;
	for (let i = 0; i <= n; i++) {
		const c = i === n ? 124 : text.charCodeAt(i);
		if (c !== 124 && c !== 59 && c !== 44) continue; // | ; ,
		if (i > start) {
			let entry = start === 0 && i === n ? text : text.slice(start, i);
			if (entry.charCodeAt(0) <= 32 || entry.charCodeAt(entry.length - 1) <= 32) entry = entry.trim();
			if (entry !== '') out.push(entry);
		}
		start = i + 1;
	}
	return exactCopy(out);
}

/**
 * A copy of `list` that takes exactly the memory its entries need. Arrays grown by `push` keep
 * room for 16 more entries; a list kept for every device (100,000 of them) should not.
 */
export function exactCopy(list: readonly string[]): string[] {
	const n = list.length;
	if (n === 1) return [list[0]];
	if (n === 2) return [list[0], list[1]];
	if (n === 3) return [list[0], list[1], list[2]];
	return list.slice();
}

/** 1 for the ASCII hex digits; every other code (and any index past 127) reads as not 1. */
const HEX = new Uint8Array(128);
for (const c of '0123456789abcdefABCDEF') HEX[c.charCodeAt(0)] = 1;

/** 8-4-4-4-12 hex digits, any case, any version (the spec says only `format: uuid`). */
export function isUuid(text: string): boolean {
	if (
		text.length !== 36 ||
		text.charCodeAt(8) !== 45 ||
		text.charCodeAt(13) !== 45 ||
		text.charCodeAt(18) !== 45 ||
		text.charCodeAt(23) !== 45
	) {
		return false;
	}
	for (let i = 0; i < 36; i++) {
		if (HEX[text.charCodeAt(i)] !== 1 && i !== 8 && i !== 13 && i !== 18 && i !== 23) return false;
	}
	return true;
}

/** Outcome of reading a number: the number, or why not. */
export type NumberResult = number | 'empty' | 'not-a-number' | 'negative';

/**
 * A non-negative finite number, given as a number or as a plain decimal string (`12`, `0.5`,
 * `1e3`, surrounding spaces allowed). Refused: `''`, `12abc`, `0x10`, `1,000`, `Infinity`,
 * negative values.
 */
export function readNonNegativeNumber(value: unknown): NumberResult {
	let n: number;
	if (typeof value === 'number') {
		n = value;
	} else if (typeof value === 'string') {
		const digits = plainDigits(value);
		if (digits !== -1) return digits;
		const text = value.trim();
		if (text === '') return 'empty';
		if (!DECIMAL.test(text)) return NEGATIVE_DECIMAL.test(text) ? 'negative' : 'not-a-number';
		n = Number(text);
	} else {
		return 'not-a-number';
	}
	if (!Number.isFinite(n)) return 'not-a-number';
	if (n < 0) return 'negative';
	return n === 0 ? 0 : n; // turn -0 into 0
}

/** The value of a string of 1-15 ASCII digits (the common case, read without a regex), else -1. */
function plainDigits(text: string): number {
	const n = text.length;
	if (n === 0 || n > 15) return -1;
	let value = 0;
	for (let i = 0; i < n; i++) {
		const digit = text.charCodeAt(i) - 48;
		if (digit < 0 || digit > 9) return -1;
		value = value * 10 + digit;
	}
	return value;
}

/** Outcome of reading a boolean flag. */
export type BooleanResult = boolean | 'empty' | 'invalid';

/**
 * Boolean flags accept `true`/`false`, `1`/`0` as booleans, numbers or strings (case and
 * surrounding spaces ignored). Deliberately not `yes`/`no`/`x`: HERE's CSV description names
 * only `true`/`1`, and guessing more invites silent mistakes.
 */
export function readBoolean(value: unknown): BooleanResult {
	if (value === true || value === 1) return true;
	if (value === false || value === 0) return false;
	if (typeof value !== 'string') return 'invalid';
	if (value === '1') return true;
	if (value === '0') return false;
	const text = value.trim().toLowerCase();
	if (text === '') return 'empty';
	if (text === 'true' || text === '1') return true;
	if (text === 'false' || text === '0') return false;
	return 'invalid';
}

/**
 * Length in Unicode code points (what JSON Schema's maxLength counts), computed only when
 * the UTF-16 length alone cannot decide.
 */
export function exceedsLength(text: string, max: number): boolean {
	if (text.length <= max) return false;
	let count = 0;
	for (let i = 0; i < text.length; i++) {
		const c = text.charCodeAt(i);
		// a high surrogate followed by a low surrogate is one code point
		if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
			const d = text.charCodeAt(i + 1);
			if (d >= 0xdc00 && d <= 0xdfff) i++;
		}
		if (++count > max) return true;
	}
	return false;
}

const MAX_SHOWN = 40;

/**
 * A value made safe for a message: strings with control characters replaced and cut to 40
 * characters, numbers and booleans as text; undefined for anything else (objects, arrays), for
 * which the reason says what was found instead. Only values of known device fields are shown
 * (none of them is a secret); values of unknown columns or keys (which could be anything, a
 * `deviceSecret` or a password) never are.
 */
export function showValue(value: unknown): string | undefined {
	let text: string;
	if (typeof value === 'string') text = value;
	else if (typeof value === 'number' || typeof value === 'boolean') text = String(value);
	else return undefined;
	return printable(text, MAX_SHOWN);
}

/** A column or key name made safe to show (control characters replaced, cut to 60). */
export function showName(name: string): string {
	return printable(name, 60);
}

/** Cut to `max` characters (with …) and replace control and line-separator characters by spaces. */
function printable(text: string, max: number): string {
	let cut = text;
	if (text.length > max) {
		const high = text.charCodeAt(max - 2);
		// never cut between the two halves of a surrogate pair
		cut = `${text.slice(0, high >= 0xd800 && high <= 0xdbff ? max - 2 : max - 1)}…`;
	}
	let out = '';
	let start = 0;
	for (let i = 0; i < cut.length; i++) {
		const c = cut.charCodeAt(i);
		if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c === 0x2028 || c === 0x2029) {
			out += `${cut.slice(start, i)} `;
			start = i + 1;
		}
	}
	return start === 0 ? cut : out + cut.slice(start);
}

/** What a value is, for "expected text, got …" messages. */
export function describeType(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'a list';
	switch (typeof value) {
		case 'object':
			return 'an object';
		case 'string':
			return 'text';
		case 'number':
			return 'a number';
		case 'boolean':
			return 'true/false';
		default:
			return typeof value;
	}
}
