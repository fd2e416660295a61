import { createHmac, randomBytes } from 'node:crypto';
import { badRequest } from './errors';
import { secret } from './ids';

/** How many list snapshots are kept (least recently used goes first); a token of a forgotten one gets 400. */
const MAX_SNAPSHOTS = 1000;

interface ResultsCursor {
	k: 'r';
	j: string;
	o: number;
}

interface ListCursor {
	k: 'l';
	s: string;
	o: number;
}

/** A page of `GET /users/v2/devices`; `x` is when the token expires (emulator clock). */
interface DeviceCursor {
	k: 'd';
	s: string;
	o: number;
	x: number;
}

/** Device page tokens are valid this long after they were issued (Decided here). */
export const DEVICE_TOKEN_TTL_MS = 10 * 60 * 1000;

interface ListSnapshot {
	projectId: string;
	kind: 'jobs' | 'devices';
	ids: string[];
	/** A job listing's filters, in one canonical text: its tokens are valid only with these. */
	query?: string;
}

export interface ListPosition {
	snapshotId: string;
	ids: string[];
	offset: number;
	query?: string;
}

/**
 * Opaque page tokens. They are signed so that a made-up or edited token is refused (400)
 * instead of silently reading from somewhere else.
 *
 * Results are append-only, so a results token is just an offset. Job listings promise no order
 * (the emulator shuffles them), so the first page of a listing snapshots the matching job ids
 * and the token points into that snapshot: paging over one listing then neither skips nor
 * repeats a job, whatever happens to the jobs meanwhile. A job listing's token also keeps the
 * listing's filters (`query`) and is refused with others. Device listings work the same way
 * (over tracking ids), and their tokens also expire.
 */
export class PageTokens {
	private readonly key = randomBytes(16);
	private readonly snapshots = new Map<string, ListSnapshot>();

	resultsToken(jobId: string, offset: number): string {
		return this.sign({ k: 'r', j: jobId, o: offset });
	}

	readResultsToken(token: string, jobId: string, available: number): number {
		const cursor = this.verify(token);
		if (cursor.k !== 'r' || cursor.j !== jobId || cursor.o > available) throw invalidToken();
		return cursor.o;
	}

	/** Stores a job listing's ids and filters; returns the token of its page starting at `offset`. */
	startListing(projectId: string, ids: string[], offset: number, query: string): string {
		return this.listToken(this.store(projectId, 'jobs', ids, query), offset);
	}

	listToken(snapshotId: string, offset: number): string {
		return this.sign({ k: 'l', s: snapshotId, o: offset });
	}

	/**
	 * Where a job listing's token points. The spec does not say whether a token carries its
	 * listing's filters, so a client must send the same filters with every page; one that sends
	 * others (or none) gets 400 naming both, rather than pages of another listing.
	 */
	readListToken(token: string, projectId: string, query: string): ListPosition {
		const cursor = this.verify(token);
		if (cursor.k !== 'l') throw invalidToken();
		const position = this.position(cursor, projectId, 'jobs');
		if (position.query !== query) {
			throw badRequest(
				`The pageToken belongs to a listing with ${position.query}, but this request has ${query}: send the same type and status with every page of a listing.`,
				{ field: 'pageToken' },
			);
		}
		return position;
	}

	/** Stores a device listing's tracking ids; returns the token of its page starting at `offset`. */
	startDeviceListing(projectId: string, trackingIds: string[], offset: number, now: number): string {
		return this.deviceToken(this.store(projectId, 'devices', trackingIds), offset, now);
	}

	deviceToken(snapshotId: string, offset: number, now: number): string {
		return this.sign({ k: 'd', s: snapshotId, o: offset, x: now + DEVICE_TOKEN_TTL_MS });
	}

	readDeviceToken(token: string, projectId: string, now: number): ListPosition {
		const cursor = this.verify(token);
		if (cursor.k !== 'd' || !(now <= cursor.x)) throw invalidToken();
		return this.position(cursor, projectId, 'devices');
	}

	clear(): void {
		this.snapshots.clear();
	}

	private store(projectId: string, kind: ListSnapshot['kind'], ids: string[], query?: string): string {
		const id = secret(12);
		this.snapshots.set(id, { projectId, kind, ids, query });
		if (this.snapshots.size > MAX_SNAPSHOTS) this.snapshots.delete(this.snapshots.keys().next().value as string);
		return id;
	}

	private position(cursor: ListCursor | DeviceCursor, projectId: string, kind: ListSnapshot['kind']): ListPosition {
		const snapshot = this.snapshots.get(cursor.s);
		if (!snapshot || snapshot.projectId !== projectId || snapshot.kind !== kind || cursor.o > snapshot.ids.length) throw invalidToken();
		// Refresh its place in the LRU order: a listing being paged through is in use.
		this.snapshots.delete(cursor.s);
		this.snapshots.set(cursor.s, snapshot);
		return { snapshotId: cursor.s, ids: snapshot.ids, offset: cursor.o, query: snapshot.query };
	}

	private sign(cursor: ResultsCursor | ListCursor | DeviceCursor): string {
		const payload = Buffer.from(JSON.stringify(cursor)).toString('base64url');
		return `${payload}.${this.mac(payload)}`;
	}

	private verify(token: string): ResultsCursor | ListCursor | DeviceCursor {
		const [payload, mac, extra] = token.split('.');
		if (extra !== undefined || !payload || mac !== this.mac(payload)) throw invalidToken();
		const cursor = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as ResultsCursor | ListCursor | DeviceCursor;
		if (!Number.isInteger(cursor.o) || cursor.o < 0) throw invalidToken();
		return cursor;
	}

	private mac(payload: string): string {
		return createHmac('sha256', this.key).update(payload).digest('base64url').slice(0, 16);
	}
}

function invalidToken() {
	return badRequest('The pageToken is not valid for this request (unknown, expired or from another listing).', { field: 'pageToken' });
}
