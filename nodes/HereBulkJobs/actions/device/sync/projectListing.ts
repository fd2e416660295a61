import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { escapeHtml, htmlParagraphs } from '../../../editorText';
import { ensureNodeError } from '../../../transport';
import { listDevicePages } from '../listDevices';
import type { ListedDevice } from '../wire';

/**
 * The project's devices as HERE lists them, page by page. HERE promises no order and its page
 * tokens do not pin one: when devices are added or deleted while the pages are read, the list
 * shifts under the pages, and a device can be read twice while others are skipped. A skipped
 * device would be planned as an add (or never deleted), so a trackingId read twice stops the
 * sync before anything is sent.
 */
export async function listProject(context: IExecuteFunctions, projectId: string | undefined): Promise<ListedDevice[]> {
	const listed = await readListing(context, projectId);
	const seen = new Set<string>();
	for (const [index, { trackingId }] of listed.entries()) {
		if (trackingId === undefined || trackingId === '') continue;
		if (seen.has(trackingId)) throw listingChanged(context, trackingId, index);
		seen.add(trackingId);
	}
	return listed;
}

async function readListing(context: IExecuteFunctions, projectId: string | undefined): Promise<ListedDevice[]> {
	const listed: ListedDevice[] = [];
	try {
		for await (const page of listDevicePages(context, { projectId, itemIndex: 0 })) {
			for (const device of page) listed.push(device);
		}
	} catch (error) {
		// Whatever stopped the listing (a refused page token, a fault that outlasted the retries), nothing has been sent yet.
		const nodeError = ensureNodeError(context.getNode(), error, 0);
		nodeError.description = htmlParagraphs([nodeError.description ?? '', "Sync stopped while reading the project's devices: nothing was sent to HERE."]);
		throw nodeError;
	}
	return listed;
}

function listingChanged(context: IExecuteFunctions, trackingId: string, read: number): NodeOperationError {
	return new NodeOperationError(
		context.getNode(),
		"Sync stopped before sending anything: HERE's device list changed while it was being read. Run the sync again.",
		{
			itemIndex: 0,
			description: htmlParagraphs([
				escapeHtml(
					`HERE listed the device ${trackingId} twice (after ${read} devices), so other devices were probably skipped: a plan built from this list could add devices HERE already has, or miss devices to delete.`,
				),
				'This happens when devices are added to or deleted from the project while it is listed (another sync, a bulk job, the HERE portal). Run the sync again, once no other job is changing the devices of this project.',
			]),
		},
	);
}
