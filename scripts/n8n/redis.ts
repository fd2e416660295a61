/**
 * A throw-away Redis for n8n's queue mode: Debian's redis-server, installed with apt-get when it
 * is missing (CI and developer machines run as root), started on a free loopback port without
 * persistence, and stopped with the test.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import { createConnection } from 'node:net';

import { say } from './log';
import { freePort } from './process';

function hasRedis(): boolean {
	return spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).status === 0;
}

export function ensureRedisInstalled(): void {
	if (hasRedis()) return;
	if (process.getuid?.() !== 0) throw new Error('redis-server is missing: install it (Debian: sudo apt-get install -y redis-server) and run again');
	say('installing redis-server from Debian (apt-get) ...');
	for (const args of [['update'], ['install', '-y', '--no-install-recommends', 'redis-server']]) {
		const result = spawnSync('apt-get', args, { encoding: 'utf8', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
		if (result.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed:\n${(result.stderr || result.stdout).slice(-2000)}`);
	}
	if (!hasRedis()) throw new Error('apt-get installed redis-server, but it does not run');
}

async function answersPing(port: number): Promise<boolean> {
	return await new Promise((resolvePromise) => {
		const socket = createConnection({ host: '127.0.0.1', port }, () => socket.write('PING\r\n'));
		socket.setTimeout(1000, () => {
			socket.destroy();
			resolvePromise(false);
		});
		socket.on('data', (data) => {
			socket.destroy();
			resolvePromise(data.toString().startsWith('+PONG'));
		});
		socket.on('error', () => resolvePromise(false));
	});
}

export interface RedisServer {
	readonly port: number;
	stop(): Promise<void>;
}

export async function startRedis(): Promise<RedisServer> {
	ensureRedisInstalled();
	const port = await freePort();
	const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
		stdio: 'ignore',
	});
	for (let attempt = 0; attempt < 50; attempt++) {
		if (await answersPing(port)) {
			say(`redis-server on 127.0.0.1:${port}`);
			return {
				port,
				stop: async () => {
					if (child.exitCode !== null) return;
					const exited = new Promise((resolvePromise) => child.once('exit', resolvePromise));
					child.kill('SIGTERM');
					await exited;
				},
			};
		}
		await delay(200);
	}
	child.kill('SIGKILL');
	throw new Error(`redis-server did not answer on port ${port}`);
}
