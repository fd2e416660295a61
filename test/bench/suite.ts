/**
 * The seven scenarios of `npm run bench`: each sets up the emulator and the sides it needs, runs
 * them side by side and adds its rows (and raw figures) to the session.
 */
import type { RequestCounts } from './emulator.process';
import { log, session } from './lib/session';
import type { Paired } from './lib/sides';
import { account, emptyPaired, paired, pairedRow, startEmulator, startSide, summary } from './lib/sides';
import { max, mb, median, ms, ratio } from './lib/stats';
import type { Child } from './lib/ipc';
import { csvOf } from './scenarios/scenarios';
import type { RunReport } from './worker.process';

/** 1 (and the first half of 5): 50,000 devices from a CSV, end to end. */
export async function scenario1(): Promise<Paired> {
	log('1. Onboard 50,000 devices from a 50,000-row CSV');
	const { emulator, url } = await startEmulator({ mode: 'instant' });
	const sides = {
		node: await startSide('node', 's1', [50_000]),
		reference: await startSide('reference', 's1', [50_000]),
		floor: await startSide('floor', 's1', [50_000]),
	};
	try {
		const result = await paired('onboard', sides, emulator, async () => {
			await emulator.call('reset');
			const user = account(url);
			await emulator.call('addUser', user);
			return { ...user, rows: 50_000 };
		}, true);
		session.rows.push(pairedRow('1. Onboard 50,000 devices (CSV → 50 jobs → results)', result, 1.1, 'node / floor ≤ 1.10', 'floor'));
		session.details.scenario1 = summary(result);
		return result;
	} finally {
		await Promise.all([sides.node.stop(), sides.reference.stop(), sides.floor.stop(), emulator.stop()]);
	}
}

/** 2: the device pipeline on 100,000 rows against csv-parse alone. */
export async function scenario2(): Promise<void> {
	log('2. Validate and split a 100,000-row CSV (no network)');
	const sides = { node: await startSide('node', 's2', [100_000]), reference: await startSide('reference', 's2', [100_000]) };
	try {
		const result = await paired('validate', sides, undefined, async () => ({ rows: 100_000 }));
		const row = pairedRow('2. Validate and split 100,000 CSV rows', result, 2.0, 'ratio ≤ 2.0');
		row.note = `${Math.round(100_000 / (row.node / 1000)).toLocaleString('en-US')} rows/s (node pipeline)`;
		session.rows.push(row);
		session.details.scenario2 = { ...summary(result), csvBytes: csvOf(100_000).length };
	} finally {
		await Promise.all([sides.node.stop(), sides.reference.stop()]);
	}
}

/** 3: results of 20 finished jobs of 1000 devices (200 pages), two ways of asking for them. */
export async function scenario3(): Promise<void> {
	log('3. Collect the results of 20 finished jobs of 1000 devices (200 pages)');
	const { emulator, url } = await startEmulator({ mode: 'instant' });
	const sides = { node: await startSide('node', 's3'), reference: await startSide('reference', 's3'), floor: await startSide('floor', 's3') };
	try {
		const user = account(url);
		await emulator.call('addUser', user);
		const jobIds = await emulator.call<string[]>('seedJobs', { email: user.email, count: 20, devicesPerJob: 1000, prefix: 'results' });
		const prepare = async () => ({ ...user, jobIds, expected: 20_000 });
		const getResults = await paired('getResults', sides, emulator, prepare);
		session.rows.push(pairedRow('3a. Get Results, 20 items (one job each)', getResults, 1.25, 'node / floor ≤ 1.25', 'floor'));
		const waitResults = await paired('waitResults', sides, emulator, prepare);
		session.rows.push(pairedRow('3b. Wait for Completion, 20 job IDs in one item', waitResults, 1.25, 'node / floor ≤ 1.25', 'floor'));
		session.details.scenario3 = { getResults: summary(getResults), waitForCompletion: summary(waitResults) };
	} finally {
		await Promise.all([sides.node.stop(), sides.reference.stop(), sides.floor.stop(), emulator.stop()]);
	}
}

interface PollFigures {
	ms: number[];
	requests: number[];
	items: number[];
}

/** 4: one trigger poll over a project of `old` finished jobs, with and without acknowledging. */
async function triggerCase(emulator: Child, url: string, old: number, acknowledge: boolean) {
	const node = await startSide('node', `s4-${old}-${acknowledge ? 'ack' : 'noack'}`);
	try {
		await emulator.call('reset');
		const user = account(url);
		await emulator.call('addUser', user);
		const oldIds = await emulator.call<string[]>('seedJobs', { email: user.email, count: old - 3, devicesPerJob: 1, prefix: 'old', concurrency: 16 });
		// With acknowledging on, the jobs of earlier polls were acknowledged when they were emitted.
		if (acknowledge) await emulator.call('acknowledge', { email: user.email, jobIds: oldIds });
		await node.call('triggerActivate', { ...user, acknowledge });
		await node.call('triggerTick'); // first scheduled poll: n8n stores the recorded baseline
		const figures: Record<'fresh' | 'acknowledging' | 'idle', PollFigures> = {
			fresh: { ms: [], requests: [], items: [] },
			acknowledging: { ms: [], requests: [], items: [] },
			idle: { ms: [], requests: [], items: [] },
		};
		const poll = async (kind: keyof typeof figures) => {
			await emulator.call('clearRequests');
			const outcome = await node.call<{ ms: number; count: number }>('triggerTick');
			const requests = await emulator.call<RequestCounts>('requests');
			figures[kind].ms.push(outcome.ms);
			figures[kind].requests.push(requests.total);
			figures[kind].items.push(outcome.count);
		};
		for (let round = 0; round < session.options.warmup + session.options.runs; round++) {
			await emulator.call('seedJobs', { email: user.email, count: 3, devicesPerJob: 10, prefix: `new${round}` });
			await poll('fresh');
			if (acknowledge) await poll('acknowledging');
			// Idle polls take milliseconds: a few per round steady the median.
			for (let idle = 0; idle < 3; idle++) await poll('idle');
			if (round < session.options.warmup) for (const f of Object.values(figures)) for (const list of Object.values(f)) list.length = 0;
		}
		return figures;
	} finally {
		await node.stop();
	}
}

export async function scenario4(): Promise<void> {
	log('4. Trigger poll cost: 3 new jobs among 500 / 5,000 finished ones, with and without acknowledging');
	const { emulator, url } = await startEmulator({ mode: 'instant' });
	const cases: Record<string, Awaited<ReturnType<typeof triggerCase>>> = {};
	try {
		for (const acknowledge of [false, true]) {
			for (const old of [500, 5000]) {
				const key = `${old}-${acknowledge ? 'ack' : 'noack'}`;
				cases[key] = await triggerCase(emulator, url, old, acknowledge);
				process.stdout.write(`  ${key} done\n`);
			}
		}
	} finally {
		await emulator.stop();
	}
	session.details.scenario4 = cases;
	for (const acknowledge of [false, true]) {
		const ack = acknowledge ? 'acknowledge on' : 'acknowledge off';
		const key = (old: number) => `${old}-${acknowledge ? 'ack' : 'noack'}`;
		for (const old of [500, 5000]) {
			const c = cases[key(old)];
			session.rows.push({
				scenario: `4. Poll, 3 new among ${old.toLocaleString('en-US')} finished jobs, ${ack}`,
				node: median(c.fresh.ms),
				requestsNode: median(c.fresh.requests),
				target: '(figures)',
				note: `${median(c.fresh.items)} items emitted${acknowledge ? `; the next poll acknowledges them: ${median(c.acknowledging.requests)} requests, ${ms(median(c.acknowledging.ms))}` : ''}`,
			});
		}
		const small = cases[key(500)].idle;
		const large = cases[key(5000)].idle;
		const growth = median(large.ms) / median(small.ms);
		// Flat: within half again, or within 2 ms (timer noise on a busy machine is that large).
		const flat = growth <= 1.5 || median(large.ms) - median(small.ms) <= 2;
		for (const [old, idle] of [[500, small], [5000, large]] as const) {
			session.rows.push({
				scenario: `4. Idle poll, ${old.toLocaleString('en-US')} finished jobs, ${ack}`,
				node: median(idle.ms),
				requestsNode: median(idle.requests),
				target: acknowledge ? '≤ 2 requests, time flat' : '(figures)',
				met: acknowledge ? median(idle.requests) <= 2 && (old === 500 || flat) : undefined,
				note: old === 5000 ? `time 5,000 / 500 jobs: ×${ratio(growth)}` : undefined,
			});
		}
	}
}

/** How much heap the output alone holds once the run is over: a floor under any peak. */
function outputNote(result: Paired): string {
	const heap = (reports: RunReport[]) => median(reports.flatMap((r) => (r.outputHeap === undefined ? [] : [r.outputHeap])));
	return `the output alone holds ${mb(heap(result.node))} (node: n8n items) / ${mb(heap(result.reference))} (reference: parsed result rows)`;
}

/** Scenario 5's 100,000-row peak before the device pipeline was rewritten: the rewrite must not need more. */
const PEAK_100K_BEFORE = 156 * 1024 * 1024;
/** Issue 15's memory target: the node's peak above idle at most this times the reference client's. */
const PEAK_FACTOR = 1.1;

/** 5: peak RSS above the idle baseline, 50,000 rows (from 1) and 100,000 rows; no growth over repeated runs. */
export async function scenario5(first: Paired | undefined): Promise<void> {
	log('5. Memory: 100,000-row CSV end to end, and repeated runs in one process');
	const { emulator, url } = await startEmulator({ mode: 'instant' });
	const result = emptyPaired();
	try {
		// A fresh process per run and side: the peak is that of one cold run, as in a fresh n8n worker.
		for (let run = 0; run < 2; run++) {
			for (const side of ['node', 'reference'] as const) {
				const worker = await startSide(side, `s5-${run}`, [100_000]);
				try {
					await emulator.call('reset');
					const user = account(url);
					await emulator.call('addUser', user);
					await emulator.call('clearRequests');
					result[side].push(await worker.call<RunReport>('run', { scenario: 'onboard', params: { ...user, rows: 100_000 } }));
					(side === 'node' ? result.requestsNode : result.requestsReference).push(await emulator.call<RequestCounts>('requests'));
				} finally {
					await worker.stop();
				}
				process.stdout.write('.');
			}
		}
		process.stdout.write('\n');
	} finally {
		await emulator.stop();
	}
	const csv50 = csvOf(50_000).length;
	const csv100 = csvOf(100_000).length;
	if (first) {
		const peak = max(first.node.map((r) => r.peakAboveIdle));
		const peakReference = max(first.reference.map((r) => r.peakAboveIdle));
		session.rows.push({
			scenario: '5. Peak RSS above idle, 50,000-row CSV end to end',
			node: Number.NaN,
			peakNode: peak,
			peakReference,
			target: `≤ ${PEAK_FACTOR} × reference`,
			met: peak <= PEAK_FACTOR * peakReference,
			note: `CSV ${mb(csv50)}; node/reference ${ratio(peak / peakReference)}; ${outputNote(first)}`,
		});
		const heaps = first.settledNode.map((s) => s.heapUsed);
		const rss = first.settledNode.map((s) => s.rss);
		const growth = heaps.length > 1 ? heaps[heaps.length - 1] - heaps[0] : Number.NaN;
		session.rows.push({
			scenario: `5. Leak check: heap after each of ${heaps.length} runs in one process`,
			node: Number.NaN,
			target: 'no growth',
			met: growth < 5 * 1024 * 1024,
			note: `heap after full GC, idle ${mb(first.settledNode[0]?.idleHeap ?? Number.NaN)}, then after each run ${heaps.map((h) => mb(h)).join(', ')}; RSS ${rss.map((r) => mb(r)).join(', ')}`,
		});
		session.details.scenario5Leak = first.settledNode;
	}
	const peak100 = median(result.node.map((r) => r.peakAboveIdle));
	const peak100Reference = median(result.reference.map((r) => r.peakAboveIdle));
	session.rows.push({
		scenario: '5. Peak RSS above idle, 100,000-row CSV end to end',
		node: median(result.node.map((r) => r.ms)),
		reference: median(result.reference.map((r) => r.ms)),
		ratio: median(result.node.map((r) => r.ms)) / median(result.reference.map((r) => r.ms)),
		peakNode: peak100,
		peakReference: peak100Reference,
		requestsNode: median(result.requestsNode.map((r) => r.total)),
		requestsReference: median(result.requestsReference.map((r) => r.total)),
		target: `≤ ${PEAK_FACTOR} × reference; ≤ ${mb(PEAK_100K_BEFORE)} (before the rewrite)`,
		met: peak100 <= PEAK_FACTOR * peak100Reference && peak100 <= PEAK_100K_BEFORE,
		note: `CSV ${mb(csv100)}; node/reference ${ratio(peak100 / peak100Reference)}; fresh process per run; ${outputNote(result)}`,
	});
	session.details.scenario5 = { ...summary(result), csvBytes50k: csv50, csvBytes100k: csv100 };
}

/** 6: Wait for Completion on a job that HERE finishes about 20 s after it was created. */
export async function scenario6(): Promise<void> {
	log('6. Wait latency: a job that finishes after about 20 s (1000 devices at 50 devices/s)');
	const { emulator, url } = await startEmulator({ mode: 'timer', devicesPerSecond: 50 });
	const node = await startSide('node', 's6');
	const runs: Array<{ elapsedMs: number; latencyMs: number; statusCalls: number; waitMs: number }> = [];
	try {
		for (let run = 0; run < Math.min(session.options.runs, 3); run++) {
			await emulator.call('reset');
			const user = account(url);
			await emulator.call('addUser', user);
			const [jobId] = await emulator.call<string[]>('seedJobs', { email: user.email, count: 1, devicesPerJob: 1000, prefix: 'slow' });
			const report = await node.call<RunReport>('run', { scenario: 'waitLatency', params: { ...user, jobId } });
			const job = await emulator.call<{ createdAt: number; updatedAt: number; status: string }>('job', { jobId });
			const calls = await emulator.call<Array<{ at: number; status: number }>>('statusCalls', { jobId });
			const noticed = calls.find((call) => call.at >= job.updatedAt);
			runs.push({
				elapsedMs: job.updatedAt - job.createdAt,
				latencyMs: noticed ? noticed.at - job.updatedAt : Number.NaN,
				statusCalls: calls.length,
				waitMs: report.ms,
			});
			process.stdout.write('.');
		}
		process.stdout.write('\n');
	} finally {
		await Promise.all([node.stop(), emulator.stop()]);
	}
	const elapsed = median(runs.map((r) => r.elapsedMs));
	const latency = median(runs.map((r) => r.latencyMs));
	const calls = max(runs.map((r) => r.statusCalls));
	const allowed = Math.max(2000, elapsed * 0.1);
	session.rows.push({
		scenario: '6. Wait for Completion on a job that takes ~20 s',
		node: latency,
		requestsNode: calls,
		target: `noticed ≤ ${ms(allowed)} late, ≤ 15 status calls`,
		met: latency <= allowed && calls <= 15,
		note: `job took ${ms(elapsed)}; node time column: completion → noticed; requests: status calls`,
	});
	session.details.scenario6 = runs;
}

// ---------------------------------------------------------------------------------------------

/**
 * 7: validation cost must not depend on what keys look like: 100,000 rows whose names,
 * externalIds and trackingIds differ in the middle against rows whose keys differ at the end,
 * and middle-differing keys at 50,000, 100,000 and 200,000 rows (linear: about 2x per doubling).
 */
export async function scenario7(): Promise<void> {
	log('7. Keys that differ in the middle: names, externalIds and trackingIds with long shared prefixes and suffixes');
	const node = await startSide('node', 's7');
	const cases = [
		{ rows: 100_000, vary: 'end' },
		{ rows: 100_000, vary: 'middle' },
		{ rows: 50_000, vary: 'middle' },
		{ rows: 200_000, vary: 'middle' },
	] as const;
	const times: number[][] = cases.map(() => []);
	try {
		// Cases take turns round by round, so that a noisy machine slows them alike.
		for (let round = 0; round < session.options.warmup + session.options.runs; round++) {
			for (const [index, params] of cases.entries()) {
				const report = await node.call<RunReport>('run', { scenario: 'keys', params });
				if (round >= session.options.warmup) times[index].push(report.ms);
			}
			process.stdout.write('.');
		}
		process.stdout.write('\n');
	} finally {
		await node.stop();
	}
	const [end, middle, half, double] = times.map(median);
	const row = (scenario: string, nodeMs: number, referenceMs: number, target: number, note: string) =>
		session.rows.push({ scenario, node: nodeMs, reference: referenceMs, ratio: nodeMs / referenceMs, target: `ratio ≤ ${target}`, met: nodeMs / referenceMs <= target, note });
	row('7. Keys differing in the middle vs at the end, 100,000 rows', middle, end, 1.3, 'node = keys differing in the middle, reference = keys differing at the end (add job: name, externalId; delete job: trackingId)');
	row('7. Doubling the rows: 50,000 → 100,000 (middle)', middle, half, 2.2, 'node = 100,000 rows, reference = 50,000 rows');
	row('7. Doubling the rows: 100,000 → 200,000 (middle)', double, middle, 2.2, 'node = 200,000 rows, reference = 100,000 rows');
	session.details.scenario7 = cases.map((params, index) => ({ ...params, ms: times[index] }));
}
