import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { escapeHtml, htmlList, htmlParagraphs, listedWithMore } from '../../editorText';
import { failedDeviceLines, failedDevicesHtml } from '../../jobs/failedDevices';
import type { ResultRow } from '../../jobs/wire';
import { nodeErrorItem, usesErrorOutput } from '../errorItems';
import type { AppliedPlan, SyncStop } from './sync/apply';
import { applyPlan, planSyncJobs } from './sync/apply';
import { readDesiredDevices } from './sync/desired';
import { outcomeCounts, syncItems } from './sync/output';
import { listProject } from './sync/projectListing';
import type { SyncPlan } from './sync/plan';
import { buildPlan, guardProblem, SYNC_ACTIONS } from './sync/plan';
import { readSyncSettings } from './sync/settings';
import { syncProperties } from './sync/sync.descriptions';

export const description = updateDisplayOptions({ show: { resource: ['device'], operation: ['sync'] } }, syncProperties);

/** One sync per run: the list is the rows of all input items together. */
export const mode = 'batch';

function countLines(plan: SyncPlan): string[] {
	return SYNC_ACTIONS.map((action) => `${action}: ${plan.counts[action]}`);
}

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	// 1. Settings and the list, all checked before any request.
	const settings = readSyncSettings(this, items.length);
	const desired = await readDesiredDevices(this, items, settings);

	// 2. HERE's side, then the plan.
	const listed = await listProject(this, settings.projectId);
	const plan = buildPlan(desired, listed, { scope: settings.scope, deleteMissing: settings.deleteMissing });
	const blockedBy = guardProblem(plan, settings.guard);
	const facts = { dryRun: settings.dryRun, projectId: settings.projectId, inputCount: items.length, includeOutsideScope: settings.includeOutsideScope, blockedBy };
	// The jobs are cut before a dry run returns: a device no upload can carry is refused by both.
	const jobs = planSyncJobs(this, plan.devices, settings.unclaimOnly);
	if (settings.dryRun) return syncItems(plan, undefined, facts);

	if (blockedBy !== undefined) {
		throw new NodeOperationError(this.getNode(), `Sync stopped before sending anything: ${blockedBy}`, {
			itemIndex: 0,
			description: htmlParagraphs([
				`The plan, with ${plan.listed} devices listed in HERE and ${plan.inScope} of them in scope:`,
				htmlList(countLines(plan)),
				'Check the list first (a truncated export looks like many deletions). If the deletions are intended, raise Max Deletions or Max Deletion Percentage. Run with Dry Run on to see every planned device.',
			]),
		});
	}

	// 3. Deletes first, then adds.
	const applied = await applyPlan(this, jobs, settings);
	const { stopped } = applied;
	const output = syncItems(plan, applied, { ...facts, stoppedBy: stopped?.reason });
	if (stopped === undefined) return output;
	const error = stoppedPartWay(this, plan, applied, stopped);
	if (!this.continueOnFail()) throw error;
	// The devices' items and the summary (with stoppedBy) say what was done. With On Error
	// "Continue (using error output)" the error itself goes there too, for the workflow's alerting.
	if (!usesErrorOutput(this)) return output;
	const summary = output[output.length - 1];
	return [...output, nodeErrorItem(this, error, summary.pairedItem, { outcomes: summary.json.outcomes })];
}

/** The devices HERE refused with row errors, as result rows: the name the list gave (adds), else the externalId. */
function refusedRows(plan: SyncPlan, applied: AppliedPlan): ResultRow[] {
	const rows: ResultRow[] = [];
	for (const planned of plan.devices) {
		const result = applied.results.get(planned);
		if (result?.outcome !== 'failed') continue;
		rows.push({ name: planned.desired?.device.name, externalId: planned.externalId, errors: result.errors });
	}
	return rows;
}

/**
 * A sync that stopped after sending something: why (a refused upload's own error says what to
 * fix, a failed status check HERE's trace id), what happened to each planned change, HERE's
 * reasons for the first refused devices, and what to do before running it again. A re-run
 * finishes what was not sent or not processed; but it sends refused devices (and uploads) again,
 * and HERE refuses them again until the cause is fixed, and it would plan again the devices of
 * jobs that still run.
 */
function stoppedPartWay(context: IExecuteFunctions, plan: SyncPlan, applied: AppliedPlan, stopped: SyncStop): NodeOperationError {
	const counts = outcomeCounts(applied);
	const outcomes = Object.entries(counts).map(([outcome, count]) => `${outcome}: ${count}`);
	const refused = refusedRows(plan, applied);
	const { uploadRefusal, waitEnded } = stopped;
	const timedOut = waitEnded?.error.context.waitedMs !== undefined;

	const advice: string[] = [];
	const first: string[] = [];
	if (uploadRefusal !== undefined) first.push("do what the refused upload's error (above) says");
	if (refused.length > 0) {
		const [devices, them] = refused.length === 1 ? ['1 device', 'it'] : [`${refused.length} devices`, 'them'];
		advice.push(`HERE refused ${devices} for the reasons above. Running the same sync again sends ${them} again, and HERE refuses ${them} again until the cause is fixed.`);
		first.push('fix what HERE names (in the list or in the project, for example a name that another device already has)');
	}
	if (waitEnded !== undefined) {
		const [jobs, have, their] = waitEnded.jobIds.length === 1 ? ['job', 'has', 'its'] : ['jobs', 'have', 'their'];
		first.push(`wait until ${jobs} ${listedWithMore(waitEnded.jobIds)} ${have} finished (the wait ended before it could confirm that; ${their} devices are notConfirmed)`);
	}
	if ((counts.maybeSent ?? 0) > 0) {
		first.push('look in Get Many (Include Status Figures on) for the uploads that may have gone through, by their file names (sync-add.json, sync-delete.json), and wait until they have finished');
	}
	const rerun = 'run the same sync again: it lists the project again and sends only what is still missing or still to delete.';
	advice.push(first.length === 0 ? `To finish, ${rerun}` : `First ${first.join('; ')}. Then ${rerun}`);
	if (timedOut) advice.push('If HERE is just slow, raise Timeout (Minutes) under Wait Options.');

	// Errors' own descriptions are editor HTML already: what to do, and HERE's trace id. A timeout's
	// is left out: it speaks of waiting in general, and the advice here covers it.
	const described = [uploadRefusal, timedOut ? undefined : waitEnded?.error].map((error) => (error as { description?: unknown } | undefined)?.description);
	const error = new NodeOperationError(context.getNode(), `Sync stopped part-way: ${stopped.reason}`, {
		itemIndex: 0,
		description: htmlParagraphs([
			...described.map((description) => (typeof description === 'string' ? description : '')),
			failedDevicesHtml(failedDeviceLines(refused, refused.length)),
			`What happened to the planned changes:${htmlList(outcomes)}`,
			escapeHtml(advice.join(' ')),
		]),
	});
	error.context.jobIds = [...applied.jobIds.delete, ...applied.jobIds.add];
	return error;
}
