/**
 * Reading raw cell and item values (numbers, flags, lists, UUIDs) and showing them safely in
 * messages. Shared by every source and by validation, so that they all read values alike.
 */

/**
 * A list cell: entries separated by `|` (HERE's CSV description), `;` (HERE's own example) or
 * `,` (usual in a sheet cell), trimmed, empty entries dropped. A tag holding one of these
 * characters can be given as a `tag:NAME` column or a JSON array instead.
 */
export function splitList(text: string): string[] {
	return text
		.split(/[|;,]/)
		.map((entry) => entry.trim())
		.filter((entry) => entry !== '');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** 8-4-4-4-12 hex digits, any case, any version (the spec says only `format: uuid`). */
export function isUuid(text: string): boolean {
	return UUID.test(text);
}

const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i;

/**
 * A non-negative finite number, given as a number or a plain decimal text (`12`, ` 0.5 `,
 * `1e3`). Refused: `12abc`, `0x10`, `1,000`, `Infinity`, negative values.
 */
export function readNonNegativeNumber(value: unknown): number | 'empty' | 'not-a-number' | 'negative' {
	let n: number;
	if (typeof value === 'number') {
		n = value;
	} else if (typeof value === 'string') {
		const text = value.trim();
		if (text === '') return 'empty';
		if (!DECIMAL.test(text)) return 'not-a-number';
		n = Number(text);
	} else {
		return 'not-a-number';
	}
	if (!Number.isFinite(n)) return 'not-a-number';
	if (n < 0) return 'negative';
	return n === 0 ? 0 : n; // -0 → 0
}

/**
 * `true`/`false` or `1`/`0`, as booleans, numbers or text (case and spaces ignored). Not
 * `yes`/`no`: HERE's CSV description names only `true` and `1`, and guessing invites mistakes.
 */
export function readBoolean(value: unknown): boolean | 'empty' | 'invalid' {
	if (value === true || value === 1) return true;
	if (value === false || value === 0) return false;
	if (typeof value !== 'string') return 'invalid';
	const text = value.trim().toLowerCase();
	if (text === '') return 'empty';
	if (text === 'true' || text === '1') return true;
	if (text === 'false' || text === '0') return false;
	return 'invalid';
}

/** Longer than `max` Unicode code points (what JSON Schema's maxLength counts)? */
export function exceedsLength(text: string, max: number): boolean {
	return text.length > max && [...text].length > max;
}

/**
 * A value for a message: text cut to 40 characters with control characters replaced, numbers
 * and booleans as text; undefined for objects and lists (the reason says what was found).
 * Only values of known device fields are shown: none is a secret, while an unknown column or
 * key could hold a `deviceSecret` or a password.
 */
export function showValue(value: unknown): string | undefined {
	if (typeof value === 'string') return printable(value, 40);
	if (typeof value === 'number' || typeof value === 'boolean') return String(value);
	return undefined;
}

/** A column or key name made safe to show. */
export function showName(name: string): string {
	return printable(name, 60);
}

/** Cut to `max` code points (ending in …), control and line-separator characters replaced by spaces. */
function printable(text: string, max: number): string {
	const chars = [...text];
	const cut = chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : text;
	return cut.replace(/[\p{Cc}\u2028\u2029]/gu, ' ');
}

/** What a value is, for "must be text, not …" messages. */
export function describeType(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'a list';
	const names: Record<string, string> = { object: 'an object', string: 'text', number: 'a number', boolean: 'true/false' };
	return names[typeof value] ?? typeof value;
}
