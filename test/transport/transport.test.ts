import { NodeApiError } from 'n8n-workflow';

import type { HereEmulator } from '../../emulator';
import { startEmulator } from '../../emulator';
import { hereCollect, hereRequest } from '../../nodes/HereBulkJobs/transport';
import type { Engine } from '../harness/engine';
import { createEngine, executeContext } from '../harness/engine';
import { onVirtualClock } from '../harness/virtualClock';
import { bulkJobsNode, CANARY, createJobDirectly, loginUser, newDevices } from '../harness/fixtures';

let emulator: HereEmulator;
let engine: Engine;
let user: ReturnType<typeof loginUser>;

const FAST_RETRY = { retry: { baseDelayMs: 20, maxDelayMs: 200, budgetMs: 10_000 } };

beforeAll(async () => {
	emulator = await startEmulator({ processing: { mode: 'instant' }, seed: 11 });
	engine = await createEngine();
	user = loginUser(emulator, engine);
});

afterAll(async () => {
	await emulator.close();
});

beforeEach(() => {
	emulator.faults.clear();
	emulator.clearRequests();
});

function context() {
	return executeContext(engine, bulkJobsNode(user.credential, {}));
}

function bulkRequests() {
	return emulator.requests.filter((r) => r.path.startsWith('/bulkjobs/'));
}

const statusPath = (jobId: string) => `/bulkjobs/v4/deviceUploads/${jobId}/status`;

test('follows nextPageToken over several pages', async () => {
	const jobId = await createJobDirectly(emulator, user.email, newDevices(250));
	await emulator.settle();
	emulator.clearRequests();

	const rows = await hereCollect<{ name: string }>(context(), {
		method: 'GET',
		path: `/bulkjobs/v4/deviceUploads/${jobId}/results`,
	});

	expect(rows).toHaveLength(250);
	expect(new Set(rows.map((row) => row.name)).size).toBe(250);
	const pages = bulkRequests();
	expect(pages.map((r) => r.query.limit)).toEqual(['100', '100', '100']);
	expect(pages[0].query.pageToken).toBeUndefined();
	expect(pages[1].query.pageToken).toEqual(expect.any(String));
});

test('stops at maxItems and asks only for what it needs', async () => {
	const jobId = await createJobDirectly(emulator, user.email, newDevices(250));
	await emulator.settle();
	emulator.clearRequests();

	const rows = await hereCollect(context(), { method: 'GET', path: `/bulkjobs/v4/deviceUploads/${jobId}/results` }, { maxItems: 130 });

	expect(rows).toHaveLength(130);
	expect(bulkRequests().map((r) => r.query.limit)).toEqual(['100', '30']);
});

test('every request carries its own UUIDv4 X-Request-Id', async () => {
	const jobId = await createJobDirectly(emulator, user.email, newDevices(1));
	emulator.clearRequests();
	emulator.faults.script([{ method: 'GET', path: /\/status$/, kind: '500', times: 1 }]);

	await hereRequest(context(), { method: 'GET', path: statusPath(jobId) }, FAST_RETRY);

	const ids = bulkRequests().map((r) => r.requestId);
	expect(ids).toHaveLength(2);
	for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
	expect(ids[0]).not.toEqual(ids[1]);
});

test('an upload over 10 MiB is refused 413 and not sent again; the hint says what to change', async () => {
	const devices = Array.from({ length: 11 }, (_, i) => ({ name: `big-${i}`, tags: [`${i}`.padEnd(1_000_000, 'x')] }));

	const error = (await hereRequest(context(), { method: 'POST', path: '/bulkjobs/v4/deviceUploads', body: devices, kind: 'create' }, FAST_RETRY).catch((e: unknown) => e)) as NodeApiError;

	expect(error.context.httpStatus).toBe(413);
	expect(error.description).toMatch(/^HERE, or a proxy in between, refused the upload as too large\. .*Devices per Job under the Options of Create.*shorten the tags/);
	expect(bulkRequests()).toHaveLength(1);
});

describe('retries of safe requests', () => {
	test.each(['500', '502', '503', '429-no-retry-after', 'drop', 'malformed-json'] as const)(
		'a GET is retried after %s',
		async (kind) => {
			const jobId = await createJobDirectly(emulator, user.email, newDevices(1));
			emulator.clearRequests();
			emulator.faults.script([{ method: 'GET', path: /\/status$/, kind, times: 2 }]);

			const status = await hereRequest<{ status: string }>(context(), { method: 'GET', path: statusPath(jobId) }, FAST_RETRY);

			expect(status.status).toBe('completed');
			expect(bulkRequests()).toHaveLength(3);
		},
	);

	test('a slow answer past the request timeout is retried', async () => {
		const jobId = await createJobDirectly(emulator, user.email, newDevices(1));
		emulator.clearRequests();
		emulator.faults.script([{ method: 'GET', path: /\/status$/, kind: 'slow', slowMs: 1500, times: 1 }]);

		const status = await hereRequest<{ status: string }>(
			context(),
			{ method: 'GET', path: statusPath(jobId), timeoutMs: 300 },
			FAST_RETRY,
		);

		expect(status.status).toBe('completed');
		// The emulator logs a request when it answers; the slow one answers after the retry did.
		expect(bulkRequests().map((r) => r.fault)).toEqual([undefined]);
		await new Promise((resolve) => setTimeout(resolve, 1600));
		expect(bulkRequests().map((r) => r.fault)).toEqual([undefined, 'slow']);
	});

	test('Retry-After is honoured', async () => {
		const jobId = await createJobDirectly(emulator, user.email, newDevices(1));
		emulator.clearRequests();
		emulator.faults.script([{ method: 'GET', path: /\/status$/, kind: '429', retryAfterSeconds: 1, times: 1 }]);

		await onVirtualClock(async () => await hereRequest(context(), { method: 'GET', path: statusPath(jobId) }, FAST_RETRY));

		const [first, second] = bulkRequests();
		// The backoff alone would wait at most 200 ms here; the second try waited for Retry-After (virtual clock: exact).
		expect(second.at - first.at).toBe(1000);
	});

	test('gives up after the attempts allowed and says how often it tried', async () => {
		const jobId = await createJobDirectly(emulator, user.email, newDevices(1));
		emulator.clearRequests();
		emulator.faults.script([{ method: 'GET', path: /\/status$/, kind: '503', times: 10 }]);

		const failure = hereRequest(context(), { method: 'GET', path: statusPath(jobId), action: 'Get the status' }, {
			retry: { ...FAST_RETRY.retry, maxAttempts: 3 },
		});

		await expect(failure).rejects.toThrow(/Get the status failed: HERE answered HTTP 503/);
		await expect(failure).rejects.toMatchObject({ description: expect.stringContaining('Tried 3 times') });
		expect(bulkRequests()).toHaveLength(3);
	});

	test('a 429 that outlasts the attempts says what the user can change, by the names the editor shows', async () => {
		const jobId = await createJobDirectly(emulator, user.email, newDevices(1));
		emulator.faults.script([{ method: 'GET', path: /\/status$/, kind: '429', retryAfterSeconds: 1, times: 3 }]);

		const failure = onVirtualClock(async () => await hereRequest(context(), { method: 'GET', path: statusPath(jobId) }, { retry: { ...FAST_RETRY.retry, maxAttempts: 3 } }));

		await expect(failure).rejects.toMatchObject({ description: expect.stringContaining('a lower Parallel Uploads under the Options of Create or Sync') });
		emulator.faults.clear();
	});
});

describe('a refusal whose wait is longer than a request may wait', () => {
	test('fails at once, says when to try again, and the next request of the run is not sent (nor kept waiting an hour)', async () => {
		const jobId = await createJobDirectly(emulator, user.email, newDevices(1));
		emulator.clearRequests();
		emulator.faults.script([{ method: 'GET', path: /\/status$/, kind: '429', retryAfterSeconds: 3600, times: 1 }]);
		const run = context();

		const refused = hereRequest(run, { method: 'GET', path: statusPath(jobId) });
		await expect(refused).rejects.toThrow(/HTTP 429/);
		await expect(refused).rejects.toMatchObject({
			description: expect.stringMatching(/for longer than n8n waits for a request\. HERE asked to wait 3600 s \(Retry-After\): try again after \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\./),
		});
		await expect(refused).rejects.not.toMatchObject({ description: expect.stringMatching(/retried|Tried/) });

		const next = hereRequest(run, { method: 'GET', path: statusPath(jobId) });
		await expect(next).rejects.toThrow(/was not sent: HERE asked this user to wait 3600 s/);
		await expect(next).rejects.toMatchObject({
			context: { notProcessed: true },
			description: 'This request was not sent to HERE. Try again later; a trigger tries again at its next poll.',
		});
		expect(bulkRequests()).toHaveLength(1);
	});

	test('a Retry-After beyond what a date can hold is read as a day', async () => {
		const jobId = await createJobDirectly(emulator, user.email, newDevices(1));
		emulator.faults.script([{ method: 'GET', path: /\/status$/, kind: '429', retryAfterSeconds: 99_999_999_999_999, times: 1 }]);
		await expect(hereRequest(context(), { method: 'GET', path: statusPath(jobId) })).rejects.toMatchObject({
			description: expect.stringContaining('HERE asked to wait 86400 s (Retry-After)'),
		});
	});

	test('a Retry-After of 0 is no reason to retry at once: the backoff still spaces the attempts', async () => {
		const jobId = await createJobDirectly(emulator, user.email, newDevices(1));
		emulator.clearRequests();
		emulator.faults.script([{ method: 'GET', path: /\/status$/, kind: '429', retryAfterSeconds: 0, times: 2 }]);
		await onVirtualClock(async () => await hereRequest(context(), { method: 'GET', path: statusPath(jobId) }));
		const [first, second, third] = bulkRequests();
		// DEFAULT_RETRY_POLICY: 250-500 ms, then 500-1000 ms.
		expect(second.at - first.at).toBeGreaterThanOrEqual(250);
		expect(third.at - second.at).toBeGreaterThanOrEqual(500);
	});
});

describe('a cancelled execution', () => {
	const cancelledRun = (controller: AbortController) => executeContext(engine, bulkJobsNode(user.credential, {}), [{ json: {} }], controller.signal);

	test('sends nothing more: a request after the cancel is not sent, and says why', async () => {
		const jobId = await createJobDirectly(emulator, user.email, newDevices(1));
		emulator.clearRequests();
		const controller = new AbortController();
		controller.abort();
		const failure = hereRequest(cancelledRun(controller), { method: 'GET', path: statusPath(jobId) });
		await expect(failure).rejects.toThrow(/was not sent: the execution was cancelled/);
		await expect(failure).rejects.toMatchObject({ context: { notProcessed: true } });
		expect(bulkRequests()).toHaveLength(0);
	});

	test('a request under way when the execution is cancelled is not tried again', async () => {
		const jobId = await createJobDirectly(emulator, user.email, newDevices(1));
		emulator.clearRequests();
		emulator.faults.script([{ method: 'GET', path: /\/status$/, kind: 'slow', slowMs: 800, times: 1 }]);
		const controller = new AbortController();
		const startedAt = Date.now();
		const failure = hereRequest(cancelledRun(controller), { method: 'GET', path: statusPath(jobId) }).catch((error: unknown) => error);
		setTimeout(() => controller.abort(), 100);
		const error = (await failure) as NodeApiError;
		expect(Date.now() - startedAt).toBeLessThan(700);
		expect(error.description).not.toMatch(/Tried/);
		// The slow answer is logged when it is given; no second request follows it.
		await new Promise((resolve) => setTimeout(resolve, 1000));
		expect(bulkRequests()).toHaveLength(1);
	});
});

describe('an answer that is not JSON', () => {
	test('of a read says HERE answered (not that it could not be reached) and to check the Base URL', async () => {
		const jobId = await createJobDirectly(emulator, user.email, newDevices(1));
		emulator.faults.script([{ method: 'GET', path: /\/status$/, kind: 'malformed-json', times: 10 }]);
		const failure = hereRequest(context(), { method: 'GET', path: statusPath(jobId) }, { retry: { ...FAST_RETRY.retry, maxAttempts: 2 } });
		await expect(failure).rejects.toThrow(/answered with a body that is not valid JSON/);
		await expect(failure).rejects.toMatchObject({ description: expect.stringMatching(/^HERE, or a proxy in between, answered with a body that is not JSON\..*Base URL/) });
		await expect(failure).rejects.not.toMatchObject({ description: expect.stringContaining('could not be reached') });
	});

	test('of an upload HERE took says the job was probably created', async () => {
		emulator.faults.script([{ method: 'POST', path: /deviceUploads$/, kind: 'malformed-json', afterEffect: true, times: 1 }]);
		const failure = hereRequest(context(), { method: 'POST', path: '/bulkjobs/v4/deviceUploads', body: newDevices(1, 'not-json') as never, kind: 'create' }, FAST_RETRY);
		await expect(failure).rejects.toMatchObject({ description: expect.stringContaining('so the job was probably created') });
		expect(bulkRequests().filter((r) => r.method === 'POST')).toHaveLength(1);
	});
});

describe('a login that HERE asks to wait (Retry-After)', () => {
	const logins = () => emulator.requests.filter((r) => r.path === '/users/v2/login');

	test('is sent again after the wait HERE asked for, here 20 s twice, and the run goes on', async () => {
		const fresh = loginUser(emulator, engine);
		const jobId = await createJobDirectly(emulator, fresh.email, newDevices(1));
		emulator.clearRequests();
		emulator.faults.script([{ method: 'POST', path: /\/users\/v2\/login$/, kind: '429', retryAfterSeconds: 20, times: 2 }]);

		const status = await onVirtualClock(
			async () => await hereRequest<{ status: string }>(executeContext(engine, bulkJobsNode(fresh.credential, {})), { method: 'GET', path: statusPath(jobId) }),
		);

		expect(status.status).toBe('completed');
		const [first, second, third] = logins();
		expect([first.status, second.status, third.status]).toEqual([429, 429, 200]);
		// Virtual clock: the pauses are exactly what HERE asked for (they were cut to 5 s before).
		expect([second.at - first.at, third.at - second.at]).toEqual([20_000, 20_000]);
	});

	test('fails at once when the wait would outlast the login budget, and says when to try again', async () => {
		const fresh = loginUser(emulator, engine);
		emulator.faults.script([{ method: 'POST', path: /\/users\/v2\/login$/, kind: '429', retryAfterSeconds: 300, times: 1 }]);

		let waitedMs = 0;
		const failure = onVirtualClock(async () => {
			const startedAt = Date.now();
			try {
				return await hereRequest(executeContext(engine, bulkJobsNode(fresh.credential, {})), { method: 'GET', path: statusPath('BULK-00000000-0000-4000-8000-000000000000') });
			} finally {
				waitedMs = Date.now() - startedAt;
			}
		});

		await expect(failure).rejects.toThrow(/^HERE login failed with HTTP 429\b.* HERE asked to wait 300 s \(Retry-After\): try again after \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\. Request: POST \/users\/v2\/login/);
		expect(logins()).toHaveLength(1);
		expect(waitedMs).toBeLessThan(1000);
	});
});

describe('a job-creating POST', () => {
	const create = (devices: object[]) =>
		hereRequest<{ jobId: string }>(
			context(),
			{ method: 'POST', path: '/bulkjobs/v4/deviceUploads', body: devices as never, kind: 'create' },
			FAST_RETRY,
		);

	test('is not repeated after a 500: the job may exist, and the error says so', async () => {
		const before = emulator.jobs().length;
		emulator.faults.script([{ method: 'POST', path: /deviceUploads$/, kind: '500', afterEffect: true, times: 1 }]);

		await expect(create(newDevices(3, 'once'))).rejects.toMatchObject({
			description: expect.stringMatching(/may or may not exist.*Get Many/),
		});

		expect(bulkRequests().filter((r) => r.method === 'POST')).toHaveLength(1);
		expect(emulator.jobs().length - before).toBe(1);
	});

	test('is not repeated after a dropped connection', async () => {
		emulator.faults.script([{ method: 'POST', path: /deviceUploads$/, kind: 'drop', afterEffect: true, times: 1 }]);
		await expect(create(newDevices(2, 'dropped'))).rejects.toMatchObject({
			description: expect.stringMatching(/may or may not have created the job/),
		});
		expect(bulkRequests().filter((r) => r.method === 'POST')).toHaveLength(1);
	});

	test('refused at the connection: the error records that HERE never got it (notProcessed); a dropped one does not', async () => {
		const closed = await startEmulator({});
		const baseUrl = closed.url;
		await closed.close();
		const credential = engine.saveCredential('transport-refused', { authentication: 'login', email: CANARY.email, password: CANARY.password, sessionToken: 'canary-session-refused', host: 'custom', baseUrl });
		const request = { method: 'POST' as const, path: '/bulkjobs/v4/deviceUploads', body: newDevices(1, 'refused') as never, kind: 'create' as const };
		const refused = await hereRequest(executeContext(engine, bulkJobsNode(credential, {})), request, FAST_RETRY).catch((error: NodeApiError) => error);
		expect(refused).toBeInstanceOf(NodeApiError);
		expect((refused as NodeApiError).context).toMatchObject({ notProcessed: true, httpStatus: undefined });

		emulator.faults.script([{ method: 'POST', path: /deviceUploads$/, kind: 'drop', afterEffect: true, times: 1 }]);
		const dropped = await create(newDevices(1, 'dropped-once')).catch((error: NodeApiError) => error);
		expect((dropped as NodeApiError).context.notProcessed).toBeUndefined();
	});

	test.each(['429', '503'] as const)('is retried after %s (HERE did not take it)', async (kind) => {
		const before = emulator.jobs().length;
		emulator.faults.script([{ method: 'POST', path: /deviceUploads$/, kind, retryAfterSeconds: 0, times: 1 }]);

		const answer = await create(newDevices(2, `retried-${kind}`));

		expect(answer.jobId).toMatch(/^BULK-/);
		expect(bulkRequests().filter((r) => r.method === 'POST')).toHaveLength(2);
		expect(emulator.jobs().length - before).toBe(1);
	});
});

describe('HERE errors become NodeApiError', () => {
	test('with HERE message, HTTP code, hereErrorCode, trace id and request id, and no token', async () => {
		const ctx = context();
		const failure = await hereRequest(ctx, {
			method: 'GET',
			path: statusPath('BULK-00000000-0000-4000-8000-000000000000'),
			action: 'Get the status of job BULK-00000000-0000-4000-8000-000000000000',
		}).catch((error: unknown) => error);

		expect(failure).toBeInstanceOf(NodeApiError);
		const error = failure as NodeApiError;
		expect(error.message).toMatch(/^Get the status of job BULK-0+-0+-40+-80+-0+ failed: HERE answered HTTP 404: /);
		expect(error.httpCode).toBe('404');
		expect(error.description).toMatch(/HERE keeps jobs and results for one week/);
		// Two paragraphs for n8n's editor, which renders the description as HTML: what to do, then the trace.
		expect(error.description).toMatch(/one week; .*\.<br><br>Request: GET \/bulkjobs\/v4\/deviceUploads\/BULK-[0-9a-f-]+\/status \(HERE error code \d+, trace id \S+, X-Request-Id [0-9a-f-]{36}\)\.$/);
		expect(error.context).toMatchObject({ httpStatus: 404, hereErrorCode: expect.any(String), traceId: expect.any(String) });

		const token = engine.credentials.stored(user.credential.id).sessionToken as string;
		expect(token.length).toBeGreaterThan(10);
		const serialized = JSON.stringify({ error, message: error.message, description: error.description, context: error.context });
		expect(serialized).not.toContain(token);
		expect(serialized).not.toContain('canary-password');
	});
});
