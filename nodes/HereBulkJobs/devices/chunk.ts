/**
 * Validated devices → upload batches of at most 1000 (the API's limit per upload), each knowing
 * its source rows, so that a job's results can be traced back to the input.
 */
import type { INode } from 'n8n-workflow';

import { optionError, rowName } from './report';
import type { RowLabel, ValidatedDevice } from './types';

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

/** Split devices into chunks of `chunkSize` (1-1000; anything else is a NodeOperationError). */
export function chunkDevices<T>(devices: ReadonlyArray<ValidatedDevice<T>>, chunkSize = MAX_CHUNK_SIZE, node?: INode): Array<DeviceChunk<T>> {
	const collector = new ChunkCollector<T>(chunkSize, node);
	for (const { row, device } of devices) collector.add(row, device);
	return collector.chunks();
}

/** Fills chunks one device at a time, as a streamed source validates them. */
export class ChunkCollector<T> {
	private readonly done: Array<DeviceChunk<T>> = [];
	private devices: T[] = [];
	private rows: number[] = [];

	constructor(
		private readonly chunkSize: number,
		node?: INode,
	) {
		if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > MAX_CHUNK_SIZE) {
			throw optionError(
				node,
				`The batch size must be a whole number from 1 to ${MAX_CHUNK_SIZE} (got ${String(chunkSize)}): HERE accepts at most ${MAX_CHUNK_SIZE} devices per upload`,
			);
		}
	}

	add(row: number, device: T): void {
		this.devices.push(device);
		this.rows.push(row);
		if (this.devices.length === this.chunkSize) this.close();
	}

	/** The chunks, the last one possibly short. */
	chunks(): Array<DeviceChunk<T>> {
		if (this.devices.length > 0) this.close();
		return this.done;
	}

	private close(): void {
		const { devices, rows } = this;
		this.done.push({ index: this.done.length, devices, rows, firstRow: rows[0], lastRow: rows[rows.length - 1], count: devices.length });
		this.devices = [];
		this.rows = [];
	}
}

/** "rows 2 to 1001 (1000 devices)" for messages and job summaries. */
export function describeChunk(chunk: DeviceChunk<unknown>, label: RowLabel): string {
	const devices = `${chunk.count} ${chunk.count === 1 ? 'device' : 'devices'}`;
	if (chunk.firstRow === chunk.lastRow) return `${rowName(label, chunk.firstRow)} (${devices})`;
	return `${label}s ${chunk.firstRow} to ${chunk.lastRow} (${devices})`;
}
