import { spawn } from 'node:child_process';
import { createWriteStream, readdirSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

import { elapsed, heartbeat, say } from './log';

/** Where the registry and the cache are: these npm_config_* variables may pass through. */
const KEEP_NPM_ENV = new Set(['npm_config_registry', 'npm_config_cache', 'npm_config_userconfig', 'npm_config_proxy', 'npm_config_https_proxy', 'npm_config_noproxy', 'npm_config_cafile']);

export interface NpmStep {
	/** Shown in progress lines, e.g. "installing n8n 2.41.1". */
	readonly what: string;
	readonly cwd: string;
	readonly args: readonly string[];
	/** Full npm output goes here (progress lines only summarise it). */
	readonly logFile: string;
	/** Put this Node.js first on PATH, so npm and the install scripts it runs use it. */
	readonly nodeBinDir?: string;
	/** Extra words for the heartbeat, e.g. how many packages are unpacked so far. */
	readonly progress?: () => string;
	/** More environment variables, e.g. JOBS=max for node-gyp (compile on every core). */
	readonly env?: Record<string, string>;
}

/**
 * Runs npm with `--loglevel=http` so that every registry request is a line we can count: the
 * heartbeat says how many packages have been fetched so far instead of staying silent for minutes.
 */
export async function runNpm(step: NpmStep): Promise<void> {
	const started = Date.now();
	const log = createWriteStream(step.logFile, { flags: 'a' });
	log.write(`\n$ npm ${step.args.join(' ')}   (in ${step.cwd})\n`);
	let requests = 0;
	const stopBeat = heartbeat(() => {
		const extra = step.progress ? `, ${step.progress()}` : '';
		return `  ... still ${step.what}: ${requests} registry requests${extra}, ${elapsed(started)}`;
	});
	say(`${step.what} ...`);
	const env = { ...process.env, ...(step.env ?? {}) };
	if (step.nodeBinDir) env.PATH = `${step.nodeBinDir}${delimiter}${env.PATH ?? ''}`;
	// `npm run` exports this repository's npm config (its .npmrc turns install scripts off) and
	// package as npm_* variables; the inner npm must read its own folder's config instead.
	for (const key of Object.keys(env)) if ((key.startsWith('npm_') && !KEEP_NPM_ENV.has(key)) || key === 'INIT_CWD') delete env[key];
	try {
		const code = await new Promise<number>((resolvePromise, reject) => {
			const child = spawn('npm', [...step.args, '--loglevel=http', '--no-audit', '--no-fund', '--no-update-notifier'], {
				cwd: step.cwd,
				env,
				stdio: ['ignore', 'pipe', 'pipe'],
			});
			const onData = (chunk: Buffer): void => {
				log.write(chunk);
				const text = chunk.toString('utf8');
				for (const match of text.matchAll(/http fetch/g)) if (match) requests += 1;
			};
			child.stdout.on('data', onData);
			child.stderr.on('data', onData);
			child.on('error', reject);
			child.on('close', (exitCode) => resolvePromise(exitCode ?? 1));
		});
		await new Promise<void>((resolvePromise) => log.end(resolvePromise));
		if (code !== 0) {
			const tail = readFileSync(step.logFile, 'utf8').trim().split('\n').slice(-25).join('\n');
			throw new Error(`${step.what} failed (npm exit ${code}); last lines of ${step.logFile}:\n${tail}`);
		}
		say(`${step.what}: done in ${elapsed(started)} (${requests} registry requests)`);
	} finally {
		stopBeat();
	}
}

/** How many packages a node_modules folder holds so far (scoped ones counted one by one). */
export function countPackages(nodeModules: string): number {
	let count = 0;
	let entries: string[];
	try {
		entries = readdirSync(nodeModules);
	} catch {
		return 0;
	}
	for (const entry of entries) {
		if (entry.startsWith('.')) continue;
		if (!entry.startsWith('@')) {
			count += 1;
			continue;
		}
		try {
			count += readdirSync(join(nodeModules, entry)).length;
		} catch {
			// Being unpacked right now.
		}
	}
	return count;
}
