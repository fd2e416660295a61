import type { HereEmulator } from '../../emulator';
import { startEmulator } from '../../emulator';
import type { Engine } from '../harness/engine';
import { createEngine, runWorkflow } from '../harness/engine';
import { bulkJobsNode, byId, createJobDirectly, itemsThen, loginUser, newDevices } from '../harness/fixtures';

// Manual processing: each test decides whether its job has finished.
let emulator: HereEmulator;
let engine: Engine;
let user: ReturnType<typeof loginUser>;

beforeAll(async () => {
	emulator = await startEmulator({ processing: { mode: 'manual' } });
	engine = await createEngine();
	user = loginUser(emulator, engine);
});

afterAll(async () => {
	await emulator.close();
});

type Described = Error & { description?: string };

async function jobAction(operation: 'cancel' | 'acknowledge', jobId: string) {
	return await runWorkflow(engine, itemsThen(bulkJobsNode(user.credential, { operation, jobId: byId(jobId) } as never)));
}

test('cancelling a finished job names the statuses that can be cancelled, the last joined with "or"', async () => {
	const jobId = await createJobDirectly(emulator, user.email, newDevices(1));
	emulator.process({ jobId });
	const error = (await jobAction('cancel', jobId)).error() as Described;
	expect(error.message).toBe(`Job ${jobId} cannot be cancelled: its status is "completed"`);
	expect(error.description).toContain('Only jobs that are pending or ongoing can be cancelled.');
});

test('acknowledging a pending job names the statuses that can be acknowledged, the last joined with "or"', async () => {
	const jobId = await createJobDirectly(emulator, user.email, newDevices(1));
	const error = (await jobAction('acknowledge', jobId)).error() as Described;
	expect(error.message).toBe(`Job ${jobId} cannot be acknowledged: its status is "pending"`);
	expect(error.description).toContain('Only jobs that are completed, failed or cancelled can be acknowledged.');
});
