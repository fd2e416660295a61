/**
 * Validation: device rows + job kind → the API's wire objects (numbers as numbers, flags as
 * booleans, text trimmed, lists as arrays, only the fields given) and every problem found (all
 * rows, all fields), so that one error can list them all. A row with any problem yields no device.
 * Per-field rules come from the table in fields.ts; the rules between fields are written here.
 */
import type { FieldName, FieldSpec, ListField } from './fields';
import { DEVICE_FIELDS, fieldsOf, IDENTITIES, MAX_AREA_BASED_GEOFENCES, MAX_LIST_ITEMS, MAX_TEXT_LENGTH } from './fields';
import { rowIssue, rowName } from './report';
import type { Place } from './seen';
import { SeenDevices } from './seen';
import type { DeviceFor, JobKind, RowIssue, RowLabel } from './types';
import { describeType, exceedsLength, isUuid, readBoolean, readNonNegativeNumber, showValue, splitList } from './values';

export interface ValidateOptions {
	/** How rows are counted (see RowLabel); default `row` (CSV). */
	label?: RowLabel;
	/** Keys seen earlier in this node run (other sources); default: only this call's rows. */
	seen?: SeenDevices;
	/** This source's name in messages about keys seen in another source ("input item 1"). */
	sourceName?: string;
	/**
	 * Fields the user's settings require of row `row`, each with the reason to report when it is
	 * missing. Define Below's Device Variant uses it: a virtual device whose External ID came out
	 * empty would otherwise go out as a name alone, and HERE would make a new device of it.
	 */
	requiredFields?: (row: number) => readonly RequiredField[] | undefined;
}

export interface RequiredField {
	field: FieldName;
	/** Phrased to follow the field name, e.g. "is required for a Virtual Device (…)". */
	reason: string;
}

/** Checks rows one at a time, so that a streamed source keeps only the devices in memory. */
export class DeviceValidator<K extends JobKind> {
	private readonly label: RowLabel;
	private readonly seen: SeenDevices;
	/** The fields of this job kind's rows, each with its rules (looked up once, not per row). */
	private readonly fields: Array<[FieldName, FieldSpec]>;
	private readonly otherFields: FieldName[];
	/** The row being checked, for `problem`. */
	private row = 0;

	constructor(
		private readonly kind: K,
		private readonly options: ValidateOptions,
		private readonly issues: RowIssue[],
		private readonly onDevice: (row: number, device: DeviceFor<K>) => void,
	) {
		this.label = options.label ?? 'row';
		this.seen = options.seen ?? new SeenDevices();
		const fields = fieldsOf(kind);
		this.fields = fields.map((field) => [field, DEVICE_FIELDS[field]]);
		this.otherFields = fieldsOf(kind === 'add' ? 'delete' : 'add').filter((field) => !fields.includes(field));
	}

	/** Checks one row; a `flagged` row (the source found a problem in it) yields no device either way. */
	check(row: number, fields: Record<string, unknown>, flagged: boolean): void {
		const before = this.issues.length;
		this.row = row;
		if (this.isOtherKind(fields)) return;
		const device: Record<string, unknown> = {};
		for (const [field, spec] of this.fields) {
			const value = this.readField(field, spec, fields[field]);
			if (value !== undefined) device[field] = value;
		}
		const identity = this.identity(fields, this.missingRequired(row, fields));
		this.checkBetweenFields(device, identity);
		this.checkUnique(device, identity);
		if (this.issues.length === before && !flagged) this.onDevice(row, device as unknown as DeviceFor<K>);
	}

	/** Records a problem of the current row (the value readers report through it too). */
	problem(column: string | undefined, reason: string, value?: string): void {
		this.issues.push(rowIssue(this.row, this.label, reason, column, value));
	}

	/** A row of the other job kind gets one issue that says so, rather than a pile of follow-on issues. */
	private isOtherKind(fields: Record<string, unknown>): boolean {
		const found = this.otherFields.filter((field) => isSet(fields[field]));
		if (found.length === 0) return false;
		const [rowKind, job, use] = this.kind === 'add' ? ['delete', 'adds', 'delete devices'] : ['add', 'deletes', 'create (add devices)'];
		const those = found.length === 1 ? 'that field' : 'those fields';
		this.problem(found[0], `looks like a device to ${rowKind} (it has ${found.join(', ')}), but this job ${job} devices: use a ${use} job for it, or leave ${those} out`);
		return true;
	}

	/** Reports the fields the settings require of this row that it lacks (see requiredFields); returns them. */
	private missingRequired(row: number, fields: Record<string, unknown>): Set<FieldName> {
		const missing = new Set<FieldName>();
		for (const { field, reason } of this.options.requiredFields?.(row) ?? []) {
			if (isSet(fields[field])) continue;
			this.problem(field, reason);
			missing.add(field);
		}
		return missing;
	}

	/**
	 * The one way the row names its device (see IDENTITIES), or undefined. Presence counts even
	 * for an invalid value, so that one mistake does not also bring a misleading follow-on issue;
	 * a field already reported as missing (`reported`) is not reported again.
	 */
	private identity(fields: Record<string, unknown>, reported: ReadonlySet<FieldName>): readonly FieldName[] | undefined {
		const groups = IDENTITIES[this.kind];
		const given: Array<readonly FieldName[]> = [];
		for (const group of groups) {
			const [first, second] = group;
			const hasFirst = isSet(fields[first]);
			const hasSecond = second !== undefined && isSet(fields[second]);
			if (!hasFirst && !hasSecond) continue;
			given.push(group);
			if (second !== undefined && hasFirst !== hasSecond) {
				const [missing, other] = hasFirst ? [second, first] : [first, second];
				if (!reported.has(missing)) this.problem(missing, `is required when ${other} is given (a cloud-to-cloud device needs both)`);
			}
		}
		if (given.length === 1 || (given.length === 0 && this.kind === 'add')) return given[0];
		const ways = groups.map((group) => group.join(' + '));
		const choices = `${ways.slice(0, -1).join(', ')}, or ${ways[ways.length - 1]}`;
		const givenWays = given.map((group) => group.join(' + ')).join(', ');
		if (given.length === 0) this.problem(undefined, `does not say which device to delete: give ${choices}`);
		else if (this.kind === 'add') this.problem(undefined, `has more than one device identity (${givenWays}); give at most one of ${choices}`);
		else this.problem(undefined, `names the device in more than one way (${givenWays}); give exactly one of ${choices}`);
		return undefined;
	}

	/** The spec's rules that involve two fields. */
	private checkBetweenFields(device: Record<string, unknown>, identity: readonly FieldName[] | undefined): void {
		const { sendMs, sampleMs, areaBased, geofences } = device;
		// The spec: sendMs "should be equal or greater than sampleMs"; sending more often than sampling is a mistake.
		if (typeof sendMs === 'number' && typeof sampleMs === 'number' && sendMs < sampleMs) {
			this.problem('sendMs', 'must be at least sampleMs', `${sendMs}, less than sampleMs ${sampleMs}`);
		}
		if (areaBased === true && Array.isArray(geofences) && geofences.length > MAX_AREA_BASED_GEOFENCES) {
			this.problem('areaBased', `can be true only for a device with at most ${MAX_AREA_BASED_GEOFENCES} geofences`, `${geofences.length} geofences`);
		}
		const cloudToCloud = identity !== undefined && identity.length === 2;
		if (device.removeFromConnectorOnly === true && !cloudToCloud) {
			this.problem('removeFromConnectorOnly', 'can be true only for a cloud-to-cloud device (externalDeviceId + connectorId)');
		} else if (device.removeFromConnectorOnly === false && !cloudToCloud) {
			// false is the default; the API's other variants do not allow the field at all.
			delete device.removeFromConnectorOnly;
		}
	}

	/** Names and identities are unique in this source and in the sources read before it in this run. */
	private checkUnique(device: Record<string, unknown>, identity: readonly FieldName[] | undefined): void {
		const place: Place = { source: this.options.sourceName, label: this.label, row: this.row };
		if (typeof device.name === 'string') {
			const first = this.seen.firstPlace('name', device.name, place);
			if (first !== undefined) {
				this.problem('name', `is used twice in this upload (first in ${this.placeText(first)}); names must be unique`, showValue(device.name));
			}
		}
		if (identity === undefined || identity.some((field) => device[field] === undefined)) return;
		const first = this.seen.firstPlace(identity.join(' + '), identity.map((field) => device[field]).join('\u0000'), place);
		if (first !== undefined) {
			const reason = `names the same device as ${this.placeText(first)}; a device can appear only once in an upload`;
			this.problem(identity[0], reason, showValue(device[identity[0]]));
		}
	}

	/** "row 2", or "input item 0, row 2" when the place is in another source than this one. */
	private placeText(first: Place): string {
		const row = rowName(first.label, first.row);
		return first.source === undefined || first.source === this.options.sourceName ? row : `${first.source}, ${row}`;
	}

	/** A field's value normalized, or undefined when it is not set or wrong (then `problem` was told why). */
	private readField(field: FieldName, spec: FieldSpec, value: unknown): unknown {
		if (!isSet(value)) {
			if (spec.required === true) this.problem(field, 'is required');
			return undefined;
		}
		switch (spec.type) {
			case 'text':
				return this.readText(field, value, spec.required === true);
			case 'number': {
				const result = readNonNegativeNumber(value);
				if (typeof result === 'number') return result;
				if (result === 'empty') this.problem(field, 'is empty: leave it out or give a number');
				else if (result === 'negative') this.problem(field, 'must be 0 or more', showValue(value));
				else if (typeof value === 'string' || typeof value === 'number') this.problem(field, 'is not a number', showValue(value));
				else this.problem(field, `must be a number, not ${describeType(value)}`, showValue(value));
				return undefined;
			}
			case 'flag': {
				const result = readBoolean(value);
				if (typeof result === 'boolean') return result;
				if (result === 'empty') this.problem(field, 'is empty: leave it out or give true or false');
				else this.problem(field, 'must be true or false (or 1 or 0)', showValue(value));
				return undefined;
			}
			default:
				return this.readList(field as ListField, value, spec.uuids === true);
		}
	}

	/** Text of 1-50 characters, trimmed; a number becomes text (a sheet may hold an id as 12345). */
	private readText(field: FieldName, value: unknown, required: boolean): string | undefined {
		if (typeof value !== 'string' && !(typeof value === 'number' && Number.isFinite(value))) {
			this.problem(field, `must be text, not ${describeType(value)}`, showValue(value));
			return undefined;
		}
		const text = String(value).trim();
		if (text === '') this.problem(field, required ? 'is required (it is empty)' : 'is empty: leave it out or give a value');
		else if (exceedsLength(text, MAX_TEXT_LENGTH)) this.problem(field, `is longer than ${MAX_TEXT_LENGTH} characters`, showValue(text));
		else return text;
		return undefined;
	}

	/**
	 * A list: an array of text (or numbers), or text separated by `|`, `;` or `,`. Entries trimmed,
	 * empty ones dropped, repeats removed (the same tag twice means it once), then at most 10.
	 * Tags have no length limit of their own: the OpenAPI document gives none.
	 */
	private readList(field: ListField, value: unknown, uuids: boolean): string[] | undefined {
		if (typeof value !== 'string' && !Array.isArray(value)) {
			this.problem(field, `must be a list or text (entries separated by |, ; or ,), not ${describeType(value)}`, showValue(value));
			return undefined;
		}
		const entries = new Set<string>();
		for (const entry of typeof value === 'string' ? splitList(value) : (value as unknown[])) {
			if (typeof entry === 'string' || (typeof entry === 'number' && Number.isFinite(entry))) {
				const text = String(entry).trim();
				if (text !== '') entries.add(text);
			} else {
				this.problem(field, `entries must be text, not ${describeType(entry)}`, showValue(entry));
			}
		}
		if (typeof value === 'string' && entries.size === 0) this.problem(field, 'is empty: leave it out or give a value');
		let ok = entries.size > 0;
		if (entries.size > MAX_LIST_ITEMS) {
			this.problem(field, `has more than ${MAX_LIST_ITEMS} entries`, `${entries.size} ${field}`);
			ok = false;
		}
		for (const entry of uuids ? entries : []) {
			if (!isUuid(entry)) {
				this.problem(field, 'must hold only UUIDs', showValue(entry));
				ok = false;
			}
		}
		return ok ? [...entries] : undefined;
	}
}

/** Only a missing field is not set: a null reaches here only from JSON, and is refused there as the API refuses it. */
function isSet(value: unknown): boolean {
	return value !== undefined;
}
