/**
 * Issue 11 (clear in the editor), the points an engine run can show: no green run that sent nothing
 * (11.1), the mapping explained (11.2), hints that add up (11.3), invalid rows one per line
 * (11.4) and inventory showing only what applies to it (11.8). Runs go through n8n's engine into
 * the sandbox.
 */
import { type INodeProperties, Workflow } from 'n8n-workflow';

import { Paqtana } from '../../nodes/Paqtana/Paqtana.node';
import { HarnessNodeTypes } from '../harness/node-types';
import { useSandbox } from '../hooks';
import {
	demandParameters,
	demandRow,
	inventoryParameters,
	ORG,
	paqtanaNode,
	runPaqtana,
} from '../support';

const sandbox = useSandbox();

const SEND_VALID_ROWS = { onInvalidRows: 'route' };
const { properties } = new Paqtana().description;

/** The hint's "(… B)" for what the sandbox received, as the node formats sizes under 1 kB. */
function sentBytes(): string {
	const [request] = sandbox.requests();
	expect(request.bodyBytes).toBeLessThan(1000);
	return `${request.bodyBytes} B`;
}

describe('11.1 a run that sends nothing is not green', () => {
	const erpExport = [
		{ 'Item No.': '10023', Site: 'STORE-1', 'Posting Date': '2026-11-27', Amount: 3 },
		{ 'Item No.': '10024', Site: 'STORE-1', 'Posting Date': '2026-11-27', Amount: 5 },
	];

	it.each([
		['Send Valid Rows', SEND_VALID_ROWS],
		['Stop', {}],
	])(
		'no column for quantity (%s): a setup error naming field, columns seen, names recognised',
		async (_mode, options) => {
			const result = await runPaqtana(sandbox, {
				parameters: demandParameters(options),
				input: erpExport,
			});
			expect(result.error?.message).toBe(
				'No input column fills the required Paqtana field "quantity"; nothing was sent',
			);
			const description = result.error?.description ?? '';
			expect(description.split('\n').slice(0, 2)).toEqual([
				'Columns seen: Item No., Site, Posting Date, Amount.',
				'Recognised for quantity: Quantity, Qty, Units Sold, Quantity Sold, Qty Sold, Sold Qty, ' +
					'Sales Qty, Sales Quantity, Demand Qty, Demand Quantity, Units, Demand, Sales ' +
					'(case, spaces and punctuation do not matter).',
			]);
			expect(result.error?.context?.itemIndex).toBeUndefined();
			expect(result.outputs).toEqual([]);
			expect(sandbox.requests()).toEqual([]);
		},
	);

	it('input without one valid row under Send Valid Rows is an error, not success', async () => {
		const result = await runPaqtana(sandbox, {
			parameters: demandParameters(SEND_VALID_ROWS),
			input: [
				demandRow('2026-11-27', '', 1),
				demandRow('not a day', 'A-1', 1),
				{ ...demandRow('2026-11-27', 'B-2', 1), Qty: 'n/a' },
			],
		});
		expect(result.error?.message).toBe('None of the 3 input rows is valid; nothing was sent');
		expect(result.outputs).toEqual([]);
		expect(sandbox.requests()).toEqual([]);
	});
});

describe('11.2 what Map Automatically did is said', () => {
	it('each operation shows its own notice next to n8n\'s about "Map Automatically"', () => {
		for (const resource of ['masterInventory', 'historicalDemand']) {
			const notices = properties.filter(
				(property) =>
					property.type === 'notice' &&
					property.displayOptions?.show?.resource?.includes(resource) === true,
			);
			expect(notices).toHaveLength(1);
			expect(notices[0].displayName).toMatch(/^With Map Automatically/);
			expect(notices[0].displayName).toMatch(/ignoring case, spaces and punctuation/);
			expect(notices[0].displayName).toMatch(/Item No\. or SKU → Item Code/);
			expect(notices[0].displayName).toMatch(/README under "Column names"/);
		}
	});

	it('after a demand run, the hint and the Success item give the mapping used', async () => {
		const result = await runPaqtana(sandbox, {
			parameters: demandParameters(),
			input: [{ 'Item No.': '10023', Site: 'STORE-1', 'Posting Date': '2026-11-27', Qty: 3 }],
		});
		expect(result.error).toBeUndefined();
		expect(sandbox.demand(ORG)).toEqual([
			{
				workspaceCode: 'MAIN',
				location: 'STORE-1',
				code: '10023',
				date: '2026-11-27',
				quantity: 3,
			},
		]);
		const mapping = 'Site → location, Item No. → code, Posting Date → date, Qty → quantity';
		expect(result.outputs[0][0].json).toMatchObject({ mapping, ignoredColumns: [], warnings: [] });
		expect(result.hints.map((hint) => hint.message)).toEqual([
			`1 input row → 1 row stored in 1 request (${sentBytes()})`,
			`Mapping: ${mapping}`,
		]);
	});

	it('after an inventory run, the columns not used ("Colour") are listed', async () => {
		const result = await runPaqtana(sandbox, {
			parameters: inventoryParameters(),
			input: [{ 'Item No.': '10023', Site: 'STORE-1', 'On Hand': 4, Colour: 'red' }],
		});
		expect(result.error).toBeUndefined();
		expect(sandbox.inventory(ORG)).toEqual([
			{ workspaceCode: 'MAIN', location: 'STORE-1', code: '10023', stock: 4 },
		]);
		const mapping = 'Site → location, Item No. → code, On Hand → stock';
		expect(result.outputs[0][0].json).toMatchObject({ mapping, ignoredColumns: ['Colour'] });
		expect(result.hints.map((hint) => hint.message)).toContain(
			`Mapping: ${mapping}. Columns not used: Colour`,
		);
	});
});

describe('11.3 hints and counts that add up', () => {
	it('8 input rows → 3 rows (1 merged duplicate, 4 invalid) stored in 1 request', async () => {
		const result = await runPaqtana(sandbox, {
			parameters: demandParameters(SEND_VALID_ROWS),
			input: [
				/* 0 */ demandRow('2026-11-27', 'A-1', 1),
				/* 1 */ demandRow('2026-11-27', 'A-1', 2), // merged into row 0
				/* 2 */ demandRow('2026-11-27', 'B-2', 3),
				/* 3 */ demandRow('2026-11-27', 'C-3', 4),
				/* 4 */ demandRow('2026-11-27', '', 1),
				/* 5 */ demandRow('not a day', 'D-4', 1),
				/* 6 */ { ...demandRow('2026-11-27', 'E-5', 1), Qty: 'n/a' },
				/* 7 */ demandRow('2026-11-27', 'F-6', 1, ''),
			],
		});
		expect(result.error).toBeUndefined();
		expect(sandbox.demand(ORG).map((row) => [row.code, row.quantity])).toEqual([
			['A-1', 3],
			['B-2', 3],
			['C-3', 4],
		]);
		expect(result.outputs[1].map((item) => item.json.row)).toEqual([4, 5, 6, 7]);
		expect(result.hints[0].message).toBe(
			`8 input rows → 3 rows (1 merged duplicate, 4 invalid) stored in 1 request (${sentBytes()})`,
		);
		expect(result.outputs[0][0].json).toMatchObject({
			inputRows: 8,
			rows: 3,
			duplicatesMerged: 1,
			invalidRows: 4,
		});
	});

	it('counts over a thousand have thousands separators', async () => {
		const input = Array.from({ length: 2500 }, (_, index) =>
			index < 1000
				? { ...demandRow('2026-11-27', `X-${index}`, 0), Qty: 'n/a' }
				: demandRow('2026-11-27', `S-${index % 300}`, 1),
		);
		const result = await runPaqtana(sandbox, {
			parameters: demandParameters(SEND_VALID_ROWS),
			input,
		});
		expect(result.error).toBeUndefined();
		expect(sandbox.demand(ORG)).toHaveLength(300);
		expect(result.hints[0].message).toMatch(
			new RegExp(
				'^2,500 input rows → 300 rows \\(1,200 merged duplicates, 1,000 invalid\\) ' +
					'stored in 1 request \\(\\d+\\.\\d kB\\)$',
			),
		);
	});

	it.each([
		[
			'one merged duplicate',
			[demandRow('2026-11-27', 'A-1', 1), demandRow('2026-11-27', 'A-1', 2)],
			'2 input rows → 1 row (1 merged duplicate) stored in 1 request',
		],
		[
			'one invalid row',
			[demandRow('2026-11-27', 'A-1', 1), demandRow('2026-11-27', '', 2)],
			'2 input rows → 1 row (1 invalid) stored in 1 request',
		],
		['one row', [demandRow('2026-11-27', 'A-1', 1)], '1 input row → 1 row stored in 1 request'],
	])('singular forms: %s', async (_case, input, text) => {
		const result = await runPaqtana(sandbox, {
			parameters: demandParameters(SEND_VALID_ROWS),
			input,
		});
		expect(result.error).toBeUndefined();
		expect(result.hints[0].message).toBe(`${text} (${sentBytes()})`);
	});

	it('the inventory hint counts the same way', async () => {
		const result = await runPaqtana(sandbox, {
			parameters: inventoryParameters({ ...SEND_VALID_ROWS, duplicates: 'keepLast' }),
			input: [
				{ Warehouse: 'WH1', SKU: 'A-1', Stock: 1 },
				{ Warehouse: 'WH1', SKU: 'A-1', Stock: 2 },
				{ Warehouse: 'WH1', SKU: 'B-2', Stock: 'many' },
			],
		});
		expect(result.error).toBeUndefined();
		expect(sandbox.inventory(ORG)).toEqual([
			{ workspaceCode: 'MAIN', location: 'WH1', code: 'A-1', stock: 2 },
		]);
		const text =
			'3 input rows → 1 row (1 merged duplicate, 1 invalid): ' +
			`the master inventory was replaced in 1 request (${sentBytes()})`;
		// what the wipe guard adds after it is the guard's own business
		expect(result.hints[0].message.slice(0, text.length)).toBe(text);
	});

	describe('both operations carry the same fields on their items', () => {
		const runFields = [
			'inputRows',
			'duplicatesMerged',
			'invalidRows',
			'mapping',
			'ignoredColumns',
			'warnings',
			'wipeGuard',
			'autoCalculate',
		];

		async function itemKeys(dryRun: boolean): Promise<{ demand: string[]; inventory: string[] }> {
			const demand = await runPaqtana(sandbox, {
				parameters: demandParameters({ dryRun }),
				input: [demandRow('2026-11-27', 'A-1', 1)],
			});
			const inventory = await runPaqtana(sandbox, {
				parameters: inventoryParameters({ dryRun }),
				input: [{ Warehouse: 'WH1', SKU: 'A-1', Stock: 1 }],
			});
			expect([demand.error, inventory.error]).toEqual([undefined, undefined]);
			expect(sandbox.requests()).toHaveLength(dryRun ? 0 : 2);
			return {
				demand: Object.keys(demand.outputs[0][0].json).sort(),
				inventory: Object.keys(inventory.outputs[0][0].json).sort(),
			};
		}

		it.each([
			['Success', false],
			['dry-run', true],
		])(
			'%s items of both operations have the same keys, the run fields among them',
			async (_kind, dryRun) => {
				const keys = await itemKeys(dryRun);
				expect(keys.inventory).toEqual(keys.demand);
				expect(keys.demand).toEqual(expect.arrayContaining(runFields));
			},
		);
	});
});

describe('11.4 error texts that read well', () => {
	it('invalid rows are listed one per line in the error description', async () => {
		const result = await runPaqtana(sandbox, {
			parameters: demandParameters(),
			input: [
				demandRow('2026-11-27', '', 1),
				demandRow('2026-11-27', 'A-1', 1),
				demandRow('not a day', 'B-2', 1),
				{ ...demandRow('2026-11-27', 'C-3', 1), Qty: 'n/a' },
			],
		});
		expect(result.error?.message).toBe(
			'3 invalid rows, nothing was sent. First: Row 0: code: required, but empty or not mapped',
		);
		expect(result.error?.description?.split('\n').slice(0, 4)).toEqual([
			'Row 0: code: required, but empty or not mapped',
			'Row 2: date: "not a day" is not a date',
			'Row 3: quantity: "n/a" is not a number (decimal separator ".")',
			'',
		]);
		expect(sandbox.requests()).toEqual([]);
	});

	it('the editor gets the same lines as HTML, with cell values shown as typed, not as markup', async () => {
		const result = await runPaqtana(sandbox, {
			parameters: demandParameters(),
			input: [
				{ ...demandRow('2026-11-27', 'A-1', 1), Qty: '<b>5</b> & `x` %%PARAMETER%%' },
				demandRow('<br>', 'B-2', 1),
			],
		});
		// n8n's editor renders context.descriptionTemplate (sanitised HTML) in place of the description.
		const html = String(result.error?.context?.descriptionTemplate);
		expect(html.split('<br>').slice(0, 2)).toEqual([
			'Row 0: quantity: "&lt;b&gt;5&lt;/b&gt; &amp; &#96;x&#96; &#37;&#37;PARAMETER&#37;&#37;" is not a number (decimal separator ".")',
			'Row 1: date: "&lt;br&gt;" is not a date',
		]);
		expect(result.error?.description?.split('\n')[1]).toBe('Row 1: date: "<br>" is not a date');
	});
});

describe('11.8 inventory shows only what applies to inventory', () => {
	function optionNames(resource: string): string[] {
		const options = properties.find(
			(property) =>
				property.name === 'options' &&
				property.displayOptions?.show?.resource?.includes(resource) === true,
		);
		return ((options?.options ?? []) as INodeProperties[]).map((option) => option.name);
	}

	it('master inventory has no date options; historical demand has them', () => {
		const dateOptions = ['dateOrder', 'earliestYear', 'latestYear'];
		for (const name of dateOptions) {
			expect(optionNames('masterInventory')).not.toContain(name);
			expect(optionNames('historicalDemand')).toContain(name);
		}
	});

	it('the canvas subtitle names the operation, not its internal value', () => {
		const paqtana = new Paqtana();
		const subtitle = (resource: string, operation: string) => {
			const node = paqtanaNode('Paqtana', { resource, operation });
			// what the editor does with the subtitle: evaluate it with the node's parameters
			const workflow = new Workflow({
				nodes: [node],
				connections: {},
				active: false,
				nodeTypes: new HarnessNodeTypes({ [node.type]: paqtana }),
			});
			return workflow.expression.getSimpleParameterValue(
				node,
				paqtana.description.subtitle,
				'internal',
				{},
			);
		};
		expect(subtitle('masterInventory', 'replace')).toBe('Replace All: Master Inventory');
		expect(subtitle('historicalDemand', 'upsert')).toBe('Create or Update: Historical Demand');
	});
});
