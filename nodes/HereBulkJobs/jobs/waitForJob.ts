import { NodeOperationError, sleep } from 'n8n-workflow';

import { escapeHtml, htmlParagraphs } from '../editorText';
import type { HereContext } from '../transport';
import { ensureNodeError } from '../transport';
import { ArrivingJobs } from './arrivingJobs';
import type { Scope } from './api';
import { getJobStatus } from './api';
import { mapWithConcurrency, valuesOrThrow } from './mapWithConcurrency';
import { failedDeviceLines, failedDevicesHtml, firstResultsPage } from './failedDevices';
import { RunningJobsWatch } from './runningJobs';
import type { FinishedJob, JobStatus, JobStatusAnswer } from './wire';
import { isTerminal } from './wire';
import { describeFigures, describeJobEnd, isUnsuccessful, jobEnd } from './jobEnd';

/**
 * The one bounded way to wait for bulk jobs (design habit 5), used by Wait for Completion,
 * Create's "Wait for Completion" option and the trigger: exponential backoff with a cap, one
 * deadline, terminal statuses from `wire.ts`. No loop here runs without a deadline.
 */

export interface WaitSettings {
	/** First pause between two status checks of a job. */
	pollIntervalMs: number;
	/** The pause doubles after every check, up to this. */
	maxPollIntervalMs: number;
	/** Give up (with an error) once this much time has passed since the wait began. */
	timeoutMs: number;
	/** A job that ends `failed` or `cancelled` is an error; when false it is returned with its status. */
	failOnUnsuccessful: boolean;
}

export const DEFAULT_WAIT: WaitSettings = {
	pollIntervalMs: 1_000,
	maxPollIntervalMs: 30_000,
	timeoutMs: 600_000,
	failOnUnsuccessful: true,
};

/** Shortest pause accepted: keeps a zero or negative setting from turning the wait into a busy loop. */
export const MIN_POLL_INTERVAL_MS = 10;

/** A timeout message names at most this many unfinished jobs (error.context.jobIds has all). */
const MAX_JOBS_IN_MESSAGE = 10;

/** Status checks in flight at once when several jobs are followed. */
export const STATUS_CONCURRENCY = 8;

/** Settings made safe: positive intervals, the cap at least the first interval, a finite timeout. */
export function normalizeWaitSettings(settings: WaitSettings): WaitSettings {
	const finiteOr = (value: number, fallback: number) => (Number.isFinite(value) ? value : fallback);
	const pollIntervalMs = Math.max(MIN_POLL_INTERVAL_MS, finiteOr(settings.pollIntervalMs, DEFAULT_WAIT.pollIntervalMs));
	const maxPollIntervalMs = Math.max(pollIntervalMs, finiteOr(settings.maxPollIntervalMs, DEFAULT_WAIT.maxPollIntervalMs));
	const timeoutMs = Math.max(0, finiteOr(settings.timeoutMs, DEFAULT_WAIT.timeoutMs));
	return { pollIntervalMs, maxPollIntervalMs, timeoutMs, failOnUnsuccessful: settings.failOnUnsuccessful !== false };
}

/**
 * The pause before the next status check: the first is `pollIntervalMs`, each later one twice
 * the one before, never more than `maxPollIntervalMs`, and never past the deadline
 * (`remainingMs`), so the last check happens right at the deadline.
 */
export function nextPollDelayMs(previousDelayMs: number | undefined, settings: WaitSettings, remainingMs: number): number {
	const wanted = previousDelayMs === undefined ? settings.pollIntervalMs : Math.min(previousDelayMs * 2, settings.maxPollIntervalMs);
	return Math.max(0, Math.min(wanted, remainingMs));
}

/** The pauses a wait of `timeoutMs` makes when the job never finishes (status checks happen before, between and after them). */
export function pollSchedule(settings: WaitSettings): number[] {
	const safe = normalizeWaitSettings(settings);
	const delays: number[] = [];
	let elapsed = 0;
	let previous: number | undefined;
	while (elapsed < safe.timeoutMs) {
		const delay = nextPollDelayMs(previous, safe, safe.timeoutMs - elapsed);
		delays.push(delay);
		elapsed += delay;
		previous = delay;
	}
	return delays;
}

/** A progress reading of a job: when it was taken and the share of its devices processed (0-1). */
export interface ProgressReading {
	at: number;
	done: number;
}

/** The share of a job's devices processed: from HERE's counts when it gives a total, else its percentage. */
export function doneShare(status: JobStatusAnswer): number {
	const total = Number(status.total) || 0;
	if (total > 0) {
		const done = (Number(status.succeeded) || 0) + (Number(status.failed) || 0) + (Number(status.partiallySucceeded) || 0);
		return Math.min(1, done / total);
	}
	return Math.min(1, Math.max(0, (Number(status.progress) || 0) / 100));
}

/**
 * When a running job should be done, at the pace of its last three progress readings. Only a
 * job seen moving in both intervals gets an estimate: a single jump (a batch) is no pace, and a
 * pending, stalled or finished job has none.
 */
export function estimatedCompletion(readings: readonly ProgressReading[]): number | undefined {
	if (readings.length < 3) return undefined;
	const [oldest, middle, latest] = readings.slice(-3);
	if (!(middle.done > oldest.done) || !(latest.done > middle.done) || latest.done >= 1) return undefined;
	if (!(latest.at > oldest.at)) return undefined;
	const perMs = (latest.done - oldest.done) / (latest.at - oldest.at);
	return latest.at + (1 - latest.done) / perMs;
}

/**
 * The pause before a job's next check: the doubling pause, cut short when its progress says it
 * will be done sooner. The doubling alone checks a job that finishes after 20 s only at 31 s;
 * with the estimate the check comes a little after the expected end (by 5% of the time waited,
 * late rather than early), and never sooner than the poll interval after the last one.
 */
export function pauseBeforeNextCheck(delayMs: number, settings: WaitSettings, now: number, startedAt: number, completionAt: number | undefined): number {
	if (completionAt === undefined) return delayMs;
	const margin = Math.max(0, completionAt - startedAt) * 0.05;
	return Math.min(delayMs, Math.max(settings.pollIntervalMs, Math.ceil(completionAt + margin - now)));
}

export function formatDuration(ms: number): string {
	const totalSeconds = Math.round(ms / 1000);
	if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
	if (totalSeconds < 60) return `${totalSeconds} s`;
	const minutes = Math.floor(totalSeconds / 60);
	const seconds = totalSeconds % 60;
	return seconds === 0 ? `${minutes} min` : `${minutes} min ${seconds} s`;
}

interface Followed {
	jobId: string;
	/** When the wait got the job: its `waitedMs` counts from here. */
	arrivedAt: number;
	last?: JobStatusAnswer;
	statusCalls: number;
	finished?: FinishedJob;
	/** The last pause of its doubling schedule, and when it is next checked. */
	delay?: number;
	nextCheckAt: number;
	/** The last three progress readings: when they suggest the job will be done, the next check comes sooner. */
	readings: ProgressReading[];
}

/** The last status seen of each followed job ("unknown" before the first answer), for the errors' context. */
export type JobStatuses = Record<string, JobStatus | 'unknown'>;

function statusesOf(followed: Followed[]): JobStatuses {
	return Object.fromEntries(followed.map((job) => [job.jobId, job.last?.status ?? 'unknown']));
}

/**
 * The error for a job that ended failed or cancelled: the job's figures, HERE's reasons for the
 * first failed devices (one results page at most: a failing read only leaves them out), and
 * what happened to the job.
 */
async function unsuccessfulJobError(context: HereContext, job: FinishedJob, scope: Scope): Promise<NodeOperationError> {
	let reasons: string;
	try {
		const lines = failedDeviceLines(await firstResultsPage(context, job.jobId, scope), Number(job.failed) || 0);
		reasons = failedDevicesHtml(lines);
	} catch (error) {
		reasons = escapeHtml(`HERE's reasons for the failed devices could not be read (${error instanceof Error ? error.message : String(error)}).`);
	}
	const error = new NodeOperationError(context.getNode(), `Job ${job.jobId} ended ${describeFigures(job)}`, {
		itemIndex: scope.itemIndex,
		description: htmlParagraphs([
			reasons,
			escapeHtml(describeJobEnd(job)),
			escapeHtml(
				`Use Get Results on job ${job.jobId} to see each device's result. To receive failed or cancelled jobs as output instead of an error, turn on "Output Unsuccessful Jobs" under Wait Options.`,
			),
		]),
	});
	Object.assign(error.context, { jobId: job.jobId, jobStatus: job.status, jobEnd: jobEnd(job) });
	return error;
}

function timeoutError(context: HereContext, followed: Followed[], scope: Scope, waitedMs: number, settings: WaitSettings): NodeOperationError {
	const open = followed.filter((job) => job.finished === undefined);
	const describe = (job: Followed) =>
		job.last ? `job ${job.jobId} is still ${describeFigures(job.last)}` : `job ${job.jobId} has no status yet`;
	const waited = formatDuration(waitedMs);
	const message =
		followed.length === 1
			? `Job ${open[0].jobId} did not finish within ${formatDuration(settings.timeoutMs)}: ${describe(open[0]).replace(/^job \S+ /, 'it ')}`
			: `${open.length} of ${followed.length} jobs did not finish within ${formatDuration(settings.timeoutMs)}: ${open.slice(0, MAX_JOBS_IN_MESSAGE).map(describe).join('; ')}${open.length > MAX_JOBS_IN_MESSAGE ? `; and ${open.length - MAX_JOBS_IN_MESSAGE} more` : ''}`;
	const calls = followed.reduce((sum, job) => sum + job.statusCalls, 0);
	const error = new NodeOperationError(context.getNode(), message, {
		itemIndex: scope.itemIndex,
		description: escapeHtml(
			`Waited ${waited} (${calls} status checks). The ${open.length === 1 ? 'job keeps' : 'jobs keep'} running on HERE. ` +
				'Raise "Timeout (Minutes)" under Wait Options, or, for long jobs, use the HERE Bulk Jobs Trigger, which reports each job when it finishes without keeping an execution waiting.',
		),
	});
	Object.assign(error.context, { jobIds: open.map((job) => job.jobId), waitedMs });
	return error;
}

/** What a caller can do while the wait goes on. */
export interface WaitHooks {
	/** Called once for each job as soon as it is seen finished (and, with failOnUnsuccessful, only if it succeeded). */
	onFinished?: (job: FinishedJob) => void;
	/**
	 * Aborted when the caller's own work failed: the wait then ends with the signal's reason, at
	 * once during a pause, or when the status checks under way have answered.
	 */
	signal?: AbortSignal;
}

/**
 * Waits until every job has reached a terminal status, or until the shared deadline. Each job
 * is checked when it comes, then after pauses that double from the poll interval up to the cap
 * (`nextPollDelayMs`), cut short when its progress says it will be done sooner
 * (`pauseBeforeNextCheck`); the jobs due at the same moment are checked together, a few
 * requests at once. The answer keeps the order in which the jobs came. Every error it throws
 * carries the last status seen of each job (`error.context.jobStatuses`), so that a caller can
 * say which jobs keep running.
 *
 * Jobs may also arrive while the wait runs (`ArrivingJobs`), each on its own schedule from its
 * arrival. The deadline counts from the close of the hand-off (for a fixed list, from the
 * start), so it never passes while jobs may still come; every open job is checked right at it.
 */
export async function waitForJobs(
	context: HereContext,
	jobs: readonly string[] | ArrivingJobs,
	scope: Scope,
	settings: WaitSettings,
	hooks: WaitHooks = {},
): Promise<FinishedJob[]> {
	const arriving = jobs instanceof ArrivingJobs ? jobs : ArrivingJobs.of(jobs);
	const followed: Followed[] = [];
	try {
		return await follow(context, arriving, followed, scope, normalizeWaitSettings(settings), hooks);
	} catch (error) {
		const failure = ensureNodeError(context.getNode(), error, scope.itemIndex);
		failure.context.jobStatuses ??= statusesOf(followed);
		throw failure;
	}
}

async function follow(context: HereContext, arriving: ArrivingJobs, followed: Followed[], scope: Scope, safe: WaitSettings, hooks: WaitHooks): Promise<FinishedJob[]> {
	const startedAt = Date.now();
	// A belt to the deadline's braces: even a clock that stood still could not loop for ever once
	// the deadline is set. Each round checks at least one job, and each job at most this often:
	// once a poll interval on its own schedule, and once more after each listing.
	const maxChecksPerJob = 2 * Math.ceil(safe.timeoutMs / safe.pollIntervalMs) + 2;
	let roundsAfterClose = 0;
	const aborted = hooks.signal && rejectionOnAbort(hooks.signal);
	const orAbort = async <T>(wait: Promise<T>): Promise<T> => await (aborted ? Promise.race([wait, aborted]) : wait);
	const deadline = () => (arriving.closedAt === undefined ? Infinity : arriving.closedAt + safe.timeoutMs);
	const watch = new RunningJobsWatch(context, scope, (previous, remainingMs) => nextPollDelayMs(previous, safe, remainingMs), hooks.signal);
	const listingAt = (open: Followed[]) => watch.dueAt(open.length, deadline() - Date.now()) ?? Infinity;

	for (;;) {
		for (const jobId of arriving.takeNew()) {
			const now = Date.now();
			followed.push({ jobId, arrivedAt: now, nextCheckAt: now, statusCalls: 0, readings: [] });
		}
		const open = followed.filter((job) => job.finished === undefined);
		if (open.length === 0) {
			if (arriving.closedAt !== undefined) return followed.map((job) => job.finished as FinishedJob);
			await orAbort(arriving.next()); // nothing to check until the next job arrives
			continue;
		}
		if (listingAt(open) <= Date.now()) {
			const left = new Set(await orAbort(watch.jobsThatLeft(open.map((job) => job.jobId), deadline() - Date.now())));
			for (const job of open) if (left.has(job.jobId)) job.nextCheckAt = Date.now();
		}
		const atDeadline = Date.now() >= deadline();
		const due = atDeadline ? open : open.filter((job) => job.nextCheckAt <= Date.now());
		if (due.length === 0) {
			const until = Math.min(deadline(), listingAt(open), ...open.map((job) => job.nextCheckAt));
			const pause = sleep(Math.max(0, until - Date.now()));
			// While uploads go on, a job that arrives is checked at once.
			await orAbort(arriving.closedAt === undefined ? Promise.race([pause, arriving.next()]) : pause);
			continue;
		}
		if (arriving.closedAt !== undefined && ++roundsAfterClose > maxChecksPerJob * followed.length) break;
		const checks = await mapWithConcurrency(due, STATUS_CONCURRENCY, async (job) => {
			job.statusCalls++;
			return await getJobStatus(context, job.jobId, scope);
		});
		// The caller's failure came before this round's answers were weighed: it is the error.
		hooks.signal?.throwIfAborted();
		const answers = valuesOrThrow(checks);
		const now = Date.now();
		const newlyFinished: FinishedJob[] = [];
		answers.forEach((answer, index) => {
			const job = due[index];
			job.last = answer;
			if (isTerminal(answer.status)) {
				job.finished = { ...answer, jobId: job.jobId, statusCalls: job.statusCalls, waitedMs: now - job.arrivedAt };
				newlyFinished.push(job.finished);
				return;
			}
			watch.sawRunning(job.jobId);
			job.readings = [...job.readings.slice(-2), { at: now, done: doneShare(answer) }];
			job.delay = nextPollDelayMs(job.delay, safe, deadline() - now);
			job.nextCheckAt = now + pauseBeforeNextCheck(job.delay, safe, now, job.arrivedAt, estimatedCompletion(job.readings));
		});
		if (safe.failOnUnsuccessful) {
			const bad = followed.find((job) => job.finished !== undefined && isUnsuccessful(job.finished));
			if (bad?.finished) throw await unsuccessfulJobError(context, bad.finished, scope);
		}
		for (const job of newlyFinished) hooks.onFinished?.(job);
		if (atDeadline && followed.some((job) => job.finished === undefined)) break;
	}
	// The timeout counts from the close (the last upload's answer), and so does the time waited it reports.
	throw timeoutError(context, followed, scope, Date.now() - (arriving.closedAt ?? startedAt), safe);
}

/** Rejects with the signal's reason once it is aborted: raced against the pauses. */
function rejectionOnAbort(signal: AbortSignal): Promise<never> {
	const rejection = new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
	// A signal aborted after the wait has ended is nobody's error here.
	rejection.catch(() => undefined);
	return rejection;
}

/** Waits for one job; see `waitForJobs`. */
export async function waitForJob(context: HereContext, jobId: string, scope: Scope, settings: WaitSettings): Promise<FinishedJob> {
	const [finished] = await waitForJobs(context, [jobId], scope, settings);
	return finished;
}
