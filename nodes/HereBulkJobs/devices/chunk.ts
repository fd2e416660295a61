/**
 * Validated devices → upload batches of at most 1000 (the API's limit per upload), each knowing
 * its source rows, so that a job's results can be traced back to the input.
 */
import type { INode } from 'n8n-workflow';

import { optionError } from './report';

export const MAX_CHUNK_SIZE = 1000;

export interface DeviceChunk<T> {
	/** 0-based position of the chunk. */
	index: number;
	/** The upload body, in input order. */
	devices: T[];
	/** `rows[i]` is the source row of `devices[i]`. */
	rows: number[];
	firstRow: number;
	lastRow: number;
	count: number;
}

/** Split devices into chunks of `chunkSize` (1-1000; anything else is a NodeOperationError); `rows[i]` is the row of `devices[i]`. */
export function chunkDevices<T>(devices: readonly T[], rows: readonly number[], chunkSize = MAX_CHUNK_SIZE, node?: INode): Array<DeviceChunk<T>> {
	const size = chunkSizeOption(chunkSize, node);
	const chunks: Array<DeviceChunk<T>> = [];
	for (let at = 0; at < devices.length; at += size) {
		const part = rows.slice(at, at + size);
		chunks.push({ index: chunks.length, devices: devices.slice(at, at + size), rows: part, firstRow: part[0], lastRow: part[part.length - 1], count: part.length });
	}
	return chunks;
}

export function chunkSizeOption(chunkSize: number, node: INode | undefined): number {
	if (Number.isInteger(chunkSize) && chunkSize >= 1 && chunkSize <= MAX_CHUNK_SIZE) return chunkSize;
	throw optionError(
		node,
		`The batch size must be a whole number from 1 to ${MAX_CHUNK_SIZE} (got ${String(chunkSize)}): HERE accepts at most ${MAX_CHUNK_SIZE} devices per upload`,
	);
}
