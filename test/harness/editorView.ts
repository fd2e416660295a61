/**
 * An error description as n8n's editor shows it: list items and breaks on lines of their own,
 * other tags dropped, entities decoded. Lets tests read HTML descriptions as the user does.
 */
const ENTITIES: Record<string, string> = { '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#96;': '`', '&amp;': '&' };

export function editorView(html: string | undefined): string {
	return (html ?? '')
		.replace(/<li>/g, '\n- ')
		.replace(/<br>/g, '\n')
		.replace(/<[^>]*>/g, '')
		.replace(/&(lt|gt|quot|#96|amp);/g, (entity) => ENTITIES[entity]);
}
