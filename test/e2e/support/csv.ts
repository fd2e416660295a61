/** Device CSV files for the e2e runs. Names and external ids are unique per prefix. */

export interface FleetDevice {
	readonly name: string;
	readonly externalId: string;
}

export function fleet(count: number, prefix: string): FleetDevice[] {
	return Array.from({ length: count }, (_, i) => {
		const n = String(i + 1).padStart(4, '0');
		return { name: `${prefix} truck ${n}`, externalId: `${prefix}-${n}` };
	});
}

/** The CSV a fleet team would upload: header plus one line per device. */
export function fleetCsv(devices: readonly FleetDevice[]): string {
	return ['name,externalId,type,tags,sendMs,sampleMs', ...devices.map((d) => `${d.name},${d.externalId},Truck,e2e|fleet,600000,300000`)].join('\n');
}

export function deleteByExternalIdCsv(devices: readonly FleetDevice[]): string {
	return ['externalId', ...devices.map((d) => d.externalId)].join('\n');
}
