/**
 * Wire rows → request bodies. Each row is serialised exactly once, straight into the batch that carries it;
 * no batch body exceeds the byte limit. It consumes `prepared.rows`: each row is released once serialised,
 * so the payload never exists twice in memory.
 */
import type { PreparedRows, WireRow } from './prepareRows';

export interface Batch {
	/** The JSON array sent as the request body. */
	body: string;
	/** UTF-8 length of `body`. */
	bytes: number;
	rows: number;
	/** Input items whose rows this batch carries, for pairing output items. */
	items: number[];
	/** The first rows, for dry-run output and reports. */
	sample: WireRow[];
	firstKey: string;
	lastKey: string;
}

/** A row that cannot fit in any request on its own. */
export interface RowTooLarge {
	itemIndex: number;
	bytes: number;
}

export const SAMPLE_ROWS = 3;

/** Brackets around the array; each further row adds a comma. */
const ARRAY_OVERHEAD = 2;

export function buildBatches(
	prepared: PreparedRows,
	serialize: (row: WireRow) => string,
	describeRowKey: (row: WireRow) => string,
	maxBytes: number,
): Batch[] | RowTooLarge {
	const { rows, rowItems, mergedItems } = prepared;
	const batches: Batch[] = [];
	let parts: string[] = [];
	let bytes = ARRAY_OVERHEAD;
	let items: number[] = [];
	let sample: WireRow[] = [];
	let firstKey = '';
	let lastRow: WireRow | undefined;

	const close = () => {
		if (parts.length === 0) return;
		batches.push({ body: `[${parts.join(',')}]`, bytes, rows: parts.length, items, sample, firstKey, lastKey: describeRowKey(lastRow!) });
		parts = [];
		bytes = ARRAY_OVERHEAD;
		items = [];
		sample = [];
	};

	for (let index = 0; index < rows.length; index++) {
		const row = rows[index];
		const json = serialize(row);
		const rowBytes = Buffer.byteLength(json, 'utf8');
		if (rowBytes + ARRAY_OVERHEAD > maxBytes) return { itemIndex: rowItems[index], bytes: rowBytes + ARRAY_OVERHEAD };
		const separator = parts.length === 0 ? 0 : 1;
		if (bytes + separator + rowBytes > maxBytes) close();
		if (parts.length === 0) firstKey = describeRowKey(row);
		bytes += (parts.length === 0 ? 0 : 1) + rowBytes;
		parts.push(json);
		items.push(rowItems[index]);
		const merged = mergedItems.get(index);
		if (merged) for (const item of merged) items.push(item);
		if (sample.length < SAMPLE_ROWS) sample.push(row);
		lastRow = row;
		(rows as Array<WireRow | undefined>)[index] = undefined;
	}
	close();
	return batches;
}
