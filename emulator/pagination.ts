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

interface ListSnapshot {
	projectId: string;
	ids: string[];
}

/**
 * Opaque page tokens. They are signed so that a made-up or edited token is refused (400)
 * instead of silently reading from somewhere else.
 *
 * Results are append-only, so a results token is just an offset. Job listings promise no order
 * (the emulator shuffles them), so the first page of a listing snapshots the matching job ids
 * and the token points into that snapshot: paging over one listing then neither skips nor
 * repeats a job, whatever happens to the jobs meanwhile.
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

	/** Stores a listing's ids; returns the token of its page starting at `offset`. */
	startListing(projectId: string, ids: string[], offset: number): string {
		const id = secret(12);
		this.snapshots.set(id, { projectId, ids });
		if (this.snapshots.size > MAX_SNAPSHOTS) this.snapshots.delete(this.snapshots.keys().next().value as string);
		return this.listToken(id, offset);
	}

	listToken(snapshotId: string, offset: number): string {
		return this.sign({ k: 'l', s: snapshotId, o: offset });
	}

	readListToken(token: string, projectId: string): { snapshotId: string; ids: string[]; offset: number } {
		const cursor = this.verify(token);
		if (cursor.k !== 'l') throw invalidToken();
		const snapshot = this.snapshots.get(cursor.s);
		if (!snapshot || snapshot.projectId !== projectId || cursor.o > snapshot.ids.length) throw invalidToken();
		// Refresh its place in the LRU order: a listing being paged through is in use.
		this.snapshots.delete(cursor.s);
		this.snapshots.set(cursor.s, snapshot);
		return { snapshotId: cursor.s, ids: snapshot.ids, offset: cursor.o };
	}

	clear(): void {
		this.snapshots.clear();
	}

	private sign(cursor: ResultsCursor | ListCursor): string {
		const payload = Buffer.from(JSON.stringify(cursor)).toString('base64url');
		return `${payload}.${this.mac(payload)}`;
	}

	private verify(token: string): ResultsCursor | ListCursor {
		const [payload, mac, extra] = token.split('.');
		if (extra !== undefined || !payload || mac !== this.mac(payload)) throw invalidToken();
		const cursor = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as ResultsCursor | ListCursor;
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
