/**
 * The main job: runs the example workflows in examples/ through n8n's real execution engine (WorkflowExecute
 * from n8n-core) with this package's node, against the local Paqtana sandbox, and shows what was sent and
 * what the sandbox now holds. The upstream "Read CSV file → Extract rows" nodes are stood in for by parsing
 * the same CSV files here, item for item as n8n's Extract from File node gives them (every cell as text).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { PaqtanaApi } from '../credentials/PaqtanaApi.credentials';
import { Paqtana } from '../nodes/Paqtana/Paqtana.node';
import { DEMAND_FIELDS, INVENTORY_FIELDS } from '../nodes/Paqtana/helpers/wireFormat';
import { startSandbox } from '../sandbox/server';
import { runWorkflowFrom } from '../test/harness';
import { parseCsv } from './csv';

const ROOT = join(__dirname, '..', '..');
const ORG = 'DEMO';
const PAQTANA_NODE = 'Send to Paqtana';

const EXAMPLES = [
	{ workflow: 'master-inventory-from-csv.json', csv: 'inventory.csv' },
	{ workflow: 'historical-demand-from-csv.json', csv: 'demand.csv' },
];

function print(line = ''): void {
	process.stdout.write(line + '\n');
}

function table(rows: IDataObject[], columns: string[]): void {
	const widths = columns.map((column) =>
		Math.max(column.length, ...rows.map((row) => String(row[column] ?? '').length)),
	);
	const line = (cells: string[]) =>
		'  ' + cells.map((cell, i) => cell.padEnd(widths[i])).join('  ');
	print(line(columns));
	print(line(widths.map((width) => '-'.repeat(width))));
	for (const row of rows) print(line(columns.map((column) => String(row[column] ?? ''))));
}

async function main(): Promise<void> {
	const token = `demo-${randomBytes(12).toString('hex')}`;
	const sandbox = await startSandbox({ orgs: { [ORG]: token } });
	print(
		`Paqtana sandbox on ${sandbox.url} (org ${ORG}); the token is random for this run and never printed.\n`,
	);
	try {
		for (const example of EXAMPLES) {
			const workflow = JSON.parse(
				readFileSync(join(ROOT, 'examples', example.workflow), 'utf8'),
			) as { name: string };
			const input: INodeExecutionData[] = parseCsv(
				readFileSync(join(ROOT, 'examples', 'data', example.csv), 'utf8'),
			).map((json) => ({ json }));
			print(
				`▶ ${workflow.name} (examples/${example.workflow}): ${input.length} items from examples/data/${example.csv}`,
			);
			const before = sandbox.requests().length;
			const result = await runWorkflowFrom({
				workflow: workflow as Parameters<typeof runWorkflowFrom>[0]['workflow'],
				startNodeName: PAQTANA_NODE,
				items: input,
				nodeTypes: { 'n8n-nodes-paqtana.paqtana': new Paqtana() },
				credentialTypes: [new PaqtanaApi()],
				credentials: { paqtanaApi: { token, orgCode: ORG, baseUrl: sandbox.url } },
			});
			if (result.error)
				throw new Error(`${result.error.message}\n${result.error.description ?? ''}`);
			print('  Requests the node sent:');
			table(
				sandbox
					.requests()
					.slice(before)
					.map((r) => ({
						method: r.method,
						path:
							r.path + (r.query.auto_calculate ? `?auto_calculate=${r.query.auto_calculate}` : ''),
						rows: r.rows ?? '',
						bytes: r.bodyBytes,
						status: r.status,
					})),
				['method', 'path', 'rows', 'bytes', 'status'],
			);
			print('  Node output ("Success"):');
			table(
				result.outputs[0].map((item) => ({
					...item.json,
					response: JSON.stringify(item.json.response),
				})),
				['batch', 'batches', 'rows', 'bytes', 'status', 'attempts', 'response'],
			);
			for (const hint of result.hints) print(`  Hint: ${hint.message}`);
			print();
		}

		const inventory = sandbox.inventory(ORG);
		const demand = sandbox.demand(ORG);
		const dates = demand.map((row) => String(row.date)).sort();
		print('What the sandbox now holds for org DEMO:');
		print(
			`  Master inventory: ${inventory.length} rows, ${new Set(inventory.map((r) => r.location)).size} locations, ${new Set(inventory.map((r) => r.code)).size} items. First rows:`,
		);
		table(
			inventory.slice(0, 3) as IDataObject[],
			INVENTORY_FIELDS.map((field) => field.id),
		);
		print(
			`  Historical demand: ${demand.length} daily rows from ${dates[0]} to ${dates[dates.length - 1]}, ${demand.reduce((sum, r) => sum + Number(r.quantity), 0)} units. First rows:`,
		);
		table(
			demand.slice(0, 3) as IDataObject[],
			DEMAND_FIELDS.map((field) => field.id),
		);
		const calculations = sandbox.calculations(ORG);
		print(
			`  Order-suggestion calculations started: ${calculations.length}` +
				(calculations.length
					? ` (after ${calculations[0].demandRows} demand rows were stored)`
					: ' (the CSV example leaves "Calculate Order Suggestions" off; the daily Postgres example turns it on)'),
		);
		print(
			'\nDemo finished: both example workflows ran through n8n’s execution engine into the sandbox.',
		);
	} finally {
		await sandbox.close();
	}
}

main().catch((error: unknown) => {
	process.stderr.write(`Demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
	process.exitCode = 1;
});
