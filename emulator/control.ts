import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorCore } from './core';
import type { FaultMatch, FaultRateConfig, FaultScriptEntry } from './faults';
import { readBody, writeJson } from './http';
import { snapshotJob } from './jobs';
import type { LatencyOptions } from './latency';
import type { ProcessingOptions } from './processing';
import type { RateLimitOptions } from './rate-limit';
import type { JobStatus } from './types';

/**
 * `/_emulator/*`: the same controls as the in-process handle, over HTTP, for tests that run the
 * emulator in another process (the real-n8n end-to-end tests). No auth, no faults, not logged.
 * Answers `{error}` with 400/404/405 on misuse.
 */
class ControlError extends Error {
	constructor(
		readonly status: number,
		message: string,
	) {
		super(message);
	}
}

type Json = Record<string, unknown>;

export async function handleControl(
	core: EmulatorCore,
	method: string,
	path: string,
	search: URLSearchParams,
	req: IncomingMessage,
	res: ServerResponse,
): Promise<void> {
	try {
		const { body, tooLarge } = await readBody(req);
		if (tooLarge) throw new ControlError(413, 'body too large');
		const input = parseObject(body);
		const result = await route(core, method, path.replace(/^\/_emulator\/?/, ''), search, input);
		writeJson(res, 200, JSON.stringify(result));
	} catch (error: unknown) {
		const status = error instanceof ControlError ? error.status : 400;
		writeJson(res, status, JSON.stringify({ error: error instanceof Error ? error.message : String(error) }));
	}
}

async function route(core: EmulatorCore, method: string, path: string, search: URLSearchParams, input: Json): Promise<unknown> {
	const key = `${method} ${path}`;
	switch (key) {
		case 'GET state':
			return state(core);
		case 'POST reset':
			core.reset();
			return { ok: true };
		case 'POST users': {
			const { userId } = core.accounts.addUser({
				email: str(input, 'email'),
				password: str(input, 'password'),
				realm: optStr(input, 'realm'),
				projects: arr(input, 'projects').map((p) => {
					const o = asObject(p, 'projects[]');
					return { projectId: str(o, 'projectId'), projectName: optStr(o, 'projectName'), projectHrn: optStr(o, 'projectHrn') };
				}),
			});
			// A ready token saves an end-to-end test a login round trip.
			return { userId, accessToken: core.accounts.issueToken(str(input, 'email')) };
		}
		case 'POST tokens':
			return {
				accessToken: core.accounts.issueToken(str(input, 'email'), { ttlSeconds: optNum(input, 'ttlSeconds'), projectHrn: optStr(input, 'projectHrn') }),
			};
		case 'GET faults':
			return { injected: core.faults.injected };
		case 'POST faults':
			if (input.script !== undefined) core.faults.script(arr(input, 'script').map((e) => scriptEntry(asObject(e, 'script[]'))));
			else if (input.rate === null) core.faults.setRate(null);
			else core.faults.setRate(rateConfig(input));
			return { ok: true, injected: core.faults.injected };
		case 'DELETE faults':
			core.faults.clear();
			return { ok: true, injected: core.faults.injected };
		case 'POST clock/advance':
			core.clock.advance(num(input, 'ms'));
			return { now: core.clock.now() };
		case 'POST process':
			core.processor.process({ jobId: optStr(input, 'jobId'), devices: optNum(input, 'devices') });
			return { ok: true };
		case 'POST settle':
			await core.processor.settle();
			return { ok: true };
		case 'GET requests':
			return { requests: core.log.all };
		case 'DELETE requests':
			core.log.clear();
			return { ok: true };
		case 'GET models':
			return models(core);
		case 'POST processing':
			core.processor.configure(processingOptions(input));
			return models(core);
		case 'POST latency':
			core.setLatency(latencyOptions(input));
			return models(core);
		case 'DELETE latency':
			core.setLatency(undefined);
			return models(core);
		case 'POST rate-limit':
			core.setRateLimit(rateLimitOptions(input));
			return models(core);
		case 'DELETE rate-limit':
			core.setRateLimit(undefined);
			return models(core);
		case 'GET devices': {
			const projectId = search.get('projectId');
			const project = projectId === null ? undefined : core.projects.get(projectId);
			if (!project) throw new ControlError(404, `unknown project ${projectId ?? '(none: pass ?projectId=)'}`);
			return { devices: project.devices.snapshot() };
		}
	}
	const outcome = /^jobs\/([^/]+)\/outcome$/.exec(path);
	if (outcome && method === 'POST') {
		if (input.outcome !== 'failed') throw new ControlError(400, 'outcome must be "failed"');
		const job = core.jobs.get(outcome[1]);
		if (!job) throw new ControlError(404, `unknown job ${outcome[1]}`);
		core.processor.forceFail(job);
		return snapshotJob(job);
	}
	throw new ControlError(404, `no control endpoint ${key}`);
}

function state(core: EmulatorCore): unknown {
	const jobs = core.jobs.all().map(snapshotJob);
	const byStatus: Partial<Record<JobStatus, number>> = {};
	for (const job of jobs) byStatus[job.status] = (byStatus[job.status] ?? 0) + 1;
	const devices: Record<string, number> = {};
	for (const project of core.projects.all()) devices[project.projectId] = project.devices.size;
	return {
		seed: core.seed,
		now: core.clock.now(),
		processing: core.processor.mode,
		models: models(core),
		users: core.accounts.listUsers(),
		counts: { jobs: jobs.length, byStatus, devices, requests: core.log.all.length, connections: core.log.connectionsOpened, faultsInjected: core.faults.injected },
		jobs,
	};
}

/** The performance models in force: processing, latency and rate limit (null when off), and the 429s given. */
function models(core: EmulatorCore): unknown {
	return {
		processing: core.processor.settings,
		latency: core.latency?.options ?? null,
		rateLimit: core.rateLimiter ? { ...core.rateLimiter.options, refused: core.rateLimiter.refused } : null,
	};
}

function processingOptions(input: Json): ProcessingOptions {
	const mode = str(input, 'mode');
	if (mode === 'instant' || mode === 'manual') return { mode };
	if (mode !== 'timer') throw new ControlError(400, 'mode must be "timer", "instant" or "manual"');
	const parallelJobs = optNum(input, 'parallelJobs');
	return { mode, devicesPerSecond: num(input, 'devicesPerSecond'), ...(parallelJobs === undefined ? {} : { parallelJobs }) };
}

function latencyOptions(input: Json): LatencyOptions {
	return {
		roundTripMs: num(input, 'roundTripMs'),
		jitter: optNum(input, 'jitter'),
		bandwidthMbps: optNum(input, 'bandwidthMbps'),
		handshakeRoundTrips: optNum(input, 'handshakeRoundTrips'),
	};
}

function rateLimitOptions(input: Json): RateLimitOptions {
	if (input.retryAfter !== undefined && typeof input.retryAfter !== 'boolean') throw new ControlError(400, 'retryAfter must be a boolean');
	const options: RateLimitOptions = { maxInFlight: optNum(input, 'maxInFlight'), maxPerSecond: optNum(input, 'maxPerSecond'), retryAfter: input.retryAfter as boolean | undefined };
	if (options.maxInFlight === undefined && options.maxPerSecond === undefined) throw new ControlError(400, 'give maxInFlight, maxPerSecond or both');
	return options;
}

/** Faults over JSON: `path` is a regular expression's source (optionally `pathFlags`). */
function rateConfig(input: Json): FaultRateConfig {
	const config: FaultRateConfig = { rate: num(input, 'rate'), kinds: arr(input, 'kinds') as FaultRateConfig['kinds'], ...shaping(input) };
	const seed = optNum(input, 'seed');
	if (seed !== undefined) config.seed = seed;
	if (input.match !== undefined) config.match = match(asObject(input.match, 'match'));
	return config;
}

function scriptEntry(input: Json): FaultScriptEntry {
	const entry: FaultScriptEntry = { kind: str(input, 'kind') as FaultScriptEntry['kind'], ...shaping(input), ...match(input) };
	const times = optNum(input, 'times');
	if (times !== undefined) entry.times = times;
	return entry;
}

function match(input: Json): FaultMatch {
	const out: FaultMatch = {};
	const method = optStr(input, 'method');
	const path = optStr(input, 'path');
	if (method !== undefined) out.method = method;
	if (path !== undefined) out.path = new RegExp(path, optStr(input, 'pathFlags'));
	return out;
}

function shaping(input: Json): Pick<FaultRateConfig, 'afterEffect' | 'retryAfterSeconds' | 'slowMs'> {
	const out: Pick<FaultRateConfig, 'afterEffect' | 'retryAfterSeconds' | 'slowMs'> = {};
	if (input.afterEffect !== undefined) {
		if (typeof input.afterEffect !== 'boolean') throw new ControlError(400, 'afterEffect must be a boolean');
		out.afterEffect = input.afterEffect;
	}
	const retryAfterSeconds = optNum(input, 'retryAfterSeconds');
	const slowMs = optNum(input, 'slowMs');
	if (retryAfterSeconds !== undefined) out.retryAfterSeconds = retryAfterSeconds;
	if (slowMs !== undefined) out.slowMs = slowMs;
	return out;
}

function parseObject(body: Buffer): Json {
	const text = body.toString('utf8').trim();
	if (text === '') return {};
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch {
		throw new ControlError(400, 'the body is not JSON');
	}
	return asObject(value, 'body');
}

function asObject(value: unknown, what: string): Json {
	if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ControlError(400, `${what} must be a JSON object`);
	return value as Json;
}

function str(input: Json, key: string): string {
	const value = input[key];
	if (typeof value !== 'string') throw new ControlError(400, `${key} must be a string`);
	return value;
}

function optStr(input: Json, key: string): string | undefined {
	return input[key] === undefined ? undefined : str(input, key);
}

function num(input: Json, key: string): number {
	const value = input[key];
	if (typeof value !== 'number') throw new ControlError(400, `${key} must be a number`);
	return value;
}

function optNum(input: Json, key: string): number | undefined {
	return input[key] === undefined ? undefined : num(input, key);
}

function arr(input: Json, key: string): unknown[] {
	const value = input[key];
	if (!Array.isArray(value)) throw new ControlError(400, `${key} must be an array`);
	return value;
}
