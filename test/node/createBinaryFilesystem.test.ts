import * as fs from 'node:fs';
import * as path from 'node:path';

import type { HereEmulator } from '../../emulator';
import { startEmulator } from '../../emulator';
import type { FilesystemBinaryData } from '../harness/binaryMode';
import { useFilesystemBinaryData } from '../harness/binaryMode';
import type { Engine } from '../harness/engine';
import { createEngine, runWorkflow } from '../harness/engine';
import { bulkJobsNode, itemsThen, loginUser } from '../harness/fixtures';
import { TUTORIAL_CSV, csvOf, uploads } from './createFixtures';

// Create's CSV File input in n8n's "filesystem" binary data mode (the self-hosted default): the
// item holds only a reference, so the CSV must be read through n8n's helpers (as a stream).
let binary: FilesystemBinaryData;
let emulator: HereEmulator;
let engine: Engine;

beforeAll(async () => {
	binary = await useFilesystemBinaryData();
	emulator = await startEmulator({ processing: { mode: 'instant' }, seed: 64 });
	engine = await createEngine();
});

afterAll(async () => {
	await emulator.close();
	binary.cleanup();
});

function filesUnder(folder: string): string[] {
	if (!fs.existsSync(folder)) return [];
	return fs.readdirSync(folder, { recursive: true, encoding: 'utf8' }).filter((entry) => fs.statSync(path.join(folder, entry)).isFile());
}

test('a CSV file stored on disk is read through the binary helpers and uploaded', async () => {
	const user = loginUser(emulator, engine);
	const node = bulkJobsNode(user.credential, { operation: 'create', jobType: 'create', inputSource: 'csvFile' } as never);
	const run = await runWorkflow(engine, itemsThen(node, [{}], { data: { fileName: 'file.csv', content: TUTORIAL_CSV } }));

	expect(run.error()).toBeUndefined();
	// The binary is on disk: the item carries an id and only the mode's name in `data`.
	const [input] = run.output('Items');
	expect(input.binary?.data?.id).toEqual(expect.stringMatching(/^filesystem/));
	expect(input.binary?.data?.data).not.toContain('name,deviceId');
	expect(filesUnder(binary.storagePath).length).toBeGreaterThan(0);

	expect(run.output('HERE')[0].json).toMatchObject({ fileName: 'file.csv', deviceCount: 2, firstRow: 2, lastRow: 3 });
	expect(emulator.devices(user.projectId).map((device) => device.name)).toEqual([
		'my at4h tracker in distance based mode',
		'my super tracker in area based mode',
	]);
});

test('a large file on disk is streamed, validated and split like any other', async () => {
	const user = loginUser(emulator, engine);
	emulator.clearRequests();
	const node = bulkJobsNode(user.credential, { operation: 'create', jobType: 'create', inputSource: 'csvFile' } as never);
	const run = await runWorkflow(engine, itemsThen(node, [{}], { data: { fileName: 'fleet.csv', content: csvOf(2100, 'disk') } }));

	expect(run.error()).toBeUndefined();
	expect(run.output('HERE').map((item) => [item.json.deviceCount, item.json.firstRow, item.json.lastRow, item.json.fileName])).toEqual([
		[1000, 2, 1001, 'fleet.csv (1/3)'],
		[1000, 1002, 2001, 'fleet.csv (2/3)'],
		[100, 2002, 2101, 'fleet.csv (3/3)'],
	]);
	expect(uploads(emulator)).toHaveLength(3);
	expect(emulator.devices(user.projectId)).toHaveLength(2100);
});
