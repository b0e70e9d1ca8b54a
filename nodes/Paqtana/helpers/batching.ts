/**
 * Prepared rows → request bodies. Each row is serialised exactly once, straight into the batch that carries
 * it; no batch body exceeds the byte limit. It consumes the prepared rows: their table releases each block
 * once serialised, so the payload never exists twice in memory.
 */
import type { PreparedRows } from './prepareRows';
import type { WireRow } from './rowTable';
import type { RowSerializer } from './serializer';

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
 * per row, and the per-row strings die young (cheap for the garbage collector). A group's text (about
 * 200 kB) is large enough for V8 to place it outside the young generation, so the payload is not copied
 * by young-generation collections. Only a group that does not fit the current batch is split row by row,
 * so batches end exactly where a row-by-row split ends them. A/B (scripts/bench/tricks.ts, 1M
 * sorted demand CSV rows, 4 pairs): row by row takes 1.23× (A-B) and 1.62× (B-A) as long.
 */
const GROUP_ROWS = 2048;

export function buildBatches(
	prepared: Pick<PreparedRows, 'table' | 'rowItems' | 'mergedItems'>,
	serialize: RowSerializer,
	describeRowKey: (row: WireRow) => string,
	maxBytes: number,
): Batch[] | RowTooLarge {
	const { table, rowItems, mergedItems } = prepared;
	const batches: Batch[] = [];
	// The body is concatenated from group texts; V8 keeps that as a rope of the pieces (no copy here) and
	// flattens it once, when the request is sent.
	let body = '';
	let bytes = ARRAY_OVERHEAD;
	let count = 0;
	let items: number[] = [];
	let sample: WireRow[] = [];
	let firstKey = '';
	let lastKey = '';

	const close = () => {
		if (count === 0) return;
		batches.push({ body: `[${body}]`, bytes, rows: count, items, sample, firstKey, lastKey });
		body = '';
		bytes = ARRAY_OVERHEAD;
		count = 0;
		items = [];
		sample = [];
	};

	/** Adds serialised rows `start`..`end` (already measured) to the current batch. */
	const append = (json: string, jsonBytes: number, start: number, end: number) => {
		if (count === 0) firstKey = describeRowKey(table.row(start));
		body = count === 0 ? json : body + ',' + json;
		bytes += (count === 0 ? 0 : 1) + jsonBytes;
		count += end - start;
		for (let index = start; index < end; index++) {
			items.push(rowItems[index]);
			mergedItems.pushItemsOf(index, items);
		}
		for (let index = start; index < end && sample.length < SAMPLE_ROWS; index++)
			sample.push(table.row(index));
		// Described now: the row's block may be released before the batch closes.
		lastKey = describeRowKey(table.row(end - 1));
	};

	const group: string[] = [];
	const { width } = table;
	for (let start = 0, end = 0; start < table.length; start = end) {
		end = Math.min(start + GROUP_ROWS, table.length, table.blockEndOf(start));
		group.length = 0;
		const block = table.blockOf(start);
		for (let index = start, offset = table.offsetOf(start); index < end; index++, offset += width) {
			group.push(serialize(block, offset, table.extraOf(index)));
		}
		const json = group.join(',');
		const jsonBytes = Buffer.byteLength(json, 'utf8');
		if (bytes + (count === 0 ? 0 : 1) + jsonBytes <= maxBytes) {
			append(json, jsonBytes, start, end);
		} else {
			for (let offset = 0; offset < group.length; offset++) {
				const index = start + offset;
				const rowBytes = Buffer.byteLength(group[offset], 'utf8');
				if (rowBytes + ARRAY_OVERHEAD > maxBytes)
					return { itemIndex: rowItems[index], bytes: rowBytes + ARRAY_OVERHEAD };
				if (count > 0 && bytes + 1 + rowBytes > maxBytes) close();
				append(group[offset], rowBytes, index, index + 1);
			}
		}
		table.releaseBefore(end);
	}
	close();
	return batches;
}
