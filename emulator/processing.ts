import { performance } from 'node:perf_hooks';
import type { Clock } from './clock';
import { applyRow } from './device-ops';
import type { IdSource } from './ids';
import { finish, isTerminal, recordResult, type Job, type JobStore } from './jobs';
import { ParallelBudget } from './processing-rate';
import type { ProjectStore } from './projects';

/**
 * `timer`: `devicesPerSecond` for the job in front; with `parallelJobs`, for each of that many
 * jobs at once (the processing-rate model, see processing-rate.ts).
 */
export type ProcessingOptions = { mode: 'timer'; devicesPerSecond: number; parallelJobs?: number } | { mode: 'instant' } | { mode: 'manual' };

/** How often the timer hands out its device budget: small enough that progress looks smooth. */
const TICK_MS = 20;

/**
 * Works through jobs' rows, first job first (later jobs stay `pending` meanwhile, as on a busy
 * server). `timer` spends a devices-per-second budget in real time, `instant` processes a job
 * while it is created, `manual` waits for `process()` so a test can stop a job half-way.
 */
export class Processor {
	private queue: Job[] = [];
	private timer: NodeJS.Timeout | undefined;
	private lastTick = 0;
	private budget = 0;
	private idleWaiters: Array<() => void> = [];
	private readonly parallel = new ParallelBudget();

	constructor(
		private options: ProcessingOptions,
		private readonly store: JobStore,
		private readonly projects: ProjectStore,
		private readonly ids: IdSource,
		private readonly clock: Clock,
	) {
		checkOptions(options);
	}

	/** The processing options in force (the state's `processing`). */
	get settings(): ProcessingOptions {
		return this.options;
	}

	/** Changes how jobs are processed from now on; queued jobs carry on under the new options. */
	configure(options: ProcessingOptions): void {
		checkOptions(options);
		this.options = options;
		this.stopTimer();
		if (options.mode === 'instant') this.process();
		else if (options.mode === 'timer' && this.queue.length > 0) this.startTimer();
	}

	get mode(): ProcessingOptions['mode'] {
		return this.options.mode;
	}

	enqueue(job: Job): void {
		if (this.options.mode === 'instant') {
			this.work(job, Infinity);
			return;
		}
		this.queue.push(job);
		if (this.options.mode === 'timer') this.startTimer();
	}

	/** Processes `devices` rows now (default: every pending row), of one job or first job first. */
	process(options: { jobId?: string; devices?: number } = {}): void {
		const budget = options.devices ?? Infinity;
		if (!(budget >= 0)) throw new RangeError('process: devices must be a non-negative number');
		if (options.jobId !== undefined) {
			const job = this.queue.find((j) => j.id === options.jobId);
			if (!job) throw new RangeError(`process: job ${options.jobId} has no pending devices`);
			this.work(job, budget);
		} else {
			this.drain(budget);
		}
		this.compact();
	}

	/** Resolves when no job has pending rows. Manual mode has no clock to wait for, so it processes everything. */
	settle(): Promise<void> {
		if (this.options.mode === 'manual') this.process();
		this.compact();
		if (this.queue.length === 0) return Promise.resolve();
		return new Promise((resolve) => this.idleWaiters.push(resolve));
	}

	/** `setJobOutcome(jobId, 'failed')`: unprocessed rows fail with a server error and the job ends failed. */
	forceFail(job: Job): void {
		const now = this.clock.now();
		if (!isTerminal(job)) {
			for (let i = job.results.length; i < job.rows.length; i++) {
				const row = job.rows[i];
				const name = row.kind === 'add' ? { name: row.name } : row.trackingId !== undefined ? { trackingId: row.trackingId } : {};
				recordResult(job, { ...name, errors: [{ code: 500, message: 'The job failed before this device was processed.', details: 'job' }] }, 'failed', now);
			}
		}
		job.status = 'failed';
		job.updatedAt = now;
		this.compact();
	}

	clear(): void {
		this.queue = [];
		this.stopTimer();
		this.wakeIdle();
	}

	stop(): void {
		this.stopTimer();
	}

	private startTimer(): void {
		if (this.timer) return;
		this.lastTick = performance.now();
		this.budget = 0;
		this.timer = setInterval(() => this.tick(), TICK_MS);
		// Never keep a test process alive just because a job is still running.
		this.timer.unref();
	}

	private stopTimer(): void {
		if (this.timer) clearInterval(this.timer);
		this.timer = undefined;
	}

	private tick(): void {
		if (this.options.mode !== 'timer') return;
		const now = performance.now();
		const elapsed = now - this.lastTick;
		this.lastTick = now;
		if (this.options.parallelJobs !== undefined) {
			const running = this.queue.filter((job) => !isTerminal(job) && this.store.has(job));
			for (const [job, devices] of this.parallel.grant(running, this.options, elapsed)) if (devices > 0) this.work(job, devices);
		} else {
			this.budget += (this.options.devicesPerSecond * elapsed) / 1000;
			const whole = Math.floor(this.budget);
			this.budget -= whole;
			if (whole > 0) this.drain(whole);
		}
		this.compact();
	}

	/** Spends a budget of devices over the queue, first job first. */
	private drain(budget: number): void {
		for (const job of this.queue) {
			if (budget <= 0) break;
			budget -= this.work(job, budget);
		}
	}

	/** Processes up to `budget` rows of one job; returns how many it did. */
	private work(job: Job, budget: number): number {
		if (isTerminal(job) || !this.store.has(job)) return 0;
		const project = this.projects.get(job.projectId);
		if (!project) return 0;
		const now = this.clock.now();
		if (job.status === 'pending') job.status = 'ongoing';
		const end = Math.min(job.rows.length, job.results.length + budget);
		const start = job.results.length;
		for (let i = start; i < end; i++) {
			const { item, outcome } = applyRow(project.devices, job.rows[i], this.ids, now);
			recordResult(job, item, outcome, now);
		}
		if (job.results.length === job.rows.length) finish(job, now);
		return end - start;
	}

	/** Drops finished, cancelled and forgotten jobs; stops the timer and wakes `settle()` when nothing is left. */
	private compact(): void {
		if (this.queue.some((j) => isTerminal(j) || !this.store.has(j))) {
			this.queue = this.queue.filter((j) => !isTerminal(j) && this.store.has(j));
		}
		if (this.queue.length === 0) {
			this.stopTimer();
			this.wakeIdle();
		}
	}

	private wakeIdle(): void {
		const waiters = this.idleWaiters;
		this.idleWaiters = [];
		for (const resolve of waiters) resolve();
	}
}

function checkOptions(options: ProcessingOptions): void {
	if (options.mode !== 'timer') return;
	if (!(options.devicesPerSecond > 0)) throw new RangeError('processing.devicesPerSecond must be greater than 0');
	if (options.parallelJobs !== undefined && !(Number.isInteger(options.parallelJobs) && options.parallelJobs >= 1)) {
		throw new RangeError('processing.parallelJobs must be a whole number of at least 1');
	}
}
