/**
 * Upload batches: HERE takes at most 1000 devices per upload (POST /bulkjobs/v4/deviceUploads),
 * so more devices are split into several jobs.
 */
export const MAX_CHUNK_SIZE = 1000;

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
