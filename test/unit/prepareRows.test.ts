import { prepareRows, type PrepareOptions } from '../../nodes/Paqtana/helpers/prepareRows';
import { rowsOf } from '../rows';

const INVENTORY: PrepareOptions = {
	resource: 'masterInventory',
	defaultWorkspaceCode: 'MAIN',
	duplicates: 'error',
	dateOrder: 'yearFirst',
	decimalSeparator: '.',
	includeOtherColumns: false,
};

describe('rows are built the same whether every field has a value or not', () => {
	it('a complete row has every field in wire order; an incomplete one only the fields with a value', () => {
		const complete = {
			Workspace: 'EU',
			Location: 'WH1',
			SKU: 'A',
			Description: 'Oats',
			Supplier: 'Mill',
			'On Hand': '5',
			'Unit Cost': '1.5',
			'Unit Price': '2',
			'Lead Time': '7',
			MOQ: '12',
		};
		const partial = { ...complete, SKU: 'B', Description: '', Supplier: null, 'Unit Price': '  ' };
		const prepared = prepareRows([{ json: complete }, { json: partial }], 'auto', INVENTORY);
		expect(prepared.invalid).toEqual([]);
		expect(rowsOf(prepared).map((row) => Object.entries(row))).toEqual([
			[
				['workspaceCode', 'EU'],
				['location', 'WH1'],
				['code', 'A'],
				['description', 'Oats'],
				['supplier', 'Mill'],
				['stock', 5],
				['cost', 1.5],
				['price', 2],
				['leadTime', 7],
				['minOrderQty', 12],
			],
			[
				['workspaceCode', 'EU'],
				['location', 'WH1'],
				['code', 'B'],
				['stock', 5],
				['cost', 1.5],
				['leadTime', 7],
				['minOrderQty', 12],
			],
		]);
	});

	it('pass-through columns follow the wire fields, on complete and incomplete rows', () => {
		const base = {
			Workspace: 'EU',
			Location: 'WH1',
			Description: 'Oats',
			Supplier: 'Mill',
			'On Hand': 5,
			'Unit Cost': 1,
			'Unit Price': 2,
			'Lead Time': 7,
			MOQ: 1,
			Colour: 'red',
		};
		const prepared = prepareRows(
			[{ json: { ...base, SKU: 'A' } }, { json: { ...base, SKU: 'B', MOQ: '' } }],
			'auto',
			{ ...INVENTORY, includeOtherColumns: true },
		);
		const wireFields = [
			'workspaceCode',
			'location',
			'code',
			'description',
			'supplier',
			'stock',
			'cost',
			'price',
			'leadTime',
			'minOrderQty',
		];
		expect(Object.keys(rowsOf(prepared)[0])).toEqual([...wireFields, 'Colour']);
		// The empty MOQ is left out, not sent as an empty field.
		expect(Object.keys(rowsOf(prepared)[1])).toEqual([
			...wireFields.filter((field) => field !== 'minOrderQty'),
			'Colour',
		]);
	});

	it('an invalid row is reported with the raw value, complete or not', () => {
		const prepared = prepareRows(
			[
				{ json: { Warehouse: 'WH1', SKU: 'A', Date: '2026-02-30', Qty: '1' } },
				{ json: { Warehouse: 'WH1', SKU: 'A', Date: '2026-02-28', Qty: 'many' } },
				{ json: { Warehouse: 'WH1', SKU: '', Date: '2026-02-28', Qty: '1' } },
			],
			'auto',
			{ ...INVENTORY, resource: 'historicalDemand', duplicates: 'sum' },
		);
		expect(rowsOf(prepared)).toEqual([]);
		expect(
			prepared.invalid.map(({ row, errors }) => [row, errors.map((e) => [e.field, e.value])]),
		).toEqual([
			[0, [['date', '2026-02-30']]],
			[1, [['quantity', 'many']]],
			[2, [['code', undefined]]],
		]);
	});

	it("reads only the item's own columns: names like constructor or __proto__ are empty unless the item has them", () => {
		const sources = {
			location: { column: 'constructor' },
			code: { column: 'toString' },
			date: { column: '__proto__' },
			quantity: { column: 'Qty' },
		};
		const inherited = prepareRows([{ json: { Qty: 1 } }], sources, {
			...INVENTORY,
			resource: 'historicalDemand',
			duplicates: 'sum',
		});
		expect(inherited.invalid[0].errors.map((e) => [e.field, e.reason])).toEqual([
			['location', 'required, but empty or not mapped'],
			['code', 'required, but empty or not mapped'],
			['date', 'required, but empty or not mapped'],
		]);
		const own = JSON.parse(
			'{"constructor": "WH1", "toString": "A", "__proto__": "2026-01-05", "Qty": 2}',
		);
		const prepared = prepareRows([{ json: own }], sources, {
			...INVENTORY,
			resource: 'historicalDemand',
			duplicates: 'sum',
		});
		expect(rowsOf(prepared)).toEqual([
			{ workspaceCode: 'MAIN', location: 'WH1', code: 'A', date: '2026-01-05', quantity: 2 },
		]);
	});
});
