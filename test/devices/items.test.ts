import type { ReadOptions } from '../../nodes/HereBulkJobs/devices/types';

import { readRows, validateDevices } from './sourceRows';

/** The pipeline's rows of n8n items, before validation. */
function itemsToSourceRows(items: unknown[], options?: ReadOptions) {
	return readRows({ type: 'items', items }, options);
}

const G = ['08e742fc-52d1-49aa-bea0-60a6cd17d8a2', '2bff17e2-af05-4843-9780-878df098d35a'];

describe('itemsToSourceRows', () => {
	it('maps items (plain JSON or whole n8n items) to rows counted from 0', async () => {
		const parsed = await itemsToSourceRows([
			{ name: 'a', sendMs: 1000, tags: ['x', 'y'] },
			{ json: { name: 'b', tags: 'x|y, z' }, pairedItem: { item: 1 } },
		]);
		expect(parsed.label).toBe('item');
		expect(parsed.issues).toEqual([]);
		const { devices } = validateDevices(parsed.rows, 'add', { label: parsed.label });
		expect(devices).toStrictEqual([
			{ row: 0, device: { name: 'a', sendMs: 1000, tags: ['x', 'y'] } },
			{ row: 1, device: { name: 'b', tags: ['x', 'y', 'z'] } },
		]);
	});

	it('adds tag: keys to a tags array without changing the item', async () => {
		const item = { name: 'a', tags: ['x'], 'tag:Fragile': true, 'tag:Cold': 1 };
		const parsed = await itemsToSourceRows([item]);
		expect(parsed.rows[0].fields.tags).toEqual(['x', 'Fragile', 'Cold']);
		expect(item.tags).toEqual(['x']);
	});

	it('treats empty, blank and null values as "not set" (a sheet gives empty cells as "")', async () => {
		const parsed = await itemsToSourceRows([{ name: 'a', deviceId: '', sendMs: '  ', type: null, tags: '' }]);
		const { devices, issues } = validateDevices(parsed.rows, 'add', { label: parsed.label });
		expect(issues).toEqual([]);
		expect(devices[0].device).toStrictEqual({ name: 'a' });
	});

	it('accepts field names in any case, and tag:/geofence: keys like CSV columns', async () => {
		const parsed = await itemsToSourceRows([
			{ Name: 'a', SENDMS: '5', 'tag:Fragile': true, 'tag:Cold': 0, tags: 'x', [`geofence:${G[0]}`]: 1, geofences: [G[1]] },
		]);
		const { devices, issues } = validateDevices(parsed.rows, 'add', { label: parsed.label });
		expect([...parsed.issues, ...issues]).toEqual([]);
		// entries come in the order of the keys
		expect(devices[0].device).toStrictEqual({ name: 'a', sendMs: 5, tags: ['Fragile', 'x'], geofences: [G[0], G[1]] });
	});

	it('does not change the caller’s arrays', async () => {
		const tags = [' a ', 'a'];
		const parsed = await itemsToSourceRows([{ name: 'x', tags }]);
		const { devices } = validateDevices(parsed.rows, 'add');
		expect(devices[0].device.tags).toEqual(['a']);
		expect(tags).toEqual([' a ', 'a']);
	});

	it('reports unknown fields (without their values) unless told to ignore them', async () => {
		const items = [{ name: 'a', colour: 'red', password: 'hunter2' }, { name: 'b' }];
		const parsed = await itemsToSourceRows(items);
		expect(parsed.issues.map((i) => [i.row, i.label, i.column])).toEqual([
			[0, 'item', 'colour'],
			[0, 'item', 'password'],
		]);
		expect(parsed.issues[0].reason).toMatch(/is not a device field.*Allowed fields: add: name/);
		expect(JSON.stringify(parsed.issues)).not.toContain('hunter2');
		expect((await itemsToSourceRows(items, { ignoreUnknownFields: true })).issues).toEqual([]);
	});

	it('reports a field given twice under two spellings', async () => {
		const parsed = await itemsToSourceRows([{ name: 'a', Name: 'b' }]);
		expect(parsed.issues).toEqual([
			{ row: 0, label: 'item', column: 'name', reason: 'is given twice (as "name" and "Name")' },
		]);
	});

	it('reports items that are not objects and bad tag: values', async () => {
		const parsed = await itemsToSourceRows(['just text', { name: 'a', 'tag:x': 'maybe' }, { name: 'b', 'rule:nope': 1 }]);
		expect(parsed.issues.map((i) => [i.row, i.column, i.reason])).toEqual([
			[0, undefined, 'is not an object with device fields (it is text)'],
			[1, 'tag:x', 'takes true or 1 to apply it (false, 0 or nothing to not apply it)'],
			[2, 'rule:nope', 'must name a rule by its UUID'],
		]);
	});

	it('reports no items at all', async () => {
		const parsed = await itemsToSourceRows([]);
		expect(parsed.fatal).toBe(true);
		expect(parsed.issues[0]).toMatchObject({ whole: true, reason: expect.stringMatching(/no input items/) });
	});

	it('keeps a non-list value for a list field for validation to explain', async () => {
		const parsed = await itemsToSourceRows([{ name: 'a', tags: 5 }]);
		const { issues } = validateDevices(parsed.rows, 'add', { label: 'item' });
		expect(issues).toEqual([
			{ row: 0, label: 'item', column: 'tags', reason: 'must be a list or text (entries separated by |, ; or ,), not a number', value: '5' },
		]);
	});
});
