import { parse } from 'csv-parse/sync';

import type { HereEmulator } from '../../emulator';
import { startEmulator } from '../../emulator';
import type { FilesystemBinaryData } from '../harness/binaryMode';
import { useFilesystemBinaryData } from '../harness/binaryMode';
import type { Engine } from '../harness/engine';
import { createEngine, executeContext, runWorkflow } from '../harness/engine';
import { bulkJobsNode, byId, createJobDirectly, itemsThen, loginUser, newDevices } from '../harness/fixtures';

// The results CSV in n8n's "filesystem" binary data mode (self-hosted default): the item holds
// only a reference, and the file must come back through n8n's helpers.
let binary: FilesystemBinaryData;
let emulator: HereEmulator;
let engine: Engine;
let user: ReturnType<typeof loginUser>;

beforeAll(async () => {
	binary = await useFilesystemBinaryData();
	emulator = await startEmulator({ processing: { mode: 'instant' }, seed: 61 });
	engine = await createEngine();
	user = loginUser(emulator, engine);
});

afterAll(async () => {
	await emulator.close();
	binary.cleanup();
});

test('Get Results stores the CSV in the binary data store and it reads back through the helpers', async () => {
	const devices = newDevices(120);
	const jobId = await createJobDirectly(emulator, user.email, devices);
	const node = bulkJobsNode(user.credential, {
		operation: 'getResults',
		jobId: byId(jobId),
		returnAll: true,
		output: 'summary',
		resultOptions: { attachCsv: true, includeResults: false },
	} as never);
	const run = await runWorkflow(engine, itemsThen(node));
	expect(run.error()).toBeUndefined();
	const [item] = run.output('HERE');

	expect(item.binary?.data?.id).toEqual(expect.stringMatching(/^filesystem/));
	expect(item.binary?.data?.data).not.toContain(',');
	const context = executeContext(engine, bulkJobsNode(user.credential, {}), [item]);
	const rows = parse(await context.helpers.getBinaryDataBuffer(0, 'data'), { columns: true }) as Array<Record<string, string>>;
	expect(rows.map((row) => row.name)).toEqual(devices.map((device) => device.name));
	expect(rows.every((row) => row.jobId === jobId && row.outcome === 'succeeded')).toBe(true);
});
