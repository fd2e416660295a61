import { allResults, call, createJob, devices, obj, status, world, type Json, type World } from './helpers';

const base = '/bulkjobs/v4/deviceUploads';
const DAY = 24 * 60 * 60 * 1000;

describe('processing: pending → ongoing → completed', () => {
	let w: World;
	beforeEach(async () => {
		w = await world({ processing: { mode: 'manual' } });
	});
	afterEach(() => w.emulator.close());

	test('progress, counters and partial results while the job runs', async () => {
		const jobId = await createJob(w, devices(10), { fileName: 'ten.csv' });
		// Not started: the tutorial's shape, total 0 and every row pending.
		expect(await status(w, jobId)).toEqual({
			status: 'pending', progress: 0, total: 0, succeeded: 0, failed: 0, partiallySucceeded: 0, pending: 10, fileName: 'ten.csv', type: 'create',
		});
		expect(obj(await call(w.emulator, 'GET', `${base}/${jobId}/results`, { token: w.token }))).toEqual({
			status: 'pending', type: 'create', limit: 100, count: 0, items: [],
		});

		w.emulator.process({ jobId, devices: 4 });
		expect(await status(w, jobId)).toMatchObject({ status: 'ongoing', progress: 40, total: 10, succeeded: 4, pending: 6 });
		const partial = await allResults(w, jobId, 3);
		expect(partial.map((r) => r.name)).toEqual(['dev-0', 'dev-1', 'dev-2', 'dev-3']);

		w.emulator.process({ jobId, devices: 6 });
		expect(await status(w, jobId)).toMatchObject({ status: 'completed', progress: 100, total: 10, succeeded: 10, pending: 0 });
		const rows = await allResults(w, jobId, 3);
		expect(rows).toHaveLength(10);
		for (const row of rows) {
			// A device with only a name is provisioned: it gets credentials and a tracking id.
			expect(row).toEqual({
				name: expect.any(String),
				deviceId: expect.stringMatching(/^[0-9a-f-]{36}$/),
				deviceSecret: expect.any(String),
				trackingId: expect.stringMatching(/^HERE-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
			});
		}
		expect(w.emulator.devices(w.projectId)).toHaveLength(10);
		expect(w.emulator.jobs(w.projectId)[0]).toMatchObject({ id: jobId, status: 'completed', total: 10, processed: 10, results: 10 });
	});

	test('jobs are processed first come, first served', async () => {
		const a = await createJob(w, devices(3, 'a'));
		const b = await createJob(w, devices(3, 'b'));
		w.emulator.process({ devices: 4 });
		expect((await status(w, a)).status).toBe('completed');
		expect(await status(w, b)).toMatchObject({ status: 'ongoing', succeeded: 1 });
	});

	test('timer mode: the job moves on its own, and settle() waits for it', async () => {
		await w.emulator.close();
		w = await world({ processing: { mode: 'timer', devicesPerSecond: 2000 } });
		const jobId = await createJob(w, devices(400));
		const first = await status(w, jobId);
		expect(['pending', 'ongoing']).toContain(first.status);
		await w.emulator.settle();
		expect(await status(w, jobId)).toMatchObject({ status: 'completed', succeeded: 400 });
	});

	test('per-row outcomes for each identity kind', async () => {
		const jobId = await createJob(w, [
			{ name: 'provisioned', deviceId: 'a19b2648-60c1-49fc-896c-ea450a07e98d' },
			{ name: 'virtual', externalId: 'MyDevice' },
			{ name: 'c2c', externalDeviceId: 'ext-1', connectorId: 'CON-1' },
			{ name: 'partly', geofences: ['00000000-aaaa-4bbb-8ccc-000000000000'] },
		]);
		w.emulator.process();
		const rows = await allResults(w, jobId);
		expect(rows[0]).toEqual({ name: 'provisioned', deviceId: 'a19b2648-60c1-49fc-896c-ea450a07e98d', trackingId: expect.any(String) });
		expect(rows[1]).toEqual({ name: 'virtual', externalId: 'MyDevice', trackingId: expect.any(String) });
		expect(rows[2]).toEqual({ name: 'c2c', externalDeviceId: 'ext-1', connectorId: 'CON-1', trackingId: expect.any(String) });
		// The emulator's convention: ids starting 00000000 do not exist, so the association fails but the device is added.
		expect(rows[3]).toMatchObject({ name: 'partly', trackingId: expect.any(String), errors: [{ code: 404 }] });
		expect(await status(w, jobId)).toMatchObject({ status: 'completed', succeeded: 3, partiallySucceeded: 1, failed: 0 });
	});
});

describe('devices registry: add, duplicates, delete', () => {
	let w: World;
	beforeEach(async () => {
		w = await world();
	});
	afterEach(() => w.emulator.close());

	test('a duplicate name fails only its row; the job still completes', async () => {
		await createJob(w, [{ name: 'truck-1' }]);
		const jobId = await createJob(w, [{ name: 'truck-1' }, { name: 'truck-2' }]);
		expect(await status(w, jobId)).toMatchObject({ status: 'completed', succeeded: 1, failed: 1 });
		const [dup, fresh] = await allResults(w, jobId);
		expect(dup).toEqual({ name: 'truck-1', errors: [{ code: 409, message: expect.stringMatching(/already exists/), details: 'name:truck-1' }] });
		expect(fresh.trackingId).toEqual(expect.any(String));
	});

	test('duplicates inside one upload: the second row fails', async () => {
		const jobId = await createJob(w, [{ name: 'same' }, { name: 'same' }]);
		expect(await status(w, jobId)).toMatchObject({ succeeded: 1, failed: 1 });
	});

	test('a job whose every row fails ends failed', async () => {
		await createJob(w, [{ name: 'x' }, { name: 'y' }]);
		const jobId = await createJob(w, [{ name: 'x' }, { name: 'y' }]);
		expect(await status(w, jobId)).toMatchObject({ status: 'failed', failed: 2, succeeded: 0 });
	});

	test('a delete job after an add job finds the devices, by each identity', async () => {
		const add = await createJob(w, [
			{ name: 'phys' },
			{ name: 'virt', externalId: 'V-1' },
			{ name: 'c2c', externalDeviceId: 'E-1', connectorId: 'C-1' },
			{ name: 'keep', externalDeviceId: 'E-2', connectorId: 'C-1' },
		]);
		const added = await allResults(w, add);
		const del = await createJob(w, [
			{ trackingId: added[0].trackingId as string, unclaimOnly: true },
			{ externalId: 'V-1' },
			{ externalDeviceId: 'E-1', connectorId: 'C-1' },
			{ externalDeviceId: 'E-2', connectorId: 'C-1', removeFromConnectorOnly: true },
			{ trackingId: 'HERE-00000000-0000-4000-8000-000000000000' },
		]);
		expect(await status(w, del)).toMatchObject({ status: 'completed', type: 'delete', succeeded: 4, failed: 1 });
		const rows = await allResults(w, del);
		expect(rows[0]).toEqual({ trackingId: added[0].trackingId, name: 'phys' });
		expect(rows[4]).toMatchObject({ trackingId: 'HERE-00000000-0000-4000-8000-000000000000', errors: [{ code: 404 }] });
		// removeFromConnectorOnly keeps the device claimed, only without its connector.
		expect(w.emulator.devices(w.projectId)).toEqual([{ name: 'keep', trackingId: added[3].trackingId, addedAt: expect.any(Number) }]);
		// The same delete again finds nothing: every row fails.
		const again = await createJob(w, [{ externalId: 'V-1' }]);
		expect((await status(w, again)).status).toBe('failed');
	});

	test('a deleted name can be added again', async () => {
		const add = await createJob(w, [{ name: 'reuse' }]);
		const [row] = await allResults(w, add);
		await createJob(w, [{ trackingId: row.trackingId as string }]);
		const again = await createJob(w, [{ name: 'reuse' }]);
		expect((await status(w, again)).succeeded).toBe(1);
	});
});

describe('cancel and acknowledge', () => {
	let w: World;
	beforeEach(async () => {
		w = await world({ processing: { mode: 'manual' } });
	});
	afterEach(() => w.emulator.close());

	const patch = (jobId: string, action: string) => call(w.emulator, 'PATCH', `${base}/${jobId}`, { token: w.token, json: { action } });

	test('cancel stops the pending rows; processed rows keep their results; 412 afterwards', async () => {
		const jobId = await createJob(w, devices(10));
		w.emulator.process({ jobId, devices: 3 });
		const cancel = await patch(jobId, 'cancel');
		expect(cancel.status).toBe(200);
		expect(cancel.body).toEqual({ status: 'cancelled' });
		w.emulator.process(); // nothing left to do for a cancelled job
		expect(await status(w, jobId)).toMatchObject({ status: 'cancelled', succeeded: 3, pending: 0, total: 10, progress: 30 });
		expect(await allResults(w, jobId)).toHaveLength(3);
		expect(w.emulator.devices(w.projectId)).toHaveLength(3);
		const again = await patch(jobId, 'cancel');
		expect(again.status).toBe(412);
		expect(obj(again)).toMatchObject({ code: 412, details: { hereErrorCode: 412306 } });
	});

	test('a pending job can be cancelled before it starts', async () => {
		const jobId = await createJob(w, devices(2));
		expect((await patch(jobId, 'cancel')).body).toEqual({ status: 'cancelled' });
		await w.emulator.settle();
		expect(await allResults(w, jobId)).toEqual([]);
	});

	test('acknowledge: 412 before the job is terminal, then acknowledged, then 412 again', async () => {
		const jobId = await createJob(w, devices(2));
		expect((await patch(jobId, 'acknowledge')).status).toBe(412);
		w.emulator.process({ jobId, devices: 1 });
		expect((await patch(jobId, 'acknowledge')).status).toBe(412);
		w.emulator.process({ jobId });
		expect((await patch(jobId, 'acknowledge')).body).toEqual({ status: 'acknowledged' });
		expect((await status(w, jobId)).status).toBe('acknowledged');
		expect((await patch(jobId, 'acknowledge')).status).toBe(412);
		expect((await patch(jobId, 'cancel')).status).toBe(412);
		// Results stay readable after acknowledge.
		expect(await allResults(w, jobId)).toHaveLength(2);
	});

	test('failed and cancelled jobs can be acknowledged too', async () => {
		const failed = await createJob(w, devices(2, 'f'));
		w.emulator.setJobOutcome(failed, 'failed');
		expect((await patch(failed, 'acknowledge')).body).toEqual({ status: 'acknowledged' });
		const cancelled = await createJob(w, devices(2, 'c'));
		await patch(cancelled, 'cancel');
		expect((await patch(cancelled, 'acknowledge')).body).toEqual({ status: 'acknowledged' });
	});

	test('setJobOutcome(failed) ends a running job failed; unprocessed rows carry an error', async () => {
		const jobId = await createJob(w, devices(4));
		w.emulator.process({ jobId, devices: 1 });
		w.emulator.setJobOutcome(jobId, 'failed');
		expect(await status(w, jobId)).toMatchObject({ status: 'failed', succeeded: 1, failed: 3, pending: 0, progress: 100 });
		const rows = await allResults(w, jobId);
		expect(rows.slice(1).every((r: Json) => Array.isArray(r.errors))).toBe(true);
		await w.emulator.settle();
		expect((await status(w, jobId)).status).toBe('failed');
	});

	test('bad PATCH bodies are 400', async () => {
		const jobId = await createJob(w, devices(1));
		for (const json of [{}, { action: 'cancel', extra: 1 }, ['cancel'], { action: 'CANCEL' }]) {
			const reply = await call(w.emulator, 'PATCH', `${base}/${jobId}`, { token: w.token, json });
			expect(reply.status).toBe(400);
		}
	});
});

describe('retention', () => {
	test('jobs and results are forgotten after one week (emulator clock)', async () => {
		const w = await world();
		try {
			const old = await createJob(w, devices(2, 'old'));
			w.emulator.clock.advance(6 * DAY);
			// Tokens live a day: take a fresh one after moving the clock.
			w.token = w.emulator.issueToken(w.email);
			const young = await createJob(w, devices(2, 'young'));
			expect((await status(w, old)).status).toBe('completed');
			w.emulator.clock.advance(DAY);
			w.token = w.emulator.issueToken(w.email);
			expect((await call(w.emulator, 'GET', `${base}/${old}/status`, { token: w.token })).status).toBe(404);
			expect((await call(w.emulator, 'GET', `${base}/${old}/results`, { token: w.token })).status).toBe(404);
			expect((await call(w.emulator, 'PATCH', `${base}/${old}`, { token: w.token, json: { action: 'acknowledge' } })).status).toBe(404);
			const list = obj(await call(w.emulator, 'GET', base, { token: w.token }));
			expect(list.items).toEqual([{ jobId: young, status: 'completed', type: 'create' }]);
			expect(w.emulator.jobs().map((j) => j.id)).toEqual([young]);
			// The devices themselves stay in the project.
			expect(w.emulator.devices(w.projectId)).toHaveLength(4);
		} finally {
			await w.emulator.close();
		}
	});
});
