import fc from 'fast-check';

import { serializeRow } from '../rows';
import { compileRowSerializer } from '../../nodes/Paqtana/helpers/serializer';
import { DEMAND_FIELDS, INVENTORY_FIELDS } from '../../nodes/Paqtana/helpers/wireFormat';

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
