import { randomUUID } from 'node:crypto';
import { startEmulator, type EmulatorOptions, type HereEmulator } from '../../emulator';

export interface Reply {
	status: number;
	headers: Headers;
	text: string;
	/** Parsed JSON, or undefined when the body is empty or not JSON. */
	body: unknown;
}

export interface CallOptions {
	token?: string;
	query?: Record<string, string | number | string[]>;
	json?: unknown;
	csv?: string | Buffer;
	raw?: { body: string | Buffer; contentType?: string };
	headers?: Record<string, string>;
}

/** One real HTTP call through Node's fetch. */
export async function call(emulator: HereEmulator, method: string, path: string, options: CallOptions = {}): Promise<Reply> {
	const url = new URL(path, emulator.url);
	for (const [key, value] of Object.entries(options.query ?? {})) {
		for (const v of Array.isArray(value) ? value : [value]) url.searchParams.append(key, String(v));
	}
	const headers: Record<string, string> = { ...(options.headers ?? {}) };
	if (options.token !== undefined) headers.Authorization = `Bearer ${options.token}`;
	let body: string | Buffer | undefined;
	if (options.json !== undefined) {
		headers['Content-Type'] ??= 'application/json';
		body = JSON.stringify(options.json);
	} else if (options.csv !== undefined) {
		headers['Content-Type'] ??= 'text/csv';
		body = options.csv;
	} else if (options.raw) {
		if (options.raw.contentType) headers['Content-Type'] = options.raw.contentType;
		body = options.raw.body;
	}
	const response = await fetch(url, { method, headers, body });
	const text = await response.text();
	let parsed: unknown;
	try {
		parsed = text === '' ? undefined : JSON.parse(text);
	} catch {
		parsed = undefined;
	}
	return { status: response.status, headers: response.headers, text, body: parsed };
}

export type Json = Record<string, unknown>;

export function obj(reply: Reply): Json {
	if (typeof reply.body !== 'object' || reply.body === null) throw new Error(`expected a JSON object, got ${reply.status} ${reply.text}`);
	return reply.body as Json;
}

export interface World {
	emulator: HereEmulator;
	email: string;
	password: string;
	projectId: string;
	token: string;
}

/** An emulator with one user in one project and a token for it. */
export async function world(options: EmulatorOptions = {}): Promise<World> {
	const emulator = await startEmulator({ processing: { mode: 'instant' }, seed: 42, ...options });
	const email = `user-${randomUUID()}@example.com`;
	const password = 'secret-password';
	const projectId = 'project-a';
	emulator.addUser({ email, password, projects: [{ projectId, projectName: 'Project A' }] });
	return { emulator, email, password, projectId, token: emulator.issueToken(email) };
}

/** Creates a job over HTTP and returns its id (fails the test on anything but 202). */
export async function createJob(w: World, devices: object[] | string, query: Record<string, string> = {}): Promise<string> {
	const reply = await call(w.emulator, 'POST', '/bulkjobs/v4/deviceUploads', {
		token: w.token,
		query,
		...(typeof devices === 'string' ? { csv: devices } : { json: devices }),
	});
	if (reply.status !== 202) throw new Error(`create: expected 202, got ${reply.status} ${reply.text}`);
	return obj(reply).jobId as string;
}

export function devices(count: number, prefix = 'dev'): Array<{ name: string }> {
	return Array.from({ length: count }, (_, i) => ({ name: `${prefix}-${i}` }));
}

export async function status(w: World, jobId: string): Promise<Json> {
	return obj(await call(w.emulator, 'GET', `/bulkjobs/v4/deviceUploads/${jobId}/status`, { token: w.token }));
}

/** Every results row of a job, following nextPageToken. */
export async function allResults(w: World, jobId: string, limit = 100): Promise<Json[]> {
	const items: Json[] = [];
	let pageToken: string | undefined;
	do {
		const reply = await call(w.emulator, 'GET', `/bulkjobs/v4/deviceUploads/${jobId}/results`, {
			token: w.token,
			query: { limit, ...(pageToken ? { pageToken } : {}) },
		});
		if (reply.status !== 200) throw new Error(`results: ${reply.status} ${reply.text}`);
		const body = obj(reply);
		items.push(...(body.items as Json[]));
		pageToken = body.nextPageToken as string | undefined;
	} while (pageToken);
	return items;
}

export const uuid = (): string => randomUUID();
