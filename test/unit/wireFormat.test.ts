import fc from 'fast-check';

import { serializeRow } from '../rows';
import {
	compileRowSerializer,
	DEMAND_FIELDS,
	INVENTORY_FIELDS,
	isCalendarDay,
	isIsoDay,
} from '../../nodes/Paqtana/helpers/wireFormat';

/** The day check as it was written before it read character codes: the reference it must agree with. */
const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
function isIsoDayByRegex(value: string): boolean {
	const match = ISO_DAY.exec(value);
	return match !== null && isCalendarDay(Number(match[1]), Number(match[2]), Number(match[3]));
}

describe('isIsoDay', () => {
	it.each(['2026-11-27', '2024-02-29', '2000-02-29', '0001-01-01', '9999-12-31', '1900-03-01'])(
		'accepts %s',
		(day) => {
			expect(isIsoDay(day)).toBe(true);
		},
	);

	it.each([
		'2026-02-29',
		'1900-02-29',
		'2026-04-31',
		'2026-13-01',
		'2026-00-10',
		'2026-01-00',
		'2026-01-32',
		'0000-01-01',
		'2026-1-01',
		'2026-01-1',
		'26-01-01',
		'20260101',
		'2026/01/01',
		'2026-01-01 ',
		' 2026-01-01',
		'2026-01-01T00:00',
		'2026-0a-01',
		'2026-+1-01',
		'+026-01-01',
		'２０２６-01-01',
		'٢٠٢٦-01-01',
		'',
		'2026-01-0\u0000',
	])('refuses %j', (text) => {
		expect(isIsoDay(text)).toBe(false);
	});

	it('agrees with the regex reading on generated text', () => {
		const dayLike = fc
			.tuple(
				fc.integer({ min: 0, max: 10_999 }),
				fc.integer({ min: 0, max: 14 }),
				fc.integer({ min: 0, max: 33 }),
			)
			.map(
				([y, m, d]) =>
					`${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`,
			);
		const noise = fc.string({
			unit: fc.constantFrom('0', '1', '2', '9', '-', '/', ' ', 'a', '٣', '\u0000'),
			minLength: 8,
			maxLength: 12,
		});
		fc.assert(
			fc.property(fc.oneof(dayLike, noise, fc.string()), (text) =>
				expect(isIsoDay(text)).toBe(isIsoDayByRegex(text)),
			),
			{ numRuns: 20_000 },
		);
	});
});

describe('compileRowSerializer writes what JSON.stringify writes', () => {
	const serialize = compileRowSerializer(DEMAND_FIELDS);
	const row = (text: string) => ({
		workspaceCode: 'MAIN',
		location: text,
		code: 'A',
		date: '2026-01-01',
		quantity: 1,
	});

	it.each([
		['quote', 'a"b'],
		['backslash', 'a\\b'],
		['control characters', 'a\u0000b\u0001c\nd\te\u001f'],
		['DEL and C1 controls, which JSON leaves alone', 'a\u007fb\u0085c'],
		['line and paragraph separators', 'a\u2028b\u2029c'],
		['a surrogate pair', 'a😀b'],
		['a lone high surrogate', 'a\ud83db'],
		['a lone low surrogate', 'a\ude00b'],
		['the edges of the plain range', ' ~\ud7ff\ue000\uffff'],
		['non-ASCII letters', 'Crème fraîche, Müsli, 東京'],
	])('%s', (_name, text) => {
		expect(serializeRow(serialize, DEMAND_FIELDS, row(text))).toBe(JSON.stringify(row(text)));
	});

	it('one serializer over a sequence of rows that share, then change, their leading fields', () => {
		const inventory = compileRowSerializer(INVENTORY_FIELDS);
		const values = {
			workspaceCode: ['W', 'X'],
			location: ['L1', 'L2'],
			code: ['A', 'B'],
			description: [undefined, 'd'],
			stock: [undefined, 0, -0, 1.5],
		};
		fc.assert(
			fc.property(
				fc.array(
					fc.record(
						Object.fromEntries(
							Object.entries(values).map(([id, options]) => [id, fc.constantFrom(...options)]),
						),
					),
					{ minLength: 1, maxLength: 30 },
				),
				(rows) => {
					for (const row of rows) {
						const present = Object.fromEntries(
							Object.entries(row).filter(([, value]) => value !== undefined),
						);
						expect(serializeRow(inventory, INVENTORY_FIELDS, present)).toBe(
							JSON.stringify(present),
						);
					}
				},
			),
			{ numRuns: 2000 },
		);
	});

	it('numbers, missing optional fields and pass-through columns', () => {
		const inventory = compileRowSerializer(INVENTORY_FIELDS);
		const item = {
			workspaceCode: 'MAIN',
			location: 'WH1',
			code: 'A',
			stock: -0,
			cost: 1e21,
			price: 5e-324,
			extra: { nested: [1, 'x'] },
			when: new Date(0),
		};
		expect(serializeRow(inventory, INVENTORY_FIELDS, item)).toBe(JSON.stringify(item));
	});
});
