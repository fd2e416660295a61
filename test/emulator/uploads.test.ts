import Ajv from 'ajv';
import fc from 'fast-check';
import spec from './schemas/here-tracking-responses.json';
import { allResults, call, createJob, devices, obj, uuid, world, type Json, type Reply, type World } from './helpers';

const base = '/bulkjobs/v4/deviceUploads';
let w: World;
beforeAll(async () => {
	w = await world();
});
afterAll(() => w.emulator.close());

const upload = (body: { json?: unknown; csv?: string | Buffer; raw?: { body: string | Buffer; contentType?: string } }, query = {}): Promise<Reply> =>
	call(w.emulator, 'POST', base, { token: w.token, query, ...body });

/** A refused upload: 400 with the Tracking body, and no job was made. */
async function expectRefused(reply: Reply, message: RegExp, details: Json = {}): Promise<void> {
	const before = w.emulator.jobs().length;
	expect(reply.status).toBe(400);
	const body = obj(reply);
	expect(body).toMatchObject({ code: 400, error: 'Bad request', details: { hereErrorCode: 400306, ...details } });
	expect(body.message).toMatch(message);
	expect(w.emulator.jobs()).toHaveLength(before);
}

const UUIDS = Array.from({ length: 12 }, () => uuid());

describe('limits', () => {
	test('1000 devices are accepted, 1001 refused (JSON and CSV)', async () => {
		expect((await upload({ json: devices(1000, 'ok') })).status).toBe(202);
		await expectRefused(await upload({ json: devices(1001, 'j') }), /at most 1000/);
		const csv = ['name', ...devices(1001, 'c').map((d) => d.name)].join('\n');
		await expectRefused(await upload({ csv }), /at most 1000/);
	});

	test('over 10 MiB is 413 with the Tracking body, and no job', async () => {
		const before = w.emulator.jobs().length;
		const big = JSON.stringify([{ name: 'x', type: 'y'.repeat(10 * 1024 * 1024) }]);
		const reply = await upload({ raw: { body: big, contentType: 'application/json' } });
		expect(reply.status).toBe(413);
		expect(obj(reply)).toMatchObject({ code: 413, details: { hereErrorCode: 413306 } });
		expect(w.emulator.jobs()).toHaveLength(before);
	});

	test('mixed add and delete rows are refused', async () => {
		await expectRefused(await upload({ json: [{ name: 'a' }, { trackingId: 'HERE-1' }] }), /mixes add-device rows .*row 1.* delete-device rows .*row 2/);
		await expectRefused(await upload({ csv: 'name,trackingId\na,\n,HERE-1\n' }), /mixes/);
		// One row with fields of both kinds.
		await expectRefused(await upload({ json: [{ name: 'a', unclaimOnly: true }] }), /Row 1: unclaimOnly: mixes/);
	});

	test('11 tags, rules or geofences are refused; 10 are fine', async () => {
		const tags = Array.from({ length: 11 }, (_, i) => `t${i}`);
		await expectRefused(await upload({ json: [{ name: 'a', tags }] }), /Row 1: tags: at most 10/, { row: 1, field: 'tags' });
		await expectRefused(await upload({ json: [{ name: 'a', rules: UUIDS.slice(0, 11) }] }), /rules: at most 10/);
		await expectRefused(await upload({ csv: `name,tags\na,${tags.join('|')}\n` }), /Row 1 \(line 2\): tags: at most 10/);
		const header = ['name', ...tags.map((t) => `tag:${t}`)].join(',');
		await expectRefused(await upload({ csv: `${header}\na,${tags.map(() => '1').join(',')}\n` }), /tags: at most 10/);
		expect((await upload({ json: [{ name: 'ten', tags: tags.slice(0, 10), geofences: UUIDS.slice(0, 10) }] })).status).toBe(202);
	});

	test('areaBased only with at most 3 geofences', async () => {
		await expectRefused(await upload({ json: [{ name: 'a', areaBased: true, geofences: UUIDS.slice(0, 4) }] }), /areaBased: .*at most 3/);
		const csvHeader = `name,areaBased,${UUIDS.slice(0, 4).map((id) => `geofence:${id}`).join(',')}`;
		await expectRefused(await upload({ csv: `${csvHeader}\na,1,1,1,1,1\n` }), /areaBased/);
		expect((await upload({ json: [{ name: 'area3', areaBased: true, geofences: UUIDS.slice(0, 3) }] })).status).toBe(202);
		expect((await upload({ json: [{ name: 'dist4', areaBased: false, geofences: UUIDS.slice(0, 4) }] })).status).toBe(202);
	});

	test('rules and geofences must be UUIDs (JSON values, CSV cells and CSV column names)', async () => {
		await expectRefused(await upload({ json: [{ name: 'a', geofences: ['nope'] }] }), /geofences: every item must be a UUID/);
		await expectRefused(await upload({ csv: 'name,rules\na,nope\n' }), /rules: every item must be a UUID/);
		await expectRefused(await upload({ csv: 'name,rule:nope\na,1\n' }), /rule:nope.*UUID/);
	});
});

describe('row rules name the first bad row', () => {
	test.each([
		[{ name: '' }, /name: must be 1-50 characters/],
		[{ name: 'x'.repeat(51) }, /name: must be 1-50/],
		[{ type: 'Phone' }, /name: is required/],
		[{ name: 'a', deviceId: 'd', externalId: 'e' }, /at most one identity/],
		[{ name: 'a', externalDeviceId: 'e' }, /externalDeviceId and connectorId must be given together/],
		[{ name: 'a', sendMs: -1 }, /sendMs: must be a number greater than or equal to 0/],
		[{ name: 'a', sampleMs: '5' }, /sampleMs: must be a number/],
		[{ name: 'a', areaBased: 'true' }, /areaBased: must be a boolean/],
		[{ name: 'a', type: 't'.repeat(51) }, /type: must be 1-50/],
		[{ name: 'a', color: 'red' }, /color: unknown field/],
		[{ trackingId: 'HERE-1', externalId: 'x' }, /exactly one identity/],
		[{ unclaimOnly: true }, /a delete-device row needs trackingId, externalId, or externalDeviceId with connectorId/],
		[{ trackingId: 'HERE-1', removeFromConnectorOnly: true }, /is only allowed for cloud-to-cloud/],
		// The tutorial's delete example sends "true" as a string; the spec's schema wants a boolean, and the YAML wins.
		[{ externalId: 'MyDevice1', unclaimOnly: 'true' }, /unclaimOnly: must be a boolean/],
		['just a string', /each device must be a JSON object/],
	])('%j', async (row, message) => {
		const isDelete = typeof row === 'object' && ('trackingId' in row || 'unclaimOnly' in row || (!('name' in row) && 'externalId' in row));
		const good = isDelete ? [{ externalId: 'fine-1' }, { externalId: 'fine-2' }] : devices(2, 'fine');
		await expectRefused(await upload({ json: [...good, row, { bad: true }] }), new RegExp(`^Row 3: (\\w+: )?${message.source}`), { row: 3 });
	});

	test('the first bad row is named whatever its fault and whatever comes after it (JSON and CSV)', async () => {
		await expectRefused(await upload({ json: [{ name: 'a', colour: 'red' }, 5] }), /^Row 1: colour: unknown field/, { row: 1, field: 'colour' });
		await expectRefused(await upload({ json: [{ name: 'a' }, { name: '' }, { name: 'b', unclaimOnly: true }, 'x'] }), /^Row 2: name:/, { row: 2 });
		await expectRefused(await upload({ csv: 'name,sendMs\n,1\nb,x\n' }), /^Row 1 \(line 2\): name: is required/, { row: 1, line: 2, field: 'name' });
		await expectRefused(await upload({ csv: 'name,sendMs,tags\na,1,\nb,2,1|2|3|4|5|6|7|8|9|10|11\nc,x,\n' }), /^Row 2 \(line 3\): tags: at most 10/, { row: 2 });
		// Add and delete rows in one upload stay a fault of the whole upload, found before any row's own.
		await expectRefused(await upload({ json: [{ name: 'a', colour: 'red' }, { trackingId: 'HERE-1' }] }), /mixes add-device rows \(first: row 1\) and delete-device rows \(first: row 2\)/);
	});

	test('a CSV cell that is not a number or boolean names row, line and column', async () => {
		await expectRefused(await upload({ csv: 'name,sendMs\na,1\n"b\nc",x\n' }), /^Row 2 \(line 4\): sendMs: must be a number/, { row: 2, line: 4, field: 'sendMs' });
		await expectRefused(await upload({ csv: 'name,areaBased\na,yes\n' }), /areaBased: must be 1, true, 0 or false/);
		await expectRefused(await upload({ csv: 'name,tag:x\na,yes\n' }), /tag:x: must be 1 \(apply\) or empty/);
	});
});

describe('bodies that are not uploads', () => {
	test.each([
		['empty body', { raw: { body: '', contentType: 'text/csv' } }, /empty/],
		['blank JSON', { raw: { body: '  ', contentType: 'application/json' } }, /empty/],
		['header only', { csv: 'name,type\r\n' }, /no device rows/],
		['empty array', { json: [] }, /empty/],
		['not an array', { json: { name: 'a' } }, /must be an array/],
		['broken JSON', { raw: { body: '[{"name":', contentType: 'application/json' } }, /could not be parsed/],
		['unclosed CSV quote', { csv: 'name\n"abc\n' }, /could not be parsed.*Quote Not Closed/],
		['ragged CSV row', { csv: 'name,type\na\n' }, /could not be parsed/],
		['unknown CSV column', { csv: 'name,colour\na,red\n' }, /unknown column "colour"/],
		['duplicate CSV column', { csv: 'name,name\na,b\n' }, /twice/],
		['other content type', { raw: { body: 'name\na\n', contentType: 'text/plain' } }, /Unsupported Content-Type "text\/plain"/],
	])('%s → 400', async (_name, body, message) => {
		await expectRefused(await upload(body), message);
	});

	test('a JSON upload that does not parse is refused with where it broke, never its text', async () => {
		await expectRefused(await upload({ raw: { body: '[{"name":"a","type":Phone}]', contentType: 'application/json' } }), /^The JSON body could not be parsed: it is not valid JSON\.$/);
		await expectRefused(await upload({ raw: { body: '[{"name":"a"},\n {"name":"b" "type":"Phone"}]', contentType: 'application/json' } }), /^The JSON body could not be parsed at position 28 \(line 2, column 14\)\.$/);
	});

	test('fileName longer than 50 characters → 400; characters, not UTF-16 units, count', async () => {
		await expectRefused(await upload({ json: devices(1) }, { fileName: 'f'.repeat(51) }), /fileName/);
		// 50 characters, 100 UTF-16 units: what the node's fitFileName makes of a long name with emoji.
		expect((await upload({ json: devices(1, 'emoji') }, { fileName: '🚚'.repeat(50) })).status).toBe(202);
		await expectRefused(await upload({ json: devices(1) }, { fileName: '🚚'.repeat(51) }), /fileName/);
	});
});

describe('CSV per RFC 4180', () => {
	test('BOM, CRLF, quoted commas, quoted newlines and escaped quotes', async () => {
		const csv = '\uFEFFname,type,tags\r\n"Truck, blue",Tracker,a|b\r\n"two\r\nlines",Phone,\r\n"say ""hi""",,\r\n\r\n';
		const jobId = await createJob(w, csv);
		const rows = await allResults(w, jobId);
		expect(rows.map((r) => r.name)).toEqual(['Truck, blue', 'two\r\nlines', 'say "hi"']);
		const stored = w.emulator.devices(w.projectId).find((d) => d.name === 'Truck, blue');
		expect(stored).toMatchObject({ type: 'Tracker', tags: ['a', 'b'] });
	});

	test('the tutorial CSV: tag:/rule:/geofence: columns take 1', async () => {
		const csv = [
			'name,deviceId,externalDeviceId,connectorId,sendMs,sampleMs,distanceM,areaBased,type,tag:priority1,tag:priority2,tag:food,tag:Fragile,rule:74a6fe54-2077-4629-b924-3340bc88b864,rule:c096874c-0d5f-41c8-9cd8-56c25f9df23b,rule:db9403d1-64b4-48c0-a0e7-bc5f69eb624f,geofence:08e742fc-52d1-49aa-bea0-60a6cd17d8a2,geofence:2bff17e2-af05-4843-9780-878df098d35a',
			'my at4h tracker in distance based mode,a19b2648-60c1-49fc-896c-ea450a07e98d,,,600000,300000,100,,Phone,1,,,,1,,,1,1',
			'my super tracker in area based mode,13316aa5-3b80-414c-bf6d-86fa3ca6a31f,,,600000,100000,,1,Returnable / Reusable,,1,1,,1,1,,1,1',
		].join('\n');
		const jobId = await createJob(w, csv, { fileName: 'file.csv' });
		const rows = await allResults(w, jobId);
		expect(rows).toEqual([
			{ name: 'my at4h tracker in distance based mode', deviceId: 'a19b2648-60c1-49fc-896c-ea450a07e98d', trackingId: expect.stringMatching(/^HERE-/) },
			{ name: 'my super tracker in area based mode', deviceId: '13316aa5-3b80-414c-bf6d-86fa3ca6a31f', trackingId: expect.stringMatching(/^HERE-/) },
		]);
		const stored = w.emulator.devices(w.projectId).find((d) => d.name === 'my super tracker in area based mode');
		expect(stored?.tags).toEqual(['priority2', 'food']);
	});

	test("the spec's add example 1 (every identity kind) and example 2 (tags and geofences columns)", async () => {
		const example1 = [
			'name,deviceId,externalId,externalDeviceId,connectorId,sendMs,sampleMs,areaBased,distanceM,geofence:e0de7cbc-9328-4e37-b865-cdbe1fa1c7dc,geofence:2b4c5571-e398-45c5-9637-6ce63e320b4f,rule:b647155e-0789-4fa0-8807-154332c0617d,type',
			'My HW tracker 1,1ae212e7-c342-4108-ad26-45df1a8e2631,,,,600000,120000,,,1,1,1,Warehouse',
			'Unprovisioned device,,,,,600000,120000,,100,,,,Phone',
			'Virtual tracker,,MyDevice,,,900000,180000,1,,1,1,,Heavy Machinery',
			'My external cloud tracker,,,MyExternalDeviceIdentifier,CON-8bfd6006-5fe6-400f-8a0a-ca73d44866f3,,,,,1,,1,Airport / Air Cargo',
		].join('\n');
		const first = await allResults(w, await createJob(w, example1));
		expect(first.map((r) => Object.keys(r).sort())).toEqual([
			['deviceId', 'name', 'trackingId'],
			['deviceId', 'deviceSecret', 'name', 'trackingId'],
			['externalId', 'name', 'trackingId'],
			['connectorId', 'externalDeviceId', 'name', 'trackingId'],
		]);
		const example2 = 'name,tags,geofences\ntracker1,Priority1;Important,2b4c5571-e398-45c5-9637-6ce63e320b4f|e0de7cbc-9328-4e37-b865-cdbe1fa1c7dc\ntracker2,Important,e0de7cbc-9328-4e37-b865-cdbe1fa1c7dc\n';
		expect((await upload({ csv: example2 })).status).toBe(202);
	});

	test("the spec's delete example: trackingId, externalId and connector rows with 1 flags", async () => {
		const jobId = await createJob(
			w,
			'trackingId,externalId,externalDeviceId,connectorId,unclaimOnly,removeFromConnectorOnly\nHERE-ef63c528-0aea-4f9f-a160-368559fa31ed,,,,1,\nHERE-aba23346-5248-49db-bea8-9f75aa81d3dd,,,,,\n,MyDevice,,,,\n,,MyExternalDevice,CON-8bfd6006-5fe6-400f-8a0a-ca73d44866f3,,1\n',
		);
		const state = obj(await call(w.emulator, 'GET', `${base}/${jobId}/status`, { token: w.token }));
		// MyDevice was added by the example-1 test above; the two HERE-… ids and the connector device were not.
		expect(state).toMatchObject({ type: 'delete', total: 4, succeeded: 1, failed: 3 });
	});

	test('a header naming only identity columns is a delete upload', async () => {
		const jobId = await createJob(w, 'externalId\nnobody\n');
		expect(obj(await call(w.emulator, 'GET', `${base}/${jobId}/status`, { token: w.token }))).toMatchObject({ type: 'delete', status: 'failed' });
	});

	// Large enough that the quadratic code these shapes once met took seconds; their cost is the bench's business.
	test.each([
		['20,000 tag: columns, each applied', `name,${Array.from({ length: 20_000 }, (_, i) => `tag:t${i}`).join(',')}\ndev,${Array<string>(20_000).fill('1').join(',')}\n`, /at most 10/],
		['a tags cell of 20,000 tags', `name,tags\ndev,${Array.from({ length: 20_000 }, (_, i) => `t${i}`).join('|')}\n`, /at most 10/],
		['a sendMs cell of 20,000 digits that is not a number', `name,sendMs\ndev,${'1'.repeat(20_000)}x\n`, /sendMs/],
	])('%s is refused with the rule it breaks', async (_shape, csv, rule) => {
		const reply = await upload({ csv });
		expect(reply.status).toBe(400);
		expect(String(obj(reply).message)).toMatch(rule);
	});
});

describe('JSON uploads agree with the spec schema', () => {
	const ajv = new Ajv({ strict: true });
	ajv.addFormat('uuid', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
	const validBody = ajv.compile(spec.createRequestBody);
	/** The spec's schema plus the rule only its prose states: areaBased with at most 3 geofences. */
	const specAccepts = (rows: Json[]): boolean =>
		validBody(rows) && !rows.some((r) => r.areaBased === true && Array.isArray(r.geofences) && r.geofences.length > 3);

	/** Mostly valid values, sometimes not: both sides of every rule get explored. */
	const mostly = <T, U>(valid: fc.Arbitrary<T>, invalid: fc.Arbitrary<U>) =>
		fc.oneof({ arbitrary: valid, weight: 8 }, { arbitrary: invalid, weight: 1 });
	// 'binary' units are single code points: the 48-52 range probes maxLength 50 with astral characters too.
	const str50 = mostly(fc.string({ minLength: 1, maxLength: 10 }), fc.oneof(fc.string({ unit: 'binary', minLength: 48, maxLength: 52 }), fc.constant('')));
	const num = mostly(fc.double({ min: 0, noNaN: true, noDefaultInfinity: true }), fc.oneof(fc.integer({ min: -3, max: -1 }), fc.constant('7')));
	const bool = mostly(fc.boolean(), fc.constant('true'));
	const ids = (max: number) => fc.array(mostly(fc.uuid(), fc.constant('not-a-uuid')), { maxLength: max });
	const values: Record<string, fc.Arbitrary<unknown>> = {
		name: str50, deviceId: str50, externalId: str50, externalDeviceId: str50, connectorId: str50, type: str50, trackingId: str50,
		sendMs: num, sampleMs: num, distanceM: num, areaBased: bool, unclaimOnly: bool, removeFromConnectorOnly: bool,
		tags: fc.array(fc.string({ maxLength: 5 }), { maxLength: 11 }), rules: ids(11), geofences: ids(5), extra: fc.string(),
	};
	const templates: string[][] = [
		['name'], ['name', 'deviceId'], ['name', 'externalId'], ['name', 'externalDeviceId', 'connectorId'],
		['trackingId'], ['externalId'], ['externalDeviceId', 'connectorId'],
	];
	const row: fc.Arbitrary<Json> = fc
		.tuple(fc.constantFrom(...templates), fc.subarray(Object.keys(values), { maxLength: 2 }), mostly(fc.constant<string[]>([]), fc.subarray(['name', 'trackingId', 'externalId', 'connectorId'], { minLength: 1, maxLength: 1 })))
		.chain(([template, added, removed]) => {
			const keys = [...new Set([...template, ...added])].filter((k) => !removed.includes(k));
			return fc.record(Object.fromEntries(keys.map((k) => [k, values[k]])) as Record<string, fc.Arbitrary<unknown>>);
		});

	test('an upload is accepted exactly when the spec says it is valid', async () => {
		const seen = { accepted: 0, refused: 0 };
		await fc.assert(
			fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 3 }), async (rows) => {
				const expected = specAccepts(rows);
				const reply = await upload({ json: rows });
				seen[expected ? 'accepted' : 'refused']++;
				if ((reply.status === 202) !== expected) {
					throw new Error(`spec says ${expected ? 'valid' : 'invalid'} (${ajv.errorsText(validBody.errors)}), emulator said ${reply.status} ${reply.text}`);
				}
			}),
			{ numRuns: 300, seed: 20240611 },
		);
		// Both sides of the boundary were explored, not just one.
		expect(seen.accepted).toBeGreaterThan(50);
		expect(seen.refused).toBeGreaterThan(50);
	});
});
