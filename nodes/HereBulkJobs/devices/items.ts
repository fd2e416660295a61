/**
 * n8n items (one item = one device) → SourceRows. Also the object-to-row mapping that json.ts
 * uses for JSON arrays, which differ only in how rows are counted and how strictly empty values
 * are read.
 */
import type { INode } from 'n8n-workflow';

import { ALLOWED_KEYS_TEXT, classifyKey, describeType, emptyFields, isUuid, readBoolean, showName, showValue, splitList } from './fields';
import type { ListField } from './fields';
import { optionError } from './report';
import type { RowIssue, RowLabel, SourceRow, SourceRows } from './types';

export interface ItemsOptions {
	/**
	 * Leave out item fields that are not device fields (an item from a sheet or an ERP usually
	 * carries more). Off by default: unknown fields are reported, so that a typo such as
	 * `sendMS` → `sendms` still matches, and `sendMillis` does not silently vanish.
	 */
	ignoreUnknownFields?: boolean;
	/** Most devices accepted. Default 1,000,000. */
	maxRows?: number;
	/** For option errors (NodeOperationError names the node). */
	node?: INode;
}

export const DEFAULT_MAX_ITEMS = 1_000_000;

/**
 * Map n8n items to SourceRows. Each element may be the item's JSON (a plain object) or a whole
 * n8n item (`{ json: {...} }`). Rows are counted from 0, as n8n shows item indexes.
 *
 * An empty, blank or null value means "not set", as an empty CSV cell does: items often come
 * from sheets, where an empty cell arrives as ''. Lists (`tags`, `rules`, `geofences`) may be
 * arrays or text separated by `|`, `;` or `,`; `tag:<name>`-style keys work as CSV columns do.
 */
export function itemsToSourceRows(items: readonly unknown[], options: ItemsOptions = {}): SourceRows {
	return objectsToSourceRows(items, 'item', {
		blankIsUnset: true,
		ignoreUnknownFields: options.ignoreUnknownFields === true,
		maxRows: maxRowsOption(options.maxRows, options.node),
	});
}

export interface ObjectRowSettings {
	/** Treat '' and blank strings as not set (items); otherwise they reach validation (JSON). */
	blankIsUnset: boolean;
	ignoreUnknownFields: boolean;
	maxRows: number;
}

/** Map plain objects to SourceRows, flagging what cannot be a device field. */
export function objectsToSourceRows(
	values: readonly unknown[],
	label: RowLabel,
	settings: ObjectRowSettings,
): SourceRows {
	const issues: RowIssue[] = [];
	if (values.length === 0) {
		issues.push({
			row: 0,
			label,
			whole: true,
			reason: label === 'item' ? 'there are no input items: each item should be one device' : 'the JSON array is empty',
		});
		return { label, rows: [], issues, fatal: true };
	}
	if (values.length > settings.maxRows) {
		issues.push({
			row: 0,
			label,
			whole: true,
			reason: `there are ${values.length.toLocaleString('en-US')} devices, more than the ${settings.maxRows.toLocaleString('en-US')} accepted at once: split the input`,
		});
		return { label, rows: [], issues, fatal: true };
	}
	const rows: SourceRow[] = [];
	for (let index = 0; index < values.length; index++) {
		const before = issues.length;
		const fields = objectToFields(values[index], index, label, settings, issues);
		if (fields === undefined) continue;
		rows.push(issues.length === before ? { row: index, fields } : { row: index, fields, flagged: true });
	}
	return { label, rows, issues, fatal: false };
}

function objectToFields(
	value: unknown,
	row: number,
	label: RowLabel,
	settings: ObjectRowSettings,
	issues: RowIssue[],
): Record<string, unknown> | undefined {
	let source = value;
	if (isPlainObject(source) && isPlainObject(source.json) && !('name' in source)) source = source.json;
	if (!isPlainObject(source)) {
		issues.push({ row, label, reason: `is not an object with device fields (it is ${describeType(value)})` });
		return undefined;
	}
	const fields: Record<string, unknown> = emptyFields();
	/** Which key set each field, to explain a field given twice (`name` and `Name`). */
	const keyOf: Record<string, string> = {};
	for (const key of Object.keys(source)) {
		const raw = source[key];
		const target = classifyKey(key);
		if (target.type === 'empty' || target.type === 'unknown') {
			if (!settings.ignoreUnknownFields) {
				issues.push({
					row,
					label,
					column: showName(key),
					reason: `is not a device field (leave it out, or choose to ignore unknown fields). Allowed fields: ${ALLOWED_KEYS_TEXT}`,
				});
			}
			continue;
		}
		if (raw === undefined || raw === null) continue;
		if (settings.blankIsUnset && typeof raw === 'string' && raw.trim() === '') continue;

		if (target.type === 'entry') {
			const on = readBoolean(raw);
			if (on === 'invalid') {
				issues.push({ row, label, column: showName(key), reason: 'takes true or 1 to apply it (false, 0 or nothing to not apply it)', value: showValue(raw) });
				continue;
			}
			if (on !== true) continue;
			if (target.entry === '' || (target.list !== 'tags' && !isUuid(target.entry))) {
				issues.push({
					row,
					label,
					column: showName(key),
					reason:
						target.entry === ''
							? `needs a ${target.prefix === 'tag:' ? 'tag name' : 'UUID'} after "${target.prefix}"`
							: `must name a ${target.list === 'rules' ? 'rule' : 'geofence'} by its UUID`,
				});
				continue;
			}
			appendEntries(fields, target.list, [target.entry]);
			continue;
		}

		const field = target.field;
		if (field === 'tags' || field === 'rules' || field === 'geofences') {
			if (typeof raw === 'string') appendEntries(fields, field, splitList(raw), raw);
			else if (Array.isArray(raw)) appendEntries(fields, field, raw.slice());
			else setOnce(fields, keyOf, field, key, raw, row, label, issues);
			continue;
		}
		setOnce(fields, keyOf, field, key, raw, row, label, issues);
	}
	return fields;
}

function setOnce(
	fields: Record<string, unknown>,
	keyOf: Record<string, string>,
	field: string,
	key: string,
	value: unknown,
	row: number,
	label: RowLabel,
	issues: RowIssue[],
): void {
	if (fields[field] !== undefined) {
		issues.push({
			row,
			label,
			column: field,
			reason: `is given twice (as "${showName(keyOf[field] ?? field)}" and "${showName(key)}")`,
		});
		return;
	}
	fields[field] = value;
	keyOf[field] = key;
}

/**
 * Lists merge: a `tags` value and `tag:<name>` keys together give all of them. A list text that
 * holds no entries stays a string, so that validation reports it as empty.
 */
function appendEntries(fields: Record<string, unknown>, list: ListField, entries: unknown[], text?: string): void {
	const current = fields[list];
	if (entries.length === 0) {
		if (current === undefined && text !== undefined) fields[list] = text;
		return;
	}
	if (Array.isArray(current)) {
		for (const entry of entries) current.push(entry);
	} else if (current === undefined || typeof current === 'string') {
		fields[list] = entries;
	} else {
		// a non-list value was given for the list field: keep it, validation reports it
	}
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function maxRowsOption(value: number | undefined, node: INode | undefined): number {
	if (value === undefined) return DEFAULT_MAX_ITEMS;
	if (!Number.isInteger(value) || value < 1)
		throw optionError(node, `maxRows must be a whole number of at least 1 (got ${String(value)})`);
	return value;
}
