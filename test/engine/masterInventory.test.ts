import { useSandbox } from '../hooks';
import { inventoryParameters, ORG, runPaqtana } from '../support';

const sandbox = useSandbox();

const item = (
	warehouse: string,
	sku: string,
	onHand: number | string,
	extra: Record<string, unknown> = {},
) => ({
	Warehouse: warehouse,
	SKU: sku,
	Description: `Item ${sku}`,
	'On Hand': onHand,
	...extra,
});

describe('Master Inventory → Replace All, through n8n’s engine into the sandbox', () => {
	it('sends all items in one PUT, and a second run really replaces (rows absent from it are gone)', async () => {
		const first = await runPaqtana(sandbox, {
			parameters: inventoryParameters(),
			input: [item('WH1', 'A', 10), item('WH1', 'B', 3), item('WH2', 'A', 0)],
		});
		expect(first.error).toBeUndefined();
		expect(sandbox.inventory(ORG)).toHaveLength(3);

		const second = await runPaqtana(sandbox, {
			parameters: inventoryParameters(),
			input: [item('WH1', 'A', 12), item('WH2', 'C', 5)],
			staticData: first.staticData,
		});
		expect(second.error).toBeUndefined();
		expect(sandbox.inventory(ORG)).toEqual([
			{ workspaceCode: 'MAIN', location: 'WH1', code: 'A', description: 'Item A', stock: 12 },
			{ workspaceCode: 'MAIN', location: 'WH2', code: 'C', description: 'Item C', stock: 5 },
		]);
		const requests = sandbox.requests();
		expect(requests.map((r) => [r.method, r.path])).toEqual([
			['PUT', `/v2/org/${encodeURIComponent(ORG)}/master_inventory`],
			['PUT', `/v2/org/${encodeURIComponent(ORG)}/master_inventory`],
		]);
		const [success, invalid] = second.outputs;
		expect(invalid).toEqual([]);
		expect(success).toHaveLength(1);
		expect(success[0].json).toMatchObject({
			resource: 'masterInventory',
			operation: 'replace',
			batch: 1,
			batches: 1,
			rows: 2,
			status: 200,
			attempts: 1,
		});
		expect(success[0].json.bytes).toBe(requests[1].bodyBytes);
		expect(success[0].pairedItem).toEqual([{ item: 0 }, { item: 1 }]);
	});

	it('refuses a payload over the byte limit with a clear error and sends nothing', async () => {
		const rows = Array.from({ length: 200 }, (_, i) => item('WH1', `SKU-${i}`, i));
		const result = await runPaqtana(sandbox, {
			parameters: inventoryParameters({ maxBodyBytes: 2048 }),
			input: rows,
		});
		expect(result.error?.message).toMatch(
			/master inventory is .* over the .* request limit; nothing was sent/,
		);
		expect(result.error?.description).toMatch(/cannot be split/);
		expect(sandbox.requests()).toHaveLength(0);
		expect(sandbox.inventory(ORG)).toEqual([]);
	});

	it('passes other columns through unchanged only when asked', async () => {
		await runPaqtana(sandbox, {
			parameters: inventoryParameters({ includeOtherColumns: true }),
			input: [item('WH1', 'A', 1, { Category: 'Snacks', Shelf: 4 })],
		});
		expect(sandbox.inventory(ORG)).toEqual([
			{
				workspaceCode: 'MAIN',
				location: 'WH1',
				code: 'A',
				description: 'Item A',
				stock: 1,
				Category: 'Snacks',
				Shelf: 4,
			},
		]);
	});

	it('maps fields by hand and by expression', async () => {
		const result = await runPaqtana(sandbox, {
			parameters: inventoryParameters(
				{},
				{
					columns: {
						mappingMode: 'defineBelow',
						value: {
							workspaceCode: 'EAST',
							location: '={{ $json["Store No"] }}',
							code: '={{ $json.item.toUpperCase() }}',
							cost: '={{ $json.cents / 100 }}',
						},
						matchingColumns: [],
						schema: [],
					},
				},
			),
			input: [
				{ 'Store No': 'S-1', item: 'abc', cents: 250 },
				{ 'Store No': 'S-2', item: 'xyz', cents: 99 },
			],
		});
		expect(result.error).toBeUndefined();
		expect(sandbox.inventory(ORG)).toEqual([
			{ workspaceCode: 'EAST', location: 'S-1', code: 'ABC', cost: 2.5 },
			{ workspaceCode: 'EAST', location: 'S-2', code: 'XYZ', cost: 0.99 },
		]);
	});
});
