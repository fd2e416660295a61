import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { badRequest, type ApiError } from './errors';
import type { Query } from './types';

/** A request as the route handlers see it: already parsed, body fully read. */
export interface ApiRequest {
	method: string;
	path: string;
	query: Query;
	headers: IncomingHttpHeaders;
	body: Buffer;
}

export interface ApiResponse {
	status: number;
	body?: unknown;
	headers?: Record<string, string>;
}

export interface Route {
	method: string;
	/** Anchored; capture groups become `params`. */
	pattern: RegExp;
	handle(req: ApiRequest, params: string[]): ApiResponse;
}

export function ok(body: unknown, status = 200): ApiResponse {
	return { status, body };
}

export function parseQuery(search: URLSearchParams): Query {
	const query: Query = {};
	for (const [key, value] of search) {
		const existing = query[key];
		if (existing === undefined) query[key] = value;
		else if (Array.isArray(existing)) existing.push(value);
		else query[key] = [existing, value];
	}
	return query;
}

export function jsonBody(req: ApiRequest): unknown {
	const media = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
	if (media !== '' && media !== 'application/json' && !media.endsWith('+json')) {
		throw badRequest(`Unsupported Content-Type "${media}": send application/json.`, { field: 'Content-Type' });
	}
	const text = req.body.toString('utf8');
	if (text.trim() === '') throw badRequest('The request body is empty: a JSON object is required.');
	try {
		return JSON.parse(text) as unknown;
	} catch (error: unknown) {
		throw unparsableJson(error, text);
	}
}

/**
 * A 400 for a body that is not JSON, saying where without quoting it. V8's own message quotes
 * the text around the fault, and in a login or refresh body that text is a password or a
 * refresh token. V8 gives no position for an unexpected character: then only the fact is told.
 */
export function unparsableJson(error: unknown, text: string): ApiError {
	const message = error instanceof Error ? error.message : '';
	if (/unexpected end/i.test(message)) return badRequest('The JSON body could not be parsed: it ends too early.');
	const position = /at position (\d+)/.exec(message);
	if (position === null) return badRequest('The JSON body could not be parsed: it is not valid JSON.');
	const offset = Number(position[1]);
	const lines = text.slice(0, offset).split('\n');
	return badRequest(`The JSON body could not be parsed at position ${offset} (line ${lines.length}, column ${lines[lines.length - 1].length + 1}).`);
}

/** One value of a query parameter; a repeated parameter that should be single is a bad request. */
export function single(query: Query, name: string): string | undefined {
	const value = query[name];
	if (Array.isArray(value)) throw badRequest(`The query parameter ${name} may be given only once.`, { field: name });
	return value;
}

/**
 * Every value of a parameter that takes several: repeated (`a=1&a=2`). The spec gives these
 * parameters no `style`, so OpenAPI's default applies (form, explode): a comma is part of a value.
 */
export function multi(query: Query, name: string): string[] | undefined {
	const value = query[name];
	if (value === undefined) return undefined;
	const values = Array.isArray(value) ? value : [value];
	if (values.some((v) => v === '')) throw badRequest(`The query parameter ${name} has an empty value.`, { field: name });
	return values;
}

export function integer(query: Query, name: string, min: number, max: number, fallback: number): number {
	const text = single(query, name);
	if (text === undefined) return fallback;
	const value = /^\d+$/.test(text) ? Number(text) : NaN;
	if (!Number.isSafeInteger(value) || value < min || value > max) {
		throw badRequest(`The query parameter ${name} must be an integer from ${min} to ${max}.`, { field: name });
	}
	return value;
}

export function oneOf<T extends string>(query: Query, name: string, allowed: readonly T[]): T | undefined {
	const text = single(query, name);
	if (text === undefined) return undefined;
	if (!(allowed as readonly string[]).includes(text)) throw badRequest(`The query parameter ${name} must be one of ${allowed.join(', ')}.`, { field: name });
	return text as T;
}

/** Bodies over 10 MiB get 413 (Decided here). */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;
/** Past this the emulator stops draining an oversized body and drops the connection. */
const MAX_DRAIN_BYTES = 64 * 1024 * 1024;

export interface ReadBody {
	body: Buffer;
	tooLarge: boolean;
}

/**
 * Reads the whole body. An oversized body is drained rather than cut off, so that the client
 * gets its 413 instead of a broken pipe while it is still sending.
 */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<ReadBody> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		let size = 0;
		let tooLarge = false;
		let ended = false;
		req.on('data', (chunk: Buffer) => {
			size += chunk.length;
			if (size > MAX_DRAIN_BYTES) req.socket.destroy();
			else if (size > limit) {
				tooLarge = true;
				chunks.length = 0;
			} else chunks.push(chunk);
		});
		req.on('end', () => {
			ended = true;
			resolve({ body: tooLarge ? Buffer.alloc(0) : Buffer.concat(chunks), tooLarge });
		});
		req.on('close', () => {
			if (!ended) reject(new Error('The client closed the connection before the body was complete.'));
		});
		req.on('error', reject);
	});
}

export function writeJson(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
	res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(Buffer.byteLength(text)), ...headers });
	res.end(text);
}
