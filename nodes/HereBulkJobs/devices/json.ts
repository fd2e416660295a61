/**
 * A JSON array of devices (the API's own body shape) → device rows, counted by array index.
 * Given as JSON text, UTF-8 bytes, or an already parsed value.
 */
import { readObjects } from './objects';
import type { ReadOptions, RowSink } from './types';
import { describeType } from './values';

/** Read a JSON array's devices into `sink`; true when the input as a whole is unusable. */
export function readJson(input: unknown, options: ReadOptions, sink: RowSink): boolean {
	const whole = (reason: string) => {
		sink.issues.push({ row: 0, label: 'element', whole: true, reason: `the device list ${reason}` });
		return true;
	};
	let value = input;
	if (input instanceof Uint8Array) {
		try {
			value = new TextDecoder('utf-8', { fatal: true }).decode(input);
		} catch {
			return whole('is not UTF-8 text: give the JSON as UTF-8');
		}
	}
	if (typeof value === 'string') {
		const written = value;
		// trim() also drops a byte order mark, which JSON.parse refuses
		const text = written.trim();
		if (text === '') return whole('is empty: give a JSON array of devices, like [{"name": "Tracker 1"}]');
		try {
			value = JSON.parse(text) as unknown;
		} catch (error) {
			return whole(`is not valid JSON${where(error, written, written.length - written.trimStart().length)}`);
		}
	}
	if (!Array.isArray(value)) {
		const lists = typeof value === 'object' && value !== null ? Object.entries(value).filter(([, v]) => Array.isArray(v)) : [];
		const hint = lists.length === 1 ? ` (its field ${JSON.stringify(lists[0][0].slice(0, 40))} is a list: give that list instead)` : '';
		return whole(`must be a JSON array of devices, like [{"name": "Tracker 1"}], not ${describeType(value)}${hint}`);
	}
	return readObjects(value, 'element', options, sink);
}

/**
 * " (line 3, column 7)" from a JSON.parse error, without echoing any of the text. The error's
 * position is in the text without the `skipped` characters that led it; line and column are
 * counted in `written`, the text as the user wrote it.
 */
function where(error: unknown, written: string, skipped: number): string {
	if (!(error instanceof Error)) return '';
	if (/unexpected end/i.test(error.message)) return ': it ends too early (a closing ] or } or " is missing)';
	const match = /position (\d+)/.exec(error.message);
	if (match === null) return '';
	const before = written.slice(0, skipped + Number(match[1])).split('\n');
	return ` (line ${before.length}, column ${before[before.length - 1].length + 1})`;
}
