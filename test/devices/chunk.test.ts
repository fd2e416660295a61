import { NodeOperationError } from 'n8n-workflow';

import { chunkDevices } from '../../nodes/HereBulkJobs/devices/chunk';
import type { AddDeviceRow } from '../../nodes/HereBulkJobs/devices/types';

type ValidatedDevice = { row: number; device: AddDeviceRow };

function devices(count: number, firstRow = 2): ValidatedDevice[] {
	return Array.from({ length: count }, (_, i) => ({ row: firstRow + i, device: { name: `d${i}` } }));
}

describe('chunkDevices', () => {
	it('splits 2,500 devices into 1000, 1000 and 500 with their row ranges', () => {
		const chunks = chunkDevices(devices(2500));
		expect(chunks.map((c) => [c.index, c.count, c.firstRow, c.lastRow])).toEqual([
			[0, 1000, 2, 1001],
			[1, 1000, 1002, 2001],
			[2, 500, 2002, 2501],
		]);
		expect(chunks[1].devices[0]).toEqual({ name: 'd1000' });
		expect(chunks[1].rows[0]).toBe(1002);
		expect(chunks[2].devices).toHaveLength(500);
		expect(chunks.flatMap((c) => c.devices)).toHaveLength(2500);
	});

	it('keeps each device with its source row when rows have gaps (skipped invalid rows)', () => {
		const input = [
			{ row: 2, device: { name: 'a' } },
			{ row: 5, device: { name: 'b' } },
			{ row: 9, device: { name: 'c' } },
		];
		const chunks = chunkDevices(input, 2);
		expect(chunks.map((c) => ({ rows: c.rows, first: c.firstRow, last: c.lastRow }))).toEqual([
			{ rows: [2, 5], first: 2, last: 5 },
			{ rows: [9], first: 9, last: 9 },
		]);
	});

	it('gives no chunks for no devices', () => {
		expect(chunkDevices([])).toEqual([]);
	});

	it.each([0, -1, 1001, 2.5, Number.NaN])('refuses chunk size %p with a NodeOperationError', (size) => {
		expect(() => chunkDevices(devices(3), size)).toThrow(NodeOperationError);
		expect(() => chunkDevices(devices(3), size)).toThrow(/whole number from 1 to 1000/);
	});
});
