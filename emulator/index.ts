/**
 * A local HERE Tracking server for demos and tests: the bulk-jobs v4 paths, login, refresh,
 * token exchange and licenses of the spec subset, with the "Decided here" behaviours of the API
 * notes, a virtual clock, controllable processing and fault injection.
 *
 *   const here = await startEmulator({ demo: true, processing: { mode: 'instant' } });
 *   fetch(`${here.url}/bulkjobs/v4/health`); ... await here.close();
 */
import { EmulatorCore, DEMO } from './core';
import { snapshotJob } from './jobs';
import type { LatencyOptions } from './latency';
import type { ProcessingOptions } from './processing';
import type { RateLimitOptions } from './rate-limit';
import { listen } from './server';
import type { FaultKind, JobSnapshot, DeviceSnapshot, RequestLogEntry } from './types';

export { DEMO };
export type { FaultKind, JobSnapshot, DeviceSnapshot, RequestLogEntry, ProcessingOptions, LatencyOptions, RateLimitOptions };
export type { JobStatus, JobType, ResultItem } from './types';

export interface EmulatorOptions {
	/** Default '127.0.0.1'. */
	host?: string;
	/** Default 0: a free port. */
	port?: number;
	/** Seeds list shuffles, ids and fault dice; random when absent (see `GET /_emulator/state`). */
	seed?: number;
	/** Default 86400. */
	tokenTtlSeconds?: number;
	/** Default `{ mode: 'timer', devicesPerSecond: 500 }`. */
	processing?: ProcessingOptions;
	/** Round-trip time, jitter and bandwidth of every API request; off (instant answers) when absent. */
	latency?: LatencyOptions;
	/** 429 past a number of requests in flight or per second per client; off when absent. */
	rateLimit?: RateLimitOptions;
	/** Seed the demo user, project and token (`DEMO`). */
	demo?: boolean;
}

export interface FaultRateOptions {
	rate: number;
	kinds: FaultKind[];
	seed?: number;
	match?: { method?: string; path?: RegExp };
	afterEffect?: boolean;
	retryAfterSeconds?: number;
	slowMs?: number;
}

export interface FaultScriptOptions {
	method?: string;
	path?: RegExp;
	kind: FaultKind;
	times?: number;
	afterEffect?: boolean;
	retryAfterSeconds?: number;
	slowMs?: number;
}

export interface HereEmulator {
	readonly url: string;
	close(): Promise<void>;
	addUser(user: {
		email: string;
		password: string;
		realm?: string;
		projects: Array<{ projectId: string; projectName?: string; projectHrn?: string }>;
	}): { userId: string };
	issueToken(email: string, options?: { ttlSeconds?: number; projectHrn?: string }): string;
	readonly clock: { now(): number; advance(ms: number): void };
	process(options?: { jobId?: string; devices?: number }): void;
	settle(): Promise<void>;
	readonly faults: {
		setRate(config: FaultRateOptions | null): void;
		script(entries: FaultScriptOptions[]): void;
		clear(): void;
		readonly injected: number;
	};
	readonly requests: ReadonlyArray<RequestLogEntry>;
	/** Client connections opened since the request log was last cleared. */
	readonly connectionsOpened: number;
	clearRequests(): void;
	jobs(projectId?: string): JobSnapshot[];
	devices(projectId: string): DeviceSnapshot[];
	setJobOutcome(jobId: string, outcome: 'failed'): void;
	/** Not in the brief's list: back to the state right after start (the control API's `POST reset`). */
	reset(): void;
	/** The performance models, changed while running (undefined: off); `reset()` restores the start options. */
	setProcessing(options: ProcessingOptions): void;
	setLatency(options: LatencyOptions | undefined): void;
	setRateLimit(options: RateLimitOptions | undefined): void;
	/** 429 answers the rate limiter gave since it was (re)configured. */
	readonly rateLimited: number;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<HereEmulator> {
	const core = new EmulatorCore(options);
	const server = await listen(core, options.host ?? '127.0.0.1', options.port ?? 0);
	return {
		url: server.url,
		async close() {
			core.processor.stop();
			await server.close();
		},
		addUser: (user) => core.accounts.addUser(user),
		issueToken: (email, tokenOptions) => core.accounts.issueToken(email, tokenOptions),
		clock: { now: () => core.clock.now(), advance: (ms) => core.clock.advance(ms) },
		process: (processOptions) => core.processor.process(processOptions),
		settle: () => core.processor.settle(),
		faults: {
			setRate: (config) => core.faults.setRate(config),
			script: (entries) => core.faults.script(entries),
			clear: () => core.faults.clear(),
			get injected() {
				return core.faults.injected;
			},
		},
		get requests() {
			return core.log.all;
		},
		get connectionsOpened() {
			return core.log.connectionsOpened;
		},
		clearRequests: () => core.log.clear(),
		jobs: (projectId) => core.jobs.all().filter((j) => projectId === undefined || j.projectId === projectId).map(snapshotJob),
		devices: (projectId) => {
			const project = core.projects.get(projectId);
			if (!project) throw new RangeError(`devices: unknown project ${projectId}`);
			return project.devices.snapshot();
		},
		setJobOutcome: (jobId, outcome) => {
			const job = core.jobs.get(jobId);
			if (!job) throw new RangeError(`setJobOutcome: unknown job ${jobId}`);
			if (outcome !== 'failed') throw new RangeError('setJobOutcome: only "failed" is supported');
			core.processor.forceFail(job);
		},
		reset: () => core.reset(),
		setProcessing: (processing) => core.processor.configure(processing),
		setLatency: (latency) => core.setLatency(latency),
		setRateLimit: (rateLimit) => core.setRateLimit(rateLimit),
		get rateLimited() {
			return core.rateLimiter?.refused ?? 0;
		},
	};
}
