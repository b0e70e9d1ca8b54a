/**
 * Where each Paqtana field's value comes from: an input column found by auto-mapping (name and aliases,
 * ignoring case and punctuation), a column the user mapped with a plain `{{ $json.Column }}` expression,
 * a fixed value, or an expression n8n evaluates per item.
 */
import type { WireField } from './wireFormat';

export type FieldSource = { column: string } | { value: unknown } | { evaluate: true };

/** `Item Code`, `item_code` and `ITEM-CODE` all become `itemcode`. */
export function normaliseColumnName(name: string): string {
	return name.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');
}

/** Keys that must never be read or copied from input objects. */
export const UNSAFE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Chooses one input column per field: an exact field name beats its display name, which beats its aliases
 * in the order listed; a column serves one field only.
 */
export function autoMapColumns(
	columns: readonly string[],
	fields: readonly WireField[],
): Map<string, string> {
	const byName = new Map<string, string>();
	for (const column of columns) {
		const name = normaliseColumnName(column);
		if (!UNSAFE_KEYS.has(column) && !byName.has(name)) byName.set(name, column);
	}
	const mapping = new Map<string, string>();
	const used = new Set<string>();
	for (const field of fields) {
		const candidates = [field.id, field.displayName, ...field.aliases].map(normaliseColumnName);
		for (const candidate of candidates) {
			const column = byName.get(candidate);
			if (column !== undefined && !used.has(column)) {
				mapping.set(field.id, column);
				used.add(column);
				break;
			}
		}
	}
	return mapping;
}

const SIMPLE_COLUMN_EXPRESSION =
	/^=\{\{\s*\$json(?:\.([A-Za-z_$][\w$]*)|\[\s*(["'])((?:(?!\2)[^\\])*)\2\s*\])\s*\}\}$/;

/**
 * Reads the resource mapper's saved value for one field. `={{ $json.X }}` and `={{ $json["X Y"] }}` are
 * column reads done without n8n's per-item expression evaluation (much faster on large inputs); any other
 * expression is left to n8n.
 */
export function fieldSourceFromMapping(saved: unknown): FieldSource | undefined {
	if (saved === undefined || saved === null || saved === '') return undefined;
	if (typeof saved !== 'string' || !saved.startsWith('=')) return { value: saved };
	const simple = SIMPLE_COLUMN_EXPRESSION.exec(saved);
	if (simple !== null) return { column: simple[1] ?? simple[3] };
	return { evaluate: true };
}
