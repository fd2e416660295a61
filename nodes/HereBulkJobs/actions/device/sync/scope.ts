/**
 * Which externalIds a sync manages. Only devices in scope can ever be deleted, and the list may
 * name only devices in scope: a sync never touches a device it does not manage.
 */
export type ScopeMode = 'none' | 'prefix' | 'regex';

export interface SyncScope {
	mode: ScopeMode;
	/** The prefix or the pattern as the user wrote it (for messages). */
	text: string;
	matches(externalId: string): boolean;
}

/** Every externalId: used when no scope is set (then nothing may be deleted). */
export const NO_SCOPE: SyncScope = { mode: 'none', text: '', matches: () => true };

export function prefixScope(prefix: string): SyncScope {
	return { mode: 'prefix', text: prefix, matches: (externalId) => externalId.startsWith(prefix) };
}

/**
 * A user's pattern as "a JavaScript regular expression" (the editor's words): in Unicode mode
 * where it is valid there (`\p{Lu}` then means a capital letter), otherwise without it, since
 * Unicode mode refuses escapes that patterns copied from elsewhere often hold (`fleet\-\d+`).
 */
function compilePattern(pattern: string): RegExp {
	try {
		return new RegExp(pattern, 'u');
	} catch {
		return new RegExp(pattern);
	}
}

/**
 * The pattern must match the whole externalId, so `fleet-\d+` never matches `old-fleet-1`. It is
 * compiled on its own first: a pattern that only compiles inside the wrapping group (`x)|(.*`)
 * would escape it and match every externalId.
 */
export function regexScope(pattern: string): SyncScope {
	const { flags } = compilePattern(pattern);
	const regex = new RegExp(`^(?:${pattern})$`, flags);
	return { mode: 'regex', text: pattern, matches: (externalId) => regex.test(externalId) };
}

export function describeScope(scope: SyncScope): string {
	switch (scope.mode) {
		case 'prefix':
			return `externalId starting with "${scope.text}"`;
		case 'regex':
			return `externalId matching /${scope.text}/`;
		default:
			return 'no scope';
	}
}
