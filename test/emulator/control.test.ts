import { DEMO, startEmulator, type HereEmulator } from '../../emulator';
import { call, obj, type Json } from './helpers';

/** The HTTP control API, as an out-of-process test (real n8n end to end) uses it. */
let e: HereEmulator;
beforeAll(async () => {
	e = await startEmulator({ demo: true, processing: { mode: 'manual' }, seed: 1 });
});
afterAll(() => e.close());

const control = async (method: string, path: string, json?: unknown) => {
	const reply = await call(e, method, `/_emulator/${path}`, json === undefined ? {} : { json });
	return { status: reply.status, body: obj(reply) };
};

const upload = (token: string, devices: object[]) => call(e, 'POST', '/bulkjobs/v4/deviceUploads', { token, json: devices });

test('users and tokens', async () => {
	const user = await control('POST', 'users', { email: 'ci@example.com', password: 'pw', projects: [{ projectId: 'ci-project' }] });
	expect(user.status).toBe(200);
	expect(user.body).toEqual({ userId: expect.stringMatching(/^HERE-/), accessToken: expect.any(String) });
	expect((await call(e, 'GET', '/bulkjobs/v4/deviceUploads', { token: user.body.accessToken as string })).status).toBe(200);
	const login = await call(e, 'POST', '/users/v2/login', { json: { email: 'ci@example.com', password: 'pw' } });
	expect(login.status).toBe(200);
	const token = await control('POST', 'tokens', { email: 'ci@example.com', ttlSeconds: 1 });
	await control('POST', 'clock/advance', { ms: 1000 });
	expect((await call(e, 'GET', '/bulkjobs/v4/deviceUploads', { token: token.body.accessToken as string })).status).toBe(401);
	expect((await control('POST', 'users', { email: 'x@example.com' })).status).toBe(400);
});

test('process, settle, state, devices, outcome', async () => {
	const created = obj(await upload(DEMO.accessToken, [{ name: 'a' }, { name: 'b' }, { name: 'c' }]));
	const jobId = created.jobId as string;
	expect((await control('POST', 'process', { jobId, devices: 1 })).status).toBe(200);
	let state = (await control('GET', 'state')).body;
	const job = (state.jobs as Json[]).find((j) => j.id === jobId);
	expect(job).toMatchObject({ status: 'ongoing', processed: 1, total: 3, projectId: DEMO.projectId });
	expect(await control('POST', 'settle')).toEqual({ status: 200, body: { ok: true } });
	state = (await control('GET', 'state')).body;
	expect(state.counts).toMatchObject({ devices: { [DEMO.projectId]: 3 }, byStatus: { completed: 1 } });
	expect(state).toMatchObject({ seed: 1, processing: 'manual', now: expect.any(Number) });
	const listed = await call(e, 'GET', '/_emulator/devices', { query: { projectId: DEMO.projectId } });
	expect((obj(listed).devices as Json[]).map((d) => d.name).sort()).toEqual(['a', 'b', 'c']);

	const second = obj(await upload(DEMO.accessToken, [{ name: 'd' }])).jobId as string;
	const failed = await control('POST', `jobs/${second}/outcome`, { outcome: 'failed' });
	expect(failed.body).toMatchObject({ id: second, status: 'failed' });
	expect((await control('POST', 'jobs/BULK-nope/outcome', { outcome: 'failed' })).status).toBe(404);
});

test('faults: rate and script with path regexes as strings; DELETE clears', async () => {
	expect((await control('POST', 'faults', { script: [{ method: 'GET', path: '/health$', kind: '503', times: 2 }] })).status).toBe(200);
	expect((await call(e, 'GET', '/bulkjobs/v4/health')).status).toBe(503);
	expect((await call(e, 'GET', '/bulkjobs/v4/health')).status).toBe(503);
	expect((await call(e, 'GET', '/bulkjobs/v4/health')).status).toBe(200);
	await control('POST', 'faults', { rate: 1, kinds: ['500'], seed: 3, match: { path: 'VERSION$', pathFlags: 'i' }, afterEffect: false });
	expect((await call(e, 'GET', '/bulkjobs/v4/version')).status).toBe(500);
	expect((await control('GET', 'faults')).body).toEqual({ injected: 3 });
	expect((await control('DELETE', 'faults')).status).toBe(200);
	expect((await call(e, 'GET', '/bulkjobs/v4/version')).status).toBe(200);
	expect((await control('POST', 'faults', { rate: 1, kinds: ['nope'] })).status).toBe(400);
	expect((await control('POST', 'faults', { script: [{ kind: '500', path: '(' }] })).status).toBe(400);
});

test('requests log: control calls are not in it', async () => {
	await control('DELETE', 'requests');
	await call(e, 'GET', '/bulkjobs/v4/health', { query: { a: ['1', '2'] } });
	await control('GET', 'state');
	const log = (await control('GET', 'requests')).body.requests as Json[];
	expect(log).toEqual([{ method: 'GET', path: '/bulkjobs/v4/health', query: { a: ['1', '2'] }, status: 200, at: expect.any(Number) }]);
});

test('reset: back to the demo account only, the clock back to real time', async () => {
	await control('POST', 'clock/advance', { ms: 10 * 24 * 3600 * 1000 });
	expect((await control('POST', 'reset')).status).toBe(200);
	const before = Date.now();
	const state = (await control('GET', 'state')).body;
	const after = Date.now();
	expect(state.jobs).toEqual([]);
	expect((state.users as Json[]).map((u) => u.email)).toEqual([DEMO.email]);
	// Real time again: read between the two readings of this process's clock.
	expect(state.now).toBeGreaterThanOrEqual(before);
	expect(state.now).toBeLessThanOrEqual(after);
	expect((await call(e, 'GET', '/bulkjobs/v4/deviceUploads', { token: DEMO.accessToken })).status).toBe(200);
	expect((await call(e, 'POST', '/users/v2/login', { json: { email: 'ci@example.com', password: 'pw' } })).status).toBe(401);
});

test('unknown control endpoints are 404, bad bodies 400', async () => {
	expect((await control('GET', 'nope')).status).toBe(404);
	const bad = await call(e, 'POST', '/_emulator/clock/advance', { raw: { body: '{', contentType: 'application/json' } });
	expect(bad.status).toBe(400);
	expect((await control('POST', 'clock/advance', { ms: -1 })).status).toBe(400);
});
