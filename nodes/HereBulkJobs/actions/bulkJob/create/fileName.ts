/**
 * The `fileName` query parameter of an upload. HERE shows it in the job's status and it is the
 * easiest way to find a job again (Get Many, the HERE UI), so every chunk gets its own:
 * `devices.csv (2/3)`. HERE accepts 1 to 50 characters.
 */

export const MAX_FILE_NAME_LENGTH = 50;

/** An extension is kept when shortening if it is at most this long (with the dot): `.csv`, `.json`. */
const MAX_KEPT_EXTENSION = 8;

/** Control characters (and line separators) would make a confusing name in HERE's lists. */
function clean(text: string): string {
	let out = '';
	for (const char of text) {
		const code = char.codePointAt(0) ?? 0;
		out += code < 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029 ? ' ' : char;
	}
	return out.replace(/\s+/g, ' ').trim();
}

/**
 * `base` made to fit in 50 characters (code points) together with `suffix`: the end of the
 * name is cut, the extension kept, and an ellipsis marks the cut, e.g.
 * `Very long export from the ERP sys….csv (2/3)`.
 */
export function fitFileName(base: string, suffix = '', fallback = 'devices'): string {
	const name = clean(base) || fallback;
	const chars = [...name];
	const room = MAX_FILE_NAME_LENGTH - [...suffix].length;
	if (chars.length <= room) return `${name}${suffix}`;
	const dot = name.lastIndexOf('.');
	const extension = dot > 0 && name.length - dot <= MAX_KEPT_EXTENSION ? name.slice(dot) : '';
	const stem = [...name.slice(0, name.length - extension.length)];
	const keep = Math.max(1, room - [...extension].length - 1);
	return `${stem.slice(0, keep).join('').trimEnd()}…${extension}${suffix}`;
}

/** The name of chunk `part` of `parts` (1-based); a single chunk keeps the plain name. */
export function chunkFileName(base: string, part: number, parts: number, fallback?: string): string {
	return parts <= 1 ? fitFileName(base, '', fallback) : fitFileName(base, ` (${part}/${parts})`, fallback);
}

/** The ` (2/3)` that `chunkFileName` adds to each part of a split upload. */
const PART_SUFFIX = / \((\d+)\/(\d+)\)$/;

/** A job's file name without the part suffix of a split upload: `erp.csv (2/3)` → `erp.csv`. */
export function uploadFileName(jobFileName: string): string {
	const suffix = PART_SUFFIX.exec(jobFileName);
	if (suffix === null) return jobFileName;
	const [part, parts] = [Number(suffix[1]), Number(suffix[2])];
	return part >= 1 && part <= parts && parts >= 2 ? jobFileName.slice(0, suffix.index) : jobFileName;
}

/**
 * The base name for an upload that gathers several files: the file's name when all share it,
 * otherwise the first name and how many others there are (`a.csv +2 more`).
 */
export function combinedFileName(names: readonly string[]): string | undefined {
	const distinct = [...new Set(names.map(clean).filter((name) => name !== ''))];
	if (distinct.length === 0) return undefined;
	if (distinct.length === 1) return distinct[0];
	return `${distinct[0]} +${distinct.length - 1} more`;
}
