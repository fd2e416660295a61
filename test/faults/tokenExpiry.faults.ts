import type { HereEmulator } from '../../emulator';
import { startEmulator } from '../../emulator';
import type { Engine } from '../harness/engine';
import { createEngine, runWorkflow } from '../harness/engine';
import { bulkJobsNode, CANARY, createJobDirectly, itemsThen, loginUser } from '../harness/fixtures';
import { csvOf } from '../node/createFixtures';
import { recordFigures } from './figures';
import { errorText, judgeApiError } from './support/errors';
import { LeakScanner } from './support/leaks';
import { EXCEPT_UPLOADS, injectFaults, pool, seedsFor, timing } from './support/runs';
import { compressRequestTimeouts, TRANSPORT_TIMEOUT_MS } from './support/timeouts';

/**
 * The token expires in the middle of a long wait. With e-mail and password the credential logs
 * in again and the wait goes on (also with 20% faults, login included); a pasted token that
 * expires ends the run with a clear error that says to replace it, names the jobs that exist,
 * and does not show the token.
 */
const TTL_SECONDS = 600;
const DEVICES = 2500;
const RUNS = 10;
const TIMEOUT_DIVISOR = 40;
const SLOW_MS = Math.round((TRANSPORT_TIMEOUT_MS.upload / TIMEOUT_DIVISOR) * 1.2);

let engine: Engine;
let restoreTimeouts: () => void;

beforeAll(async () => {
	engine = await createEngine();
	restoreTimeouts = compressRequestTimeouts(TIMEOUT_DIVISOR);
});

afterAll(() => restoreTimeouts());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits (real time) until `condition` holds, at most `ms`. */
async function until(condition: () => boolean, ms = 20_000): Promise<void> {
	const deadline = Date.now() + ms;
	while (!condition()) {
		if (Date.now() > deadline) throw new Error('timed out waiting for the run to get there');
		await sleep(5);
	}
}

/** Requests HERE refused with 401 (an expired token) so far. */
function refusals(emulator: HereEmulator): number {
	return emulator.requests.filter((r) => r.status === 401).length;
}

function statusChecks(emulator: HereEmulator): number {
	return emulator.requests.filter((r) => r.method === 'GET' && /\/status$/.test(r.path) && r.status === 200).length;
}

/**
 * Status checks answered 200 since the last 401. The wait checks its jobs in rounds and a round
 * ends only when every check of it is answered; so two rounds' worth of these means no request
 * is still on its way back from a 401 with a token that a second expiry would spoil.
 */
function checksSinceLast401(emulator: HereEmulator): number {
	const log = emulator.requests;
	let count = 0;
	for (let i = log.length - 1; i >= 0 && log[i].status !== 401; i--) {
		if (log[i].method === 'GET' && /\/status$/.test(log[i].path) && log[i].status === 200) count++;
	}
	return count;
}

const waitOptions = { pollInterval: 0.01, maxPollInterval: 0.03, timeout: 2 };

interface ExpiryRun {
	seed: number;
	ok: boolean;
	expiries: number;
	relogins: number;
	rows: number;
	faults: number;
	leaks: number;
	problems: string[];
	ms: number;
}

/** Create 2,500 devices and wait; while waiting the token expires twice, and the jobs finish only after that. */
async function loginRun(seed: number, withFaults: boolean): Promise<ExpiryRun> {
	const started = Date.now();
	const emulator = await startEmulator({ processing: { mode: 'manual' }, tokenTtlSeconds: TTL_SECONDS, seed });
	try {
		const user = loginUser(emulator, engine);
		const node = bulkJobsNode(user.credential, {
			operation: 'create',
			jobType: 'create',
			inputSource: 'csvText',
			csvText: csvOf(DEVICES, `t${seed}`),
			waitForCompletion: true,
			waitOptions,
		} as never);
		// Faults on login, status and results; an upload's own fate under faults is the create flow's subject.
		if (withFaults) injectFaults(emulator, seed, SLOW_MS, { path: EXCEPT_UPLOADS });
		const running = runWorkflow(engine, itemsThen(node));

		let expiries = 0;
		let finished = false;
		void running.finally(() => (finished = true));
		// The next expiry waits until the last one has met a request (a 401), so that each needs a login of its own.
		let refusedBeforeExpiry = -1;
		for (let round = 0; round < 2 && !finished; round++) {
			await until(
				() =>
					finished ||
					(emulator.jobs(user.projectId).length === 3 && refusals(emulator) > refusedBeforeExpiry && checksSinceLast401(emulator) >= 2 * 3),
			);
			if (finished) break;
			refusedBeforeExpiry = refusals(emulator);
			emulator.clock.advance((TTL_SECONDS + 60) * 1000);
			expiries++;
			// Part of the work gets done while the token is expired; the jobs are still running.
			emulator.process({ devices: 400 });
		}
		if (!finished) {
			// The wait went on with a new token (a status check answered after the expiry), then the jobs finish.
			const before = statusChecks(emulator);
			await until(() => finished || statusChecks(emulator) > before);
			await emulator.settle();
		}
		const run = await running;
		const faults = emulator.faults.injected;
		emulator.faults.clear();

		const problems: string[] = [];
		const logins = emulator.requests.filter((r) => r.path === '/users/v2/login' && r.status === 200).length;
		const relogins = engine.credentials.preAuthenticationCalls.filter((c) => c.id === user.credential.id && c.forced).length;
		const leaks = new LeakScanner();
		leaks.add('password', CANARY.password);
		leaks.add('session token', engine.credentials.stored(user.credential.id).sessionToken);
		const found = leaks.scan(`expiry seed ${seed}`, { run: run.run, error: run.error() });
		let rows = 0;
		const error = run.error();
		if (error === undefined) {
			const names = new Set(run.output('HERE').map((item) => String(item.json.name)));
			rows = names.size;
			if (rows !== DEVICES) problems.push(`${rows} of ${DEVICES} results`);
			if (expiries > 0 && relogins < 1) problems.push(`the token expired ${expiries} times, but the credential never logged in again (${logins} logins)`);
		} else if (!withFaults) {
			problems.push(`failed without faults: ${error.message}`);
		} else {
			const verdict = judgeApiError(error);
			if (!verdict.clear) problems.push(`unclear error: ${verdict.message} (missing ${verdict.missing.join(', ')})`);
			if (/HTTP 401/.test(error.message)) problems.push(`a 401 reached the user: ${error.message}`);
		}
		if (found.length > 0) problems.push(`leaks: ${found.map((leak) => leak.canary).join(', ')}`);
		return { seed, ok: error === undefined, expiries, relogins, rows, faults, leaks: found.length, problems, ms: Date.now() - started };
	} finally {
		await emulator.close();
	}
}

describe('e-mail and password: the wait goes on after the token expired', () => {
	test('without faults: two expiries during the wait, two logins more, every result', async () => {
		const run = await loginRun(1, false);
		expect(run.problems).toEqual([]);
		expect(run).toMatchObject({ ok: true, expiries: 2, rows: DEVICES });
		expect(run.relogins).toBeGreaterThanOrEqual(2);
	});

	test('with 20% faults on login, status and results, 10 seeds', async () => {
		const started = Date.now();
		const runs = await pool(seedsFor(7, RUNS), 5, (seed) => loginRun(seed, true));
		const ok = runs.filter((r) => r.ok);
		recordFigures({
			suite: 'faults: token expires during the wait',
			ms: Date.now() - started,
			figures: {
				runs: runs.length,
				succeeded: ok.length,
				failedClearly: runs.filter((r) => !r.ok && r.problems.length === 0).length,
				failedUnclearly: runs.filter((r) => !r.ok && r.problems.length > 0).length,
				faultsInjected: runs.reduce((sum, r) => sum + r.faults, 0),
				rowsExpected: ok.length * DEVICES,
				rowsReturned: ok.reduce((sum, r) => sum + r.rows, 0),
				rowsLost: ok.reduce((sum, r) => sum + (DEVICES - r.rows), 0),
				leaksFound: runs.reduce((sum, r) => sum + r.leaks, 0),
			},
			note: `${runs.reduce((sum, r) => sum + r.expiries, 0)} expiries mid-wait, ${runs.reduce((sum, r) => sum + r.relogins, 0)} logins after a 401; ${timing(runs.map((r) => r.ms))}`,
		});
		expect(runs.filter((r) => r.problems.length > 0).map((r) => ({ seed: r.seed, problems: r.problems }))).toEqual([]);
		expect(ok.length).toBeGreaterThan(RUNS / 2);
	});
});

describe('a pasted token that expires during the wait', () => {
	let emulator: HereEmulator;

	beforeAll(async () => {
		emulator = await startEmulator({ processing: { mode: 'manual' }, tokenTtlSeconds: TTL_SECONDS, seed: 71 });
	});

	afterAll(async () => {
		await emulator.close();
	});

	function pasted(email: string) {
		const token = emulator.issueToken(email, { ttlSeconds: TTL_SECONDS });
		const credential = engine.saveCredential(`pasted-${token.slice(-6)}`, { authentication: 'accessToken', accessToken: token, host: 'custom', baseUrl: emulator.url });
		return { token, credential };
	}

	async function expireDuringWait(run: Promise<unknown>, projectId: string, jobs: number) {
		const before = statusChecks(emulator);
		await until(() => emulator.jobs(projectId).length === jobs && statusChecks(emulator) >= before + 2);
		emulator.clock.advance((TTL_SECONDS + 60) * 1000);
		return await run;
	}

	test('Wait for Completion: a clear 401 error that says to replace the token, without the token', async () => {
		const user = loginUser(emulator, engine);
		const jobId = await createJobDirectly(emulator, user.email, [{ name: 'p-1' }]);
		const { token, credential } = pasted(user.email);
		const node = bulkJobsNode(credential, { operation: 'waitForCompletion', jobIds: jobId, waitOptions } as never);
		const run = await expireDuringWait(runWorkflow(engine, itemsThen(node)), user.projectId, 1);

		const error = (run as Awaited<ReturnType<typeof runWorkflow>>).error();
		expect(judgeApiError(error)).toMatchObject({ clear: true, missing: [] });
		expect(errorText(error)).toMatch(new RegExp(`Get the status of job ${jobId} failed: HERE answered HTTP 401`));
		expect(errorText(error)).toMatch(/The token is invalid or has expired\. .*a pasted Access Token must be replaced/);
		expect(new LeakScanner().scan('pasted', error)).toEqual([]);
		const leaks = new LeakScanner();
		leaks.add('pasted token', token);
		expect(leaks.scan('pasted wait', { run: (run as Awaited<ReturnType<typeof runWorkflow>>).run })).toEqual([]);
		recordFigures({ suite: 'faults: token expires during the wait', figures: { runs: 1, failedClearly: 1, leaksFound: leaks.leaks.length } });
	});

	test('Create with Wait for Completion: the error also names the jobs that were created', async () => {
		const user = loginUser(emulator, engine);
		const { token, credential } = pasted(user.email);
		const node = bulkJobsNode(credential, {
			operation: 'create',
			jobType: 'create',
			inputSource: 'csvText',
			csvText: csvOf(1500, 'pasted'),
			waitForCompletion: true,
			waitOptions,
		} as never);
		const run = (await expireDuringWait(runWorkflow(engine, itemsThen(node)), user.projectId, 2)) as Awaited<ReturnType<typeof runWorkflow>>;

		const error = run.error();
		expect(judgeApiError(error)).toMatchObject({ clear: true });
		expect(errorText(error)).toMatch(/HTTP 401/);
		expect(errorText(error)).toContain('The devices were uploaded and the jobs keep running on HERE');
		for (const job of emulator.jobs(user.projectId)) expect(errorText(error)).toContain(job.jobId);
		const leaks = new LeakScanner();
		leaks.add('pasted token', token);
		leaks.scan('pasted create', { run: run.run, error });
		expect(leaks.leaks).toEqual([]);
		recordFigures({ suite: 'faults: token expires during the wait', figures: { runs: 1, failedClearly: 1, leaksFound: leaks.leaks.length } });
	});
});
