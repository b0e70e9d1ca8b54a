/* eslint-disable */
import fc from 'fast-check';

import type { WireRow } from '../../nodes/Paqtana/helpers/prepareRows';
import { RowIndex } from '../../nodes/Paqtana/helpers/rowIndex';

const DEMAND_KEY = ['workspaceCode', 'location', 'code', 'date'];

/** Adds rows the way prepareRows does: a row new to the index is appended to the rows the index points into. */
function indexer(keyFields: string[], maxRows: number) {
	const rows: WireRow[] = [];
	const index = new RowIndex(rows, keyFields, maxRows);
	return (row: WireRow): number => {
		const existing = index.findOrAdd(row, rows.length);
		if (existing === -1) rows.push(row);
		return existing;
	};
}

describe('RowIndex', () => {
	it('returns the position of the earlier row with the same key, and -1 for a new key', () => {
		const add = indexer(DEMAND_KEY, 10);
		const row = (code: string, date: string) => ({ workspaceCode: 'MAIN', location: 'WH1', code, date, quantity: 1 });
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
		const part = fc.constantFrom('', 'A', 'B', 'A\u0000', '\u0000A', 'A,B', '"', '😀', 'é', 'e\u0301', '\ud83d');
		fc.assert(
			fc.property(fc.array(fc.tuple(part, part, part, part), { maxLength: 200 }), (keys) => {
				const add = indexer(DEMAND_KEY, keys.length);
				const reference = new Map<string, number>();
				for (const [workspaceCode, location, code, date] of keys) {
					const key = JSON.stringify([workspaceCode, location, code, date]);
					const expected = reference.get(key) ?? -1;
					if (expected === -1) reference.set(key, reference.size);
					expect(add({ workspaceCode, location, code, date })).toBe(expected);
				}
			}),
			{ numRuns: 500 },
		);
	});

	it('stays exact over many keys (probing, and whole-hash matches of different keys)', () => {
		const count = 200_000;
		const add = indexer(DEMAND_KEY, count * 2);
		const row = (i: number) => ({ workspaceCode: 'W', location: `L${i % 7}`, code: `C${i}`, date: '2026-01-01' });
		let wrong = 0;
		for (let i = 0; i < count; i++) if (add(row(i)) !== -1) wrong++;
		for (let i = 0; i < count; i += 97) if (add(row(i)) !== i) wrong++;
		expect(wrong).toBe(0);
	});

	it('refuses more rows than it was sized for, rather than looping on a full table', () => {
		const add = indexer(['code'], 2);
		add({ code: 'A' });
		add({ code: 'B' });
		expect(() => add({ code: 'C' })).toThrow(RangeError);
	});
});
