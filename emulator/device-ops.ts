import { secret, type IdSource } from './ids';
import type { DeviceRegistry } from './registry';
import type { AddRow, DeleteRow, Device, DeviceRate, DeviceRow, ResultError, ResultItem } from './types';

/**
 * What processing one row does to a project's registry, and the results row it yields.
 *
 * Emulator convention for partial success: a rule or geofence id whose first group is
 * `00000000` does not exist. The device is still added (it gets a trackingId) but the row
 * carries an error, so the job counts it in `partiallySucceeded`. Real HERE reports such
 * association failures the same way; the emulator needs a deterministic trigger for them.
 */
export function applyRow(registry: DeviceRegistry, row: DeviceRow, ids: IdSource, now: number): RowOutcome {
	return row.kind === 'add' ? applyAdd(registry, row, ids, now) : applyDelete(registry, row);
}

export interface RowOutcome {
	item: ResultItem;
	/** How the job counts the row: a row with errors failed wholly or partly. */
	outcome: 'succeeded' | 'failed' | 'partiallySucceeded';
}

function identityOf(row: AddRow | DeleteRow): ResultItem {
	const out: ResultItem = {};
	if (row.externalId !== undefined) out.externalId = row.externalId;
	if (row.externalDeviceId !== undefined) out.externalDeviceId = row.externalDeviceId;
	if (row.connectorId !== undefined) out.connectorId = row.connectorId;
	return out;
}

function rowError(code: number, message: string, details: string): ResultError {
	return { code, message, details };
}

function applyAdd(registry: DeviceRegistry, row: AddRow, ids: IdSource, now: number): RowOutcome {
	const result: ResultItem = { name: row.name, ...(row.deviceId !== undefined ? { deviceId: row.deviceId } : {}), ...identityOf(row) };
	const conflict = findConflict(registry, row);
	if (conflict) {
		result.errors = [conflict];
		return { item: result, outcome: 'failed' };
	}
	const device: Device = { name: row.name, trackingId: ids.trackingId(), addedAt: now };
	if (row.deviceId !== undefined) device.deviceId = row.deviceId;
	if (row.externalId !== undefined) device.externalId = row.externalId;
	if (row.externalDeviceId !== undefined && row.connectorId !== undefined) {
		device.externalDeviceId = row.externalDeviceId;
		device.connectorId = row.connectorId;
	}
	if (row.type !== undefined) device.type = row.type;
	if (row.tags !== undefined) device.tags = [...row.tags];
	const rate = rateOf(row);
	if (rate) device.rate = rate;
	const isNewDevice = row.deviceId === undefined && row.externalId === undefined && row.externalDeviceId === undefined;
	if (isNewDevice) {
		// Only a name: HERE provisions a new device and hands out its credentials once, here.
		device.deviceId = ids.uuid();
		result.deviceId = device.deviceId;
		result.deviceSecret = secret(24);
	}
	registry.add(device);
	result.trackingId = device.trackingId;
	const missing = [...(row.rules ?? []).map((id) => ['rule', id]), ...(row.geofences ?? []).map((id) => ['geofence', id])].filter(([, id]) =>
		id.startsWith('00000000'),
	);
	if (missing.length === 0) return { item: result, outcome: 'succeeded' };
	result.errors = missing.map(([what, id]) => rowError(404, `The ${what} was not found; the device was added without it.`, `${what}:${id}`));
	return { item: result, outcome: 'partiallySucceeded' };
}

function rateOf(row: AddRow): DeviceRate | undefined {
	const rate: DeviceRate = {};
	if (row.sendMs !== undefined) rate.sendMs = row.sendMs;
	if (row.sampleMs !== undefined) rate.sampleMs = row.sampleMs;
	if (row.distanceM !== undefined) rate.distanceM = row.distanceM;
	return Object.keys(rate).length > 0 ? rate : undefined;
}

function findConflict(registry: DeviceRegistry, row: AddRow): ResultError | undefined {
	// The device itself before its name: re-adding a device (same name, same externalId) gets the externalId answer the notes decide.
	if (row.externalId !== undefined && registry.findByExternalId(row.externalId)) {
		return rowError(409, `Device with externalId ${row.externalId} already exists in the project.`, `externalId:${row.externalId}`);
	}
	if (row.deviceId !== undefined && registry.findByDeviceId(row.deviceId)) {
		return rowError(409, 'The device is already claimed to the project.', `deviceId:${row.deviceId}`);
	}
	if (registry.findByName(row.name)) return rowError(409, 'A device with this name already exists in the project.', `name:${row.name}`);
	if (row.connectorId !== undefined && row.externalDeviceId !== undefined && registry.findByC2c(row.connectorId, row.externalDeviceId)) {
		return rowError(409, 'The external device is already added to the connector.', `externalDeviceId:${row.externalDeviceId}`);
	}
	return undefined;
}

function applyDelete(registry: DeviceRegistry, row: DeleteRow): RowOutcome {
	const result: ResultItem = { ...(row.trackingId !== undefined ? { trackingId: row.trackingId } : {}), ...identityOf(row) };
	let device: Device | undefined;
	let key: string;
	if (row.trackingId !== undefined) {
		device = registry.findByTrackingId(row.trackingId);
		key = `trackingId:${row.trackingId}`;
	} else if (row.externalId !== undefined) {
		device = registry.findByExternalId(row.externalId);
		key = `externalId:${row.externalId}`;
	} else {
		device = registry.findByC2c(row.connectorId ?? '', row.externalDeviceId ?? '');
		key = `externalDeviceId:${row.externalDeviceId ?? ''}`;
	}
	if (!device) {
		result.errors = [rowError(404, 'No such device in the project.', key)];
		return { item: result, outcome: 'failed' };
	}
	result.name = device.name;
	result.trackingId = device.trackingId;
	// Both the default (unclaim and unprovision) and unclaimOnly take the device out of the project;
	// removeFromConnectorOnly keeps it claimed and only detaches it from its connector.
	if (row.removeFromConnectorOnly) registry.detachFromConnector(device);
	else registry.remove(device);
	return { item: result, outcome: 'succeeded' };
}
