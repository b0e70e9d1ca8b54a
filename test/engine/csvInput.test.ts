/** Input Data "CSV File": the node reads CSV files from binary data through the same preparation as items. */
import type { INodeExecutionData } from 'n8n-workflow';

import { mulberry32 } from '../../sandbox/faults';
import { shuffle } from '../../scripts/bench/data';
import { useSandbox } from '../hooks';
import { demandParameters, inventoryParameters, ORG, runPaqtana } from '../support';

const sandbox = useSandbox();

function csvItem(
	text: string | Buffer,
	fileName = 'export.csv',
	property = 'data',
): INodeExecutionData {
	const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
	return {
		json: { fileName },
		binary: { [property]: { data: bytes.toString('base64'), mimeType: 'text/csv', fileName } },
	};
}

const csvParameters = (options = {}, extra = {}) =>
	demandParameters(options, { inputData: 'csvFile', ...extra });

describe('CSV File input', () => {
	it('reads several files into one upload: detected delimiter, BOM, quotes, CRLF, sums across files', async () => {
		const first =
			'\uFEFFItem No.;Site;Posting Date;Qty\r\n' +
			'A-1;WH1;2026-11-01;2\r\n' +
			'"A;2";WH1;2026-11-01;"1,5"\r\n' +
			'\r\n' +
			'A-1;WH1;2026-11-01;3\r\n';
		const second = 'Item No.;Site;Posting Date;Qty\nA-1;WH1;2026-11-01;5\n';
		const result = await runPaqtana(sandbox, {
			parameters: csvParameters({ decimalSeparator: ',' }),
			input: [csvItem(first, 'a.csv'), csvItem(second, 'b.csv')],
		});
		expect(result.error).toBeUndefined();
		expect(sandbox.demand(ORG)).toEqual([
			{ workspaceCode: 'MAIN', location: 'WH1', code: 'A-1', date: '2026-11-01', quantity: 10 },
			{ workspaceCode: 'MAIN', location: 'WH1', code: 'A;2', date: '2026-11-01', quantity: 1.5 },
		]);
		const [success] = result.outputs;
		expect(success[0].json).toMatchObject({ inputRows: 4, rows: 2, duplicatesMerged: 2 });
		expect(success[0].pairedItem).toEqual([{ item: 0 }, { item: 1 }]);
		expect(result.hints[0].message).toMatch(
			/^4 input rows → 2 rows \(2 merged duplicates\) stored/,
		);
	});

	it('reports invalid lines by their line number in the file, with the line as input', async () => {
		const file =
			'SKU,Warehouse,Date,Qty\n' +
			'A,WH1,2026-11-01,1\n' +
			'"B\nwith a line break",WH1,2026-11-01,2\n' +
			'C,WH1,2026-11-31,1\n' +
			'D,WH1,2026-11-01,1,extra\n';
		const stopped = await runPaqtana(sandbox, {
			parameters: csvParameters(),
			input: [csvItem(file)],
		});
		expect(stopped.error?.message).toMatch(
			/^2 invalid rows, nothing was sent\. First: Line 5: date:/,
		);
		expect(stopped.error?.description).toMatch(/Line 6: row: has 5 fields, the header has 4/);
		expect(stopped.error?.description).toMatch(/the header is line 1/);
		expect(sandbox.requests()).toHaveLength(0);

		const routed = await runPaqtana(sandbox, {
			parameters: csvParameters({ onInvalidRows: 'route' }),
			input: [csvItem(file)],
		});
		expect(sandbox.demand(ORG).map((row) => row.code)).toEqual(['A', 'B\nwith a line break']);
		const invalid = routed.outputs[1].map((item) => item.json);
		expect(invalid.map((row) => [row.line, row.fields])).toEqual([
			[5, ['date']],
			[6, ['row']],
		]);
		expect(invalid[0].input).toEqual({ SKU: 'C', Warehouse: 'WH1', Date: '2026-11-31', Qty: '1' });
	});

	it('names the missing field, the columns of the file and the names recognised, before reading a row', async () => {
		const result = await runPaqtana(sandbox, {
			parameters: csvParameters(),
			input: [csvItem('Item No.,Site,Posting Date,Amount\nA,WH1,2026-11-01,1\n', 'sales.csv')],
		});
		expect(result.error?.message).toBe(
			'No input column in the CSV file "sales.csv" of item 0 fills the required Paqtana field "quantity"; nothing was sent',
		);
		expect(result.error?.description).toMatch(
			/Columns seen: Item No\., Site, Posting Date, Amount\./,
		);
		expect(result.error?.description).toMatch(/Recognised for quantity: Quantity, Qty, Units Sold/);
		expect(sandbox.requests()).toHaveLength(0);
	});

	it('refuses a file that is not CSV, naming the file and the line, and sends nothing', async () => {
		const zip = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0x08, 0x00]);
		const result = await runPaqtana(sandbox, {
			parameters: csvParameters(),
			input: [
				csvItem('SKU,Warehouse,Date,Qty\nA,WH1,2026-11-01,1\n', 'ok.csv'),
				csvItem(zip, 'stock.xlsx'),
			],
		});
		expect(result.error?.message).toMatch(
			/^Cannot read the CSV file "stock\.xlsx" of item 1: line 1: this looks like a binary file/,
		);
		expect(sandbox.requests()).toHaveLength(0);
	});

	it('reads Windows-1252 when chosen, and a master inventory with the binary field named', async () => {
		const file = Buffer.from(
			'SKU;Warehouse;Description;Stock\nA;WH1;Caf\xe9 cr\xe8me;4\n',
			'latin1',
		);
		const result = await runPaqtana(sandbox, {
			parameters: inventoryParameters(
				{ csvEncoding: 'windows-1252' },
				{ inputData: 'csvFile', binaryPropertyName: 'file' },
			),
			input: [csvItem(file, 'items.csv', 'file')],
		});
		expect(result.error).toBeUndefined();
		expect(sandbox.inventory(ORG)).toEqual([
			{ workspaceCode: 'MAIN', location: 'WH1', code: 'A', description: 'Café crème', stock: 4 },
		]);
	});

	it('sums the lines of each key wherever they stand in a large file, with more item codes than texts it shares', async () => {
		// 5,000 item codes (past the 4,096 distinct texts the node keeps one instance of), 3 locations and
		// 2 days: every key on two lines, in a shuffled order, so its lines lie far apart.
		const lines: string[] = [];
		for (let item = 0; item < 5000; item++)
			for (const location of ['WH1', 'WH2', 'WH3'])
				for (const day of ['2026-11-01', '2026-11-02'])
					for (const quantity of [1, item % 7])
						lines.push(`ITEM-${item},${location},${day},${quantity}`);
		const order = shuffle(Int32Array.from(lines.keys()), mulberry32(7));
		const file = `SKU,Warehouse,Date,Qty\n${Array.from(order, (line) => lines[line]).join('\n')}\n`;
		const result = await runPaqtana(sandbox, {
			parameters: csvParameters(),
			input: [csvItem(file)],
		});
		expect(result.error).toBeUndefined();
		const stored = sandbox.demand(ORG);
		expect(stored).toHaveLength(30_000);
		for (const row of stored) expect(row.quantity).toBe(1 + (Number(row.code.slice(5)) % 7));
		expect(new Set(stored.map((row) => `${row.code}|${row.location}|${row.date}`)).size).toBe(
			30_000,
		);
		expect(result.outputs[0][0].json).toMatchObject({
			inputRows: 60_000,
			duplicatesMerged: 30_000,
		});
	});
});
