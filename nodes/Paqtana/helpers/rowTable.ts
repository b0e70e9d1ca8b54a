/**
 * Prepared rows, kept as their values in field order rather than as one object per row. A million row
 * objects, and the garbage collector tracing them, were the largest cost of preparing a backfill; here a
 * row is a run of slots in a block array, converted straight into place. Blocks hold BLOCK_ROWS rows
 * each, so batching can release a block as soon as its rows are serialised: the payload never exists
 * twice in memory.
 */
import type { WireField } from './wireFormat';

/** Properties of one row: its wire fields that have a value, in field order, then any pass-through columns. */
export type WireRow = Record<string, unknown>;

/**
 * A row's pass-through columns, serialised once when the row is read (which is also when a value that
 * cannot be JSON is refused): JSON object members without the braces, `"Colour":"red","Size":3`.
 */
export type PassThrough = string;

const BLOCK_SHIFT = 12;
const BLOCK_ROWS = 1 << BLOCK_SHIFT;
const BLOCK_MASK = BLOCK_ROWS - 1;

export class RowTable {
	/** Values per row (one slot per field, `undefined` where a field has no value). */
	readonly width: number;
	private readonly blocks: Array<unknown[] | undefined> = [];
	/** Pass-through columns by row (master inventory's "Include Other Columns"), as JSON members. */
	private readonly extras = new Map<number, PassThrough>();
	/** The block rows are being added to. */
	private lastBlock: unknown[] = [];
	private rowCount = 0;
	private releasedBlocks = 0;

	constructor(readonly fields: readonly WireField[]) {
		this.width = fields.length;
	}

	get length(): number {
		return this.rowCount;
	}

	/**
	 * The slots of the next row, filled in place (values in field order from `offsetOf(length)`) and then
	 * kept by `commit`; a row that is not committed is overwritten by the next one.
	 */
	draft(): unknown[] {
		if (this.rowCount >>> BLOCK_SHIFT === this.blocks.length) {
			this.lastBlock = new Array<unknown>(BLOCK_ROWS * this.width);
			this.blocks.push(this.lastBlock);
		}
		return this.lastBlock;
	}

	/** Keeps the drafted row, at position `length`. */
	commit(extra: PassThrough | undefined): void {
		if (extra !== undefined) this.extras.set(this.rowCount, extra);
		this.rowCount++;
	}

	/** Replaces a row's values (and pass-through columns) with the drafted row's. */
	replaceWithDraft(position: number, extra: PassThrough | undefined): void {
		const draft = this.blockOf(this.rowCount);
		const draftOffset = this.offsetOf(this.rowCount);
		const block = this.blockOf(position);
		const offset = this.offsetOf(position);
		for (let field = 0; field < this.width; field++)
			block[offset + field] = draft[draftOffset + field];
		if (extra !== undefined) this.extras.set(position, extra);
		else this.extras.delete(position);
	}

	/** Copies a row's values and pass-through columns to an earlier position (compacting the table). */
	moveRow(from: number, to: number): void {
		const source = this.blockOf(from);
		const sourceOffset = this.offsetOf(from);
		const target = this.blockOf(to);
		const targetOffset = this.offsetOf(to);
		for (let field = 0; field < this.width; field++)
			target[targetOffset + field] = source[sourceOffset + field];
		const extra = this.extras.get(from);
		if (extra !== undefined) this.extras.set(to, extra);
		else this.extras.delete(to);
	}

	/** Drops the rows from `length` on (after `moveRow` compacted them). */
	truncate(length: number): void {
		for (let row = length; row < this.rowCount; row++) this.extras.delete(row);
		this.rowCount = length;
		this.blocks.length = Math.ceil(length / BLOCK_ROWS);
		this.lastBlock = this.blocks[this.blocks.length - 1] ?? [];
	}

	get(position: number, field: number): unknown {
		return this.blockOf(position)[this.offsetOf(position) + field];
	}

	set(position: number, field: number, value: unknown): void {
		this.blockOf(position)[this.offsetOf(position) + field] = value;
	}

	/** The array holding the row's values, from `offsetOf(position)` on: for reading many rows without a call per value. */
	blockOf(position: number): unknown[] {
		const block = this.blocks[position >>> BLOCK_SHIFT];
		if (block === undefined)
			throw new RangeError(`Row ${position} is not in the table (released or never added)`);
		return block;
	}

	offsetOf(position: number): number {
		return (position & BLOCK_MASK) * this.width;
	}

	/** The first position after the block holding `position`: rows up to there share one block array. */
	blockEndOf(position: number): number {
		return ((position >>> BLOCK_SHIFT) + 1) << BLOCK_SHIFT;
	}

	extraOf(position: number): PassThrough | undefined {
		return this.extras.size === 0 ? undefined : this.extras.get(position);
	}

	/** The row as an object, as JSON would read it back (for samples, keys and error reports). */
	row(position: number): WireRow {
		return rowObject(
			this.fields,
			this.blockOf(position),
			this.offsetOf(position),
			this.extraOf(position),
		);
	}

	/** Frees every block whose rows all lie before `position` (all blocks, from the table's end on); those rows can no longer be read. */
	releaseBefore(position: number): void {
		const end = position >= this.rowCount ? this.blocks.length : position >>> BLOCK_SHIFT;
		for (; this.releasedBlocks < end; this.releasedBlocks++) {
			this.blocks[this.releasedBlocks] = undefined;
			if (this.extras.size === 0) continue;
			const first = this.releasedBlocks << BLOCK_SHIFT;
			for (let row = first; row < first + BLOCK_ROWS; row++) this.extras.delete(row);
		}
	}
}

/** A row object from values in field order: fields without a value are left out, as JSON leaves out undefined. */
export function rowObject(
	fields: readonly WireField[],
	values: ArrayLike<unknown>,
	offset: number,
	extra: PassThrough | undefined,
): WireRow {
	const row: WireRow = {};
	for (let field = 0; field < fields.length; field++) {
		const value = values[offset + field];
		if (value !== undefined) row[fields[field].id] = value;
	}
	return extra === undefined ? row : Object.assign(row, JSON.parse(`{${extra}}`) as WireRow);
}
