/**
 * The emulator in a process of its own (forked by run.ts), so that its CPU time and memory
 * never count for the side being measured. Controlled over IPC; seeding runs here too, over
 * the emulator's own HTTP API (as any HERE client would make the jobs).
 */
import type { EmulatorOptions, HereEmulator, ProcessingOptions, RequestLogEntry } from '../../emulator';
import { startEmulator } from '../../emulator';
import { serve } from './lib/ipc';

let emulator: HereEmulator | undefined;

function here(): HereEmulator {
	if (!emulator) throw new Error('emulator not started (call init)');
	return emulator;
}

async function api(token: string, method: string, path: string, body?: unknown): Promise<unknown> {
	const send = async () =>
		await fetch(`${here().url}${path}`, {
			method,
			headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
	let response = await send();
	// Seeding under a tight quota (`--quota`) meets 429s too: wait as HERE asks, then send again.
	while (response.status === 429) {
		await response.text();
		await new Promise((resolve) => setTimeout(resolve, 1000 * (Number(response.headers.get('retry-after')) || 1)));
		response = await send();
	}
	const text = await response.text();
	if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${text.slice(0, 300)}`);
	return text === '' ? undefined : JSON.parse(text);
}

async function inParallel<T>(count: number, width: number, fn: (index: number) => Promise<T>): Promise<T[]> {
	const out: T[] = new Array(count);
	let next = 0;
	await Promise.all(
		Array.from({ length: Math.min(width, count) }, async () => {
			while (next < count) {
				const index = next++;
				out[index] = await fn(index);
			}
		}),
	);
	return out;
}

/** What kind of call a log entry was, for the "requests made" column. */
export type RequestKind = 'login' | 'upload' | 'status' | 'results' | 'list' | 'patch' | 'other';

function kindOf(entry: RequestLogEntry): RequestKind {
	if (entry.path.startsWith('/users/')) return 'login';
	if (!entry.path.startsWith('/bulkjobs/v4/deviceUploads')) return 'other';
	if (entry.method === 'POST') return 'upload';
	if (entry.method === 'PATCH') return 'patch';
	if (entry.path.endsWith('/status')) return 'status';
	if (entry.path.endsWith('/results')) return 'results';
	return entry.path === '/bulkjobs/v4/deviceUploads' ? 'list' : 'other';
}

export interface RequestCounts {
	total: number;
	byKind: Partial<Record<RequestKind, number>>;
	/** Arrival of the first and the last request of each kind (epoch ms): the phases of a run. */
	spans: Partial<Record<RequestKind, [number, number]>>;
	/** Answers 429 (the rate limiter's, or injected). */
	tooMany: number;
	/** Client connections opened (each one a TCP and TLS set-up against HERE). */
	connections: number;
}

serve({
	async init(options: EmulatorOptions) {
		emulator = await startEmulator({ host: '127.0.0.1', port: 0, ...options });
		return emulator.url;
	},
	reset() {
		here().reset();
		return true;
	},
	addUser({ email, password, projectId }: { email: string; password: string; projectId: string }) {
		here().addUser({ email, password, projects: [{ projectId, projectName: `Project ${projectId}` }] });
		return true;
	},
	token({ email }: { email: string }) {
		return here().issueToken(email, { ttlSeconds: 24 * 3600 });
	},
	/** `count` jobs of `devicesPerJob` devices each (names unique by `prefix`); returns their ids. */
	async seedJobs({ email, count, devicesPerJob, prefix, concurrency }: { email: string; count: number; devicesPerJob: number; prefix: string; concurrency?: number }) {
		const token = here().issueToken(email, { ttlSeconds: 24 * 3600 });
		return await inParallel(count, concurrency ?? 8, async (job) => {
			const devices = Array.from({ length: devicesPerJob }, (_, index) => ({ name: `${prefix}-${job + 1}-${index + 1}` }));
			const answer = (await api(token, 'POST', '/bulkjobs/v4/deviceUploads', devices)) as { jobId: string };
			return answer.jobId;
		});
	},
	async acknowledge({ email, jobIds }: { email: string; jobIds: string[] }) {
		const token = here().issueToken(email, { ttlSeconds: 24 * 3600 });
		await inParallel(jobIds.length, 8, async (index) => await api(token, 'PATCH', `/bulkjobs/v4/deviceUploads/${jobIds[index]}`, { action: 'acknowledge' }));
		return jobIds.length;
	},
	/** The latency bench: jobs seeded paused, then processed at HERE's pace or all at once. */
	setProcessing(options: ProcessingOptions) {
		here().setProcessing(options);
		return true;
	},
	async settle() {
		await here().settle();
		return true;
	},
	clearRequests() {
		here().clearRequests();
		return true;
	},
	requests(): RequestCounts {
		const byKind: Partial<Record<RequestKind, number>> = {};
		const spans: Partial<Record<RequestKind, [number, number]>> = {};
		let tooMany = 0;
		for (const entry of here().requests) {
			if (entry.status === 429) tooMany++;
			const kind = kindOf(entry);
			byKind[kind] = (byKind[kind] ?? 0) + 1;
			const span = spans[kind];
			if (span) span[1] = entry.at;
			else spans[kind] = [entry.at, entry.at];
		}
		return { total: here().requests.length, byKind, spans, tooMany, connections: here().connectionsOpened };
	},
	/** Arrival times (emulator clock) and answers of a job's status calls. */
	statusCalls({ jobId }: { jobId: string }) {
		return here()
			.requests.filter((entry) => entry.path === `/bulkjobs/v4/deviceUploads/${jobId}/status`)
			.map((entry) => ({ at: entry.at, status: entry.status }));
	},
	job({ jobId }: { jobId: string }) {
		return here().jobs().find((job) => job.jobId === jobId);
	},
	/** What `--trace` writes: every request (arrival, emulator clock) and every job (`updatedAt`: when it ended). */
	trace() {
		return { requests: here().requests, jobs: here().jobs() };
	},
	now() {
		return here().clock.now();
	},
});
