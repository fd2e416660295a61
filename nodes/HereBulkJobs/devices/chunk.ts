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

/** Split devices into chunks of `chunkSize` (1-1000; anything else is a NodeOperationError), each device with its source row. */
export function chunkDevices<T>(devices: ReadonlyArray<{ row: number; device: T }>, chunkSize = MAX_CHUNK_SIZE, node?: INode): Array<DeviceChunk<T>> {
	const size = chunkSizeOption(chunkSize, node);
	const chunks: Array<DeviceChunk<T>> = [];
	for (const { row, device } of devices) addToChunks(chunks, size, row, device);
	return chunks;
}

/** Adds a device to the last chunk, or to a new one when the last is full (a streamed source fills chunks as it validates). */
export function addToChunks<T>(chunks: Array<DeviceChunk<T>>, size: number, row: number, device: T): void {
	const last = chunks[chunks.length - 1];
	if (last === undefined || last.count === size) {
		chunks.push({ index: chunks.length, devices: [device], rows: [row], firstRow: row, lastRow: row, count: 1 });
		return;
	}
	last.devices.push(device);
	last.rows.push(row);
	last.lastRow = row;
	last.count++;
}

export function chunkSizeOption(chunkSize: number, node: INode | undefined): number {
	if (Number.isInteger(chunkSize) && chunkSize >= 1 && chunkSize <= MAX_CHUNK_SIZE) return chunkSize;
	throw optionError(
		node,
		`The batch size must be a whole number from 1 to ${MAX_CHUNK_SIZE} (got ${String(chunkSize)}): HERE accepts at most ${MAX_CHUNK_SIZE} devices per upload`,
	);
}
