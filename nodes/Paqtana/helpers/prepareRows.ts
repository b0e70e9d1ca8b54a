/**
 * Input records → wire rows: read each field from its source, convert it, validate the row, apply the
 * workspace fallback and the duplicate policy. One pipeline for n8n items (a record is an item's JSON,
 * read by property name) and CSV lines (a record is the line's fields, read by column position), fed
 * one record at a time so a file never has to be in memory. Pure (no n8n): expressions are evaluated
 * through a callback.
 */
import type { IDataObject } from 'n8n-workflow';

import { autoMapColumns, type FieldSource, UNSAFE_KEYS } from './columnMapping';
import {
	convert,
	DEFAULT_EARLIEST_YEAR,
	DEFAULT_LATEST_YEAR,
	describe,
	type NormaliseOptions,
	sumQuantities,
	Unconvertible,
} from './normalise';
import { MergedItems, withRoomFor } from './mergedItems';
import { RowIndex } from './rowIndex';
import { type PassThrough, rowObject, RowTable, type WireRow } from './rowTable';
import { compileRowSerializer, type RowSerializer } from './serializer';
import { compileRowCheck, rowSchema } from './validation';
import { FIELDS, KEY_FIELDS, type ResourceName, type WireField } from './wireFormat';

export type DuplicatePolicy = 'sum' | 'keepLast' | 'error';

export interface PrepareOptions extends Partial<NormaliseOptions> {
	resource: ResourceName;
	/** Used for rows whose workspace code is empty (unless `add` is given one for the record). */
	defaultWorkspaceCode: string;
	duplicates: DuplicatePolicy;
	/** Master inventory only: send unmapped input columns unchanged (auto-mapping only). */
	includeOtherColumns: boolean;
	/**
	 * Valid rows are sent although others are invalid ("Send Valid Rows"): a key with an invalid row is
	 * then withheld whole. Otherwise invalid rows stop the run and nothing is withheld.
	 */
	sendValidRows?: boolean;
	/** The largest JSON a row may have (the request limit less the array's brackets); none if unset. */
	maxRowBytes?: number;
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
	/** CSV input: the line of the file the row starts on (the header is line 1). */
	line?: number;
	errors: RowError[];
	/** CSV input: the line as column → text (an item's input is the item itself). */
	input?: IDataObject;
}

export interface PreparedRows {
	table: RowTable;
	/** For each row of the table, the input item it came from (the first one, when duplicates were merged into it). */
	rowItems: number[];
	/** Further input items merged into a row by the duplicate policy, by row index. */
	mergedItems: MergedItems;
	/** Invalid rows with their reasons (CSV input: the first MAX_DETAILED_INVALID of them). */
	invalid: InvalidRow[];
	/** Every invalid row, detailed or not. */
	invalidCount: number;
	/** Records read (items, or CSV lines after the header). */
	inputRows: number;
	duplicatesMerged: number;
	duplicate?: DuplicateRows;
	mapping: MappingReport;
	/** Optional fields nearly every source has (stock) that no sent row has a value for. */
	emptyUsualFields: WireField[];
}

/** Two rows with one key under the "error" policy; preparation stops at the first such pair. */
export interface DuplicateRows {
	firstRow: number;
	duplicateRow: number;
	/** CSV input: the lines of the two rows. */
	firstLine?: number;
	duplicateLine?: number;
	key: string;
}

/** What auto-mapping did, for the hint and the Success item. */
export interface MappingReport {
	/** Field id → the column(s) it was read from. */
	fields: Record<string, string[]>;
	/** Field id → columns that also matched it but lost (the rule is in `autoMapColumns`). */
	passedOver: Record<string, string[]>;
	/** Input columns that fill no field and are not sent. */
	ignored: string[];
}

export type EvaluateField = (itemIndex: number, fieldId: string) => unknown;

/** CSV input keeps the reasons of this many invalid lines (each becomes an output item); the rest are counted. */
export const MAX_DETAILED_INVALID = 10_000;

const REPORTED_TEXT_LENGTH = 200;
const MAX_SHARED_TEXTS = 4096;
/** Upper bound of the UTF-8 JSON bytes of one UTF-16 unit (`\u001f` escapes are 6). */
const MAX_JSON_BYTES_PER_UNIT = 6;
/** Upper bound of a row's JSON besides its text: names, quotes, numbers. */
const ROW_OVERHEAD_BYTES = 64;

function reportedValue(value: unknown): unknown {
	if (typeof value === 'string' && value.length > REPORTED_TEXT_LENGTH)
		return value.slice(0, REPORTED_TEXT_LENGTH) + '…';
	if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
	if (typeof value === 'object' && value !== null && !(value instanceof Date))
		return Array.isArray(value) ? '[list]' : '[object]';
	return value;
}

/** How a record is read: an item's JSON by property name, or a CSV line's fields by column position. */
type RecordKey = string | number;
type InputRecord = IDataObject | readonly string[];

/**
 * Where each field's value comes from, for one set of input columns: a column of the record (the common
 * case, read without a call), or a reader (fixed value, expression). Neither: the field stays empty.
 */
export interface ReadPlan {
	readonly keys: Array<RecordKey | undefined>;
	readonly readers: Array<((itemIndex: number) => unknown) | undefined>;
	/** "Include Other Columns": the columns sent unchanged, as [name, key]. */
	readonly extras: Array<[string, RecordKey]>;
	/** The column names, for invalid-row reports of CSV lines. */
	readonly columns: readonly string[];
}

/** The record's own value: a value inherited from the prototype (`constructor`, `toString`) is not the item's data. */
function readColumn(record: InputRecord, key: RecordKey): unknown {
	if (typeof key === 'number') return (record as readonly string[])[key];
	const json = record as IDataObject;
	const value = json[key];
	// Object.prototype offers only functions, and itself as `__proto__`: any other value (nearly every cell)
	// is the item's own, and is not looked up a second time.
	if (typeof value !== 'function' && key !== '__proto__') return value;
	return Object.hasOwn(json, key) ? value : undefined;
}

function readValue(plan: ReadPlan, field: number, record: InputRecord, itemIndex: number): unknown {
	const key = plan.keys[field];
	if (key !== undefined) return readColumn(record, key);
	const reader = plan.readers[field];
	return reader === undefined ? undefined : reader(itemIndex);
}

/**
 * A pass-through value as a JSON member, or why it cannot be one: JSON has no NaN, Infinity or bytes, and a
 * circular value or a throwing `toJSON` must be a row error, not a crash of the whole run.
 */
function passThroughMember(name: string, value: unknown): string | Unconvertible | undefined {
	if (value === undefined || typeof value === 'function' || typeof value === 'symbol')
		return undefined;
	let text: string | undefined;
	try {
		text = JSON.stringify(value, function (this: unknown, key: string, converted: unknown) {
			const original = key === '' ? value : (this as Record<string, unknown>)[key];
			if (typeof converted === 'number' && !Number.isFinite(converted))
				throw new Error(`${converted} is not a JSON number`);
			if (original instanceof Uint8Array || original instanceof ArrayBuffer)
				throw new Error('binary data cannot be sent as JSON');
			if (typeof converted === 'bigint') throw new Error('a BigInt is not a JSON number');
			return converted;
		});
	} catch (error) {
		const reason = error instanceof Error ? error.message : String(error);
		return new Unconvertible(`cannot be sent as JSON: ${reason}`);
	}
	return text === undefined ? undefined : `${JSON.stringify(name)}:${text}`;
}

/** A CSV line as column → text, for its Invalid Rows item. */
function lineInput(plan: ReadPlan, record: InputRecord): IDataObject {
	const fields = record as readonly string[];
	return Object.fromEntries(
		plan.columns.map((column, position) => [column, fields[position] ?? null]),
	);
}

export function describeKey(row: WireRow, keyFields: readonly string[]): string {
	return keyFields.map((field) => `${field} "${String(row[field])}"`).join(', ');
}

export class RowPreparer {
	private readonly fields: readonly WireField[];
	private readonly keyFieldIds: readonly string[];
	private readonly keyFields: number[];
	private readonly workspaceField: number;
	private readonly quantityField: number;
	private readonly kinds: WireField['kind'][];
	private readonly schema: ReturnType<typeof rowSchema>;
	private readonly isValid: ReturnType<typeof compileRowCheck>;
	private readonly normalise: NormaliseOptions;
	private readonly copyOtherColumns: boolean;
	private readonly serialize: RowSerializer;
	private readonly table: RowTable;
	private readonly index: RowIndex;
	private readonly rowItems: number[] = [];
	/** CSV input: the line each row of the table starts on, and how many later lines were merged into it. */
	private readonly rowLines: number[] = [];
	private lineMerges = new Int32Array(1024);
	private readonly mergedItems = new MergedItems();
	private readonly invalid: InvalidRow[] = [];
	private invalidCount = 0;
	private inputRows = 0;
	private duplicatesMerged = 0;
	private duplicate: DuplicateRows | undefined;
	/** Keys of invalid rows whose key could still be read: the valid rows with those keys are withheld. */
	private readonly taintedKeys = new Map<
		string,
		{ values: unknown[]; row: number; line?: number }
	>();
	private readonly filled: boolean[];
	/**
	 * CSV input, per key field: the one instance kept of each text while the field has few values
	 * (workspaces, locations, days; dropped for a field with many, like item codes). Every CSV line brings
	 * new copies of its texts, which the rows would otherwise keep, one each. A/B (2 M document-order
	 * lines, 500,000 rows, fresh processes alternating, 4 each): live heap at the end of the file
	 * 139.6 → 58.6 MB, peak RSS 410 → 330 MB, execute 7.2 → 5.1 s; 10 M lines (npm run bench): live
	 * 657.6 → 256.8 MB, peak RSS 1,422 → 1,040 MB, 34.0 → 23.8 s. Items keep their texts alive anyway,
	 * and there it cost 3–7 % (1 M items), so it is for CSV lines only.
	 */
	private readonly sharedTexts: Array<Map<string, string> | undefined>;
	private readonly mappedColumns = new Map<string, Set<string>>();
	private readonly passedOver = new Map<string, Set<string>>();
	private readonly ignoredColumns = new Set<string>();
	private readonly plansByColumns = new Map<string, ReadPlan>();
	/** The first item's columns and their plan: items from one source share them, checked without a lookup. */
	private firstColumns: string[] | undefined;
	private firstColumnSet: Set<string> | undefined;
	private firstPlan: ReadPlan | undefined;

	constructor(
		private readonly sources: RowSources,
		private readonly options: PrepareOptions,
		private readonly evaluate: EvaluateField = () => undefined,
		expectedRows = 0,
	) {
		this.fields = FIELDS[options.resource];
		const ids = this.fields.map((field) => field.id);
		this.keyFieldIds = KEY_FIELDS[options.resource];
		this.keyFields = this.keyFieldIds.map((id) => ids.indexOf(id));
		this.workspaceField = ids.indexOf('workspaceCode');
		this.quantityField = ids.indexOf('quantity');
		this.kinds = this.fields.map((field) => field.kind);
		this.schema = rowSchema(this.fields);
		this.isValid = compileRowCheck(this.fields);
		this.normalise = {
			dateOrder: options.dateOrder ?? 'yearFirst',
			decimalSeparator: options.decimalSeparator ?? '.',
			earliestYear: options.earliestYear ?? DEFAULT_EARLIEST_YEAR,
			latestYear: options.latestYear ?? DEFAULT_LATEST_YEAR,
			timezone: options.timezone ?? 'UTC',
			currentYear: options.currentYear ?? new Date().getUTCFullYear(),
		};
		this.copyOtherColumns =
			sources === 'auto' && options.includeOtherColumns && options.resource === 'masterInventory';
		this.serialize = compileRowSerializer(this.fields);
		this.table = new RowTable(this.fields);
		this.index = new RowIndex(this.table, this.keyFields, expectedRows);
		this.filled = this.fields.map(() => false);
		this.sharedTexts = this.keyFields.map(() => new Map());
	}

	/** Whether columns are mapped by name (Map Automatically) rather than field by field. */
	get mapsAutomatically(): boolean {
		return this.sources === 'auto';
	}

	/** True once the "error" duplicate policy found a pair: nothing more is read. */
	get stopped(): boolean {
		return this.duplicate !== undefined;
	}

	/**
	 * How records with these columns are read. `byPosition`: records are CSV lines, read by column index;
	 * otherwise items' JSON, read by name.
	 */
	planFor(columns: readonly string[], byPosition: boolean): ReadPlan {
		const signature = (byPosition ? 'csv' : 'json') + JSON.stringify(columns);
		let plan = this.plansByColumns.get(signature);
		if (plan !== undefined) return plan;
		const keyOf = (column: string): RecordKey | undefined => {
			if (!byPosition) return column;
			const position = columns.indexOf(column);
			return position === -1 ? undefined : position;
		};
		const auto = this.sources === 'auto' ? autoMapColumns(columns, this.fields) : undefined;
		const keys: ReadPlan['keys'] = [];
		const readers: ReadPlan['readers'] = [];
		const used = new Set<string>();
		this.fields.forEach((field, index) => {
			const source = auto
				? auto.columns.get(field.id)
				: (this.sources as Record<string, FieldSource>)[field.id];
			const given = typeof source === 'object' ? source : undefined;
			const column =
				typeof source === 'string' ? source : given && 'column' in given ? given.column : undefined;
			if (column !== undefined) {
				keys[index] = keyOf(column);
				used.add(column);
				if (auto || columns.includes(column)) this.noteMapped(field.id, column);
			} else if (given && 'value' in given) {
				const constant = given.value;
				readers[index] = () => constant;
			} else if (given && 'evaluate' in given) {
				readers[index] = (itemIndex) => this.evaluate(itemIndex, field.id);
			}
		});
		for (const [fieldId, others] of auto?.passedOver ?? []) {
			for (const column of others) {
				let set = this.passedOver.get(fieldId);
				if (set === undefined) this.passedOver.set(fieldId, (set = new Set()));
				set.add(column);
			}
		}
		const fieldIds = new Set(this.fields.map((field) => field.id));
		const extras: Array<[string, RecordKey]> = [];
		for (const column of columns) {
			if (used.has(column) || UNSAFE_KEYS.has(column)) continue;
			if (this.copyOtherColumns && !fieldIds.has(column)) extras.push([column, keyOf(column)!]);
			else this.ignoredColumns.add(column);
		}
		plan = { keys, readers, extras, columns };
		this.plansByColumns.set(signature, plan);
		return plan;
	}

	private noteMapped(fieldId: string, column: string): void {
		let set = this.mappedColumns.get(fieldId);
		if (set === undefined) this.mappedColumns.set(fieldId, (set = new Set()));
		set.add(column);
	}

	/** Required fields the plan reads from nowhere (the Workspace Code parameter counts as a source). */
	missingRequired(plan: ReadPlan, hasDefaultWorkspace: boolean): WireField[] {
		return this.fields.filter(
			(field, index) =>
				field.required &&
				plan.keys[index] === undefined &&
				plan.readers[index] === undefined &&
				!(index === this.workspaceField && hasDefaultWorkspace),
		);
	}

	/**
	 * The plan for an item: planned once per set of columns (differently shaped inputs, omitted empty
	 * cells). None for an item without any column: no row, what a source that found nothing gives under
	 * n8n's "Always Output Data".
	 */
	planForItem(json: IDataObject): ReadPlan | undefined {
		if (this.firstColumns === undefined) {
			const columns = Object.keys(json);
			if (columns.length === 0) return undefined;
			this.firstColumns = columns;
			this.firstColumnSet = new Set(columns);
			this.firstPlan = this.planFor(columns, false);
			return this.firstPlan;
		}
		// Items from one source list their columns in the first item's order, and a column name that
		// matches the one at its position needs no lookup.
		const firstColumns = this.firstColumns;
		let position = 0;
		let columns = 0;
		for (const column in json) {
			columns++;
			if (column === firstColumns[position]) position++;
			else if (!this.firstColumnSet!.has(column)) return this.planFor(Object.keys(json), false);
		}
		return columns === 0 ? undefined : this.firstPlan!;
	}

	/** One n8n item. */
	addItem(json: IDataObject, itemIndex: number, workspaceCode?: string): void {
		const plan = this.planForItem(json);
		if (plan !== undefined) this.add(plan, json, itemIndex, undefined, workspaceCode);
	}

	/**
	 * One record read with `plan`; `line` for CSV lines. `workspaceCode` overrides the default for this
	 * record (the Workspace Code parameter evaluated for its item).
	 */
	add(
		plan: ReadPlan,
		record: InputRecord,
		itemIndex: number,
		line?: number,
		workspaceCode?: string,
	): void {
		if (this.duplicate !== undefined) return;
		this.inputRows++;
		const { table, fields, kinds } = this;
		const defaultWorkspace =
			(workspaceCode ?? this.options.defaultWorkspaceCode).trim() || undefined;
		// The row is converted straight into the table's next slots, and kept only if valid and new.
		const values = table.draft();
		const offset = table.offsetOf(table.length);
		// Why fields of this row could not be converted; allocated only for rows that have such a field.
		let reasons: Map<string, string> | undefined;
		for (let f = 0; f < kinds.length; f++) {
			const raw = readValue(plan, f, record, itemIndex);
			let value: unknown = convert(kinds[f], raw, this.normalise);
			if (value === undefined && f === this.workspaceField) value = defaultWorkspace;
			if (typeof value === 'object' && value instanceof Unconvertible) {
				(reasons ??= new Map()).set(fields[f].id, value.reason);
				value = raw; // zod judges the raw value; the converter's reason explains it
			}
			values[offset + f] = value;
		}
		let extra: PassThrough | undefined;
		if (plan.extras.length > 0) {
			for (const [name, key] of plan.extras) {
				const member = passThroughMember(name, readColumn(record, key));
				if (member instanceof Unconvertible) (reasons ??= new Map()).set(name, member.reason);
				else if (member !== undefined) extra = extra === undefined ? member : `${extra},${member}`;
			}
		}
		const valid = reasons === undefined && this.isValid(values, offset);
		if (valid) {
			const tooLarge = this.sizeError(values, offset, extra);
			if (tooLarge !== undefined) (reasons = new Map()).set('row', tooLarge);
		}
		if (!valid || reasons !== undefined) {
			this.addInvalid(plan, record, itemIndex, line, values, offset, reasons);
			return;
		}
		for (let f = 0; f < fields.length; f++)
			if (fields[f].usuallyPresent && values[offset + f] !== undefined) this.filled[f] = true;

		if (line !== undefined) this.shareKeyTexts(values, offset);
		const existing = this.index.findOrAdd(values, offset, table.length);
		if (existing === -1) {
			table.commit(extra);
			this.rowItems.push(itemIndex);
			if (line !== undefined) this.rowLines.push(line);
			return;
		}
		if (this.options.duplicates === 'error') {
			this.duplicate = {
				firstRow: this.rowItems[existing],
				duplicateRow: itemIndex,
				firstLine: this.rowLines[existing],
				duplicateLine: line,
				key: describeKey(rowObject(fields, values, offset, undefined), this.keyFieldIds),
			};
			return;
		}
		if (this.options.duplicates === 'sum') {
			const quantity = this.quantityField;
			table.set(
				existing,
				quantity,
				sumQuantities(table.get(existing, quantity) as number, values[offset + quantity] as number),
			);
		} else {
			table.replaceWithDraft(existing, extra);
		}
		this.duplicatesMerged++;
		if (line !== undefined) {
			this.lineMerges = withRoomFor(this.lineMerges, existing);
			this.lineMerges[existing]++;
		}
		// CSV lines of one file item pair to it already: only another item is worth remembering.
		if (line === undefined || this.rowItems[existing] !== itemIndex)
			this.mergedItems.add(existing, itemIndex);
	}

	private shareKeyTexts(values: unknown[], offset: number): void {
		for (let k = 0; k < this.keyFields.length; k++) {
			const texts = this.sharedTexts[k];
			if (texts === undefined) continue;
			const field = this.keyFields[k];
			const text = values[offset + field] as string;
			const kept = texts.get(text);
			if (kept !== undefined) values[offset + field] = kept;
			else if (texts.size < MAX_SHARED_TEXTS) texts.set(text, text);
			else this.sharedTexts[k] = undefined;
		}
	}

	/** A record that cannot be read as a row at all (a CSV line with more fields than the header). */
	reject(
		plan: ReadPlan,
		record: InputRecord,
		itemIndex: number,
		line: number,
		reason: string,
	): void {
		if (this.duplicate !== undefined) return;
		this.inputRows++;
		this.invalidCount++;
		if (this.invalid.length >= MAX_DETAILED_INVALID) return;
		this.invalid.push({
			row: itemIndex,
			line,
			errors: [{ field: 'row', value: null, reason }],
			input: lineInput(plan, record),
		});
	}

	/**
	 * A row whose JSON would not fit a request on its own. Only rows whose text could reach the limit are
	 * serialised to measure them; the rest cost a sum of lengths.
	 */
	private sizeError(
		values: unknown[],
		offset: number,
		extra: PassThrough | undefined,
	): string | undefined {
		const limit = this.options.maxRowBytes;
		if (limit === undefined) return undefined;
		let units = extra?.length ?? 0;
		for (let f = 0; f < this.kinds.length; f++) {
			const value = values[offset + f];
			if (typeof value === 'string') units += value.length;
		}
		if (units * MAX_JSON_BYTES_PER_UNIT + ROW_OVERHEAD_BYTES <= limit) return undefined;
		const bytes = Buffer.byteLength(this.serialize(values, offset, extra), 'utf8');
		return bytes <= limit
			? undefined
			: `the row is ${bytes} bytes as JSON, more than fits in one request (${limit} bytes): shorten its text or raise "Max Request Size"`;
	}

	private addInvalid(
		plan: ReadPlan,
		record: InputRecord,
		itemIndex: number,
		line: number | undefined,
		values: unknown[],
		offset: number,
		reasons: Map<string, string> | undefined,
	): void {
		this.invalidCount++;
		const keyValid = this.keyFields.every(
			(f) => typeof values[offset + f] === 'string' && !reasons?.has(this.fields[f].id),
		);
		if (keyValid && this.options.duplicates !== 'error') {
			const keyValues = this.keyFields.map((f) => values[offset + f]);
			const name = JSON.stringify(keyValues);
			if (!this.taintedKeys.has(name)) {
				const full: unknown[] = new Array(this.fields.length);
				this.keyFields.forEach((f, k) => (full[f] = keyValues[k]));
				this.taintedKeys.set(name, { values: full, row: itemIndex, line });
			}
		}
		if (line !== undefined && this.invalid.length >= MAX_DETAILED_INVALID) return;
		const row = rowObject(this.fields, values, offset, undefined);
		const invalid: InvalidRow = {
			row: itemIndex,
			errors: this.explain(row, reasons, plan, record, itemIndex),
		};
		if (line !== undefined) {
			invalid.line = line;
			invalid.input = lineInput(plan, record);
		}
		this.invalid.push(invalid);
	}

	private explain(
		row: WireRow,
		reasons: Map<string, string> | undefined,
		plan: ReadPlan,
		record: InputRecord,
		itemIndex: number,
	): RowError[] {
		const order = this.fields.map((field) => field.id);
		const errors = new Map<string, RowError>();
		for (const [field, reason] of reasons ?? []) {
			const position = order.indexOf(field);
			const extra = plan.extras.find(([name]) => name === field);
			const value =
				position !== -1
					? readValue(plan, position, record, itemIndex)
					: extra !== undefined
						? readColumn(record, extra[1])
						: null;
			errors.set(field, { field, value: reportedValue(value), reason });
		}
		if (!reasons?.has('row')) {
			const parsed = this.schema.safeParse(row);
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
		}
		if (errors.size === 0)
			errors.set('row', { field: 'row', value: null, reason: 'was rejected by validation' });
		const rank = (field: string) => {
			const position = order.indexOf(field);
			return position === -1 ? order.length : position;
		};
		return [...errors.values()].sort((a, b) => rank(a.field) - rank(b.field));
	}

	/**
	 * The prepared rows. Under Sum or Keep Last a key with an invalid line is withheld whole: sending the
	 * valid rest would overwrite the day (or the item) with a partial total.
	 */
	finish(): PreparedRows {
		const withheld = this.withholdTainted();
		const mapping: MappingReport = {
			fields: Object.fromEntries([...this.mappedColumns].map(([id, set]) => [id, [...set]])),
			passedOver: Object.fromEntries([...this.passedOver].map(([id, set]) => [id, [...set]])),
			ignored: [...this.ignoredColumns].filter(
				(column) => ![...this.mappedColumns.values()].some((set) => set.has(column)),
			),
		};
		this.invalid.sort((a, b) => a.row - b.row || (a.line ?? 0) - (b.line ?? 0));
		return {
			table: this.table,
			rowItems: this.rowItems,
			mergedItems: this.mergedItems,
			invalid: this.invalid,
			invalidCount: this.invalidCount + withheld,
			inputRows: this.inputRows,
			duplicatesMerged: this.duplicatesMerged,
			duplicate: this.duplicate,
			mapping,
			emptyUsualFields:
				this.table.length === 0
					? []
					: this.fields.filter((field, f) => field.usuallyPresent && !this.filled[f]),
		};
	}

	/** Moves the rows of tainted keys to the invalid rows; returns how many input rows that withheld. */
	private withholdTainted(): number {
		if (this.taintedKeys.size === 0 || this.duplicate !== undefined || !this.options.sendValidRows)
			return 0;
		const positions = new Map<number, { row: number; line?: number }>();
		for (const tainted of this.taintedKeys.values()) {
			const position = this.index.find(tainted.values, 0);
			if (position !== -1) positions.set(position, tainted);
		}
		let withheld = 0;
		for (const [position, cause] of positions) {
			const row = this.table.row(position);
			const where = cause.line !== undefined ? `line ${cause.line}` : `row ${cause.row}`;
			const reason =
				`withheld: ${where} has the same key (${describeKey(row, this.keyFieldIds)}) and is invalid, ` +
				(this.options.duplicates === 'sum'
					? 'so sending the rest would store a partial total'
					: 'so the last row for this key is not known');
			const error: RowError = { field: 'row', value: null, reason };
			if (this.rowLines.length > 0) {
				// CSV lines: one report for the key's first line, counting the lines merged into it.
				const merged = this.lineMerges[position] ?? 0;
				this.invalid.push({
					row: this.rowItems[position],
					line: this.rowLines[position],
					errors: [
						merged > 0 ? { ...error, reason: `${reason} (with ${merged} more lines)` } : error,
					],
				});
				withheld += 1 + merged;
				this.duplicatesMerged -= merged;
				continue;
			}
			const merged = this.mergedItems.itemsOf(position);
			for (const itemIndex of [this.rowItems[position], ...merged])
				this.invalid.push({ row: itemIndex, errors: [error] });
			withheld += 1 + merged.length;
			this.duplicatesMerged -= merged.length;
		}
		if (positions.size > 0) this.compact(positions);
		return withheld;
	}

	/** Removes rows from the table and the arrays that run parallel to it, keeping the order. */
	private compact(removed: Map<number, unknown>): void {
		let to = 0;
		for (let from = 0; from < this.table.length; from++) {
			if (removed.has(from)) continue;
			if (to !== from) {
				this.table.moveRow(from, to);
				this.rowItems[to] = this.rowItems[from];
				if (this.rowLines.length > 0) {
					this.rowLines[to] = this.rowLines[from];
					this.lineMerges[to] = this.lineMerges[from];
				}
				this.mergedItems.moveRow(from, to);
			}
			to++;
		}
		this.table.truncate(to);
		this.rowItems.length = to;
		if (this.rowLines.length > 0) this.rowLines.length = to;
		this.mergedItems.truncate(to);
	}
}

/** Prepares a whole array of items (tests, benchmarks): the node feeds a `RowPreparer` itself. */
export function prepareRows(
	items: ReadonlyArray<{ json: IDataObject }>,
	sources: RowSources,
	options: PrepareOptions,
	evaluate: EvaluateField = () => undefined,
): PreparedRows {
	const preparer = new RowPreparer(sources, options, evaluate, items.length);
	for (let itemIndex = 0; itemIndex < items.length && !preparer.stopped; itemIndex++)
		preparer.addItem(items[itemIndex].json ?? {}, itemIndex);
	return preparer.finish();
}
