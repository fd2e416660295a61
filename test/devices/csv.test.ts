import type { CsvInput } from '../../nodes/HereBulkJobs/devices/csv';
import type { ReadOptions } from '../../nodes/HereBulkJobs/devices/types';

import { readRows, validateDevices } from './sourceRows';

/** HERE's "Create a bulk job" tutorial, CSV example (verbatim). */
const TUTORIAL_CSV = `name,deviceId,externalDeviceId,connectorId,sendMs,sampleMs,distanceM,areaBased,type,tag:priority1,tag:priority2,tag:food,tag:Fragile,rule:74a6fe54-2077-4629-b924-3340bc88b864,rule:c096874c-0d5f-41c8-9cd8-56c25f9df23b,rule:db9403d1-64b4-48c0-a0e7-bc5f69eb624f,geofence:08e742fc-52d1-49aa-bea0-60a6cd17d8a2,geofence:2bff17e2-af05-4843-9780-878df098d35a
my at4h tracker in distance based mode,a19b2648-60c1-49fc-896c-ea450a07e98d,,,600000,300000,100,,Phone,1,,,,1,,,1,1
my super tracker in area based mode,13316aa5-3b80-414c-bf6d-86fa3ca6a31f,,,600000,100000,,1,Returnable / Reusable,,1,1,,1,1,,1,1
`;

/** The OpenAPI document's text/csv description, example 1 (add). */
const SPEC_EXAMPLE_1 = `name,deviceId,externalId,externalDeviceId,connectorId,sendMs,sampleMs,areaBased,distanceM,geofence:e0de7cbc-9328-4e37-b865-cdbe1fa1c7dc,geofence:2b4c5571-e398-45c5-9637-6ce63e320b4f,rule:b647155e-0789-4fa0-8807-154332c0617d,type
My HW tracker 1,1ae212e7-c342-4108-ad26-45df1a8e2631,,,,600000,120000,,,1,1,1,Warehouse
Unprovisioned device,,,,,600000,120000,,100,,,,Phone
Virtual tracker,,MyDevice,,,900000,180000,1,,1,1,,Heavy Machinery
My external cloud tracker,,,MyExternalDeviceIdentifier,CON-8bfd6006-5fe6-400f-8a0a-ca73d44866f3,,,,,1,,1,Airport / Air Cargo
`;

/** Example 2 (tags and geofences columns; HERE writes ';' between the tags). */
const SPEC_EXAMPLE_2 = `name,tags,geofences
tracker1,Priority1;Important,2b4c5571-e398-45c5-9637-6ce63e320b4f|e0de7cbc-9328-4e37-b865-cdbe1fa1c7dc
tracker2,Important,e0de7cbc-9328-4e37-b865-cdbe1fa1c7dc
`;

/** The delete example. */
const SPEC_DELETE_EXAMPLE = `trackingId,externalId,externalDeviceId,connectorId,unclaimOnly,removeFromConnectorOnly
HERE-ef63c528-0aea-4f9f-a160-368559fa31ed,,,,1,
HERE-aba23346-5248-49db-bea8-9f75aa81d3dd,,,,,
,MyDevice,,,,
,,MyExternalDevice,CON-8bfd6006-5fe6-400f-8a0a-ca73d44866f3,,1
`;

const G1 = 'e0de7cbc-9328-4e37-b865-cdbe1fa1c7dc';
const G2 = '2b4c5571-e398-45c5-9637-6ce63e320b4f';

type SourceRows = Awaited<ReturnType<typeof readRows>>;

/** The pipeline's rows of a CSV, before validation. */
async function parseCsvDevices(data: CsvInput, options?: ReadOptions): Promise<SourceRows> {
	return await readRows({ type: 'csv', data }, options);
}

function names(result: SourceRows): Array<[number, unknown]> {
	return result.rows.map((r) => [r.row, r.fields.name]);
}

async function* chunked(bytes: Buffer, sizes: number[]): AsyncGenerator<Buffer> {
	let at = 0;
	let i = 0;
	while (at < bytes.length) {
		const size = sizes[i++ % sizes.length];
		yield bytes.subarray(at, at + size);
		at += size;
	}
}

describe('parseCsvDevices: HERE examples', () => {
	it("reads the tutorial's CSV (tag:, rule:, geofence: columns)", async () => {
		const parsed = await parseCsvDevices(TUTORIAL_CSV);
		expect(parsed.issues).toEqual([]);
		const { devices, issues } = validateDevices(parsed.rows, 'add');
		expect(issues).toEqual([]);
		expect(devices).toStrictEqual([
			{
				row: 2,
				device: {
					name: 'my at4h tracker in distance based mode',
					deviceId: 'a19b2648-60c1-49fc-896c-ea450a07e98d',
					sendMs: 600000,
					sampleMs: 300000,
					distanceM: 100,
					type: 'Phone',
					tags: ['priority1'],
					rules: ['74a6fe54-2077-4629-b924-3340bc88b864'],
					geofences: ['08e742fc-52d1-49aa-bea0-60a6cd17d8a2', '2bff17e2-af05-4843-9780-878df098d35a'],
				},
			},
			{
				row: 3,
				device: {
					name: 'my super tracker in area based mode',
					deviceId: '13316aa5-3b80-414c-bf6d-86fa3ca6a31f',
					sendMs: 600000,
					sampleMs: 100000,
					areaBased: true,
					type: 'Returnable / Reusable',
					tags: ['priority2', 'food'],
					rules: ['74a6fe54-2077-4629-b924-3340bc88b864', 'c096874c-0d5f-41c8-9cd8-56c25f9df23b'],
					geofences: ['08e742fc-52d1-49aa-bea0-60a6cd17d8a2', '2bff17e2-af05-4843-9780-878df098d35a'],
				},
			},
		]);
	});

	it("reads the spec's example 1 (all four identities)", async () => {
		const parsed = await parseCsvDevices(SPEC_EXAMPLE_1);
		const { devices, issues } = validateDevices(parsed.rows, 'add');
		expect([...parsed.issues, ...issues]).toEqual([]);
		expect(devices.map((d) => d.device)).toStrictEqual([
			{
				name: 'My HW tracker 1',
				deviceId: '1ae212e7-c342-4108-ad26-45df1a8e2631',
				sendMs: 600000,
				sampleMs: 120000,
				type: 'Warehouse',
				rules: ['b647155e-0789-4fa0-8807-154332c0617d'],
				geofences: [G1, G2],
			},
			{ name: 'Unprovisioned device', sendMs: 600000, sampleMs: 120000, distanceM: 100, type: 'Phone' },
			{
				name: 'Virtual tracker',
				externalId: 'MyDevice',
				sendMs: 900000,
				sampleMs: 180000,
				areaBased: true,
				type: 'Heavy Machinery',
				geofences: [G1, G2],
			},
			{
				name: 'My external cloud tracker',
				externalDeviceId: 'MyExternalDeviceIdentifier',
				connectorId: 'CON-8bfd6006-5fe6-400f-8a0a-ca73d44866f3',
				type: 'Airport / Air Cargo',
				rules: ['b647155e-0789-4fa0-8807-154332c0617d'],
				geofences: [G1],
			},
		]);
	});

	it("reads the spec's example 2 (tags, geofences list columns)", async () => {
		const parsed = await parseCsvDevices(SPEC_EXAMPLE_2);
		const { devices, issues } = validateDevices(parsed.rows, 'add');
		expect([...parsed.issues, ...issues]).toEqual([]);
		expect(devices).toStrictEqual([
			{ row: 2, device: { name: 'tracker1', tags: ['Priority1', 'Important'], geofences: [G2, G1] } },
			{ row: 3, device: { name: 'tracker2', tags: ['Important'], geofences: [G1] } },
		]);
	});

	it("reads the spec's delete example", async () => {
		const parsed = await parseCsvDevices(SPEC_DELETE_EXAMPLE);
		const { devices, issues } = validateDevices(parsed.rows, 'delete');
		expect([...parsed.issues, ...issues]).toEqual([]);
		expect(devices).toStrictEqual([
			{ row: 2, device: { trackingId: 'HERE-ef63c528-0aea-4f9f-a160-368559fa31ed', unclaimOnly: true } },
			{ row: 3, device: { trackingId: 'HERE-aba23346-5248-49db-bea8-9f75aa81d3dd' } },
			{ row: 4, device: { externalId: 'MyDevice' } },
			{
				row: 5,
				device: {
					connectorId: 'CON-8bfd6006-5fe6-400f-8a0a-ca73d44866f3',
					externalDeviceId: 'MyExternalDevice',
					removeFromConnectorOnly: true,
				},
			},
		]);
	});

	it('merges both styles: a tags column and tag: columns', async () => {
		const parsed = await parseCsvDevices(
			`name,tags,tag:Fragile,geofences,geofence:${G1},rules\nbox,priority 1|priority 2,1,${G2},1,\nbag,,0,,true,\n`,
		);
		expect(parsed.issues).toEqual([]);
		expect(parsed.rows.map((r) => [r.fields.tags, r.fields.geofences])).toEqual([
			[['priority 1', 'priority 2', 'Fragile'], [G2, G1]],
			[undefined, [G1]],
		]);
	});
});

describe('parseCsvDevices: row numbers are the lines where records start', () => {
	it.each([
		['LF', 'name,sendMs\na,1\nb,2\nc,3\n', [[2, 'a'], [3, 'b'], [4, 'c']]],
		['CRLF', 'name,sendMs\r\na,1\r\nb,2\r\nc,3\r\n', [[2, 'a'], [3, 'b'], [4, 'c']]],
		['CR only', 'name,sendMs\ra,1\rb,2\r', [[2, 'a'], [3, 'b']]],
		['a UTF-8 BOM', '\uFEFFname,sendMs\na,1\n', [[2, 'a']]],
		['no final newline', 'name,sendMs\na,1\nb,2', [[2, 'a'], [3, 'b']]],
		['blank lines', 'name,sendMs\n\na,1\n\n\nb,2\n\n', [[3, 'a'], [6, 'b']]],
		['blank rows of empty cells (",")', 'name,sendMs\n,\na,1\n , \nb,2\n', [[3, 'a'], [5, 'b']]],
		['a quoted LF', 'name,sendMs\n"two\nlines",1\nb,2\n', [[2, 'two\nlines'], [4, 'b']]],
		['a quoted CRLF in a CRLF file', 'name,sendMs\r\n"two\r\nlines",1\r\nb,2\r\n"x\r\n\r\ny",3\r\nz,4\r\n', [[2, 'two\r\nlines'], [4, 'b'], [5, 'x\r\n\r\ny'], [8, 'z']]],
		['a BOM, CRLF, a blank line and a quoted CRLF', '\uFEFFname,sendMs\r\n\r\n"a\r\nb",1\r\nc,2\r\n', [[3, 'a\r\nb'], [5, 'c']]],
		['quoted commas and quotes', 'name,sendMs\n"Truck, big",1\n"The ""best"" van",2\n', [[2, 'Truck, big'], [3, 'The "best" van']]],
	])('%s', async (_, csv, expected) => {
		const parsed = await parseCsvDevices(csv);
		expect(parsed.issues).toEqual([]);
		expect(names(parsed)).toEqual(expected);
	});

	it('numbers the rows of validation issues by line', async () => {
		const parsed = await parseCsvDevices('name,sendMs\r\n"multi\r\nline",1\r\n\r\nbad,12abc\r\n');
		const { issues } = validateDevices(parsed.rows, 'add', { label: parsed.label });
		expect(issues).toEqual([{ row: 5, label: 'row', column: 'sendMs', reason: 'is not a number', value: '12abc' }]);
	});
});

describe('parseCsvDevices: streaming', () => {
	const csv = Buffer.from(
		`\uFEFFname,tags,sendMs\r\n"Grüße, Müller 🚚",a|b,1\r\n\r\n"multi\r\nline ""quoted""",,2\r\nplain,c,3\r\nlast,d,4`,
		'utf8',
	);

	it.each([
		['1-byte chunks', [1]],
		['2 and 3-byte chunks (splitting CRLF and UTF-8 sequences)', [2, 3]],
		['7-byte chunks', [7]],
		['uneven chunks', [5, 1, 13, 2, 40]],
		['one chunk', [10_000]],
	])('gives the same rows in %s as from a buffer', async (_, sizes) => {
		const fromBuffer = await parseCsvDevices(csv);
		const fromStream = await parseCsvDevices(chunked(csv, sizes));
		expect(fromBuffer.issues).toEqual([]);
		expect(fromStream).toEqual(fromBuffer);
		expect(names(fromStream)).toEqual([
			[2, 'Grüße, Müller 🚚'],
			[4, 'multi\r\nline "quoted"'],
			[6, 'plain'],
			[7, 'last'],
		]);
	});

	it('gives the same rows for a large file read in 3 KiB chunks', async () => {
		const lines = ['name,tags,sendMs'];
		for (let i = 0; i < 3000; i++) lines.push(i % 7 === 0 ? `"Müller\r\n${i}",a|b,${i}` : `device ${i},c,${i}`);
		const big = Buffer.from(`${lines.join('\r\n')}\r\n`, 'utf8');
		const fromBuffer = await parseCsvDevices(big);
		expect(fromBuffer.rows).toHaveLength(3000);
		expect(fromBuffer.rows[2999].row).toBe(2 + 2999 + Math.ceil(3000 / 7));
		expect(await parseCsvDevices(chunked(big, [3072, 1000, 4097]))).toEqual(fromBuffer);
	});

	it('accepts string chunks and Uint8Arrays', async () => {
		const fromStrings = await parseCsvDevices(
			(async function* () {
				yield 'name,send';
				yield 'Ms\na,1\n';
			})(),
		);
		expect(names(fromStrings)).toEqual([[2, 'a']]);
		const fromUint8 = await parseCsvDevices(new Uint8Array(Buffer.from('name\nb\n')));
		expect(names(fromUint8)).toEqual([[2, 'b']]);
	});

	it('names a stray quote early in a large streamed file, not only at the end', async () => {
		const lines = ['name,type', 'b,12" pipe', ...Array.from({ length: 20_000 }, (_, i) => `d${i},x`)];
		const parsed = await parseCsvDevices(chunked(Buffer.from(lines.join('\n')), [65_536]));
		expect(parsed.issues).toEqual([
			expect.objectContaining({ row: 2, column: 'type', reason: expect.stringMatching(/double quote inside a value that is not quoted/) }),
		]);
	});

	it('stops reading a stream as soon as the row limit is passed', async () => {
		let produced = 0;
		let closed = false;
		async function* endless(): AsyncGenerator<Buffer> {
			try {
				yield Buffer.from('name\n');
				for (;;) {
					produced++;
					yield Buffer.from(`device ${produced}\n`);
				}
			} finally {
				closed = true;
			}
		}
		const parsed = await parseCsvDevices(endless(), { maxRows: 100 });
		expect(parsed.fatal).toBe(true);
		expect(parsed.rows).toEqual([]);
		expect(parsed.issues).toEqual([
			expect.objectContaining({ row: 102, reason: expect.stringMatching(/more than 100 device rows, the most one run reads/) }),
		]);
		// the first 4 KiB are read before parsing starts (to recognise binary files), then it stops
		expect(produced).toBeLessThan(1000);
		expect(closed).toBe(true);
	});
});

describe('parseCsvDevices: refusals', () => {
	async function refuse(csv: CsvInput, options = {}): Promise<SourceRows> {
		const parsed = await parseCsvDevices(csv, options);
		expect(parsed.fatal).toBe(true);
		expect(parsed.rows).toEqual([]);
		return parsed;
	}

	it('an unclosed quote, naming the row where the value starts', async () => {
		const parsed = await refuse('name,sendMs\na,1\n"b,2\nc,3\n');
		expect(parsed.issues).toEqual([
			{ row: 3, label: 'row', reason: expect.stringMatching(/starts a quoted value that is never closed/) },
		]);
	});

	it('text after a closing quote', async () => {
		const parsed = await refuse('name,sendMs\na,1\n"b"x,2\n');
		expect(parsed.issues).toEqual([
			expect.objectContaining({ row: 3, column: 'name', reason: expect.stringMatching(/right after a closing double quote/) }),
		]);
	});

	it('text after a closing quote on a later line of a multi-line value, after rows that span lines, also past the first piece', async () => {
		const parsed = await refuse('name,sendMs\n"a\r\nb",1\n"c\nd\ne"x,2\n');
		expect(parsed.issues).toEqual([
			expect.objectContaining({ row: 4, column: 'name', reason: expect.stringMatching(/^has text right after a closing double quote \(at line 6\)/) }),
		]);
		const rows = Array.from({ length: 20_000 }, (_, i) => (i % 1000 === 0 ? `"multi\nline ${i}",${i}` : `device ${i},${i}`));
		const big = await refuse(`name,sendMs\n${rows.join('\n')}\n"last\nvalue"x,1\n`);
		expect(big.issues).toEqual([expect.objectContaining({ row: 20_022, reason: expect.stringMatching(/\(at line 20023\)/) })]);
	});

	it('the problems of the rows before a broken one, as well as the broken one', async () => {
		const parsed = await refuse('name,sendMs\na,1\nb\n"c"x,2\n');
		expect(parsed.issues.map((i) => [i.row, i.reason.slice(0, 30)])).toEqual([
			[3, 'has 1 column, but the header h'],
			[4, 'has text right after a closing'],
		]);
	});

	it('a quote inside an unquoted value', async () => {
		const parsed = await refuse('name,type\na,1\nb,12" pipe\n');
		expect(parsed.issues).toEqual([
			expect.objectContaining({ row: 3, column: 'type', reason: expect.stringMatching(/double quote inside a value that is not quoted/) }),
		]);
	});

	it('a record longer than the limit (a runaway quote)', async () => {
		const parsed = await refuse(`name,type\na,"${'x'.repeat(500)}\n`, { maxRecordLength: 100 });
		expect(parsed.issues).toEqual([
			{ row: 2, label: 'row', reason: expect.stringMatching(/^is longer than 100 bytes, the most one row may hold, and is still inside a quoted value there: if a double quote .* is never closed, close it/) },
		]);
	});

	it('a record longer than the limit in bytes, without any quote (non-ASCII tags), is not blamed on a quote', async () => {
		const tags = 'é'.repeat(60); // 60 characters, 120 bytes
		const parsed = await refuse(`name,tags\na,ok\nb,${tags}\n`, { maxRecordLength: 100 });
		expect(parsed.issues).toEqual([
			{ row: 3, label: 'row', reason: expect.stringMatching(/^is longer than 100 bytes, the most one row may hold: shorten the row's longest values, such as its tags/) },
		]);
		expect(parsed.issues[0].reason).not.toMatch(/quote/);
	});

	it.each([
		['long non-ASCII values', `last,${'é'.repeat(3000)}\n`, false],
		['many empty cells', `last,${','.repeat(3000)}\n`, false],
		['a quote that is never closed', `last,"${'x'.repeat(3000)}\n`, true],
	])('a streamed row that is too long before its line ends (%s) is blamed on a quote only inside one', async (_, tail, quoted) => {
		const head = `name,tags\n${Array.from({ length: 400 }, (_, i) => `device ${i},t`).join('\n')}\n`;
		const bytes = Buffer.from(head + tail);
		// The first chunk ends 500 bytes into the long row: it is refused before its line ends.
		const parsed = await refuse(chunked(bytes, [Buffer.byteLength(head) + 500, 100_000]), { maxRecordLength: 100 });
		expect(parsed.issues[parsed.issues.length - 1]).toEqual({
			row: 402,
			label: 'row',
			reason: expect.stringMatching(quoted ? /^is longer than 100 bytes, .*still inside a quoted value.*never closed/ : /^is longer than 100 bytes, the most one row may hold: shorten/),
		});
	});

	it('a semicolon-separated file, asking for commas', async () => {
		const parsed = await refuse('name;deviceId;sendMs\na;b;1\n');
		expect(parsed.issues).toEqual([
			{ row: 1, label: 'row', reason: expect.stringMatching(/separated by semicolons.*commas/) },
		]);
	});

	it('a tag: column whose tag holds a ";" or a tab is a column, not a sign of another separator', async () => {
		const parsed = await parseCsvDevices('name,tag:fleet;type,tag:a\tname\nVan 1,1,1\n');
		expect(parsed.issues).toEqual([]);
		expect(parsed.rows).toEqual([{ row: 2, fields: { name: 'Van 1', tags: ['fleet;type', 'a\tname'] } }]);
		expect(validateDevices(parsed.rows, 'add')).toEqual({ devices: [{ row: 2, device: { name: 'Van 1', tags: ['fleet;type', 'a\tname'] } }], issues: [] });
	});

	it('a semicolon-separated file whose first cell holds a rule: column that is not a UUID is still named as semicolon-separated', async () => {
		const parsed = await refuse('rule:x;name;sendMs\n1;a;5\n');
		expect(parsed.issues).toEqual([{ row: 1, label: 'row', reason: expect.stringMatching(/separated by semicolons/) }]);
	});

	it('a tab-separated file', async () => {
		const parsed = await refuse('name\tsendMs\na\t1\n');
		expect(parsed.issues[0].reason).toMatch(/separated by tabs/);
	});

	it('duplicate headers (also in another case) and duplicate tag columns', async () => {
		const parsed = await refuse(`name,sendMs,Name,tag:a,tag:a,geofence:${G1},geofence:${G1.toUpperCase()}\n`);
		expect(parsed.issues.map((i) => [i.row, i.column, i.reason])).toEqual([
			[1, 'Name', 'appears twice (columns 1 and 3)'],
			[1, 'tag:a', 'appears twice (columns 4 and 5)'],
			[1, `geofence:${G1.toUpperCase()}`, 'appears twice (columns 6 and 7)'],
		]);
	});

	it('empty headers', async () => {
		const parsed = await refuse('name,,sendMs,\na,,1,\n');
		expect(parsed.issues.map((i) => i.column)).toEqual(['column 2', 'column 4']);
		expect(parsed.issues[0].reason).toMatch(/has no name/);
	});

	it('unknown columns, listing the allowed ones', async () => {
		const parsed = await refuse('name,deviceSecret,colour\na,s3cr3t,red\n');
		expect(parsed.issues).toHaveLength(1);
		expect(parsed.issues[0].reason).toMatch(/^unknown columns "deviceSecret", "colour"\. Allowed columns: add: name, deviceId, .*tag:NAME, rule:UUID, geofence:UUID; delete: trackingId/);
		expect(JSON.stringify(parsed.issues)).not.toContain('s3cr3t');
	});

	it('a first row that is data, not a header', async () => {
		const parsed = await refuse('Tracker 1,600000\nTracker 2,600000\n');
		expect(parsed.issues).toEqual([{ row: 1, label: 'row', reason: expect.stringMatching(/^the first row must be the header row, naming HERE's fields, but it names none of them .*Allowed columns: add: name, /) }]);
		expect(JSON.stringify(parsed.issues)).not.toMatch(/Tracker 1|600000/);
	});

	it('a file without a header row (deviceId,deviceSecret) repeats none of its first row, so no secret', async () => {
		const secret = 'S3cr3t-kq8Zr1vXb0_TyU7nWm2pLh';
		const parsed = await refuse(`a19b2648-60c1-49fc-896c-ea450a07e98d,${secret}\n13316aa5-3b80-414c-bf6d-86fa3ca6a31f,Other-s3cret-9\n`);
		expect(parsed.issues).toEqual([{ row: 1, label: 'row', reason: expect.stringMatching(/^the first row must be the header row/) }]);
		expect(JSON.stringify(parsed.issues)).not.toMatch(/S3cr3t|a19b2648|s3cret|13316aa5/);
	});

	it('unknown columns that look like values (digits, long) are named by position, and at most five are listed', async () => {
		const parsed = await refuse(`name,colour,S3cr3tValue,${'w'.repeat(31)},shape,size\na,red,x,y,round,big\n`);
		expect(parsed.issues).toHaveLength(1);
		expect(parsed.issues[0].reason).toMatch(/^unknown columns "colour", column 3, column 4, "shape", "size"\. Allowed columns: /);
		const many = await refuse('name,a,b,c,d,e,f,g\n');
		expect(many.issues[0].reason).toMatch(/^unknown columns "a", "b", "c", "d", and 3 more\. /);
	});

	it('a later row\'s problem in a column that looks like a value names the column by position', async () => {
		const parsed = await refuse('name,S3cr3tValue\na,"x"y\n');
		expect(parsed.issues.map((i) => [i.row, i.column])).toEqual([
			[1, undefined],
			[2, 'column 2'],
		]);
		expect(JSON.stringify(parsed.issues)).not.toContain('S3cr3t');
	});

	it('bad tag:, rule: and geofence: headers', async () => {
		const parsed = await refuse('name,tag:,rule:17,geofence:\n');
		expect(parsed.issues.map((i) => [i.column, i.value])).toEqual([
			['tag:', undefined],
			['rule:17', '17'],
			['geofence:', undefined],
		]);
	});

	it.each([
		['an empty file', ''],
		['only a BOM', '\uFEFF'],
		['only blank lines', '\n\r\n\n'],
	])('%s', async (_, csv) => {
		const parsed = await refuse(csv);
		expect(parsed.issues).toEqual([{ row: 0, label: 'row', whole: true, reason: expect.stringMatching(/the file is empty/) }]);
	});

	it('a header without devices', async () => {
		const parsed = await refuse('name,sendMs\n\n,\n');
		expect(parsed.issues).toEqual([{ row: 0, label: 'row', whole: true, reason: 'the file has a header row but no device rows' }]);
	});

	it.each([
		['zero bytes', Buffer.from([0x6e, 0x61, 0x00, 0x01, 0x02, 0x6d, 0x65]), /binary data/],
		['random bytes', Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 97 + 13) % 256)), /binary data|not UTF-8/],
		['a ZIP/xlsx file', Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(20, 0x41)]), /Excel workbook/],
		['UTF-16 text', Buffer.from('\uFEFFname\na\n', 'utf16le'), /UTF-16/],
		['gzip data', Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x41]), /gzip/],
	])('%s', async (_, bytes, reason) => {
		const parsed = await refuse(bytes);
		expect(parsed.issues).toEqual([expect.objectContaining({ whole: true, reason: expect.stringMatching(reason) })]);
	});

	it('text in another encoding (Latin-1), naming the row and column', async () => {
		const parsed = await refuse(Buffer.from('name,type\nok,Tracker\nM\xfcller,Tracker\n', 'latin1'));
		expect(parsed.issues).toEqual([
			{ row: 3, label: 'row', column: 'name', reason: expect.stringMatching(/is not UTF-8 text.*CSV UTF-8/) },
		]);
		const header = await refuse(Buffer.from('n\xe4me\nx\n', 'latin1'));
		expect(header.issues[0]).toMatchObject({ row: 1, reason: expect.stringMatching(/not UTF-8/) });
	});

	it('more rows than the limit, early', async () => {
		const csv = `name\n${Array.from({ length: 50 }, (_, i) => `d${i}`).join('\n')}\n`;
		const parsed = await refuse(csv, { maxRows: 10 });
		expect(parsed.issues).toEqual([
			{ row: 12, label: 'row', reason: 'the file has more than 10 device rows, the most one run reads' },
		]);
	});
});

describe('parseCsvDevices: row problems (not fatal)', () => {
	it('ragged rows, with the expected column count', async () => {
		const parsed = await parseCsvDevices('name,sendMs,type\na,1,Phone\nb,2\nc,3,Phone,extra\nd,4,Phone\n');
		expect(parsed.fatal).toBe(false);
		expect(names(parsed)).toEqual([[2, 'a'], [5, 'd']]);
		expect(parsed.issues).toEqual([
			{ row: 3, label: 'row', reason: 'has 2 columns, but the header has 3' },
			{ row: 4, label: 'row', reason: 'has 4 columns, but the header has 3 (a value that contains a comma must be in double quotes)' },
		]);
	});

	it('a row that ends with extra empty cells (a trailing comma) is refused with what to remove, not with the quoting hint alone', async () => {
		const parsed = await parseCsvDevices('name,type\nA,x,\nB,y,,\nC,z, \nPallet, 7,\n');
		expect(names(parsed)).toEqual([]);
		const trailing = (columns: number, extra: string) =>
			`has ${columns} columns, but the header has 2, and ${extra}: remove the trailing ${columns === 3 ? 'comma' : 'commas'} from the row (a value that contains a comma must be in double quotes)`;
		expect(parsed.issues).toEqual([
			{ row: 2, label: 'row', reason: trailing(3, 'the extra one at the end is empty') },
			{ row: 3, label: 'row', reason: trailing(4, 'the 2 extra ones at the end are empty') },
			{ row: 4, label: 'row', reason: trailing(3, 'the extra one at the end is empty') },
			// Still refused, not read as name "Pallet" and type "7": the comma in the name was not quoted.
			{ row: 5, label: 'row', reason: trailing(3, 'the extra one at the end is empty') },
		]);
	});

	it('a tag: cell that is not 1, 0 or empty', async () => {
		const parsed = await parseCsvDevices('name,tag:Fragile\na,x\nb,1\nc,0\n');
		expect(parsed.issues).toEqual([
			{ row: 2, label: 'row', column: 'tag:Fragile', reason: expect.stringMatching(/takes 1 to apply it/), value: 'x' },
		]);
		expect(parsed.rows.map((r) => [r.row, r.fields.tags])).toEqual([
			[2, undefined],
			[3, ['Fragile']],
			[4, undefined],
		]);
	});

	it('thousands of applied tag: columns, with a tags column, give every tag in column order', async () => {
		const tags = Array.from({ length: 3000 }, (_, i) => `t${i}`);
		const header = ['name', 'tags', ...tags.map((t) => `tag:${t}`)].join(',');
		const row = (name: string) => [name, 'x|y', ...tags.map(() => '1')].join(',');
		const parsed = await parseCsvDevices(`${header}\n${row('a')}\n${row('b')}\n`);
		expect(parsed.issues).toEqual([]);
		expect(parsed.rows.map((r) => r.fields.tags)).toEqual([
			['x', 'y', ...tags],
			['x', 'y', ...tags],
		]);
	});

	it('leaves type checking to validation and trims nothing it passes on', async () => {
		const parsed = await parseCsvDevices('name,sendMs\n  spaced  ,12abc\n');
		expect(parsed.rows[0].fields).toMatchObject({ name: '  spaced  ', sendMs: '12abc' });
	});
});
