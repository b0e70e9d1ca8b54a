import { useSandbox } from '../hooks';
import { demandParameters, inventoryParameters, ORG, runPaqtana } from '../support';

const sandbox = useSandbox();

/** A sales export as it comes out of a European ERP via a spreadsheet: aliases, padding, serials, commas. */
const salesExport = [
	/* 0 */ {
		'Site Code': ' STORE-1 ',
		'Item No.': 'A-100',
		'Sales Date': '27/11/2026',
		'Units Sold': '1.234,5',
	},
	/* 1 */ {
		'Site Code': 'STORE-1',
		'Item No.': 'A-100',
		'Sales Date': '27/11/2026',
		'Units Sold': '0,5',
	}, // same day and item: summed
	/* 2 */ { 'Site Code': 'STORE-1', 'Item No.': 'A-100', 'Sales Date': 46352, 'Units Sold': 3 }, // Excel serial for 2026-11-26
	/* 3 */ {
		'Site Code': 'STORE-2',
		'Item No.': 10023,
		'Sales Date': '2026-11-27T23:59:00-08:00',
		'Units Sold': ' 7 ',
	}, // numeric SKU, date-time kept as written
	/* 4 */ { 'Site Code': '', 'Item No.': '', 'Sales Date': '', 'Units Sold': '' }, // a blank spreadsheet line
	/* 5 */ {
		'Site Code': 'STORE-2',
		'Item No.': 'B-7',
		'Sales Date': '31/02/2026',
		'Units Sold': '2',
	}, // impossible date
	/* 6 */ {
		'Site Code': 'STORE-2',
		'Item No.': 'B-7',
		'Sales Date': '01/12/2026',
		'Units Sold': 'n/a',
	}, // text quantity
	/* 7 */ {
		'Site Code': 'STORE-2',
		'Item No.': 'B-7',
		'Sales Date': '01.12.2026',
		'Units Sold': '2 500',
	}, // dotted date, spaced thousands
	/* 8 */ { 'Site Code': 'STORE-2', 'Item No.': 'B-7', 'Sales Date': 60, 'Units Sold': '1' }, // Excel's fake 1900-02-29
	/* 9 */ {
		'Site Code': 'STORE-3',
		'Item No.': 'C-1',
		'Sales Date': '2026-11-27',
		'Units Sold': '1,5',
		Workspace: ' SOUTH ',
	},
];

const messyOptions = { dateOrder: 'dayFirst', decimalSeparator: ',', onInvalidRows: 'route' };

describe('messy spreadsheet data in, correct Paqtana data out', () => {
	it('normalises aliases, dates, numbers and duplicates, and routes exactly the invalid rows', async () => {
		const result = await runPaqtana(sandbox, {
			parameters: demandParameters(messyOptions),
			input: salesExport,
		});
		expect(result.error).toBeUndefined();
		expect(sandbox.demand(ORG)).toEqual([
			{
				workspaceCode: 'MAIN',
				location: 'STORE-1',
				code: 'A-100',
				date: '2026-11-26',
				quantity: 3,
			},
			{
				workspaceCode: 'MAIN',
				location: 'STORE-1',
				code: 'A-100',
				date: '2026-11-27',
				quantity: 1235,
			},
			{
				workspaceCode: 'MAIN',
				location: 'STORE-2',
				code: '10023',
				date: '2026-11-27',
				quantity: 7,
			},
			// STORE-2 / B-7 on 2026-12-01 is withheld: row 6 of that day is invalid, so row 7 alone would be
			// a partial total.
			{
				workspaceCode: 'SOUTH',
				location: 'STORE-3',
				code: 'C-1',
				date: '2026-11-27',
				quantity: 1.5,
			},
		]);

		const [success, invalid] = result.outputs;
		expect(success).toHaveLength(1);
		expect(success[0].json.rows).toBe(4);
		// The summed row carries both of its input items.
		expect((success[0].pairedItem as Array<{ item: number }>).map((p) => p.item).sort()).toEqual([
			0, 1, 2, 3, 9,
		]);

		expect(
			invalid.map((item) => ({
				row: item.json.row,
				fields: item.json.fields,
				paired: item.pairedItem,
			})),
		).toEqual([
			{ row: 4, fields: ['location', 'code', 'date', 'quantity'], paired: { item: 4 } },
			{ row: 5, fields: ['date'], paired: { item: 5 } },
			{ row: 6, fields: ['quantity'], paired: { item: 6 } },
			{ row: 7, fields: ['row'], paired: { item: 7 } },
			{ row: 8, fields: ['date'], paired: { item: 8 } },
		]);
		const reasons = Object.fromEntries(
			invalid.map((item) => [item.json.row as number, item.json.message]),
		);
		expect(reasons[4]).toBe(
			'location: required, but empty or not mapped; code: required, but empty or not mapped; date: required, but empty or not mapped; quantity: required, but empty or not mapped',
		);
		expect(reasons[5]).toBe('date: "31/02/2026" is not a real calendar day');
		expect(reasons[6]).toBe('quantity: "n/a" is not a number (decimal separator ",")');
		expect(reasons[8]).toMatch(/^date: Excel serial 60 is 1900-02-29, a day that does not exist/);
		expect(invalid[1].json.input).toEqual(salesExport[5]);
		expect(invalid[1].json.errors).toEqual([
			{ field: 'date', value: '31/02/2026', reason: '"31/02/2026" is not a real calendar day' },
		]);
	});

	it('applies Keep Last and Error duplicate policies', async () => {
		const lines = [
			{ Store: 'S1', SKU: 'A', Day: '2026-11-01', Qty: 1 },
			{ Store: 'S1', SKU: 'A', Day: '2026-11-01', Qty: 4 },
		];
		await runPaqtana(sandbox, {
			parameters: demandParameters({ duplicates: 'keepLast' }),
			input: lines,
		});
		expect(sandbox.demand(ORG).map((row) => row.quantity)).toEqual([4]);

		sandbox.reset();
		const result = await runPaqtana(sandbox, {
			parameters: demandParameters({ duplicates: 'error' }),
			input: lines,
		});
		expect(result.error?.message).toBe(
			'Rows 0 and 1 have the same key (workspaceCode "MAIN", location "S1", code "A", date "2026-11-01") and "Duplicate Rows" is set to Error; nothing was sent',
		);
		expect(sandbox.requests()).toHaveLength(0);
	});

	it('refuses duplicate inventory items by default', async () => {
		const result = await runPaqtana(sandbox, {
			parameters: inventoryParameters(),
			input: [
				{ Site: 'S1', Item: 'A', Stock: 1 },
				{ Site: 'S1', Item: 'B', Stock: 1 },
				{ Site: 'S1', Item: 'A', Stock: 2 },
			],
		});
		expect(result.error?.message).toMatch(/^Rows 0 and 2 have the same key/);
		expect(sandbox.requests()).toHaveLength(0);
	});

	it('replaces the master inventory without routed invalid rows, as the option says', async () => {
		const result = await runPaqtana(sandbox, {
			parameters: inventoryParameters({ onInvalidRows: 'route' }),
			input: [
				{ Site: 'S1', Item: 'A', Stock: '5' },
				{ Site: 'S1', Item: 'B', Stock: 'five' },
			],
		});
		expect(sandbox.inventory(ORG)).toEqual([
			{ workspaceCode: 'MAIN', location: 'S1', code: 'A', stock: 5 },
		]);
		expect(result.outputs[1].map((item) => item.json.row)).toEqual([1]);
	});
});

describe('dry run', () => {
	it('validates, deduplicates and batches, outputs what would be sent, and sends nothing', async () => {
		const lines = Array.from({ length: 120 }, (_, i) => ({
			Store: 'S1',
			SKU: `SKU-${i % 60}`,
			Day: '2026-11-01',
			Qty: '1',
		}));
		const result = await runPaqtana(sandbox, {
			parameters: demandParameters({
				dryRun: true,
				maxBodyBytes: 2048,
				calculateOrderSuggestions: true,
				onInvalidRows: 'route',
			}),
			input: [...lines, { Store: 'S1', SKU: 'X', Day: 'never', Qty: 1 }],
		});
		expect(result.error).toBeUndefined();
		expect(sandbox.requests()).toEqual([]);
		const [batches, invalid] = result.outputs;
		expect(batches.length).toBeGreaterThan(1);
		expect(batches.reduce((sum, item) => sum + (item.json.rows as number), 0)).toBe(60);
		for (const item of batches) {
			expect(item.json.dryRun).toBe(true);
			expect(item.json.bytes).toBeLessThanOrEqual(2048);
			expect((item.json.sample as unknown[]).length).toBeGreaterThan(0);
		}
		expect(batches[0].json.sample).toEqual([
			{ workspaceCode: 'MAIN', location: 'S1', code: 'SKU-0', date: '2026-11-01', quantity: 2 },
			{ workspaceCode: 'MAIN', location: 'S1', code: 'SKU-1', date: '2026-11-01', quantity: 2 },
			{ workspaceCode: 'MAIN', location: 'S1', code: 'SKU-2', date: '2026-11-01', quantity: 2 },
		]);
		expect(batches.map((item) => item.json.autoCalculate)).toEqual([
			...Array(batches.length - 1).fill(false),
			true,
		]);
		expect(invalid.map((item) => item.json.row)).toEqual([120]);
		expect(result.hints[0].message).toMatch(
			/^Dry run: 121 input rows → 60 rows \(60 merged duplicates, 1 invalid\) would be sent in \d+ requests .*nothing was sent/,
		);
	});

	it('dry-runs a master inventory replace without touching the wipe-guard baseline', async () => {
		const result = await runPaqtana(sandbox, {
			parameters: inventoryParameters({ dryRun: true }),
			input: [{ Site: 'S1', Item: 'A' }],
		});
		expect(result.outputs[0][0].json).toMatchObject({ dryRun: true, rows: 1, batches: 1 });
		expect(result.staticData).toEqual({});
		expect(sandbox.requests()).toEqual([]);
	});
});

describe('numeric options set by expression', () => {
	it('falls back to the default drop limit when "Max Row Drop %" is not a number', async () => {
		const rows = (count: number) =>
			Array.from({ length: count }, (_, i) => ({ Site: 'S1', Item: `SKU-${i}` }));
		const first = await runPaqtana(sandbox, {
			parameters: inventoryParameters(),
			input: rows(100),
		});
		const dropped = await runPaqtana(sandbox, {
			parameters: inventoryParameters({ maxRowDropPercent: 'lots' }),
			input: rows(40),
			staticData: first.staticData,
		});
		expect(dropped.error?.message).toMatch(/a drop of 60% \(more than the allowed 50%:/);
		expect(sandbox.inventory(ORG)).toHaveLength(100);
	});

	it('keeps "Max Request Size" within 1,024 bytes and the 32 MB default', async () => {
		const lines = Array.from({ length: 60 }, (_, i) => ({
			Store: 'S1',
			SKU: `SKU-${i}`,
			Day: '2026-11-01',
			Qty: 1,
		}));
		const tiny = await runPaqtana(sandbox, {
			parameters: demandParameters({ maxBodyBytes: 100 }),
			input: lines,
		});
		expect(tiny.error).toBeUndefined();
		const sizes = sandbox.requests().map((r) => r.bodyBytes);
		expect(sizes.length).toBeGreaterThan(1);
		for (const size of sizes) expect(size).toBeLessThanOrEqual(1024);
		expect(sandbox.demand(ORG)).toHaveLength(60);

		sandbox.reset();
		const notANumber = await runPaqtana(sandbox, {
			parameters: demandParameters({ maxBodyBytes: 'big' }),
			input: lines,
		});
		expect(notANumber.error).toBeUndefined();
		expect(sandbox.requests()).toHaveLength(1);
	});
});
