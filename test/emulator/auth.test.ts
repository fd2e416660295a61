import { call, createJob, devices, obj, uuid, world, type World } from './helpers';

const base = '/bulkjobs/v4/deviceUploads';
let w: World;
beforeEach(async () => {
	w = await world({ tokenTtlSeconds: 60 });
});
afterEach(() => w.emulator.close());

const login = async () => obj(await call(w.emulator, 'POST', '/users/v2/login', { json: { email: w.email, password: w.password } }));

describe('tokens', () => {
	test('a login token works until expiresIn passes on the emulator clock, then 401', async () => {
		const session = await login();
		expect(session.expiresIn).toBe(60);
		expect(session.userId).toMatch(/^HERE-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
		const token = session.accessToken as string;
		w.emulator.clock.advance(59_000);
		expect((await call(w.emulator, 'GET', base, { token })).status).toBe(200);
		w.emulator.clock.advance(1_000);
		const expired = await call(w.emulator, 'GET', base, { token });
		expect(expired.status).toBe(401);
		expect(obj(expired)).toMatchObject({ code: 401, error: 'Unauthorized', details: { hereErrorCode: 401306 }, message: expect.stringMatching(/expired/) });
	});

	test('refresh takes the (expired) access token and its refresh token, and rotates the pair', async () => {
		const session = await login();
		w.emulator.clock.advance(120_000);
		const pair = { accessToken: session.accessToken, refreshToken: session.refreshToken };
		const renewed = obj(await call(w.emulator, 'POST', '/users/v2/refresh', { json: pair }));
		expect(renewed).toMatchObject({ tokenType: 'bearer', expiresIn: 60, userId: session.userId, realm: 'here' });
		expect(renewed.accessToken).not.toBe(session.accessToken);
		expect((await call(w.emulator, 'GET', base, { token: renewed.accessToken as string })).status).toBe(200);
		expect((await call(w.emulator, 'POST', '/users/v2/refresh', { json: pair })).status).toBe(401);
		// A refresh token with another session's access token is a bad pair.
		const other = await login();
		const mixed = { accessToken: other.accessToken, refreshToken: renewed.refreshToken };
		expect((await call(w.emulator, 'POST', '/users/v2/refresh', { json: mixed })).status).toBe(401);
	});

	test('a refresh spends the old access token even before it expires', async () => {
		const session = await login();
		const renewed = await call(w.emulator, 'POST', '/users/v2/refresh', {
			json: { accessToken: session.accessToken, refreshToken: session.refreshToken },
		});
		expect(renewed.status).toBe(200);
		expect((await call(w.emulator, 'GET', base, { token: session.accessToken as string })).status).toBe(401);
		expect((await call(w.emulator, 'GET', base, { token: obj(renewed).accessToken as string })).status).toBe(200);
	});

	test('a login, refresh or token exchange body that is not JSON is refused with where it broke, never its text', async () => {
		const bodies: Array<[string, string, RegExp]> = [
			['/users/v2/login', `{"email":"${w.email}","password":S3cr3tPassw0rd}`, /it is not valid JSON/],
			['/users/v2/login', `{"email":"${w.email}","password":"S3cr3tPassw0rd" "realm":"here"}`, /at position \d+ \(line 1, column \d+\)/],
			['/users/v2/refresh', '{"accessToken":"a","refreshToken":RefreshSecret123}', /it is not valid JSON/],
			['/users/v2/refresh', '{"accessToken":"RefreshSecret123","refreshToken":', /it ends too early/],
			['/users/v2/tokenExchange', '{"accessToken":"TokenSecret456" x}', /at position 32 \(line 1, column 33\)/],
		];
		for (const [path, body, message] of bodies) {
			const reply = await call(w.emulator, 'POST', path, { raw: { body, contentType: 'application/json' } });
			expect(reply.status).toBe(400);
			expect(obj(reply).message).toMatch(message);
			expect(reply.text).not.toMatch(/S3cr3t|RefreshSe|TokenSe/);
		}
	});

	test('missing, malformed and unknown tokens are 401 with the Tracking body', async () => {
		for (const headers of [{}, { Authorization: 'Basic abc' }, { Authorization: 'Bearer nope' }] as Array<Record<string, string>>) {
			const reply = await call(w.emulator, 'GET', base, { headers });
			expect(reply.status).toBe(401);
			expect(obj(reply)).toMatchObject({ code: 401, id: expect.stringMatching(/-emu$/) });
		}
	});

	test('issueToken with ttlSeconds', async () => {
		const token = w.emulator.issueToken(w.email, { ttlSeconds: 5 });
		expect((await call(w.emulator, 'GET', base, { token })).status).toBe(200);
		w.emulator.clock.advance(5_000);
		expect((await call(w.emulator, 'GET', base, { token })).status).toBe(401);
	});

	test('login with a realm: the user’s realm works, another does not', async () => {
		const ok = await call(w.emulator, 'POST', '/users/v2/login', { json: { email: w.email, password: w.password, realm: 'here' } });
		expect(ok.status).toBe(200);
		const wrong = await call(w.emulator, 'POST', '/users/v2/login', { json: { email: w.email, password: w.password, realm: 'other' } });
		expect(wrong.status).toBe(401);
		expect(obj(wrong)).toEqual({ errorId: expect.stringMatching(/^ERROR-/), httpStatus: 401, errorCode: 401300, message: expect.any(String) });
	});

	test('the login realm is compared without regard to case (the spec: "a case-insensitive requested realm ID")', async () => {
		const upper = await call(w.emulator, 'POST', '/users/v2/login', { json: { email: w.email, password: w.password, realm: 'HERE' } });
		expect(upper.status).toBe(200);
		expect(obj(upper).realm).toBe('here');
	});
});

describe('projects', () => {
	beforeEach(() => {
		w.emulator.addUser({
			email: w.email,
			password: w.password,
			projects: [{ projectId: 'project-b', projectName: 'B', projectHrn: 'hrn:here:authorization::here:project/b' }],
		});
	});

	test('a user in several projects must name one (400), may use each (200), not others (403), unknown (404)', async () => {
		const none = await call(w.emulator, 'GET', base, { token: w.token });
		expect(none.status).toBe(400);
		expect(obj(none).message).toMatch(/projectId/);
		expect((await call(w.emulator, 'GET', base, { token: w.token, query: { projectId: 'project-b' } })).status).toBe(200);
		w.emulator.addUser({ email: 'other@example.com', password: 'x', projects: [{ projectId: 'project-c' }] });
		expect((await call(w.emulator, 'GET', base, { token: w.token, query: { projectId: 'project-c' } })).status).toBe(403);
		expect((await call(w.emulator, 'GET', base, { token: w.token, query: { projectId: 'nope' } })).status).toBe(404);
		expect((await call(w.emulator, 'GET', base, { token: w.token, query: { projectId: ['project-a', 'project-b'] } })).status).toBe(400);
	});

	test('a projectId of 1-50 characters counts code points, not UTF-16 units (an emoji is one)', async () => {
		const listWith = async (projectId: string) => (await call(w.emulator, 'GET', base, { token: w.token, query: { projectId } })).status;
		expect(await listWith('🚚'.repeat(26))).toBe(404);
		expect(await listWith('🚚'.repeat(50))).toBe(404);
		expect(await listWith('🚚'.repeat(51))).toBe(400);
		expect(await listWith('p'.repeat(51))).toBe(400);
		const licenses = await call(w.emulator, 'GET', '/registry/v2/licenses', { token: w.token, query: { projectIds: '🚚'.repeat(50) } });
		expect(obj(licenses)).toMatchObject({ total: 0 });
	});

	test('jobs belong to their project: another project sees 404', async () => {
		const jobId = await createJob(w, devices(1), { projectId: 'project-a' });
		const fromB = await call(w.emulator, 'GET', `${base}/${jobId}/status`, { token: w.token, query: { projectId: 'project-b' } });
		expect(fromB.status).toBe(404);
		const fromA = await call(w.emulator, 'GET', `${base}/${jobId}/status`, { token: w.token, query: { projectId: 'project-a' } });
		expect(fromA.status).toBe(200);
	});

	test('token exchange: a scoped token implies its project and refuses another', async () => {
		const exchange = await call(w.emulator, 'POST', '/users/v2/tokenExchange', {
			json: { accessToken: w.token, scope: 'hrn:here:authorization::here:project/b' },
		});
		expect(obj(exchange)).toMatchObject({
			scope: 'hrn:here:authorization::here:project/b',
			tokenType: 'Bearer',
			issuedTokenType: 'urn:ietf:params:oauth:token-type:access_token',
			expiresIn: 60,
		});
		const scoped = obj(exchange).accessToken as string;
		const jobId = await createJob({ ...w, token: scoped }, devices(1));
		expect(w.emulator.jobs('project-b').map((j) => j.id)).toEqual([jobId]);
		expect((await call(w.emulator, 'GET', base, { token: scoped, query: { projectId: 'project-b' } })).status).toBe(200);
		expect((await call(w.emulator, 'GET', base, { token: scoped, query: { projectId: 'project-a' } })).status).toBe(403);
		const licenses = obj(await call(w.emulator, 'GET', '/registry/v2/licenses', { token: scoped }));
		expect(licenses).toMatchObject({ total: 1, licenses: [{ projectId: 'project-b' }] });
		// issueToken can make the same kind of token directly.
		const direct = w.emulator.issueToken(w.email, { projectHrn: 'hrn:here:authorization::here:project/b' });
		expect((await call(w.emulator, 'GET', base, { token: direct })).status).toBe(200);
	});

	test('licenses: every project of the user, with paging and filters', async () => {
		const all = obj(await call(w.emulator, 'GET', '/registry/v2/licenses', { token: w.token }));
		expect(all).toMatchObject({ start: 0, end: 2, total: 2 });
		const licenses = all.licenses as Array<Record<string, unknown>>;
		expect(licenses.map((l) => l.projectId).sort()).toEqual(['project-a', 'project-b']);
		for (const license of licenses) {
			expect(license).toMatchObject({ appId: expect.any(String), projectHrn: expect.stringMatching(/^hrn:here/), type: 'commercial', expired: false });
		}
		const second = obj(await call(w.emulator, 'GET', '/registry/v2/licenses', { token: w.token, query: { startIndex: 1, endIndex: 2 } }));
		expect(second).toMatchObject({ start: 1, end: 2, total: 2 });
		const filtered = obj(await call(w.emulator, 'GET', '/registry/v2/licenses', { token: w.token, query: { projectIds: 'project-b' } }));
		expect(filtered).toMatchObject({ total: 1, licenses: [{ projectId: 'project-b', projectName: 'B' }] });
		const indoor = obj(await call(w.emulator, 'GET', '/registry/v2/licenses', { token: w.token, query: { projectTypes: 'indoor' } }));
		expect(indoor.total).toBe(0);
	});

	test('licenses: projectIds and projectTypes take each value once, at most 20 and 4 values (uniqueItems and maxItems in the spec)', async () => {
		const licenses = async (query: Record<string, string[]>) => call(w.emulator, 'GET', '/registry/v2/licenses', { token: w.token, query });
		const twice = await licenses({ projectIds: ['project-a', 'project-b', 'project-a'] });
		expect(twice.status).toBe(400);
		expect(obj(twice)).toMatchObject({ message: expect.stringContaining('"project-a" twice'), details: { field: 'projectIds' } });
		expect((await licenses({ projectTypes: ['tracking', 'tracking'] })).status).toBe(400);
		const five = await licenses({ projectTypes: ['indoor', 'tracking', 'trackingAzure', 'lastmile', 'indoor'] });
		expect(obj(five)).toMatchObject({ code: 400, message: expect.stringContaining('at most 4 values') });
		expect((await licenses({ projectIds: Array.from({ length: 21 }, (_, i) => `p${i}`) })).status).toBe(400);
		const every = obj(await licenses({ projectIds: ['project-a', 'project-b'], projectTypes: ['indoor', 'tracking', 'trackingAzure', 'lastmile'] }));
		expect(every.total).toBe(2);
	});
});

describe('X-Request-Id', () => {
	test('a UUIDv4 is accepted and echoed, anything else is 400', async () => {
		const id = uuid();
		const ok = await call(w.emulator, 'GET', base, { token: w.token, headers: { 'X-Request-Id': id } });
		expect(ok.status).toBe(200);
		expect(ok.headers.get('x-request-id')).toBe(id);
		expect(w.emulator.requests.at(-1)).toMatchObject({ method: 'GET', path: base, status: 200, requestId: id });
		const bad = await call(w.emulator, 'GET', base, { token: w.token, headers: { 'X-Request-Id': 'not-a-uuid' } });
		expect(bad.status).toBe(400);
		expect(obj(bad).message).toMatch(/X-Request-Id/);
		// Version 1 UUIDs are not v4.
		const v1 = await call(w.emulator, 'GET', base, { token: w.token, headers: { 'X-Request-Id': 'c232ab00-9414-11ec-b3c8-9f6bdeced846' } });
		expect(v1.status).toBe(400);
	});
});

describe('unknown endpoints', () => {
	test('404 for an unknown path, 405 for a known path with another method', async () => {
		expect((await call(w.emulator, 'GET', '/bulkjobs/v3/deviceUploads', { token: w.token })).status).toBe(404);
		const wrongMethod = await call(w.emulator, 'DELETE', base, { token: w.token });
		expect(wrongMethod.status).toBe(405);
		expect(obj(wrongMethod)).toMatchObject({ code: 405 });
	});
});
