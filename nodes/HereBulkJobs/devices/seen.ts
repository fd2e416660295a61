/**
 * Device keys (names, identities) seen so far in a node run, and where each was first seen:
 * a device may appear only once per upload, also across the sources (input items) of one run.
 */
import type { RowLabel } from './types';

/** Where a key was first seen: a row of a source (`source` names it when a run has several). */
export interface Place {
	source?: string;
	label: RowLabel;
	row: number;
}

export class SeenDevices {
	/** Per kind of key (`name`, `deviceId`, ...): value → where it was first seen. */
	private readonly byKind = new Map<string, Map<string, Place>>();

	/** Where `value` was first seen as a `kind`, or undefined (and `place` remembered) when it is new. */
	firstPlace(kind: string, value: string, place: Place): Place | undefined {
		let seen = this.byKind.get(kind);
		if (seen === undefined) {
			seen = new Map();
			this.byKind.set(kind, seen);
		}
		const first = seen.get(value);
		if (first === undefined) seen.set(value, place);
		return first;
	}
}
