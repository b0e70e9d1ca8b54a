import fc from 'fast-check';

import {
	type Batch,
	buildBatches,
	type RowTooLarge,
	SAMPLE_ROWS,
} from '../../nodes/Paqtana/helpers/batching';
import { MergedItems } from '../../nodes/Paqtana/helpers/mergedItems';
import {
	describeKey,
	type PreparedRows,
	type WireRow,
} from '../../nodes/Paqtana/helpers/prepareRows';
import { compileRowSerializer } from '../../nodes/Paqtana/helpers/serializer';
import { DEMAND_FIELDS } from '../../nodes/Paqtana/helpers/wireFormat';
import { rowsOf, serializeRow, tableOf } from '../rows';

const KEY = ['workspaceCode', 'location', 'code', 'date'];
const serialize = compileRowSerializer(DEMAND_FIELDS);
const describeRowKey = (row: WireRow) => describeKey(row, KEY);

/** The plain row-by-row greedy split: each row goes into the current batch if it fits, else it starts the next one. */
type BatchInput = Pick<PreparedRows, 'table' | 'rowItems' | 'mergedItems'>;

function referenceBatches(prepared: BatchInput, maxBytes: number): Batch[] | RowTooLarge {
	const batches: Batch[] = [];
	let parts: string[] = [];
	let bytes = 2;
	let items: number[] = [];
	let sample: WireRow[] = [];
	let firstKey = '';
	let lastRow: WireRow | undefined;
	const close = () => {
		if (parts.length === 0) return;
		batches.push({
			body: `[${parts.join(',')}]`,
			bytes,
			rows: parts.length,
			items,
			sample,
			firstKey,
			lastKey: describeRowKey(lastRow!),
		});
		parts = [];
		bytes = 2;
		items = [];
		sample = [];
	};
	rowsOf(prepared).forEach((row, index) => {
		const json = serializeRow(compileRowSerializer(DEMAND_FIELDS), DEMAND_FIELDS, row);
		const rowBytes = Buffer.byteLength(json);
		if (rowBytes + 2 > maxBytes) throw { itemIndex: prepared.rowItems[index], bytes: rowBytes + 2 };
		if (parts.length > 0 && bytes + 1 + rowBytes > maxBytes) close();
		if (parts.length === 0) firstKey = describeRowKey(row);
		bytes += (parts.length === 0 ? 0 : 1) + rowBytes;
		parts.push(json);
		items.push(prepared.rowItems[index], ...prepared.mergedItems.itemsOf(index));
		if (sample.length < SAMPLE_ROWS) sample.push(row);
		lastRow = row;
	});
	close();
	return batches;
}

function reference(prepared: BatchInput, maxBytes: number): Batch[] | RowTooLarge {
	try {
		return referenceBatches(prepared, maxBytes);
	} catch (tooLarge) {
		return tooLarge as RowTooLarge;
	}
}

const rowArb = fc.record({
	location: fc.constantFrom('WH1', 'STORE-0142', 'Lager Süd', '東京', 'a"quoted"\\site'),
	code: fc.string({ minLength: 1, maxLength: 60 }),
	day: fc.integer({ min: 1, max: 28 }),
	quantity: fc.oneof(
		fc.integer({ min: -1000, max: 100_000 }),
		fc.double({ noNaN: true, noDefaultInfinity: true }),
	),
});

function prepared(
	rows: Array<{ location: string; code: string; day: number; quantity: number }>,
	mergedEvery: number,
): BatchInput {
	const mergedItems = new MergedItems();
	const rowItems: number[] = [];
	let item = 0;
	rows.forEach((_, index) => {
		rowItems.push(item++);
		if (mergedEvery > 0 && index % mergedEvery === 0) {
			mergedItems.add(index, item++);
			mergedItems.add(index, item++);
		}
	});
	return {
		table: tableOf(
			DEMAND_FIELDS,
			rows.map(({ location, code, day, quantity }) => ({
				workspaceCode: 'MAIN',
				location,
				code,
				date: `2026-01-${String(day).padStart(2, '0')}`,
				quantity,
			})),
		),
		rowItems,
		mergedItems,
	};
}

describe('buildBatches', () => {
	it('splits exactly where a row-by-row greedy split does, with the same bodies, bytes, items, samples and keys', () => {
		fc.assert(
			fc.property(
				fc.array(rowArb, { maxLength: 1500 }),
				fc.integer({ min: 150, max: 60_000 }),
				fc.integer({ min: 0, max: 7 }),
				(rows, maxBytes, mergedEvery) => {
					const expected = reference(prepared(rows, mergedEvery), maxBytes);
					const input = prepared(rows, mergedEvery);
					const actual = buildBatches(input, serialize, describeRowKey, maxBytes);
					expect(actual).toEqual(expected);
					if (Array.isArray(actual)) {
						for (const batch of actual) {
							expect(Buffer.byteLength(batch.body)).toBe(batch.bytes);
							expect(batch.bytes).toBeLessThanOrEqual(maxBytes);
						}
						// Every row was released once serialised.
						if (rows.length > 0) expect(() => input.table.row(0)).toThrow(RangeError);
					}
				},
			),
			{ numRuns: 300 },
		);
	});

	it('reports the first row that cannot fit a request on its own', () => {
		const rows = [
			{ location: 'WH1', code: 'A', day: 1, quantity: 1 },
			{ location: 'WH1', code: 'B'.repeat(500), day: 1, quantity: 1 },
			{ location: 'WH1', code: 'C'.repeat(900), day: 1, quantity: 1 },
		];
		expect(buildBatches(prepared(rows, 0), serialize, describeRowKey, 400)).toEqual(
			reference(prepared(rows, 0), 400),
		);
		expect(buildBatches(prepared(rows, 0), serialize, describeRowKey, 400)).toEqual({
			itemIndex: 1,
			bytes: expect.any(Number),
		});
	});

	it('makes no batch from no rows', () => {
		expect(buildBatches(prepared([], 0), serialize, describeRowKey, 1000)).toEqual([]);
	});

	it('keeps a large payload in few requests, each body a JSON array of its rows', () => {
		const rows = Array.from({ length: 20_000 }, (_, i) => ({
			location: `WH${i % 3}`,
			code: `SKU-${i}`,
			day: (i % 28) + 1,
			quantity: i,
		}));
		const batches = buildBatches(prepared(rows, 0), serialize, describeRowKey, 500_000) as Batch[];
		expect(batches.map((batch) => batch.rows).reduce((a, b) => a + b)).toBe(20_000);
		expect(batches.flatMap((batch) => JSON.parse(batch.body))).toEqual(rowsOf(prepared(rows, 0)));
		expect(batches.slice(0, -1).every((batch) => batch.bytes > 500_000 - 100)).toBe(true);
	});

	it('splits like the row-by-row reference across many row groups and table blocks, with merged items', () => {
		const rows = Array.from({ length: 12_000 }, (_, i) => ({
			location: `WH${i % 3}`,
			code: i % 5 === 0 ? `Lager Süd ${i}` : `SKU-${i}`,
			day: (i % 28) + 1,
			quantity: i / 4,
		}));
		for (const maxBytes of [9_999, 333_333]) {
			expect(buildBatches(prepared(rows, 3), serialize, describeRowKey, maxBytes)).toEqual(
				reference(prepared(rows, 3), maxBytes),
			);
		}
	});
});
