/**
 * Upload batches: HERE takes at most 1000 devices per upload (POST /bulkjobs/v4/deviceUploads)
 * and a body of at most 10 MiB, so more devices are split into several jobs.
 */
export const MAX_CHUNK_SIZE = 1000;

/** HERE refuses a request body over 10 MiB (413). */
export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

/**
 * `devices` in order, in batches of `chunkSize`. The user's Devices per Job is checked with the
 * other settings (create.operation.ts); this guards HERE's 1000-device limit and the loop against a
 * size they cannot take.
 */
export function chunkDevices<T>(devices: readonly T[], chunkSize = MAX_CHUNK_SIZE): T[][] {
	if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > MAX_CHUNK_SIZE) {
		throw new RangeError(`chunkDevices: the size must be a whole number from 1 to ${MAX_CHUNK_SIZE} (got ${String(chunkSize)})`);
	}
	const chunks: T[][] = [];
	for (let start = 0; start < devices.length; start += chunkSize) chunks.push(devices.slice(start, start + chunkSize));
	return chunks;
}

/** A device whose JSON alone is larger than an upload may be: no job can carry it. */
export class DeviceTooLargeError<T> extends Error {
	constructor(
		readonly device: T,
		readonly bytes: number,
	) {
		// Completed by the caller, which names the device: "The device of row 7 is too large: …".
		super(`${(bytes / 2 ** 20).toFixed(1)} MiB as JSON, and an upload to HERE may be at most 10 MiB`);
	}
}

const jsonBytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value), 'utf8');

/**
 * The upload batches of `items`: at most `chunkSize` devices each, as `chunkDevices` cuts them,
 * and a batch whose JSON body (`wireOf` gives each item's device as sent) would be over 10 MiB
 * cut further into consecutive parts that fit. Every field but tags is at most 50 characters,
 * so only long tags make a batch that large; the common case measures each batch once.
 * Throws DeviceTooLargeError for a device that no upload can carry.
 */
export function chunkForUpload<T>(items: readonly T[], chunkSize: number, wireOf: (item: T) => unknown): T[][] {
	return chunkDevices(items, chunkSize).flatMap((chunk) => (jsonBytes(chunk.map(wireOf)) <= MAX_UPLOAD_BYTES ? [chunk] : splitBySize(chunk, wireOf)));
}

function splitBySize<T>(chunk: readonly T[], wireOf: (item: T) => unknown): T[][] {
	const brackets = 2;
	const parts: T[][] = [];
	let part: T[] = [];
	let bytes = brackets;
	for (const item of chunk) {
		const size = jsonBytes(wireOf(item));
		if (brackets + size > MAX_UPLOAD_BYTES) throw new DeviceTooLargeError(item, size);
		const comma = part.length > 0 ? 1 : 0;
		if (bytes + comma + size > MAX_UPLOAD_BYTES) {
			parts.push(part);
			part = [];
			bytes = brackets;
		}
		bytes += (part.length > 0 ? 1 : 0) + size;
		part.push(item);
	}
	parts.push(part);
	return parts;
}
