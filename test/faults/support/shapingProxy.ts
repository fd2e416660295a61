import { createServer, request as httpRequest } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A pass-through in front of the emulator that reshapes its JSON answers into forms the spec
 * allows but the emulator never produces: optional fields missing, extra fields, empty pages
 * that still carry a `nextPageToken`, a page token repeated. Everything else (auth, jobs,
 * tokens) is the emulator's; the proxy only rewrites what a rule asks it to.
 */
export interface ProxiedRequest {
	method: string;
	path: string;
	query: URLSearchParams;
}

export type ShapeAction =
	/** Answer this request without asking the emulator. */
	| { respond: unknown; status?: number }
	/** Ask the emulator (with `query` instead of the original one, if given), then rewrite its JSON answer. */
	| { forwardQuery?: URLSearchParams; transform?: (body: unknown) => unknown };

export type ShapeRule = (request: ProxiedRequest) => ShapeAction | undefined;

export interface ShapingProxy {
	url: string;
	/** The rule for the next requests (undefined: plain pass-through). */
	use(rule: ShapeRule | undefined): void;
	/** Requests seen since the last `use`, as "METHOD path?query". */
	readonly seen: string[];
	close(): Promise<void>;
}

function readAll(stream: IncomingMessage): Promise<Buffer> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		stream.on('data', (chunk: Buffer) => chunks.push(chunk));
		stream.on('end', () => resolve(Buffer.concat(chunks)));
		stream.on('error', reject);
	});
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
	const text = JSON.stringify(body);
	res.writeHead(status, { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
	res.end(text);
}

export async function startShapingProxy(upstream: string): Promise<ShapingProxy> {
	const target = new URL(upstream);
	let rule: ShapeRule | undefined;
	const seen: string[] = [];

	const handle = async (req: IncomingMessage, res: ServerResponse) => {
		const url = new URL(req.url ?? '/', 'http://proxy.invalid');
		const proxied: ProxiedRequest = { method: (req.method ?? 'GET').toUpperCase(), path: url.pathname, query: url.searchParams };
		seen.push(`${proxied.method} ${url.pathname}${url.search}`);
		const body = await readAll(req);
		const action = rule?.(proxied);
		if (action && 'respond' in action) {
			sendJson(res, action.status ?? 200, action.respond, { 'x-request-id': String(req.headers['x-request-id'] ?? '') });
			return;
		}
		const query = action?.forwardQuery ?? url.searchParams;
		const search = query.toString();
		const upstreamRes = await new Promise<IncomingMessage>((resolve, reject) => {
			const headers = { ...req.headers, host: target.host };
			delete headers['content-length'];
			const forward = httpRequest(
				{ host: target.hostname, port: target.port, method: proxied.method, path: `${url.pathname}${search ? `?${search}` : ''}`, headers: { ...headers, 'content-length': String(body.length) } },
				resolve,
			);
			forward.on('error', reject);
			forward.end(body);
		});
		const answer = await readAll(upstreamRes);
		const type = String(upstreamRes.headers['content-type'] ?? '');
		if (action?.transform && type.includes('json') && answer.length > 0 && upstreamRes.statusCode !== undefined && upstreamRes.statusCode < 300) {
			sendJson(res, upstreamRes.statusCode, action.transform(JSON.parse(answer.toString('utf8'))), {
				'x-request-id': String(upstreamRes.headers['x-request-id'] ?? ''),
			});
			return;
		}
		const headers = { ...upstreamRes.headers };
		res.writeHead(upstreamRes.statusCode ?? 502, headers);
		res.end(answer);
	};

	const server: Server = createServer((req, res) => {
		handle(req, res).catch((error: unknown) => {
			if (!res.headersSent) sendJson(res, 502, { error: 'proxy', message: String(error) });
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		use(next) {
			rule = next;
			seen.length = 0;
		},
		seen,
		close: () =>
			new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			}),
	};
}
