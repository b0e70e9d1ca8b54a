import type { ExecutionBaseError } from 'n8n-workflow';

/** Characters n8n's error view would read as markup: tags, entities, `code` backticks, %%PARAMETER%%. */
const ENTITIES: Record<string, string> = {
	'&': '&amp;',
	'<': '&lt;',
	'>': '&gt;',
	'`': '&#96;',
	'%': '&#37;',
};

/** A plain, multi-line text as the HTML n8n's editor renders: escaped, a `<br>` per line break. */
export function descriptionAsHtml(text: string): string {
	return text.replace(/[&<>`%]/g, (character) => ENTITIES[character]).replace(/\n/g, '<br>');
}

/**
 * n8n's editor renders an error's description as sanitised HTML, so the line breaks of a multi-line
 * description (one invalid row, one batch per line) collapse into one paragraph. Where an error has
 * `context.descriptionTemplate`, the editor renders that instead (n8n 1.x and 2.x), so the same text
 * goes there as HTML; `description` stays plain text for the API, logs and error workflows.
 */
export function keepLineBreaksInEditor(error: ExecutionBaseError): void {
	const { description } = error;
	if (!description?.includes('\n') || error.context.descriptionTemplate !== undefined) return;
	error.context.descriptionTemplate = descriptionAsHtml(description);
}
