import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { JobKind, RequiredField } from '../../../devices';
import type { FieldName } from '../../../devices/fields';

/**
 * The Device Variants that name an existing device, with their fields as the editor shows them.
 * Such a row must give its identity: without it the row is a name alone, and HERE would
 * provision a new device instead of claiming the one meant.
 */
const ADD_VARIANTS = new Map<string, { name: string; fields: Array<[FieldName, string]> }>([
	['deviceId', { name: 'Provisioned Device', fields: [['deviceId', 'Device ID']] }],
	['externalId', { name: 'Virtual Device', fields: [['externalId', 'External ID']] }],
	['connector', { name: 'Cloud-to-Cloud Device', fields: [['externalDeviceId', 'External Device ID'], ['connectorId', 'Connector ID']] }],
]);

export interface DefinedDevice {
	device: IDataObject;
	/** The fields this item's Device Variant requires (validation reports them when empty). */
	required: RequiredField[];
}

/**
 * "Define Below" for Input Items: the device of item `itemIndex`, built from the node's
 * parameters (usually expressions over the item). The result has HERE's field names and goes
 * through the same items source and validation as "Map Automatically", so both modes accept and
 * refuse the same values. Empty values mean "not set", as an empty CSV cell does, except for
 * the identity of a Device Variant that names an existing device: that one is required.
 */
export function definedDevice(context: IExecuteFunctions, itemIndex: number, kind: JobKind): DefinedDevice {
	const read = (name: string): unknown => context.getNodeParameter(name, itemIndex, undefined);
	const device: IDataObject = {};
	const required: RequiredField[] = [];
	const put = (field: string, value: unknown) => {
		if (value === undefined || value === null || value === '') return;
		device[field] = value as IDataObject[string];
	};

	if (kind === 'add') {
		put('name', read('deviceName'));
		// New Device (or no variant): HERE provisions the device and returns its deviceId and deviceSecret.
		const variant = ADD_VARIANTS.get(String(read('addIdentity')));
		if (variant !== undefined) {
			for (const [field, shown] of variant.fields) {
				put(field, read(field));
				required.push({ field, reason: `is required for a ${variant.name} (${shown} is empty for this item; without it HERE would make a new device)` });
			}
		}
		const fields = (read('addFields') ?? {}) as IDataObject;
		for (const field of ['sendMs', 'sampleMs', 'distanceM', 'areaBased', 'type', 'tags', 'rules', 'geofences']) {
			put(field, fields[field]);
		}
		return { device, required };
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
	// Delete rows must name their device anyway: validation says so when none is given.
	return { device, required };
}
