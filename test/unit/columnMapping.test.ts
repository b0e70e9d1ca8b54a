import {
	autoMapColumns,
	fieldSourceFromMapping,
	normaliseColumnName,
} from '../../nodes/Paqtana/helpers/columnMapping';
import { DEMAND_FIELDS, INVENTORY_FIELDS } from '../../nodes/Paqtana/helpers/wireFormat';
import { getMappingColumns } from '../../nodes/Paqtana/methods/resourceMapping';

describe('auto-mapping matches column names ignoring case and punctuation, with aliases', () => {
	it('normalises names', () => {
		expect(normaliseColumnName('Item Code')).toBe('itemcode');
		expect(normaliseColumnName(' ITEM_code ')).toBe('itemcode');
		expect(normaliseColumnName('Lead Time (days)')).toBe('leadtimedays');
		expect(normaliseColumnName('Menge/Stück')).toBe('mengestück');
	});

	it.each([
		[
			['SKU', 'Warehouse', 'Qty', 'Day'],
			{ code: 'SKU', location: 'Warehouse', quantity: 'Qty', date: 'Day' },
		],
		[
			['Item', 'Store', 'Units', 'Date'],
			{ code: 'Item', location: 'Store', quantity: 'Units', date: 'Date' },
		],
		[
			['item_code', 'site', 'Sales', 'Sales Date', 'workspace'],
			{
				code: 'item_code',
				location: 'site',
				quantity: 'Sales',
				date: 'Sales Date',
				workspaceCode: 'workspace',
			},
		],
		[
			['Product', 'Location Code', 'Quantity', 'DATE'],
			{ code: 'Product', location: 'Location Code', quantity: 'Quantity', date: 'DATE' },
		],
		[
			['code', 'SKU', 'location', 'quantity', 'Demand', 'date'],
			{ code: 'code', location: 'location', quantity: 'quantity', date: 'date' },
		],
	])('demand columns %j', (columns, expected) => {
		expect(Object.fromEntries(autoMapColumns(columns, DEMAND_FIELDS).columns)).toEqual(expected);
	});

	it('maps inventory columns, each column to one field only', () => {
		const columns = [
			'Workspace',
			'Warehouse',
			'SKU',
			'Item Description',
			'Vendor',
			'On Hand',
			'Unit Cost',
			'Unit Price',
			'Lead Time (days)',
			'MOQ',
			'Colour',
		];
		expect(Object.fromEntries(autoMapColumns(columns, INVENTORY_FIELDS).columns)).toEqual({
			workspaceCode: 'Workspace',
			location: 'Warehouse',
			code: 'SKU',
			description: 'Item Description',
			supplier: 'Vendor',
			stock: 'On Hand',
			cost: 'Unit Cost',
			price: 'Unit Price',
			leadTime: 'Lead Time (days)',
			minOrderQty: 'MOQ',
		});
	});

	it('never maps prototype keys', () => {
		expect(autoMapColumns(['__proto__', 'constructor'], DEMAND_FIELDS).columns.size).toBe(0);
	});
});

describe('hand-mapped fields', () => {
	it('reads simple $json column expressions without n8n evaluating them per item', () => {
		expect(fieldSourceFromMapping('={{ $json.SKU }}')).toEqual({ column: 'SKU' });
		expect(fieldSourceFromMapping('={{ $json["Item No."] }}')).toEqual({ column: 'Item No.' });
		expect(fieldSourceFromMapping("={{$json['Sales Date']}}")).toEqual({ column: 'Sales Date' });
		expect(fieldSourceFromMapping('={{ $json.SKU.trim() }}')).toEqual({ evaluate: true });
		expect(fieldSourceFromMapping('={{ $("Other").item.json.x }}')).toEqual({ evaluate: true });
		expect(fieldSourceFromMapping('MAIN')).toEqual({ value: 'MAIN' });
		expect(fieldSourceFromMapping(5)).toEqual({ value: 5 });
		expect(fieldSourceFromMapping('')).toBeUndefined();
		expect(fieldSourceFromMapping(null)).toBeUndefined();
	});
});

describe('the editor’s field mapper', () => {
	const columns = async (resource: string) =>
		getMappingColumns.call({ getNodeParameter: () => resource } as never);

	it('lists the Paqtana fields with their types and which are required', async () => {
		const demand = await columns('historicalDemand');
		expect(demand.fields.map((f) => [f.id, f.type, f.required])).toEqual([
			['workspaceCode', 'string', false],
			['location', 'string', true],
			['code', 'string', true],
			['date', 'dateTime', true],
			['quantity', 'number', true],
		]);
		const inventory = await columns('masterInventory');
		expect(inventory.fields.map((f) => f.id)).toEqual(INVENTORY_FIELDS.map((f) => f.id));
		expect(inventory.fields.find((f) => f.id === 'stock')).toMatchObject({
			type: 'number',
			required: false,
			displayName: 'Stock (stock)',
		});
	});
});
