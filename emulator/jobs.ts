import type { Clock } from './clock';
import { preconditionFailed } from './errors';
import type { IdSource } from './ids';
import { TERMINAL_STATUSES, type DeviceRow, type JobSnapshot, type JobStatus, type JobType, type ResultItem } from './types';

/** Jobs and their results are kept for one week (emulator clock), then forgotten. */
export const RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

export interface Job {
	id: string;
	projectId: string;
	type: JobType;
	status: JobStatus;
	fileName?: string;
	rows: DeviceRow[];
	/** Append-only, in processing order: rows appear here as devices finish. */
	results: ResultItem[];
	succeeded: number;
	failed: number;
	partiallySucceeded: number;
	createdAt: number;
	updatedAt: number;
}

export function isTerminal(job: Job): boolean {
	return TERMINAL_STATUSES.has(job.status);
}

/** Rows still to do; zero once the job is terminal (cancelled rows are no longer pending). */
export function pendingRows(job: Job): number {
	return isTerminal(job) ? 0 : job.rows.length - job.results.length;
}

/** Records one processed row and counts its outcome. */
export function recordResult(job: Job, result: ResultItem, outcome: 'succeeded' | 'failed' | 'partiallySucceeded', now: number): void {
	job.results.push(result);
	job[outcome]++;
	job.updatedAt = now;
}

/** The end of processing: a job whose every row failed ends `failed`, any other `completed`. */
export function finish(job: Job, now: number): void {
	job.status = job.rows.length > 0 && job.failed === job.rows.length ? 'failed' : 'completed';
	job.updatedAt = now;
}

/** The store of jobs, in creation order (the clock only moves forward, so also in age order). */
export class JobStore {
	private readonly jobs = new Map<string, Job>();
	private readonly byProject = new Map<string, Job[]>();

	constructor(
		private readonly clock: Clock,
		private readonly ids: IdSource,
	) {}

	create(projectId: string, type: JobType, rows: DeviceRow[], fileName: string | undefined): Job {
		const now = this.clock.now();
		const job: Job = {
			id: this.ids.jobId(),
			projectId,
			type,
			status: 'pending',
			rows,
			results: [],
			succeeded: 0,
			failed: 0,
			partiallySucceeded: 0,
			createdAt: now,
			updatedAt: now,
		};
		if (fileName !== undefined) job.fileName = fileName;
		this.jobs.set(job.id, job);
		let list = this.byProject.get(projectId);
		if (!list) this.byProject.set(projectId, (list = []));
		list.push(job);
		return job;
	}

	get(jobId: string): Job | undefined {
		this.purgeExpired();
		return this.jobs.get(jobId);
	}

	forProject(projectId: string): readonly Job[] {
		this.purgeExpired();
		return this.byProject.get(projectId) ?? [];
	}

	all(): Job[] {
		this.purgeExpired();
		return [...this.jobs.values()];
	}

	/** PATCH action=cancel: only from pending/ongoing; processed rows keep their results. */
	cancel(job: Job): void {
		if (isTerminal(job)) throw preconditionFailed(`The job is ${job.status}: only pending or ongoing jobs can be cancelled.`);
		job.status = 'cancelled';
		job.updatedAt = this.clock.now();
	}

	/** PATCH action=acknowledge: only from completed/failed/cancelled. */
	acknowledge(job: Job): void {
		if (job.status !== 'completed' && job.status !== 'failed' && job.status !== 'cancelled') {
			throw preconditionFailed(`The job is ${job.status}: only completed, failed or cancelled jobs can be acknowledged.`);
		}
		job.status = 'acknowledged';
		job.updatedAt = this.clock.now();
	}

	clear(): void {
		this.jobs.clear();
		this.byProject.clear();
	}

	/**
	 * Forgets jobs older than the retention. Jobs sit in age order, so this stops at the first
	 * young one: O(expired jobs), cheap enough to run on every access.
	 */
	purgeExpired(): void {
		const cutoff = this.clock.now() - RETENTION_MS;
		const touched = new Set<string>();
		for (const job of this.jobs.values()) {
			if (job.createdAt > cutoff) break;
			this.jobs.delete(job.id);
			// A running job that expires stops being processed: the processor skips unknown jobs.
			if (!isTerminal(job)) job.status = 'cancelled';
			touched.add(job.projectId);
		}
		for (const projectId of touched) {
			const list = this.byProject.get(projectId);
			if (list) this.byProject.set(projectId, list.filter((j) => this.jobs.has(j.id)));
		}
	}

	has(job: Job): boolean {
		return this.jobs.get(job.id) === job;
	}
}

export function snapshotJob(job: Job): JobSnapshot {
	const snapshot: JobSnapshot = {
		id: job.id,
		jobId: job.id,
		projectId: job.projectId,
		type: job.type,
		status: job.status,
		total: job.rows.length,
		rows: job.rows.length,
		processed: job.results.length,
		results: job.results.length,
		succeeded: job.succeeded,
		failed: job.failed,
		partiallySucceeded: job.partiallySucceeded,
		createdAt: job.createdAt,
		updatedAt: job.updatedAt,
	};
	if (job.fileName !== undefined) snapshot.fileName = job.fileName;
	return snapshot;
}
