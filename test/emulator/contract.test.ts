import Ajv, { type ValidateFunction } from 'ajv';
import { DEMO, startEmulator, type HereEmulator } from '../../emulator';
import spec from './schemas/here-tracking-responses.json';
import { call, createJob, devices, obj, world, type Reply, type World } from './helpers';

/**
 * Every kind of response the emulator gives, on every path, checked against the spec's response
 * schema for that operation and status (see schemas/here-tracking-responses.json for the three
 * deliberate differences from the spec, each explained there).
 */

type Operation = keyof typeof spec.responses;

const ajv = new Ajv({ strict: true, allErrors: true });
// `format: uuid` as the spec means it; ajv-formats' variant would also take a "urn:uuid:" prefix.
ajv.addFormat('uuid', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
const validators = new Map<string, ValidateFunction>();

function validatorFor(operation: Operation, status: number): ValidateFunction {
	const key = `${operation} ${status}`;
	let validate = validators.get(key);
	if (!validate) {
		const byStatus = spec.responses[operation] as Record<string, object>;
		const schema = byStatus[String(status)];
		if (!schema) throw new Error(`The spec has no ${status} response for ${operation}`);
		validate = ajv.compile({ allOf: [schema], definitions: spec.definitions });
		validators.set(key, validate);
	}
	return validate;
}

const seen = new Set<string>();

function expectConforms(operation: Operation, reply: Reply, status: number): void {
	expect(reply.status).toBe(status);
	expect(reply.headers.get('content-type')).toMatch(/^application\/json/);
	const validate = validatorFor(operation, status);
	if (!validate(reply.body)) throw new Error(`${operation} ${status}: ${ajv.errorsText(validate.errors)}\n${reply.text}`);
	seen.add(`${operation} ${status}`);
}

const base = '/bulkjobs/v4/deviceUploads';
let w: World;
let multi: string;
let other: World;

beforeAll(async () => {
	w = await world({ processing: { mode: 'manual' }, demo: true });
	// A user in two projects, and a project the first user is not in.
	multi = 'multi@example.com';
	w.emulator.addUser({ email: multi, password: 'pw', projects: [{ projectId: 'p1' }, { projectId: 'p2' }] });
	other = { ...w, token: w.emulator.issueToken(DEMO.email), projectId: DEMO.projectId };
});
afterAll(() => w.emulator.close());

describe('users', () => {
	test('login 200, 400, 401 (account error shape)', async () => {
		const e = w.emulator;
		const okReply = await call(e, 'POST', '/users/v2/login', { json: { email: w.email, password: w.password } });
		expectConforms('POST /users/v2/login', okReply, 200);
		expect(obj(okReply)).toMatchObject({ tokenType: 'bearer', expiresIn: 86400, realm: 'here' });
		expectConforms('POST /users/v2/login', await call(e, 'POST', '/users/v2/login', { json: { email: w.email } }), 400);
		expectConforms('POST /users/v2/login', await call(e, 'POST', '/users/v2/login', { raw: { body: '{', contentType: 'application/json' } }), 400);
		const bad = await call(e, 'POST', '/users/v2/login', { json: { email: w.email, password: 'wrong' } });
		expectConforms('POST /users/v2/login', bad, 401);
		expect(obj(bad)).toMatchObject({ httpStatus: 401 });
		expectConforms('POST /users/v2/login', await call(e, 'POST', '/users/v2/login', { json: { email: 'nobody@example.com', password: 'x' } }), 401);
	});

	test('refresh 200, 400, 401', async () => {
		const e = w.emulator;
		const login = obj(await call(e, 'POST', '/users/v2/login', { json: { email: w.email, password: w.password } }));
		const pair = { accessToken: login.accessToken, refreshToken: login.refreshToken };
		expectConforms('POST /users/v2/refresh', await call(e, 'POST', '/users/v2/refresh', { json: pair }), 200);
		expectConforms('POST /users/v2/refresh', await call(e, 'POST', '/users/v2/refresh', { json: { accessToken: 'x' } }), 400);
		// The pair was spent by the refresh above.
		expectConforms('POST /users/v2/refresh', await call(e, 'POST', '/users/v2/refresh', { json: pair }), 401);
	});

	test('tokenExchange 200, 400, 401, 403, 404', async () => {
		const e = w.emulator;
		const path = '/users/v2/tokenExchange';
		const op = 'POST /users/v2/tokenExchange';
		expectConforms(op, await call(e, 'POST', path, { json: { accessToken: w.token, scope: 'hrn:here:authorization::here:project/project-a' } }), 200);
		expectConforms(op, await call(e, 'POST', path, { json: { accessToken: w.token } }), 400);
		expectConforms(op, await call(e, 'POST', path, { json: { accessToken: 'nope', scope: 'hrn:here:authorization::here:project/project-a' } }), 401);
		expectConforms(op, await call(e, 'POST', path, { json: { accessToken: w.token, scope: DEMO.projectHrn } }), 403);
		expectConforms(op, await call(e, 'POST', path, { json: { accessToken: w.token, scope: 'hrn:here:authorization::here:project/none' } }), 404);
	});
});

describe('licenses', () => {
	const op = 'GET /registry/v2/licenses';
	test('200, 400, 401', async () => {
		const e = w.emulator;
		const reply = await call(e, 'GET', '/registry/v2/licenses', { token: w.token });
		expectConforms(op, reply, 200);
		expect(obj(reply)).toMatchObject({ start: 0, end: 1, total: 1, licenses: [{ projectId: 'project-a', expired: false }] });
		expectConforms(op, await call(e, 'GET', '/registry/v2/licenses', { token: w.token, query: { startIndex: -1 } }), 400);
		expectConforms(op, await call(e, 'GET', '/registry/v2/licenses'), 401);
	});
});

describe('service', () => {
	test('health and version need no token', async () => {
		const health = await call(w.emulator, 'GET', '/bulkjobs/v4/health');
		expectConforms('GET /bulkjobs/v4/health', health, 200);
		expect(health.body).toEqual({ message: 'healthy' });
		const version = await call(w.emulator, 'GET', '/bulkjobs/v4/version');
		expectConforms('GET /bulkjobs/v4/version', version, 200);
		expect(obj(version).bulkjobs).toMatch(/^4\.\d+\.\d+$/);
	});

	test('500 (injected) still has the Tracking error body', async () => {
		w.emulator.faults.script([{ path: /health$/, kind: '500' }]);
		expectConforms('GET /bulkjobs/v4/health', await call(w.emulator, 'GET', '/bulkjobs/v4/health'), 500);
		w.emulator.faults.script([{ path: /version$/, kind: '500' }]);
		expectConforms('GET /bulkjobs/v4/version', await call(w.emulator, 'GET', '/bulkjobs/v4/version'), 500);
	});
});

describe('bulk jobs', () => {
	const create = 'POST /bulkjobs/v4/deviceUploads';
	const list = 'GET /bulkjobs/v4/deviceUploads';
	const statusOp = 'GET /bulkjobs/v4/deviceUploads/{jobId}/status';
	const results = 'GET /bulkjobs/v4/deviceUploads/{jobId}/results';
	const patch = 'PATCH /bulkjobs/v4/deviceUploads/{jobId}';

	test('create: 202, 400, 401, 403, 404, 413, 429', async () => {
		const e = w.emulator;
		const token = w.token;
		expectConforms(create, await call(e, 'POST', base, { token, json: devices(2, 'c') }), 202);
		expectConforms(create, await call(e, 'POST', base, { token, json: [{ name: '' }] }), 400);
		expectConforms(create, await call(e, 'POST', base, { json: devices(1) }), 401);
		expectConforms(create, await call(e, 'POST', base, { token, query: { projectId: DEMO.projectId }, json: devices(1) }), 403);
		expectConforms(create, await call(e, 'POST', base, { token, query: { projectId: 'nope' }, json: devices(1) }), 404);
		expectConforms(create, await call(e, 'POST', base, { token, raw: { body: Buffer.alloc(10 * 1024 * 1024 + 1, 0x61), contentType: 'text/csv' } }), 413);
		e.faults.script([{ method: 'POST', path: /deviceUploads$/, kind: '429' }]);
		expectConforms(create, await call(e, 'POST', base, { token, json: devices(1) }), 429);
	});

	test('list: 200 (with and without nextPageToken), 400, 401, 403, 404, 429', async () => {
		const e = w.emulator;
		const token = w.token;
		for (let i = 0; i < 3; i++) await createJob(w, devices(1, `l${i}`));
		const first = await call(e, 'GET', base, { token, query: { limit: 2 } });
		expectConforms(list, first, 200);
		expect(obj(first).nextPageToken).toEqual(expect.any(String));
		expectConforms(list, await call(e, 'GET', base, { token, query: { type: 'create', status: ['pending', 'ongoing'] } }), 200);
		expectConforms(list, await call(e, 'GET', base, { token, query: { limit: 0 } }), 400);
		expectConforms(list, await call(e, 'GET', base, { token, query: { pageToken: 'garbage' } }), 400);
		expectConforms(list, await call(e, 'GET', base, { token: e.issueToken(multi) }), 400);
		expectConforms(list, await call(e, 'GET', base), 401);
		expectConforms(list, await call(e, 'GET', base, { token, query: { projectId: 'p1' } }), 403);
		expectConforms(list, await call(e, 'GET', base, { token, query: { projectId: 'nope' } }), 404);
		e.faults.script([{ kind: '429-no-retry-after' }]);
		expectConforms(list, await call(e, 'GET', base, { token }), 429);
	});

	test('status and results: 200 (pending, ongoing, completed), 400, 401, 403, 404, 429', async () => {
		const e = w.emulator;
		const token = w.token;
		const jobId = await createJob(w, [...devices(3, 's'), { name: 's-0' }], { fileName: 'devices.csv' });
		for (const [op, suffix] of [
			[statusOp, 'status'],
			[results, 'results'],
		] as const) {
			const path = `${base}/${jobId}/${suffix}`;
			expectConforms(op, await call(e, 'GET', path, { token }), 200); // pending
			expectConforms(op, await call(e, 'GET', `${base}/BULK-not-a-uuid/${suffix}`, { token }), 400);
			expectConforms(op, await call(e, 'GET', path), 401);
			expectConforms(op, await call(e, 'GET', path, { token, query: { projectId: 'p2' } }), 403);
			expectConforms(op, await call(e, 'GET', `${base}/BULK-00000000-0000-4000-8000-000000000000/${suffix}`, { token }), 404);
			// Another project's job is unknown.
			expectConforms(op, await call(e, 'GET', path, { token: other.token }), 404);
			e.faults.script([{ kind: '429' }]);
			expectConforms(op, await call(e, 'GET', path, { token }), 429);
		}
		e.process({ jobId, devices: 2 });
		expectConforms(statusOp, await call(e, 'GET', `${base}/${jobId}/status`, { token }), 200); // ongoing
		const partial = await call(e, 'GET', `${base}/${jobId}/results`, { token, query: { limit: 1 } });
		expectConforms(results, partial, 200);
		expect(obj(partial).nextPageToken).toEqual(expect.any(String));
		e.process({ jobId });
		const done = await call(e, 'GET', `${base}/${jobId}/status`, { token });
		expectConforms(statusOp, done, 200);
		expect(obj(done)).toMatchObject({ status: 'completed', fileName: 'devices.csv', failed: 1, succeeded: 3 });
		const rows = await call(e, 'GET', `${base}/${jobId}/results`, { token });
		expectConforms(results, rows, 200); // includes a row with errors and one with a deviceSecret
		expectConforms(results, await call(e, 'GET', `${base}/${jobId}/results`, { token, query: { limit: 101 } }), 400);
	});

	test('a jobId with broken percent-encoding is a 400 like any malformed jobId, after the token check', async () => {
		const e = w.emulator;
		const broken = `${base}/BULK-%E0%A4%A`;
		expectConforms(statusOp, await call(e, 'GET', `${broken}/status`, { token: w.token }), 400);
		expectConforms(results, await call(e, 'GET', `${broken}/results`, { token: w.token }), 400);
		const reply = await call(e, 'PATCH', broken, { token: w.token, json: { action: 'cancel' } });
		expectConforms(patch, reply, 400);
		expect(obj(reply)).toMatchObject({ details: { field: 'jobId' } });
		expectConforms(statusOp, await call(e, 'GET', `${broken}/status`), 401);
	});

	test('patch: 200, 400, 401, 403, 404, 412, 429', async () => {
		const e = w.emulator;
		const token = w.token;
		const jobId = await createJob(w, devices(2, 'p'));
		const path = `${base}/${jobId}`;
		expectConforms(patch, await call(e, 'PATCH', path, { token, json: { action: 'acknowledge' } }), 412);
		expectConforms(patch, await call(e, 'PATCH', path, { token, json: { action: 'delete' } }), 400);
		expectConforms(patch, await call(e, 'PATCH', path, { json: { action: 'cancel' } }), 401);
		expectConforms(patch, await call(e, 'PATCH', path, { token, query: { projectId: 'p1' }, json: { action: 'cancel' } }), 403);
		expectConforms(patch, await call(e, 'PATCH', `${base}/BULK-00000000-0000-4000-8000-000000000000`, { token, json: { action: 'cancel' } }), 404);
		e.faults.script([{ method: 'PATCH', kind: '429' }]);
		expectConforms(patch, await call(e, 'PATCH', path, { token, json: { action: 'cancel' } }), 429);
		expectConforms(patch, await call(e, 'PATCH', path, { token, json: { action: 'cancel' } }), 200);
		expectConforms(patch, await call(e, 'PATCH', path, { token, json: { action: 'cancel' } }), 412);
		expectConforms(patch, await call(e, 'PATCH', path, { token, json: { action: 'acknowledge' } }), 200);
	});
});

describe('devices', () => {
	const op = 'GET /users/v2/devices';
	const path = '/users/v2/devices';

	test('list: 200 (with and without pageToken, virtual and physical, with and without shadow), 400, 401, 403, 404, 429', async () => {
		const e = w.emulator;
		const token = w.token;
		await createJob(w, [
			{ name: 'v-rated', externalId: 'v-rated', sendMs: 600000, sampleMs: 300000, distanceM: 50 },
			{ name: 'v-plain', externalId: 'v-plain' },
			{ name: 'physical' },
		]);
		await e.settle();
		const first = await call(e, 'GET', path, { token, query: { count: 2 } });
		expectConforms(op, first, 200);
		const pageToken = obj(first).pageToken as string;
		expect(pageToken).toEqual(expect.any(String));
		const rest = await call(e, 'GET', path, { token, query: { count: 100, pageToken } });
		expectConforms(op, rest, 200);
		const all = await call(e, 'GET', path, { token });
		expectConforms(op, all, 200);
		expect(obj(all).data).toEqual(
			expect.arrayContaining([expect.objectContaining({ externalId: 'v-rated', shadow: expect.any(Object) }), { trackingId: expect.any(String) }]),
		);
		expectConforms(op, await call(e, 'GET', path, { token, query: { count: 0 } }), 400);
		expectConforms(op, await call(e, 'GET', path, { token, query: { count: 101 } }), 400);
		expectConforms(op, await call(e, 'GET', path, { token, query: { pageToken: 'garbage' } }), 400);
		expectConforms(op, await call(e, 'GET', path, { token: e.issueToken(multi) }), 400);
		expectConforms(op, await call(e, 'GET', path), 401);
		expectConforms(op, await call(e, 'GET', path, { token, query: { projectId: 'p1' } }), 403);
		expectConforms(op, await call(e, 'GET', path, { token, query: { projectId: 'nope' } }), 403);
		e.faults.script([{ path: /^\/users\/v2\/devices$/, kind: '429' }]);
		expectConforms(op, await call(e, 'GET', path, { token }), 429);
	});
});

describe('coverage of the spec', () => {
	test('every (operation, status) of the spec was exercised, except the ones the emulator never gives', () => {
		const never = new Set([
			'POST /bulkjobs/v4/deviceUploads 412', // no create precondition is defined anywhere
			'POST /users/v2/login 403', // no account state that forbids login
			'POST /users/v2/refresh 403',
			'GET /registry/v2/licenses 403', // any valid token may list its own projects
			'GET /registry/v2/licenses 404',
		]);
		const missing: string[] = [];
		for (const [operation, byStatus] of Object.entries(spec.responses)) {
			for (const status of Object.keys(byStatus)) {
				const key = `${operation} ${status}`;
				if (!seen.has(key) && !never.has(key)) missing.push(key);
			}
		}
		expect(missing).toEqual([]);
	});
});

describe('a second emulator instance', () => {
	let e: HereEmulator;
	beforeAll(async () => {
		e = await startEmulator({ demo: true });
	});
	afterAll(() => e.close());
	test('demo token works on list', async () => {
		const reply = await call(e, 'GET', base, { token: DEMO.accessToken });
		expectConforms('GET /bulkjobs/v4/deviceUploads', reply, 200);
		expect(obj(reply)).toEqual({ count: 0, limit: 100, items: [] });
	});
});
