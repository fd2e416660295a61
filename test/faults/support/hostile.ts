import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Two small servers for the "token goes elsewhere" checks: a redirector that answers every
 * request with a redirect to another host, and a collector on that other host that records
 * whatever reaches it (headers and body). Anything the collector sees is a leak.
 */
export interface Seen {
	method: string;
	url: string;
	headers: IncomingMessage['headers'];
	body: string;
}

export interface Listening {
	url: string;
	seen: Seen[];
	close(): Promise<void>;
}

async function listen(host: string, handle: (req: IncomingMessage, body: string) => { status: number; headers?: Record<string, string>; body?: string }): Promise<Listening> {
	const seen: Seen[] = [];
	const server: Server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			const body = Buffer.concat(chunks).toString('utf8');
			seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
			const answer = handle(req, body);
			res.writeHead(answer.status, { 'content-type': 'application/json', ...(answer.headers ?? {}) });
			res.end(answer.body ?? '{}');
		});
	});
	await new Promise<void>((resolve) => server.listen(0, host, resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://${host}:${port}`,
		seen,
		close: () =>
			new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			}),
	};
}

/** Records every request; answers like HERE would, so a client that got here would carry on. */
export function startCollector(host = '127.0.0.2'): Promise<Listening> {
	return listen(host, (req) =>
		req.url?.startsWith('/users/v2/login')
			? { status: 200, body: JSON.stringify({ accessToken: 'collector-token', expiresIn: 3600 }) }
			: { status: 200, body: JSON.stringify({ status: 'completed', items: [] }) },
	);
}

/** Redirects every request (307 keeps the method and body) to the same path on `target`. */
export function startRedirector(target: string, status = 307): Promise<Listening> {
	return listen('127.0.0.1', (req) => ({ status, headers: { location: `${target}${req.url ?? '/'}` } }));
}
