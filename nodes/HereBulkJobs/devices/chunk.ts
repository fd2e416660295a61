/**
 * Upload batches: HERE takes at most 1000 devices per upload (POST /bulkjobs/v4/deviceUploads),
 * so more devices are split into several jobs.
 */
import type { INode } from 'n8n-workflow';

import { optionError } from './report';

export const MAX_CHUNK_SIZE = 1000;

/** `devices` in order, in batches of `chunkSize` (1-1000; anything else is a NodeOperationError). */
export function chunkDevices<T>(devices: readonly T[], chunkSize = MAX_CHUNK_SIZE, node?: INode): T[][] {
	if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > MAX_CHUNK_SIZE) {
		throw optionError(
			node,
			`The batch size must be a whole number from 1 to ${MAX_CHUNK_SIZE} (got ${String(chunkSize)}): HERE accepts at most ${MAX_CHUNK_SIZE} devices per upload`,
		);
	}
	const chunks: T[][] = [];
	for (let start = 0; start < devices.length; start += chunkSize) chunks.push(devices.slice(start, start + chunkSize));
	return chunks;
}
