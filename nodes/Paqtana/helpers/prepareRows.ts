/**
 * Input items → wire rows: read each field from its source, convert it, validate the row, apply the workspace
 * fallback and the duplicate policy. Pure (no n8n): expressions are evaluated through a callback.
 */
import type { IDataObject } from 'n8n-workflow';

import { autoMapColumns, type FieldSource, UNSAFE_KEYS } from './columnMapping';
import { convert, describe, type NormaliseOptions, Unconvertible } from './normalise';
import { RowIndex } from './rowIndex';
import { compileRowCheck, createCompleteRow, FIELDS, KEY_FIELDS, type ResourceName, rowSchema, type WireField } from './wireFormat';

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

export type WireRow = Record<string, unknown>;

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
	rows: WireRow[];
	/** For each row, the input item it came from (the first one, when duplicates were merged into it). */
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
	if (typeof value === 'string' && value.length > REPORTED_TEXT_LENGTH) return value.slice(0, REPORTED_TEXT_LENGTH) + '…';
	if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
	if (typeof value === 'object' && value !== null && !(value instanceof Date)) return Array.isArray(value) ? '[list]' : '[object]';
	return value;
}

function readOwn(json: IDataObject, column: string): unknown {
	return Object.hasOwn(json, column) ? json[column] : undefined;
}

/** Floating-point noise from summing decimals (0.1 + 0.2) must not reach the wire. */
function addQuantities(a: number, b: number): number {
	return Number((a + b).toPrecision(15));
}

interface FieldPlan {
	field: WireField;
	read: (json: IDataObject, itemIndex: number) => unknown;
}

export function prepareRows(
	items: ReadonlyArray<{ json: IDataObject }>,
	sources: RowSources,
	options: PrepareOptions,
	evaluate: EvaluateField = () => undefined,
): PreparedRows {
	const fields = FIELDS[options.resource];
	const keyFields = KEY_FIELDS[options.resource];
	const schema = rowSchema(fields);
	const isValid = compileRowCheck(fields);
	const defaultWorkspace = options.defaultWorkspaceCode.trim();
	const isDemand = options.resource === 'historicalDemand';
	const copyOtherColumns = sources === 'auto' && options.includeOtherColumns && !isDemand;

	const planFor = (mapping: Map<string, string> | undefined): FieldPlan[] =>
		fields.map((field) => {
			const source = mapping ? mapping.get(field.id) : (sources as Record<string, FieldSource>)[field.id];
			const column = typeof source === 'string' ? source : source && 'column' in source ? source.column : undefined;
			if (column !== undefined) return { field, read: (json) => readOwn(json, column) };
			if (source && typeof source === 'object' && 'value' in source) {
				const constant = source.value;
				return { field, read: () => constant };
			}
			if (source && typeof source === 'object' && 'evaluate' in source) {
				return { field, read: (_json, itemIndex) => evaluate(itemIndex, field.id) };
			}
			return { field, read: () => undefined };
		});

	// Auto-mapping is planned from the first item's columns, and planned again (once per column set) for items
	// with columns the first one lacks: inputs merged from differently shaped sources, or sources that omit
	// empty cells.
	const firstColumns = new Set(items.length > 0 ? Object.keys(items[0].json) : []);
	const autoMapping = sources === 'auto' ? autoMapColumns([...firstColumns], fields) : undefined;
	const defaultPlan = planFor(autoMapping);
	const mappedColumns = new Set(autoMapping?.values());
	const plansByColumns = new Map<string, FieldPlan[]>();
	const planForItem = (json: IDataObject): FieldPlan[] => {
		let hasOtherColumns = false;
		for (const column in json) {
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

	const result: PreparedRows = { rows: [], rowItems: [], mergedItems: new Map(), invalid: [], duplicatesMerged: 0 };
	const rowIndex = new RowIndex(result.rows, keyFields, items.length);

	// Why fields of the row just built could not be converted; kept out of the row's return value so the
	// common valid row costs no further allocation.
	let reasons: Map<string, string> | undefined;
	// The row being built, value by value in field order; reused for every item.
	const values: unknown[] = fields.map(() => undefined);
	const createComplete = createCompleteRow[options.resource];
	const buildRow = (json: IDataObject, itemIndex: number, plan: FieldPlan[]): WireRow => {
		reasons = undefined;
		let complete = true;
		for (let f = 0; f < plan.length; f++) {
			const { field, read } = plan[f];
			const raw = read(json, itemIndex);
			let value: unknown = convert(field.kind, raw, options);
			if (value === undefined && field.id === 'workspaceCode' && defaultWorkspace !== '') value = defaultWorkspace;
			if (value instanceof Unconvertible) {
				(reasons ??= new Map()).set(field.id, value.reason);
				value = raw; // zod judges the raw value; the converter's reason explains it
			}
			values[f] = value;
			if (value === undefined) complete = false;
		}
		if (complete) return createComplete(values);
		// Fields without a value are left out of the row, as JSON leaves out undefined.
		const row: WireRow = {};
		for (let f = 0; f < plan.length; f++) if (values[f] !== undefined) row[plan[f].field.id] = values[f];
		return row;
	};

	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		const json = items[itemIndex].json ?? {};
		const plan = autoMapping ? planForItem(json) : defaultPlan;
		const row = buildRow(json, itemIndex, plan);
		if (reasons !== undefined || !isValid(row)) {
			result.invalid.push({ row: itemIndex, errors: explain(schema, row, reasons, plan, json, itemIndex) });
			continue;
		}
		if (copyOtherColumns) {
			for (const column in json) {
				if (!Object.hasOwn(json, column) || mappedColumns.has(column) || UNSAFE_KEYS.has(column)) continue;
				if (json[column] !== undefined && !Object.hasOwn(row, column)) row[column] = json[column];
			}
		}

		const existing = rowIndex.findOrAdd(row, result.rows.length);
		if (existing === -1) {
			result.rows.push(row);
			result.rowItems.push(itemIndex);
			continue;
		}
		if (options.duplicates === 'error') {
			result.duplicate = { firstRow: result.rowItems[existing], duplicateRow: itemIndex, key: describeKey(row, keyFields) };
			return result;
		}
		if (options.duplicates === 'sum') {
			const kept = result.rows[existing];
			kept.quantity = addQuantities(kept.quantity as number, row.quantity as number);
		} else {
			result.rows[existing] = row;
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
	row: WireRow,
	reasons: Map<string, string> | undefined,
	plan: FieldPlan[],
	json: IDataObject,
	itemIndex: number,
): RowError[] {
	const errors = new Map<string, RowError>();
	const rawValue = (fieldId: string) => plan.find((p) => p.field.id === fieldId)?.read(json, itemIndex);
	for (const [field, reason] of reasons ?? []) errors.set(field, { field, value: reportedValue(rawValue(field)), reason });
	const parsed = schema.safeParse(row);
	if (!parsed.success) {
		for (const issue of parsed.error.issues) {
			const field = String(issue.path[0] ?? 'row');
			if (errors.has(field)) continue;
			const value = row[field];
			const reason = value === undefined ? 'required, but empty or not mapped' : `${describe(value)} ${issue.message}`;
			errors.set(field, { field, value: reportedValue(value), reason });
		}
	}
	if (errors.size === 0) errors.set('row', { field: 'row', value: null, reason: 'was rejected by validation' });
	const order = plan.map((p) => p.field.id);
	return [...errors.values()].sort((a, b) => order.indexOf(a.field) - order.indexOf(b.field));
}
