import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';

import { CANARY } from '../harness/fixtures';
import { recordFigures } from './figures';
import { LeakScanner } from './support/leaks';

/**
 * What ships: `npm audit --omit=dev` is clean (the package has no runtime dependency at all),
 * and the packed tarball holds only dist/, README, LICENSE and package.json, without test data,
 * keys, source maps or anything that looks like a secret.
 */
const run = promisify(execFile);
const root = path.resolve(__dirname, '..', '..');
const started = Date.now();
const figures = { runs: 0, leaksFound: 0 };
const notes: string[] = [];

afterAll(() => {
	recordFigures({ suite: 'secrets: npm audit and tarball', ms: Date.now() - started, figures, note: notes.join('; ') });
});

interface PackageJson {
	dependencies?: Record<string, string>;
	optionalDependencies?: Record<string, string>;
	bundleDependencies?: unknown;
	bundledDependencies?: unknown;
	peerDependencies?: Record<string, string>;
}

test('no runtime dependency: package.json and the lockfile agree', () => {
	figures.runs++;
	const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as PackageJson;
	expect(pkg.dependencies ?? {}).toEqual({});
	expect(pkg.optionalDependencies ?? {}).toEqual({});
	expect(pkg.bundleDependencies ?? pkg.bundledDependencies ?? []).toEqual([]);
	expect(Object.keys(pkg.peerDependencies ?? {})).toEqual(['n8n-workflow']);
	const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean; devOptional?: boolean; peer?: boolean; dependencies?: Record<string, string> }> };
	expect(lock.packages[''].dependencies ?? {}).toEqual({});
	// Every installed package is there for development only (or as n8n-workflow's peer, which n8n provides).
	const runtime = Object.entries(lock.packages).filter(([key, entry]) => key !== '' && !entry.dev && !entry.devOptional && !entry.peer);
	expect(runtime.map(([key]) => key)).toEqual([]);
});

test('npm audit --omit=dev is clean (or, without the registry, there is nothing it could audit)', async () => {
	figures.runs++;
	let report: { metadata?: { vulnerabilities?: { total?: number }; dependencies?: { prod?: number } }; error?: { code?: string; summary?: string } };
	try {
		const { stdout } = await run('npm', ['audit', '--omit=dev', '--json'], { cwd: root, timeout: 90_000, maxBuffer: 16 * 1024 * 1024 });
		report = JSON.parse(stdout);
	} catch (error) {
		// npm audit exits non-zero when it finds something, and also when it cannot reach the registry.
		const stdout = (error as { stdout?: string }).stdout ?? '';
		try {
			report = JSON.parse(stdout);
		} catch {
			report = { error: { code: (error as { code?: string }).code, summary: String((error as Error).message).slice(0, 200) } };
		}
	}
	if (report.error !== undefined || report.metadata === undefined) {
		notes.push(`npm audit could not reach an audit endpoint (${report.error?.code ?? 'no report'}); checked instead: no runtime dependency in package.json and the lockfile`);
		return;
	}
	notes.push(`npm audit --omit=dev: ${report.metadata.vulnerabilities?.total ?? '?'} vulnerabilities in ${report.metadata.dependencies?.prod ?? '?'} production package(s) (the package itself)`);
	expect(report.metadata.vulnerabilities?.total).toBe(0);
});

test('the packed tarball: only dist/, README, LICENSE, package.json; no maps, keys, test data or secrets', async () => {
	figures.runs++;
	if (!fs.existsSync(path.join(root, 'dist'))) throw new Error('dist/ is missing: npm run test:faults builds it first');
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'here-pack-'));
	try {
		const { stdout } = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], { cwd: root, timeout: 90_000 });
		const [{ filename, files }] = JSON.parse(stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
		const paths = files.map((file) => file.path);
		expect(paths.filter((file) => !['package.json', 'README.md', 'LICENSE'].includes(file) && !file.startsWith('dist/'))).toEqual([]);
		expect(paths.filter((file) => /\.(map|ts|pem|key|p12|pfx|env|csv|jsonl?)$|(^|\/)(test|tests|__tests__|fixtures|emulator)\//.test(file) && !file.endsWith('.node.json') && file !== 'package.json')).toEqual([]);

		await run('tar', ['-xzf', path.join(dir, filename), '-C', dir]);
		const scanner = new LeakScanner();
		scanner.add('the test password', CANARY.password);
		const suspicious: string[] = [];
		for (const file of paths) {
			const text = fs.readFileSync(path.join(dir, 'package', file), 'utf8');
			scanner.scan(file, text);
			if (/sourceMappingURL=|"sourcesContent"/.test(text)) suspicious.push(`${file}: a source map`);
			if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) suspicious.push(`${file}: a private key`);
			if (/\bemu1\.[A-Za-z0-9_-]{20,}|\bcanary-[a-z-]+\d|AKIA[0-9A-Z]{16}|\bBearer [A-Za-z0-9._-]{20,}/.test(text)) suspicious.push(`${file}: something like a token`);
		}
		figures.leaksFound += scanner.leaks.length + suspicious.length;
		notes.push(`tarball: ${paths.length} files (${paths.filter((file) => file.startsWith('dist/')).length} under dist/), none with a source map, key, token or canary`);
		expect(scanner.leaks).toEqual([]);
		expect(suspicious).toEqual([]);
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
	}
});
