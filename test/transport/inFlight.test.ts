import type { HereEmulator } from '../../emulator';
import { startEmulator } from '../../emulator';
import { getJobStatus } from '../../nodes/HereBulkJobs/jobs/api';
import { REQUESTS_IN_FLIGHT } from '../../nodes/HereBulkJobs/transport';
import type { Engine } from '../harness/engine';
import { createEngine, executeContext } from '../harness/engine';
import { bulkJobsNode, createJobDirectly, loginUser, newDevices } from '../harness/fixtures';
import { countOpenRequests } from '../harness/openRequests';

// The requests of one node run share REQUESTS_IN_FLIGHT places (transport/inFlight.ts).
let emulator: HereEmulator;
let engine: Engine;
let user: ReturnType<typeof loginUser>;
let jobId: string;

beforeAll(async () => {
	emulator = await startEmulator({ processing: { mode: 'instant' }, seed: 12 });
	engine = await createEngine();
	user = loginUser(emulator, engine);
	jobId = await createJobDirectly(emulator, user.email, newDevices(1));
	// Slow answers, so that requests which overlap are seen overlapping.
	emulator.faults.setRate({ rate: 1, kinds: ['slow'], slowMs: 100, match: { method: 'GET', path: /\/status$/ } });
});

afterAll(async () => {
	await emulator.close();
});

const context = () => executeContext(engine, bulkJobsNode(user.credential, {}));

async function checks(runContext: ReturnType<typeof context>, count: number): Promise<void> {
	await Promise.all(Array.from({ length: count }, async () => await getJobStatus(runContext, jobId, {})));
}

test('one run never has more than REQUESTS_IN_FLIGHT requests open; the others wait and all are answered', async () => {
	const open = countOpenRequests('server', (_, path) => path.endsWith('/status'));
	try {
		emulator.clearRequests();
		await checks(context(), 3 * REQUESTS_IN_FLIGHT);
		expect(emulator.requests.filter((request) => request.path.endsWith('/status'))).toHaveLength(3 * REQUESTS_IN_FLIGHT);
		expect(open.max()).toBe(REQUESTS_IN_FLIGHT);
	} finally {
		open.stop();
	}
});

test('two runs have their own places', async () => {
	const open = countOpenRequests('server', (_, path) => path.endsWith('/status'));
	try {
		await Promise.all([checks(context(), 2 * REQUESTS_IN_FLIGHT), checks(context(), 2 * REQUESTS_IN_FLIGHT)]);
		expect(open.max()).toBeGreaterThan(REQUESTS_IN_FLIGHT);
		expect(open.max()).toBeLessThanOrEqual(2 * REQUESTS_IN_FLIGHT);
	} finally {
		open.stop();
	}
});
