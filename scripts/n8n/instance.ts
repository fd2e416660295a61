/**
 * One n8n "installation" as a user would have it: a user folder (database, settings, the
 * community-nodes folder with our package installed by npm), run through n8n's own CLI and
 * server. Several instances can share one provisioned n8n install.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

import { Execution, extractRunJson } from './execution';
import { say } from './log';
import { runNpm } from './npm';
import { CACHE_DIR } from './paths';
import { cleanEnv, freePort, run, type RunResult } from './process';
import type { N8nRuntime } from './provision';

/** n8n's credential export format, with decrypted `data` (n8n encrypts it while importing). */
export interface CredentialFile {
	readonly id: string;
	readonly name: string;
	readonly type: string;
	readonly data: Record<string, unknown>;
}

export interface WorkflowFile {
	readonly id: string;
	readonly name: string;
	readonly nodes: readonly unknown[];
	readonly connections: Record<string, unknown>;
	readonly settings?: Record<string, unknown>;
	readonly active?: boolean;
	readonly [key: string]: unknown;
}

/** Obviously fake; fixed so that a main and its workers (queue mode) decrypt the same credentials. */
const ENCRYPTION_KEY = 'n8n-e2e-fake-encryption-key-0000';

export class N8nInstance {
	readonly n8nFolder: string;
	readonly nodesFolder: string;
	/** Files the workflows may read and write (N8N_RESTRICT_FILE_ACCESS_TO). */
	readonly filesFolder: string;
	readonly networkLog: string;

	private constructor(
		readonly runtime: N8nRuntime,
		readonly userFolder: string,
	) {
		this.n8nFolder = join(userFolder, '.n8n');
		this.nodesFolder = join(this.n8nFolder, 'nodes');
		this.filesFolder = join(userFolder, 'files');
		this.networkLog = join(userFolder, 'network.log');
	}

	/** A new, empty instance (any earlier one of that name is deleted). */
	static create(runtime: N8nRuntime, name: string): N8nInstance {
		rmSync(join(CACHE_DIR, 'instances', name), { recursive: true, force: true });
		return N8nInstance.open(runtime, name);
	}

	/** The instance of that name as it was left (its workflows, executions, owner), or a new one. */
	static open(runtime: N8nRuntime, name: string): N8nInstance {
		const userFolder = join(CACHE_DIR, 'instances', name);
		const instance = new N8nInstance(runtime, userFolder);
		if (existsSync(join(instance.nodesFolder, 'package.json'))) return instance;
		mkdirSync(instance.nodesFolder, { recursive: true });
		mkdirSync(instance.filesFolder, { recursive: true });
		// n8n's own ledger of community packages (it writes the same when it finds none).
		writeFileSync(join(instance.nodesFolder, 'package.json'), JSON.stringify({ name: 'installed-nodes', private: true, dependencies: {} }, null, 2));
		return instance;
	}

	/**
	 * Installs the packed package the way n8n's docs tell self-hosters to install a community
	 * package by hand: `npm install` in ~/.n8n/nodes. n8n finds it there at start-up and loads it
	 * from package.json's "n8n" field (nodes, credentials, icons, codex).
	 */
	async installPackage(tarball: string): Promise<void> {
		const local = join(this.nodesFolder, basename(tarball));
		copyFileSync(tarball, local);
		await runNpm({
			what: `installing ${basename(tarball)} into n8n's community nodes folder`,
			cwd: this.nodesFolder,
			// n8n provides n8n-workflow (our only, peer, dependency); n8n's own installer skips peers too.
			args: ['install', `./${basename(tarball)}`, '--ignore-scripts', '--legacy-peer-deps', '--omit=dev', '--package-lock=false', '--prefer-offline'],
			logFile: join(this.userFolder, 'npm.log'),
		});
	}

	/** The environment of every n8n process of this instance. */
	env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
		const nodeBinDir = dirname(this.runtime.node.bin);
		return cleanEnv({
			PATH: `${nodeBinDir}:${process.env.PATH ?? ''}`,
			NODE_OPTIONS: `--require ${join(__dirname, 'offline-guard.cjs')}`,
			N8N_E2E_NETWORK_LOG: this.networkLog,
			N8N_USER_FOLDER: this.userFolder,
			N8N_ENCRYPTION_KEY: ENCRYPTION_KEY,
			// Nothing may reach for the network: no telemetry, version checks, templates, banners.
			N8N_DIAGNOSTICS_ENABLED: 'false',
			N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
			N8N_TEMPLATES_ENABLED: 'false',
			N8N_PERSONALIZATION_ENABLED: 'false',
			N8N_HIRING_BANNER_ENABLED: 'false',
			N8N_DYNAMIC_BANNERS_ENABLED: 'false',
			N8N_LICENSE_AUTO_RENEW_ENABLED: 'false',
			N8N_AI_ENABLED: 'false',
			// The editor's node panel otherwise fetches n8n's list of vetted community packages from
			// n8n's API; this package is installed by hand (unverified) and needs none of it.
			N8N_VERIFIED_PACKAGES_ENABLED: 'false',
			N8N_LISTEN_ADDRESS: '127.0.0.1',
			N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
			N8N_SECURE_COOKIE: 'false',
			N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'true',
			N8N_RESTRICT_FILE_ACCESS_TO: this.filesFolder,
			// n8n 1.x lets community nodes be AI tools only with this.
			N8N_COMMUNITY_PACKAGES_ALLOW_TOOL_USAGE: 'true',
			GENERIC_TIMEZONE: 'UTC',
			N8N_LOG_LEVEL: 'info',
			...(this.runtime.line.env ?? {}),
			...extra,
		});
	}

	/** Runs `n8n <args>` to its end. Each call starts n8n afresh (about 5-10 s). */
	async cli(args: readonly string[], options: { timeoutMs?: number; env?: Record<string, string> } = {}): Promise<RunResult> {
		const env = this.env({ N8N_RUNNERS_BROKER_PORT: String(await freePort()), ...(options.env ?? {}) });
		return await run(this.runtime.node.bin, [this.runtime.n8nBin, ...args], { env, timeoutMs: options.timeoutMs ?? 300_000 });
	}

	private async cliOrThrow(args: readonly string[]): Promise<RunResult> {
		const result = await this.cli(args);
		if (result.code !== 0) throw new Error(`n8n ${args.join(' ')} failed (exit ${result.code}):\n${tail(result.stdout + result.stderr)}`);
		return result;
	}

	/** `n8n import:credentials`: one file with all of them. */
	async importCredentials(credentials: readonly CredentialFile[]): Promise<void> {
		const file = join(this.userFolder, `credentials-${Date.now()}.json`);
		writeFileSync(file, JSON.stringify(credentials, null, 2));
		await this.cliOrThrow(['import:credentials', `--input=${file}`]);
		rmSync(file);
	}

	/** `n8n import:workflow`: one file with all of them (each needs its own `id`). */
	async importWorkflows(workflows: readonly WorkflowFile[]): Promise<void> {
		const file = join(this.userFolder, `workflows-${Date.now()}.json`);
		writeFileSync(file, JSON.stringify(workflows, null, 2));
		await this.cliOrThrow(['import:workflow', `--input=${file}`]);
		rmSync(file);
	}

	/** `n8n execute --id=<id> --rawOutput`: the run, whether it succeeded or not. */
	async execute(workflowId: string, options: { timeoutMs?: number } = {}): Promise<Execution> {
		const result = await this.cli(['execute', `--id=${workflowId}`, '--rawOutput'], { timeoutMs: options.timeoutMs });
		const log = `${result.stdout}\n${result.stderr}`;
		const runJson = extractRunJson(result.stdout) ?? extractRunJson(result.stderr);
		if (!runJson) throw new Error(`n8n execute --id=${workflowId} printed no run (exit ${result.code}):\n${tail(log)}`);
		return new Execution(runJson, result.code, log, result.ms);
	}

	/** Outgoing connections to anything but this machine, recorded by offline-guard.cjs. */
	networkAttempts(): Array<{ host: string; port: number | string; stack: string[] }> {
		if (!existsSync(this.networkLog)) return [];
		return readFileSync(this.networkLog, 'utf8')
			.split('\n')
			.filter(Boolean)
			.map((line) => JSON.parse(line) as { host: string; port: number; stack: string[] });
	}

	/** Starts `n8n start` (or `worker`, `webhook`) and waits until it answers. */
	async start(options: { command?: 'start' | 'worker'; env?: Record<string, string>; port?: number; logName?: string } = {}): Promise<N8nServer> {
		const command = options.command ?? 'start';
		const port = options.port ?? (await freePort());
		const logFile = join(this.userFolder, `${options.logName ?? command}.log`);
		const env = this.env({
			N8N_PORT: String(port),
			N8N_EDITOR_BASE_URL: `http://localhost:${port}`,
			WEBHOOK_URL: `http://localhost:${port}/`,
			N8N_RUNNERS_BROKER_PORT: String(await freePort()),
			QUEUE_HEALTH_CHECK_ACTIVE: 'true',
			QUEUE_HEALTH_CHECK_PORT: String(port),
			...(options.env ?? {}),
		});
		const log = createWriteStream(logFile, { flags: 'a' });
		const child = spawn(this.runtime.node.bin, [this.runtime.n8nBin, command], { env, stdio: ['ignore', 'pipe', 'pipe'] });
		child.stdout.pipe(log);
		child.stderr.pipe(log);
		const server = new N8nServer(child, `http://127.0.0.1:${port}`, logFile);
		await server.waitUntilReady(command === 'worker' ? '/healthz' : '/healthz/readiness');
		return server;
	}
}

export class N8nServer {
	private exited: number | null | undefined;

	constructor(
		readonly child: ChildProcess,
		readonly url: string,
		readonly logFile: string,
	) {
		child.on('exit', (code) => {
			this.exited = code;
		});
	}

	get running(): boolean {
		return this.exited === undefined;
	}

	logTail(lines = 40): string {
		return tail(readFileSync(this.logFile, 'utf8'), lines);
	}

	async waitUntilReady(path: string, timeoutMs = 180_000): Promise<void> {
		const deadline = Date.now() + timeoutMs;
		while (Date.now() < deadline) {
			if (!this.running) throw new Error(`n8n exited (code ${this.exited}) before it was ready:\n${this.logTail()}`);
			try {
				const response = await fetch(`${this.url}${path}`);
				if (response.ok) return;
			} catch {
				// Not listening yet.
			}
			await delay(500);
		}
		throw new Error(`n8n did not answer ${path} within ${timeoutMs / 1000} s:\n${this.logTail()}`);
	}

	/** SIGTERM (n8n shuts down gracefully, with its task runners), SIGKILL after 20 s. */
	async stop(): Promise<void> {
		if (!this.running) return;
		const exited = new Promise<void>((resolvePromise) => this.child.once('exit', () => resolvePromise()));
		this.child.kill('SIGTERM');
		const killed = await Promise.race([exited.then(() => false), delay(20_000, true, { ref: false })]);
		if (killed) {
			say(`n8n (pid ${this.child.pid}) did not stop within 20 s: killing it`);
			this.child.kill('SIGKILL');
			await exited;
		}
	}
}

function tail(text: string, lines = 40): string {
	return text.trim().split('\n').slice(-lines).join('\n');
}
