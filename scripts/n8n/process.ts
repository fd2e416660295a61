import { spawn } from 'node:child_process';
import { createServer } from 'node:net';

/**
 * A free TCP port on loopback (n8n, its task broker and the emulator each need one): `preferred`
 * when it is free, any free one otherwise.
 */
export async function freePort(preferred = 0): Promise<number> {
	if (preferred !== 0) {
		try {
			return await listenAndClose(preferred);
		} catch {
			// Taken: fall back to any free port.
		}
	}
	return await listenAndClose(0);
}

async function listenAndClose(port: number): Promise<number> {
	return await new Promise<number>((resolvePromise, reject) => {
		const server = createServer();
		server.unref();
		server.on('error', reject);
		server.listen(port, '127.0.0.1', () => {
			const address = server.address();
			const port = typeof address === 'object' && address ? address.port : 0;
			server.close(() => resolvePromise(port));
		});
	});
}

export interface RunResult {
	readonly code: number;
	readonly stdout: string;
	readonly stderr: string;
	readonly ms: number;
}

/** Runs a command to its end, capturing its output; kills it (and says so) after `timeoutMs`. */
export async function run(
	command: string,
	args: readonly string[],
	options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<RunResult> {
	const started = Date.now();
	return await new Promise<RunResult>((resolvePromise, reject) => {
		const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
		const out: Buffer[] = [];
		const err: Buffer[] = [];
		child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
		child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
		let timedOut = false;
		const timer =
			options.timeoutMs === undefined
				? undefined
				: setTimeout(() => {
						timedOut = true;
						child.kill('SIGKILL');
					}, options.timeoutMs);
		child.on('error', reject);
		child.on('close', (code) => {
			if (timer) clearTimeout(timer);
			const stderr = Buffer.concat(err).toString('utf8');
			resolvePromise({
				code: code ?? 1,
				stdout: Buffer.concat(out).toString('utf8'),
				stderr: timedOut ? `${stderr}\n(killed after ${options.timeoutMs} ms)` : stderr,
				ms: Date.now() - started,
			});
		});
	});
}

/**
 * The environment for a child process, without what `npm run` and jest add for this package:
 * n8n behaves differently under NODE_ENV=test (jest sets it), and npm_* would leak our package.
 */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {};
	for (const [key, value] of Object.entries(process.env)) {
		if (key.startsWith('npm_') || key.startsWith('JEST_') || key === 'INIT_CWD' || key === 'NODE_OPTIONS' || key === 'NODE_ENV') continue;
		env[key] = value;
	}
	return { ...env, ...extra };
}
