import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Answer {
	status: number;
	json: unknown;
}

export interface MisbehavingHere {
	url: string;
	close(): Promise<void>;
}

/**
 * A HERE that misbehaves: a server in front of the emulator that hands every request to
 * `answer`, which may forward it (`forward()`, the emulator's own answer) and change what comes
 * back, or answer by itself. Only JSON answers are handled, which is all the nodes read.
 */
export async function startMisbehavingHere(
	emulatorUrl: string,
	answer: (request: { method: string; path: string; query: URLSearchParams }, forward: () => Promise<Answer>) => Promise<Answer>,
): Promise<MisbehavingHere> {
	const server = http.createServer((req, res) => {
		void (async () => {
			const chunks: Buffer[] = [];
			for await (const chunk of req) chunks.push(chunk as Buffer);
			const url = new URL(req.url ?? '/', emulatorUrl);
			const forward = async (): Promise<Answer> => {
				const headers: Record<string, string> = {};
				for (const name of ['authorization', 'content-type', 'x-request-id']) {
					const value = req.headers[name];
					if (typeof value === 'string') headers[name] = value;
				}
				const response = await fetch(url, { method: req.method, headers, body: chunks.length > 0 ? Buffer.concat(chunks) : undefined });
				const text = await response.text();
				return { status: response.status, json: text === '' ? undefined : (JSON.parse(text) as unknown) };
			};
			const { status, json } = await answer({ method: req.method ?? 'GET', path: url.pathname, query: url.searchParams }, forward);
			res.writeHead(status, { 'Content-Type': 'application/json' });
			res.end(json === undefined ? '' : JSON.stringify(json));
		})();
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return {
		url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
		close: async () => await new Promise<void>((resolve) => server.close(() => resolve())),
	};
}
