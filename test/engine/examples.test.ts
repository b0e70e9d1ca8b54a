/**
 * The example workflows in examples/, as users import them, run through n8n's engine into the sandbox.
 *
 * The Paqtana node runs with its parameters exactly as saved in the example. n8n-nodes-base is not
 * installed here, so every other node is stood in for by a node of the same type name that gives what
 * n8n's node gives: Read/Write Files reads the file its path names from examples/data/, Extract From
 * File parses it with csv-parse the way n8n's does (every cell as text, empty cells left out), and the
 * Postgres node answers the example's query the way node-postgres types it, for a `sales` table that
 * holds examples/data/demand.csv. What the sandbox stores is compared with the CSV files, read here.
 * The same workflows run in real n8n in the e2e test (`npm run test:e2e`).
 */
import { parse } from 'csv-parse/sync';
import { readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { NodeConnectionTypes } from 'n8n-workflow';
import type {
	IConnections,
	IDataObject,
	IExecuteFunctions,
	INode,
	INodeExecutionData,
	INodeProperties,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';

import { PaqtanaApi } from '../../credentials/PaqtanaApi.credentials';
import { Paqtana } from '../../nodes/Paqtana/Paqtana.node';
import type { Sandbox } from '../../sandbox/server';
import { runWorkflowFrom } from '../harness';
import { credentialsFor, ORG, startTestSandbox } from '../support';

const EXAMPLES_DIR = join(__dirname, '..', '..', 'examples');
const DATA_DIR = join(EXAMPLES_DIR, 'data');
const PAQTANA_TYPE = 'n8n-nodes-paqtana.paqtana';
const STICKY_NOTE_TYPE = 'n8n-nodes-base.stickyNote';

interface ExampleWorkflow {
	name: string;
	nodes: INode[];
	connections: IConnections;
	settings?: IDataObject;
}

type CsvRecord = Record<string, string>;

function readCsv(file: string): CsvRecord[] {
	return parse(readFileSync(join(DATA_DIR, file)), { columns: true }) as CsvRecord[];
}

// ------------------------------------------------------------------ stand-ins for n8n-nodes-base

function standIn(
	type: string,
	properties: INodeProperties[],
	execute: (this: IExecuteFunctions) => INodeExecutionData[][],
): INodeType {
	const description: INodeTypeDescription = {
		displayName: type,
		name: type,
		group: ['transform'],
		version: 1,
		description: `Stands in for ${type}`,
		defaults: { name: type },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties,
	};
	return {
		description,
		async execute(this: IExecuteFunctions) {
			return execute.call(this);
		},
	};
}

const stringParameter = (name: string): INodeProperties => ({
	displayName: name,
	name,
	type: 'string',
	default: '',
});

/** A trigger hands on the item the run starts with. */
const trigger = (type: string) =>
	standIn(type, [], function () {
		return [this.getInputData()];
	});

/** Read/Write Files, operation Read: the file's content as binary property `data`. */
const readFile = standIn(
	'n8n-nodes-base.readWriteFile',
	[stringParameter('operation'), stringParameter('fileSelector')],
	function () {
		expect(this.getNodeParameter('operation', 0)).toBe('read');
		const fileName = basename(this.getNodeParameter('fileSelector', 0) as string);
		const content = readFileSync(join(DATA_DIR, fileName));
		return [
			[
				{
					json: { fileName, fileExtension: 'csv', mimeType: 'text/csv' },
					binary: {
						data: {
							data: content.toString('base64'),
							fileName,
							fileExtension: 'csv',
							mimeType: 'text/csv',
						},
					},
					pairedItem: { item: 0 },
				},
			],
		];
	},
);

/**
 * Extract From File, operation CSV, as n8n's SpreadsheetFile v2 `fromFile` reads it with a header row:
 * csv-parse with the first line as column names, and empty cells left out unless asked for.
 */
const extractFromFile = standIn(
	'n8n-nodes-base.extractFromFile',
	[
		stringParameter('operation'),
		{ ...stringParameter('binaryPropertyName'), default: 'data' },
		{
			displayName: 'Options',
			name: 'options',
			type: 'collection',
			default: {},
			options: [
				stringParameter('delimiter'),
				{ displayName: 'Header Row', name: 'headerRow', type: 'boolean', default: true },
				{
					displayName: 'Include Empty Cells',
					name: 'includeEmptyCells',
					type: 'boolean',
					default: false,
				},
			],
		},
	],
	function () {
		return [
			this.getInputData().flatMap((item, index) => {
				expect(this.getNodeParameter('operation', index)).toBe('csv');
				const property = this.getNodeParameter('binaryPropertyName', index) as string;
				const options = this.getNodeParameter('options', index, {}) as IDataObject;
				expect(options.headerRow).not.toBe(false);
				const records = parse(Buffer.from(item.binary?.[property]?.data ?? '', 'base64'), {
					columns: true,
					delimiter: (options.delimiter as string | undefined) || undefined,
				}) as CsvRecord[];
				return records.map((record) => ({
					json: options.includeEmptyCells
						? record
						: Object.fromEntries(Object.entries(record).filter(([, value]) => value !== '')),
					pairedItem: { item: index },
				}));
			}),
		];
	},
);

/** "Yesterday" for the scheduled example: the last sales day in demand.csv (it runs the day after). */
const SALES = readCsv('demand.csv');
const YESTERDAY = SALES.map((line) => line['Sales Date'])
	.sort()
	.at(-1) as string;

/**
 * What this stand-in assumes of the Postgres example's query (whitespace aside): its filter, its grouping
 * and its select list, typed the way node-postgres (through n8n's pg-promise, default type parsers) types
 * them: `to_char` gives text, `float8` a JS number. A DATE column would be a JS Date at local midnight
 * and NUMERIC a string: if the query changes, the stand-in must too.
 */
const QUERY_PARTS = [
	's.workspace_code AS "Workspace"',
	's.warehouse AS "Warehouse"',
	's.sku AS "SKU"',
	`to_char(s.sold_at::date, 'YYYY-MM-DD') AS "Date"`,
	'SUM(s.quantity)::float8 AS "Quantity"',
	"WHERE s.sold_at >= CURRENT_DATE - INTERVAL '1 day' AND s.sold_at < CURRENT_DATE",
	'GROUP BY 1, 2, 3, 4',
];

/** Postgres, Execute Query: yesterday's sales per workspace, warehouse, item and day, as the query sums them. */
const postgres = standIn(
	'n8n-nodes-base.postgres',
	[stringParameter('operation'), stringParameter('query')],
	function () {
		expect(this.getNodeParameter('operation', 0)).toBe('executeQuery');
		const query = (this.getNodeParameter('query', 0) as string).replace(/\s+/g, ' ');
		for (const part of QUERY_PARTS) expect(query).toContain(part);

		const sums = new Map<string, number>();
		for (const line of SALES.filter((sale) => sale['Sales Date'] === YESTERDAY)) {
			const key = JSON.stringify([line.Workspace, line.Warehouse, line.SKU, line['Sales Date']]);
			sums.set(key, (sums.get(key) ?? 0) + Number(line.Units));
		}
		const rows = [...sums]
			.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
			.map(([key, quantity]) => {
				const [Workspace, Warehouse, SKU, Date] = JSON.parse(key) as string[];
				return { Workspace, Warehouse, SKU, Date, Quantity: quantity };
			});
		return [rows.map((json) => ({ json, pairedItem: { item: 0 } }))];
	},
);

const STAND_INS: Record<string, INodeType> = {
	'n8n-nodes-base.manualTrigger': trigger('n8n-nodes-base.manualTrigger'),
	'n8n-nodes-base.scheduleTrigger': trigger('n8n-nodes-base.scheduleTrigger'),
	'n8n-nodes-base.readWriteFile': readFile,
	'n8n-nodes-base.extractFromFile': extractFromFile,
	'n8n-nodes-base.postgres': postgres,
};

// ------------------------------------------------------------------ what the sandbox must hold

type Row = Record<string, unknown>;

const byKey = (rows: Row[]): Row[] =>
	[...rows].sort((a, b) => {
		const key = (row: Row) => JSON.stringify([row.workspaceCode, row.location, row.code, row.date]);
		return key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
	});

/** Daily demand: the quantities of lines with the same workspace, warehouse, item and day summed. */
function dailyDemand(lines: CsvRecord[]): Row[] {
	const days = new Map<string, Row>();
	for (const line of lines) {
		const row = {
			workspaceCode: line.Workspace,
			location: line.Warehouse,
			code: line.SKU,
			date: line['Sales Date'],
		};
		const key = JSON.stringify(row);
		const quantity = Number(line.Units) + Number(days.get(key)?.quantity ?? 0);
		days.set(key, { ...row, quantity });
	}
	return [...days.values()];
}

interface Expected {
	inventory: Row[];
	demand: Row[];
	/** Rows stored when order suggestions were calculated, one entry per calculation. */
	calculationsOver: number[];
}

/** Per example file: the sandbox's state after one run, from the CSV files. */
const EXPECTED: Record<string, () => Expected> = {
	'master-inventory-from-csv.json': () => ({
		inventory: readCsv('inventory.csv').map((line) => ({
			workspaceCode: line.Workspace,
			location: line.Warehouse,
			code: line.SKU,
			description: line.Description,
			supplier: line.Supplier,
			stock: Number(line['On Hand']),
			cost: Number(line['Unit Cost']),
			price: Number(line['Unit Price']),
			leadTime: Number(line['Lead Time (days)']),
			minOrderQty: Number(line.MOQ),
		})),
		demand: [],
		calculationsOver: [],
	}),
	'historical-demand-from-csv.json': () => ({
		inventory: [],
		demand: dailyDemand(SALES),
		calculationsOver: [],
	}),
	'daily-demand-from-postgres.json': () => {
		const demand = dailyDemand(SALES.filter((line) => line['Sales Date'] === YESTERDAY));
		return { inventory: [], demand, calculationsOver: [demand.length] };
	},
};

// ------------------------------------------------------------------ the tests

const exampleFiles = readdirSync(EXAMPLES_DIR)
	.filter((file) => file.endsWith('.json'))
	.sort();

function readExample(file: string): ExampleWorkflow {
	return JSON.parse(readFileSync(join(EXAMPLES_DIR, file), 'utf8')) as ExampleWorkflow;
}

/** The node no connection leads to (sticky notes aside): where the workflow starts. */
function triggerOf(workflow: ExampleWorkflow): INode {
	const targets = new Set(
		Object.values(workflow.connections).flatMap((byType) =>
			Object.values(byType).flatMap((outputs) =>
				outputs.flatMap((targets) => (targets ?? []).map((target) => target.node)),
			),
		),
	);
	const starts = workflow.nodes.filter(
		(node) => node.type !== STICKY_NOTE_TYPE && !targets.has(node.name),
	);
	expect(starts).toHaveLength(1);
	return starts[0];
}

it('every example workflow has its expected outcome here, and a stand-in for each of its nodes', () => {
	expect(exampleFiles).toEqual(Object.keys(EXPECTED).sort());
	for (const file of exampleFiles) {
		const types = readExample(file)
			.nodes.map((node) => node.type)
			.filter((type) => type !== STICKY_NOTE_TYPE && type !== PAQTANA_TYPE);
		expect({ file, missing: types.filter((type) => !(type in STAND_INS)) }).toEqual({
			file,
			missing: [],
		});
	}
});

describe.each(exampleFiles)('examples/%s', (file) => {
	let sandbox: Sandbox;

	beforeAll(async () => {
		sandbox = await startTestSandbox();
	});
	afterAll(async () => {
		await sandbox.close();
	});

	it('runs as saved, and the sandbox holds exactly what its CSV data says', async () => {
		const workflow = readExample(file);
		const paqtanaNodes = workflow.nodes.filter((node) => node.type === PAQTANA_TYPE);
		expect(paqtanaNodes).toHaveLength(1);

		const result = await runWorkflowFrom({
			workflow,
			startNodeName: triggerOf(workflow).name,
			destinationNodeName: paqtanaNodes[0].name,
			items: [{ json: {} }],
			nodeTypes: { ...STAND_INS, [PAQTANA_TYPE]: new Paqtana() },
			credentialTypes: [new PaqtanaApi()],
			credentials: { paqtanaApi: credentialsFor(sandbox) },
		});

		expect(result.error).toBeUndefined();
		const expected = EXPECTED[file]();
		expect(expected.inventory.length + expected.demand.length).toBeGreaterThan(0);
		expect(byKey(sandbox.inventory(ORG))).toEqual(byKey(expected.inventory));
		expect(byKey(sandbox.demand(ORG))).toEqual(byKey(expected.demand));
		expect(sandbox.calculations(ORG).map((run) => run.demandRows)).toEqual(
			expected.calculationsOver,
		);
		expect(sandbox.requests().every((request) => request.status === 200)).toBe(true);
	});
});
