import type { INode } from 'n8n-workflow';

import type { HereEmulator } from '../../emulator';
import { startEmulator } from '../../emulator';
import { testCredential } from '../harness/credentialTest';
import { countOpenRequests } from '../harness/openRequests';
import type { Engine, WorkflowRun } from '../harness/engine';
import { createEngine, runWorkflow } from '../harness/engine';
import { bulkJobsNode, byId, CANARY, createJobDirectly, itemsThen, loginUser } from '../harness/fixtures';
import { PollDriver, TriggerStore } from '../harness/poll';
import { csvOf } from '../node/createFixtures';
import { triggerNode } from '../trigger/helpers';
import { recordFigures } from './figures';
import { errorText } from './support/errors';
import { deviceSecrets } from './support/here';
import type { Listening } from './support/hostile';
import { startCollector, startRedirector } from './support/hostile';
import type { LogCapture } from './support/logCapture';
import { captureLogs } from './support/logCapture';
import { LeakScanner } from './support/leaks';
import { compressRequestTimeouts } from './support/timeouts';

/**
 * Secret canaries (the password, session and pasted tokens, device secrets) through every error
 * path, log line, error message, output with the secret left out, and n8n's credential test.
 * Then the host policy: plain http to another machine, user-info, path tricks and redirects
 * never carry the token or the password anywhere but the configured host.
 */
const PASTED_CANARY = 'canary-pasted-token-5e1f0c9a7b';
const URL_PASSWORD_CANARY = 'canary-url-password-31415';

let emulator: HereEmulator;
let engine: Engine;
let logs: LogCapture;
let collector: Listening;
let redirector: Listening;
let user: ReturnType<typeof loginUser>;
/** Everything a user or an operator could see, scanned once every canary is known. */
const artifacts: Array<{ where: string; value: unknown }> = [];
let scenarios = 0;
/** Tokens issued for pasted-token credentials: canaries too. */
const pastedTokens: string[] = [];
let refusedHosts = 0;
let hostsTried = 0;
const started = Date.now();

beforeAll(async () => {
	logs = captureLogs();
	emulator = await startEmulator({ processing: { mode: 'instant' }, seed: 91, tokenTtlSeconds: 3600 });
	engine = await createEngine();
	collector = await startCollector();
	redirector = await startRedirector(collector.url);
	user = loginUser(emulator, engine);
});

afterAll(async () => {
	logs.stop();
	await collector.close();
	await redirector.close();
	await emulator.close();
});

function keep(where: string, run: WorkflowRun): WorkflowRun {
	scenarios++;
	artifacts.push({ where, value: { run: run.run, error: run.error() } });
	return run;
}

function node(parameters: INode['parameters'], credential = user.credential): INode {
	return bulkJobsNode(credential, parameters);
}

async function run(where: string, parameters: INode['parameters'], credential = user.credential): Promise<WorkflowRun> {
	return keep(where, await runWorkflow(engine, itemsThen(node(parameters, credential))));
}

function credentialFor(id: string, data: Record<string, unknown>) {
	return engine.saveCredential(id, { host: 'custom', baseUrl: emulator.url, ...data });
}

let createdJobs: string[] = [];

describe('outputs with the device secret left out (the default)', () => {
	test('Create 1,200 devices with Wait for Completion, per device and as a CSV file', async () => {
		const result = keep(
			'create + wait + csv',
			await runWorkflow(
				engine,
				itemsThen(node({ operation: 'create', jobType: 'create', inputSource: 'csvText', csvText: csvOf(1200, 'secret'), waitForCompletion: true, waitOptions: { pollInterval: 0.01 }, resultOptions: { attachCsv: true } })),
			),
		);
		expect(result.error()).toBeUndefined();
		const items = result.output('HERE');
		expect(items).toHaveLength(1200);
		expect(items.every((item) => !('deviceSecret' in item.json))).toBe(true);
		expect(items[0].binary?.data).toBeDefined();
		createdJobs = emulator.jobs(user.projectId).map((job) => job.jobId);
	});

	test('Get Results as a summary with every device and a CSV file; Wait for Completion per device', async () => {
		const summary = await run('get results summary', { operation: 'getResults', jobId: byId(createdJobs[0]), returnAll: true, output: 'summary', resultOptions: { attachCsv: true } });
		expect(summary.error()).toBeUndefined();
		const wait = await run('wait per device', { operation: 'waitForCompletion', jobIds: createdJobs.join(','), waitOptions: { pollInterval: 0.01 } });
		expect(wait.error()).toBeUndefined();
	});

	test('the trigger emits finished jobs without the secret', async () => {
		const driver = new PollDriver(engine, triggerNode(user.credential, user.projectId), new TriggerStore(), { budgetMs: 20_000 });
		await driver.tick();
		await createJobDirectly(emulator, user.email, [{ name: 'trigger-secret-1' }, { name: 'trigger-secret-2' }]);
		const outcome = await driver.tick();
		scenarios++;
		artifacts.push({ where: 'trigger emission', value: outcome });
		expect(outcome.items?.length).toBeGreaterThan(0);
	});

	test('control: with Include Device Secret on, the scanner does find the secrets', async () => {
		const secrets = await deviceSecrets(emulator, user.email, createdJobs.slice(0, 1));
		const scanner = new LeakScanner();
		secrets.forEach((secret) => scanner.add('deviceSecret', secret));
		const withSecrets = await runWorkflow(engine, itemsThen(node({ operation: 'getResults', jobId: byId(createdJobs[0]), returnAll: true, resultOptions: { includeDeviceSecret: true, attachCsv: true } })));
		expect(scanner.scan('control', withSecrets.run).length).toBeGreaterThanOrEqual(1000);
	});
});

describe('error paths', () => {
	const statusOf = (jobId: string) => ({ operation: 'getStatus', jobId: byId(jobId) });

	test('a wrong password', async () => {
		const credential = credentialFor('wrong-password', { authentication: 'login', email: user.email, password: 'canary-wrong-password-2718' });
		const result = await run('wrong password', statusOf(createdJobs[0]), credential);
		expect(errorText(result.error())).toMatch(/HERE login failed with HTTP 401/);
	});

	test.each([
		['login answers 500 three times', { path: /^\/users\/v2\/login$/, kind: '500' as const, times: 3 }],
		['login connection dropped three times', { path: /^\/users\/v2\/login$/, kind: 'drop' as const, times: 3 }],
		['status answers 429 five times', { path: /\/status$/, kind: '429' as const, times: 5, retryAfterSeconds: 0 }],
		['status connection dropped five times', { path: /\/status$/, kind: 'drop' as const, times: 5 }],
		['status answers malformed JSON five times', { path: /\/status$/, kind: 'malformed-json' as const, times: 5 }],
		['status too slow five times', { path: /\/status$/, kind: 'slow' as const, times: 5, slowMs: 1000 }],
	])('%s', async (name, fault) => {
		// A fresh login each time, so the login faults meet a login.
		const credential = credentialFor(`fault-${name}`, { authentication: 'login', email: user.email, password: CANARY.password });
		emulator.faults.script([fault]);
		// Only the slow case shortens the request time-outs (30 s to 300 ms), and only while it runs:
		// shortened for the whole file, an upload of 1,000 devices timed out on a busy machine.
		const restoreTimeouts = fault.kind === 'slow' ? compressRequestTimeouts(100) : () => undefined;
		const result = await run(name, statusOf(createdJobs[0]), credential).finally(restoreTimeouts);
		emulator.faults.clear();
		expect(result.error()).toBeDefined();
	});

	test('a pasted token HERE does not know, and one that has expired', async () => {
		const unknown = credentialFor('pasted-unknown', { authentication: 'accessToken', accessToken: PASTED_CANARY });
		expect(errorText((await run('pasted unknown token', statusOf(createdJobs[0]), unknown)).error())).toMatch(/HTTP 401/);
		const token = emulator.issueToken(user.email, { ttlSeconds: 60 });
		pastedTokens.push(token);
		const expiring = credentialFor('pasted-expiring', { authentication: 'accessToken', accessToken: token });
		emulator.clock.advance(120_000);
		expect(errorText((await run('pasted expired token', statusOf(createdJobs[0]), expiring)).error())).toMatch(/pasted Access Token must be replaced/);
	});

	test('403, 404, 412', async () => {
		const other = loginUser(emulator, engine);
		expect(errorText((await run('403 other project', { ...statusOf(createdJobs[0]), projectId: { __rl: true, mode: 'id', value: other.projectId } })).error())).toMatch(/HTTP 403/);
		expect(errorText((await run('404 unknown job', statusOf('BULK-6279286f-a09a-4521-9d3a-af7559e84836'))).error())).toMatch(/HTTP 404/);
		expect(errorText((await run('412 cancel a finished job', { operation: 'cancel', jobId: byId(createdJobs[0]) })).error())).toMatch(/cannot be cancelled/);
	});

	test('an upload that fails part-way after HERE made the job', async () => {
		emulator.faults.script([{ method: 'POST', path: /^\/bulkjobs\/v4\/deviceUploads$/, kind: '500', afterEffect: true }]);
		const result = await run('create 500 after effect', { operation: 'create', jobType: 'create', inputSource: 'csvText', csvText: csvOf(3, 'partial-secret') });
		emulator.faults.clear();
		expect(errorText(result.error())).toMatch(/may or may not/);
	});

	test('the trigger under faults logs its retries', async () => {
		const driver = new PollDriver(engine, triggerNode(user.credential, user.projectId), new TriggerStore(), { budgetMs: 20_000 });
		await driver.tick();
		await createJobDirectly(emulator, user.email, [{ name: 'trigger-fault-1' }]);
		emulator.faults.script([{ path: /\/results$/, kind: '500', times: 50 }]);
		const outcome = await driver.tick();
		emulator.faults.clear();
		scenarios++;
		artifacts.push({ where: 'trigger under faults', value: outcome });
		expect(outcome.error ?? logs.lines.some((line) => /could not read job/.test(line.message))).toBeTruthy();
	});
});


describe("n8n's credential test", () => {
	test.each([
		['wrong password', () => ({ authentication: 'login', email: user.email, password: 'canary-wrong-password-2718', host: 'custom', baseUrl: emulator.url })],
		['unknown pasted token', () => ({ authentication: 'accessToken', accessToken: PASTED_CANARY, host: 'custom', baseUrl: emulator.url })],
		['a redirect to another host (pasted token)', () => ({ authentication: 'accessToken', accessToken: PASTED_CANARY, host: 'custom', baseUrl: redirector.url })],
		['a redirect to another host (login)', () => ({ authentication: 'login', email: user.email, password: CANARY.password, host: 'custom', baseUrl: redirector.url })],
		['valid login', () => ({ authentication: 'login', email: user.email, password: CANARY.password, host: 'custom', baseUrl: emulator.url })],
	])('%s', async (name, data) => {
		const result = await testCredential(engine, data());
		scenarios++;
		artifacts.push({ where: `credential test: ${name}`, value: result });
		expect(result.status).toBe(name === 'valid login' ? 'OK' : 'Error');
	});
});

describe('the token and the password go to the configured host only', () => {
	test.each([
		['plain http to another machine', 'http://10.255.255.1:8480'],
		['plain http to a name under .localhost', 'http://evil.localhost:8480'],
		['plain http to an IPv4-mapped IPv6 address', 'http://[::ffff:10.0.0.1]:8480'],
		['plain http to 0.0.0.0', 'http://0.0.0.0:8480'],
		['user-info in the base URL', `https://user:${URL_PASSWORD_CANARY}@tracking.example.com`],
		['user-info that looks like the host', 'http://127.0.0.1@10.255.255.1:8480'],
		['a fragment that hides the real host', `http://10.255.255.1:8480#@127.0.0.1`],
		['a query that a path would be glued onto', 'https://tracking.example.com/?next=https://evil.example'],
	])('refused before any request: %s', async (name, baseUrl) => {
		hostsTried++;
		const before = emulator.requests.length;
		const requests = countOpenRequests('client');
		const credential = credentialFor(`refused-${name}`, { authentication: 'login', email: user.email, password: CANARY.password, baseUrl });
		const result = await run(`refused: ${name}`, { operation: 'getStatus', jobId: byId(createdJobs[0]) }, credential).finally(requests.stop);
		const text = errorText(result.error());
		expect(text).toMatch(/HERE Tracking credential: .*(plain http:\/\/ is only allowed|must not contain a user name or password|must not contain "\?" or "#")/);
		expect(emulator.requests.length - before).toBe(0);
		// Refused on the spot: not a single HTTP request was even started.
		expect(requests.max()).toBe(0);
		refusedHosts++;
	});

	test.each([
		['a redirect of an API call (pasted token)', () => credentialFor('redirect-pasted', { authentication: 'accessToken', accessToken: PASTED_CANARY, baseUrl: redirector.url })],
		['a redirect of the login (password)', () => credentialFor('redirect-login', { authentication: 'login', email: user.email, password: CANARY.password, baseUrl: redirector.url })],
		['a path that names another host', () => credentialFor('path-trick-1', { authentication: 'accessToken', accessToken: PASTED_CANARY, baseUrl: `${redirector.url}/@${collector.url.replace('http://', '')}` })],
		['a backslash that would end the host', () => credentialFor('path-trick-2', { authentication: 'accessToken', accessToken: PASTED_CANARY, baseUrl: `${redirector.url}\\@${collector.url.replace('http://', '')}` })],
	])('nothing reaches the other host: %s', async (name, credential) => {
		hostsTried++;
		const result = await run(`elsewhere: ${name}`, { operation: 'getStatus', jobId: byId('BULK-6279286f-a09a-4521-9d3a-af7559e84836') }, credential());
		expect(result.error()).toBeDefined();
		expect(collector.seen).toEqual([]);
		refusedHosts++;
	});
});

test('no canary in any error, output, log line or credential test answer; nothing reached the other host', async () => {
	const scanner = new LeakScanner();
	scanner.add('password', CANARY.password);
	scanner.add('wrong password', 'canary-wrong-password-2718');
	scanner.add('pasted token', PASTED_CANARY);
	scanner.add('password in a URL', URL_PASSWORD_CANARY);
	for (const token of pastedTokens) scanner.add('pasted token', token);
	for (const id of ['login-1', ...Array.from({ length: 20 }, (_, i) => `login-${i + 2}`)]) {
		try {
			scanner.add('session token', engine.credentials.stored(id).sessionToken);
		} catch {
			// not a credential of this file
		}
	}
	for (const id of ['wrong-password', 'pasted-unknown', 'pasted-expiring', 'redirect-login']) {
		try {
			scanner.add('session token', engine.credentials.stored(id).sessionToken);
		} catch {
			// never stored
		}
	}
	const secrets = await deviceSecrets(emulator, user.email, emulator.jobs(user.projectId).map((job) => job.jobId));
	secrets.forEach((secret) => scanner.add('deviceSecret', secret));
	// The scanner itself finds a canary where one is (in a log line, in base64).
	const control = new LeakScanner();
	control.add('password', CANARY.password);
	expect(control.scan('control', [{ message: `x ${CANARY.password} y` }, Buffer.from(`a,${CANARY.password}`).toString('base64')])).toHaveLength(2);

	for (const artifact of artifacts) scanner.scan(artifact.where, artifact.value);
	scanner.scan('log lines', logs.lines);

	recordFigures({
		suite: 'secrets: canaries, hosts, redirects',
		ms: Date.now() - started,
		figures: {
			runs: scenarios,
			inputsTried: hostsTried,
			inputsRefusedClearly: refusedHosts,
			leaksFound: scanner.leaks.length + collector.seen.length,
		},
		note: `${scanner.size} canaries (password, tokens, ${secrets.length} device secrets) searched in ${artifacts.length} runs and ${logs.lines.length} log lines; ${hostsTried} hostile base URLs, requests that reached the other host: ${collector.seen.length}`,
	});
	expect(scanner.size).toBeGreaterThan(1000);
	expect(logs.lines.length).toBeGreaterThan(0);
	expect(scanner.leaks.map((leak) => `${leak.canary} in ${leak.where} at ${leak.path}`)).toEqual([]);
	expect(collector.seen).toEqual([]);
});
