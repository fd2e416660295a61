import type { RequestLogEntry } from './types';

/** Enough for any test or benchmark run; beyond it the oldest entries go, so memory stays bounded. */
const MAX_ENTRIES = 100_000;

/** Every API request (not control calls), with how it ended. */
export class RequestLog {
	private entries: RequestLogEntry[] = [];
	/** Client connections opened since the log was cleared (keep-alive reuses them). */
	connectionsOpened = 0;

	get all(): ReadonlyArray<RequestLogEntry> {
		return this.entries;
	}

	add(entry: RequestLogEntry): void {
		this.entries.push(entry);
		// Trim in chunks: shifting one entry per request would make a full log O(n) per request.
		if (this.entries.length > MAX_ENTRIES * 1.1) this.entries = this.entries.slice(-MAX_ENTRIES);
	}

	clear(): void {
		this.entries = [];
		this.connectionsOpened = 0;
	}
}

/** The client connections requests came on, to tell a connection's first request (which sets the connection up). */
export class Connections {
	private readonly seen = new WeakSet<object>();

	/** True for the first request on `socket` (and remembers it). */
	firstUse(socket: object): boolean {
		if (this.seen.has(socket)) return false;
		this.seen.add(socket);
		return true;
	}
}
