import type { IDataObject } from 'n8n-workflow';

import { JOB_ID_PATTERN } from '../jobs/wire';

/**
 * The trigger's memory between polls, kept in the workflow's static data (n8n stores it with
 * the workflow, so it survives restarts and works in queue mode). It is a set of job ids the
 * trigger has dealt with, each with what it did and the hour it first saw the job finished:
 *
 * - `baseline`: listed by the first poll, which records and does not emit.
 * - `skipped`: finished, but filtered out (file name, job id) or acknowledged by someone else.
 * - `emitted`: emitted by a poll whose hand-off n8n recorded. With "Acknowledge Emitted Jobs"
 *   this also means "to acknowledge": a record only exists in a later poll if n8n committed
 *   the poll that emitted it, so acknowledging it then is never early.
 * - `acknowledged`: emitted and then acknowledged on HERE.
 *
 * HERE's job list has no timestamps and no promised order, so "new" can only mean "a finished
 * job whose id is not in this set". Ids leave the set once HERE has certainly forgotten them
 * (see `pruneState`), which bounds it by the jobs HERE keeps (one week), and it never holds
 * more than MAX_RECORDS ids.
 */

export const STATE_VERSION = 2;

/** HERE keeps jobs and results for one week. */
export const HERE_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * The count bound: about 1.6 MB of static data. A poll that would leave more records fails
 * (see `tooManyRecords` in poll.ts) rather than forget jobs HERE still lists.
 */
export const MAX_RECORDS = 50_000;

const HOUR_MS = 60 * 60 * 1000;

export type JobMark = 'baseline' | 'skipped' | 'emitted' | 'acknowledged';
/** Within an hour, read back in this order: a job acknowledged was emitted before one still waiting. */
const MARKS: readonly JobMark[] = ['baseline', 'skipped', 'acknowledged', 'emitted'];

export interface JobRecord {
	mark: JobMark;
	/** The end of the hour in which this trigger first saw the job finished (ms since the epoch). */
	seenAt: number;
}

/** The statuses and job type a trigger lists (`any`: both types). */
export interface Watching {
	statuses: string[];
	jobType: string;
}

export interface TriggerState {
	/** Whose jobs the records are about (see `accountKey`); another account starts over. */
	account: string;
	/** What the last poll listed: a change keeps the records and tells which listed jobs are newly watched. */
	watching: Watching;
	/** By job id (a `Map`: ids from HERE never become object keys), oldest first. */
	jobs: Map<string, JobRecord>;
}

/**
 * The stored form, which must be plain JSON: one entry per hour in which jobs were first seen,
 * holding for each mark the ids of its jobs as one string, 32 hex digits per id (the uuid of
 * `BULK-<uuid>` without its dashes). A week at 10,000 jobs takes about 330 KB, where one
 * object per job took 880 KB.
 */
interface StoredHour extends Partial<Record<JobMark, string>> {
	at: number;
}

/** Records keep the hour they were first seen in, rounded up, so pruning by age is never early. */
export function seenHour(now: number): number {
	return Math.ceil(now / HOUR_MS) * HOUR_MS;
}

export function emptyState(account: string, watching: Watching): TriggerState {
	return { account, watching, jobs: new Map() };
}

/** Whether a listed job was in what `watching` lists (a job of unknown type only when both types were). */
export function wasWatched(watching: Watching, job: { status: string; type?: string }): boolean {
	return watching.statuses.includes(job.status) && (watching.jobType === 'any' || job.type === watching.jobType);
}

/**
 * The account a state written before accounts were stored stands for. It kept only the
 * node's Project (in `scope`, with the statuses and type); such a state is taken as this
 * account's while the Project is the same, so that an update of the package changes nothing.
 */
function legacyAccount(projectId: string | undefined): string {
	return JSON.stringify({ legacyProject: projectId ?? '' });
}

/** Whether the stored records are about this account (`accountKey`) and the node's Project. */
export function isAbout(state: TriggerState | undefined, account: string, projectId: string | undefined): state is TriggerState {
	return state !== undefined && (state.account === account || state.account === legacyAccount(projectId));
}

function isStringArray(value: unknown): value is string[] {
	return Array.isArray(value) && value.every((entry) => typeof entry === 'string');
}

/** The account and the listed statuses and type, from the stored fields; undefined when unusable. */
function readHeader(staticData: IDataObject): Pick<TriggerState, 'account' | 'watching'> | undefined {
	const { account, watching, scope } = staticData as { account?: unknown; watching?: Partial<Watching>; scope?: unknown };
	if (typeof account === 'string' && isStringArray(watching?.statuses) && typeof watching?.jobType === 'string') {
		return { account, watching: { statuses: watching.statuses, jobType: watching.jobType } };
	}
	// Before accounts were stored (version 1, and version 2 until then): `scope` held [project, statuses, job type].
	if (typeof scope !== 'string') return undefined;
	try {
		const [project, statuses, jobType] = JSON.parse(scope) as unknown[];
		if (typeof project !== 'string' || !isStringArray(statuses) || typeof jobType !== 'string') return undefined;
		return { account: legacyAccount(project || undefined), watching: { statuses, jobType } };
	} catch {
		return undefined;
	}
}

function packId(jobId: string): string {
	return jobId.slice('BULK-'.length).replace(/-/g, '');
}

/** The ids of a packed string; anything that is not a valid job id is dropped. */
function unpackIds(packed: unknown): string[] {
	if (typeof packed !== 'string') return [];
	const ids: string[] = [];
	for (let start = 0; start + 32 <= packed.length; start += 32) {
		const hex = packed.slice(start, start + 32);
		const jobId = `BULK-${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
		if (JOB_ID_PATTERN.test(jobId)) ids.push(jobId);
	}
	return ids;
}

/**
 * Version 1 (0.1.0) stored one `{ mark, seenAt }` per job id under `jobs`, with the project,
 * statuses and type in `scope` (read by `readHeader`). Its records are kept, oldest first, each
 * in the hour it was first seen: an update of the package neither emits a job a second time nor
 * takes as baseline a job that finished since the last poll.
 */
function readVersion1Jobs(stored: unknown): Map<string, JobRecord> {
	const records: Array<[string, JobRecord]> = [];
	if (typeof stored === 'object' && stored !== null) {
		for (const [jobId, record] of Object.entries(stored)) {
			const { mark, seenAt } = (record ?? {}) as Partial<JobRecord>;
			if (!JOB_ID_PATTERN.test(jobId) || !MARKS.includes(mark as JobMark) || typeof seenAt !== 'number' || !Number.isFinite(seenAt)) continue;
			records.push([jobId, { mark: mark as JobMark, seenAt: seenHour(seenAt) }]);
		}
	}
	return new Map(records.sort(([, a], [, b]) => a.seenAt - b.seenAt));
}

/**
 * The stored state as a fresh `Map` the poll may change freely, or undefined when there is none
 * usable (never polled, or an unknown version). Damaged entries are dropped.
 */
export function readState(staticData: IDataObject): TriggerState | undefined {
	const { version, hours } = staticData;
	const header = readHeader(staticData);
	if (header === undefined) return undefined;
	if (version === 1) return { ...header, jobs: readVersion1Jobs(staticData.jobs) };
	if (version !== STATE_VERSION || !Array.isArray(hours)) return undefined;
	const jobs = new Map<string, JobRecord>();
	for (const hour of hours as Array<Partial<StoredHour> | null>) {
		const at = hour?.at;
		if (typeof at !== 'number' || !Number.isFinite(at)) continue;
		for (const mark of MARKS) for (const jobId of unpackIds(hour?.[mark])) jobs.set(jobId, { mark, seenAt: at });
	}
	return { ...header, jobs };
}

/** The state in its stored (JSON) form. */
export function storedForm(state: TriggerState): IDataObject {
	const hours = new Map<number, Partial<Record<JobMark, string[]>>>();
	for (const [jobId, { mark, seenAt }] of state.jobs) {
		let hour = hours.get(seenAt);
		if (hour === undefined) hours.set(seenAt, (hour = {}));
		(hour[mark] ??= []).push(packId(jobId));
	}
	const stored: StoredHour[] = [...hours.entries()]
		.sort(([a], [b]) => a - b)
		.map(([at, marks]) => ({ at, ...Object.fromEntries(Object.entries(marks).map(([mark, ids]) => [mark, ids.join('')])) }));
	return {
		version: STATE_VERSION,
		account: state.account,
		watching: { statuses: [...state.watching.statuses], jobType: state.watching.jobType },
		hours: stored as unknown as IDataObject[],
	};
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
 * - Above MAX_RECORDS, records of jobs absent from the listing go too, oldest first, before
 *   their week is up: such a job is emitted again only if HERE lists it again.
 * Records of jobs HERE lists are never dropped: that would emit them a second time.
 */
export function pruneState(state: TriggerState, listed: ReadonlySet<string>, now: number): number {
	const before = state.jobs.size;
	for (const [jobId, record] of state.jobs) {
		if (listed.has(jobId)) continue;
		const forgotten = record.mark === 'acknowledged' || now - record.seenAt > HERE_RETENTION_MS;
		if (forgotten || state.jobs.size > MAX_RECORDS) state.jobs.delete(jobId);
	}
	return before - state.jobs.size;
}

/** Ids with this mark, oldest first (so acknowledgements follow emission order). */
export function idsWithMark(state: TriggerState, mark: JobMark): string[] {
	return [...state.jobs].filter(([, record]) => record.mark === mark).map(([jobId]) => jobId);
}
