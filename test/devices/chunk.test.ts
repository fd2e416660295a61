import { chunkDevices } from '../../nodes/HereBulkJobs/devices/chunk';

function rows(count: number, firstRow = 2): number[] {
	return Array.from({ length: count }, (_, i) => firstRow + i);
}

describe('chunkDevices', () => {
	it('splits 2,500 devices into 1000, 1000 and 500, in order', () => {
		const chunks = chunkDevices(rows(2500));
		expect(chunks.map((chunk) => [chunk.length, chunk[0], chunk[chunk.length - 1]])).toEqual([
			[1000, 2, 1001],
			[1000, 1002, 2001],
			[500, 2002, 2501],
		]);
		expect(chunks.flat()).toEqual(rows(2500));
	});

	it('keeps the order when rows have gaps (skipped invalid rows)', () => {
		expect(chunkDevices([2, 5, 9], 2)).toEqual([[2, 5], [9]]);
	});

	it('gives no chunks for no devices', () => {
		expect(chunkDevices([])).toEqual([]);
	});

	// The user's Devices per Job is checked before (create.test.ts); a size the loop cannot use is a programming error.
	it.each([0, -1, 1001, 2.5, Number.NaN])('refuses chunk size %p', (size) => {
		expect(() => chunkDevices(rows(3), size)).toThrow(RangeError);
	});
});
