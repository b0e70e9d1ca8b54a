import fc from 'fast-check';

import { RowIndex } from '../../nodes/Paqtana/helpers/rowIndex';
import { RowTable, type WireRow } from '../../nodes/Paqtana/helpers/rowTable';
import type { WireField } from '../../nodes/Paqtana/helpers/wireFormat';

const DEMAND_KEY = ['workspaceCode', 'location', 'code', 'date'];

/** Adds rows the way prepareRows does: drafted in the table, kept there when new to the index. */
function indexer(keyFields: string[], maxRows: number) {
	const fields = [...keyFields, 'quantity', 'extra'].map((id) => ({ id }) as WireField);
	const table = new RowTable(fields);
	const index = new RowIndex(
		table,
		keyFields.map((_, position) => position),
		maxRows,
	);
	return (row: WireRow): number => {
		const slots = table.draft();
		const offset = table.offsetOf(table.length);
		fields.forEach((field, position) => (slots[offset + position] = row[field.id]));
		const existing = index.findOrAdd(slots, offset, table.length);
		if (existing === -1) table.commit(undefined);
		return existing;
	};
}

/** Adds demand keys in turn, expecting what a Map keyed by the JSON of the key fields answers. */
function expectSameAsMap(keys: string[][]): void {
	const add = indexer(DEMAND_KEY, keys.length);
	const reference = new Map<string, number>();
	for (const [workspaceCode, location, code, date] of keys) {
		const key = JSON.stringify([workspaceCode, location, code, date]);
		const expected = reference.get(key) ?? -1;
		if (expected === -1) reference.set(key, reference.size);
		expect(add({ workspaceCode, location, code, date })).toBe(expected);
	}
}

describe('RowIndex', () => {
	it('returns the position of the earlier row with the same key, and -1 for a new key', () => {
		const add = indexer(DEMAND_KEY, 10);
		const row = (code: string, date: string) => ({
			workspaceCode: 'MAIN',
			location: 'WH1',
			code,
			date,
			quantity: 1,
		});
		expect(add(row('A', '2026-01-01'))).toBe(-1);
		expect(add(row('A', '2026-01-02'))).toBe(-1);
		expect(add(row('B', '2026-01-01'))).toBe(-1);
		expect(add(row('A', '2026-01-01'))).toBe(0);
		expect(add(row('A', '2026-01-02'))).toBe(1);
		// Fields that are not part of the key do not matter.
		expect(add({ ...row('B', '2026-01-01'), quantity: 99, extra: 'x' })).toBe(2);
	});

	it('keeps keys apart that a joined key string could confuse', () => {
		const add = indexer(['workspaceCode', 'location', 'code'], 10);
		for (const [workspaceCode, location, code] of [
			['A', 'B\u0000C', 'D'],
			['A\u0000B', 'C', 'D'],
			['AB', 'C', 'D'],
			['A', 'BC', 'D'],
			['1:A', 'B', 'C'],
			['1', ':AB', 'C'],
			['', '', 'ABC'],
		]) {
			expect(add({ workspaceCode, location, code })).toBe(-1);
		}
	});

	it('agrees with a Map keyed by the JSON of the key fields', () => {
		const part = fc.constantFrom(
			'',
			'A',
			'B',
			'A\u0000',
			'\u0000A',
			'A,B',
			'"',
			'😀',
			'é',
			'e\u0301',
			'\ud83d',
		);
		fc.assert(
			fc.property(fc.array(fc.tuple(part, part, part, part), { maxLength: 200 }), (keys) => {
				expectSameAsMap(keys);
			}),
			{ numRuns: 500 },
		);
	});

	it('input in order (groups together, last field rising): a repeat is the row just before; a late repeat is still found', () => {
		const add = indexer(DEMAND_KEY, 20_000);
		const row = (code: string, day: number) => ({
			workspaceCode: 'MAIN',
			location: 'WH1',
			code,
			date: String(day).padStart(5, '0'),
		});
		let position = 0;
		// Item-major: the day rises within each item.
		for (const code of ['A', 'B']) {
			for (let day = 0; day < 5000; day++) {
				expect(add(row(code, day))).toBe(-1);
				expect(add(row(code, day))).toBe(position); // a second line of the same day
				position++;
			}
		}
		// The order breaks: rows from the first group, across table blocks, come back.
		expect(add(row('A', 0))).toBe(0);
		expect(add(row('A', 4999))).toBe(4999);
		expect(add(row('B', 17))).toBe(5017);
		expect(add(row('A', 5000))).toBe(-1);
		expect(add(row('A', 5000))).toBe(10_000);
	});

	it('agrees with a Map keyed by the JSON of the key fields on input sorted in any field order, with repeats put out of order', () => {
		const part = fc.constantFrom('A', 'B', 'é', '😀', 'A\u0000');
		const day = fc.constantFrom('2026-01-01', '2026-01-02', '2026-01-10', '2026-02-01');
		const fieldOrder = fc.shuffledSubarray([0, 1, 2, 3], { minLength: 4, maxLength: 4 });
		fc.assert(
			fc.property(
				fc.array(fc.tuple(part, part, part, day), { maxLength: 300 }),
				fieldOrder,
				fc.array(fc.nat(), { maxLength: 4 }),
				(keys, order, repeats) => {
					// Sorted by the fields in `order` (item-major, day-major, location-major… exports).
					const sortKey = (key: string[]) => JSON.stringify(order.map((field) => key[field]));
					const sequence = [...keys].sort((a, b) =>
						sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0,
					);
					for (const repeat of repeats)
						if (sequence.length > 0)
							sequence.splice(
								repeat % (sequence.length + 1),
								0,
								sequence[repeat % sequence.length],
							);
					expectSameAsMap(sequence);
				},
			),
			{ numRuns: 500 },
		);
	});

	it('stays exact over many keys (probing, and whole-hash matches of different keys)', () => {
		const count = 200_000;
		const add = indexer(DEMAND_KEY, count * 2);
		const row = (i: number) => ({
			workspaceCode: 'W',
			location: `L${i % 7}`,
			code: `C${i}`,
			date: '2026-01-01',
		});
		let wrong = 0;
		for (let i = 0; i < count; i++) if (add(row(i)) !== -1) wrong++;
		for (let i = 0; i < count; i += 97) if (add(row(i)) !== i) wrong++;
		expect(wrong).toBe(0);
	});

	it('grows past the size it was given (a CSV file has no known row count), keeping every key', () => {
		const add = indexer(['code'], 2);
		const codes = Array.from({ length: 5000 }, (_, i) => `C${(i * 7919) % 5000}`);
		expect(codes.map((code) => add({ code }))).toEqual(codes.map(() => -1));
		expect(codes.map((code) => add({ code }))).toEqual(codes.map((_, position) => position));
	});
});
