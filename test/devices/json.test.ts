import type { ReadOptions } from '../../nodes/HereBulkJobs/devices/types';

import { readRows, validateDevices } from './sourceRows';

/** The pipeline's rows of a JSON device list, before validation. */
function parseJsonDevices(data: unknown, options?: ReadOptions) {
	return readRows({ type: 'json', data }, options);
}

/** The tutorial's JSON body for adding devices (verbatim). */
const TUTORIAL_ADD_JSON = `[
          {
            "name": "my at4h tracker in distance based mode3",
            "sendMs": 600000,
            "sampleMs": 300000,
            "distanceM": 100,
            "type": "Phone"
          },
          {
            "name": "my c2c tracker in distance based mode3",
            "externalDeviceId": "1e50ed8d-c291-4f16-8a51-86fe03267496",
            "connectorId": "cf208b96-ef0b-4227-a3ee-224679cce07a",
            "type": "Custom type"
          }
        ]`;

/** The tutorial's JSON body for deleting devices (the flag is the string "true"). */
const TUTORIAL_DELETE_JSON = `[
          {
            "externalId": "MyDevice1",
            "unclaimOnly": "true"
          }
        ]`;

describe('parseJsonDevices', () => {
	it("reads the tutorial's add example", async () => {
		const parsed = await parseJsonDevices(TUTORIAL_ADD_JSON);
		expect(parsed.label).toBe('element');
		const { devices, issues } = validateDevices(parsed.rows, 'add', { label: parsed.label });
		expect([...parsed.issues, ...issues]).toEqual([]);
		expect(devices).toStrictEqual([
			{
				row: 0,
				device: { name: 'my at4h tracker in distance based mode3', sendMs: 600000, sampleMs: 300000, distanceM: 100, type: 'Phone' },
			},
			{
				row: 1,
				device: {
					name: 'my c2c tracker in distance based mode3',
					externalDeviceId: '1e50ed8d-c291-4f16-8a51-86fe03267496',
					connectorId: 'cf208b96-ef0b-4227-a3ee-224679cce07a',
					type: 'Custom type',
				},
			},
		]);
	});

	it("reads the tutorial's delete example", async () => {
		const parsed = await parseJsonDevices(TUTORIAL_DELETE_JSON);
		const { devices, issues } = validateDevices(parsed.rows, 'delete', { label: parsed.label });
		expect(issues).toEqual([]);
		expect(devices).toStrictEqual([{ row: 0, device: { externalId: 'MyDevice1', unclaimOnly: true } }]);
	});

	it('takes an already parsed array and UTF-8 bytes', async () => {
		expect((await parseJsonDevices([{ name: 'a' }])).rows).toHaveLength(1);
		expect((await parseJsonDevices(Buffer.from('\uFEFF[{"name":"ä"}]', 'utf8'))).rows[0].fields.name).toBe('ä');
	});

	it.each([
		['an empty string', '  ', /the device list is empty/],
		['invalid JSON, with line and column', '[\n  {"name": "a",}\n]', /is not valid JSON/],
		['cut-off JSON', '[{"name": "a"', /is not valid JSON/],
		['an object instead of an array', '{"devices": [{"name": "a"}]}', /must be a JSON array of devices.*not an object \(its field "devices" is a list: give that list instead\)/],
		['a number', 42, /must be a JSON array.*not a number/],
		['null', null, /not null/],
		['an empty array', '[]', /the JSON array is empty/],
		['non-UTF-8 bytes', Buffer.from([0x5b, 0xff, 0x5d]), /not UTF-8/],
	])('refuses %s as a whole', async (_, input, reason) => {
		const parsed = await parseJsonDevices(input);
		expect(parsed.fatal).toBe(true);
		expect(parsed.rows).toEqual([]);
		expect(parsed.issues).toEqual([expect.objectContaining({ row: 0, label: 'element', whole: true, reason: expect.stringMatching(reason) })]);
	});

	it.each([
		['no leading whitespace', '[\n  {"name": "a",}\n]', 'line 2, column 16'],
		['leading blank lines and spaces', '\n\n  [\n  {"name": "a",}\n]', 'line 4, column 16'],
		['leading spaces on the same line', '    [{"name": "a",}]', 'line 1, column 19'],
		['CRLF line ends and a byte order mark', '\uFEFF\r\n[\r\n  {"name": "a",}\r\n]', 'line 3, column 16'],
	])('gives a syntax error\'s line and column in the text as written (%s)', async (_, text, at) => {
		const parsed = await parseJsonDevices(text);
		expect(parsed.issues).toEqual([expect.objectContaining({ whole: true, reason: `the device list is not valid JSON (${at})` })]);
	});

	it('never echoes the JSON text in a syntax error', async () => {
		const parsed = await parseJsonDevices('[{"name": "a", "password": "hunter2" x}]');
		expect(parsed.issues[0].reason).not.toContain('hunter2');
	});

	it('reports elements that are not objects and unknown keys, by element index', async () => {
		const parsed = await parseJsonDevices('[{"name": "a"}, "b", [1], {"name": "c", "colour": "red", "deviceSecret": "s3cr3t"}]');
		expect(parsed.fatal).toBe(false);
		expect(parsed.issues.map((i) => [i.row, i.column, i.reason.slice(0, 30)])).toEqual([
			[1, undefined, 'is not an object with device f'],
			[2, undefined, 'is not an object with device f'],
			[3, 'colour', 'is not a device field (leave i'],
			[3, 'deviceSecret', 'is not a device field (leave i'],
		]);
		expect(JSON.stringify(parsed.issues)).not.toContain('s3cr3t');
		expect(parsed.rows.map((r) => r.row)).toEqual([0, 3]);
	});

	it('reads whole n8n items as their json, but a device with a "json" field as a device (its other fields are kept)', async () => {
		const parsed = await parseJsonDevices([
			{ json: { name: 'a' }, pairedItem: { item: 0 } },
			{ externalId: 'van-1', sendMilis: 5, json: { name: 'Van 1' } },
			{ json: { name: 'b' }, deviceSecret: 's3cr3t' },
			// An item from a sub-workflow (Execute Workflow) carries n8n's metadata key.
			{ json: { name: 'c' }, pairedItem: { item: 3 }, metadata: { subExecution: { executionId: '7', workflowId: 'w' } } },
		]);
		expect(parsed.rows.map((r) => [r.row, r.fields])).toEqual([
			[0, { name: 'a' }],
			[1, { externalId: 'van-1' }],
			[2, {}],
			[3, { name: 'c' }],
		]);
		expect(parsed.issues.map((i) => [i.row, i.column])).toEqual([
			[1, 'sendMilis'],
			[1, 'json'],
			[2, 'json'],
			[2, 'deviceSecret'],
		]);
		expect(JSON.stringify(parsed.issues)).not.toContain('s3cr3t');
		// A delete row never has a name: it keeps its identity too.
		const deleting = await parseJsonDevices([{ externalId: 'van-1', json: { unclaimOnly: true } }], { ignoreUnknownFields: true });
		expect(deleting.rows.map((r) => r.fields)).toEqual([{ externalId: 'van-1' }]);
	});

	it('ignores unknown keys when told to', async () => {
		const parsed = await parseJsonDevices([{ name: 'c', colour: 'red' }], { ignoreUnknownFields: true });
		expect(parsed.issues).toEqual([]);
	});

	it('keeps an empty string for validation to refuse (the API would)', async () => {
		const parsed = await parseJsonDevices([{ name: 'a', sendMs: '' }]);
		const { issues } = validateDevices(parsed.rows, 'add', { label: parsed.label });
		expect(issues).toEqual([{ row: 0, label: 'element', column: 'sendMs', reason: 'is empty: leave it out or give a number' }]);
	});

	it('keeps null for validation to refuse (the API would): "deviceId": null never becomes a new device', async () => {
		const parsed = await parseJsonDevices('[{"name": "T", "deviceId": null}, {"name": "U", "externalId": ""}, {"name": "V", "tags": null}]');
		const { devices, issues } = validateDevices(parsed.rows, 'add', { label: parsed.label });
		expect(devices).toEqual([]);
		expect([...parsed.issues, ...issues]).toEqual([
			{ row: 0, label: 'element', column: 'deviceId', reason: 'must be text, not null' },
			{ row: 1, label: 'element', column: 'externalId', reason: 'is empty: leave it out or give a value' },
			{ row: 2, label: 'element', column: 'tags', reason: 'must be a list or text (entries separated by |, ; or ,), not null' },
		]);
	});

	it('refuses more devices than the limit', async () => {
		const parsed = await parseJsonDevices([{ name: 'a' }, { name: 'b' }, { name: 'c' }], { maxRows: 2 });
		expect(parsed.fatal).toBe(true);
		expect(parsed.issues[0].reason).toMatch(/there are 3 devices, more than 2, the most one run reads/);
	});
});
