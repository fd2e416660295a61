import type { HereEmulator } from '../../emulator';
import { startEmulator } from '../../emulator';
import type { Engine } from '../harness/engine';
import { createEngine, runWorkflow } from '../harness/engine';
import { testCredential } from '../harness/credentialTest';
import { bulkJobsNode, byId, CANARY, createJobDirectly, itemsThen, loginUser } from '../harness/fixtures';
import { startCollector } from '../faults/support/hostile';

let emulator: HereEmulator;
let engine: Engine;

beforeAll(async () => {
	emulator = await startEmulator({ processing: { mode: 'instant' }, tokenTtlSeconds: 3600, seed: 7 });
	engine = await createEngine();
});

afterAll(async () => {
	await emulator.close();
});

beforeEach(() => emulator.clearRequests());

function statusWorkflow(credential: { id: string; name: string }, jobId: string) {
	return itemsThen(bulkJobsNode(credential, { operation: 'getStatus', jobId: byId(jobId) }));
}

function paths(method?: string): string[] {
	return emulator.requests.filter((r) => !method || r.method === method).map((r) => `${r.method} ${r.path} ${r.status}`);
}

describe('E-mail and password', () => {
	test('logs in once, then reuses the stored token', async () => {
		const user = loginUser(emulator, engine);
		const jobId = await createJobDirectly(emulator, user.email, [{ name: 'a' }]);
		emulator.clearRequests();

		const first = await runWorkflow(engine, statusWorkflow(user.credential, jobId));
		expect(first.error()).toBeUndefined();
		expect(first.output('HERE')[0].json).toMatchObject({ jobId, status: 'completed' });
		const second = await runWorkflow(engine, statusWorkflow(user.credential, jobId));
		expect(second.error()).toBeUndefined();

		expect(paths('POST').filter((p) => p.includes('/users/v2/login'))).toEqual(['POST /users/v2/login 200']);
		expect(engine.credentials.stored(user.credential.id).sessionToken).toEqual(expect.any(String));
	});

	test('logs in again when the token has expired', async () => {
		const user = loginUser(emulator, engine);
		const jobId = await createJobDirectly(emulator, user.email, [{ name: 'a' }]);
		await runWorkflow(engine, statusWorkflow(user.credential, jobId));
		const tokenBefore = engine.credentials.stored(user.credential.id).sessionToken;

		emulator.clock.advance(2 * 3600 * 1000);
		emulator.clearRequests();
		const run = await runWorkflow(engine, statusWorkflow(user.credential, jobId));

		expect(run.error()).toBeUndefined();
		expect(paths()).toEqual([
			expect.stringMatching(/^GET \/bulkjobs\/v4\/deviceUploads\/BULK-.*\/status 401$/),
			'POST /users/v2/login 200',
			expect.stringMatching(/^GET \/bulkjobs\/v4\/deviceUploads\/BULK-.*\/status 200$/),
		]);
		expect(engine.credentials.stored(user.credential.id).sessionToken).not.toEqual(tokenBefore);
		expect(engine.credentials.preAuthenticationCalls.filter((c) => c.id === user.credential.id).map((c) => c.forced)).toEqual([
			false,
			true,
		]);
	});

	test('logs in again after any 401 (a token HERE no longer accepts)', async () => {
		const user = loginUser(emulator, engine);
		const jobId = await createJobDirectly(emulator, user.email, [{ name: 'a' }]);
		engine.saveCredential(user.credential.id, { ...engine.credentials.stored(user.credential.id), sessionToken: 'revoked-token' });

		const run = await runWorkflow(engine, statusWorkflow(user.credential, jobId));

		expect(run.error()).toBeUndefined();
		expect(paths()).toContain('POST /users/v2/login 200');
	});

	test('a wrong password fails with a message that says what to fix, without the password', async () => {
		const user = loginUser(emulator, engine);
		const credential = engine.saveCredential('wrong-password', {
			...engine.credentials.stored(user.credential.id),
			password: 'canary-wrong-password-55',
		});
		const run = await runWorkflow(engine, statusWorkflow(credential, 'BULK-6279286f-a09a-4521-9d3a-af7559e84836'));

		const error = run.error() as Error & { description?: string };
		// HERE's own sentence, then ours: one full stop between them, not two.
		expect(error.message).toContain('HERE login failed with HTTP 401: Invalid email, password or realm. Check the E-Mail, Password and Realm');
		expect(JSON.stringify({ message: error.message, description: error.description })).not.toContain('canary-wrong-password-55');
	});
});

describe('an edited credential: the stored token is used only for what it was obtained for', () => {
	const listDevices = (credential: { id: string; name: string }) =>
		itemsThen(bulkJobsNode(credential, { resource: 'device', operation: 'getAll', returnAll: true } as never));
	const externalIdsOf = (run: Awaited<ReturnType<typeof runWorkflow>>) => run.output('HERE').map((item) => item.json.externalId);

	test("after the e-mail changes, the run acts as the new user, not as the old token's", async () => {
		const alice = loginUser(emulator, engine);
		const bob = loginUser(emulator, engine);
		await createJobDirectly(emulator, alice.email, [{ name: 'alice-device', externalId: 'alice-1' }]);
		await createJobDirectly(emulator, bob.email, [{ name: 'bob-device', externalId: 'bob-1' }]);
		expect(externalIdsOf(await runWorkflow(engine, listDevices(alice.credential)))).toEqual(['alice-1']);
		// The user changes E-Mail (and Password) to Bob's; n8n keeps the hidden session fields: Alice's token.
		const edited = engine.saveCredential('edited-user', { ...engine.credentials.stored(alice.credential.id), email: bob.email });
		emulator.clearRequests();

		const run = await runWorkflow(engine, listDevices(edited));

		expect(run.error()).toBeUndefined();
		expect(externalIdsOf(run)).toEqual(['bob-1']);
		expect(paths()).toEqual(['GET /users/v2/devices 401', 'POST /users/v2/login 200', 'GET /users/v2/devices 200']);
		expect(engine.credentials.stored(edited.id).sessionToken).not.toEqual(engine.credentials.stored(alice.credential.id).sessionToken);
	});

	test('after the Base URL changes, the old token never reaches the new host', async () => {
		const user = loginUser(emulator, engine, { signedIn: true });
		const oldToken = String(engine.credentials.stored(user.credential.id).sessionToken);
		const collector = await startCollector();
		try {
			const moved = engine.saveCredential('moved', { ...engine.credentials.stored(user.credential.id), baseUrl: collector.url });
			const run = await runWorkflow(engine, statusWorkflow(moved, 'BULK-6279286f-a09a-4521-9d3a-af7559e84836'));
			// The collector answers everything with 200, so the status request went there without a token.
			expect(run.error()).toBeUndefined();
			expect(collector.seen.map((seen) => seen.url)).toEqual(['/bulkjobs/v4/deviceUploads/BULK-6279286f-a09a-4521-9d3a-af7559e84836/status']);
			expect(collector.seen[0].headers.authorization).toBeUndefined();
			expect(JSON.stringify(collector.seen)).not.toContain(oldToken);
		} finally {
			await collector.close();
		}
	});

	test('after a new Access Token is pasted, the runs use it, not the old one', async () => {
		const alice = loginUser(emulator, engine);
		const bob = loginUser(emulator, engine);
		await createJobDirectly(emulator, alice.email, [{ name: 'alice-device', externalId: 'alice-1' }]);
		await createJobDirectly(emulator, bob.email, [{ name: 'bob-device', externalId: 'bob-1' }]);
		const pasted = engine.saveCredential('pasted-then-replaced', {
			authentication: 'accessToken',
			accessToken: emulator.issueToken(alice.email),
			host: 'custom',
			baseUrl: emulator.url,
		});
		expect(externalIdsOf(await runWorkflow(engine, listDevices(pasted)))).toEqual(['alice-1']);
		engine.saveCredential(pasted.id, { ...engine.credentials.stored(pasted.id), accessToken: emulator.issueToken(bob.email) });

		const run = await runWorkflow(engine, listDevices(pasted));

		expect(run.error()).toBeUndefined();
		expect(externalIdsOf(run)).toEqual(['bob-1']);
	});
});

describe('Access token', () => {
	test('a pasted token works and is sent as a bearer token', async () => {
		const user = loginUser(emulator, engine);
		const jobId = await createJobDirectly(emulator, user.email, [{ name: 'a' }]);
		emulator.clearRequests();
		const credential = engine.saveCredential('pasted', {
			authentication: 'accessToken',
			accessToken: emulator.issueToken(user.email),
			host: 'custom',
			baseUrl: emulator.url,
		});
		const run = await runWorkflow(engine, statusWorkflow(credential, jobId));
		expect(run.error()).toBeUndefined();
		expect(paths('POST')).toEqual([]);
	});

	test('an expired pasted token gives a clear error naming the cause', async () => {
		const user = loginUser(emulator, engine);
		const jobId = await createJobDirectly(emulator, user.email, [{ name: 'a' }]);
		const token = emulator.issueToken(user.email, { ttlSeconds: 60 });
		const credential = engine.saveCredential('pasted-expiring', {
			authentication: 'accessToken',
			accessToken: token,
			host: 'custom',
			baseUrl: emulator.url,
		});
		emulator.clock.advance(120_000);

		const run = await runWorkflow(engine, statusWorkflow(credential, jobId));

		const error = run.error() as Error & { description?: string; httpCode?: string };
		expect(error.message).toMatch(/HERE answered HTTP 401/);
		expect(error.description).toMatch(/token is invalid or has expired.*pasted Access Token must be replaced/);
		expect(JSON.stringify(error)).not.toContain(token);
	});
});

describe('Platform project HRN', () => {
	test('the token is exchanged for a project-scoped one', async () => {
		const user = loginUser(emulator, engine, { projects: ['p-one', 'p-two'] });
		const jobId = await createJobDirectly(emulator, user.email, [{ name: 'a' }], 'p-two');
		const credential = engine.saveCredential('exchange', {
			...engine.credentials.stored(user.credential.id),
			projectHrn: user.projects[1].projectHrn,
		});
		emulator.clearRequests();

		// No projectId anywhere: the scoped token names the project.
		const run = await runWorkflow(engine, statusWorkflow(credential, jobId));

		expect(run.error()).toBeUndefined();
		expect(paths('POST')).toEqual(['POST /users/v2/login 200', 'POST /users/v2/tokenExchange 200']);
	});

	test('an unknown HRN fails with a message naming it', async () => {
		const user = loginUser(emulator, engine);
		const credential = engine.saveCredential('exchange-bad', {
			...engine.credentials.stored(user.credential.id),
			projectHrn: 'hrn:here:authorization::org1:project/nope',
		});
		const run = await runWorkflow(engine, statusWorkflow(credential, 'BULK-6279286f-a09a-4521-9d3a-af7559e84836'));
		expect(run.error()?.message).toMatch(/HERE token exchange failed/);
		expect((run.error() as Error & { description?: string }).description ?? run.error()?.message).toMatch(
			/Check the Platform Project HRN \(hrn:here:authorization::org1:project\/nope\)/,
		);
	});
});

describe('Host policy', () => {
	test('plain http to a host other than this machine is refused before anything is sent', async () => {
		const user = loginUser(emulator, engine);
		const credential = engine.saveCredential('http-remote', {
			...engine.credentials.stored(user.credential.id),
			baseUrl: 'http://tracking.example.com',
		});
		const run = await runWorkflow(engine, statusWorkflow(credential, 'BULK-6279286f-a09a-4521-9d3a-af7559e84836'));
		expect(run.error()?.message).toMatch(/plain http:\/\/ is only allowed for this machine/);
		expect(run.error()?.message).not.toContain(CANARY.password);
		expect(paths()).toEqual([]);
	});
});

describe("n8n's credential test (the Test button)", () => {
	test('passes with a valid login', async () => {
		const user = loginUser(emulator, engine);
		await expect(testCredential(engine, engine.credentials.stored(user.credential.id))).resolves.toEqual({
			status: 'OK',
			message: 'Connection successful!',
		});
	});

	test('passes with a valid pasted token', async () => {
		const user = loginUser(emulator, engine);
		const result = await testCredential(engine, {
			authentication: 'accessToken',
			accessToken: emulator.issueToken(user.email),
			host: 'custom',
			baseUrl: emulator.url,
		});
		expect(result.status).toBe('OK');
	});

	test('says the token is bad', async () => {
		const result = await testCredential(engine, {
			authentication: 'accessToken',
			accessToken: 'canary-bad-token-91',
			host: 'custom',
			baseUrl: emulator.url,
		});
		expect(result).toEqual({ status: 'Error', message: expect.stringMatching(/HERE rejected the token/) });
		expect(result.message).not.toContain('canary-bad-token-91');
	});

	test('says the password is wrong', async () => {
		const user = loginUser(emulator, engine);
		const result = await testCredential(engine, {
			...engine.credentials.stored(user.credential.id),
			password: 'canary-wrong-password-55',
		});
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/HERE login failed with HTTP 401.*Check the E-Mail, Password and Realm/);
		expect(result.message).not.toContain('canary-wrong-password-55');
	});

	test('says the host cannot be reached', async () => {
		const closed = await startEmulator({});
		const url = closed.url;
		await closed.close();
		const result = await testCredential(engine, {
			authentication: 'login',
			email: CANARY.email,
			password: CANARY.password,
			host: 'custom',
			baseUrl: url,
		});
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/could not reach .*connection refused.*Check the credential's Host \/ Base URL/);
	});

	test('refuses plain http to a remote host', async () => {
		const result = await testCredential(engine, {
			authentication: 'accessToken',
			accessToken: 'canary-token-x',
			host: 'custom',
			baseUrl: 'http://tracking.example.com',
		});
		expect(result).toEqual({ status: 'Error', message: expect.stringMatching(/plain http:\/\/ is only allowed/) });
	});
});
