/** Rows as objects in tests, and the value layout the node keeps them in (RowTable). */
import type { PreparedRows } from '../nodes/Paqtana/helpers/prepareRows';
import { RowTable, type WireRow } from '../nodes/Paqtana/helpers/rowTable';
import type { RowSerializer } from '../nodes/Paqtana/helpers/serializer';
import type { WireField } from '../nodes/Paqtana/helpers/wireFormat';

/** A row object's wire field values in field order, and its other properties (pass-through columns). */
export function splitRow(
	fields: readonly WireField[],
	row: WireRow,
): { values: unknown[]; extra: WireRow | undefined } {
	const ids = new Set(fields.map((field) => field.id));
	const others = Object.entries(row).filter(([key]) => !ids.has(key));
	return {
		values: fields.map((field) => row[field.id]),
		extra: others.length > 0 ? Object.fromEntries(others) : undefined,
	};
}

/** Pass-through columns as the table keeps them: JSON members without the braces. */
function passThrough(extra: WireRow | undefined): string | undefined {
	return extra === undefined ? undefined : JSON.stringify(extra).slice(1, -1);
}

export function tableOf(fields: readonly WireField[], rows: readonly WireRow[]): RowTable {
	const table = new RowTable(fields);
	for (const row of rows) {
		const { values, extra } = splitRow(fields, row);
		const slots = table.draft();
		const offset = table.offsetOf(table.length);
		values.forEach((value, field) => (slots[offset + field] = value));
		table.commit(passThrough(extra));
	}
	return table;
}

export function rowsOf(prepared: Pick<PreparedRows, 'table'>): WireRow[] {
	return Array.from({ length: prepared.table.length }, (_, position) =>
		prepared.table.row(position),
	);
}

/** What the compiled serializer writes for a row object. */
export function serializeRow(
	serialize: RowSerializer,
	fields: readonly WireField[],
	row: WireRow,
): string {
	const { values, extra } = splitRow(fields, row);
	return serialize(values, 0, passThrough(extra));
}
