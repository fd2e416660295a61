import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import type { AppliedPlan, SyncOutcome } from './apply';
import type { PlannedDevice, SyncPlan } from './plan';

/**
 * One item per device (externalId, action, reason, and after a real run outcome, trackingId
 * and HERE's errors), then one summary item. Items of the list are paired with the input item
 * they came from; devices only HERE knows are paired with the first input item.
 */

export interface SummaryFacts {
	dryRun: boolean;
	projectId?: string;
	inputCount: number;
	/** Devices outside the scope get items too (otherwise only the summary counts them). */
	includeOutsideScope: boolean;
	/** Why nothing was sent (a guard), or why the sync stopped part-way. */
	blockedBy?: string;
	stoppedBy?: string;
}

function deviceJson(planned: PlannedDevice, applied: AppliedPlan | undefined): IDataObject {
	const json: IDataObject = { externalId: planned.externalId, action: planned.action, reason: planned.reason };
	const result = applied?.results.get(planned);
	if (applied !== undefined) json.outcome = result?.outcome ?? 'noChange';
	const trackingId = result?.trackingId ?? planned.trackingId;
	if (trackingId !== undefined) json.trackingId = trackingId;
	if (planned.desired !== undefined) json.listRow = planned.desired.row;
	if (planned.drift !== undefined) json.drift = planned.drift.map((d) => ({ ...d }));
	if (result?.jobId !== undefined) json.jobId = result.jobId;
	if (result?.errors !== undefined) json.errors = result.errors.map((e) => ({ ...e }));
	return json;
}

export function outcomeCounts(applied: AppliedPlan): Partial<Record<SyncOutcome, number>> {
	const counts: Partial<Record<SyncOutcome, number>> = {};
	for (const result of applied.results.values()) counts[result.outcome] = (counts[result.outcome] ?? 0) + 1;
	return counts;
}

export function syncItems(plan: SyncPlan, applied: AppliedPlan | undefined, facts: SummaryFacts): INodeExecutionData[] {
	const shown = facts.includeOutsideScope ? plan.devices : plan.devices.filter((planned) => planned.action !== 'outsideScope');
	const items: INodeExecutionData[] = shown.map((planned) => ({
		json: deviceJson(planned, applied),
		pairedItem: { item: planned.desired?.item ?? 0 },
	}));
	const summary: IDataObject = {
		summary: true,
		dryRun: facts.dryRun,
		planned: { ...plan.counts },
		listedInHere: plan.listed,
		inScopeInHere: plan.inScope,
	};
	if (facts.projectId !== undefined) summary.projectId = facts.projectId;
	if (facts.blockedBy !== undefined) summary.blockedBy = facts.blockedBy;
	if (applied !== undefined) {
		summary.outcomes = outcomeCounts(applied);
		summary.jobIds = { delete: [...applied.jobIds.delete], add: [...applied.jobIds.add] };
	}
	if (facts.stoppedBy !== undefined) summary.stoppedBy = facts.stoppedBy;
	items.push({ json: summary, pairedItem: Array.from({ length: facts.inputCount }, (_, item) => ({ item })) });
	return items;
}
