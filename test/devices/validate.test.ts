import { KNOWN_DEVICE_TYPES } from '../../nodes/HereBulkJobs/devices/fields';
import type { RowIssue } from '../../nodes/HereBulkJobs/devices/types';

import type { SourceRow } from './sourceRows';
import { validateDevices } from './sourceRows';

const UUID = [
	'74a6fe54-2077-4629-b924-3340bc88b864',
	'c096874c-0d5f-41c8-9cd8-56c25f9df23b',
	'db9403d1-64b4-48c0-a0e7-bc5f69eb624f',
	'08e742fc-52d1-49aa-bea0-60a6cd17d8a2',
	'2bff17e2-af05-4843-9780-878df098d35a',
	'e0de7cbc-9328-4e37-b865-cdbe1fa1c7dc',
	'2b4c5571-e398-45c5-9637-6ce63e320b4f',
	'b647155e-0789-4fa0-8807-154332c0617d',
	'1e50ed8d-c291-4f16-8a51-86fe03267496',
	'cf208b96-ef0b-4227-a3ee-224679cce07a',
	'a19b2648-60c1-49fc-896c-ea450a07e98d',
];

/** A source row as the sources build it. */
function row(n: number, fields: Record<string, unknown>): SourceRow {
	return { row: n, fields };
}

type Expected = { column?: string; reason: string | RegExp; value?: string };

function expectIssues(issues: RowIssue[], rowNumber: number, expected: Expected[]): void {
	expect(issues).toHaveLength(expected.length);
	issues.forEach((issue, i) => {
		expect(issue.row).toBe(rowNumber);
		expect(issue.column).toBe(expected[i].column);
		expect(issue.reason).toMatch(expected[i].reason);
		if (expected[i].value !== undefined) expect(issue.value).toBe(expected[i].value);
	});
}

describe('validateDevices: add rows that pass', () => {
	it.each<[string, Record<string, unknown>, Record<string, unknown>]>([
		['only a name (a new device is provisioned)', { name: 'Tracker 1' }, { name: 'Tracker 1' }],
		[
			"the tutorial's first JSON device",
			{ name: 'my at4h tracker in distance based mode3', sendMs: 600000, sampleMs: 300000, distanceM: 100, type: 'Phone' },
			{ name: 'my at4h tracker in distance based mode3', sendMs: 600000, sampleMs: 300000, distanceM: 100, type: 'Phone' },
		],
		[
			"the tutorial's cloud-to-cloud device with a custom type",
			{ name: 'my c2c tracker in distance based mode3', externalDeviceId: UUID[8], connectorId: UUID[9], type: 'Custom type' },
			{ name: 'my c2c tracker in distance based mode3', externalDeviceId: UUID[8], connectorId: UUID[9], type: 'Custom type' },
		],
		[
			'numeric strings and flag strings become numbers and booleans',
			{ name: ' Trimmed ', deviceId: UUID[10], sendMs: '600000', sampleMs: ' 120000 ', distanceM: '0.5', areaBased: '1' },
			{ name: 'Trimmed', deviceId: UUID[10], sendMs: 600000, sampleMs: 120000, distanceM: 0.5, areaBased: true },
		],
		['areaBased false as text', { name: 'a', areaBased: 'FALSE' }, { name: 'a', areaBased: false }],
		['a virtual device', { name: 'v', externalId: 'MyDevice' }, { name: 'v', externalId: 'MyDevice' }],
		['a numeric name from a sheet', { name: 12345 }, { name: '12345' }],
		['a 50-character name', { name: 'n'.repeat(50) }, { name: 'n'.repeat(50) }],
		['sendMs equal to sampleMs', { name: 'a', sendMs: 1000, sampleMs: '1000' }, { name: 'a', sendMs: 1000, sampleMs: 1000 }],
		[
			'lists as text, trimmed, duplicates dropped',
			{ name: 'a', tags: 'priority 1| priority 2 |priority 1', rules: `${UUID[0]}|${UUID[1]}` },
			{ name: 'a', tags: ['priority 1', 'priority 2'], rules: [UUID[0], UUID[1]] },
		],
		[
			'lists as arrays (numbers become text)',
			{ name: 'a', tags: ['x', 2], geofences: [UUID[3]] },
			{ name: 'a', tags: ['x', '2'], geofences: [UUID[3]] },
		],
		[
			'10 tags and areaBased with 3 geofences',
			{ name: 'a', tags: Array.from({ length: 10 }, (_, i) => `t${i}`), areaBased: true, geofences: UUID.slice(0, 3) },
			{ name: 'a', tags: Array.from({ length: 10 }, (_, i) => `t${i}`), areaBased: true, geofences: UUID.slice(0, 3) },
		],
		['an empty list is "not set"', { name: 'a', tags: [] }, { name: 'a' }],
	])('%s', (_, fields, device) => {
		const result = validateDevices([row(2, fields)], 'add');
		expect(result.issues).toEqual([]);
		// toStrictEqual: only the set fields are present
		expect(result.devices).toStrictEqual([{ row: 2, device }]);
	});

	it('accepts every known device type', () => {
		const rows = KNOWN_DEVICE_TYPES.map((type, i) => row(i + 2, { name: `d${i}`, type }));
		const result = validateDevices(rows, 'add');
		expect(result.issues).toEqual([]);
		expect(result.devices.map((d) => d.device.type)).toEqual([...KNOWN_DEVICE_TYPES]);
	});
});

describe('validateDevices: add rows that fail', () => {
	it.each<[string, Record<string, unknown>, Expected[]]>([
		['no name', { sendMs: 1 }, [{ column: 'name', reason: /^is required$/ }]],
		['an empty name', { name: '' }, [{ column: 'name', reason: /is required \(it is empty\)/ }]],
		['a blank name', { name: '   ' }, [{ column: 'name', reason: /is required/ }]],
		['a 51-character name', { name: 'n'.repeat(51) }, [{ column: 'name', reason: /longer than 50 characters/ }]],
		['a name that is an object', { name: { first: 'a' } }, [{ column: 'name', reason: /must be text, not an object/ }]],
		[
			'null values (only JSON keeps them; its schema refuses them)',
			{ name: 'a', deviceId: null, sendMs: null },
			[{ column: 'deviceId', reason: /^must be text, not null$/ }, { column: 'sendMs', reason: /^must be a number, not null$/ }],
		],
		[
			'deviceId and externalId',
			{ name: 'a', deviceId: 'd', externalId: 'e' },
			[{ column: undefined, reason: /more than one device identity \(deviceId, externalId\)/ }],
		],
		[
			'externalDeviceId without connectorId',
			{ name: 'a', externalDeviceId: 'x' },
			[{ column: 'connectorId', reason: /required when externalDeviceId is given/ }],
		],
		[
			'connectorId without externalDeviceId',
			{ name: 'a', connectorId: 'c' },
			[{ column: 'externalDeviceId', reason: /required when connectorId is given/ }],
		],
		[
			'deviceId and a cloud-to-cloud pair',
			{ name: 'a', deviceId: 'd', externalDeviceId: 'x', connectorId: 'c' },
			[{ column: undefined, reason: /deviceId, externalDeviceId \+ connectorId/ }],
		],
		['a 51-character externalId', { name: 'a', externalId: 'e'.repeat(51) }, [{ column: 'externalId', reason: /longer than 50/ }]],
		['sendMs "12abc"', { name: 'a', sendMs: '12abc' }, [{ column: 'sendMs', reason: /^is not a number$/, value: '12abc' }]],
		['sendMs ""', { name: 'a', sendMs: '' }, [{ column: 'sendMs', reason: /is empty/ }]],
		['sendMs -1', { name: 'a', sendMs: -1 }, [{ column: 'sendMs', reason: /must be 0 or more/, value: '-1' }]],
		['sampleMs "-5"', { name: 'a', sampleMs: '-5' }, [{ column: 'sampleMs', reason: /must be 0 or more/, value: '-5' }]],
		['distanceM "1,000"', { name: 'a', distanceM: '1,000' }, [{ column: 'distanceM', reason: /is not a number/, value: '1,000' }]],
		['distanceM true', { name: 'a', distanceM: true }, [{ column: 'distanceM', reason: /must be a number, not true\/false/ }]],
		['sendMs Infinity', { name: 'a', sendMs: Number.POSITIVE_INFINITY }, [{ column: 'sendMs', reason: /is not a number/ }]],
		[
			'sendMs below sampleMs',
			{ name: 'a', sendMs: 1000, sampleMs: 5000 },
			[{ column: 'sendMs', reason: /must be at least sampleMs/, value: '1000, less than sampleMs 5000' }],
		],
		['areaBased "yes"', { name: 'a', areaBased: 'yes' }, [{ column: 'areaBased', reason: /must be true or false/, value: 'yes' }]],
		[
			'areaBased with 4 geofences',
			{ name: 'a', areaBased: true, geofences: UUID.slice(0, 4) },
			[{ column: 'areaBased', reason: /at most 3 geofences/, value: '4 geofences' }],
		],
		[
			'11 tags',
			{ name: 'a', tags: Array.from({ length: 11 }, (_, i) => `t${i}`) },
			[{ column: 'tags', reason: /more than 10 entries/, value: '11 tags' }],
		],
		['11 rules', { name: 'a', rules: UUID }, [{ column: 'rules', reason: /more than 10 entries/, value: '11 rules' }]],
		['a rule that is no UUID', { name: 'a', rules: `${UUID[0]}|rule-7` }, [{ column: 'rules', reason: /only UUIDs/, value: 'rule-7' }]],
		['a geofence that is no UUID', { name: 'a', geofences: ['g1'] }, [{ column: 'geofences', reason: /only UUIDs/, value: 'g1' }]],
		['tags as an object', { name: 'a', tags: { a: 1 } }, [{ column: 'tags', reason: /must be a list/ }]],
		['a tag that is an object', { name: 'a', tags: ['ok', { a: 1 }] }, [{ column: 'tags', reason: /entries must be text, not an object/ }]],
		['tags as an empty string', { name: 'a', tags: '' }, [{ column: 'tags', reason: /is empty/ }]],
		['an empty type', { name: 'a', type: '' }, [{ column: 'type', reason: /is empty/ }]],
		['a 51-character type', { name: 'a', type: 't'.repeat(51) }, [{ column: 'type', reason: /longer than 50/ }]],
		[
			'a delete row (trackingId) in an add job',
			{ trackingId: 'HERE-1', unclaimOnly: true },
			[{ column: 'trackingId', reason: /looks like a device to delete \(it has trackingId, unclaimOnly\), but this job adds devices/ }],
		],
	])('%s', (_, fields, expected) => {
		const result = validateDevices([row(7, fields)], 'add');
		expect(result.devices).toEqual([]);
		expectIssues(result.issues, 7, expected);
	});

	it('collects every issue of a row, not only the first', () => {
		const result = validateDevices(
			[row(3, { sendMs: 'abc', sampleMs: -2, rules: 'nope', areaBased: 'maybe', type: '' })],
			'add',
		);
		expect(result.issues.map((i) => i.column)).toEqual(['name', 'sendMs', 'sampleMs', 'areaBased', 'type', 'rules']);
		expect(result.issues.every((i) => i.row === 3)).toBe(true);
	});

	it('checks every row and keeps the valid ones, in order', () => {
		const result = validateDevices(
			[row(2, { name: 'a' }), row(3, { name: '' }), row(4, { name: 'b', sendMs: 'x' }), row(5, { name: 'c' })],
			'add',
		);
		expect(result.devices.map((d) => d.row)).toEqual([2, 5]);
		expect(result.issues.map((i) => [i.row, i.column])).toEqual([
			[3, 'name'],
			[4, 'sendMs'],
		]);
	});

	it('finds names used twice, naming the first row', () => {
		const result = validateDevices(
			[row(2, { name: 'Truck' }), row(3, { name: 'Van' }), row(4, { name: 'Truck' }), row(9, { name: ' Truck ' })],
			'add',
		);
		expect(result.devices.map((d) => d.row)).toEqual([2, 3]);
		expectIssues(result.issues.slice(0, 1), 4, [{ column: 'name', reason: /used twice in this upload \(first in row 2\)/, value: 'Truck' }]);
		expect(result.issues[1]).toMatchObject({ row: 9, column: 'name', reason: expect.stringMatching(/first in row 2/) });
	});

	it('finds every repeated name among many rows (the index grows)', () => {
		const rows = Array.from({ length: 20_000 }, (_, i) =>
			row(i + 2, { name: i % 7 === 6 ? `Device number ${i - 3}` : `Device number ${i}`, externalId: `E${i}` }),
		);
		const result = validateDevices(rows, 'add');
		const repeated = rows.filter((_, i) => i % 7 === 6);
		expect(result.issues).toHaveLength(repeated.length);
		expect(result.devices).toHaveLength(20_000 - repeated.length);
		result.issues.forEach((issue, k) => {
			const i = k * 7 + 6;
			expect(issue).toMatchObject({ row: i + 2, column: 'name', reason: expect.stringContaining(`first in row ${i - 1}`) });
		});
	});

	it('finds a device identity used twice', () => {
		const result = validateDevices(
			[
				row(2, { name: 'a', deviceId: 'D1' }),
				row(3, { name: 'b', deviceId: 'D1' }),
				row(4, { name: 'c', externalDeviceId: 'X', connectorId: 'C' }),
				row(5, { name: 'd', externalDeviceId: 'X', connectorId: 'C' }),
				row(6, { name: 'e', externalDeviceId: 'X', connectorId: 'C2' }),
			],
			'add',
		);
		expect(result.issues.map((i) => [i.row, i.column, i.reason])).toEqual([
			[3, 'deviceId', 'names the same device as row 2; a device can appear only once in an upload'],
			[5, 'externalDeviceId', 'names the same device as row 4; a device can appear only once in an upload'],
		]);
	});

	it('reports the fields the settings require of a row (Define Below), each missing field once', () => {
		const required = [
			{ field: 'externalDeviceId' as const, reason: 'is required for a Cloud-to-Cloud Device' },
			{ field: 'connectorId' as const, reason: 'is required for a Cloud-to-Cloud Device' },
		];
		const result = validateDevices(
			[row(0, { name: 'a', externalDeviceId: 'X', connectorId: 'C' }), row(1, { name: 'b', connectorId: 'C' }), row(2, { name: 'c' }), row(3, { name: 'd' })],
			'add',
			{ label: 'item', requiredFields: (n) => (n < 3 ? required : undefined) },
		);
		expect(result.devices.map((d) => d.row)).toEqual([0, 3]);
		// Row 1 gets no second issue for externalDeviceId from the pair rule ("required when connectorId is given").
		expect(result.issues.map((i) => [i.row, i.column, i.reason])).toEqual([
			[1, 'externalDeviceId', 'is required for a Cloud-to-Cloud Device'],
			[2, 'externalDeviceId', 'is required for a Cloud-to-Cloud Device'],
			[2, 'connectorId', 'is required for a Cloud-to-Cloud Device'],
		]);
	});

	it('labels rows as the source counts them', () => {
		const result = validateDevices([row(0, { name: 'a' }), row(1, { name: 'a' })], 'add', { label: 'item' });
		expect(result.issues[0]).toMatchObject({ row: 1, label: 'item', reason: expect.stringMatching(/first in item 0/) });
	});
});

describe('validateDevices: delete rows', () => {
	it.each<[string, Record<string, unknown>, Record<string, unknown>]>([
		['a tracking id', { trackingId: 'HERE-ef63c528-0aea-4f9f-a160-368559fa31ed' }, { trackingId: 'HERE-ef63c528-0aea-4f9f-a160-368559fa31ed' }],
		['a tracking id, unclaim only (1)', { trackingId: 'HERE-1', unclaimOnly: '1' }, { trackingId: 'HERE-1', unclaimOnly: true }],
		// the tutorial's delete example sends the flag as the string "true"
		["the tutorial's virtual device", { externalId: 'MyDevice1', unclaimOnly: 'true' }, { externalId: 'MyDevice1', unclaimOnly: true }],
		[
			'a cloud-to-cloud device, remove from connector only',
			{ externalDeviceId: 'MyExternalDevice', connectorId: 'CON-8bfd6006-5fe6-400f-8a0a-ca73d44866f3', removeFromConnectorOnly: '1' },
			{ connectorId: 'CON-8bfd6006-5fe6-400f-8a0a-ca73d44866f3', externalDeviceId: 'MyExternalDevice', removeFromConnectorOnly: true },
		],
		[
			'removeFromConnectorOnly false on a tracking id is dropped (the API allows it only for c2c)',
			{ trackingId: 'HERE-2', removeFromConnectorOnly: false, unclaimOnly: false },
			{ trackingId: 'HERE-2', unclaimOnly: false },
		],
	])('%s', (_, fields, device) => {
		const result = validateDevices([row(4, fields)], 'delete');
		expect(result.issues).toEqual([]);
		expect(result.devices).toStrictEqual([{ row: 4, device }]);
	});

	it.each<[string, Record<string, unknown>, Expected[]]>([
		['nothing that names a device', { unclaimOnly: true }, [{ column: undefined, reason: /does not say which device to delete/ }]],
		[
			'trackingId and externalId',
			{ trackingId: 'HERE-1', externalId: 'e' },
			[{ column: undefined, reason: /more than one way \(trackingId, externalId\)/ }],
		],
		['connectorId alone', { connectorId: 'C' }, [{ column: 'externalDeviceId', reason: /required when connectorId is given/ }]],
		[
			'removeFromConnectorOnly on a tracking id',
			{ trackingId: 'HERE-1', removeFromConnectorOnly: 'true' },
			[{ column: 'removeFromConnectorOnly', reason: /only for a cloud-to-cloud device/ }],
		],
		['unclaimOnly "yes"', { trackingId: 'HERE-1', unclaimOnly: 'yes' }, [{ column: 'unclaimOnly', reason: /must be true or false/, value: 'yes' }]],
		['a 51-character trackingId', { trackingId: 'x'.repeat(51) }, [{ column: 'trackingId', reason: /longer than 50/ }]],
		[
			'an add row (name) in a delete job',
			{ name: 'Tracker 1', externalId: 'e' },
			[{ column: 'name', reason: /looks like a device to add \(it has name\), but this job deletes devices/ }],
		],
	])('%s', (_, fields, expected) => {
		const result = validateDevices([row(5, fields)], 'delete');
		expect(result.devices).toEqual([]);
		expectIssues(result.issues, 5, expected);
	});

	it('finds the same device twice', () => {
		const result = validateDevices(
			[row(2, { trackingId: 'HERE-1' }), row(3, { externalId: 'HERE-1' }), row(4, { trackingId: 'HERE-1' })],
			'delete',
		);
		expect(result.devices.map((d) => d.row)).toEqual([2, 3]);
		expect(result.issues).toEqual([
			expect.objectContaining({ row: 4, column: 'trackingId', reason: expect.stringMatching(/same device as row 2/) }),
		]);
	});
});

describe('validateDevices: keys that share long prefixes and suffixes', () => {
	// Real fleets number their devices in the middle of a name or id; every such key must be
	// told apart exactly, whatever its shape.
	const middle = (prefix: string, i: number, suffix: string) => `${prefix}${String(i).padStart(7, '0')}${suffix}`;

	it('finds exactly the repeated names and externalIds, and nothing else', () => {
		const rows = Array.from({ length: 3000 }, (_, i) => {
			const n = i % 10 === 9 ? i - 5 : i; // every tenth row repeats the key of a row 5 before it
			return row(i + 2, { name: middle('Tracker of depot Munich-', n, '-north gate'), externalId: middle('dev-', i % 15 === 14 ? i - 7 : i, '@fleet.acme-logistics.com') });
		});
		const result = validateDevices(rows, 'add');
		const expected = rows.flatMap((r, i) => [
			...(i % 10 === 9 ? [[r.row, 'name', `first in row ${r.row - 5}`]] : []),
			...(i % 15 === 14 ? [[r.row, 'externalId', `same device as row ${r.row - 7}`]] : []),
		]);
		expect(result.issues.map((issue) => [issue.row, issue.column, issue.reason.match(/first in row \d+|same device as row \d+/)?.[0]])).toEqual(expected);
		expect(result.devices).toHaveLength(3000 - new Set(expected.map(([r]) => r)).size);
	});

	it('tells apart trackingIds that differ in one middle character', () => {
		const ids = ['HERE-5cb2b777-7389-0000001-472b-81f0-9ab89a9c', 'HERE-5cb2b777-7389-0000002-472b-81f0-9ab89a9c', 'HERE-5cb2b777-7389-0000001-472b-81f0-9ab89a9d'];
		const result = validateDevices([...ids, ids[0]].map((trackingId, i) => row(i + 2, { trackingId })), 'delete');
		expect(result.devices.map((d) => d.row)).toEqual([2, 3, 4]);
		expect(result.issues).toEqual([expect.objectContaining({ row: 5, column: 'trackingId', reason: expect.stringContaining('same device as row 2') })]);
	});
});
