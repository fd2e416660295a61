import { allResults, call, createJob, obj, world, type Json, type World } from './helpers';

const path = '/users/v2/devices';

interface Listed {
	trackingId: string;
	appId?: string;
	externalId?: string;
	shadow?: { desired: { system: { rate: Json } } };
}

/** Every page of one listing, following `pageToken`. */
async function listAll(w: World, count = 100): Promise<{ pages: Listed[][]; tokens: string[] }> {
	const pages: Listed[][] = [];
	const tokens: string[] = [];
	let pageToken: string | undefined;
	do {
		const reply = await call(w.emulator, 'GET', path, { token: w.token, query: { count, ...(pageToken ? { pageToken } : {}) } });
		expect(reply.status).toBe(200);
		const body = obj(reply);
		expect(body.count).toBe((body.data as Listed[]).length);
		expect(body).not.toHaveProperty('nextPageToken');
		pages.push(body.data as Listed[]);
		pageToken = body.pageToken as string | undefined;
		if (pageToken) tokens.push(pageToken);
	} while (pageToken);
	return { pages, tokens };
}

const virtual = (count: number, prefix: string, extra: Json = {}) =>
	Array.from({ length: count }, (_, i) => ({ name: `${prefix}-${i}`, externalId: `${prefix}-${i}`, ...extra }));

describe('GET /users/v2/devices', () => {
	let w: World;
	beforeEach(async () => {
		w = await world({ processing: { mode: 'manual' } });
	});
	afterEach(() => w.emulator.close());

	test('a device is listed as soon as its bulk row succeeded; failed rows never are', async () => {
		const jobId = await createJob(w, [...virtual(4, 'v'), { name: 'dup', externalId: 'v-0' }]);
		expect((await listAll(w)).pages.flat()).toEqual([]);
		w.emulator.process({ jobId, devices: 2 });
		expect((await listAll(w)).pages.flat().map((d) => d.externalId).sort()).toEqual(['v-0', 'v-1']);
		w.emulator.process({ jobId });
		const listed = (await listAll(w)).pages.flat();
		expect(listed.map((d) => d.externalId).sort()).toEqual(['v-0', 'v-1', 'v-2', 'v-3']);
		const trackingIds = new Map(w.emulator.devices(w.projectId).map((d) => [d.externalId, d.trackingId]));
		for (const device of listed) expect(device.trackingId).toBe(trackingIds.get(device.externalId));
	});

	test('virtual devices carry appId and externalId, physical ones only a trackingId; the shadow holds the row\'s rates', async () => {
		await createJob(w, [
			{ name: 'rated', externalId: 'rated', sendMs: 600000, sampleMs: 300000, distanceM: 25 },
			{ name: 'send-only', externalId: 'send-only', sendMs: 900000 },
			{ name: 'plain', externalId: 'plain' },
			{ name: 'physical', sampleMs: 1000 },
		]);
		await w.emulator.settle();
		const byName = new Map(w.emulator.devices(w.projectId).map((d) => [d.trackingId, d.name]));
		const listed = new Map((await listAll(w)).pages.flat().map((d) => [byName.get(d.trackingId), d]));
		const appId = listed.get('rated')?.appId;
		expect(appId).toEqual(expect.any(String));
		expect(listed.get('rated')?.shadow?.desired.system.rate).toEqual({ sendMs: 600000, sampleMs: 300000, distanceM: 25 });
		expect(listed.get('send-only')?.shadow?.desired.system.rate).toEqual({ sendMs: 900000 });
		expect(listed.get('plain')).toEqual({ trackingId: expect.any(String), appId, externalId: 'plain' });
		expect(listed.get('physical')).toEqual({ trackingId: expect.any(String), shadow: expect.any(Object) });
		expect(listed.get('physical')).not.toHaveProperty('externalId');
	});

	test('paging with count: every device once, in an order that changes between listings', async () => {
		await createJob(w, virtual(250, 'p'));
		await w.emulator.settle();
		const first = await listAll(w, 40);
		expect(first.pages.map((page) => page.length)).toEqual([40, 40, 40, 40, 40, 40, 10]);
		const ids = first.pages.flat().map((d) => d.externalId);
		expect(new Set(ids).size).toBe(250);
		const second = (await listAll(w, 40)).pages.flat().map((d) => d.externalId);
		expect(second).not.toEqual(ids);
		expect([...second].sort()).toEqual([...ids].sort());
		const defaultPage = obj(await call(w.emulator, 'GET', path, { token: w.token }));
		expect(defaultPage.count).toBe(100);
	});

	test('a device deleted while a listing is paged is left out of the later pages, never repeated', async () => {
		await createJob(w, virtual(30, 'd'));
		await w.emulator.settle();
		const firstPage = obj(await call(w.emulator, 'GET', path, { token: w.token, query: { count: 10 } }));
		const seen = (firstPage.data as Listed[]).map((d) => d.externalId as string);
		const remove = w.emulator.devices(w.projectId).filter((d) => !seen.includes(d.externalId as string)).slice(0, 5);
		const deleteJob = await createJob(w, remove.map((d) => ({ externalId: d.externalId })));
		await w.emulator.settle();
		expect((await allResults(w, deleteJob)).every((row) => row.errors === undefined)).toBe(true);
		let pageToken = firstPage.pageToken as string | undefined;
		while (pageToken) {
			const body = obj(await call(w.emulator, 'GET', path, { token: w.token, query: { count: 10, pageToken } }));
			seen.push(...(body.data as Listed[]).map((d) => d.externalId as string));
			pageToken = body.pageToken as string | undefined;
		}
		expect(seen).toHaveLength(25);
		expect(new Set(seen).size).toBe(25);
	});

	test('no page token when every device after the page has been deleted meanwhile', async () => {
		const fresh = await world();
		try {
			await createJob(fresh, virtual(4, 'e'));
			await fresh.emulator.settle();
			const firstPage = obj(await call(fresh.emulator, 'GET', path, { token: fresh.token, query: { count: 2 } }));
			const seen = (firstPage.data as Listed[]).map((d) => d.externalId as string);
			const rest = fresh.emulator.devices(fresh.projectId).filter((d) => !seen.includes(d.externalId as string));
			// One more device past the page, then the last one deleted: the next page holds one device and no token.
			await createJob(fresh, rest.slice(1).map((d) => ({ externalId: d.externalId })));
			await fresh.emulator.settle();
			const next = obj(await call(fresh.emulator, 'GET', path, { token: fresh.token, query: { count: 1, pageToken: firstPage.pageToken as string } }));
			expect((next.data as Listed[]).map((d) => d.externalId)).toEqual([rest[0].externalId]);
			expect(next).not.toHaveProperty('pageToken');
		} finally {
			await fresh.emulator.close();
		}
	});

	test('re-adding a device (same name, same externalId) is refused for its externalId, as the notes decide', async () => {
		await createJob(w, [{ name: 'again', externalId: 'again-ext' }]);
		const second = await createJob(w, [{ name: 'again', externalId: 'again-ext' }]);
		await w.emulator.settle();
		expect((await allResults(w, second))[0].errors).toEqual([
			{ code: 409, message: 'Device with externalId again-ext already exists in the project.', details: 'externalId:again-ext' },
		]);
	});

	test('page tokens: valid for 10 minutes, for this project and this listing only', async () => {
		await createJob(w, virtual(3, 't'));
		await w.emulator.settle();
		const token = obj(await call(w.emulator, 'GET', path, { token: w.token, query: { count: 1 } })).pageToken as string;
		w.emulator.clock.advance(9 * 60 * 1000);
		expect((await call(w.emulator, 'GET', path, { token: w.token, query: { count: 1, pageToken: token } })).status).toBe(200);
		w.emulator.clock.advance(61 * 1000);
		const expired = await call(w.emulator, 'GET', path, { token: w.token, query: { count: 1, pageToken: token } });
		expect(expired.status).toBe(400);
		expect(obj(expired).message).toMatch(/pageToken/);

		// A job listing's token is not a device listing's.
		await createJob(w, virtual(2, 'j'));
		const jobToken = obj(await call(w.emulator, 'GET', '/bulkjobs/v4/deviceUploads', { token: w.token, query: { limit: 1 } })).nextPageToken as string;
		expect((await call(w.emulator, 'GET', path, { token: w.token, query: { pageToken: jobToken } })).status).toBe(400);
	});

	test('an add row whose externalId is already in the project fails with 409', async () => {
		await createJob(w, [{ name: 'first', externalId: 'taken' }]);
		const second = await createJob(w, [{ name: 'second', externalId: 'taken' }]);
		await w.emulator.settle();
		expect(await allResults(w, second)).toEqual([
			{
				name: 'second',
				externalId: 'taken',
				errors: [{ code: 409, message: 'Device with externalId taken already exists in the project.', details: 'externalId:taken' }],
			},
		]);
	});

	test('multi-project users name the project; another project\'s devices are not listed', async () => {
		w.emulator.addUser({ email: 'two@example.com', password: 'pw', projects: [{ projectId: 'project-a' }, { projectId: 'project-b' }] });
		const token = w.emulator.issueToken('two@example.com');
		await createJob(w, virtual(2, 'a'));
		await w.emulator.settle();
		expect((await call(w.emulator, 'GET', path, { token })).status).toBe(400);
		const a = obj(await call(w.emulator, 'GET', path, { token, query: { projectId: 'project-a' } }));
		expect(a.count).toBe(2);
		const b = obj(await call(w.emulator, 'GET', path, { token, query: { projectId: 'project-b' } }));
		expect(b).toEqual({ count: 0, data: [] });
		// A token from project-a's listing cannot page project-b.
		const paged = obj(await call(w.emulator, 'GET', path, { token, query: { projectId: 'project-a', count: 1 } }));
		const reply = await call(w.emulator, 'GET', path, { token, query: { projectId: 'project-b', pageToken: paged.pageToken as string } });
		expect(reply.status).toBe(400);
	});

	test('faults apply to the listing like to any route', async () => {
		w.emulator.faults.script([{ method: 'GET', path: /^\/users\/v2\/devices$/, kind: '503', times: 2 }]);
		expect((await call(w.emulator, 'GET', path, { token: w.token })).status).toBe(503);
		expect((await call(w.emulator, 'GET', path, { token: w.token })).status).toBe(503);
		expect((await call(w.emulator, 'GET', path, { token: w.token })).status).toBe(200);
		expect(w.emulator.requests.filter((r) => r.path === path).map((r) => r.fault)).toEqual(['503', '503', undefined]);
	});
});
