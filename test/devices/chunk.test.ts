import { chunkDevices, chunkForUpload, DeviceTooLargeError, MAX_UPLOAD_BYTES } from '../../nodes/HereBulkJobs/devices/chunk';

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

describe('chunkForUpload', () => {
	const bodyBytes = (chunk: unknown[]) => Buffer.byteLength(JSON.stringify(chunk), 'utf8');
	const device = (index: number, tagLength = 0) => ({ name: `fleet-${index}`, ...(tagLength > 0 ? { tags: [`${index}`.padEnd(tagLength, 'é')] } : {}) });

	it('keeps the batches of chunkDevices while their JSON bodies fit in 10 MiB', () => {
		const devices = Array.from({ length: 2500 }, (_, i) => device(i));
		expect(chunkForUpload(devices, 1000, (d) => d)).toEqual(chunkDevices(devices, 1000));
	});

	it('cuts a batch whose body would be over 10 MiB into consecutive parts that fit, each as full as it can be', () => {
		// 1000 devices with a 7,000-character tag of two-byte letters: about 14 KB each, 14 MB together.
		const devices = Array.from({ length: 1000 }, (_, i) => device(i, 7_000));
		const chunks = chunkForUpload(devices, 1000, (d) => d);

		expect(chunks.length).toBe(2);
		expect(chunks.flat()).toEqual(devices);
		for (const chunk of chunks) expect(bodyBytes(chunk)).toBeLessThanOrEqual(MAX_UPLOAD_BYTES);
		// The first part could not take its successor's first device.
		expect(bodyBytes([...chunks[0], chunks[1][0]])).toBeGreaterThan(MAX_UPLOAD_BYTES);
	});

	it('measures each device as it is sent (wireOf)', () => {
		const devices = Array.from({ length: 30 }, (_, i) => ({ index: i }));
		const chunks = chunkForUpload(devices, 10, (d) => device(d.index, 2_000_000));
		expect(chunks.map((chunk) => chunk.length)).toEqual([2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2]);
	});

	it('counts the body to the byte: brackets and commas included, a body of exactly 10 MiB fits, one byte more does not', () => {
		// {"t":"…"} is 8 bytes around its text.
		const sized = (bytes: number) => ({ t: 'x'.repeat(bytes - 8) });
		const pair = [sized(MAX_UPLOAD_BYTES / 2 - 2), sized(MAX_UPLOAD_BYTES / 2 - 1)];
		expect(bodyBytes(pair)).toBe(MAX_UPLOAD_BYTES);
		expect(chunkForUpload(pair, 1000, (d) => d)).toEqual([pair]);
		const over = [sized(MAX_UPLOAD_BYTES / 2 - 2), sized(MAX_UPLOAD_BYTES / 2)];
		expect(chunkForUpload(over, 1000, (d) => d)).toEqual([[over[0]], [over[1]]]);

		expect(chunkForUpload([sized(MAX_UPLOAD_BYTES - 2)], 1000, (d) => d)).toHaveLength(1);
		// Just over the limit never reads as "10.0 MiB".
		expect(() => chunkForUpload([sized(MAX_UPLOAD_BYTES - 1)], 1000, (d) => d)).toThrow('10.1 MiB as JSON, and an upload to HERE may be at most 10 MiB');
	});

	it('refuses a device that no upload can carry, naming it', () => {
		const devices = [device(0), device(1, 6_000_000), device(2)];
		let thrown: unknown;
		try {
			chunkForUpload(devices, 1000, (d) => d);
		} catch (error) {
			thrown = error;
		}
		expect(thrown).toBeInstanceOf(DeviceTooLargeError);
		expect((thrown as DeviceTooLargeError<unknown>).device).toBe(devices[1]);
		expect((thrown as Error).message).toBe('11.5 MiB as JSON, and an upload to HERE may be at most 10 MiB');
	});
});
