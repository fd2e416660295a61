import type { BadInput } from './cases';

/**
 * Inputs too large to commit, generated when the suite runs: a 2 MB line (as the header and as
 * a device row) and 1,000,001 device rows, one more than Create accepts at once.
 */
const TWO_MB = 2 * 1024 * 1024;

export const MAX_DEVICE_ROWS = 1_000_000;

export function twoMegabyteHeaderLine(): string {
	return `name,${'x'.repeat(TWO_MB)}`;
}

export function twoMegabyteDeviceLine(): string {
	return `name,type\nTruck 1,${'y'.repeat(TWO_MB)}\nTruck 2,Tracker`;
}

/** `rows` valid device rows after the header (about 23 MB for a million). */
export function manyRows(rows: number): Buffer {
	const parts: string[] = ['name,sendMs,sampleMs'];
	for (let i = 1; i <= rows; i++) parts.push(`d-${i},600000,300000`);
	return Buffer.from(parts.join('\n'));
}

export const GENERATED_CASES: Array<Omit<BadInput, 'input'> & { input: () => string | Buffer }> = [
	{ id: 'csv: a 2 MB single line (the header)', source: 'csvFile', input: twoMegabyteHeaderLine, row: 'row 1', reason: /longer than 65,536 bytes/ },
	{ id: 'csv: a 2 MB device row', source: 'csvFile', input: twoMegabyteDeviceLine, row: 'row 2', reason: /longer than 65,536 bytes/ },
	{
		id: 'csv: 1,000,001 rows',
		source: 'csvFile',
		input: () => manyRows(MAX_DEVICE_ROWS + 1),
		row: 'Input item 0',
		reason: /holds more than 1,000,000 rows, the most one run reads/,
	},
];
