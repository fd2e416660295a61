import { Accounts } from './auth';
import { Clock } from './clock';
import { Faults } from './faults';
import { deriveSeed, IdSource, randomSeed, Rng } from './ids';
import { JobStore } from './jobs';
import { LatencyModel, type LatencyOptions } from './latency';
import { PageTokens } from './pagination';
import { Processor, type ProcessingOptions } from './processing';
import { ProjectStore } from './projects';
import { RateLimiter, type RateLimitOptions } from './rate-limit';
import { Connections, RequestLog } from './request-log';

export interface CoreOptions {
	seed?: number;
	tokenTtlSeconds?: number;
	processing?: ProcessingOptions;
	latency?: LatencyOptions;
	rateLimit?: RateLimitOptions;
	demo?: boolean;
}

/** The demo account `npm run emulator` and `demo: true` seed; only ever valid against the emulator. */
export const DEMO = {
	email: 'demo@example.com',
	password: 'demo-password',
	projectId: 'demo-project',
	projectHrn: 'hrn:here:authorization::here:project/demo-project',
	accessToken: 'emulator-demo-token',
} as const;

const DEFAULT_PROCESSING: ProcessingOptions = { mode: 'timer', devicesPerSecond: 500 };

/** The demo token outlives any test's clock.advance (ten years), so demos never log out. */
const DEMO_TOKEN_TTL_SECONDS = 10 * 365 * 24 * 60 * 60;

/** Everything the emulator knows, shared by the HTTP API, the control API and the in-process handle. */
export class EmulatorCore {
	readonly seed: number;
	readonly clock = new Clock();
	readonly ids: IdSource;
	readonly projects = new ProjectStore();
	readonly accounts: Accounts;
	readonly jobs: JobStore;
	readonly processor: Processor;
	readonly pages = new PageTokens();
	readonly faults: Faults;
	readonly log = new RequestLog();
	/** Shuffles job listings: the list order is not promised, so the emulator makes it unstable. */
	readonly listRng: Rng;
	/** The network model and the rate limiter: undefined (off) unless configured. */
	latency: LatencyModel | undefined;
	rateLimiter: RateLimiter | undefined;
	readonly connections = new Connections();

	constructor(private readonly options: CoreOptions) {
		this.seed = options.seed ?? randomSeed();
		this.ids = new IdSource(options.seed);
		this.accounts = new Accounts(this.clock, this.ids, this.projects, options.tokenTtlSeconds ?? 86_400);
		this.jobs = new JobStore(this.clock, this.ids);
		this.processor = new Processor(options.processing ?? DEFAULT_PROCESSING, this.jobs, this.projects, this.ids, this.clock);
		this.faults = new Faults(this.seed);
		this.listRng = new Rng(deriveSeed(this.seed, 'list'));
		this.setLatency(options.latency);
		this.setRateLimit(options.rateLimit);
		if (options.demo) this.seedDemo();
	}

	setLatency(options: LatencyOptions | undefined): void {
		this.latency = options === undefined ? undefined : new LatencyModel(options, this.seed);
	}

	setRateLimit(options: RateLimitOptions | undefined): void {
		this.rateLimiter = options === undefined ? undefined : new RateLimiter(options);
	}

	/** Back to the state right after start: no jobs, devices, tokens, faults or log; the demo account again if asked for. */
	reset(): void {
		this.processor.clear();
		this.jobs.clear();
		this.accounts.clear();
		this.projects.clear();
		this.pages.clear();
		this.faults.reset();
		this.log.clear();
		this.clock.reset();
		// The models as started, with fresh counters.
		this.processor.configure(this.options.processing ?? DEFAULT_PROCESSING);
		this.setLatency(this.options.latency);
		this.setRateLimit(this.options.rateLimit);
		if (this.options.demo) this.seedDemo();
	}

	private seedDemo(): void {
		this.accounts.addUser({
			email: DEMO.email,
			password: DEMO.password,
			projects: [{ projectId: DEMO.projectId, projectName: 'Demo project', projectHrn: DEMO.projectHrn }],
		});
		this.accounts.issueToken(DEMO.email, { ttlSeconds: DEMO_TOKEN_TTL_SECONDS, fixedToken: DEMO.accessToken });
	}
}
