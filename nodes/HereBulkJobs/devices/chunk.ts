/**
 * Validated devices → upload batches of at most 1000 (the API's limit per upload), each knowing
 * which source rows it holds, so that a job's results can be traced back to the input.
 */
import type { INode } from 'n8n-workflow';

import { optionError, rowName } from './report';
import type { RowLabel, ValidatedDevice } from './types';

/** The API accepts at most this many devices per upload. */
export const MAX_CHUNK_SIZE = 1000;
export const DEFAULT_CHUNK_SIZE = MAX_CHUNK_SIZE;

export interface DeviceChunk<T> {
	/** 0-based position of the chunk. */
	index: number;
	/** The upload body: the devices, in input order. */
	devices: T[];
	/** `rows[i]` is the source row of `devices[i]`. */
	rows: number[];
	/** Source row of the first and of the last device in the chunk. */
	firstRow: number;
	lastRow: number;
	count: number;
}

/**
 * Split devices into chunks of `chunkSize` (default and maximum 1000). Any other size (0,
 * negative, fractional, above 1000) is refused with a NodeOperationError: it is a configuration
 * mistake, not a problem of the rows.
 */
export function chunkDevices<T>(
	devices: ReadonlyArray<ValidatedDevice<T>>,
	chunkSize: number = DEFAULT_CHUNK_SIZE,
	node?: INode,
): Array<DeviceChunk<T>> {
	const collector = new ChunkCollector<T>(chunkSize, node);
	for (const { row, device } of devices) collector.add(row, device);
	return collector.chunks();
}

/**
 * Builds chunks one device at a time, so that a streaming source can fill upload batches as it
 * validates, without an intermediate list of all devices.
 */
export class ChunkCollector<T> {
	private readonly done: Array<DeviceChunk<T>> = [];
	private devices: T[] = [];
	private rows: number[] = [];

	constructor(
		private readonly chunkSize: number = DEFAULT_CHUNK_SIZE,
		node?: INode,
	) {
		checkChunkSize(chunkSize, node);
	}

	add(row: number, device: T): void {
		this.devices.push(device);
		this.rows.push(row);
		if (this.devices.length === this.chunkSize) this.close();
	}

	/** The chunks so far, the last one possibly short. */
	chunks(): Array<DeviceChunk<T>> {
		if (this.devices.length > 0) this.close();
		return this.done;
	}

	private close(): void {
		const { devices, rows } = this;
		this.done.push({
			index: this.done.length,
			devices,
			rows,
			firstRow: rows[0],
			lastRow: rows[rows.length - 1],
			count: devices.length,
		});
		this.devices = [];
		this.rows = [];
	}
}

/** Refuse a chunk size the API cannot take (NodeOperationError). */
export function checkChunkSize(chunkSize: number, node?: INode): void {
	if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > MAX_CHUNK_SIZE) {
		throw optionError(
			node,
			`The batch size must be a whole number from 1 to ${MAX_CHUNK_SIZE} (got ${String(chunkSize)}): HERE accepts at most ${MAX_CHUNK_SIZE} devices per upload`,
		);
	}
}

/** "rows 2 to 1001 (1000 devices)" for messages and job summaries. */
export function describeChunk(chunk: DeviceChunk<unknown>, label: RowLabel): string {
	const devices = `${chunk.count} ${chunk.count === 1 ? 'device' : 'devices'}`;
	if (chunk.firstRow === chunk.lastRow) return `${rowName(label, chunk.firstRow)} (${devices})`;
	const plural = label === 'row' ? 'rows' : label === 'item' ? 'items' : 'elements';
	return `${plural} ${chunk.firstRow} to ${chunk.lastRow} (${devices})`;
}
