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

/**
 * Device keys as real fleets write them: names, externalIds and trackingIds with long shared
 * prefixes and suffixes, the number either in the middle (`Tracker of depot Munich-0012345-north
 * gate`) or at the end. Validation must cost the same for both.
 */
export function keyCsv(rows: number, kind: 'add' | 'delete', vary: 'middle' | 'end'): Buffer {
	const key = (prefix: string, n: string, suffix: string) => (vary === 'middle' ? `${prefix}${n}${suffix}` : `${prefix}${suffix}${n}`);
	const lines = [kind === 'add' ? 'name,externalId' : 'trackingId'];
	for (let i = 1; i <= rows; i++) {
		const n = String(i).padStart(7, '0');
		lines.push(
			kind === 'add'
				? `${key('Tracker of depot Munich-', n, '-north gate')},${key('dev-', n, '@fleet.acme-logistics.com')}`
				: key('HERE-5cb2b777-7389-', n, '-472b-81f0-9ab89a9c'),
		);
	}
	return Buffer.from(`${lines.join('\n')}\n`, 'utf8');
}

/** Devices for jobs seeded straight on the emulator (results to collect, jobs to list). */
export function seedDevices(count: number, prefix: string): Array<{ name: string }> {
	return Array.from({ length: count }, (_, index) => ({ name: `${prefix}-${index + 1}` }));
}
