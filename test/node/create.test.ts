import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import type { HereEmulator } from '../../emulator';
import type { Engine } from '../harness/engine';
import { runWorkflow } from '../harness/engine';
import { editorView } from '../harness/editorView';
import { countOpenRequests } from '../harness/openRequests';
import { withEmulatorAndEngine } from '../harness/suite';
import { bulkJobsNode, itemsThen, loginUser } from '../harness/fixtures';
import { startMisbehavingHere } from '../trigger/misbehavingHere';
import { TUTORIAL_CSV, TUTORIAL_DELETE_JSON, TUTORIAL_JSON, UPLOADS_PATH, csvOf, uploads } from './createFixtures';

// Instant processing: a job is done when its upload returns, so waits end at the first check.
let emulator: HereEmulator;
let engine: Engine;
withEmulatorAndEngine({ processing: { mode: 'instant' }, seed: 61 }, (started) => ({ emulator, engine } = started));

type User = ReturnType<typeof loginUser>;
type Described = Error & { description?: string };

/** Short waits for "Wait for Completion". */
const FAST_WAIT = { pollInterval: 0.02, maxPollInterval: 0.1, timeout: 0.5 };

async function create(
	user: User,
	parameters: Record<string, unknown>,
	items: unknown[] = [{}],
	files?: Record<string, { fileName: string; content: string }>,
) {
	const node = bulkJobsNode(user.credential, { operation: 'create', ...parameters } as never);
	return await runWorkflow(engine, itemsThen(node, items, files));
}

function json(items: INodeExecutionData[]): IDataObject[] {
	return items.map((item) => item.json);
}

describe('input modes', () => {
	test("CSV File: HERE's tutorial CSV from a binary property becomes one job named after the file", async () => {
		const user = loginUser(emulator, engine);
		const run = await create(user, { jobType: 'create', inputSource: 'csvFile', binaryPropertyName: 'upload' }, [{}], {
			upload: { fileName: 'file.csv', content: TUTORIAL_CSV },
		});

		expect(run.error()).toBeUndefined();
		const [job] = run.output('HERE');
		expect(job.json).toMatchObject({
			outcome: 'created',
			jobId: expect.stringMatching(/^BULK-/),
			jobType: 'create',
			fileName: 'file.csv',
			deviceCount: 2,
			rowLabel: 'row',
			firstRow: 2,
			lastRow: 3,
			rows: 'rows 2 to 3',
			jobNumber: 1,
			jobCount: 1,
		});
		expect(job.pairedItem).toEqual({ item: 0 });
		expect(uploads(emulator).map((r) => r.query.fileName)).toEqual(['file.csv']);

		const devices = emulator.devices(user.projectId);
		const tracker = devices.find((d) => d.name === 'my at4h tracker in distance based mode');
		expect(tracker).toMatchObject({ deviceId: 'a19b2648-60c1-49fc-896c-ea450a07e98d', type: 'Phone', tags: ['priority1'] });
		const superTracker = devices.find((d) => d.name === 'my super tracker in area based mode');
		expect(superTracker).toMatchObject({ type: 'Returnable / Reusable', tags: ['priority2', 'food'] });
		expect(emulator.jobs(user.projectId)).toEqual([expect.objectContaining({ type: 'create', fileName: 'file.csv', total: 2 })]);
	});

	test('CSV Text: add, then delete the added devices by tracking id with unclaimOnly', async () => {
		const user = loginUser(emulator, engine);
		const added = await create(user, {
			jobType: 'create',
			inputSource: 'csvText',
			csvText: 'name,externalId,tags\nVan 1,van-1,fleet|north\nVan 2,van-2,fleet',
			waitForCompletion: true,
			waitOptions: FAST_WAIT,
		});
		expect(added.error()).toBeUndefined();
		const results = json(added.output('HERE'));
		expect(results.map((r) => [r.name, r.outcome, r.row])).toEqual([
			['Van 1', 'succeeded', 2],
			['Van 2', 'succeeded', 3],
		]);
		expect(emulator.devices(user.projectId).map((d) => d.tags)).toEqual([['fleet', 'north'], ['fleet']]);

		const trackingIds = results.map((r) => r.trackingId as string);
		const deleted = await create(user, {
			jobType: 'delete',
			inputSource: 'csvText',
			csvText: `trackingId,unclaimOnly\n${trackingIds[0]},true\n${trackingIds[1]},`,
		});
		expect(deleted.error()).toBeUndefined();
		expect(deleted.output('HERE')[0].json).toMatchObject({ jobType: 'delete', deviceCount: 2, fileName: 'devices.csv' });
		expect(emulator.devices(user.projectId)).toEqual([]);
		expect(emulator.jobs(user.projectId).map((j) => j.type).sort()).toEqual(['create', 'delete']);
	});

	test('Input Items, map automatically: all items go into one job; lists as arrays or |-text', async () => {
		const user = loginUser(emulator, engine);
		const items = [
			{ name: 'Crane 1', type: 'Heavy Machinery', tags: ['site-a', 'crane'], sendMs: '600000', sampleMs: 300000 },
			{ Name: 'Crane 2', externalId: 'crane-2', tags: 'site-b|crane', areaBased: 'true' },
			{ name: 'Crane 3', externalDeviceId: 'ext-3', connectorId: 'cf208b96-ef0b-4227-a3ee-224679cce07a', distanceM: 50 },
		];
		const run = await create(user, { jobType: 'create', inputSource: 'items', fieldMapping: 'auto' }, items);

		expect(run.error()).toBeUndefined();
		const [job] = run.output('HERE');
		expect(job.json).toMatchObject({ deviceCount: 3, rowLabel: 'item', firstRow: 0, lastRow: 2, rows: 'items 0 to 2', fileName: 'devices.json' });
		expect(job.json).not.toHaveProperty('firstInputItem');
		expect(job.pairedItem).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(uploads(emulator)).toHaveLength(1);
		const devices = emulator.devices(user.projectId);
		expect(devices.map((d) => [d.name, d.tags])).toEqual([
			['Crane 1', ['site-a', 'crane']],
			['Crane 2', ['site-b', 'crane']],
			['Crane 3', undefined],
		]);
		expect(devices[2]).toMatchObject({ externalDeviceId: 'ext-3', connectorId: 'cf208b96-ef0b-4227-a3ee-224679cce07a' });
	});

	test('Input Items: One Job per Input Item (hidden there, a value saved under another source) makes one job, not one per device', async () => {
		const user = loginUser(emulator, engine);
		const items = Array.from({ length: 5 }, (_, i) => ({ name: `Kept option ${i}` }));
		const run = await create(user, { jobType: 'create', inputSource: 'items', fieldMapping: 'auto', options: { jobPerItem: true } }, items);

		expect(run.error()).toBeUndefined();
		expect(run.output('HERE').map((item) => item.json.deviceCount)).toEqual([5]);
		expect(uploads(emulator)).toHaveLength(1);
	});

	test('Input Items, map automatically: delete by tracking id; unknown fields only with Ignore Unknown Fields', async () => {
		const user = loginUser(emulator, engine);
		await create(user, { jobType: 'create', inputSource: 'items', fieldMapping: 'auto' }, [{ name: 'Pallet 1' }, { name: 'Pallet 2' }]);
		const devices = emulator.devices(user.projectId);
		const items = devices.map((d, index) => ({ trackingId: d.trackingId, erpId: `erp-${index}` }));

		const refused = await create(user, { jobType: 'delete', inputSource: 'items', fieldMapping: 'auto' }, items);
		expect(refused.error()?.message).toBe('All 2 items are invalid; nothing was sent to HERE');
		expect((refused.error() as Described).description).toContain('erpId: is not a device field');

		emulator.clearRequests();
		const run = await create(
			user,
			{ jobType: 'delete', inputSource: 'items', fieldMapping: 'auto', options: { ignoreUnknownFields: true }, waitForCompletion: true, waitOptions: FAST_WAIT },
			items,
		);
		expect(run.error()).toBeUndefined();
		const results = run.output('HERE');
		expect(results.map((r) => [r.json.trackingId, r.json.outcome, r.pairedItem])).toEqual([
			[devices[0].trackingId, 'succeeded', { item: 0 }],
			[devices[1].trackingId, 'succeeded', { item: 1 }],
		]);
		expect(emulator.devices(user.projectId)).toEqual([]);
	});

	test('Input Items, define below: add virtual devices with expressions, then delete them by external id', async () => {
		const user = loginUser(emulator, engine);
		const items = [
			{ asset: 'Trailer 7', ref: 'TR-7', labels: ['cold', 'eu'], every: 60000 },
			{ asset: 'Trailer 8', ref: 'TR-8', labels: 'eu', every: '' },
		];
		const added = await create(
			user,
			{
				jobType: 'create',
				inputSource: 'items',
				fieldMapping: 'define',
				deviceName: '={{ $json.asset }}',
				addIdentity: 'externalId',
				externalId: '={{ $json.ref }}',
				addFields: { tags: '={{ $json.labels }}', sendMs: '={{ $json.every }}', type: '=Reefer trailer' },
				waitForCompletion: true,
				waitOptions: FAST_WAIT,
			},
			items,
		);
		expect(added.error()).toBeUndefined();
		expect(added.output('HERE').map((r) => [r.json.name, r.json.externalId, r.json.outcome, r.pairedItem])).toEqual([
			['Trailer 7', 'TR-7', 'succeeded', { item: 0 }],
			['Trailer 8', 'TR-8', 'succeeded', { item: 1 }],
		]);
		expect(emulator.devices(user.projectId).map((d) => [d.name, d.externalId, d.type, d.tags])).toEqual([
			['Trailer 7', 'TR-7', 'Reefer trailer', ['cold', 'eu']],
			['Trailer 8', 'TR-8', 'Reefer trailer', ['eu']],
		]);

		const deleted = await create(
			user,
			{ jobType: 'delete', inputSource: 'items', fieldMapping: 'define', deleteIdentity: 'externalId', externalId: '={{ $json.ref }}', unclaimOnly: true },
			items,
		);
		expect(deleted.error()).toBeUndefined();
		expect(deleted.output('HERE')[0].json).toMatchObject({ jobType: 'delete', deviceCount: 2 });
		expect(emulator.devices(user.projectId)).toEqual([]);
	});

	test('Input Items, define below: cloud-to-cloud devices, then remove them from the connector only', async () => {
		const user = loginUser(emulator, engine);
		const connectorId = 'cf208b96-ef0b-4227-a3ee-224679cce07a';
		const items = [{ id: 'ext-1' }, { id: 'ext-2' }];
		const added = await create(
			user,
			{
				jobType: 'create',
				inputSource: 'items',
				fieldMapping: 'define',
				deviceName: '=Sensor {{ $json.id }}',
				addIdentity: 'connector',
				externalDeviceId: '={{ $json.id }}',
				connectorId,
				addFields: { geofences: '08e742fc-52d1-49aa-bea0-60a6cd17d8a2', areaBased: true, distanceM: 25 },
			},
			items,
		);
		expect(added.error()).toBeUndefined();
		expect(emulator.devices(user.projectId).map((d) => [d.name, d.externalDeviceId, d.connectorId])).toEqual([
			['Sensor ext-1', 'ext-1', connectorId],
			['Sensor ext-2', 'ext-2', connectorId],
		]);

		const removed = await create(
			user,
			{
				jobType: 'delete',
				inputSource: 'items',
				fieldMapping: 'define',
				deleteIdentity: 'connector',
				connectorId,
				externalDeviceId: '={{ $json.id }}',
				removeFromConnectorOnly: true,
				waitForCompletion: true,
				waitOptions: FAST_WAIT,
			},
			items,
		);
		expect(removed.error()).toBeUndefined();
		expect(removed.output('HERE').map((r) => [r.json.name, r.json.outcome, r.pairedItem])).toEqual([
			['Sensor ext-1', 'succeeded', { item: 0 }],
			['Sensor ext-2', 'succeeded', { item: 1 }],
		]);
		// Detached from the connector only: the devices stay in the project.
		expect(emulator.devices(user.projectId).map((d) => [d.name, d.connectorId])).toEqual([
			['Sensor ext-1', undefined],
			['Sensor ext-2', undefined],
		]);
	});

	test.each([
		['Virtual Device', { addIdentity: 'externalId', externalId: '={{ $json.ref }}' }, ['externalId']],
		['Provisioned Device', { addIdentity: 'deviceId', deviceId: '={{ $json.ref }}' }, ['deviceId']],
		['Cloud-to-Cloud Device', { addIdentity: 'connector', externalDeviceId: '={{ $json.ref }}', connectorId: '={{ $json.ref }}' }, ['externalDeviceId', 'connectorId']],
	])('Input Items, define below, %s: an item whose ID comes out empty is an invalid row, never a new device', async (variant, identity, fields) => {
		const user = loginUser(emulator, engine);
		const parameters = { jobType: 'create', inputSource: 'items', fieldMapping: 'define', deviceName: '={{ $json.asset }}', ...identity };
		// The ERP left item 1's reference empty and item 2 without one.
		const items = [{ asset: 'Trailer 1', ref: 'TR-1' }, { asset: 'Trailer 2', ref: '' }, { asset: 'Trailer 3' }];
		const run = await create(user, parameters, items);

		const error = run.error() as Described;
		expect(error.message).toBe('2 of 3 items are invalid; nothing was sent to HERE');
		const text = editorView(error.description);
		for (const field of fields) {
			expect(text).toContain(`${field}: is required for a ${variant} (`);
			expect(text).toMatch(new RegExp(`${field}: is required for a ${variant} .*without it HERE would make a new device\\) \\(item 1, item 2\\)`));
		}
		expect(uploads(emulator)).toHaveLength(0);

		// Skip Invalid Rows: only the item with its ID goes out; the others are reported, not made into new devices.
		const skipped = await create(user, { ...parameters, options: { skipInvalidRows: true } }, items);
		expect(skipped.error()).toBeUndefined();
		const [job] = json(skipped.output('HERE'));
		expect(job).toMatchObject({ deviceCount: 1, invalidRowCount: 2 });
		expect((job.invalidRows as IDataObject[]).map((r) => [r.row, r.column])).toEqual([
			...fields.map((field) => [1, field]),
			...fields.map((field) => [2, field]),
		]);
		expect(emulator.devices(user.projectId).map((d) => d.name)).toEqual(['Trailer 1']);
	});

	test("JSON: HERE's tutorial JSON examples for add and delete", async () => {
		const user = loginUser(emulator, engine);
		const added = await create(user, { jobType: 'create', inputSource: 'json', devicesJson: TUTORIAL_JSON });
		expect(added.error()).toBeUndefined();
		expect(added.output('HERE')[0].json).toMatchObject({ deviceCount: 2, rowLabel: 'element', firstRow: 0, lastRow: 1, fileName: 'devices.json' });
		expect(emulator.devices(user.projectId).map((d) => d.name)).toEqual([
			'my at4h tracker in distance based mode3',
			'my c2c tracker in distance based mode3',
		]);

		await create(user, { jobType: 'create', inputSource: 'json', devicesJson: [{ name: 'Virtual 1', externalId: 'MyDevice1' }] });
		const deleted = await create(user, { jobType: 'delete', inputSource: 'json', devicesJson: TUTORIAL_DELETE_JSON, waitForCompletion: true, waitOptions: FAST_WAIT });
		expect(deleted.error()).toBeUndefined();
		expect(deleted.output('HERE').map((r) => r.json)).toEqual([
			expect.objectContaining({ externalId: 'MyDevice1', name: 'Virtual 1', outcome: 'succeeded', row: 0, inputItem: 0 }),
		]);
		expect(emulator.devices(user.projectId).map((d) => d.name)).not.toContain('Virtual 1');
	});

	test('rows that do not fit the job type are refused before anything is sent', async () => {
		const user = loginUser(emulator, engine);
		const run = await create(user, { jobType: 'create', inputSource: 'csvText', csvText: 'trackingId\nHERE-5cb2b777-7389-472b-81f0-9ab89a9c7fed' });
		expect(run.error()?.message).toBe('The only row is invalid; nothing was sent to HERE');
		expect((run.error() as Described).description).toContain('looks like a device to delete');
		expect(uploads(emulator)).toHaveLength(0);
	});
});

describe('several input items', () => {
	test('the CSV files of several items go into one job; rows name their item', async () => {
		const user = loginUser(emulator, engine);
		const node = bulkJobsNode(user.credential, { operation: 'create', jobType: 'create', inputSource: 'csvText', csvText: '={{ $json.csv }}' } as never);
		const run = await runWorkflow(engine, itemsThen(node, [{ csv: 'name\nA1\nA2' }, { csv: 'name\nB1' }]));

		expect(run.error()).toBeUndefined();
		const items = run.output('HERE');
		expect(items).toHaveLength(1);
		expect(items[0].json).toMatchObject({ deviceCount: 3, firstInputItem: 0, lastInputItem: 1, rows: 'rows 2 to 3 of input item 0; row 2 of input item 1' });
		expect(items[0].pairedItem).toEqual([{ item: 0 }, { item: 1 }]);
		expect(uploads(emulator)).toHaveLength(1);
	});

	test('One Job per Input Item: each item makes its own job(s), with its own file name', async () => {
		const user = loginUser(emulator, engine);
		const node = bulkJobsNode(user.credential, {
			operation: 'create',
			jobType: 'create',
			inputSource: 'csvText',
			csvText: '={{ $json.csv }}',
			options: { jobPerItem: true, fileName: '={{ $json.file }}', chunkSize: 2 },
		} as never);
		const run = await runWorkflow(
			engine,
			itemsThen(node, [
				{ csv: 'name\nN1\nN2\nN3', file: 'north.csv' },
				{ csv: 'name\nS1', file: 'south.csv' },
			]),
		);

		expect(run.error()).toBeUndefined();
		expect(run.output('HERE').map((item) => [item.json.fileName, item.json.deviceCount, item.json.rows, item.pairedItem])).toEqual([
			['north.csv (1/2)', 2, 'rows 2 to 3 of input item 0', { item: 0 }],
			['north.csv (2/2)', 1, 'row 4 of input item 0', { item: 0 }],
			['south.csv', 1, 'row 2 of input item 1', { item: 1 }],
		]);
		expect(uploads(emulator).map((r) => r.query.fileName)).toEqual(['north.csv (1/2)', 'north.csv (2/2)', 'south.csv']);
	});

	test('One Job per Input Item with CSV files: one job per item, named after the file', async () => {
		const user = loginUser(emulator, engine);
		// Each item reads its own binary field (the Items node gives every item both files).
		const node = bulkJobsNode(user.credential, { operation: 'create', jobType: 'create', inputSource: 'csvFile', binaryPropertyName: '={{ $json.field }}', options: { jobPerItem: true } } as never);
		const files = { north: { fileName: 'north.csv', content: 'name\nN1\nN2' }, south: { fileName: 'south.csv', content: 'name\nS1\nS2' } };
		const run = await runWorkflow(engine, itemsThen(node, [{ field: 'north' }, { field: 'south' }], files));

		expect(run.error()).toBeUndefined();
		expect(run.output('HERE').map((item) => [item.json.fileName, item.json.deviceCount, item.pairedItem])).toEqual([
			['north.csv', 2, { item: 0 }],
			['south.csv', 2, { item: 1 }],
		]);
		expect(uploads(emulator)).toHaveLength(2);
	});

	test('a Project expression is read for every item: items of one project make one upload there; items of two projects stop the run before anything is read or sent', async () => {
		const user = loginUser(emulator, engine, { projects: ['create-north', 'create-south'] });
		const node = bulkJobsNode(user.credential, {
			operation: 'create',
			jobType: 'create',
			inputSource: 'csvText',
			projectId: { __rl: true, mode: 'id', value: '={{ $json.project }}' },
			csvText: '={{ $json.csv }}',
			options: { jobPerItem: true },
		} as never);

		const same = await runWorkflow(engine, itemsThen(node, [{ project: 'create-south', csv: 'name\nSouth 1' }, { project: 'create-south', csv: 'name\nSouth 2' }]));
		expect(same.error()).toBeUndefined();
		expect(emulator.devices('create-south').map((d) => d.name).sort()).toEqual(['South 1', 'South 2']);

		emulator.clearRequests();
		// Item 2's CSV is not even valid: the project mismatch is found before any row is read.
		const mixed = await runWorkflow(
			engine,
			itemsThen(node, [
				{ project: 'create-north', csv: 'name\nNorth 1' },
				{ project: 'create-north', csv: 'name\nNorth 2' },
				{ project: 'create-south', csv: 'name,sendMs\nSouth 3,fast' },
			]),
		);
		const error = mixed.error() as Described;
		expect(error.message).toBe('Item 2\'s Project is "create-south", but item 0\'s is "create-north": one run works on one project');
		expect(error.description).toContain('Add Devices works on the project of item 0 for all input items');
		expect(error.description).toContain('Loop Over Items, one project per batch');
		expect(error.description).toContain('One Job per Input Item does not lift this');
		expect(uploads(emulator)).toHaveLength(0);
		expect(emulator.devices('create-north')).toEqual([]);
	});

	test('a long file name is shortened to 50 characters, keeping the extension and the part number', async () => {
		const user = loginUser(emulator, engine);
		const longName = `${'fleet-export-from-the-warehouse-management-system-'.repeat(2)}2024.csv`;
		const csv = `name\n${Array.from({ length: 3 }, (_, i) => `Long ${i}`).join('\n')}`;
		const run = await create(user, { jobType: 'create', inputSource: 'csvFile', options: { chunkSize: 2 } }, [{}], {
			data: { fileName: longName, content: csv },
		});

		expect(run.error()).toBeUndefined();
		const names = run.output('HERE').map((item) => item.json.fileName as string);
		expect(names).toEqual(['fleet-export-from-the-warehouse-managem….csv (1/2)', 'fleet-export-from-the-warehouse-managem….csv (2/2)']);
		expect(names.every((name) => [...name].length <= 50)).toBe(true);
		expect(uploads(emulator).map((r) => r.query.fileName)).toEqual(names);
	});
});

describe('more than 1000 devices', () => {
	test('2,500 devices become 3 jobs (1000/1000/500) with row ranges, and Wait for Completion collects every result', async () => {
		const user = loginUser(emulator, engine);
		const csv = csvOf(2500, 'bulk');
		const submit = await create(user, { jobType: 'create', inputSource: 'csvFile' }, [{}], { data: { fileName: 'devices.csv', content: csv } });

		expect(submit.error()).toBeUndefined();
		expect(json(submit.output('HERE')).map((j) => [j.deviceCount, j.firstRow, j.lastRow, j.fileName, j.jobNumber, j.jobCount])).toEqual([
			[1000, 2, 1001, 'devices.csv (1/3)', 1, 3],
			[1000, 1002, 2001, 'devices.csv (2/3)', 2, 3],
			[500, 2002, 2501, 'devices.csv (3/3)', 3, 3],
		]);
		expect(uploads(emulator)).toHaveLength(3);
		expect(emulator.jobs(user.projectId).map((j) => j.total).sort()).toEqual([1000, 1000, 500]);

		// The same file again in a fresh project, this time waiting for the results.
		const other = loginUser(emulator, engine);
		emulator.clearRequests();
		const waited = await create(other, { jobType: 'create', inputSource: 'csvFile', waitForCompletion: true, waitOptions: FAST_WAIT }, [{}], {
			data: { fileName: 'devices.csv', content: csv },
		});
		expect(waited.error()).toBeUndefined();
		const results = waited.output('HERE');
		expect(results).toHaveLength(2500);
		expect(results.every((r) => r.json.outcome === 'succeeded' && r.pairedItem !== undefined)).toBe(true);
		expect(new Set(results.map((r) => r.json.jobId)).size).toBe(3);
		const byName = new Map(results.map((r) => [r.json.name, r.json]));
		expect(byName.get('bulk-1')).toMatchObject({ row: 2, inputItem: 0 });
		expect(byName.get('bulk-2500')).toMatchObject({ row: 2501 });
		expect(results.every((r) => !('deviceSecret' in r.json))).toBe(true);
	});

	test('a job whose devices would be over 10 MiB (long tags) is split into jobs that fit: every upload is taken, none refused half-way', async () => {
		const user = loginUser(emulator, engine);
		// 1000 plain devices, then 1000 with ten 1,100-character tags: about 11 MB in one job, over HERE's 10 MiB.
		const tags = (i: number) => Array.from({ length: 10 }, (_, t) => `${i}-${t}-`.padEnd(1_100, 'x')).join('|');
		const lines = ['name,tags', ...Array.from({ length: 2000 }, (_, i) => `big-${i},${i < 1000 ? 'short' : tags(i)}`)];
		emulator.clearRequests();
		const run = await create(user, { jobType: 'create', inputSource: 'csvText', csvText: lines.join('\n') });

		expect(run.error()).toBeUndefined();
		expect(json(run.output('HERE')).map((j) => [j.deviceCount, j.rows, j.fileName])).toEqual([
			[1000, 'rows 2 to 1001', 'devices.csv (1/3)'],
			[948, 'rows 1002 to 1949', 'devices.csv (2/3)'],
			[52, 'rows 1950 to 2001', 'devices.csv (3/3)'],
		]);
		expect(uploads(emulator).map((upload) => upload.status)).toEqual([202, 202, 202]);
		expect(emulator.devices(user.projectId)).toHaveLength(2000);
	});

	test('a device that no upload can carry (over 10 MiB of tags) is refused before anything is sent, by its element', async () => {
		const user = loginUser(emulator, engine);
		const devices = [{ name: 'small' }, { name: 'huge', tags: Array.from({ length: 10 }, (_, t) => `${t}`.padEnd(1_100_000, 'x')) }];
		emulator.clearRequests();
		const run = await create(user, { jobType: 'create', inputSource: 'json', devicesJson: JSON.stringify(devices) });

		const error = run.error() as Described;
		expect(error.message).toBe('The device of element 1 is too large: 10.5 MiB as JSON, and an upload to HERE may be at most 10 MiB');
		expect(error.description).toBe('Tags are the only field without a length limit: shorten its tags. Nothing was sent to HERE.');
		expect(uploads(emulator)).toEqual([]);
	});

	test('jobs are uploaded with bounded concurrency (Parallel Uploads, default 3)', async () => {
		const user = loginUser(emulator, engine);
		// Every upload takes 150 ms on the server, so the uploads in flight at once can be counted.
		emulator.faults.script([{ method: 'POST', path: UPLOADS_PATH, kind: 'slow', slowMs: 150, times: 7 }]);
		const uploadsOpen = countOpenRequests('server', (method, path) => method === 'POST' && UPLOADS_PATH.test(path));
		const run = await create(user, { jobType: 'create', inputSource: 'csvText', csvText: csvOf(7, 'par'), options: { chunkSize: 1 } }).finally(uploadsOpen.stop);

		expect(run.error()).toBeUndefined();
		expect(run.output('HERE')).toHaveLength(7);
		expect(uploads(emulator)).toHaveLength(7);
		expect(uploadsOpen.max()).toBe(3); // three at once, never four
	});

	test('One Summary Item lists every job', async () => {
		const user = loginUser(emulator, engine);
		const run = await create(user, { jobType: 'create', inputSource: 'csvText', csvText: csvOf(5, 'sum'), jobOutput: 'summary', options: { chunkSize: 2 } });

		expect(run.error()).toBeUndefined();
		const [summary] = json(run.output('HERE'));
		expect(summary).toMatchObject({ jobType: 'create', jobCount: 3, createdJobCount: 3, deviceCount: 5 });
		expect(summary.jobIds).toHaveLength(3);
		expect((summary.jobs as IDataObject[]).map((j) => j.rows)).toEqual(['rows 2 to 3', 'rows 4 to 5', 'row 6']);
	});
});

describe('validation before upload', () => {
	const INVALID_CSV = [
		'name,sendMs,sampleMs,tags,geofence:08e742fc-52d1-49aa-bea0-60a6cd17d8a2,areaBased',
		'Good 1,600000,300000,a,,',
		'Bad sendMs,12abc,300000,,,',
		',600000,300000,,,',
		'Good 2,600000,300000,,1,1',
		'Bad interval,1000,5000,,,',
		'Bad flag,600000,300000,,yes,',
		'Good 1,600000,300000,,,',
	].join('\n');

	test('an invalid CSV sends nothing and the error names every bad row', async () => {
		const user = loginUser(emulator, engine);
		const run = await create(user, { jobType: 'create', inputSource: 'csvFile' }, [{}], { data: { fileName: 'fleet.csv', content: INVALID_CSV } });

		const error = run.error() as Described;
		expect(error.message).toBe('5 of 7 rows are invalid; nothing was sent to HERE');
		// Every bad row with its column, reason and value (the devices pipeline words the report).
		for (const expected of [
			/sendMs: is not a number\W+row 3\W+12abc/,
			/name: is required\W+row 4/,
			/sendMs: must be at least sampleMs\W+row 6\W+1000, less than sampleMs 5000/,
			/geofence:08e742fc-52d1-49aa-bea0-60a6cd17d8a2: takes 1 to apply it.*row 7\W+yes/,
			/name: is used twice in this upload \(first in row 2\).*row 8\W+Good 1/,
			/Skip Invalid Rows/,
		]) {
			expect(editorView(error.description ?? '')).toMatch(expected);
		}
		expect(emulator.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
		expect(emulator.jobs(user.projectId)).toEqual([]);
	});

	test('Skip Invalid Rows uploads the valid rows and reports the invalid ones', async () => {
		const user = loginUser(emulator, engine);
		const run = await create(user, { jobType: 'create', inputSource: 'csvText', csvText: INVALID_CSV, options: { skipInvalidRows: true } });

		expect(run.error()).toBeUndefined();
		const [job] = json(run.output('HERE'));
		expect(job).toMatchObject({ deviceCount: 2, firstRow: 2, lastRow: 5, invalidRowCount: 5 });
		expect((job.invalidRows as IDataObject[]).map((r) => [r.row, r.column])).toEqual([
			[3, 'sendMs'],
			[4, 'name'],
			[6, 'sendMs'],
			[7, 'geofence:08e742fc-52d1-49aa-bea0-60a6cd17d8a2'],
			[8, 'name'],
		]);
		expect((job.invalidRows as IDataObject[])[0]).toMatchObject({ reason: 'is not a number', value: '12abc', message: 'row 3, sendMs: is not a number ("12abc")' });
		expect(emulator.devices(user.projectId).map((d) => d.name)).toEqual(['Good 1', 'Good 2']);
	});

	test('Skip Invalid Rows reports each skipped row with the job whose rows it lies among', async () => {
		const user = loginUser(emulator, engine);
		const csv = 'name,sendMs\nA,1\n,1\nB,1\nC,1\nD,x\nE,1\nF,-1';
		const run = await create(user, { jobType: 'create', inputSource: 'csvText', csvText: csv, options: { skipInvalidRows: true, chunkSize: 2 } });

		expect(run.error()).toBeUndefined();
		expect(json(run.output('HERE')).map((j) => [j.rows, j.deviceCount, (j.invalidRows as IDataObject[]).map((r) => r.row)])).toEqual([
			['rows 2 to 4', 2, [3]],
			['rows 5 to 7', 2, [6, 8]],
		]);
	});

	test('Skip Invalid Rows over five jobs: rows before, between and after the jobs go with the right job', async () => {
		const user = loginUser(emulator, engine);
		const rows = ['A,1', 'bad 1,x', 'B,1', 'C,1', 'bad 2,x', 'bad 3,y', 'D,1', 'E,1', 'F,1', 'G,1', 'bad 4,z', 'H,1', 'I,1', 'bad 5,-1'];
		const run = await create(user, { jobType: 'create', inputSource: 'csvText', csvText: `name,sendMs\n${rows.join('\n')}`, options: { skipInvalidRows: true, chunkSize: 2 } });

		expect(run.error()).toBeUndefined();
		expect(json(run.output('HERE')).map((j) => [j.firstRow, j.lastRow, (j.invalidRows as IDataObject[]).map((r) => r.row)])).toEqual([
			[2, 4, [3]],
			[5, 8, [6, 7]],
			[9, 10, []],
			[11, 13, [12]],
			[14, 14, [15]],
		]);
	});

	test('One Job per Input Item with Skip Invalid Rows: an item without any valid row says so and makes no job', async () => {
		const user = loginUser(emulator, engine);
		const node = bulkJobsNode(user.credential, {
			operation: 'create',
			jobType: 'create',
			inputSource: 'csvText',
			csvText: '={{ $json.csv }}',
			options: { jobPerItem: true, skipInvalidRows: true },
		} as never);
		const run = await runWorkflow(engine, itemsThen(node, [{ csv: 'name\nOK 1' }, { csv: 'name,sendMs\nBad,x' }, { csv: 'name\nOK 3' }]));

		expect(run.error()).toBeUndefined();
		expect(run.output('HERE').map((item) => [item.json.outcome, item.json.deviceCount, item.json.invalidRowCount, item.pairedItem])).toEqual([
			['created', 1, 0, { item: 0 }],
			['invalid', 0, 1, { item: 1 }],
			['created', 1, 0, { item: 2 }],
		]);
		expect(uploads(emulator)).toHaveLength(2);
	});

	test('Skip Invalid Rows with Wait for Completion: every row has a fate, results and skipped rows alike', async () => {
		const user = loginUser(emulator, engine);
		const csv = 'name,sendMs,sampleMs\nW1,1,1\nW2,x,-1\nW3,1,1';
		const perDevice = await create(user, {
			jobType: 'create',
			inputSource: 'csvText',
			csvText: csv,
			options: { skipInvalidRows: true },
			waitForCompletion: true,
			waitOptions: FAST_WAIT,
		});
		expect(perDevice.error()).toBeUndefined();
		expect(json(perDevice.output('HERE')).map((r) => [r.row, r.outcome, r.name ?? r.errorMessage])).toEqual([
			[2, 'succeeded', 'W1'],
			[4, 'succeeded', 'W3'],
			[3, 'invalid', 'row 3, sendMs: is not a number ("x"); row 3, sampleMs: must be 0 or more ("-1")'],
		]);

		const other = loginUser(emulator, engine);
		const summary = await create(other, {
			jobType: 'create',
			inputSource: 'csvText',
			csvText: csv,
			options: { skipInvalidRows: true },
			waitForCompletion: true,
			waitOptions: FAST_WAIT,
			output: 'summary',
		});
		expect(summary.error()).toBeUndefined();
		const [job] = json(summary.output('HERE'));
		expect(job).toMatchObject({ status: 'completed', succeededCount: 2, invalidRowCount: 1 });
		expect((job.invalidRows as IDataObject[]).map((r) => [r.row, r.column])).toEqual([
			[3, 'sendMs'],
			[3, 'sampleMs'],
		]);
	});

	test('Skip Invalid Rows with no valid row at all is still an error', async () => {
		const user = loginUser(emulator, engine);
		const run = await create(user, { jobType: 'create', inputSource: 'csvText', csvText: 'name,sendMs\n,1\nX,-1', options: { skipInvalidRows: true } });
		expect(run.error()?.message).toBe('All 2 rows are invalid; nothing was sent to HERE');
		expect(uploads(emulator)).toHaveLength(0);
	});

	test('a file that is not CSV stops the run even with Skip Invalid Rows', async () => {
		const user = loginUser(emulator, engine);
		const run = await create(user, { jobType: 'create', inputSource: 'csvText', csvText: 'name;sendMs\nA;1', options: { skipInvalidRows: true } });
		expect(run.error()?.message).toMatch(/^The CSV cannot be used: row 1: the columns seem to be separated by semicolons .*; nothing was sent to HERE$/);
		expect(uploads(emulator)).toHaveLength(0);
	});

	test('a CSV without a header row (deviceId,deviceSecret) is refused without its first row: no secret in the message or the description', async () => {
		const user = loginUser(emulator, engine);
		const secret = 'S3cr3t-kq8Zr1vXb0_TyU7nWm2pLh';
		const csvText = `a19b2648-60c1-49fc-896c-ea450a07e98d,${secret}\n13316aa5-3b80-414c-bf6d-86fa3ca6a31f,Other-s3cret-9`;
		const run = await create(user, { jobType: 'create', inputSource: 'csvText', csvText });
		const error = run.error() as Described | undefined;
		expect(error?.message).toMatch(/^The CSV cannot be used: row 1: the first row must be the header row, naming HERE's fields/);
		expect(`${error?.message} ${error?.description}`).not.toMatch(/S3cr3t|s3cret|a19b2648/);
		expect(uploads(emulator)).toHaveLength(0);
	});

	test('a wrong wait setting is refused before the upload, not after it', async () => {
		const user = loginUser(emulator, engine);
		const run = await create(user, { jobType: 'create', inputSource: 'csvText', csvText: csvOf(2, 'early'), waitForCompletion: true, waitOptions: { timeout: -1 } });
		expect(run.error()?.message).toBe('Timeout must be a positive number of minutes');
		expect(uploads(emulator)).toHaveLength(0);
	});

	test.each([
		['0', '={{ 0 }}', 'name\nA\nB'],
		['1500, with an invalid row in the CSV', '={{ 1500 }}', 'name,sendMs\nA,x'],
	])('Devices per Job of %s (from an expression) is refused with the other settings, by its editor name, before any row is read', async (_, chunkSize, csvText) => {
		const user = loginUser(emulator, engine);
		const run = await create(user, { jobType: 'create', inputSource: 'csvText', csvText, options: { chunkSize } });
		expect(run.error()?.message).toMatch(/^Devices per Job must be a whole number from 1 to 1000 \(got (0|1500)\): HERE accepts at most 1000 devices per job$/);
		expect(uploads(emulator)).toHaveLength(0);
	});

	test('continue on fail: one item with the error, counted per input item, and every invalid row', async () => {
		const user = loginUser(emulator, engine);
		const node = { ...bulkJobsNode(user.credential, { operation: 'create', jobType: 'create', inputSource: 'csvText', csvText: '={{ $json.csv }}' } as never), onError: 'continueRegularOutput' as const };
		// Two input items, each with its own CSV (the same problems, other device names).
		const run = await runWorkflow(engine, itemsThen(node, [{ csv: INVALID_CSV }, { csv: INVALID_CSV.replace(/Good/g, 'Fine') }]));

		expect(run.error()).toBeUndefined();
		const items = run.output('HERE');
		expect(items).toHaveLength(1);
		expect(items[0].json).toMatchObject({
			error: 'Input item 0: 5 of 7 rows are invalid; input item 1: 5 of 7 rows are invalid; nothing was sent to HERE',
			invalidRowCount: 10,
		});
		expect((items[0].json.invalidRows as IDataObject[])[0]).toMatchObject({ inputItem: 0, row: 3, message: 'input item 0, row 3, sendMs: is not a number ("12abc")' });
		// Plain text for the next node: one problem per line, values as written.
		expect(items[0].json.description).toContain('Input item 1:');
		expect(items[0].json.description).toContain('\n- sendMs: is not a number (row 3: "12abc")');
		expect(items[0].json.description).not.toMatch(/<|&quot;/);
		expect(items[0].pairedItem).toEqual([{ item: 0 }, { item: 1 }]);
		expect(uploads(emulator)).toHaveLength(0);

		// With the error output, the same item goes there, its facts under details.
		const routed = await runWorkflow(engine, itemsThen({ ...node, onError: 'continueErrorOutput' as const }, [{ csv: INVALID_CSV }]));
		expect(routed.output('HERE', 0)).toEqual([]);
		const [failed] = routed.output('HERE', 1);
		// n8n adds the input item's own fields (here `csv`) to an item on the error output.
		expect(Object.keys(failed.json).sort()).toEqual(['csv', 'details', 'error']);
		expect(failed.json.details).toMatchObject({ invalidRowCount: 5, description: expect.stringContaining('sendMs: is not a number') });
	});
});

describe('a job that ends failed', () => {
	// The onboarding example run twice: HERE refuses every name the project already holds.
	async function secondUpload(parameters: Record<string, unknown>, nodeSettings: Record<string, unknown> = {}) {
		const user = loginUser(emulator, engine);
		const csvText = csvOf(7, 'again');
		expect((await create(user, { jobType: 'create', inputSource: 'csvText', csvText })).error()).toBeUndefined();
		emulator.clearRequests();
		const node = { ...bulkJobsNode(user.credential, { operation: 'create', jobType: 'create', inputSource: 'csvText', csvText, waitForCompletion: true, ...parameters } as never), ...nodeSettings };
		return await runWorkflow(engine, itemsThen(node));
	}

	const REASON = (n: number) => `"again-${n}": A device with this name already exists in the project. (code 409, name:again-${n})`;

	test("the error gives HERE's reasons for the first failed devices and says the job has ended", async () => {
		const run = await secondUpload({ waitOptions: FAST_WAIT });

		const error = run.error() as Described;
		expect(error.message).toMatch(/^Job BULK-\S+ ended "failed" at 100% \(7 of 7 devices processed: 0 succeeded, 7 failed\)$/);
		const text = editorView(error.description);
		expect(text).toContain(`HERE's reasons for the failed devices:\n${[1, 2, 3, 4, 5].map((n) => `- ${REASON(n)}`).join('\n')}\n- and 2 more failed devices`);
		expect(text).toContain('The job has ended: nothing of it keeps running on HERE.');
		// A re-run sends the refused devices again: the cause HERE names comes first.
		expect(text).toContain(
			'The devices were uploaded and every job has ended: nothing keeps running on HERE. Where HERE names a cause (for example a name that another device already has), fix it first, in the list or in the project: ' +
				'a re-run sends the failed devices again, and HERE refuses them again until their cause is fixed. To send only the devices that failed, run the node again with Options > Skip Devices Already in Jobs set to: ',
		);
		expect(text).not.toContain('jobs keep running');
		// The reasons cost one results page.
		expect(emulator.requests.filter((r) => r.path.endsWith('/results'))).toHaveLength(1);
		expect(uploads(emulator)).toHaveLength(1);
	});

	test('a failed job that someone acknowledged before the wait saw it (a trigger) gets the same error and advice', async () => {
		const user = loginUser(emulator, engine);
		const csvText = csvOf(7, 'ack-again');
		expect((await create(user, { jobType: 'create', inputSource: 'csvText', csvText })).error()).toBeUndefined();
		// HERE's answers once every job is acknowledged as soon as it ends.
		const here = await startMisbehavingHere(emulator.url, async (request, forward) => {
			const answer = await forward();
			const body = answer.json as { status?: string } | undefined;
			return request.path.endsWith('/status') && body?.status === 'failed' ? { ...answer, json: { ...body, status: 'acknowledged' } } : answer;
		});
		try {
			const credential = engine.saveCredential('create-acknowledged', { ...engine.credentials.stored(user.credential.id), baseUrl: here.url });
			const node = bulkJobsNode(credential, { operation: 'create', jobType: 'create', inputSource: 'csvText', csvText, waitForCompletion: true, waitOptions: FAST_WAIT } as never);
			const error = (await runWorkflow(engine, itemsThen(node))).error() as Described;
			expect(error.message).toMatch(/^Job BULK-\S+ ended "acknowledged", after it failed, at 100% \(7 of 7 devices processed: 0 succeeded, 7 failed\)$/);
			expect(editorView(error.description)).toContain('Where HERE names a cause (for example a name that another device already has), fix it first');
		} finally {
			await here.close();
		}
	});

	test('continue on fail: the error item carries the reasons', async () => {
		const run = await secondUpload({ waitOptions: FAST_WAIT }, { onError: 'continueRegularOutput' });

		expect(run.error()).toBeUndefined();
		const [item] = run.output('HERE');
		expect(String(item.json.error)).toMatch(/ended "failed"/);
		// Plain text for the next node (an e-mail, a chat message): no tags, no entities.
		expect(item.json.description).toContain(`\n- ${REASON(1)}`);
		expect(item.json.description).not.toMatch(/<|&quot;/);
		// The jobs, for a next node to act on without reading the text.
		const jobId = String(item.json.error).match(/^Job (BULK-\S+)/)?.[1];
		expect(item.json).toMatchObject({ jobId, jobStatus: 'failed', createdJobIds: [jobId], jobStatuses: { [String(jobId)]: 'failed' } });

		// With the error output, the same facts come under details, on that output.
		const routed = await secondUpload({ waitOptions: FAST_WAIT }, { onError: 'continueErrorOutput' });
		expect(routed.output('HERE', 0)).toEqual([]);
		const [failed] = routed.output('HERE', 1);
		const routedJobId = String(failed.json.error).match(/^Job (BULK-\S+)/)?.[1];
		expect(failed.json.details).toMatchObject({ jobId: routedJobId, jobStatus: 'failed', createdJobIds: [routedJobId], description: expect.stringContaining(`\n- ${REASON(1)}`) });
	});

	test('failed jobs as output: the summary item says what happened and why', async () => {
		const run = await secondUpload({ waitOptions: { ...FAST_WAIT, outputUnsuccessfulJobs: true }, output: 'summary' });

		expect(run.error()).toBeUndefined();
		const [summary] = json(run.output('HERE'));
		expect(summary).toMatchObject({ status: 'failed', failedCount: 7 });
		expect(summary.error).toBe(
			`Job ${String(summary.jobId)} ended "failed" at 100% (7 of 7 devices processed: 0 succeeded, 7 failed). The job has ended: nothing of it keeps running on HERE. ` +
				`HERE's reasons: ${[1, 2, 3, 4, 5].map(REASON).join('; ')}; and 2 more failed devices.`,
		);
	});
});
