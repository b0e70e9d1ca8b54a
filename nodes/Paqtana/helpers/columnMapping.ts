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

/** The names auto-mapping recognises for a field, in the order it prefers them. */
export function recognisedNames(field: WireField): string[] {
	return [field.id, field.displayName, ...field.aliases];
}

export interface AutoMapping {
	/** Field id → the input column it is read from. */
	columns: Map<string, string>;
	/** Field id → other columns that also matched it but lost to the chosen one. */
	passedOver: Map<string, string[]>;
}

/**
 * Chooses one input column per field. The rule, documented in the README: the field's own name beats its
 * display name, which beats its aliases in the order `wireFormat.ts` lists them (most specific first, so
 * "Units Sold" beats "Sales" and "Item No." beats "Item"), whatever order the columns come in; fields are
 * served in catalogue order, and a column serves one field only.
 */
export function autoMapColumns(
	columns: readonly string[],
	fields: readonly WireField[],
): AutoMapping {
	const byName = new Map<string, string>();
	for (const column of columns) {
		const name = normaliseColumnName(column);
		if (!UNSAFE_KEYS.has(column) && !byName.has(name)) byName.set(name, column);
	}
	const mapping: AutoMapping = { columns: new Map(), passedOver: new Map() };
	const used = new Set<string>();
	for (const field of fields) {
		let chosen: string | undefined;
		const others: string[] = [];
		for (const candidate of recognisedNames(field)) {
			const column = byName.get(normaliseColumnName(candidate));
			if (column === undefined || used.has(column) || column === chosen) continue;
			if (chosen === undefined) chosen = column;
			else if (!others.includes(column)) others.push(column);
		}
		if (chosen === undefined) continue;
		mapping.columns.set(field.id, chosen);
		used.add(chosen);
		if (others.length > 0) mapping.passedOver.set(field.id, others);
	}
	// A column that lost one field may have won a later one: it is not passed over then.
	for (const [fieldId, others] of mapping.passedOver) {
		const unused = others.filter((column) => !used.has(column));
		if (unused.length > 0) mapping.passedOver.set(fieldId, unused);
		else mapping.passedOver.delete(fieldId);
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
