import type { IExecuteFunctions } from 'n8n-workflow';

import type { DeviceRow } from '../../../devices';
import { waitAndCollectResults } from '../../../jobs/collectResults';
import { isUnsuccessful, jobEnd } from '../../../jobs/jobEnd';
import type { WaitSettings } from '../../../jobs/waitForJob';
import type { ResultRowError } from '../../../jobs/wire';
import { chunkFileName } from '../../bulkJob/create/fileName';
import type { PlannedJob } from '../../bulkJob/create/plan';
import { submitJobs } from '../../bulkJob/create/submitChunks';
import type { PlannedDevice } from './plan';

/**
 * Carries out a plan that passed the guards: delete jobs first, each waited to a final status,
 * then add jobs, through Create's upload (bounded concurrency, "may exist" on an uncertain
 * upload) and the shared wait. Any job-level problem stops the sync there: what was not done
 * is reported, and running the same sync again finishes it (the plan is rebuilt from HERE's list).
 */

/** HERE takes at most this many devices per job. */
const DEVICES_PER_JOB = 1000;

export type SyncOutcome = 'added' | 'deleted' | 'failed' | 'notProcessed' | 'notSent' | 'maybeSent' | 'noChange';

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

/** Why the sync stopped before it was done: a failed upload or a failed job. */
export interface SyncStop {
	reason: string;
	/**
	 * The error of an upload HERE refused or never got, which says what to fix (a 413, a role,
	 * the host). Unset when HERE may have taken the upload: the next run's listing sees that.
	 */
	uploadRefusal?: Error;
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

/** The phase's devices in jobs of at most 1000, each with the planned devices it carries. */
function plannedJobs(devices: PlannedDevice[], phase: Phase, unclaimOnly: boolean): Array<{ job: PlannedJob; devices: PlannedDevice[] }> {
	const parts = Math.ceil(devices.length / DEVICES_PER_JOB);
	return Array.from({ length: parts }, (_, index) => {
		const slice = devices.slice(index * DEVICES_PER_JOB, (index + 1) * DEVICES_PER_JOB);
		const located = slice.map((planned, offset) => ({
			item: planned.desired?.item ?? 0,
			row: planned.desired?.row ?? index * DEVICES_PER_JOB + offset,
			device: wireRow(planned, phase, unclaimOnly),
		}));
		const job: PlannedJob = {
			index,
			part: index + 1,
			parts,
			fileName: chunkFileName(`sync-${phase}.json`, index + 1, parts),
			label: 'row',
			devices: located,
			invalid: [],
			items: [...new Set(located.map((device) => device.item))],
		};
		return { job, devices: slice };
	});
}

/** Runs one phase; returns why it stopped early, if it did. */
async function runPhase(
	context: IExecuteFunctions,
	devices: PlannedDevice[],
	phase: Phase,
	settings: ApplySettings,
	applied: AppliedPlan,
): Promise<SyncStop | undefined> {
	if (devices.length === 0) return undefined;
	const jobs = plannedJobs(devices, phase, settings.unclaimOnly);
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
			stopped ??= submission.mayExist ? { reason } : { reason, uploadRefusal: submission.error };
		}
	});
	if (created.length === 0) return stopped;

	const finished = await waitAndCollectResults(
		context,
		created.map((job) => job.jobId),
		{ projectId: settings.projectId, itemIndex: 0 },
		// A failed or cancelled job is reported device by device (and stops the sync), not as a bare error.
		{ ...settings.wait, failOnUnsuccessful: false },
	);
	finished.forEach(({ job, rows }, index) => {
		const byExternalId = new Map(rows.filter((row) => row.externalId !== undefined).map((row) => [row.externalId as string, row]));
		for (const planned of created[index].devices) {
			const row = byExternalId.get(planned.externalId as string);
			if (row === undefined) {
				applied.results.set(planned, { outcome: 'notProcessed', trackingId: planned.trackingId, jobId: job.jobId });
				continue;
			}
			const failed = row.errors !== undefined && row.errors.length > 0;
			applied.results.set(planned, {
				outcome: failed ? 'failed' : phase === 'add' ? 'added' : 'deleted',
				trackingId: row.trackingId ?? planned.trackingId,
				jobId: job.jobId,
				...(failed ? { errors: row.errors } : {}),
			});
		}
		// Also when someone (a trigger acknowledging the project's jobs) has acknowledged it since.
		if (isUnsuccessful(job)) stopped ??= { reason: `${phase} job ${job.jobId} ended ${jobEnd(job)}` };
	});
	return stopped;
}

export async function applyPlan(context: IExecuteFunctions, planned: PlannedDevice[], settings: ApplySettings): Promise<AppliedPlan> {
	const applied: AppliedPlan = { results: new Map(), jobIds: { delete: [], add: [] } };
	const deletes = planned.filter((device) => device.action === 'delete');
	const adds = planned.filter((device) => device.action === 'add');
	applied.stopped = await runPhase(context, deletes, 'delete', settings, applied);
	if (applied.stopped === undefined) applied.stopped = await runPhase(context, adds, 'add', settings, applied);
	else for (const device of adds) applied.results.set(device, { outcome: 'notSent' });
	return applied;
}
