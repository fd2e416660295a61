import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { DEMO } from '../../emulator';

/** `npm run emulator` is `node --import tsx emulator/cli.ts`: run exactly that as a child process. */
const root = join(__dirname, '..', '..');

function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			const port = typeof address === 'object' && address ? address.port : 0;
			server.close(() => resolve(port));
		});
		server.on('error', reject);
	});
}

function waitFor(child: ChildProcess, pattern: RegExp): Promise<string> {
	return new Promise((resolve, reject) => {
		let out = '';
		const timer = setTimeout(() => reject(new Error(`no ${pattern} in: ${out}`)), 20_000);
		child.stdout?.on('data', (chunk: Buffer) => {
			out += chunk.toString();
			if (pattern.test(out)) {
				clearTimeout(timer);
				resolve(out);
			}
		});
		child.on('exit', (code) => {
			clearTimeout(timer);
			reject(new Error(`exited with ${code}: ${out}`));
		});
	});
}

test.each([
	['--port', (port: number) => ({ args: ['--port', String(port)], env: {} })],
	['HERE_EMULATOR_PORT', (port: number) => ({ args: [], env: { HERE_EMULATOR_PORT: String(port) } })],
])('starts with the demo account (%s), answers health, stops on SIGTERM', async (_how, setup) => {
	const port = await freePort();
	const { args, env } = setup(port);
	const child = spawn(process.execPath, ['--import', 'tsx', 'emulator/cli.ts', ...args], {
		cwd: root,
		env: { ...process.env, ...env },
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	try {
		const banner = await waitFor(child, /Ctrl-C stops/);
		const url = `http://127.0.0.1:${port}`;
		expect(banner).toContain(url);
		for (const shown of [DEMO.email, DEMO.password, DEMO.projectId, DEMO.accessToken, `curl ${url}/bulkjobs/v4/health`]) expect(banner).toContain(shown);
		const health = await fetch(`${url}/bulkjobs/v4/health`);
		expect(await health.json()).toEqual({ message: 'healthy' });
		const list = await fetch(`${url}/bulkjobs/v4/deviceUploads`, { headers: { Authorization: `Bearer ${DEMO.accessToken}` } });
		expect(list.status).toBe(200);
	} finally {
		const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
		child.kill('SIGTERM');
		expect(await exited).toBe(0);
	}
});

test('--latency, --parallel-jobs and --rate-limit turn the performance models on', async () => {
	const port = await freePort();
	const child = spawn(process.execPath, ['--import', 'tsx', 'emulator/cli.ts', '--port', String(port), '--latency', '80', '--parallel-jobs', '10', '--rate-limit', '--no-retry-after'], {
		cwd: root,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	try {
		const banner = await waitFor(child, /Ctrl-C stops/);
		expect(banner).toContain('Latency: {"roundTripMs":80');
		const models = (await (await fetch(`http://127.0.0.1:${port}/_emulator/models`)).json()) as Record<string, unknown>;
		expect(models).toEqual({
			processing: { mode: 'timer', devicesPerSecond: 500, parallelJobs: 10 },
			latency: { roundTripMs: 80, jitter: 0.1, bandwidthMbps: 100, handshakeRoundTrips: 2 },
			rateLimit: { maxInFlight: 20, maxPerSecond: 100, retryAfter: false, refused: 0 },
		});
	} finally {
		const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
		child.kill('SIGTERM');
		expect(await exited).toBe(0);
	}
});
