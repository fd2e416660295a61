import { addToList, classifyKey } from '../../nodes/HereBulkJobs/devices/fields';
import { exceedsLength, isUuid, readBoolean, readNonNegativeNumber, showValue, splitList } from '../../nodes/HereBulkJobs/devices/values';

describe('splitList', () => {
	it.each([
		['a|b|c', ['a', 'b', 'c']],
		['priority 1|priority 2', ['priority 1', 'priority 2']],
		// HERE's own CSV example 2 separates tags with ';'
		['Priority1;Important', ['Priority1', 'Important']],
		['a, b ,c', ['a', 'b', 'c']],
		[' single ', ['single']],
		['a||b|', ['a', 'b']],
		['|', []],
		['', []],
		['   ', []],
	])('%j → %j', (text, expected) => {
		expect(splitList(text)).toEqual(expected);
	});
});

describe('readNonNegativeNumber', () => {
	it.each([
		[0, 0],
		[12, 12],
		[0.5, 0.5],
		[-0, 0],
		['12', 12],
		['007', 7],
		[' 600000 ', 600000],
		['1.5', 1.5],
		['.5', 0.5],
		['1e3', 1000],
		['+4', 4],
		['12345678901234567', Number('12345678901234567')],
	])('accepts %j as %j', (value, expected) => {
		expect(readNonNegativeNumber(value)).toBe(expected);
	});

	it.each([
		['', 'empty'],
		['  ', 'empty'],
		['12abc', 'not-a-number'],
		['0x10', 'not-a-number'],
		['1,000', 'not-a-number'],
		['Infinity', 'not-a-number'],
		['NaN', 'not-a-number'],
		['1 2', 'not-a-number'],
		['-5', 'negative'],
		['-0.5', 'negative'],
		[-1, 'negative'],
		[Number.NaN, 'not-a-number'],
		[Number.POSITIVE_INFINITY, 'not-a-number'],
		[true, 'not-a-number'],
		[{}, 'not-a-number'],
		[[1], 'not-a-number'],
	])('refuses %j (%s)', (value, expected) => {
		expect(readNonNegativeNumber(value)).toBe(expected);
	});
});

describe('readBoolean', () => {
	it.each([
		[true, true],
		[false, false],
		[1, true],
		[0, false],
		['1', true],
		['0', false],
		['true', true],
		['TRUE', true],
		[' False ', false],
	])('%j → %j', (value, expected) => {
		expect(readBoolean(value)).toBe(expected);
	});

	it.each([['yes'], ['no'], ['x'], ['2'], [2], [{}], [[]]])('refuses %j', (value) => {
		expect(readBoolean(value)).toBe('invalid');
	});

	it('calls a blank string empty', () => {
		expect(readBoolean('  ')).toBe('empty');
	});
});

describe('isUuid', () => {
	it.each([
		['74a6fe54-2077-4629-b924-3340bc88b864', true],
		['74A6FE54-2077-4629-B924-3340BC88B864', true],
		['74a6fe54207746 29b9243340bc88b864xxxx', false],
		['74a6fe54-2077-4629-b924-3340bc88b86', false],
		['74a6fe54-2077-4629-b924-3340bc88b86g', false],
		['74a6fe54_2077-4629-b924-3340bc88b864', false],
		['', false],
	])('%j → %j', (text, expected) => {
		expect(isUuid(text)).toBe(expected);
	});
});

describe('exceedsLength', () => {
	it('counts code points, not UTF-16 units', () => {
		const emoji = '🚚'.repeat(50); // 100 UTF-16 units, 50 code points
		expect(emoji.length).toBe(100);
		expect(exceedsLength(emoji, 50)).toBe(false);
		expect(exceedsLength(`${emoji}x`, 50)).toBe(true);
		expect(exceedsLength('x'.repeat(50), 50)).toBe(false);
		expect(exceedsLength('x'.repeat(51), 50)).toBe(true);
	});
});

describe('classifyKey', () => {
	it('matches field names case-insensitively and trims', () => {
		expect(classifyKey(' SendMS ')).toEqual({ type: 'field', field: 'sendMs' });
		expect(classifyKey('name')).toEqual({ type: 'field', field: 'name' });
		expect(classifyKey('removefromconnectoronly')).toEqual({ type: 'field', field: 'removeFromConnectorOnly' });
	});

	it('reads prefixed columns, keeping the tag name as written', () => {
		expect(classifyKey('tag:Priority 1')).toEqual({ type: 'entry', list: 'tags', entry: 'Priority 1', prefix: 'tag:' });
		expect(classifyKey('Geofence: 08e742fc-52d1-49aa-bea0-60a6cd17d8a2')).toEqual({
			type: 'entry',
			list: 'geofences',
			entry: '08e742fc-52d1-49aa-bea0-60a6cd17d8a2',
			prefix: 'geofence:',
		});
	});

	it('reports empty and unknown keys', () => {
		expect(classifyKey('  ')).toEqual({ type: 'empty' });
		expect(classifyKey('deviceSecret')).toEqual({ type: 'unknown' });
	});
});

describe('showValue', () => {
	it('cuts long values and replaces control characters', () => {
		expect(showValue('a\nb\tc')).toBe('a b c');
		const shown = showValue('x'.repeat(100));
		expect(shown).toHaveLength(40);
		expect(shown?.endsWith('…')).toBe(true);
		expect(showValue({ a: 1 })).toBeUndefined();
		expect(showValue(12)).toBe('12');
	});
});

describe('addToList', () => {
	it('gathers a list from a value, text and single entries, in order, without changing the given value', () => {
		const given = ['a', 'b'];
		const fields: Record<string, unknown> = {};
		expect(addToList(fields, 'tags', given)).toBe(true);
		expect(addToList(fields, 'tags', 'c| d ;e')).toBe(true);
		expect(addToList(fields, 'tags', ['f'])).toBe(true);
		expect(addToList(fields, 'tags', ' | ')).toBe(false);
		expect(fields.tags).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
		expect(given).toEqual(['a', 'b']);
	});

	it('gathers thousands of single entries (tag: columns) in order', () => {
		const fields: Record<string, unknown> = {};
		const names = Array.from({ length: 8000 }, (_, i) => `t${i}`);
		for (const name of names) addToList(fields, 'tags', [name]);
		expect(fields.tags).toEqual(names);
	});

	it('leaves a value that is not a list for validation to report', () => {
		const fields: Record<string, unknown> = { tags: 7 };
		expect(addToList(fields, 'tags', ['a'])).toBe(true);
		expect(fields.tags).toBe(7);
	});
});
