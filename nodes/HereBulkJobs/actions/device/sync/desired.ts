import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { AddDeviceRow, RowIssue } from '../../../devices';
import { issueText } from '../../../devices';
import { fieldsOf } from '../../../devices/fields';
import { htmlParagraphs } from '../../../editorText';
import { issueReports } from '../../bulkJob/create/checkInput';
import type { DeviceBlock, InputSource } from '../../bulkJob/create/deviceSource';
import { readDeviceBlocks } from '../../bulkJob/create/deviceSource';
import type { LocatedDevice } from '../../bulkJob/create/plan';
import { locatedDevices } from '../../bulkJob/create/plan';
import { plural } from '../../bulkJob/create/rows';
import type { DesiredDevice } from './plan';
import type { SyncScope } from './scope';
import { describeScope } from './scope';

/**
 * The list a sync makes the project match: read and validated as Create reads add rows, plus
 * what a sync needs: every device virtual (externalId is the key HERE lists and deletes by),
 * in scope, and once in the list. Any problem stops the sync before anything is listed: a
 * device left out of the list would count as gone.
 */

export interface ListSettings {
	source: InputSource;
	ignoreUnknownFields: boolean;
	scope: SyncScope;
}

/** Fields only a delete row has (trackingId, unclaimOnly, removeFromConnectorOnly). */
const DELETE_ONLY_FIELDS: ReadonlySet<string> = new Set(fieldsOf('delete').filter((field) => !fieldsOf('add').includes(field)));

/**
 * Create's checks read a row with a delete-only field as a delete row in an add job, and say to
 * use a delete devices job. Sync has none to offer: it takes the devices to keep and finds what
 * to delete itself, so such a row is told that in Sync's terms.
 */
function inSyncTerms(issue: RowIssue): RowIssue {
	if (issue.column === undefined || !DELETE_ONLY_FIELDS.has(issue.column)) return issue;
	// Create's check names one such field a row has; the others would be refused on the next run.
	const fields = `${issue.label === 'row' ? 'columns' : 'fields'} ${[...DELETE_ONLY_FIELDS].join(', ')}`;
	return {
		...issue,
		reason: `is not taken by Sync: the list holds the devices to keep, by externalId, and Sync finds the devices to delete itself. Remove the delete-only ${fields} (to unclaim devices rather than delete them, turn on Delete Devices Not in List, then Unclaim Only)`,
	};
}

/** What a sync needs beyond Create's checks (which already find a device repeated anywhere in the list). */
function syncIssues(block: DeviceBlock, devices: LocatedDevice[], scope: SyncScope): RowIssue[] {
	const label = block.prepared.label;
	const issues: RowIssue[] = [];
	for (const located of devices) {
		const externalId = (located.device as AddDeviceRow).externalId;
		const at = { row: located.row, label, column: 'externalId' };
		if (externalId === undefined) {
			issues.push({ ...at, reason: 'is required: Sync matches devices by externalId, so the list holds virtual devices only' });
		} else if (!scope.matches(externalId)) {
			issues.push({ ...at, reason: `is outside the Scope (${describeScope(scope)}); a sync adds only devices it manages`, value: externalId });
		}
	}
	return issues;
}

function listError(context: IExecuteFunctions, blocks: DeviceBlock[]): NodeOperationError {
	const withIssues = blocks.filter((block) => block.prepared.issues.length > 0);
	const all = withIssues.flatMap((block) => block.prepared.issues);
	const label = blocks[0]?.prepared.label ?? 'row';
	const nothingDone = 'nothing was listed or sent';
	const fatal = withIssues.find((block) => block.prepared.fatal || block.prepared.issues.some((issue) => issue.whole === true));
	const rowsWithIssues = (block: DeviceBlock) => new Set(block.prepared.issues.filter((issue) => issue.whole !== true).map((issue) => issue.row)).size;
	const badRows = withIssues.reduce((sum, block) => sum + rowsWithIssues(block), 0);
	const total = blocks.reduce((sum, block) => sum + locatedDevices(block).length, 0) + badRows;
	const message =
		fatal !== undefined || badRows === 0
			? `The list cannot be used: ${all[0] ? issueText(all[0]) : 'it has no devices'}; ${nothingDone}`
			: `${badRows} of ${total} ${plural(label)} of the list ${badRows === 1 ? 'is' : 'are'} invalid; ${nothingDone}`;
	const severalSources = blocks.length > 1 && blocks.some((block) => block.itemIndex !== undefined);
	const description = htmlParagraphs([
		...issueReports(blocks, { rowsPerItem: severalSources, severalSources }),
		'Fix the list and run the sync again. Sync never skips invalid rows: a device missing from the list would count as gone.',
	]);
	return new NodeOperationError(context.getNode(), message, { description, itemIndex: withIssues[0]?.itemIndex ?? 0 });
}

/** The desired devices, in list order; throws (before any request) when the list has any problem. */
export async function readDesiredDevices(context: IExecuteFunctions, items: INodeExecutionData[], settings: ListSettings): Promise<DesiredDevice[]> {
	const blocks = await readDeviceBlocks(context, items, { run: 'sync', source: settings.source, kind: 'add', ignoreUnknownFields: settings.ignoreUnknownFields });
	const located = blocks.map(locatedDevices);
	blocks.forEach((block, index) => {
		const issues = block.prepared.issues;
		for (let i = 0; i < issues.length; i++) issues[i] = inSyncTerms(issues[i]);
		const extra = syncIssues(block, located[index], settings.scope);
		if (extra.length === 0) return;
		block.prepared.issues.push(...extra);
		block.prepared.issues.sort((a, b) => (a.whole === true ? -1 : a.row) - (b.whole === true ? -1 : b.row));
	});
	const valid = located.reduce((sum, devices) => sum + devices.length, 0);
	if (valid === 0 || blocks.some((block) => block.prepared.issues.length > 0)) throw listError(context, blocks);

	return located.flat().map((device) => {
		const row = device.device as AddDeviceRow;
		return { externalId: row.externalId as string, device: row, item: device.item, row: device.row };
	});
}
