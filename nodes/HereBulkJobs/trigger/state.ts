import type { IDataObject } from 'n8n-workflow';

/**
 * The trigger's memory between polls, kept in the workflow's static data (n8n stores it with
 * the workflow, so it survives restarts and works in queue mode). It is a set of job ids the
 * trigger has dealt with, each with what it did and when it first saw the job finished:
 *
 * - `baseline`: already finished when the trigger started watching; never emitted.
 * - `skipped`: finished, but filtered out (file name) or acknowledged by someone else.
 * - `emitted`: emitted by a poll whose hand-off n8n recorded. With "Acknowledge Emitted Jobs"
 *   this also means "to acknowledge": a record only exists in a later poll if n8n committed
 *   the poll that emitted it, so acknowledging it then is never early.
 * - `acknowledged`: emitted and then acknowledged on HERE.
 *
 * HERE's job list has no timestamps and no promised order, so "new" can only mean "a finished
 * job whose id is not in this set". Ids leave the set once HERE has certainly forgotten them
 * (see `pruneState`), which bounds it by the jobs HERE keeps (one week).
 */

export const STATE_VERSION = 1;

/** HERE keeps jobs and results for one week. */
export const HERE_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

export type JobMark = 'baseline' | 'skipped' | 'emitted' | 'acknowledged';
const MARKS: readonly JobMark[] = ['baseline', 'skipped', 'emitted', 'acknowledged'];

export interface JobRecord {
	mark: JobMark;
	/** When this trigger first saw the job finished (ms since the epoch). */
	seenAt: number;
}

export interface TriggerState {
	version: typeof STATE_VERSION;
	/** The project, statuses and job type the records are about (see `scopeKey`). */
	scope: string;
	/**
	 * False until one complete listing has been recorded: a first poll that ran out of time
	 * goes on recording (not emitting) in the next poll.
	 */
	baselineComplete: boolean;
	jobs: Record<string, JobRecord>;
}

export function emptyState(scope: string, baselineComplete: boolean): TriggerState {
	return { version: STATE_VERSION, scope, baselineComplete, jobs: {} };
}

function isRecord(value: unknown): value is JobRecord {
	if (typeof value !== 'object' || value === null) return false;
	const { mark, seenAt } = value as Partial<JobRecord>;
	return MARKS.includes(mark as JobMark) && typeof seenAt === 'number' && Number.isFinite(seenAt);
}

/**
 * The stored state, as a copy the poll may change freely, or undefined when there is none
 * usable (never polled, or from another version). Unknown or damaged records are dropped.
 */
export function readState(staticData: IDataObject): TriggerState | undefined {
	const stored = staticData as Partial<TriggerState>;
	if (stored.version !== STATE_VERSION || typeof stored.scope !== 'string' || typeof stored.jobs !== 'object' || stored.jobs === null) {
		return undefined;
	}
	const jobs: Record<string, JobRecord> = {};
	for (const [jobId, record] of Object.entries(stored.jobs)) {
		if (isRecord(record)) jobs[jobId] = { mark: record.mark, seenAt: record.seenAt };
	}
	return { version: STATE_VERSION, scope: stored.scope, baselineComplete: stored.baselineComplete === true, jobs };
}

/**
 * Replaces the static data's content with `state`. Called once, at the end of a poll that
 * succeeded: a poll that throws never gets here, so it leaves the stored state as it was.
 */
export function writeState(staticData: IDataObject, state: TriggerState): void {
	for (const key of Object.keys(staticData)) delete staticData[key];
	const jobs: IDataObject = {};
	for (const [jobId, record] of Object.entries(state.jobs)) jobs[jobId] = { mark: record.mark, seenAt: record.seenAt };
	Object.assign(staticData, {
		version: state.version,
		scope: state.scope,
		baselineComplete: state.baselineComplete,
		jobs,
	});
}

export function cloneState(state: TriggerState): TriggerState {
	const jobs: Record<string, JobRecord> = {};
	for (const [jobId, record] of Object.entries(state.jobs)) jobs[jobId] = { ...record };
	return { ...state, jobs };
}

export function sameState(a: TriggerState | undefined, b: TriggerState): boolean {
	return a !== undefined && JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Forgets records that can no longer matter, after a listing that read every page (`listed`).
 *
 * - An acknowledged job absent from the list of unacknowledged final jobs is done for good:
 *   HERE now reports it `acknowledged` and never lists it under the watched statuses again.
 * - Any other record is kept while HERE lists the job, and, when absent, until a week has passed
 *   since the trigger first saw it: by then HERE has certainly forgotten it (it was created
 *   before it was seen). Waiting guards against a listing that misses a job for a moment
 *   (HERE promises no order, so a page boundary could shift): dropping the record then
 *   would emit the job a second time when it shows up again.
 */
export function pruneState(state: TriggerState, listed: ReadonlySet<string>, now: number): string[] {
	const pruned: string[] = [];
	for (const [jobId, record] of Object.entries(state.jobs)) {
		if (listed.has(jobId)) continue;
		const forgotten = record.mark === 'acknowledged' || now - record.seenAt > HERE_RETENTION_MS;
		if (forgotten) {
			delete state.jobs[jobId];
			pruned.push(jobId);
		}
	}
	return pruned;
}

/** Ids with this mark, oldest first (so acknowledgements follow emission order). */
export function idsWithMark(state: TriggerState, mark: JobMark): string[] {
	return Object.entries(state.jobs)
		.filter(([, record]) => record.mark === mark)
		.sort(([, a], [, b]) => a.seenAt - b.seenAt)
		.map(([jobId]) => jobId);
}
