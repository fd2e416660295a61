/**
 * The device fields, declared once. The CSV header vocabulary, the item and JSON key mapping
 * and the validation rules are all derived from this table (limits from the OpenAPI document,
 * HERE Tracking 2.1.191, POST /bulkjobs/v4/deviceUploads).
 */
import { isUuid, showValue, splitList } from './values';

/** Which kind of bulk job the rows are for. The server infers it from the row shape. */
export type JobKind = 'add' | 'delete';

export interface FieldSpec {
	/** text: 1-50 characters; number: 0 or more; flag: true/false; list: up to 10 entries. */
	type: 'text' | 'number' | 'flag' | 'list';
	/** The job kinds whose rows have this field. */
	jobs: readonly JobKind[];
	required?: true;
	/** List entries must be UUIDs. */
	uuids?: true;
	/** A list's one-entry column: `tag:NAME` adds NAME to tags when its cell is 1. */
	prefix?: string;
}

/** In the order messages list them. */
const FIELD_TABLE = {
	trackingId: { type: 'text', jobs: ['delete'] },
	name: { type: 'text', jobs: ['add'], required: true },
	deviceId: { type: 'text', jobs: ['add'] },
	externalId: { type: 'text', jobs: ['add', 'delete'] },
	externalDeviceId: { type: 'text', jobs: ['add', 'delete'] },
	connectorId: { type: 'text', jobs: ['add', 'delete'] },
	sendMs: { type: 'number', jobs: ['add'] },
	sampleMs: { type: 'number', jobs: ['add'] },
	distanceM: { type: 'number', jobs: ['add'] },
	areaBased: { type: 'flag', jobs: ['add'] },
	type: { type: 'text', jobs: ['add'] },
	tags: { type: 'list', jobs: ['add'], prefix: 'tag:' },
	rules: { type: 'list', jobs: ['add'], uuids: true, prefix: 'rule:' },
	geofences: { type: 'list', jobs: ['add'], uuids: true, prefix: 'geofence:' },
	unclaimOnly: { type: 'flag', jobs: ['delete'] },
	removeFromConnectorOnly: { type: 'flag', jobs: ['delete'] },
} as const satisfies Record<string, FieldSpec>;

export type FieldName = keyof typeof FIELD_TABLE;
/** The table with every entry read as a FieldSpec (rules it lacks are undefined), not as its literal shape. */
export const DEVICE_FIELDS: Readonly<Record<FieldName, FieldSpec>> = FIELD_TABLE;

/** A job kind's fields with their types on the wire (the API's JSON), all optional. */
export type DeviceFields<K extends JobKind> = {
	[F in FieldName as K extends (typeof FIELD_TABLE)[F]['jobs'][number] ? F : never]?: WireType[(typeof FIELD_TABLE)[F]['type']];
};
type WireType = { text: string; number: number; flag: boolean; list: string[] };
export type ListField = 'tags' | 'rules' | 'geofences';

const FIELD_NAMES = Object.keys(FIELD_TABLE) as FieldName[];

/** The fields of a job kind's rows, in table order. */
export function fieldsOf(kind: JobKind): FieldName[] {
	return FIELD_NAMES.filter((field) => DEVICE_FIELDS[field].jobs.includes(kind));
}

/**
 * The ways a row can name its device; a row gives at most one (add: none means HERE provisions
 * a new device) or exactly one (delete). A device may appear only once per upload.
 */
export const IDENTITIES: Record<JobKind, ReadonlyArray<readonly FieldName[]>> = {
	add: [['deviceId'], ['externalId'], ['externalDeviceId', 'connectorId']],
	delete: [['trackingId'], ['externalId'], ['externalDeviceId', 'connectorId']],
};

/** Device types the HERE asset application knows (they pick the icon); any other text of 1-50 characters works too. */
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

export const MAX_TEXT_LENGTH = 50;
export const MAX_LIST_ITEMS = 10;
/** `areaBased` may be true only for a device with at most this many geofences. */
export const MAX_AREA_BASED_GEOFENCES = 3;

/** What a CSV header cell or an item key stands for. */
export type KeyTarget =
	| { type: 'field'; field: FieldName }
	/** `tag:NAME`, `rule:UUID`, `geofence:UUID`: a cell of 1 adds `entry` to `list`. */
	| { type: 'entry'; list: ListField; entry: string; prefix: string }
	| { type: 'empty' }
	| { type: 'unknown' };

const FIELD_BY_LOWER_NAME = new Map(FIELD_NAMES.map((field) => [field.toLowerCase(), field]));
const LIST_PREFIXES = FIELD_NAMES.flatMap((field) => {
	const { prefix } = DEVICE_FIELDS[field];
	return prefix === undefined ? [] : [{ prefix, list: field as ListField }];
});

/** Case and surrounding spaces are ignored (`Name`, ` sendms `); a `tag:` name keeps its case. */
export function classifyKey(key: string): KeyTarget {
	const trimmed = key.trim();
	if (trimmed === '') return { type: 'empty' };
	const lower = trimmed.toLowerCase();
	const field = FIELD_BY_LOWER_NAME.get(lower);
	if (field !== undefined) return { type: 'field', field };
	for (const { prefix, list } of LIST_PREFIXES) {
		if (lower.startsWith(prefix)) return { type: 'entry', list, entry: trimmed.slice(prefix.length).trim(), prefix };
	}
	return { type: 'unknown' };
}

/** The allowed columns or item fields, for "unknown column" messages (no angle brackets: n8n's editor would drop them). */
export const ALLOWED_KEYS_TEXT =
	`add: ${fieldsOf('add').join(', ')}, ${LIST_PREFIXES.map(({ prefix, list }) => `${prefix}${DEVICE_FIELDS[list].uuids ? 'UUID' : 'NAME'}`).join(', ')}; ` +
	`delete: ${fieldsOf('delete').join(', ')}`;

/** Why a `tag:`, `rule:` or `geofence:` key cannot be used, or undefined when it can. */
export function entryProblem(target: { list: ListField; entry: string; prefix: string }): { reason: string; value?: string } | undefined {
	const uuids = DEVICE_FIELDS[target.list].uuids === true;
	if (target.entry === '') return { reason: `needs a ${uuids ? 'UUID' : 'tag name'} after "${target.prefix}"` };
	if (uuids && !isUuid(target.entry)) {
		return { reason: `must name a ${target.prefix.slice(0, -1)} by its UUID`, value: showValue(target.entry) };
	}
	return undefined;
}

/**
 * Adds a list's entries (an array, or text split at `|`, `;` or `,`) to `fields[list]`: a `tags`
 * value and `tag:NAME` keys or columns together give all of them. False, adding nothing, for a
 * value that is no list or text without entries. A value already there that is not a list stays
 * for validation to report. Never changes `value`.
 */
export function addToList(fields: Record<string, unknown>, list: ListField, value: unknown): boolean {
	const entries = typeof value === 'string' ? splitList(value) : value;
	if (!Array.isArray(entries) || (typeof value === 'string' && entries.length === 0)) return false;
	const current = fields[list];
	// A copy to add to: the list grows in place (one copy per addition made thousands of tag: columns slow), and `value` stays as given.
	if (current === undefined || typeof current === 'string') fields[list] = [...entries];
	else if (Array.isArray(current)) for (const entry of entries) current.push(entry);
	return true;
}
