/**
 * n8n items and JSON array elements (one object = one device) → device rows. Items count from 0
 * as n8n shows them; JSON elements by array index. Items read an empty value or null as "not
 * set" (a sheet gives an empty cell as ''); JSON keeps both for validation to refuse, as the
 * API's schema would: `"deviceId": null` dropped silently would turn a claim into a new device.
 */
import type { ListField } from './fields';
import { addToList, ALLOWED_KEYS_TEXT, classifyKey, DEVICE_FIELDS, entryProblem } from './fields';
import { rowIssue, wholeNumberOption } from './report';
import type { ReadOptions, RowIssue, RowLabel, RowSink } from './types';
import { DEFAULT_MAX_ROWS } from './types';
import { describeType, readBoolean, showName, showValue } from './values';

/** Read objects into `sink`; true when the input as a whole is unusable. */
export function readObjects(values: readonly unknown[], label: RowLabel, options: ReadOptions, sink: RowSink): boolean {
	const maxRows = wholeNumberOption(options.maxRows, DEFAULT_MAX_ROWS, 'maxRows', options.node);
	const whole = (reason: string) => sink.issues.push({ row: 0, label, whole: true, reason });
	if (values.length === 0) {
		whole(label === 'item' ? 'there are no input items: each item should be one device' : 'the JSON array is empty');
		return true;
	}
	if (values.length > maxRows) {
		const count = (n: number) => n.toLocaleString('en-US');
		sink.overLimit = true;
		whole(`there are ${count(values.length)} devices, more than ${count(maxRows)}, the most one run reads`);
		return true;
	}
	values.forEach((value, row) => {
		const before = sink.issues.length;
		const fields = objectFields(value, row, label, options.ignoreUnknownFields === true, sink.issues);
		if (fields !== undefined) sink.onRow(row, fields, sink.issues.length > before);
	});
	return false;
}

function objectFields(
	value: unknown,
	row: number,
	label: RowLabel,
	ignoreUnknownFields: boolean,
	issues: RowIssue[],
): Record<string, unknown> | undefined {
	const source = isN8nItem(value) ? value.json : value;
	const problem = (reason: string, column?: string, shown?: string) => issues.push(rowIssue(row, label, reason, column, shown));
	if (!isObject(source)) {
		problem(`is not an object with device fields (it is ${describeType(value)})`);
		return undefined;
	}
	const blankIsUnset = label === 'item';
	const fields: Record<string, unknown> = {};
	/** The key that set each field, to explain a field given twice (`name` and `Name`). */
	const keyOf = new Map<string, string>();
	for (const [key, raw] of Object.entries(source)) {
		const target = classifyKey(key);
		if (target.type === 'empty' || target.type === 'unknown') {
			if (!ignoreUnknownFields) {
				problem(`is not a device field (leave it out, or turn on Options > Ignore Unknown Fields). Allowed fields: ${ALLOWED_KEYS_TEXT}`, showName(key));
			}
			continue;
		}
		if (raw === undefined || (blankIsUnset && (raw === null || (typeof raw === 'string' && raw.trim() === '')))) continue;
		if (target.type === 'entry') {
			const on = readBoolean(raw);
			const wrong = on === true ? entryProblem(target) : undefined;
			if (on === 'invalid') problem('takes true or 1 to apply it (false, 0 or nothing to not apply it)', showName(key), showValue(raw));
			else if (wrong !== undefined) problem(wrong.reason, showName(key), wrong.value);
			else if (on === true) addToList(fields, target.list, [target.entry]);
			continue;
		}
		const field = target.field;
		if (DEVICE_FIELDS[field].type === 'list' && addToList(fields, field as ListField, raw)) continue;
		if (fields[field] !== undefined) {
			problem(`is given twice (as ${JSON.stringify(showName(keyOf.get(field) ?? field))} and ${JSON.stringify(showName(key))})`, field);
		} else {
			fields[field] = raw;
			keyOf.set(field, key);
		}
	}
	return fields;
}

/** The keys of an n8n item (INodeExecutionData): an object with only these is an item, not a device. */
const ITEM_KEYS = new Set(['json', 'binary', 'pairedItem', 'error', 'metadata', 'evaluationData', 'redaction', 'sendMessage', 'index']);

/**
 * A whole n8n item (`{json, pairedItem}`, as `$input.all()` gives them) is read as its `json`.
 * Only an object whose every key is an item key counts: a device with a stray `json` field
 * (`{"externalId": "van-1", "json": {…}}`) is read as a device, so that `json` is reported as
 * an unknown field instead of its other fields being dropped.
 */
function isN8nItem(value: unknown): value is { json: Record<string, unknown> } {
	return isObject(value) && isObject(value.json) && Object.keys(value).every((key) => ITEM_KEYS.has(key));
}

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}
