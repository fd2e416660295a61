import type { IExecuteFunctions, NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { DeviceRow } from '../../../devices';
import { chunkForUpload, DeviceTooLargeError, deviceTooLargeError } from '../../../devices';
import { MAX_CHUNK_SIZE } from '../../../devices/chunk';
import type { JobResults } from '../../../jobs/collectResults';
import { waitAndCollectResults } from '../../../jobs/collectResults';
import { isUnsuccessful, jobEnd } from '../../../jobs/jobEnd';
import type { WaitSettings } from '../../../jobs/waitForJob';
import type { ResultRow, ResultRowError } from '../../../jobs/wire';
import { chunkFileName } from '../../bulkJob/create/fileName';
import type { LocatedDevice, PlannedJob } from '../../bulkJob/create/plan';
import { submitJobs } from '../../bulkJob/create/submitChunks';
import { ensureNodeError } from '../../../transport';
import type { PlannedDevice } from './plan';

/**
 * Carries out a plan that passed the guards: delete jobs first, each waited to a final status,
 * then add jobs, through Create's upload (bounded concurrency, "may exist" on an uncertain
 * upload) and the shared wait. Any job-level problem stops the sync there: what was not done
 * is reported, and running the same sync again finishes it (the plan is rebuilt from HERE's list).
 */

export type SyncOutcome = 'added' | 'addedWithErrors' | 'deleted' | 'failed' | 'notProcessed' | 'notConfirmed' | 'notSent' | 'maybeSent' | 'noChange';

export interface DeviceResult {
	outcome: SyncOutcome;
	trackingId?: string;
	jobId?: string;
	errors?: ResultRowError[];
}

export interface ApplySettings {
	projectId?: string;
	concurrency: number;
	unclaimOnly: boolean;
	wait: WaitSettings;
}

/** Why the sync stopped before it was done: a failed upload, a failed job, or a wait that ended. */
export interface SyncStop {
	reason: string;
	/**
	 * The error of an upload HERE refused or never got, which says what to fix (a role, the
	 * host, a wait HERE asks for). Unset when HERE may have taken the upload: the next run's
	 * listing sees that.
	 */
	uploadRefusal?: Error;
	/**
	 * The wait ended (its timeout, a failed status check or results read) before it could
	 * confirm these jobs finished: their devices are notConfirmed.
	 */
	waitEnded?: { error: NodeApiError | NodeOperationError; jobIds: string[] };
}

export interface AppliedPlan {
	results: Map<PlannedDevice, DeviceResult>;
	jobIds: { delete: string[]; add: string[] };
	/** Undefined when the sync ran to the end. */
	stopped?: SyncStop;
}

type Phase = 'delete' | 'add';

function wireRow(planned: PlannedDevice, phase: Phase, unclaimOnly: boolean): DeviceRow {
	if (phase === 'add') return (planned.desired as NonNullable<PlannedDevice['desired']>).device;
	return unclaimOnly ? { externalId: planned.externalId, unclaimOnly: true } : { externalId: planned.externalId };
}

/** A planned device and the row it is sent as. */
interface PhaseEntry {
	planned: PlannedDevice;
	located: LocatedDevice;
}

/** The phase's devices in jobs of at most 1000 (and 10 MiB), each with the planned devices it carries. */
function plannedJobs(devices: PlannedDevice[], phase: Phase, unclaimOnly: boolean): Array<{ job: PlannedJob; devices: PlannedDevice[] }> {
	// A delete has no list row: it is counted by its place in the phase.
	const entries = devices.map((planned, position): PhaseEntry => ({
		planned,
		located: { item: planned.desired?.item ?? 0, row: planned.desired?.row ?? position, device: wireRow(planned, phase, unclaimOnly) },
	}));
	const chunks = chunkForUpload(entries, MAX_CHUNK_SIZE, (entry) => entry.located.device);
	return chunks.map((chunk, index) => {
		const located = chunk.map((entry) => entry.located);
		const job: PlannedJob = {
			index,
			part: index + 1,
			parts: chunks.length,
			fileName: chunkFileName(`sync-${phase}.json`, index + 1, chunks.length),
			label: 'row',
			devices: located,
			invalid: [],
			items: [...new Set(located.map((device) => device.item))],
		};
		return { job, devices: chunk.map((entry) => entry.planned) };
	});
}

type PhaseJobs = ReturnType<typeof plannedJobs>;

/** Both phases' jobs, delete jobs first. */
export interface SyncJobs {
	delete: PhaseJobs;
	add: PhaseJobs;
}

/**
 * Cuts both phases into jobs before anything is sent: a device that no upload can carry (over
 * 10 MiB of tags) stops the sync here, not after the deletes.
 */
export function planSyncJobs(context: IExecuteFunctions, planned: PlannedDevice[], unclaimOnly: boolean): SyncJobs {
	const phaseJobs = (phase: Phase) => plannedJobs(planned.filter((device) => device.action === phase), phase, unclaimOnly);
	try {
		return { delete: phaseJobs('delete'), add: phaseJobs('add') };
	} catch (error) {
		if (!(error instanceof DeviceTooLargeError)) throw ensureNodeError(context.getNode(), error);
		const device = (error.device as PhaseEntry).planned;
		const where = device.desired === undefined ? '' : ` (list row ${device.desired.row})`;
		throw deviceTooLargeError(context.getNode(), `The device with externalId "${device.externalId}"${where}`, error, device.desired?.item ?? 0);
	}
}

/**
 * A device's result row as its outcome. A row with errors failed, except an add row that still
 * got a trackingId: HERE added the device without part of it (a rule or geofence it does not
 * know), and a next run sees the device and does not send it again. This takes a refused row to
 * carry no trackingId, as the emulator's does; HERE's spec says nothing either way.
 */
function deviceResult(row: ResultRow, phase: Phase, planned: PlannedDevice, jobId: string): DeviceResult {
	const trackingId = row.trackingId ?? planned.trackingId;
	if (row.errors === undefined || row.errors.length === 0) return { outcome: phase === 'add' ? 'added' : 'deleted', trackingId, jobId };
	const outcome = phase === 'add' && row.trackingId !== undefined ? 'addedWithErrors' : 'failed';
	return { outcome, trackingId, jobId, errors: row.errors };
}

/** Runs one phase; returns why it stopped early, if it did. */
async function runPhase(context: IExecuteFunctions, jobs: PhaseJobs, phase: Phase, settings: ApplySettings, applied: AppliedPlan): Promise<SyncStop | undefined> {
	if (jobs.length === 0) return undefined;
	const submissions = await submitJobs(context, jobs.map((planned) => planned.job), {
		projectId: settings.projectId,
		concurrency: settings.concurrency,
		rowContext: { rowsPerItem: false, severalSources: false },
	});

	let stopped: SyncStop | undefined;
	const created: Array<{ jobId: string; devices: PlannedDevice[] }> = [];
	submissions.forEach((submission, index) => {
		if (submission.state === 'created') {
			created.push({ jobId: submission.jobId, devices: jobs[index].devices });
			applied.jobIds[phase].push(submission.jobId);
			return;
		}
		const outcome: SyncOutcome = submission.state === 'failed' && submission.mayExist ? 'maybeSent' : 'notSent';
		for (const planned of jobs[index].devices) applied.results.set(planned, { outcome, trackingId: planned.trackingId });
		if (submission.state === 'failed') {
			const reason = `the upload of ${phase} job ${index + 1} of ${jobs.length} failed: ${submission.error.message}`;
			// A refusal says what to fix, so it is the stop even after an upload that may have gone through.
			if (submission.mayExist) stopped ??= { reason };
			else if (stopped?.uploadRefusal === undefined) stopped = { reason, uploadRefusal: submission.error };
		}
	});
	if (created.length === 0) return stopped;

	let finished: JobResults[];
	try {
		finished = await waitAndCollectResults(
			context,
			created.map((job) => job.jobId),
			{ projectId: settings.projectId, itemIndex: 0 },
			// A failed or cancelled job is reported device by device (and stops the sync), not as a bare error.
			{ ...settings.wait, failOnUnsuccessful: false },
		);
	} catch (error) {
		// The timeout, or a status check or results read that failed: the jobs run on in HERE, and
		// what the earlier phase did is still reported.
		for (const { jobId, devices } of created) for (const planned of devices) applied.results.set(planned, { outcome: 'notConfirmed', trackingId: planned.trackingId, jobId });
		const waitError = ensureNodeError(context.getNode(), error, 0);
		const waitEnded = { error: waitError, jobIds: created.map((job) => job.jobId) };
		const ended = `the wait for the ${phase} jobs ended: ${waitError.message}`;
		return stopped === undefined ? { reason: ended, waitEnded } : { ...stopped, reason: `${stopped.reason}; then ${ended}`, waitEnded };
	}
	finished.forEach(({ job, rows }, index) => {
		const byExternalId = new Map(rows.filter((row) => row.externalId !== undefined).map((row) => [row.externalId as string, row]));
		// HERE's result fields are all optional: a delete's row may name the device by its trackingId alone.
		const byTrackingId = new Map(rows.filter((row) => row.trackingId !== undefined).map((row) => [row.trackingId as string, row]));
		for (const planned of created[index].devices) {
			const row = byExternalId.get(planned.externalId as string) ?? (phase === 'delete' ? byTrackingId.get(planned.trackingId as string) : undefined);
			if (row === undefined) {
				applied.results.set(planned, { outcome: 'notProcessed', trackingId: planned.trackingId, jobId: job.jobId });
				continue;
			}
			applied.results.set(planned, deviceResult(row, phase, planned, job.jobId));
		}
		// Also when someone (a trigger acknowledging the project's jobs) has acknowledged it since.
		if (isUnsuccessful(job)) stopped ??= { reason: `${phase} job ${job.jobId} ended ${jobEnd(job)}` };
	});
	return stopped;
}

export async function applyPlan(context: IExecuteFunctions, jobs: SyncJobs, settings: ApplySettings): Promise<AppliedPlan> {
	const applied: AppliedPlan = { results: new Map(), jobIds: { delete: [], add: [] } };
	applied.stopped = await runPhase(context, jobs.delete, 'delete', settings, applied);
	if (applied.stopped === undefined) applied.stopped = await runPhase(context, jobs.add, 'add', settings, applied);
	else for (const device of jobs.add.flatMap((job) => job.devices)) applied.results.set(device, { outcome: 'notSent' });
	return applied;
}
