import { randomBytes, randomUUID } from 'node:crypto';

/** The shape every HERE id in the contract uses: a version-4 UUID in lower case. */
export const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
/** Any RFC 4122 UUID (what `format: uuid` accepts for rules and geofences); case-insensitive like ajv's format. */
export const ANY_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const JOB_ID = /^BULK-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/**
 * mulberry32: a tiny, fast 32-bit PRNG. Good enough for shuffles, fault dice and test ids,
 * and, unlike Math.random, reproducible from a seed so a failing run can be replayed.
 */
export class Rng {
	private state: number;

	constructor(seed: number) {
		this.state = seed >>> 0;
	}

	/** A float in [0, 1). */
	next(): number {
		this.state = (this.state + 0x6d2b79f5) >>> 0;
		let t = this.state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	}

	/** An integer in [0, n). */
	int(n: number): number {
		return Math.floor(this.next() * n);
	}

	/** Fisher-Yates in place. */
	shuffle<T>(items: T[]): T[] {
		for (let i = items.length - 1; i > 0; i--) {
			const j = this.int(i + 1);
			const tmp = items[i];
			items[i] = items[j];
			items[j] = tmp;
		}
		return items;
	}

	/** A version-4 UUID built from this generator's stream. */
	uuid(): string {
		const hex: string[] = [];
		for (let i = 0; i < 4; i++) hex.push(((this.next() * 4294967296) >>> 0).toString(16).padStart(8, '0'));
		const h = hex.join('');
		const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
		return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
	}
}

/** Derive an independent stream from a seed, so that e.g. fault dice do not shift when more ids are drawn. */
export function deriveSeed(seed: number, stream: string): number {
	let h = (seed ^ 0x9e3779b9) >>> 0;
	for (let i = 0; i < stream.length; i++) h = Math.imul(h ^ stream.charCodeAt(i), 0x01000193) >>> 0;
	return h;
}

export function randomSeed(): number {
	return randomBytes(4).readUInt32LE(0);
}

/**
 * Ids the emulator hands out. With a seed they are reproducible (a test can compare runs);
 * without one they come from the system's UUID generator.
 */
export class IdSource {
	private readonly rng: Rng | undefined;

	constructor(seed: number | undefined) {
		this.rng = seed === undefined ? undefined : new Rng(deriveSeed(seed, 'ids'));
	}

	uuid(): string {
		return this.rng ? this.rng.uuid() : randomUUID();
	}

	jobId(): string {
		return `BULK-${this.uuid()}`;
	}

	trackingId(): string {
		return `HERE-${this.uuid()}`;
	}

	/** Trace ids are not plain UUIDs on HERE either (the spec's example ends in `-lds2`). */
	traceId(): string {
		return `${randomUUID()}-emu`;
	}
}

/** Unguessable secrets (tokens, device secrets) never come from the seeded stream. */
export function secret(bytes = 24): string {
	return randomBytes(bytes).toString('base64url');
}
