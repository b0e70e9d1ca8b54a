/**
 * Input items → wire rows: read each field from its source, convert it, validate the row, apply the workspace
 * fallback and the duplicate policy. Pure (no n8n): expressions are evaluated through a callback.
 */
import type { IDataObject } from 'n8n-workflow';

import { autoMapColumns, type FieldSource, UNSAFE_KEYS } from './columnMapping';
import { convert, describe, type NormaliseOptions, Unconvertible } from './normalise';
import { RowIndex } from './rowIndex';
import { rowObject, RowTable, type WireRow } from './rowTable';
import { compileRowCheck, rowSchema } from './validation';
import { FIELDS, KEY_FIELDS, type ResourceName, type WireField } from './wireFormat';

export type DuplicatePolicy = 'sum' | 'keepLast' | 'error';

export interface PrepareOptions extends NormaliseOptions {
	resource: ResourceName;
	/** Used for rows whose workspace code is empty. */
	defaultWorkspaceCode: string;
	duplicates: DuplicatePolicy;
	/** Master inventory only: send unmapped input columns unchanged (auto-mapping only). */
	includeOtherColumns: boolean;
}

/** `auto`: map input columns by name; otherwise one source per field (fields without one stay empty). */
export type RowSources = 'auto' | Record<string, FieldSource>;

export type { WireRow } from './rowTable';

export interface RowError {
	field: string;
	/** The value as it arrived (long text shortened). */
	value: unknown;
	reason: string;
}

export interface InvalidRow {
	/** Index of the input item (from 0). */
	row: number;
	errors: RowError[];
}

export interface PreparedRows {
	table: RowTable;
	/** For each row of the table, the input item it came from (the first one, when duplicates were merged into it). */
	rowItems: number[];
	/** Further input items merged into a row by the duplicate policy, by row index. */
	mergedItems: Map<number, number[]>;
	invalid: InvalidRow[];
	duplicatesMerged: number;
	duplicate?: DuplicateRows;
}

/** Two rows with one key under the "error" policy; preparation stops at the first such pair. */
export interface DuplicateRows {
	firstRow: number;
	duplicateRow: number;
	key: string;
}

export type EvaluateField = (itemIndex: number, fieldId: string) => unknown;

const REPORTED_TEXT_LENGTH = 200;

function reportedValue(value: unknown): unknown {
	if (typeof value === 'string' && value.length > REPORTED_TEXT_LENGTH)
		return value.slice(0, REPORTED_TEXT_LENGTH) + '…';
	if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
	if (typeof value === 'object' && value !== null && !(value instanceof Date))
		return Array.isArray(value) ? '[list]' : '[object]';
	return value;
}

/** Floating-point noise from summing decimals (0.1 + 0.2) must not reach the wire. */
function addQuantities(a: number, b: number): number {
	return Number((a + b).toPrecision(15));
}

/**
 * Where each field's value comes from, for one shape of input item: an own property of the item (the
 * common case, read without a call), or a reader (fixed value, expression). Neither: the field stays empty.
 */
interface ReadPlan {
	columns: Array<string | undefined>;
	readers: Array<((json: IDataObject, itemIndex: number) => unknown) | undefined>;
}

/** The item's own property: a value inherited from the prototype (`constructor`, `toString`) is not the item's data. */
function readColumn(json: IDataObject, column: string): unknown {
	const value = json[column];
	// Object.prototype offers only functions, and itself as `__proto__`: any other value (nearly every cell)
	// is the item's own, and is not looked up a second time.
	if (typeof value !== 'function' && column !== '__proto__') return value;
	return Object.hasOwn(json, column) ? value : undefined;
}

function readValue(plan: ReadPlan, field: number, json: IDataObject, itemIndex: number): unknown {
	const column = plan.columns[field];
	if (column !== undefined) return readColumn(json, column);
	const reader = plan.readers[field];
	return reader === undefined ? undefined : reader(json, itemIndex);
}

export function prepareRows(
	items: ReadonlyArray<{ json: IDataObject }>,
	sources: RowSources,
	options: PrepareOptions,
	evaluate: EvaluateField = () => undefined,
): PreparedRows {
	const fields = FIELDS[options.resource];
	const keyFields = KEY_FIELDS[options.resource].map((id) =>
		fields.findIndex((field) => field.id === id),
	);
	const workspaceField = fields.findIndex((field) => field.id === 'workspaceCode');
	const quantityField = fields.findIndex((field) => field.id === 'quantity');
	const kinds = fields.map((field) => field.kind);
	const schema = rowSchema(fields);
	const isValid = compileRowCheck(fields);
	const defaultWorkspace = options.defaultWorkspaceCode.trim() || undefined;
	const isDemand = options.resource === 'historicalDemand';
	const copyOtherColumns = sources === 'auto' && options.includeOtherColumns && !isDemand;

	const planFor = (mapping: Map<string, string> | undefined): ReadPlan => {
		const plan: ReadPlan = { columns: [], readers: [] };
		fields.forEach((field, index) => {
			const source = mapping
				? mapping.get(field.id)
				: (sources as Record<string, FieldSource>)[field.id];
			if (typeof source === 'string') plan.columns[index] = source;
			else if (source && 'column' in source) plan.columns[index] = source.column;
			else if (source && 'value' in source) {
				const constant = source.value;
				plan.readers[index] = () => constant;
			} else if (source && 'evaluate' in source) {
				plan.readers[index] = (_json, itemIndex) => evaluate(itemIndex, field.id);
			}
		});
		return plan;
	};

	// Auto-mapping is planned from the first item's columns, and planned again (once per column set) for items
	// with columns the first one lacks: inputs merged from differently shaped sources, or sources that omit
	// empty cells.
	const firstColumnList = items.length > 0 ? Object.keys(items[0].json) : [];
	const firstColumns = new Set(firstColumnList);
	const autoMapping = sources === 'auto' ? autoMapColumns(firstColumnList, fields) : undefined;
	const defaultPlan = planFor(autoMapping);
	const mappedColumns = new Set(autoMapping?.values());
	const fieldIds = new Set(fields.map((field) => field.id));
	const plansByColumns = new Map<string, ReadPlan>();
	const planForItem = (json: IDataObject): ReadPlan => {
		let hasOtherColumns = false;
		// Items from one source list their columns in the first item's order, and a column name that matches
		// the one at its position needs no lookup.
		let position = 0;
		for (const column in json) {
			if (column === firstColumnList[position]) {
				position++;
				continue;
			}
			if (!firstColumns.has(column)) {
				hasOtherColumns = true;
				break;
			}
		}
		if (!hasOtherColumns) return defaultPlan;
		const columns = Object.keys(json);
		const signature = JSON.stringify(columns);
		let plan = plansByColumns.get(signature);
		if (plan === undefined) {
			plan = planFor(autoMapColumns(columns, fields));
			plansByColumns.set(signature, plan);
		}
		return plan;
	};

	const table = new RowTable(fields);
	const result: PreparedRows = {
		table,
		rowItems: [],
		mergedItems: new Map(),
		invalid: [],
		duplicatesMerged: 0,
	};
	const rowIndex = new RowIndex(table, keyFields, items.length);

	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		const json = items[itemIndex].json ?? {};
		const plan = autoMapping ? planForItem(json) : defaultPlan;
		// The row is converted straight into the table's next slots, and kept only if valid and new.
		const values = table.draft();
		const offset = table.offsetOf(table.length);
		// Why fields of this row could not be converted; allocated only for rows that have such a field.
		let reasons: Map<string, string> | undefined;
		for (let f = 0; f < kinds.length; f++) {
			const raw = readValue(plan, f, json, itemIndex);
			let value: unknown = convert(kinds[f], raw, options);
			if (value === undefined && f === workspaceField) value = defaultWorkspace;
			if (typeof value === 'object' && value instanceof Unconvertible) {
				(reasons ??= new Map()).set(fields[f].id, value.reason);
				value = raw; // zod judges the raw value; the converter's reason explains it
			}
			values[offset + f] = value;
		}
		if (reasons !== undefined || !isValid(values, offset)) {
			const row = rowObject(fields, values, offset, undefined);
			result.invalid.push({
				row: itemIndex,
				errors: explain(schema, fields, row, reasons, plan, json, itemIndex),
			});
			continue;
		}
		let extra: WireRow | undefined;
		if (copyOtherColumns) {
			for (const column in json) {
				if (
					!Object.hasOwn(json, column) ||
					mappedColumns.has(column) ||
					fieldIds.has(column) ||
					UNSAFE_KEYS.has(column)
				)
					continue;
				if (json[column] !== undefined) (extra ??= {})[column] = json[column];
			}
		}

		const existing = rowIndex.findOrAdd(values, offset, table.length);
		if (existing === -1) {
			table.commit(extra);
			result.rowItems.push(itemIndex);
			continue;
		}
		if (options.duplicates === 'error') {
			const key = describeKey(
				rowObject(fields, values, offset, undefined),
				KEY_FIELDS[options.resource],
			);
			result.duplicate = { firstRow: result.rowItems[existing], duplicateRow: itemIndex, key };
			return result;
		}
		if (options.duplicates === 'sum') {
			const sum = addQuantities(
				table.get(existing, quantityField) as number,
				values[offset + quantityField] as number,
			);
			table.set(existing, quantityField, sum);
		} else {
			table.replaceWithDraft(existing, extra);
		}
		result.duplicatesMerged++;
		const merged = result.mergedItems.get(existing);
		if (merged) merged.push(itemIndex);
		else result.mergedItems.set(existing, [itemIndex]);
	}
	return result;
}

export function describeKey(row: WireRow, keyFields: readonly string[]): string {
	return keyFields.map((field) => `${field} "${String(row[field])}"`).join(', ');
}

function explain(
	schema: ReturnType<typeof rowSchema>,
	fields: readonly WireField[],
	row: WireRow,
	reasons: Map<string, string> | undefined,
	plan: ReadPlan,
	json: IDataObject,
	itemIndex: number,
): RowError[] {
	const errors = new Map<string, RowError>();
	const order = fields.map((field) => field.id);
	for (const [field, reason] of reasons ?? []) {
		errors.set(field, {
			field,
			value: reportedValue(readValue(plan, order.indexOf(field), json, itemIndex)),
			reason,
		});
	}
	const parsed = schema.safeParse(row);
	if (!parsed.success) {
		for (const issue of parsed.error.issues) {
			const field = String(issue.path[0] ?? 'row');
			if (errors.has(field)) continue;
			const value = row[field];
			const reason =
				value === undefined
					? 'required, but empty or not mapped'
					: `${describe(value)} ${issue.message}`;
			errors.set(field, { field, value: reportedValue(value), reason });
		}
	}
	if (errors.size === 0)
		errors.set('row', { field: 'row', value: null, reason: 'was rejected by validation' });
	return [...errors.values()].sort((a, b) => order.indexOf(a.field) - order.indexOf(b.field));
}
