/**
 * The benchmark's device files: what an operator exports from a fleet spreadsheet, with the
 * columns of HERE's CSV format that onboarding usually sets (name, type, intervals, two tags).
 * Deterministic, so every run and both sides read the same bytes.
 */

export const DEVICE_CSV_HEADER = 'name,type,sendMs,sampleMs,distanceM,tag:fleet-north,tag:refrigerated';

const TYPES = ['Tracker', 'Returnable / Reusable', 'Heavy Machinery', 'Warehouse'];

export function deviceCsv(rows: number, prefix = 'bench'): Buffer {
	const lines = [DEVICE_CSV_HEADER];
	for (let i = 1; i <= rows; i++) {
		const type = TYPES[i % TYPES.length];
		const quoted = type.includes('/') ? `"${type}"` : type;
		lines.push(`${prefix}-device-${String(i).padStart(6, '0')},${quoted},600000,${i % 3 === 0 ? 60000 : 300000},100,1,${i % 2}`);
	}
	return Buffer.from(`${lines.join('\r\n')}\r\n`, 'utf8');
}

/** Devices for jobs seeded straight on the emulator (results to collect, jobs to list). */
export function seedDevices(count: number, prefix: string): Array<{ name: string }> {
	return Array.from({ length: count }, (_, index) => ({ name: `${prefix}-${index + 1}` }));
}
