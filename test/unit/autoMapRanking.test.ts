/**
 * When several columns match one field, auto-mapping takes the most specific name whatever the
 * column order, and says which columns lost (issue 10.5).
 */
import { autoMapColumns } from '../../nodes/Paqtana/helpers/columnMapping';
import { DEMAND_FIELDS, INVENTORY_FIELDS } from '../../nodes/Paqtana/helpers/wireFormat';

/** Every order of `columns`. */
function orders(columns: string[]): string[][] {
	if (columns.length <= 1) return [columns];
	return columns.flatMap((first, index) =>
		orders(columns.filter((_, other) => other !== index)).map((rest) => [first, ...rest]),
	);
}

describe.each([
	['demand quantity', DEMAND_FIELDS, ['Sales', 'Units Sold', 'Units'], 'quantity', 'Units Sold'],
	['demand quantity', DEMAND_FIELDS, ['Demand', 'Qty', 'Sales'], 'quantity', 'Qty'],
	['demand quantity', DEMAND_FIELDS, ['Quantity', 'Qty'], 'quantity', 'Quantity'],
	['item code', DEMAND_FIELDS, ['Item', 'Item No.', 'Article'], 'code', 'Item No.'],
	['item code', INVENTORY_FIELDS, ['Product', 'Product Code'], 'code', 'Product Code'],
	['item code', INVENTORY_FIELDS, ['Product', 'SKU', 'Item Code'], 'code', 'Item Code'],
	['location', DEMAND_FIELDS, ['Site', 'Warehouse', 'Location Code'], 'location', 'Location Code'],
	['demand date', DEMAND_FIELDS, ['Day', 'Posting Date'], 'date', 'Posting Date'],
])('%s among %#', (_what, fields, columns, field, winner) => {
	it.each(orders(columns).map((order) => [order.join(' | '), order]))(
		`"${winner}" wins in the order %s; the others are passed over`,
		(_order, order) => {
			const mapping = autoMapColumns(order as string[], fields);
			expect(mapping.columns.get(field)).toBe(winner);
			expect([...(mapping.passedOver.get(field) ?? [])].sort()).toEqual(
				columns.filter((column) => column !== winner).sort(),
			);
		},
	);
});
