import { useSandbox } from '../hooks';
import { demandParameters, demandRow, inventoryParameters, runPaqtana } from '../support';

const sandbox = useSandbox();

const valid = demandRow('2026-11-01', 'A', 1);

describe('every row is validated before anything is sent; errors name the row, the field and the reason', () => {
	it.each([
		[
			'a missing item code',
			{ Warehouse: 'WH1', Date: '2026-11-01', Qty: 1 },
			'code',
			/required, but empty or not mapped/,
		],
		[
			'an empty location',
			{ Warehouse: '   ', SKU: 'A', Date: '2026-11-01', Qty: 1 },
			'location',
			/required, but empty or not mapped/,
		],
		['text as quantity', { ...valid, Qty: 'lots' }, 'quantity', /"lots" is not a number/],
		// n8n items are JSON: a NaN produced upstream arrives as null.
		['NaN as quantity', { ...valid, Qty: Number.NaN }, 'quantity', /required, but empty/],
		['Infinity as quantity', { ...valid, Qty: 'Infinity' }, 'quantity', /not a number/],
		[
			'a missing quantity',
			{ Warehouse: 'WH1', SKU: 'A', Date: '2026-11-01' },
			'quantity',
			/required, but empty or not mapped/,
		],
		['an impossible date', { ...valid, Date: '2026-02-31' }, 'date', /not a real calendar day/],
		[
			'a missing date',
			{ Warehouse: 'WH1', SKU: 'A', Qty: 1 },
			'date',
			/required, but empty or not mapped/,
		],
		['an object as item code', { ...valid, SKU: { id: 1 } }, 'code', /code: an object is not text/],
		[
			'a 300-character location',
			{ ...valid, Warehouse: 'W'.repeat(300) },
			'location',
			/at most 255 characters/,
		],
	])('%s', async (_name, bad, field, reason) => {
		const result = await runPaqtana(sandbox, {
			parameters: demandParameters(),
			input: [valid, demandRow('2026-11-02', 'A', 1), bad],
		});
		expect(result.error?.message).toMatch(/^1 invalid row, nothing was sent\. First: Row 2: /);
		expect(result.error?.message).toContain(field);
		expect(result.error?.message).toMatch(reason);
		expect(sandbox.requests()).toHaveLength(0);
	});

	it('lists several invalid rows, each by index and field', async () => {
		const result = await runPaqtana(sandbox, {
			parameters: demandParameters(),
			input: [{ ...valid, Qty: 'x' }, valid, { ...valid, Date: 'soon', SKU: '' }],
		});
		expect(result.error?.message).toMatch(/^2 invalid rows, nothing was sent/);
		expect(result.error?.description).toMatch(
			/Row 0: quantity: "x" is not a number \(decimal separator "\."\)/,
		);
		expect(result.error?.description).toMatch(
			/Row 2: code: required, but empty or not mapped; date: "soon" is not a date/,
		);
		expect(sandbox.requests()).toHaveLength(0);
	});

	it('uses the node-level Workspace Code only for rows without one', async () => {
		await runPaqtana(sandbox, {
			parameters: demandParameters(),
			input: [valid, { ...demandRow('2026-11-01', 'B', 2), Workspace: 'NORTH' }],
		});
		expect(sandbox.requests()).toHaveLength(1);
		const result = await runPaqtana(sandbox, {
			parameters: demandParameters({}, { workspaceCode: '' }),
			input: [valid],
		});
		// No workspace column and no Workspace Code: a setup error named before any row is read.
		expect(result.error?.message).toBe(
			'No input column fills the required Paqtana field "workspaceCode"; nothing was sent',
		);
		expect(result.error?.description).toMatch(/Columns seen: Warehouse, SKU, Date, Qty\./);
		expect(result.error?.description).toMatch(/"Workspace Code" parameter/);
	});

	it('refuses master inventory with invalid rows as a whole: nothing is sent', async () => {
		const result = await runPaqtana(sandbox, {
			parameters: inventoryParameters(),
			input: [
				{ Warehouse: 'WH1', SKU: 'A', 'On Hand': 3 },
				{ Warehouse: 'WH1', SKU: 'B', 'On Hand': 'three' },
			],
		});
		expect(result.error?.message).toMatch(/Row 1: stock: "three" is not a number/);
		expect(sandbox.requests()).toHaveLength(0);
	});
});

describe('a saved resource/operation pair the node does not have', () => {
	it('stops with an error naming the pair and what is supported, and sends nothing', async () => {
		const result = await runPaqtana(sandbox, {
			parameters: { ...demandParameters(), operation: 'delete' },
			input: [valid],
		});
		expect(result.error?.message).toMatch(
			/no operation "delete" for the resource "historicalDemand"/,
		);
		expect(result.error?.description).toMatch(/historicalDemand\/upsert/);
		expect(sandbox.requests()).toHaveLength(0);
	});
});
