import type { EmulatorCore } from '../core';
import { integer, ok, single, type Route } from '../http';
import type { Project } from '../projects';
import type { Device, DeviceListBody, DeviceListItem } from '../types';

/** A desired shadow never touched by geofence associations (the emulator has none). */
const NO_GEOFENCE_CHANGE = new Date(0).toISOString();

/**
 * `GET /users/v2/devices`: every device claimed by the project, physical and virtual, as soon
 * as its bulk row succeeded. Like the job listing, the order is shuffled per listing and the
 * first page snapshots the ids; unlike it, the next page's token comes back as `pageToken`,
 * the page size is `count`, and a token expires 10 minutes after it was issued.
 */
export function deviceRoutes(core: EmulatorCore): Route[] {
	return [
		{
			method: 'GET',
			pattern: /^\/users\/v2\/devices$/,
			handle: (req) => {
				// This call declares 400, 401 and 403: a project the caller cannot see is refused, whether it exists or not.
				const project = core.accounts.resolveProject(core.accounts.authenticate(req.headers.authorization), single(req.query, 'projectId'), 'forbidden');
				const count = integer(req.query, 'count', 1, 100, 100);
				const token = single(req.query, 'pageToken');
				const now = core.clock.now();
				let ids: string[];
				let offset = 0;
				let snapshotId: string | undefined;
				if (token) {
					({ ids, offset, snapshotId } = core.pages.readDeviceToken(token, project.projectId, now));
				} else {
					ids = project.devices.all().map((device) => device.trackingId);
					core.listRng.shuffle(ids);
				}
				let end = offset + count;
				const data: DeviceListItem[] = [];
				for (const trackingId of ids.slice(offset, end)) {
					// A device deleted since the listing began is simply no longer there.
					const device = project.devices.findByTrackingId(trackingId);
					if (device) data.push(listItem(project, device));
				}
				// No token when only deleted devices are left: the token means a further page with devices.
				while (end < ids.length && project.devices.findByTrackingId(ids[end]) === undefined) end++;
				const body: DeviceListBody = { count: data.length, data };
				if (end < ids.length) {
					body.pageToken =
						snapshotId !== undefined
							? core.pages.deviceToken(snapshotId, end, now)
							: core.pages.startDeviceListing(project.projectId, ids, end, now);
				}
				return ok(body);
			},
		},
	];
}

function listItem(project: Project, device: Device): DeviceListItem {
	const item: DeviceListItem = { trackingId: device.trackingId };
	// appId and externalId belong to virtual devices only.
	if (device.externalId !== undefined) {
		item.appId = project.appId;
		item.externalId = device.externalId;
	}
	if (device.rate) {
		item.shadow = {
			desired: {
				timestamp: new Date(device.addedAt).toISOString(),
				system: { rate: { ...device.rate }, stateVersion: 0, lastModifiedGeofenceTimestamp: NO_GEOFENCE_CHANGE },
			},
			reported: {},
		};
	}
	return item;
}
