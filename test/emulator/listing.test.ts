import { call, createJob, devices, obj, world, type Json, type World } from './helpers';

const base = '/bulkjobs/v4/deviceUploads';

interface Item {
	jobId: string;
	status: string;
	type: string;
}

async function listAll(w: World, query: Record<string, string | number | string[]>): Promise<{ pages: Item[][]; tokens: string[] }> {
	const pages: Item[][] = [];
	const tokens: string[] = [];
	let pageToken: string | undefined;
	do {
		const reply = await call(w.emulator, 'GET', base, { token: w.token, query: { ...query, ...(pageToken ? { pageToken } : {}) } });
		expect(reply.status).toBe(200);
		const body = obj(reply);
		expect(body.count).toBe((body.items as Item[]).length);
		pages.push(body.items as Item[]);
		pageToken = body.nextPageToken as string | undefined;
		if (pageToken) tokens.push(pageToken);
	} while (pageToken);
	return { pages, tokens };
}

describe('list filters', () => {
	let w: World;
	const ids: Record<string, string> = {};
	beforeAll(async () => {
		w = await world({ processing: { mode: 'manual' } });
		ids.pending = await createJob(w, devices(2, 'p'));
		ids.ongoing = await createJob(w, devices(2, 'o'));
		w.emulator.process({ jobId: ids.ongoing, devices: 1 });
		ids.completed = await createJob(w, devices(1, 'c'));
		w.emulator.process({ jobId: ids.completed });
		ids.failed = await createJob(w, [{ externalId: 'nobody' }]);
		w.emulator.process({ jobId: ids.failed });
		ids.cancelled = await createJob(w, devices(1, 'x'));
		await call(w.emulator, 'PATCH', `${base}/${ids.cancelled}`, { token: w.token, json: { action: 'cancel' } });
		ids.acknowledged = await createJob(w, devices(1, 'a'));
		w.emulator.process({ jobId: ids.acknowledged });
		await call(w.emulator, 'PATCH', `${base}/${ids.acknowledged}`, { token: w.token, json: { action: 'acknowledge' } });
	});
	afterAll(() => w.emulator.close());

	const listed = async (query: Record<string, string | string[]>) => {
		const body = obj(await call(w.emulator, 'GET', base, { token: w.token, query }));
		return (body.items as Item[]).map((i) => i.jobId).sort();
	};

	test('every job with its status and type', async () => {
		const body = obj(await call(w.emulator, 'GET', base, { token: w.token }));
		const byId = new Map((body.items as Item[]).map((i) => [i.jobId, i]));
		for (const [status, jobId] of Object.entries(ids)) {
			expect(byId.get(jobId)).toEqual({ jobId, status, type: status === 'failed' ? 'delete' : 'create' });
		}
	});

	test('by type', async () => {
		expect(await listed({ type: 'delete' })).toEqual([ids.failed]);
		expect(await listed({ type: 'create' })).toHaveLength(5);
	});

	test('by one status, several repeated', async () => {
		expect(await listed({ status: 'ongoing' })).toEqual([ids.ongoing]);
		const terminal = [ids.completed, ids.failed, ids.cancelled].sort();
		expect(await listed({ status: ['completed', 'failed', 'cancelled'] })).toEqual(terminal);
		expect(await listed({ status: ['completed', 'failed', 'cancelled'], type: 'create' })).toEqual([ids.completed, ids.cancelled].sort());
	});

	test('a comma-joined status is one value outside the enum: 400 naming it (the spec gives no style, so form with one status= per value)', async () => {
		for (const status of ['completed,failed', ['completed,failed', 'cancelled']]) {
			const reply = await call(w.emulator, 'GET', base, { token: w.token, query: { status } });
			expect(reply.status).toBe(400);
			expect(obj(reply)).toMatchObject({ message: expect.stringContaining('status "completed,failed" is not one of'), details: { field: 'status' } });
		}
	});

	test('bad filters are 400', async () => {
		const queries: Array<Record<string, string | string[]>> = [{ status: 'done' }, { status: 'completed,' }, { type: 'update' }, { limit: '101' }, { limit: 'ten' }, { limit: ['1', '2'] }];
		for (const query of queries) {
			expect((await call(w.emulator, 'GET', base, { token: w.token, query })).status).toBe(400);
		}
	});
});

describe('pagination', () => {
	let w: World;
	let created: string[];
	beforeAll(async () => {
		w = await world();
		created = [];
		for (let i = 0; i < 23; i++) created.push(await createJob(w, devices(1, `j${i}`)));
	});
	afterAll(() => w.emulator.close());

	test('pages neither skip nor repeat a job, and the order is not the creation order', async () => {
		const { pages } = await listAll(w, { limit: 5 });
		expect(pages.map((p) => p.length)).toEqual([5, 5, 5, 5, 3]);
		const seen = pages.flat().map((i) => i.jobId);
		expect(new Set(seen).size).toBe(23);
		expect([...seen].sort()).toEqual([...created].sort());
		expect(seen).not.toEqual(created);
		// Another listing comes in another order: clients must not depend on it.
		const again = (await listAll(w, { limit: 100 })).pages.flat().map((i) => i.jobId);
		expect(again).not.toEqual(seen);
	});

	test('jobs created or changed while paging do not disturb a listing', async () => {
		const first = obj(await call(w.emulator, 'GET', base, { token: w.token, query: { limit: 10 } }));
		const seen = (first.items as Item[]).map((i) => i.jobId);
		const late = await createJob(w, devices(1, 'late'));
		await call(w.emulator, 'PATCH', `${base}/${seen[0]}`, { token: w.token, json: { action: 'acknowledge' } });
		let pageToken = first.nextPageToken as string | undefined;
		while (pageToken) {
			const page = obj(await call(w.emulator, 'GET', base, { token: w.token, query: { limit: 10, pageToken } }));
			seen.push(...(page.items as Item[]).map((i) => i.jobId));
			pageToken = page.nextPageToken as string | undefined;
		}
		expect([...seen].sort()).toEqual([...created].sort());
		expect(seen).not.toContain(late);
		created.push(late);
	});

	test('a filtered listing pages through the filter it started with', async () => {
		const { pages } = await listAll(w, { limit: 2, status: 'completed' });
		const all = pages.flat();
		expect(all.every((i) => i.status === 'completed')).toBe(true);
		expect(new Set(all.map((i) => i.jobId)).size).toBe(all.length);
	});

	test('later pages of a filtered listing leave out jobs that no longer match, without skipping or repeating the others', async () => {
		const fresh = await world();
		try {
			const jobs: string[] = [];
			for (let i = 0; i < 9; i++) jobs.push(await createJob(fresh, devices(1, `f${i}`)));
			const page = async (query: Record<string, string | string[]>) => {
				const reply = await call(fresh.emulator, 'GET', base, { token: fresh.token, query: { limit: 2, ...query } });
				expect(reply.status).toBe(200);
				return obj(reply);
			};
			const first = await page({ status: 'completed' });
			const seen = (first.items as Item[]).map((i) => i.jobId);
			// Three jobs not listed yet are acknowledged: they leave the status=completed listing.
			const left = jobs.filter((id) => !seen.includes(id)).slice(0, 3);
			for (const jobId of left) await call(fresh.emulator, 'PATCH', `${base}/${jobId}`, { token: fresh.token, json: { action: 'acknowledge' } });
			const pages: Item[][] = [];
			let pageToken = first.nextPageToken as string | undefined;
			while (pageToken) {
				const next = await page({ status: 'completed', pageToken });
				pages.push(next.items as Item[]);
				pageToken = next.nextPageToken as string | undefined;
			}
			const later = pages.flat();
			expect(later.every((i) => i.status === 'completed')).toBe(true);
			expect([...seen, ...later.map((i) => i.jobId)].sort()).toEqual(jobs.filter((id) => !left.includes(id)).sort());
			// Pages are filled from the jobs after the ones left out: only the last may be short.
			expect(pages.slice(0, -1).every((p) => p.length === 2)).toBe(true);
		} finally {
			await fresh.emulator.close();
		}
	});

	test('a filtered listing gives no page token when no job after the page still matches: no empty last page', async () => {
		const fresh = await world();
		try {
			const jobs: string[] = [];
			for (let i = 0; i < 4; i++) jobs.push(await createJob(fresh, devices(1, `t${i}`)));
			const first = obj(await call(fresh.emulator, 'GET', base, { token: fresh.token, query: { limit: 2, status: 'completed' } }));
			expect(first.nextPageToken).toEqual(expect.any(String));
			const seen = (first.items as Item[]).map((i) => i.jobId);
			// The two jobs not listed yet are acknowledged: nothing is left for a next page.
			for (const jobId of jobs.filter((id) => !seen.includes(id))) {
				await call(fresh.emulator, 'PATCH', `${base}/${jobId}`, { token: fresh.token, json: { action: 'acknowledge' } });
			}
			const again = obj(await call(fresh.emulator, 'GET', base, { token: fresh.token, query: { limit: 1, status: 'completed', pageToken: first.nextPageToken as string } }));
			expect(again).toEqual({ count: 0, limit: 1, items: [] });
			// Asked after the change, a page that holds the last matching job has no token.
			const last = obj(await call(fresh.emulator, 'GET', base, { token: fresh.token, query: { limit: 1, status: 'completed' } }));
			const rest = obj(await call(fresh.emulator, 'GET', base, { token: fresh.token, query: { limit: 1, status: 'completed', pageToken: last.nextPageToken as string } }));
			expect(rest.count).toBe(1);
			expect(rest).not.toHaveProperty('nextPageToken');
		} finally {
			await fresh.emulator.close();
		}
	});

	test('a page token is valid only with the type and status its listing began with (400 naming both); limit may change', async () => {
		const first = obj(await call(w.emulator, 'GET', base, { token: w.token, query: { limit: 2, status: ['completed', 'failed'] } }));
		const pageToken = first.nextPageToken as string;
		const other = await call(w.emulator, 'GET', base, { token: w.token, query: { type: 'delete', status: ['completed', 'failed'], pageToken } });
		expect(other.status).toBe(400);
		expect(obj(other)).toMatchObject({
			message: expect.stringContaining('a listing with status=completed&status=failed, but this request has type=delete&status=completed&status=failed'),
			details: { field: 'pageToken' },
		});
		const none = await call(w.emulator, 'GET', base, { token: w.token, query: { pageToken } });
		expect(obj(none).message).toMatch(/but this request has no type or status filter/);
		// The same filters in another order, and another page size, are the same listing.
		const same = await call(w.emulator, 'GET', base, { token: w.token, query: { limit: 3, status: ['failed', 'completed'], pageToken } });
		expect(same.status).toBe(200);
		expect((obj(same).items as Item[]).length).toBe(3);
	});

	test('garbage, tampered, foreign and cross-kind page tokens are 400', async () => {
		const { tokens } = await listAll(w, { limit: 20 });
		const token = tokens[0];
		const tampered = `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`;
		for (const pageToken of ['garbage', 'a.b', tampered, Buffer.from('{"k":"l","s":"x","o":0}').toString('base64url')]) {
			const reply = await call(w.emulator, 'GET', base, { token: w.token, query: { pageToken } });
			expect(reply.status).toBe(400);
			expect(obj(reply).message).toMatch(/pageToken/);
		}
		// A listing token of another project.
		w.emulator.addUser({ email: 'b@example.com', password: 'x', projects: [{ projectId: 'project-b' }] });
		const other = w.emulator.issueToken('b@example.com');
		expect((await call(w.emulator, 'GET', base, { token: other, query: { pageToken: token } })).status).toBe(400);
		// A listing token is not a results token.
		const results = await call(w.emulator, 'GET', `${base}/${created[0]}/results`, { token: w.token, query: { pageToken: token } });
		expect(results.status).toBe(400);
	});

	test('a results token belongs to its job', async () => {
		const a = await createJob(w, devices(3, 'ra'));
		const b = await createJob(w, devices(3, 'rb'));
		const page = obj(await call(w.emulator, 'GET', `${base}/${a}/results`, { token: w.token, query: { limit: 1 } }));
		const pageToken = page.nextPageToken as string;
		expect((await call(w.emulator, 'GET', `${base}/${a}/results`, { token: w.token, query: { limit: 1, pageToken } })).status).toBe(200);
		expect((await call(w.emulator, 'GET', `${base}/${b}/results`, { token: w.token, query: { limit: 1, pageToken } })).status).toBe(400);
	});
});

describe('seeded', () => {
	test('two emulators with the same seed give the same ids and the same list order', async () => {
		const orders: string[][] = [];
		for (let run = 0; run < 2; run++) {
			const w = await world({ seed: 7 });
			try {
				for (let i = 0; i < 8; i++) await createJob(w, devices(1, `s${i}`));
				orders.push(((obj(await call(w.emulator, 'GET', base, { token: w.token })).items as Json[]).map((i) => i.jobId as string)));
			} finally {
				await w.emulator.close();
			}
		}
		expect(orders[0]).toEqual(orders[1]);
	});
});
