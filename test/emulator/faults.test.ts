import { setTimeout as sleep } from 'node:timers/promises';
import { onVirtualClock } from '../harness/virtualClock';
import { call, devices, obj, world, type World } from './helpers';

const base = '/bulkjobs/v4/deviceUploads';
let w: World;
beforeEach(async () => {
	w = await world();
});
afterEach(() => w.emulator.close());

const health = () => call(w.emulator, 'GET', '/bulkjobs/v4/health');
const create = (init: { signal?: AbortSignal } = {}) =>
	fetch(`${w.emulator.url}${base}`, {
		method: 'POST',
		headers: { Authorization: `Bearer ${w.token}`, 'Content-Type': 'application/json' },
		body: JSON.stringify(devices(2, `d${Math.random()}`)),
		...init,
	});

describe('each kind', () => {
	test('429 with Retry-After, 429 without', async () => {
		w.emulator.faults.script([{ kind: '429', retryAfterSeconds: 3 }, { kind: '429-no-retry-after' }]);
		const first = await health();
		expect(first.status).toBe(429);
		expect(first.headers.get('retry-after')).toBe('3');
		expect(obj(first)).toMatchObject({ code: 429, error: 'Too Many Requests', details: { hereErrorCode: 429306 } });
		const second = await health();
		expect(second.status).toBe(429);
		expect(second.headers.get('retry-after')).toBeNull();
		expect((await health()).status).toBe(200);
	});

	test.each(['500', '502', '503'] as const)('%s with the Tracking error body', async (kind) => {
		w.emulator.faults.script([{ kind }]);
		const reply = await health();
		expect(reply.status).toBe(Number(kind));
		expect(obj(reply)).toMatchObject({ code: Number(kind), id: expect.any(String) });
	});

	test('malformed-json: 200 with a body that does not parse', async () => {
		w.emulator.faults.script([{ path: /\/status$/, kind: 'malformed-json' }, { path: /deviceUploads$/, method: 'GET', kind: 'malformed-json', afterEffect: true }]);
		const reply = await call(w.emulator, 'GET', `${base}/BULK-00000000-0000-4000-8000-000000000000/status`, { token: w.token });
		expect(reply.status).toBe(200);
		expect(() => JSON.parse(reply.text)).toThrow();
		// After the effect: the real body, cut short.
		const cut = await call(w.emulator, 'GET', base, { token: w.token });
		expect(() => JSON.parse(cut.text)).toThrow();
		expect('{"count":0,"limit":100,"items":[]}'.startsWith(cut.text)).toBe(true);
	});

	test('drop: the socket closes without a response; without afterEffect nothing happened', async () => {
		w.emulator.faults.script([{ method: 'POST', kind: 'drop' }]);
		await expect(create()).rejects.toThrow();
		expect(w.emulator.jobs()).toHaveLength(0);
		expect(w.emulator.requests.at(-1)).toMatchObject({ method: 'POST', status: 'dropped', fault: 'drop' });
		expect((await health()).status).toBe(200);
	});

	test('slow: the answer comes after slowMs', async () => {
		w.emulator.faults.script([{ kind: 'slow', slowMs: 300 }]);
		const answer = await onVirtualClock(async () => {
			const started = Date.now();
			const reply = await health();
			return { status: reply.status, waitedMs: Date.now() - started };
		});
		expect(answer).toEqual({ status: 200, waitedMs: 300 });
	});

	test('slow beyond the client timeout: without afterEffect the create never ran', async () => {
		w.emulator.faults.script([{ method: 'POST', kind: 'slow', slowMs: 300 }]);
		await expect(create({ signal: AbortSignal.timeout(50) })).rejects.toThrow();
		await sleep(400);
		expect(w.emulator.jobs()).toHaveLength(0);
		expect(w.emulator.requests.at(-1)).toMatchObject({ status: 'dropped', fault: 'slow' });
	});
});

describe('afterEffect: the work is done, the client cannot tell', () => {
	test('a create answered 500 made its job: a blind retry makes a duplicate', async () => {
		w.emulator.faults.script([{ method: 'POST', path: /deviceUploads$/, kind: '500', afterEffect: true }]);
		const first = await create();
		expect(first.status).toBe(500);
		expect(w.emulator.jobs()).toHaveLength(1);
		const retry = await create();
		expect(retry.status).toBe(202);
		expect(w.emulator.jobs()).toHaveLength(2);
	});

	test('malformed-json after a create keeps its 202 and made the job', async () => {
		w.emulator.faults.script([{ method: 'POST', path: /deviceUploads$/, kind: 'malformed-json', afterEffect: true }]);
		const reply = await create();
		expect(reply.status).toBe(202);
		const text = await reply.text();
		expect(() => JSON.parse(text)).toThrow();
		expect(w.emulator.jobs()).toHaveLength(1);
	});

	test('a dropped create and a create that timed out both made their jobs', async () => {
		w.emulator.faults.script([
			{ method: 'POST', kind: 'drop', afterEffect: true },
			{ method: 'POST', kind: 'slow', slowMs: 1500, afterEffect: true },
		]);
		await expect(create()).rejects.toThrow();
		expect(w.emulator.jobs()).toHaveLength(1);
		// The client gives up well after its body has arrived (a busy machine can take a while to
		// send it) and well before the slow answer.
		await expect(create({ signal: AbortSignal.timeout(400) })).rejects.toThrow();
		expect(w.emulator.jobs()).toHaveLength(2);
	});

	test('429 and 503 without afterEffect made nothing (the case a create may retry)', async () => {
		w.emulator.faults.script([{ method: 'POST', kind: '429' }, { method: 'POST', kind: '503' }]);
		expect((await create()).status).toBe(429);
		expect((await create()).status).toBe(503);
		expect(w.emulator.jobs()).toHaveLength(0);
	});
});

describe('rate', () => {
	async function pattern(): Promise<number[]> {
		const statuses: number[] = [];
		for (let i = 0; i < 60; i++) statuses.push((await health()).status);
		return statuses;
	}

	test('seeded: the same seed gives the same faults, another seed other faults', async () => {
		w.emulator.faults.setRate({ rate: 0.3, kinds: ['500', '503', '429'], seed: 11 });
		const a = await pattern();
		w.emulator.faults.setRate({ rate: 0.3, kinds: ['500', '503', '429'], seed: 11 });
		const b = await pattern();
		w.emulator.faults.setRate({ rate: 0.3, kinds: ['500', '503', '429'], seed: 12 });
		const c = await pattern();
		expect(b).toEqual(a);
		expect(c).not.toEqual(a);
		const faults = a.filter((s) => s !== 200).length;
		expect(faults).toBeGreaterThan(5);
		expect(faults).toBeLessThan(35);
		expect(new Set(a)).toEqual(new Set([200, 500, 503, 429]));
		expect(w.emulator.faults.injected).toBe(a.concat(b, c).filter((s) => s !== 200).length);
	});

	test('match limits the rate to some requests; null and clear() stop it', async () => {
		w.emulator.faults.setRate({ rate: 1, kinds: ['503'], match: { method: 'GET', path: /\/version$/ } });
		expect((await health()).status).toBe(200);
		expect((await call(w.emulator, 'GET', '/bulkjobs/v4/version')).status).toBe(503);
		w.emulator.faults.setRate(null);
		expect((await call(w.emulator, 'GET', '/bulkjobs/v4/version')).status).toBe(200);
		w.emulator.faults.setRate({ rate: 1, kinds: ['503'] });
		w.emulator.faults.clear();
		expect((await health()).status).toBe(200);
	});

	test('bad configurations are refused', () => {
		expect(() => w.emulator.faults.setRate({ rate: 2, kinds: ['500'] })).toThrow(RangeError);
		expect(() => w.emulator.faults.setRate({ rate: 0.5, kinds: [] })).toThrow(RangeError);
		expect(() => w.emulator.faults.script([{ kind: 'teapot' as '500' }])).toThrow(RangeError);
	});
});

describe('script', () => {
	test('the next N matching requests get the fault; others pass; script goes before the rate', async () => {
		w.emulator.faults.setRate({ rate: 1, kinds: ['500'], match: { path: /\/version$/ } });
		w.emulator.faults.script([{ method: 'GET', path: /\/health$/, kind: '502', times: 2 }, { path: /\/version$/, kind: '429' }]);
		expect((await call(w.emulator, 'GET', '/bulkjobs/v4/version')).status).toBe(429);
		expect((await call(w.emulator, 'GET', '/bulkjobs/v4/version')).status).toBe(500);
		expect((await health()).status).toBe(502);
		expect((await health()).status).toBe(502);
		expect((await health()).status).toBe(200);
		expect(w.emulator.faults.injected).toBe(4);
		const logged = w.emulator.requests.map((r) => [r.path.split('/').pop(), r.status, r.fault ?? null]);
		expect(logged).toEqual([
			['version', 429, '429'],
			['version', 500, '500'],
			['health', 502, '502'],
			['health', 502, '502'],
			['health', 200, null],
		]);
		w.emulator.clearRequests();
		expect(w.emulator.requests).toHaveLength(0);
	});
});
