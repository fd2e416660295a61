import type { AddDeviceRow } from '../../../devices';
import type { DeviceRate, ListedDevice } from '../wire';
import { listedRate, RATE_FIELDS } from '../wire';
import type { SyncScope } from './scope';
import { describeScope } from './scope';

/**
 * The sync plan: the list (desired devices, keyed by externalId) against the project's devices
 * as HERE lists them. Pure code, no requests; one pass over each side with a Map, so the cost
 * does not depend on what the ids look like.
 */

export type SyncAction = 'add' | 'delete' | 'unchanged' | 'drift' | 'notInList' | 'outsideScope';

export const SYNC_ACTIONS: readonly SyncAction[] = ['add', 'delete', 'drift', 'unchanged', 'notInList', 'outsideScope'];

/** A device of the list and where it came from (input item, and row as the user counts it). */
export interface DesiredDevice {
	externalId: string;
	device: AddDeviceRow;
	item: number;
	row: number;
}

export interface RateDifference {
	field: string;
	inList: number;
	inHere?: number;
}

export interface PlannedDevice {
	action: SyncAction;
	reason: string;
	externalId?: string;
	trackingId?: string;
	desired?: DesiredDevice;
	drift?: RateDifference[];
}

export interface SyncPlan {
	devices: PlannedDevice[];
	counts: Record<SyncAction, number>;
	/** Devices HERE listed. */
	listed: number;
	/** Of those, the virtual devices in scope: what the deletion percentage is measured against. */
	inScope: number;
}

export interface PlanSettings {
	scope: SyncScope;
	deleteMissing: boolean;
}

/** The rates the list gives that HERE's desired shadow does not hold (rates the list leaves out are not compared). */
function rateDifferences(device: AddDeviceRow, inHere: DeviceRate): RateDifference[] {
	const differences: RateDifference[] = [];
	for (const field of RATE_FIELDS) {
		const inList = device[field];
		if (inList !== undefined && inList !== inHere[field]) differences.push({ field, inList, inHere: inHere[field] });
	}
	return differences;
}

function describeDrift(differences: RateDifference[]): string {
	const parts = differences.map((d) => `${d.field} is ${d.inHere ?? 'not set'} in HERE, ${d.inList} in the list`);
	return `${parts.join('; ')}. Reported only: HERE cannot update a device, and deleting and re-adding it would give it a new trackingId`;
}

export function buildPlan(desired: readonly DesiredDevice[], listed: readonly ListedDevice[], settings: PlanSettings): SyncPlan {
	const counts: Record<SyncAction, number> = { add: 0, delete: 0, drift: 0, unchanged: 0, notInList: 0, outsideScope: 0 };
	const devices: PlannedDevice[] = [];
	const push = (planned: PlannedDevice) => {
		counts[planned.action]++;
		devices.push(planned);
	};

	// Keyed as the list's externalIds are read (trimmed): a device another client added as "fleet-1 "
	// is the list's "fleet-1", not a device to delete beside one to add. A delete names HERE's own value.
	const inHere = new Map<string, ListedDevice>();
	let inScope = 0;
	for (const device of listed) {
		const externalId = device.externalId;
		const key = externalId?.trim() ?? '';
		if (externalId === undefined || key === '') {
			push({ action: 'outsideScope', reason: 'Not a virtual device (no externalId): a sync never touches it', trackingId: device.trackingId });
		} else if (!settings.scope.matches(key)) {
			push({ action: 'outsideScope', reason: `Outside the scope (${describeScope(settings.scope)}): a sync never touches it`, externalId, trackingId: device.trackingId });
		} else if (inHere.has(key)) {
			// HERE keeps externalIds unique in a project; should it list one twice (or two that differ only in surrounding spaces), the second is left alone.
			const twice = inHere.get(key)?.externalId === externalId ? 'HERE listed this externalId twice' : 'HERE lists another device whose externalId differs from this one only in surrounding spaces';
			push({ action: 'outsideScope', reason: `${twice}; only the first is synced`, externalId, trackingId: device.trackingId });
		} else {
			inHere.set(key, device);
			inScope++;
		}
	}

	const inList = new Set<string>();
	for (const wanted of desired) {
		inList.add(wanted.externalId);
		const existing = inHere.get(wanted.externalId);
		if (existing === undefined) {
			push({ action: 'add', reason: 'In the list, not in HERE', externalId: wanted.externalId, desired: wanted });
			continue;
		}
		const drift = rateDifferences(wanted.device, listedRate(existing));
		push(
			drift.length > 0
				? { action: 'drift', reason: describeDrift(drift), externalId: wanted.externalId, trackingId: existing.trackingId, desired: wanted, drift }
				: { action: 'unchanged', reason: 'In the list and in HERE', externalId: wanted.externalId, trackingId: existing.trackingId, desired: wanted },
		);
	}

	for (const [key, device] of inHere) {
		if (inList.has(key)) continue;
		const externalId = device.externalId;
		push(
			settings.deleteMissing
				? { action: 'delete', reason: 'In HERE and in scope, not in the list', externalId, trackingId: device.trackingId }
				: { action: 'notInList', reason: 'In HERE, not in the list; kept because Delete Devices Not in List is off', externalId, trackingId: device.trackingId },
		);
	}
	return { devices, counts, listed: listed.length, inScope };
}

export interface DeletionGuard {
	maxDeletions: number;
	maxDeletionPercent: number;
}

/** Why the plan must not run, or undefined. Over either limit, nothing at all is sent. */
export function guardProblem(plan: SyncPlan, guard: DeletionGuard): string | undefined {
	const deletes = plan.counts.delete;
	if (deletes === 0) return undefined;
	if (deletes > guard.maxDeletions) return `it would delete ${deletes} devices, more than Max Deletions (${guard.maxDeletions})`;
	const percent = (deletes * 100) / plan.inScope;
	if (percent > guard.maxDeletionPercent) {
		return `it would delete ${deletes} of the ${plan.inScope} devices in scope (${percent.toFixed(1)}%), more than Max Deletion Percentage (${guard.maxDeletionPercent}%)`;
	}
	return undefined;
}
