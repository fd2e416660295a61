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
	emulator.faults.setRate({ rate: 1, kinds: ['slow'], slowMs: 300, match: { method: 'GET', path: /\/status$/ } });
});

afterAll(async () => {
	await emulator.close();
});

const context = (credential = user.credential) => executeContext(engine, bulkJobsNode(credential, {}));

async function checks(runContext: ReturnType<typeof context>, count: number, job = jobId): Promise<void> {
	await Promise.all(Array.from({ length: count }, async () => await getJobStatus(runContext, job, {})));
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

test('a new credential logs in once: the first request goes alone, the others start once it has the token', async () => {
	const fresh = loginUser(emulator, engine);
	const job = await createJobDirectly(emulator, fresh.email, newDevices(1));
	const logins = () => emulator.requests.filter((request) => request.path === '/users/v2/login').length;
	emulator.clearRequests();
	await checks(context(fresh.credential), 2 * REQUESTS_IN_FLIGHT, job);
	expect(logins()).toBe(1);
	// The next run finds the token stored: no login, and no waiting for one.
	await checks(context(fresh.credential), REQUESTS_IN_FLIGHT, job);
	expect(logins()).toBe(1);
});

test('a request waiting out a 429 leaves its place to the others', async () => {
	const run = context();
	await checks(run, 1); // the token is there before the test starts
	emulator.clearRequests();
	emulator.faults.script([{ method: 'GET', path: /\/status$/, kind: '429', retryAfterSeconds: 1, times: 1 }]);
	const refused = () => emulator.requests.some((request) => request.status === 429);
	let duringPause: ReturnType<typeof countOpenRequests> | undefined;
	const watching = (async () => {
		while (!refused()) await new Promise((resolve) => setTimeout(resolve, 5));
		// From the 429 until shortly before its Retry-After ends: 20 others in flight, not 19.
		duringPause = countOpenRequests('server', (_, path) => path.endsWith('/status'));
		await new Promise((resolve) => setTimeout(resolve, 700));
		duringPause.stop();
	})();
	try {
		await checks(run, 5 * REQUESTS_IN_FLIGHT);
		await watching;
		expect(duringPause?.max()).toBe(REQUESTS_IN_FLIGHT);
	} finally {
		duringPause?.stop();
	}
});
