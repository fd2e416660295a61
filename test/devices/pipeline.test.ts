import fc from 'fast-check';
import { NodeOperationError } from 'n8n-workflow';

import { chunkDevices, formatIssues, prepareDevices, SeenDevices } from '../../nodes/HereBulkJobs/devices';
import type { DeviceSource, JobKind, PreparedDevices, DeviceRow } from '../../nodes/HereBulkJobs/devices';

import { readRows } from './sourceRows';

function csvOf(count: number): string {
	const lines = ['name,sendMs,sampleMs,tags'];
	for (let i = 0; i < count; i++) lines.push(`Tracker ${i},600000,300000,fleet|north`);
	return `${lines.join('\n')}\n`;
}

describe('prepareDevices', () => {
	it('reads 2,500 CSV devices with their rows, and chunks them into 1000/1000/500', async () => {
		const prepared = await prepareDevices({ source: { type: 'csv', data: csvOf(2500) }, kind: 'add' });
		expect(prepared.issues).toEqual([]);
		expect(prepared.fatal).toBe(false);
		expect(prepared.label).toBe('row');
		expect(prepared.devices).toHaveLength(2500);
		const rowChunks = chunkDevices(prepared.rows);
		expect(rowChunks.map((rows) => [rows.length, rows[0], rows[rows.length - 1]])).toEqual([
			[1000, 2, 1001],
			[1000, 1002, 2001],
			[500, 2002, 2501],
		]);
		expect(prepared.devices[0]).toStrictEqual({
			name: 'Tracker 0',
			sendMs: 600000,
			sampleMs: 300000,
			tags: ['fleet', 'north'],
		});
	});

	it('honours a smaller chunk size', async () => {
		const prepared = await prepareDevices({ source: { type: 'csv', data: csvOf(5) }, kind: 'add' });
		expect(chunkDevices(prepared.rows, 2)).toEqual([[2, 3], [4, 5], [6]]);
	});

	it('returns the valid devices and every issue, ordered by row', async () => {
		const csv = 'name,sendMs,tag:x\nok1,1,\n,2,\nbad,abc,maybe\nok2,3,1\nshort\n';
		const prepared = await prepareDevices({ source: { type: 'csv', data: csv }, kind: 'add' });
		expect(prepared.fatal).toBe(false);
		expect(prepared.devices).toHaveLength(2);
		expect(prepared.rows).toEqual([2, 5]);
		expect(prepared.issues.map((i) => [i.row, i.column])).toEqual([
			[3, 'name'],
			[4, 'tag:x'],
			[4, 'sendMs'],
			[6, undefined],
		]);
		expect(prepared.invalidRows).toBe(3);
	});

	it('yields no device for a row whose only problem the source found (a bad tag: cell, an unknown field)', async () => {
		const csv = await prepareDevices({ source: { type: 'csv', data: 'name,tag:x\na,maybe\nb,1\n' }, kind: 'add' });
		expect(csv.rows).toEqual([3]);
		expect(csv.issues.map((i) => [i.row, i.column])).toEqual([[2, 'tag:x']]);
		const items = await prepareDevices({ source: { type: 'items', items: [{ name: 'a', colour: 'red' }, { name: 'b' }] }, kind: 'add' });
		expect(items.rows).toEqual([1]);
		expect(items.invalidRows).toBe(1);
	});

	it('gives no devices for an unusable input', async () => {
		const prepared = await prepareDevices({ source: { type: 'csv', data: 'name;sendMs\na;1\n' }, kind: 'add' });
		expect(prepared.fatal).toBe(true);
		expect(prepared.devices).toEqual([]);
		expect(prepared.rows).toEqual([]);
		expect(prepared.issues).toHaveLength(1);
	});

	it('reads items and JSON, with their own row labels', async () => {
		const items = await prepareDevices({
			source: { type: 'items', items: [{ name: 'a', extra: 1 }, { name: 'b' }] },
			kind: 'add',
			ignoreUnknownFields: true,
		});
		expect(items.label).toBe('item');
		expect(items.rows).toEqual([0, 1]);
		const json = await prepareDevices({ source: { type: 'json', data: '[{"trackingId":"HERE-1"},{}]' }, kind: 'delete' });
		expect(json.label).toBe('element');
		expect(json.devices).toEqual([{ trackingId: 'HERE-1' }]);
		expect(json.issues).toEqual([expect.objectContaining({ row: 1, label: 'element' })]);
	});

	it('does not add "no devices" when every row was already refused', async () => {
		const prepared = await prepareDevices({ source: { type: 'csv', data: 'name,sendMs\na\nb\n' }, kind: 'add' });
		expect(prepared.issues.map((i) => i.row)).toEqual([2, 3]);
	});

	it('reports an unknown column and still every row\'s own problems', async () => {
		const prepared = await prepareDevices({ source: { type: 'csv', data: 'name,colour,sendMs\na,red,abc\n,blue,1\nb,green,2\n' }, kind: 'add' });
		expect(prepared.fatal).toBe(true);
		expect(prepared.devices).toEqual([]);
		expect(prepared.issues.map((i) => [i.row, i.column, i.reason.slice(0, 24)])).toEqual([
			[1, undefined, 'unknown column "colour".'],
			[2, 'sendMs', 'is not a number'],
			[3, 'name', 'is required'],
		]);
	});

	it('finds a device repeated across the sources of one run, naming where it was first', async () => {
		const seen = new SeenDevices();
		const first = await prepareDevices({ source: { type: 'csv', data: 'name,externalId\nTruck 1,ext-1\nTruck 2,ext-2\n' }, kind: 'add', seen, sourceName: 'input item 0' });
		expect(first.issues).toEqual([]);
		const second = await prepareDevices({
			source: { type: 'csv', data: 'name,externalId\nTruck 3,ext-3\nTruck 2,ext-4\nTruck 5,ext-1\nTruck 3,ext-6\n' },
			kind: 'add',
			seen,
			sourceName: 'input item 1',
		});
		expect(second.issues.map((i) => [i.row, i.column, i.reason])).toEqual([
			[3, 'name', 'is used twice in this upload (first in input item 0, row 3); names must be unique'],
			[4, 'externalId', 'names the same device as input item 0, row 2; a device can appear only once in an upload'],
			[5, 'name', 'is used twice in this upload (first in row 2); names must be unique'],
		]);
		expect(second.rows).toEqual([2]);
		// Without a shared SeenDevices, each source is checked on its own.
		const alone = await prepareDevices({ source: { type: 'csv', data: 'name\nTruck 1\n' }, kind: 'add' });
		expect(alone.issues).toEqual([]);
	});

	it('escapes values in the HTML report, and says them plainly in the message text', async () => {
		const prepared = await prepareDevices({ source: { type: 'csv', data: 'name,sendMs\n<b>Truck</b> & co,1\n<b>Truck</b> & co,2\nx,<img src=x>\n' }, kind: 'add' });
		const report = formatIssues(prepared.issues);
		expect(report).toContain('row 3: &quot;&lt;b&gt;Truck&lt;/b&gt; &amp; co&quot;');
		expect(report).toContain('row 4: &quot;&lt;img src=x&gt;&quot;');
		expect(report.replace(/<\/?(ul|li)>/g, '')).not.toMatch(/[<>]/);
	});

	// Options a user sets (the job kind and the source's type are TypeScript's to check).
	it.each<[string, Record<string, unknown>]>([
		['a row limit of 0', { maxRows: 0 }],
	])('refuses %s with a NodeOperationError', async (_, override) => {
		const options = { source: { type: 'csv', data: 'name\na\n' }, kind: 'add', ...override } as unknown as Parameters<
			typeof prepareDevices
		>[0];
		await expect(prepareDevices(options)).rejects.toThrow(NodeOperationError);
	});

	it('turns a failing input stream into a NodeOperationError', async () => {
		async function* broken(): AsyncGenerator<Buffer> {
			yield Buffer.from('name\na\n');
			throw new Error('binary data store unavailable');
		}
		await expect(prepareDevices({ source: { type: 'csv', data: broken() }, kind: 'add' })).rejects.toThrow(
			/Could not read the CSV data: binary data store unavailable/,
		);
	});
});

// ---------------------------------------------------------------------------------------------
// Properties

const CSV_ALPHABET = ['a', 'b', '1', '0', ' ', ',', ',', '"', '\n', '\n', '\r', '|', ';', 'é', '🚚', '-', '\t'];
const HEADERS = ['name', 'sendMs', 'tags', 'deviceId', 'tag:x', 'areaBased', 'trackingId', 'unclaimOnly'];

/** CSV-like text: a plausible header, then characters that stress quoting and line ends. */
const csvLike = fc
	.tuple(
		fc.subarray(HEADERS, { minLength: 1 }),
		fc.array(fc.constantFrom(...CSV_ALPHABET), { maxLength: 300 }),
	)
	.map(([header, body]) => `${header.join(',')}\n${body.join('')}`);

const junkSource: fc.Arbitrary<DeviceSource> = fc.oneof(
	csvLike.map((data): DeviceSource => ({ type: 'csv', data })),
	fc.string({ unit: 'binary', maxLength: 300 }).map((data): DeviceSource => ({ type: 'csv', data })),
	fc.uint8Array({ maxLength: 300 }).map((data): DeviceSource => ({ type: 'csv', data })),
	fc.anything().map((data): DeviceSource => ({ type: 'json', data })),
	fc.string({ maxLength: 200 }).map((data): DeviceSource => ({ type: 'json', data })),
	fc.jsonValue().map((data): DeviceSource => ({ type: 'json', data: JSON.stringify(data) })),
	fc.array(fc.anything(), { maxLength: 20 }).map((items): DeviceSource => ({ type: 'items', items })),
	fc
		.array(fc.dictionary(fc.constantFrom(...HEADERS, 'geofences', 'rules', 'Name', 'x'), fc.anything()), { maxLength: 20 })
		.map((items): DeviceSource => ({ type: 'items', items })),
);

function checkPrepared(prepared: PreparedDevices<DeviceRow>): void {
	for (const issue of prepared.issues) {
		expect(typeof issue.reason).toBe('string');
		expect(issue.reason.length).toBeGreaterThan(0);
		expect(Number.isInteger(issue.row)).toBe(true);
		if (issue.value !== undefined) expect(issue.value.length).toBeLessThanOrEqual(40);
	}
	expect(prepared.devices).toHaveLength(prepared.rows.length);
	for (const chunk of chunkDevices(prepared.devices)) {
		expect(chunk.length).toBeGreaterThan(0);
		expect(chunk.length).toBeLessThanOrEqual(1000);
	}
	if (prepared.fatal) expect(prepared.devices).toEqual([]);
	expect(typeof formatIssues(prepared.issues)).toBe('string');
}

describe('properties', () => {
	it('never throws anything but a NodeOperationError with a message, whatever the input', async () => {
		await fc.assert(
			fc.asyncProperty(junkSource, fc.constantFrom<JobKind>('add', 'delete'), async (source, kind) => {
				try {
					checkPrepared(await prepareDevices({ source, kind }));
				} catch (error) {
					expect(error).toBeInstanceOf(NodeOperationError);
					expect((error as Error).message.length).toBeGreaterThan(0);
				}
			}),
			{ numRuns: 400 },
		);
	});

	it('reads a stream cut anywhere exactly as the whole buffer', async () => {
		await fc.assert(
			fc.asyncProperty(csvLike, fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 5 }), async (text, sizes) => {
				const bytes = Buffer.from(text, 'utf8');
				async function* pieces(): AsyncGenerator<Buffer> {
					let at = 0;
					for (let i = 0; at < bytes.length; i++) {
						const size = sizes[i % sizes.length];
						yield bytes.subarray(at, at + size);
						at += size;
					}
				}
				expect(await readRows({ type: 'csv', data: pieces() })).toEqual(await readRows({ type: 'csv', data: bytes }));
			}),
			{ numRuns: 300 },
		);
	});

	it('numbers rows by the lines where they start', async () => {
		// Rows with random quoted newlines (LF or CRLF) and blank lines between them: the row
		// number of each name is 1 + the line breaks before it.
		const cell = fc.array(fc.constantFrom('x', 'y', '\n', '\r\n', ',', '""'), { minLength: 1, maxLength: 6 }).map((parts) => parts.join(''));
		await fc.assert(
			fc.asyncProperty(
				fc.array(fc.tuple(cell, fc.integer({ min: 0, max: 2 })), { minLength: 1, maxLength: 15 }),
				fc.constantFrom('\n', '\r\n'),
				async (rows, eol) => {
					let text = `name${eol}`;
					const expected: Array<[number, string]> = [];
					rows.forEach(([value, blankLines], i) => {
						text += eol.repeat(blankLines);
						const start = text.split(/\r\n|\n/).length;
						const name = `n${i}${value}`;
						text += `"${name}"${eol}`;
						expected.push([start, name.replace(/""/g, '"')]);
					});
					const parsed = await readRows({ type: 'csv', data: text });
					expect(parsed.issues).toEqual([]);
					expect(parsed.rows.map((r) => [r.row, r.fields.name])).toEqual(expected);
				},
			),
			{ numRuns: 300 },
		);
	});
});
