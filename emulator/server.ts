import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleControl } from './control';
import type { EmulatorCore } from './core';
import { accountErrorBody, ApiError, badRequest, trackingErrorBody } from './errors';
import type { FaultDecision } from './faults';
import type { Admission } from './rate-limit';
import { parseQuery, readBody, writeJson, type ApiRequest, type ApiResponse, type Route } from './http';
import { UUID_V4 } from './ids';
import { bulkJobRoutes } from './routes/bulkjobs';
import { deviceRoutes } from './routes/devices';
import { licenseRoutes } from './routes/licenses';
import { serviceRoutes } from './routes/service';
import { userRoutes } from './routes/users';
import type { RequestLogEntry } from './types';

/** Health and version take no parameters at all in the spec, so no X-Request-Id check either. */
const UNCHECKED_PATHS = new Set(['/bulkjobs/v4/health', '/bulkjobs/v4/version']);

/** Timers of `slow` faults and of the latency model, so that close() does not wait for them. */
class Sleeper {
	private readonly pending = new Map<NodeJS.Timeout, () => void>();

	sleep(ms: number): Promise<void> {
		return new Promise((resolve) => {
			const timer = setTimeout(() => {
				this.pending.delete(timer);
				resolve();
			}, ms);
			this.pending.set(timer, resolve);
		});
	}

	wakeAll(): void {
		for (const [timer, resolve] of this.pending) {
			clearTimeout(timer);
			resolve();
		}
		this.pending.clear();
	}
}

export interface RunningServer {
	url: string;
	close(): Promise<void>;
}

/** The HTTP face of the emulator: routing, the request log, fault injection, error bodies. */
export async function listen(core: EmulatorCore, host: string, port: number): Promise<RunningServer> {
	const routes: Route[] = [...serviceRoutes(), ...userRoutes(core), ...deviceRoutes(core), ...licenseRoutes(core), ...bulkJobRoutes(core)];
	const sleeper = new Sleeper();
	const server: Server = createServer((req, res) => {
		onRequest(core, routes, sleeper, req, res).catch((error: unknown) => {
			// Only I/O failures get here (a client that went away mid-body); there is nobody left to answer.
			if (!res.headersSent && !res.destroyed) writeJson(res, 500, JSON.stringify(trackingErrorBody(500, String(error), core.ids.traceId())));
		});
	});
	// Large uploads on slow CI machines: do not cut a request off while its body is still arriving.
	server.requestTimeout = 0;
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, host, () => resolve());
	});
	const address = server.address() as AddressInfo;
	const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
	return {
		url: `http://${shownHost}:${address.port}`,
		close: () =>
			new Promise<void>((resolve) => {
				sleeper.wakeAll();
				server.close(() => resolve());
				server.closeAllConnections();
			}),
	};
}

async function onRequest(core: EmulatorCore, routes: Route[], sleeper: Sleeper, req: IncomingMessage, res: ServerResponse): Promise<void> {
	const method = (req.method ?? 'GET').toUpperCase();
	const url = new URL(req.url ?? '/', 'http://emulator.invalid');
	const path = url.pathname;
	if (path === '/_emulator' || path.startsWith('/_emulator/')) {
		await handleControl(core, method, path, url.searchParams, req, res);
		return;
	}
	// Admitted on arrival and released once the answer has left, network time included.
	const admission = core.rateLimiter?.admit(headerValue(req, 'authorization') ?? req.socket.remoteAddress ?? 'unknown');
	try {
		await onApiRequest(core, routes, sleeper, req, res, method, url, admission);
	} finally {
		admission?.release();
	}
}

async function onApiRequest(
	core: EmulatorCore,
	routes: Route[],
	sleeper: Sleeper,
	req: IncomingMessage,
	res: ServerResponse,
	method: string,
	url: URL,
	admission: Admission | undefined,
): Promise<void> {
	const path = url.pathname;
	const requestId = headerValue(req, 'x-request-id');
	const entry: RequestLogEntry = { method, path, query: parseQuery(url.searchParams), status: 'dropped', at: core.clock.now() };
	if (requestId !== undefined) entry.requestId = requestId;
	const done = (status: number | 'dropped'): void => {
		entry.status = status;
		core.log.add(entry);
	};
	const gone = (): boolean => res.destroyed || req.socket.destroyed;
	const newConnection = core.connections.firstUse(req.socket);
	if (newConnection) core.log.connectionsOpened++;
	/** The request's trip to HERE (latency model), before it is handled; the first on a connection pays its set-up. */
	const arrive = async (bytes: number): Promise<void> => {
		if (core.latency) await sleeper.sleep(core.latency.inboundMs(bytes, newConnection));
	};
	/** The answer's trip back (latency model), then the answer. */
	const reply = async (response: ApiResponse): Promise<void> => {
		const text = responseText(response);
		if (core.latency) await sleeper.sleep(core.latency.outboundMs(Buffer.byteLength(text)));
		if (gone()) return done('dropped');
		writeJson(res, response.status, text, responseHeaders(response, requestId));
		done(response.status);
	};

	if (admission && !admission.allowed) {
		await arrive((await readBody(req)).body.length);
		return await reply(tooManyRequests(core, admission.retryAfterSeconds));
	}

	const fault = core.faults.decide(method, path);
	if (fault) entry.fault = fault.kind;
	if (fault && !fault.afterEffect) {
		if (fault.kind === 'drop') {
			req.socket.destroy();
			return done('dropped');
		}
		if (fault.kind === 'slow') {
			await sleeper.sleep(fault.slowMs);
			// The client gave up while the server was "slow": the request never ran.
			if (gone()) return done('dropped');
		} else {
			await arrive((await readBody(req)).body.length);
			return await reply(faultResponse(core, fault, undefined));
		}
	}

	const { body, tooLarge } = await readBody(req);
	await arrive(body.length);
	const apiRequest: ApiRequest = { method, path, query: entry.query, headers: req.headers, body };
	let response = tooLarge
		? errorResponse(core, new ApiError(413, 'The request body is larger than 10 MiB.'))
		: dispatch(core, routes, apiRequest, requestId);

	if (fault?.afterEffect) {
		if (fault.kind === 'drop') {
			req.socket.destroy();
			return done('dropped');
		}
		if (fault.kind === 'slow') {
			await sleeper.sleep(fault.slowMs);
			if (gone()) return done('dropped');
		} else {
			response = faultResponse(core, fault, response);
		}
	}
	await reply(response);
}

function dispatch(core: EmulatorCore, routes: Route[], req: ApiRequest, requestId: string | undefined): ApiResponse {
	try {
		if (requestId !== undefined && !UNCHECKED_PATHS.has(req.path) && !UUID_V4.test(requestId.toLowerCase())) {
			throw badRequest('The X-Request-Id header must be a UUIDv4.', { field: 'X-Request-Id' });
		}
		let pathKnown = false;
		for (const route of routes) {
			const match = route.pattern.exec(req.path);
			if (!match) continue;
			pathKnown = true;
			if (route.method === req.method) return route.handle(req, match.slice(1).map(decodePathSegment));
		}
		if (pathKnown) throw new ApiError(405, `${req.method} is not allowed on ${req.path}.`);
		throw new ApiError(404, `No such endpoint: ${req.method} ${req.path}.`);
	} catch (error: unknown) {
		if (error instanceof ApiError) return errorResponse(core, error);
		// A bug in the emulator: say so in the body rather than hang the client.
		const message = error instanceof Error ? error.message : String(error);
		process.stderr.write(`here-emulator: internal error on ${req.method} ${req.path}: ${message}\n`);
		return errorResponse(core, new ApiError(500, `Emulator internal error: ${message}`));
	}
}

/**
 * A path parameter as the client meant it. Broken percent-encoding (`%E0%A4%A`) stays as sent: it
 * then fails the parameter's own check (a jobId's pattern, 400) after the token is checked, like
 * any other malformed value.
 */
function decodePathSegment(segment: string): string {
	try {
		return decodeURIComponent(segment);
	} catch {
		return segment;
	}
}

function errorResponse(core: EmulatorCore, error: ApiError): ApiResponse {
	const body =
		error.shape === 'account'
			? accountErrorBody(error.status, error.message, core.ids.traceId().replace(/-emu$/, ''))
			: trackingErrorBody(error.status, error.message, core.ids.traceId(), error.details);
	return { status: error.status, body, headers: error.headers };
}

/** HERE's 429, with `Retry-After` (seconds) or without. */
function tooManyRequests(core: EmulatorCore, retryAfterSeconds: number | undefined): ApiResponse {
	const headers: Record<string, string> = retryAfterSeconds === undefined ? {} : { 'Retry-After': String(retryAfterSeconds) };
	return errorResponse(core, new ApiError(429, 'Too Many Requests', {}, 'tracking', headers));
}

/** A fault's response; `real` is the response the server had made (after-effect faults), if any. */
function faultResponse(core: EmulatorCore, fault: FaultDecision, real: ApiResponse | undefined): ApiResponse {
	switch (fault.kind) {
		case 'malformed-json': {
			// Half of a JSON object's text never parses. Without a real response there is nothing to cut, so cut a plausible one.
			const text = JSON.stringify(real?.body ?? { status: 'ongoing', items: [{ jobId: 'BULK-' }] });
			// Only the body breaks on the way: the real answer's status (202 for a create) and headers arrive as sent.
			return { status: real?.status ?? 200, headers: real?.headers, body: new RawJson(text.slice(0, Math.max(1, Math.floor(text.length / 2)))) };
		}
		case '429':
			return tooManyRequests(core, fault.retryAfterSeconds);
		case '429-no-retry-after':
			return tooManyRequests(core, undefined);
		case '500':
		case '502':
		case '503':
			return errorResponse(core, new ApiError(Number(fault.kind), `Injected fault: ${fault.kind}.`));
		case 'slow':
		case 'drop':
			throw new Error(`${fault.kind} has no response`);
	}
}

/** Text sent as-is in a JSON response (the malformed-json fault). */
class RawJson {
	constructor(readonly text: string) {}
}

function responseText(response: ApiResponse): string {
	return response.body instanceof RawJson ? response.body.text : response.body === undefined ? '' : JSON.stringify(response.body);
}

function responseHeaders(response: ApiResponse, requestId: string | undefined): Record<string, string> {
	const headers: Record<string, string> = { ...(response.headers ?? {}) };
	if (requestId !== undefined) headers['X-Request-Id'] = requestId;
	return headers;
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
	const value = req.headers[name];
	return Array.isArray(value) ? value[0] : value;
}
