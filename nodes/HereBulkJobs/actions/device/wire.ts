/** `GET /users/v2/devices` as HERE Tracking 2.1.192 describes it: no item field is required. */

export const RATE_FIELDS = ['sendMs', 'sampleMs', 'distanceM'] as const;
export type RateField = (typeof RATE_FIELDS)[number];
export type DeviceRate = Partial<Record<RateField, number>>;

export interface ListedDevice {
	trackingId?: string;
	/** appId and externalId: virtual devices only. */
	appId?: string;
	externalId?: string;
	shadow?: { desired?: { system?: { rate?: DeviceRate } }; reported?: unknown };
}

/** The rates of a listed device's desired shadow (the ones a bulk add sets); numbers only. */
export function listedRate(device: ListedDevice): DeviceRate {
	const rate: DeviceRate = {};
	const listed = device.shadow?.desired?.system?.rate;
	for (const field of RATE_FIELDS) {
		const value = listed?.[field];
		if (typeof value === 'number') rate[field] = value;
	}
	return rate;
}
