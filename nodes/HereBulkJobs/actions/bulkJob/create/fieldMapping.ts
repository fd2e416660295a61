import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { JobKind } from '../../../devices';

/**
 * "Define Below" for Input Items: the device of item `itemIndex`, built from the node's
 * parameters (usually expressions over the item). The result has HERE's field names and goes
 * through the same items source and validation as "Map Automatically", so both modes accept and
 * refuse the same values. Empty values mean "not set", as an empty CSV cell does.
 */
export function definedDevice(context: IExecuteFunctions, itemIndex: number, kind: JobKind): IDataObject {
	const read = (name: string): unknown => context.getNodeParameter(name, itemIndex, undefined);
	const device: IDataObject = {};
	const put = (field: string, value: unknown) => {
		if (value === undefined || value === null || value === '') return;
		device[field] = value as IDataObject[string];
	};

	if (kind === 'add') {
		put('name', read('deviceName'));
		switch (read('addIdentity')) {
			case 'deviceId':
				put('deviceId', read('deviceId'));
				break;
			case 'externalId':
				put('externalId', read('externalId'));
				break;
			case 'connector':
				put('externalDeviceId', read('externalDeviceId'));
				put('connectorId', read('connectorId'));
				break;
			default:
			// a new device: HERE provisions it and returns its deviceId and deviceSecret
		}
		const fields = (read('addFields') ?? {}) as IDataObject;
		for (const field of ['sendMs', 'sampleMs', 'distanceM', 'areaBased', 'type', 'tags', 'rules', 'geofences']) {
			put(field, fields[field]);
		}
		return device;
	}

	const identity = read('deleteIdentity');
	switch (identity) {
		case 'externalId':
			put('externalId', read('externalId'));
			break;
		case 'connector':
			put('connectorId', read('connectorId'));
			put('externalDeviceId', read('externalDeviceId'));
			break;
		default:
			put('trackingId', read('trackingId'));
	}
	// false is HERE's default: sent only when set, so the row stays as small as the CSV's.
	const unclaimOnly = read('unclaimOnly');
	if (unclaimOnly !== false) put('unclaimOnly', unclaimOnly);
	if (identity === 'connector') {
		const removeFromConnectorOnly = read('removeFromConnectorOnly');
		if (removeFromConnectorOnly !== false) put('removeFromConnectorOnly', removeFromConnectorOnly);
	}
	return device;
}
