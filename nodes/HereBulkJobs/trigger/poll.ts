import type { INodeExecutionData, IPollFunctions } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { escapeHtml, htmlParagraphs } from '../editorText';
import { RESULTS_CONCURRENCY } from '../jobs/collectResults';
import type { JobListItem } from '../jobs/wire';
import { concurrencyLimit, ensureNodeError } from '../transport';
import { acknowledgeEmitted } from './acknowledge';
import { PollBudget, pollBudgetMs } from './budget';
import type { JobFetch } from './emit';
import { fetchFinishedJob } from './emit';
import { listFinalJobs } from './listing';
import { manualSample } from './manual';
import type { TriggerSettings } from './settings';
import { readSettings, wantsJobId, watchingOf } from './settings';
import type { TriggerState } from './state';
import { emptyState, isAbout, MAX_RECORDS, pruneState, readState, seenHour, storedForm, wasWatched } from './state';
import { accountKey } from './account';

/**
 * One poll of the HERE Bulk Jobs Trigger.
 *
 * Delivery: each job that reaches a watched final status is emitted once. n8n stores the node's
 * static data together with the hand-off of what a poll emitted (or, for a poll that emits
 * nothing, after it returns), and drops it when the poll throws. This poll therefore changes
 * the static data only at its very end, in one step, after every request succeeded: a poll
 * that fails or is abandoned leaves the state as it was, and the next poll finds the same jobs
 * again (at least once), while the job ids recorded with each hand-off keep a later poll from
 * emitting them a second time (at most once across polls, restarts and faults).
 *
 * Cost (nothing new): one list request per 100 final jobs of the watched statuses and type that
 * HERE still lists, plus, with acknowledging on, one request per job emitted by the previous
 * poll. With acknowledging on, handled jobs leave that list, so an idle poll is one request.
 * Each new job adds one status request and one request per 100 device results, once.
 */
export async function pollTrigger(context: IPollFunctions): Promise<INodeExecutionData[][] | null> {
	const settings = readSettings(context);
	if (context.getMode() === 'manual') return await manualSample(context, settings);

	const staticData = context.getWorkflowStaticData('node');
	const stored = readState(staticData);
	// Compared in our own form, so that a database that reorders JSON keys causes no write.
	const storedJson = stored && JSON.stringify(storedForm(stored));
	const account = await accountKey(context, settings);
	const watching = watchingOf(settings);
	const now = Date.now();
	const budget = new PollBudget(pollBudgetMs(context));
	// A first poll, or another credential or project: the old marks say nothing about these jobs.
	const known = isAbout(stored, account, settings.projectId) ? stored : undefined;
	const firstPoll = known === undefined;
	const state: TriggerState = known === undefined ? emptyState(account, watching) : { ...known, account };

	const acknowledged = settings.acknowledge ? await acknowledgeEmitted(context, settings, state, budget) : undefined;

	const listing = await listFinalJobs(context, settings, budget);
	let emission: Emission = { items: [], emitted: [], deferred: 0 };
	if (firstPoll && settings.firstPoll === 'recordExisting') {
		recordBaseline(context, state, listing.jobs, listing.complete, now);
	} else {
		let fresh = listing.jobs.filter((job) => !state.jobs.has(job.jobId));
		if (settings.firstPoll === 'recordExisting') {
			// Statuses or Job Type changed: the records stay (nothing emitted twice), and the jobs that only
			// the change brings into the list are recorded like a first poll's, since none can tell when they finished.
			const newlyWatched = fresh.filter((job) => !wasWatched(state.watching, job));
			recordBaseline(context, state, newlyWatched, listing.complete, now);
			fresh = fresh.filter((job) => wasWatched(state.watching, job));
		}
		emission = await emitNewJobs(context, settings, state, fresh, budget, now);
	}
	state.watching = watching;
	const pruned = listing.complete ? pruneState(state, new Set(listing.jobs.map((job) => job.jobId)), now) : 0;
	if (state.jobs.size > MAX_RECORDS) throw tooManyRecords(context, settings, state.jobs.size);

	// The one write of the poll; unchanged state is not written, so n8n has nothing to store.
	const next = storedForm(state);
	const nextJson = JSON.stringify(next);
	if (nextJson !== storedJson) {
		for (const key of Object.keys(staticData)) delete staticData[key];
		Object.assign(staticData, next);
	}
	context.logger.debug('HERE Bulk Jobs Trigger poll', {
		listed: listing.jobs.length,
		listPages: listing.requests,
		listingComplete: listing.complete,
		emittedJobs: emission.emitted,
		deferredJobs: emission.deferred,
		acknowledgedJobs: acknowledged?.acknowledged,
		acknowledgeRetriesLater: acknowledged?.retryLater,
		prunedRecords: pruned,
		records: state.jobs.size,
		staticDataBytes: nextJson.length,
		elapsedMs: budget.elapsedMs(),
	});
	return emission.items.length > 0 ? [emission.items] : null;
}

interface Emission {
	items: INodeExecutionData[];
	emitted: string[];
	/** New jobs left for the next poll (budget, or a failed read). */
	deferred: number;
}

/**
 * The first poll records what has already finished and emits nothing. It records only what it
 * listed: if its time ran out first, the finished jobs it did not list are emitted by later
 * polls like new ones. HERE's list has no finish times, so nothing tells them apart from jobs
 * that finished after activation, and recording them instead could miss those.
 */
function recordBaseline(context: IPollFunctions, state: TriggerState, jobs: readonly JobListItem[], complete: boolean, now: number): void {
	for (const { jobId } of jobs) state.jobs.set(jobId, { mark: 'baseline', seenAt: seenHour(now) });
	if (!complete && jobs.length > 0) {
		context.logger.warn(
			`HERE Bulk Jobs Trigger: a poll recorded ${jobs.length} finished jobs before its time ran out; finished jobs it could not list are emitted by the next polls`,
		);
	}
}

/**
 * Remembering every job HERE lists is what keeps a job from being emitted twice: say what to
 * change. With acknowledging on, the emitted jobs have left HERE's list already; what fills it are
 * jobs recorded as baseline or skipped, which are never acknowledged.
 */
function tooManyRecords(context: IPollFunctions, settings: TriggerSettings, records: number): NodeOperationError {
	const project = settings.projectId ? `project "${escapeHtml(settings.projectId)}"` : "the credential's default project";
	const advice = settings.acknowledge
		? 'Narrow "Statuses" or "Job Type": the jobs the trigger recorded without emitting them (finished before it started, or left out by its filters) are not acknowledged, and stay in HERE\'s list until HERE forgets them after a week.'
		: 'Turn on "Acknowledge Emitted Jobs" (handled jobs then leave HERE\'s list), or narrow "Statuses" or "Job Type".';
	const outcome = settings.acknowledge
		? 'This poll emitted nothing and stored nothing (the jobs it acknowledged stay acknowledged); no job is lost.'
		: 'This poll emitted nothing and changed nothing; no job is lost.';
	return new NodeOperationError(context.getNode(), `The HERE Bulk Jobs Trigger would have to remember ${records} jobs, more than its limit of ${MAX_RECORDS}`, {
		description: htmlParagraphs([
			`HERE lists that many finished jobs of ${project} in the watched statuses and type, and the trigger keeps the ID of each so that none is emitted twice.`,
			`${advice} ${outcome}`,
		]),
	});
}

function httpStatusOf(error: unknown): number | undefined {
	return error instanceof NodeApiError ? (error.context.httpStatus as number | undefined) : undefined;
}

type JobRead = JobFetch | { kind: 'deferred' } | { kind: 'failed'; error: unknown } | { kind: 'refused'; error: unknown };

/** One new job read, every failure an answer: the poll weighs them all in one place. */
async function readJob(context: IPollFunctions, settings: TriggerSettings, jobId: string, budget: PollBudget): Promise<JobRead> {
	const startedAt = Date.now();
	try {
		return await fetchFinishedJob(context, settings, jobId, budget);
	} catch (error) {
		const status = httpStatusOf(error);
		// A rejected token fails every request alike. A 403 may be about this one job (the listing,
		// with the same user and project, was allowed): it is left for later like any failed read.
		if (status === 401) return { kind: 'refused', error };
		context.logger.warn(`HERE Bulk Jobs Trigger: could not read job ${jobId}; the next poll tries again`, { jobId, httpStatus: status });
		return { kind: 'failed', error };
	} finally {
		budget.recordJob(Date.now() - startedAt);
	}
}

/**
 * Reads and emits the new finished jobs while the budget allows, `RESULTS_CONCURRENCY` jobs at
 * once, and emits them in the order HERE listed them; the rest wait for the next poll (they are
 * not marked, so it finds them again). A job whose reads fail is left for the next poll too; if
 * no job could be emitted at all, the failure is the poll's error. A rejected token (401) fails
 * every request alike: once one read meets it, no further job is started and it is the error.
 */
async function emitNewJobs(
	context: IPollFunctions,
	settings: TriggerSettings,
	state: TriggerState,
	fresh: JobListItem[],
	budget: PollBudget,
	now: number,
): Promise<Emission> {
	const emission: Emission = { items: [], emitted: [], deferred: 0 };
	const wanted: JobListItem[] = [];
	for (const job of fresh) {
		if (wantsJobId(settings, job.jobId)) wanted.push(job);
		else state.jobs.set(job.jobId, { mark: 'skipped', seenAt: seenHour(now) });
	}

	const limit = concurrencyLimit(RESULTS_CONCURRENCY);
	let refused = false;
	const reads = await Promise.all(
		wanted.map(async ({ jobId }) =>
			await limit(async (): Promise<JobRead> => {
				if (refused || !budget.allowsJob()) return { kind: 'deferred' };
				const read = await readJob(context, settings, jobId, budget);
				refused ||= read.kind === 'refused';
				return read;
			}),
		),
	);

	let firstFailure: unknown;
	for (const [index, read] of reads.entries()) {
		const { jobId } = wanted[index];
		switch (read.kind) {
			case 'refused':
				throw ensureNodeError(context.getNode(), read.error);
			case 'emit':
				emission.items.push(...read.items);
				emission.emitted.push(jobId);
				state.jobs.set(jobId, { mark: 'emitted', seenAt: seenHour(now) });
				break;
			case 'skip':
				state.jobs.set(jobId, { mark: 'skipped', seenAt: seenHour(now) });
				break;
			case 'gone':
				// HERE forgot the job after listing it: nothing to emit, and no later listing names it.
				break;
			case 'failed':
				firstFailure ??= read.error;
				emission.deferred++;
				break;
			case 'notYet':
			case 'deferred':
				emission.deferred++;
				break;
			default:
				read satisfies never;
		}
	}
	if (firstFailure !== undefined && emission.emitted.length === 0) throw unreadJobError(context, firstFailure);
	return emission;
}

/** A job read that failed, as the poll's error: with what the trigger does about the job from now on. */
function unreadJobError(context: IPollFunctions, failure: unknown): Error {
	const error = ensureNodeError(context.getNode(), failure);
	const later =
		'The trigger reads this job again at every poll and emits it once that works. Meanwhile it emits the other finished jobs it can read: a poll fails with this job\'s error only when it has nothing else to emit.';
	error.description = htmlParagraphs([error.description ?? '', escapeHtml(later)]);
	return error;
}
