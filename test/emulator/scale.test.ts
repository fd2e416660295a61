import { performance } from 'node:perf_hooks';
import { call, devices, obj, world, type World } from './helpers';

/**
 * The emulator must not be the bottleneck of the benchmarks: 50,000 devices over 50 jobs with
 * 100-item result pages, and list calls over 5,000 jobs. The budgets are loose (slow CI) but
 * an accidental O(n²) would blow them.
 */
const base = '/bulkjobs/v4/deviceUploads';

async function inParallel<T>(count: number, width: number, fn: (i: number) => Promise<T>): Promise<T[]> {
	const out: T[] = new Array(count);
	let next = 0;
	await Promise.all(
		Array.from({ length: width }, async () => {
			while (next < count) {
				const i = next++;
				out[i] = await fn(i);
			}
		}),
	);
	return out;
}

/** A guard against a hang, not a speed mark: on a busy two-core machine these took over the default 60 s. */
const SCALE_TIMEOUT_MS = 5 * 60_000;

let w: World;
afterEach(() => w.emulator.close());

test('50,000 devices in 50 jobs: create, process, read every result page, delete them all', async () => {
	w = await world({ processing: { mode: 'timer', devicesPerSecond: 1_000_000 } });
	const started = performance.now();
	const jobIds = await inParallel(50, 10, async (j) => {
		const reply = await call(w.emulator, 'POST', base, { token: w.token, json: devices(1000, `job${j}`) });
		expect(reply.status).toBe(202);
		return obj(reply).jobId as string;
	});
	await w.emulator.settle();
	const trackingIds: string[] = [];
	await inParallel(50, 10, async (j) => {
		let pageToken: string | undefined;
		do {
			const page = obj(await call(w.emulator, 'GET', `${base}/${jobIds[j]}/results`, { token: w.token, query: { limit: 100, ...(pageToken ? { pageToken } : {}) } }));
			for (const item of page.items as Array<{ trackingId: string }>) trackingIds.push(item.trackingId);
			pageToken = page.nextPageToken as string | undefined;
		} while (pageToken);
	});
	expect(new Set(trackingIds).size).toBe(50_000);
	expect(w.emulator.devices(w.projectId)).toHaveLength(50_000);
	const created = performance.now() - started;

	const deleteIds = await inParallel(50, 10, async (j) => {
		const rows = trackingIds.slice(j * 1000, (j + 1) * 1000).map((trackingId) => ({ trackingId }));
		return obj(await call(w.emulator, 'POST', base, { token: w.token, json: rows })).jobId as string;
	});
	await w.emulator.settle();
	const statuses = await Promise.all(deleteIds.map(async (id) => obj(await call(w.emulator, 'GET', `${base}/${id}/status`, { token: w.token }))));
	expect(statuses.every((s) => s.status === 'completed' && s.succeeded === 1000)).toBe(true);
	expect(w.emulator.devices(w.projectId)).toHaveLength(0);
	const total = performance.now() - started;
	// Figures to read, not pass marks: speed belongs to the benchmarks (npm run bench).
	process.stdout.write(`scale: 50k devices created and read in ${Math.round(created)} ms, deleted too in ${Math.round(total)} ms\n`);
}, SCALE_TIMEOUT_MS);

test('5,000 jobs: every list page is quick, paging covers them all once', async () => {
	w = await world({ processing: { mode: 'instant' } });
	await inParallel(5000, 25, async (j) => {
		const reply = await call(w.emulator, 'POST', base, { token: w.token, json: [{ name: `n${j}` }] });
		expect(reply.status).toBe(202);
	});
	const started = performance.now();
	const seen = new Set<string>();
	let pages = 0;
	let pageToken: string | undefined;
	do {
		const page = obj(await call(w.emulator, 'GET', base, { token: w.token, query: { limit: 100, ...(pageToken ? { pageToken } : {}) } }));
		for (const item of page.items as Array<{ jobId: string }>) seen.add(item.jobId);
		pageToken = page.nextPageToken as string | undefined;
		pages++;
	} while (pageToken);
	const elapsed = performance.now() - started;
	expect(pages).toBe(50);
	expect(seen.size).toBe(5000);
	// A filtered first page (what a trigger's poll does) over the same 5,000 jobs.
	const filtered = performance.now();
	const completed = obj(await call(w.emulator, 'GET', base, { token: w.token, query: { status: ['completed', 'failed'], limit: 100 } }));
	expect(completed.count).toBe(100);
	const filteredMs = performance.now() - filtered;
	// A figure to read, not a pass mark: speed belongs to the benchmarks (npm run bench).
	process.stdout.write(`scale: 50 list pages over 5000 jobs in ${Math.round(elapsed)} ms, filtered first page ${filteredMs.toFixed(1)} ms\n`);
}, SCALE_TIMEOUT_MS);
