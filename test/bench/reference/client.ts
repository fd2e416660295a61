/**
 * The reference client: what a developer would write by hand with Node's own fetch (undici,
 * keep-alive connections) to do the same job as the node: the same requests, in the same
 * order, with the same concurrency, and nothing else: no validation, no retries, no n8n.
 * CSV is parsed with csv-parse and nothing more. The node's figures are divided by this one's.
 *
 * The same client on n8n's HTTP helper (`httpRequestWithAuthentication`, which every community
 * node must use) is the "n8n floor": what these requests cost inside n8n before the package
 * does anything. It splits the node's gap into n8n's share and the package's.
 */
import { parse } from 'csv-parse/sync';

// The same small queue as the node's: how many reads run at once is what is compared, not this helper.
import type { Limit } from '../../../nodes/HereBulkJobs/transport';
import { concurrencyLimit } from '../../../nodes/HereBulkJobs/transport';

const UPLOADS = '/bulkjobs/v4/deviceUploads';
const FINAL = ['completed', 'failed', 'cancelled', 'acknowledged'];

/** The node's defaults (Create's Parallel Uploads, and jobs/waitForJob.ts, jobs/collectResults.ts). */
export interface ReferenceConcurrency {
	uploads: number;
	status: number;
	resultJobs: number;
	/** Requests in flight at once, whatever they are for (transport/inFlight.ts). */
	inFlight: number;
}

export interface ResultRow {
	name?: string;
	trackingId?: string;
	errors?: unknown[];
	[key: string]: unknown;
}

/** For requests sent one after another, outside the client's places. */
export const noLimit: Limit = async (send) => await send();

/** How the reference client's requests travel: Node's fetch (the reference) or n8n's HTTP helper (the floor). */
export interface Transport {
	login(email: string, password: string): Promise<void>;
	/** Each request sent takes one of the places of `inFlight`; a wait before asking again does not. */
	call<T>(inFlight: Limit, method: string, path: string, body?: unknown): Promise<T>;
}

/** Node's own fetch (undici): a keep-alive connection pool, nothing between the caller and the socket. */
export class FetchTransport implements Transport {
	private token = '';

	constructor(private readonly baseUrl: string) {}

	async login(email: string, password: string): Promise<void> {
		const answer = await this.call<{ accessToken: string }>(noLimit, 'POST', '/users/v2/login', { email, password });
		this.token = answer.accessToken;
	}

	/** HERE's 429 is answered as any client must: wait `Retry-After` (1 s without one) and ask again. */
	async call<T>(inFlight: Limit, method: string, path: string, body?: unknown): Promise<T> {
		for (;;) {
			const response = await inFlight(async () => await this.send(method, path, body));
			if (response.status !== 429) {
				if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${(await response.text()).slice(0, 200)}`);
				return (await response.json()) as T;
			}
			await response.text();
			await new Promise((resolve) => setTimeout(resolve, 1000 * (Number(response.headers.get('retry-after')) || 1)));
		}
	}

	private async send(method: string, path: string, body?: unknown): Promise<Response> {
		return await fetch(`${this.baseUrl}${path}`, {
			method,
			headers: {
				Authorization: `Bearer ${this.token}`,
				Accept: 'application/json',
				'Content-Type': 'application/json',
				'X-Request-Id': crypto.randomUUID(),
			},
			body: body === undefined ? undefined : JSON.stringify(body),
		});
	}
}

export class ReferenceClient {
	requests = 0;
	private readonly transport: Transport;
	private readonly inFlight: Limit;

	constructor(
		baseUrl: string,
		private readonly concurrency: ReferenceConcurrency,
		transport?: Transport,
	) {
		this.transport = transport ?? new FetchTransport(baseUrl);
		this.inFlight = concurrencyLimit(concurrency.inFlight);
	}

	private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
		this.requests++;
		return await this.transport.call<T>(this.inFlight, method, path, body);
	}

	async login(email: string, password: string): Promise<void> {
		await this.transport.login(email, password);
	}

	async createJobs(chunks: object[][], fileName: string): Promise<string[]> {
		return await mapLimit(chunks, this.concurrency.uploads, async (devices, index) => {
			const name = chunks.length > 1 ? `${fileName} (${index + 1}/${chunks.length})` : fileName;
			const answer = await this.call<{ jobId: string }>('POST', `${UPLOADS}?fileName=${encodeURIComponent(name)}`, devices);
			return answer.jobId;
		});
	}

	async status(jobId: string): Promise<{ status: string }> {
		return await this.call<{ status: string }>('GET', `${UPLOADS}/${jobId}/status`);
	}

	/**
	 * Status rounds with the node's backoff (1 s, doubling, at most 30 s) until every job is
	 * final; each job's results are read as soon as it is seen final, `resultJobs` jobs at once,
	 * as the node does. The rows come back in the order of `jobIds`.
	 */
	async waitAndReadResults(jobIds: string[]): Promise<ResultRow[][]> {
		const limit = concurrencyLimit(this.concurrency.resultJobs);
		const reads = new Map<string, Promise<ResultRow[]>>();
		let open = jobIds;
		let delay = 1000;
		for (;;) {
			const answers = await mapLimit(open, this.concurrency.status, async (jobId) => await this.status(jobId));
			for (const [index, jobId] of open.entries()) {
				if (FINAL.includes(answers[index].status)) reads.set(jobId, limit(async () => await this.results(jobId)));
			}
			open = open.filter((jobId) => !reads.has(jobId));
			if (open.length === 0) break;
			await new Promise((resolve) => setTimeout(resolve, delay));
			delay = Math.min(delay * 2, 30_000);
		}
		return await Promise.all(jobIds.map(async (jobId) => await reads.get(jobId)!));
	}

	/** The status and every result of finished jobs, `resultJobs` jobs at once (Get Results over items, the trigger). */
	async statusAndResults(jobIds: string[]): Promise<ResultRow[][]> {
		return await mapLimit(jobIds, this.concurrency.resultJobs, async (jobId) => {
			await this.status(jobId);
			return await this.results(jobId);
		});
	}

	async results(jobId: string): Promise<ResultRow[]> {
		const rows: ResultRow[] = [];
		let pageToken: string | undefined;
		do {
			const query = `limit=100${pageToken ? `&pageToken=${encodeURIComponent(pageToken)}` : ''}`;
			const page = await this.call<{ items: ResultRow[]; nextPageToken?: string }>('GET', `${UPLOADS}/${jobId}/results?${query}`);
			for (const row of page.items) rows.push(row);
			pageToken = page.nextPageToken || undefined;
		} while (pageToken);
		return rows;
	}
}

export async function mapLimit<I, T>(inputs: readonly I[], limit: number, fn: (input: I, index: number) => Promise<T>): Promise<T[]> {
	const out: T[] = new Array(inputs.length);
	let next = 0;
	await Promise.all(
		Array.from({ length: Math.max(1, Math.min(limit, inputs.length)) }, async () => {
			while (next < inputs.length) {
				const index = next++;
				out[index] = await fn(inputs[index], index);
			}
		}),
	);
	return out;
}

/** csv-parse and the least mapping HERE's JSON body needs: numbers as numbers, tag columns as a list. */
export function devicesFromCsv(csv: Buffer): object[] {
	const records = parse(csv, { bom: true, columns: true, skip_empty_lines: true }) as Array<Record<string, string>>;
	return records.map((record) => {
		const device: Record<string, unknown> = {};
		const tags: string[] = [];
		for (const [key, value] of Object.entries(record)) {
			if (value === '') continue;
			if (key.startsWith('tag:')) {
				if (value === '1') tags.push(key.slice(4));
			} else if (key === 'sendMs' || key === 'sampleMs' || key === 'distanceM') device[key] = Number(value);
			else device[key] = value;
		}
		if (tags.length > 0) device.tags = tags;
		return device;
	});
}

export function chunk<T>(items: T[], size: number): T[][] {
	const out: T[][] = [];
	for (let at = 0; at < items.length; at += size) out.push(items.slice(at, at + size));
	return out;
}
