/**
 * `npm run bench`: the node against a hand-written reference client, scenario by scenario, on
 * the emulator. Prints one table and writes every figure to bench-results/ (git-ignored).
 *
 * Each side runs in its own process (worker.process.ts), the emulator in another
 * (emulator.process.ts). The sides take turns, in rotating order, against the same emulator, so
 * a noisy machine slows them alike; times are medians, and ratios are node median / reference
 * median of the same invocation. Sides: `node` (the package in n8n-core), `reference` (Node's
 * fetch and csv-parse), and where it helps, `floor` (the reference's requests through n8n's own
 * HTTP helper: what n8n costs before the package does anything).
 *
 *   npm run bench                     all scenarios (about 4 minutes on 2 cores)
 *   npm run bench -- --only 1,3       some scenarios (1-8)
 *   npm run bench -- --runs 3         runs per side (default 5, after one warm-up; BENCH_RUNS too; --warmup 0 for none)
 *   npm run bench -- --profile        a CPU and an allocation profile of every run under bench-results/profiles/
 *   npm run bench -- --latency 80     instead: the latency table (latencySuite.ts) at an 80 ms round trip;
 *                                     --latency 0,80 for both; --only 1-5 picks its scenarios (L1-L5);
 *                                     --quota 5: HERE's quota 5 requests a second (default 100);
 *                                     --uploads 6, --poll-interval 0.5: the node's Parallel Uploads
 *                                     (L1) and Poll Interval in seconds (L1, L3) instead of its defaults;
 *                                     --trace: each run's request log (arrival times) and jobs (when each
 *                                     ended) under bench-results/traces/, to see where a run's time goes
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import type { Options } from './lib/session';
import { log, OUT, ROOT, session } from './lib/session';
import type { Paired } from './lib/sides';
import { mb, ms, ratio, table } from './lib/stats';
import { scenario1, scenario2, scenario3, scenario4, scenario5, scenario6, scenario7 } from './suite';
import { scenario8 } from './syncScenario';
import { latencyRows, latencySuite, latencyTable } from './latencySuite';

function parseOptions(argv: string[]): Options {
	const value = (flag: string) => {
		const index = argv.findIndex((arg) => arg === flag || arg.startsWith(`${flag}=`));
		if (index < 0) return undefined;
		return argv[index].includes('=') ? argv[index].split('=')[1] : argv[index + 1];
	};
	const runs = Number(value('--runs') ?? process.env.BENCH_RUNS ?? 5);
	const only = (value('--only') ?? '1,2,3,4,5,6,7,8').split(',').map(Number).filter((n) => n >= 1 && n <= 8);
	const latency = value('--latency')
		?.split(',')
		.map(Number)
		.filter((n) => Number.isFinite(n) && n >= 0);
	const quota = Number(value('--quota'));
	const uploads = Number(value('--uploads'));
	const pollInterval = Number(value('--poll-interval'));
	return {
		quota: Number.isFinite(quota) && quota >= 1 ? quota : undefined,
		uploads: Number.isInteger(uploads) && uploads >= 1 ? uploads : undefined,
		pollInterval: Number.isFinite(pollInterval) && pollInterval > 0 ? pollInterval : undefined,
		runs: Number.isInteger(runs) && runs >= 1 ? runs : 5,
		warmup: Math.max(0, Math.floor(Number(value('--warmup') ?? 1)) || 0),
		only: new Set(only),
		profile: argv.includes('--profile'),
		trace: argv.includes('--trace'),
		latency,
	};
}

function printTable(): string {
	const header = ['Scenario', 'Node (median)', 'Reference (median)', 'Ratio', 'n8n floor', 'Node / floor', 'Peak RSS node / ref', 'Requests node / ref', 'Target', 'Met'];
	const body = session.rows.map((row) => [
		row.scenario,
		ms(row.node),
		row.reference === undefined ? '—' : ms(row.reference),
		row.ratio === undefined ? '—' : ratio(row.ratio),
		row.floor === undefined ? '—' : ms(row.floor),
		row.nodeOverFloor === undefined ? '—' : ratio(row.nodeOverFloor),
		row.peakNode === undefined ? '—' : `${mb(row.peakNode)} / ${row.peakReference === undefined ? '—' : mb(row.peakReference)}`,
		row.requestsNode === undefined ? '—' : `${row.requestsNode} / ${row.requestsReference ?? '—'}`,
		row.target,
		row.met === undefined ? '' : row.met ? 'yes' : 'NO',
	]);
	const text = table(header, body);
	const notes = session.rows.filter((row) => row.note).map((row) => `- ${row.scenario}: ${row.note}`);
	return `${text}\n\n${notes.join('\n')}`;
}

/** The instant-emulator table: CPU and memory overhead against the reference and n8n's floor. */
async function cpuSuite(): Promise<void> {
	let first: Paired | undefined;
	if (session.options.only.has(1) || session.options.only.has(5)) first = await scenario1();
	if (session.options.only.has(2)) await scenario2();
	if (session.options.only.has(3)) await scenario3();
	if (session.options.only.has(4)) await scenario4();
	if (session.options.only.has(5)) await scenario5(first);
	if (session.options.only.has(6)) await scenario6();
	if (session.options.only.has(7)) await scenario7();
	if (session.options.only.has(8)) await scenario8();
}

async function main(): Promise<void> {
	session.options = parseOptions(process.argv.slice(2));
	if (!fs.existsSync(path.join(ROOT, 'dist', 'nodes'))) throw new Error('dist/ is missing: run `npx gulp build` (npm run bench does).');
	const startedAt = new Date();
	const loadBefore = os.loadavg();
	log(`HERE Bulk Jobs benchmark: ${session.options.runs} runs per side after ${session.options.warmup} warm-up, ${os.cpus().length} CPUs, Node ${process.version}, load ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`);
	const started = performance.now();
	const latency = session.options.latency;
	if (latency !== undefined) await latencySuite(latency);
	else await cpuSuite();
	const loadAfter = os.loadavg();
	const text = latency !== undefined ? latencyTable() : printTable();
	log('');
	log(text);
	log('');
	log(`Took ${ms(performance.now() - started)}; load average before ${loadBefore.map((l) => l.toFixed(2)).join(' ')}, after ${loadAfter.map((l) => l.toFixed(2)).join(' ')}. Times are medians; ratio = node / reference, measured side by side in this run.`);
	fs.mkdirSync(OUT, { recursive: true });
	const stamp = `${latency !== undefined ? 'latency-' : ''}${startedAt.toISOString().replace(/[:.]/g, '-')}`;
	const report = {
		startedAt: startedAt.toISOString(),
		machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryBytes: os.totalmem(), node: process.version, platform: `${os.platform()} ${os.release()}` },
		loadAverage: { before: loadBefore, after: loadAfter },
		options: { ...session.options, only: [...session.options.only] },
		rows: latency !== undefined ? latencyRows : session.rows,
		details: session.details,
		table: text,
	};
	const json = JSON.stringify(report, (_key, value) => (typeof value === 'number' && !Number.isFinite(value) ? null : value), 2);
	fs.writeFileSync(path.join(OUT, `bench-${stamp}.json`), json);
	const latest = latency !== undefined ? 'latest-latency' : 'latest';
	fs.writeFileSync(path.join(OUT, `${latest}.json`), json);
	fs.writeFileSync(path.join(OUT, `${latest}.md`), `${text}\n`);
	log(`Figures written to bench-results/bench-${stamp}.json (and ${latest}.json, ${latest}.md).`);
}

main().catch((error: unknown) => {
	process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
	process.exit(1);
});
