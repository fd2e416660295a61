/**
 * Secret canaries: known secret values (passwords, tokens, device secrets) and a scanner that
 * looks for them in anything a user or an operator could see: error messages, descriptions and
 * contexts, run data, output items, binary files, log lines. Base64 text (binary data, tokens in
 * headers) is decoded and searched too.
 */
export interface Leak {
	where: string;
	canary: string;
	/** Where in the scanned value, as a path like `run.data.resultData.error.description`. */
	path: string;
}

const MIN_CANARY_LENGTH = 8;
const BASE64 = /^[A-Za-z0-9+/_-]{16,}={0,2}$/;

export class LeakScanner {
	private readonly canaries = new Map<string, string>();
	/** Canaries by their first characters: a text is searched once, whatever the number of canaries. */
	private readonly byPrefix = new Map<string, string[]>();
	readonly leaks: Leak[] = [];
	/** How many values were scanned (for the figures). */
	scanned = 0;

	/** A secret to look for; `label` names it in a report without repeating it. */
	add(label: string, value: unknown): void {
		if (typeof value !== 'string' || value.length < MIN_CANARY_LENGTH || this.canaries.has(value)) return;
		this.canaries.set(value, label);
		const prefix = value.slice(0, MIN_CANARY_LENGTH);
		const list = this.byPrefix.get(prefix);
		if (list === undefined) this.byPrefix.set(prefix, [value]);
		else list.push(value);
	}

	get size(): number {
		return this.canaries.size;
	}

	/** Scans a value (any shape, circular or not); returns the leaks found in it. */
	scan(where: string, value: unknown): Leak[] {
		this.scanned++;
		const found: Leak[] = [];
		const seen = new WeakSet<object>();
		const visit = (node: unknown, path: string, depth: number): void => {
			if (depth > 60 || node === null || node === undefined) return;
			if (typeof node === 'string') {
				this.check(node, path, where, found);
				return;
			}
			if (typeof node !== 'object' && typeof node !== 'function') return;
			if (seen.has(node as object)) return;
			seen.add(node as object);
			if (Buffer.isBuffer(node) || node instanceof Uint8Array) {
				this.check(Buffer.from(node as Uint8Array).toString('utf8'), path, where, found);
				return;
			}
			// Errors: own properties (message, stack, description, context, cause, ...).
			const keys = node instanceof Error ? Object.getOwnPropertyNames(node) : Object.keys(node as object);
			if (node instanceof Error && !keys.includes('cause') && 'cause' in node) keys.push('cause');
			for (const key of keys) {
				let child: unknown;
				try {
					child = (node as Record<string, unknown>)[key];
				} catch {
					continue;
				}
				this.check(key, `${path}[key]`, where, found);
				visit(child, `${path}.${key}`, depth + 1);
			}
			if (node instanceof Map) for (const [key, child] of node) visit(child, `${path}.get(${String(key)})`, depth + 1);
		};
		visit(value, where, 0);
		this.leaks.push(...found);
		return found;
	}

	private check(text: string, path: string, where: string, found: Leak[]): void {
		for (const canary of this.occurrences(text)) found.push({ where, canary: this.canaries.get(canary) ?? '?', path });
		if (text.length >= 16 && BASE64.test(text)) {
			const decoded = Buffer.from(text, text.includes('-') || text.includes('_') ? 'base64url' : 'base64').toString('utf8');
			for (const canary of this.occurrences(decoded)) found.push({ where, canary: `${this.canaries.get(canary) ?? '?'} (base64)`, path });
		}
	}

	/** The canaries that occur in `text`. */
	private occurrences(text: string): string[] {
		const hits = new Set<string>();
		for (let at = 0; at + MIN_CANARY_LENGTH <= text.length; at++) {
			const candidates = this.byPrefix.get(text.substr(at, MIN_CANARY_LENGTH));
			if (candidates === undefined) continue;
			for (const canary of candidates) if (text.startsWith(canary, at)) hits.add(canary);
		}
		return [...hits];
	}
}
