import type { HereEmulator } from '../../emulator';
import { startEmulator } from '../../emulator';
import { getJobStatus } from '../../nodes/HereBulkJobs/jobs/api';
import { REQUESTS_IN_FLIGHT } from '../../nodes/HereBulkJobs/transport';
import { sessionFields } from '../../nodes/HereBulkJobs/transport/storedSession';
import type { Engine } from '../harness/engine';
import { createEngine, executeContext } from '../harness/engine';
import { bulkJobsNode, createJobDirectly, loginUser, newDevices } from '../harness/fixtures';
import { countOpenRequests } from '../harness/openRequests';
import { until } from '../jobs/helpers';

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

/** A run whose credential already holds its token, with an empty request log. */
async function signedInRun(): Promise<ReturnType<typeof context>> {
	const run = context();
	await checks(run, 1);
	emulator.clearRequests();
	return run;
}

const pause = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));
const answered = (status: number) => () => emulator.requests.some((request) => request.status === status);

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

test('a login that fails (a wrong password) is tried once: the requests that waited for it fail with it, and a later run tries again', async () => {
	const fresh = loginUser(emulator, engine);
	const job = await createJobDirectly(emulator, fresh.email, newDevices(1));
	const fields = engine.credentials.stored(fresh.credential.id);
	engine.saveCredential(fresh.credential.id, { ...fields, password: 'not-the-password' });
	const logins = () => emulator.requests.filter((request) => request.path === '/users/v2/login');
	emulator.clearRequests();

	const run = context(fresh.credential);
	const results = await Promise.allSettled(Array.from({ length: REQUESTS_IN_FLIGHT }, async () => await getJobStatus(run, job, {})));
	// The first request logged in; the 19 that waited for it did not try the password again.
	expect(logins()).toHaveLength(1);
	expect(logins().every((request) => request.status === 401)).toBe(true);
	expect(results.every((result) => result.status === 'rejected')).toBe(true);
	const reasons = new Set(results.map((result) => (result.status === 'rejected' ? String(result.reason) : '')));
	expect(reasons.size).toBe(1);
	expect(emulator.requests.filter((request) => request.path.endsWith('/status'))).toHaveLength(0);

	// Fixed, the credential logs in at the next request of the same run: a failed login is not remembered.
	engine.saveCredential(fresh.credential.id, fields);
	await expect(getJobStatus(run, job, {})).resolves.toMatchObject({ status: expect.any(String) });
	expect(logins()).toHaveLength(2);
});

test('an expired stored token makes one login: the first request logs in alone, the others use the renewed token', async () => {
	const fresh = loginUser(emulator, engine);
	const job = await createJobDirectly(emulator, fresh.email, newDevices(1));
	// Yesterday's session, as preAuthentication stored it: obtained for this credential, expired since.
	const fields = engine.credentials.stored(fresh.credential.id);
	const yesterday = Date.now() - 24 * 3600 * 1000;
	engine.saveCredential(fresh.credential.id, { ...fields, ...sessionFields(fields, emulator.issueToken(fresh.email, { ttlSeconds: 1 }), 86_400 - 5, yesterday) });
	emulator.clock.advance(2000);
	emulator.clearRequests();

	await checks(context(fresh.credential), 2 * REQUESTS_IN_FLIGHT, job);

	expect(emulator.requests.filter((request) => request.path === '/users/v2/login')).toHaveLength(1);
	expect(emulator.requests.filter((request) => request.status === 401)).toHaveLength(1);
	expect(Date.parse(String(engine.credentials.stored(fresh.credential.id).sessionExpiresAt))).toBeGreaterThan(Date.now());
});

test('a stored token that expires within a minute is renewed once, before it runs out under the run\'s requests', async () => {
	const fresh = loginUser(emulator, engine);
	const job = await createJobDirectly(emulator, fresh.email, newDevices(1));
	// HERE still takes this token for 30 s: sent, it would run out in the middle of the run, and every request in flight would then log in.
	const fields = engine.credentials.stored(fresh.credential.id);
	const obtainedAt = Date.now() - 86_400_000 + 30_000;
	engine.saveCredential(fresh.credential.id, { ...fields, ...sessionFields(fields, emulator.issueToken(fresh.email, { ttlSeconds: 30 }), 86_400, obtainedAt) });
	emulator.clearRequests();

	await checks(context(fresh.credential), 2 * REQUESTS_IN_FLIGHT, job);

	expect(emulator.requests.filter((request) => request.path === '/users/v2/login')).toHaveLength(1);
	expect(Date.parse(String(engine.credentials.stored(fresh.credential.id).sessionExpiresAt))).toBeGreaterThan(Date.now() + 3600_000);
});

test('a run whose stored token is valid does not wait for a login: its first requests go together', async () => {
	const run = await signedInRun();
	expect(Date.parse(String(engine.credentials.stored(user.credential.id).sessionExpiresAt))).toBeGreaterThan(Date.now() + 3600_000);
	const open = countOpenRequests('server', (_, path) => path.endsWith('/status'));
	try {
		await checks(run, REQUESTS_IN_FLIGHT);
		expect(open.max()).toBe(REQUESTS_IN_FLIGHT);
		expect(emulator.requests.filter((request) => request.path === '/users/v2/login')).toHaveLength(0);
	} finally {
		open.stop();
	}
});

test('a new credential whose first request meets a 429: the others, waiting for its login, wait out the 429 too', async () => {
	const fresh = loginUser(emulator, engine);
	const job = await createJobDirectly(emulator, fresh.email, newDevices(1));
	emulator.clearRequests();
	emulator.faults.script([{ method: 'GET', path: /\/status$/, kind: '429', retryAfterSeconds: 1, times: 1 }]);
	await checks(context(fresh.credential), REQUESTS_IN_FLIGHT, job);
	const calls = emulator.requests.filter((request) => request.path.endsWith('/status'));
	expect(calls[0].status).toBe(429);
	expect(calls.slice(1).filter((request) => request.at < calls[0].at + 900)).toHaveLength(0);
	expect(calls.filter((request) => request.status === 200)).toHaveLength(REQUESTS_IN_FLIGHT);
});

test('a request with a deadline (a trigger poll) is not sent when the run must wait past it after a 429: it fails at once, nothing sent', async () => {
	const run = await signedInRun();
	emulator.faults.script([{ method: 'GET', path: /\/status$/, kind: '429', retryAfterSeconds: 10, times: 1 }]);
	const deadline = () => ({ retry: { deadlineAt: Date.now() + 3000 } });
	// The first meets the 429: HERE's 10 s wait ends past its deadline, so it is not retried.
	await expect(getJobStatus(run, jobId, {}, deadline())).rejects.toThrow(/HTTP 429/);
	// The next one of the same run would wait those 10 s before it could be sent.
	const next = getJobStatus(run, jobId, {}, deadline());
	await expect(next).rejects.toThrow(/was not sent: HERE asked this user to wait 10 s \(429 or 503 with Retry-After\), longer than this request may wait/);
	await expect(next).rejects.toMatchObject({ context: { notProcessed: true } });
	expect(emulator.requests.filter((request) => request.path.endsWith('/status'))).toHaveLength(1);
});

test('requests with a deadline held back for a new credential\'s first request are not sent when its 429 asks the run to wait past the deadline', async () => {
	const fresh = loginUser(emulator, engine);
	const job = await createJobDirectly(emulator, fresh.email, newDevices(1));
	emulator.clearRequests();
	emulator.faults.script([{ method: 'GET', path: /\/status$/, kind: '429', retryAfterSeconds: 10, times: 1 }]);
	const run = context(fresh.credential);
	const deadline = { retry: { deadlineAt: Date.now() + 3000 } };
	const outcomes = await Promise.allSettled(Array.from({ length: 5 }, async () => await getJobStatus(run, job, {}, deadline)));
	// The first meets the 429; the four that waited behind its login are not sent at all (they would have waited 10 s).
	expect(outcomes.every((outcome) => outcome.status === 'rejected')).toBe(true);
	expect(outcomes.filter((outcome) => outcome.status === 'rejected' && /was not sent/.test(String(outcome.reason)))).toHaveLength(4);
	expect(emulator.requests.filter((request) => request.path.endsWith('/status'))).toHaveLength(1);
});

test('after a 429 the whole run waits out its Retry-After, and the refused request is among the first sent after it', async () => {
	const refusedJob = await createJobDirectly(emulator, user.email, newDevices(1));
	const run = await signedInRun();
	emulator.faults.script([{ method: 'GET', path: new RegExp(`${refusedJob}/status$`), kind: '429', retryAfterSeconds: 1, times: 1 }]);
	await Promise.all([getJobStatus(run, refusedJob, {}), checks(run, 4 * REQUESTS_IN_FLIGHT)]);
	const calls = emulator.requests.filter((request) => request.path.endsWith('/status'));
	const refusal = calls.find((request) => request.status === 429);
	if (refusal === undefined) throw new Error('no 429 was given');
	// The first 20 were on their way when the 429 came; every later one was sent after the wait.
	expect(calls.slice(REQUESTS_IN_FLIGHT).filter((request) => request.at < refusal.at + 900)).toHaveLength(0);
	expect(calls.filter((request) => request.status === 200)).toHaveLength(4 * REQUESTS_IN_FLIGHT + 1);
	// Half the places go first after the wait, the refused request in them (not behind the 60 others that waited).
	const afterWait = calls.slice(REQUESTS_IN_FLIGHT);
	const retried = afterWait.findIndex((request) => request.path.includes(refusedJob));
	expect(retried).toBeGreaterThanOrEqual(0);
	expect(retried).toBeLessThan(REQUESTS_IN_FLIGHT / 2);
});

test.each([
	['429', 'its Retry-After of 1 s', 1100, 1700],
	['503', 'the backoff of 250-500 ms', 600, 1100],
] as const)('after a %s the run waits out %s, then goes on with half its places until a second has passed without one', async (kind, _wait, from, to) => {
	const run = await signedInRun();
	emulator.faults.script([{ method: 'GET', path: /\/status$/, kind, retryAfterSeconds: 1, times: 1 }]);
	let afterWait: ReturnType<typeof countOpenRequests> | undefined;
	const watching = (async () => {
		await until(answered(Number(kind)), 5000, `a ${kind}`);
		// From just after the wait until before the first place comes back (a second after the wait).
		await pause(from);
		afterWait = countOpenRequests('server', (_, path) => path.endsWith('/status'));
		await pause(to - from);
		afterWait.stop();
	})();
	try {
		await checks(run, 5 * REQUESTS_IN_FLIGHT);
		await watching;
		expect(afterWait?.max()).toBe(REQUESTS_IN_FLIGHT / 2);
	} finally {
		afterWait?.stop();
	}
});

test('a retry after a 500 waits out its backoff without a place, leaving it to the others', async () => {
	const run = await signedInRun();
	emulator.faults.script([{ method: 'GET', path: /\/status$/, kind: '500', times: 1 }]);
	const open = countOpenRequests('server', (_, path) => path.endsWith('/status'));
	let mostDuringBackoff = 0;
	const watching = (async () => {
		await until(answered(500), 5000, 'the 500');
		// During its backoff (250 ms at least): 20 others in flight, not 19.
		const backoffEnd = Date.now() + 200;
		while (Date.now() < backoffEnd) {
			mostDuringBackoff = Math.max(mostDuringBackoff, open.open());
			await pause(5);
		}
	})();
	try {
		await checks(run, 5 * REQUESTS_IN_FLIGHT);
		await watching;
		expect(mostDuringBackoff).toBe(REQUESTS_IN_FLIGHT);
	} finally {
		open.stop();
	}
});

test('under a quota far below the places, every request of the run is answered: the run slows down instead of failing', async () => {
	const tight = await startEmulator({ processing: { mode: 'instant' }, seed: 13, rateLimit: { maxPerSecond: 5, retryAfter: true } });
	try {
		// Answers after 300 ms, as over the internet with a new connection per request.
		tight.faults.setRate({ rate: 1, kinds: ['slow'], slowMs: 300, match: { method: 'GET', path: /\/status$/ } });
		const tightUser = loginUser(tight, engine);
		const job = await createJobDirectly(tight, tightUser.email, newDevices(1));
		tight.clearRequests();
		// 40 status checks at 5 a second: with 20 places each sending again after its own 429, some
		// were refused five times and the run failed.
		await checks(context(tightUser.credential), 40, job);
		const statusCalls = tight.requests.filter((request) => request.path.endsWith('/status'));
		expect(statusCalls.filter((request) => request.status === 200)).toHaveLength(40);
		// Slowed down, it meets fewer 429s than answers (the first burst alone, 20 at once, meets 15).
		expect(statusCalls.filter((request) => request.status === 429).length).toBeLessThan(40);
	} finally {
		await tight.close();
	}
});
