import { startEmulator, type HereEmulator } from '../../emulator';
import { optionsFromArgs } from '../../emulator/cli-options';
import { LatencyModel } from '../../emulator/latency';
import { ParallelBudget } from '../../emulator/processing-rate';
import { RateLimiter } from '../../emulator/rate-limit';
import { call, createJob, devices, obj, world, type Json, type World } from './helpers';

/**
 * The performance models (latency, processing rate, rate limit): off by default, on from the
 * options, the control API or the CLI. Behaviour and counts only, never how long anything took.
 */

describe('latency model', () => {
	test('a round trip is split in two halves, each within the jitter, plus the bodies on the wire', () => {
		const exact = new LatencyModel({ roundTripMs: 80, jitter: 0, bandwidthMbps: 100 }, 1);
		expect(exact.inboundMs(0)).toBe(40);
		// 125,000 bytes = 1 Mbit: 10 ms at 100 Mbit/s.
		expect(exact.transferMs(125_000)).toBe(10);
		expect(exact.outboundMs(125_000)).toBe(50);
		// A new connection first sets up TCP and TLS: two more round trips.
		expect(exact.inboundMs(0, true)).toBe(200);
		const jittered = new LatencyModel({ roundTripMs: 80 }, 7);
		const halves = Array.from({ length: 1000 }, () => jittered.inboundMs(0));
		expect(Math.min(...halves)).toBeGreaterThanOrEqual(36);
		expect(Math.max(...halves)).toBeLessThanOrEqual(44);
		expect(new Set(halves).size).toBeGreaterThan(1);
		expect(() => new LatencyModel({ roundTripMs: -1 }, 1)).toThrow(RangeError);
	});

	test('the server applies it to every API request: the request body on the way in, the answer on the way out', async () => {
		const inbound = jest.spyOn(LatencyModel.prototype, 'inboundMs');
		const outbound = jest.spyOn(LatencyModel.prototype, 'outboundMs');
		const w = await world({ latency: { roundTripMs: 10 } });
		try {
			const body = JSON.stringify(devices(3));
			const reply = await call(w.emulator, 'POST', '/bulkjobs/v4/deviceUploads', { token: w.token, raw: { body, contentType: 'application/json' } });
			expect(reply.status).toBe(202);
			expect(inbound.mock.calls).toEqual([[Buffer.byteLength(body), true]]);
			expect(outbound.mock.calls).toEqual([[Buffer.byteLength(reply.text)]]);
			// Later requests reuse kept-alive connections: only a connection's first request pays the set-up.
			for (let i = 0; i < 3; i++) expect((await call(w.emulator, 'GET', '/bulkjobs/v4/deviceUploads', { token: w.token })).status).toBe(200);
			const setUps = inbound.mock.calls.filter(([, newConnection]) => newConnection === true).length;
			expect(setUps).toBe(w.emulator.connectionsOpened);
			expect(setUps).toBeLessThan(4);
			// Control calls are out of band: no latency.
			await call(w.emulator, 'GET', '/_emulator/state');
			expect(inbound).toHaveBeenCalledTimes(4);
		} finally {
			inbound.mockRestore();
			outbound.mockRestore();
			await w.emulator.close();
		}
	});

	test('off by default: no delay is computed', async () => {
		const inbound = jest.spyOn(LatencyModel.prototype, 'inboundMs');
		const w = await world();
		try {
			expect((await call(w.emulator, 'GET', '/bulkjobs/v4/deviceUploads', { token: w.token })).status).toBe(200);
			expect(inbound).not.toHaveBeenCalled();
		} finally {
			inbound.mockRestore();
			await w.emulator.close();
		}
	});
});

describe('processing-rate model', () => {
	test('each of the first parallelJobs jobs earns devicesPerSecond; fractions carry over; later jobs wait', () => {
		const budget = new ParallelBudget();
		const [a, b, c] = [{ id: 'a' }, { id: 'b' }, { id: 'c' }];
		expect(budget.grant([a, b, c], { devicesPerSecond: 100, parallelJobs: 2 }, 250)).toEqual([
			[a, 25],
			[b, 25],
		]);
		expect(budget.grant([a], { devicesPerSecond: 100, parallelJobs: 2 }, 15)).toEqual([[a, 1]]);
		expect(budget.grant([a], { devicesPerSecond: 100, parallelJobs: 2 }, 15)).toEqual([[a, 2]]);
	});

	test('the emulator runs at most parallelJobs jobs at once, the others pending, until all are done', async () => {
		const w = await world({ processing: { mode: 'timer', devicesPerSecond: 400, parallelJobs: 2 } });
		try {
			const ids = [await createJob(w, devices(100, 'a')), await createJob(w, devices(100, 'b')), await createJob(w, devices(100, 'c'))];
			let sawTwoRunning = false;
			let sawThirdWaiting = false;
			for (;;) {
				const jobs = w.emulator.jobs();
				const ongoing = jobs.filter((job) => job.status === 'ongoing').length;
				expect(ongoing).toBeLessThanOrEqual(2);
				if (ongoing === 2) sawTwoRunning = true;
				if (ongoing === 2 && jobs.find((job) => job.id === ids[2])?.status === 'pending') sawThirdWaiting = true;
				if (jobs.every((job) => job.status === 'completed')) break;
				await new Promise((resolve) => setTimeout(resolve, 5));
			}
			expect({ sawTwoRunning, sawThirdWaiting }).toEqual({ sawTwoRunning: true, sawThirdWaiting: true });
			expect(w.emulator.jobs().map((job) => job.succeeded)).toEqual([100, 100, 100]);
		} finally {
			await w.emulator.close();
		}
	});
});

describe('rate limiter', () => {
	const statusOf = (w: World) => call(w.emulator, 'GET', '/bulkjobs/v4/deviceUploads', { token: w.token });

	test('past maxInFlight: 429 with Retry-After, counted; the admitted requests succeed', async () => {
		// A long round trip keeps the first two requests in flight while the others arrive.
		const w = await world({ latency: { roundTripMs: 1000, jitter: 0 }, rateLimit: { maxInFlight: 2 } });
		try {
			const replies = await Promise.all(Array.from({ length: 5 }, () => statusOf(w)));
			const refused = replies.filter((reply) => reply.status === 429);
			expect(replies.filter((reply) => reply.status === 200)).toHaveLength(2);
			expect(refused).toHaveLength(3);
			for (const reply of refused) {
				expect(reply.headers.get('retry-after')).toBe('1');
				expect(obj(reply)).toMatchObject({ code: 429, error: 'Too Many Requests', details: { hereErrorCode: 429306 } });
			}
			expect(w.emulator.rateLimited).toBe(3);
			expect(w.emulator.requests.filter((entry) => entry.status === 429)).toHaveLength(3);
			// Once they are answered, the client may send again.
			expect((await statusOf(w)).status).toBe(200);
		} finally {
			await w.emulator.close();
		}
	});

	test('past maxPerSecond, without Retry-After when so configured; each client has its own limit', async () => {
		const w = await world({ rateLimit: { maxPerSecond: 3, retryAfter: false } });
		try {
			const replies = await Promise.all(Array.from({ length: 5 }, () => statusOf(w)));
			const refused = replies.filter((reply) => reply.status === 429);
			expect(refused).toHaveLength(2);
			for (const reply of refused) expect(reply.headers.get('retry-after')).toBeNull();
			const other = { ...w, token: w.emulator.issueToken(w.email) };
			expect((await statusOf(other)).status).toBe(200);
		} finally {
			await w.emulator.close();
		}
	});

	test('counts per client and releases in-flight places', () => {
		const limiter = new RateLimiter({ maxInFlight: 1, maxPerSecond: 2 });
		const first = limiter.admit('a', 0);
		expect(first.allowed).toBe(true);
		expect(limiter.admit('a', 1)).toMatchObject({ allowed: false, retryAfterSeconds: 1 });
		expect(limiter.admit('b', 1).allowed).toBe(true);
		first.release();
		first.release();
		const second = limiter.admit('a', 2);
		expect(second.allowed).toBe(true);
		second.release();
		// Two accepted within the second: the third waits until the first leaves the window.
		expect(limiter.admit('a', 3).allowed).toBe(false);
		expect(limiter.admit('a', 1001).allowed).toBe(true);
		expect(limiter.refused).toBe(2);
	});
});

describe('configuration', () => {
	let e: HereEmulator;
	beforeAll(async () => {
		e = await startEmulator({ processing: { mode: 'manual' }, seed: 3 });
	});
	afterAll(() => e.close());
	const control = async (method: string, path: string, json?: unknown) => {
		const reply = await call(e, method, `/_emulator/${path}`, json === undefined ? {} : { json });
		return { status: reply.status, body: obj(reply) };
	};

	test('the control API turns each model on and off, and state shows them', async () => {
		expect((await control('GET', 'models')).body).toEqual({ processing: { mode: 'manual' }, latency: null, rateLimit: null });
		await control('POST', 'latency', { roundTripMs: 80 });
		await control('POST', 'rate-limit', { maxInFlight: 20, maxPerSecond: 100, retryAfter: false });
		await control('POST', 'processing', { mode: 'timer', devicesPerSecond: 500, parallelJobs: 10 });
		const models = (await control('GET', 'state')).body.models as Json;
		expect(models).toEqual({
			processing: { mode: 'timer', devicesPerSecond: 500, parallelJobs: 10 },
			latency: { roundTripMs: 80, jitter: 0.1, bandwidthMbps: 100, handshakeRoundTrips: 2 },
			rateLimit: { maxInFlight: 20, maxPerSecond: 100, retryAfter: false, refused: 0 },
		});
		await control('DELETE', 'latency');
		await control('DELETE', 'rate-limit');
		expect((await control('GET', 'models')).body).toMatchObject({ latency: null, rateLimit: null });
		// reset() restores the models the emulator started with.
		await control('POST', 'reset');
		expect((await control('GET', 'models')).body).toEqual({ processing: { mode: 'manual' }, latency: null, rateLimit: null });
	});

	test('the control API refuses bad settings with 400', async () => {
		expect((await control('POST', 'latency', { roundTripMs: -5 })).status).toBe(400);
		expect((await control('POST', 'rate-limit', {})).status).toBe(400);
		expect((await control('POST', 'processing', { mode: 'timer', devicesPerSecond: 10, parallelJobs: 0 })).status).toBe(400);
		expect((await control('GET', 'models')).body).toMatchObject({ latency: null, rateLimit: null });
	});

	test('CLI flags: the models are off unless a flag turns them on', () => {
		expect(optionsFromArgs([])).toEqual({ port: 8480 });
		expect(optionsFromArgs([], { HERE_EMULATOR_PORT: '9000' })).toEqual({ port: 9000 });
		expect(optionsFromArgs(['--latency', '80', '--jitter=0.2', '--devices-per-second', '300', '--parallel-jobs', '4', '--rate-limit', '--no-retry-after'])).toEqual({
			port: 8480,
			latency: { roundTripMs: 80, jitter: 0.2, bandwidthMbps: undefined, handshakeRoundTrips: undefined },
			processing: { mode: 'timer', devicesPerSecond: 300, parallelJobs: 4 },
			rateLimit: { maxInFlight: 20, maxPerSecond: 100, retryAfter: false },
		});
		expect(optionsFromArgs(['--latency=40', '--handshake', '0']).latency).toMatchObject({ roundTripMs: 40, handshakeRoundTrips: 0 });
		expect(optionsFromArgs(['--max-per-second', '5']).rateLimit).toEqual({ maxInFlight: 20, maxPerSecond: 5, retryAfter: true });
		expect(() => optionsFromArgs(['--latency', 'fast'])).toThrow('--latency needs a non-negative number');
		expect(() => optionsFromArgs(['--port', '70000'])).toThrow('invalid port');
	});
});
