/**
 * The sandbox's own checks of incoming rows. Deliberately independent of the node's validation
 * (nothing is imported from nodes/): the sandbox plays the vendor and must catch what the node lets through.
 */
import { TupleMap, type DemandRow, type InventoryRow } from './store';

export interface RowProblem {
	/** Index of the row in the request body. */
	row: number;
	/** Field name, or `(row)` when the row itself is wrong. */
	field: string;
	reason: string;
}

export interface RowsAccepted<Row> {
	ok: true;
	rows: Row[];
}

export interface RowsRejected {
	ok: false;
	/** All problems found; `details` lists the first MAX_REPORTED_PROBLEMS of them. */
	problemCount: number;
	details: RowProblem[];
}

export type RowsCheck<Row> = RowsAccepted<Row> | RowsRejected;

/** Only the first problems are reported; the count covers all of them. */
export const MAX_REPORTED_PROBLEMS = 100;

const KEY_FIELDS = ['workspaceCode', 'location', 'code'] as const;
const OPTIONAL_INVENTORY_TEXT_FIELDS = ['description', 'supplier'] as const;
const OPTIONAL_INVENTORY_NUMBER_FIELDS = [
	'stock',
	'cost',
	'price',
	'leadTime',
	'minOrderQty',
] as const;

export function checkInventoryRows(rows: unknown[]): RowsCheck<InventoryRow> {
	const problems = new ProblemList();
	const firstRowByKey = new TupleMap<number>(3);
	rows.forEach((row, index) => {
		if (!isPlainObject(row)) {
			problems.add(index, '(row)', 'must be a JSON object');
			return;
		}
		const keyValid = KEY_FIELDS.map((field) => checkKeyText(row, field, index, problems)).every(
			Boolean,
		);
		for (const field of OPTIONAL_INVENTORY_TEXT_FIELDS) {
			if (Object.hasOwn(row, field) && typeof row[field] !== 'string') {
				problems.add(index, field, `must be a string when present (got ${typeName(row[field])})`);
			}
		}
		for (const field of OPTIONAL_INVENTORY_NUMBER_FIELDS) {
			if (Object.hasOwn(row, field) && !isFiniteNumber(row[field])) {
				problems.add(
					index,
					field,
					`must be a finite JSON number when present (got ${typeName(row[field])})`,
				);
			}
		}
		if (keyValid) {
			// A replace-all payload that names the same item twice is ambiguous: refuse it.
			const key = [row.workspaceCode, row.location, row.code] as string[];
			const firstRow = firstRowByKey.get(key);
			if (firstRow === undefined) firstRowByKey.set(key, index);
			else
				problems.add(
					index,
					'code',
					`duplicate of row ${firstRow} (same workspaceCode, location and code)`,
				);
		}
	});
	return problems.result(rows as InventoryRow[]);
}

/** Duplicate keys inside one demand request are allowed: the store applies rows in order, the last one wins. */
export function checkDemandRows(rows: unknown[]): RowsCheck<DemandRow> {
	const problems = new ProblemList();
	rows.forEach((row, index) => {
		if (!isPlainObject(row)) {
			problems.add(index, '(row)', 'must be a JSON object');
			return;
		}
		for (const field of KEY_FIELDS) checkKeyText(row, field, index, problems);
		if (!Object.hasOwn(row, 'date')) problems.add(index, 'date', 'is required');
		else if (typeof row.date !== 'string' || !isCalendarDay(row.date)) {
			problems.add(index, 'date', 'must be a real calendar day written YYYY-MM-DD');
		}
		if (!Object.hasOwn(row, 'quantity')) problems.add(index, 'quantity', 'is required');
		else if (!isFiniteNumber(row.quantity)) {
			problems.add(
				index,
				'quantity',
				`must be a finite JSON number (got ${typeName(row.quantity)})`,
			);
		}
	});
	return problems.result(rows as DemandRow[]);
}

/** `YYYY-MM-DD` naming a day that exists (2024-02-29 yes, 2026-02-31 no). */
export function isCalendarDay(text: string): boolean {
	const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
	if (!match) return false;
	const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
	if (year < 1 || month < 1 || month > 12 || day < 1) return false;
	return day <= daysInMonth(year, month);
}

function daysInMonth(year: number, month: number): number {
	if (month === 2) {
		const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
		return leap ? 29 : 28;
	}
	return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function checkKeyText(
	row: Record<string, unknown>,
	field: string,
	index: number,
	problems: ProblemList,
): boolean {
	const value = row[field];
	if (!Object.hasOwn(row, field)) problems.add(index, field, 'is required');
	else if (typeof value !== 'string')
		problems.add(index, field, `must be a string (got ${typeName(value)})`);
	else if (value.length === 0) problems.add(index, field, 'must not be empty');
	else if (value.trim() !== value)
		problems.add(index, field, 'must not have leading or trailing whitespace');
	else return true;
	return false;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON.parse turns overflowing literals such as 1e999 into Infinity, hence the finiteness check. */
function isFiniteNumber(value: unknown): value is number {
	return typeof value === 'number' && Number.isFinite(value);
}

function typeName(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'an array';
	if (typeof value === 'number') return Number.isFinite(value) ? 'a number' : 'a non-finite number';
	return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

class ProblemList {
	private readonly details: RowProblem[] = [];
	private count = 0;

	add(row: number, field: string, reason: string): void {
		this.count += 1;
		if (this.details.length < MAX_REPORTED_PROBLEMS) this.details.push({ row, field, reason });
	}

	result<Row>(rows: Row[]): RowsCheck<Row> {
		return this.count === 0
			? { ok: true, rows }
			: { ok: false, problemCount: this.count, details: this.details };
	}
}
