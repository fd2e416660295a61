/**
 * A JSON array of devices (the API's own JSON body shape) → SourceRows. Elements are counted
 * from 0, as array indexes. Unlike items, an empty string is not read as "not set": the API
 * would refuse it, so validation reports it.
 */
import type { INode } from 'n8n-workflow';

import { describeType } from './fields';
import { maxRowsOption, objectsToSourceRows } from './items';
import type { RowIssue, SourceRows } from './types';

export interface JsonOptions {
	/** Report object keys that are not device fields (default) or leave them out. */
	ignoreUnknownFields?: boolean;
	/** Most devices accepted. Default 1,000,000. */
	maxRows?: number;
	/** For option errors (NodeOperationError names the node). */
	node?: INode;
}

/**
 * Read a JSON array of devices, given as JSON text (string or UTF-8 bytes) or as an already
 * parsed value. Never throws for bad input: it returns issues.
 */
export function parseJsonDevices(input: unknown, options: JsonOptions = {}): SourceRows {
	const maxRows = maxRowsOption(options.maxRows, options.node);
	let value = input;
	if (input instanceof Uint8Array) {
		const text = decodeUtf8(input);
		if (text === undefined) return whole('is not UTF-8 text: give the JSON as UTF-8');
		value = text;
	}
	if (typeof value === 'string') {
		const text = value.trim();
		if (text === '') return whole('is empty: give a JSON array of devices, like [{"name": "Tracker 1"}]');
		try {
			value = JSON.parse(text) as unknown;
		} catch (error) {
			return whole(`is not valid JSON${where(error, text)}`);
		}
	}
	if (!Array.isArray(value)) {
		let hint = '';
		if (typeof value === 'object' && value !== null) {
			const arrays = Object.keys(value).filter((key) => Array.isArray((value as Record<string, unknown>)[key]));
			if (arrays.length === 1) hint = ` (its field "${arrays[0].slice(0, 40)}" is a list: give that list instead)`;
		}
		return whole(`must be a JSON array of devices, like [{"name": "Tracker 1"}], not ${describeType(value)}${hint}`);
	}
	return objectsToSourceRows(value, 'element', {
		blankIsUnset: false,
		ignoreUnknownFields: options.ignoreUnknownFields === true,
		maxRows,
	});
}

function whole(reason: string): SourceRows {
	const issue: RowIssue = { row: 0, label: 'element', whole: true, reason: `the device list ${reason}` };
	return { label: 'element', rows: [], issues: [issue], fatal: true };
}

/** " at line 3, column 7" from a JSON.parse error, without echoing any of the text. */
function where(error: unknown, text: string): string {
	if (!(error instanceof Error)) return '';
	if (/unexpected end/i.test(error.message)) return ': it ends too early (a closing ] or } or " is missing)';
	const match = /position (\d+)/.exec(error.message);
	if (match === null) return '';
	const position = Math.min(Number(match[1]), text.length);
	let line = 1;
	let lineStart = 0;
	for (let i = 0; i < position; i++) {
		if (text.charCodeAt(i) === 10) {
			line++;
			lineStart = i + 1;
		}
	}
	return ` (line ${line}, column ${position - lineStart + 1})`;
}

function decodeUtf8(bytes: Uint8Array): string | undefined {
	try {
		return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
	} catch {
		return undefined;
	}
}
