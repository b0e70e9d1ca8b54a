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

/**
 * Rows are serialised, joined and measured in groups: one join and one UTF-8 count per group instead of
 * per row, and the per-row strings die young (cheap for the garbage collector). Only a group that does
 * not fit the current batch is split row by row, so batches end exactly where a row-by-row split ends them.
 */
const GROUP_ROWS = 256;

export function buildBatches(
	prepared: PreparedRows,
	serialize: (row: WireRow) => string,
	describeRowKey: (row: WireRow) => string,
	maxBytes: number,
): Batch[] | RowTooLarge {
	const { rows, rowItems, mergedItems } = prepared;
	const batches: Batch[] = [];
	// The body is concatenated from group texts; V8 keeps that as a rope of the pieces (no copy here) and
	// flattens it once, when the request is sent.
	let body = '';
	let bytes = ARRAY_OVERHEAD;
	let count = 0;
	let items: number[] = [];
	let sample: WireRow[] = [];
	let firstKey = '';
	let lastRow: WireRow | undefined;

	const close = () => {
		if (count === 0) return;
		batches.push({ body: `[${body}]`, bytes, rows: count, items, sample, firstKey, lastKey: describeRowKey(lastRow!) });
		body = '';
		bytes = ARRAY_OVERHEAD;
		count = 0;
		items = [];
		sample = [];
	};

	/** Adds serialised rows `start`..`end` (already measured) to the current batch and releases them. */
	const append = (json: string, jsonBytes: number, start: number, end: number) => {
		if (count === 0) firstKey = describeRowKey(rows[start]);
		body = count === 0 ? json : body + ',' + json;
		bytes += (count === 0 ? 0 : 1) + jsonBytes;
		count += end - start;
		for (let index = start; index < end; index++) {
			const row = rows[index];
			items.push(rowItems[index]);
			const merged = mergedItems.get(index);
			if (merged) for (const item of merged) items.push(item);
			if (sample.length < SAMPLE_ROWS) sample.push(row);
			lastRow = row;
			(rows as Array<WireRow | undefined>)[index] = undefined;
		}
	};

	const group: string[] = [];
	for (let start = 0; start < rows.length; start += GROUP_ROWS) {
		const end = Math.min(start + GROUP_ROWS, rows.length);
		group.length = 0;
		for (let index = start; index < end; index++) group.push(serialize(rows[index]));
		const json = group.join(',');
		const jsonBytes = Buffer.byteLength(json, 'utf8');
		if (bytes + (count === 0 ? 0 : 1) + jsonBytes <= maxBytes) {
			append(json, jsonBytes, start, end);
			continue;
		}
		for (let offset = 0; offset < group.length; offset++) {
			const index = start + offset;
			const rowBytes = Buffer.byteLength(group[offset], 'utf8');
			if (rowBytes + ARRAY_OVERHEAD > maxBytes) return { itemIndex: rowItems[index], bytes: rowBytes + ARRAY_OVERHEAD };
			if (count > 0 && bytes + 1 + rowBytes > maxBytes) close();
			append(group[offset], rowBytes, index, index + 1);
		}
	}
	close();
	return batches;
}
