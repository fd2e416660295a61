/**
 * Text for an error's `description`. n8n's editor shows it as HTML: it turns `x` into
 * <code>x</code>, sanitises the rest and renders it, so a raw `<name>` vanishes and line breaks
 * collapse into one paragraph. Values that come from users or from HERE are therefore escaped,
 * and lists and paragraphs are built from tags the editor keeps (`ul`, `li`, `br`).
 * The error's `message` is shown as plain text: never pass it through the HTML functions.
 */

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '`': '&#96;' };

/** A user's or HERE's text, safe inside a description: shown exactly as written. */
export function escapeHtml(text: string): string {
	return text.replace(/[&<>"`]/g, (char) => ENTITIES[char]);
}

/** One problem per line: a bulleted list of already escaped lines. */
export function htmlList(lines: readonly string[]): string {
	return lines.length === 0 ? '' : `<ul>${lines.map((line) => `<li>${line}</li>`).join('')}</ul>`;
}

/** Paragraphs (already escaped) separated by an empty line. */
export function htmlParagraphs(paragraphs: readonly string[]): string {
	return paragraphs.filter((paragraph) => paragraph !== '').join('<br><br>');
}

const DECODED: Record<string, string> = Object.fromEntries(Object.entries(ENTITIES).map(([char, entity]) => [entity, char]));

/**
 * A description built by these functions as plain text, for the error items of Continue On Fail
 * (an e-mail or a chat message shows tags and entities as they are): one list entry per line
 * (`- `), paragraphs apart, every value as written.
 */
export function plainText(description: string): string {
	return description
		.replace(/<br>/g, '\n')
		.replace(/<li>/g, '\n- ')
		.replace(/<\/li>|<\/?ul>/g, '')
		.replace(/&amp;|&lt;|&gt;|&quot;|&#96;/g, (entity) => DECODED[entity])
		.trim();
}

/** Values for a sentence, in plain text: the first `max` separated by commas, then how many more ("… and 3 more"). */
export function listedWithMore(values: readonly string[], max = 10): string {
	const shown = values.slice(0, max).join(', ');
	return values.length > max ? `${shown} and ${values.length - max} more` : shown;
}
