import type { INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

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

/** The brackets around an upload's JSON array; devices are separated by one comma. */
const BRACKETS = 2;

/** A device whose JSON alone is larger than an upload may be: no job can carry it. */
export class DeviceTooLargeError<T> extends Error {
	constructor(
		readonly device: T,
		/** The body of an upload of this device alone. */
		readonly bodyBytes: number,
	) {
		// Rounded up, so that a body just over the limit never reads as "10.0 MiB".
		super(`${(Math.ceil((bodyBytes / 2 ** 20) * 10) / 10).toFixed(1)} MiB as JSON, and an upload to HERE may be at most 10 MiB`);
	}
}

/**
 * The upload batches of `items`: at most `chunkSize` devices each, as `chunkDevices` cuts them,
 * each cut further, where needed, into consecutive parts whose JSON body (`wireOf` gives each
 * item's device as sent) stays within 10 MiB. Every field but tags is at most 50 characters, so
 * only devices with long tags make a part smaller than `chunkSize`.
 * Throws DeviceTooLargeError for a device that no upload can carry.
 */
export function chunkForUpload<T>(items: readonly T[], chunkSize: number, wireOf: (item: T) => unknown): T[][] {
	return chunkDevices(items, chunkSize).flatMap((chunk) => splitBySize(chunk, wireOf));
}

function splitBySize<T>(chunk: readonly T[], wireOf: (item: T) => unknown): T[][] {
	const parts: T[][] = [];
	let part: T[] = [];
	let bytes = BRACKETS;
	for (const item of chunk) {
		const size = Buffer.byteLength(JSON.stringify(wireOf(item)), 'utf8');
		if (BRACKETS + size > MAX_UPLOAD_BYTES) throw new DeviceTooLargeError(item, BRACKETS + size);
		if (part.length > 0 && bytes + 1 + size > MAX_UPLOAD_BYTES) {
			parts.push(part);
			part = [];
			bytes = BRACKETS;
		}
		bytes += (part.length > 0 ? 1 : 0) + size;
		part.push(item);
	}
	if (part.length > 0) parts.push(part);
	return parts;
}

/** The error for a device no upload can carry, named as the caller knows it ("the device of row 7"). */
export function deviceTooLargeError(node: INode, device: string, error: DeviceTooLargeError<unknown>, itemIndex: number): NodeOperationError {
	return new NodeOperationError(node, `${device} is too large: ${error.message}`, {
		itemIndex,
		description: 'Tags are the only field without a length limit: shorten its tags. Nothing was sent to HERE.',
	});
}
