/**
 * The example workflows in examples/ and their CSV data, prepared for a throwaway n8n instance: the file
 * paths are pointed at the instance's allowed files folder, and a "Paqtana Sandbox" credential is written.
 * Also computes what the sandbox must hold after each example ran, straight from the CSV files.
 */
import {
	copyFileSync,
	existsSync,
	mkdirSync,
	readFileSync,
	readdirSync,
	writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';

import { parseCsv } from '../csv';
import { EXAMPLES_DIR, SANDBOX_ORG, SANDBOX_TOKEN } from './config';

export const PAQTANA_NODE_TYPE = 'n8n-nodes-paqtana.paqtana';
export const PAQTANA_NODE_NAME = 'Send to Paqtana';
export const CREDENTIAL_ID = 'PaqtanaSandbox01';
export const CREDENTIAL_NAME = 'Paqtana Sandbox';

export interface WorkflowNode {
	id: string;
	name: string;
	type: string;
	typeVersion: number;
	position: [number, number];
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id: string; name: string }>;
}

export interface Workflow {
	id: string;
	name: string;
	nodes: WorkflowNode[];
	connections: Record<string, unknown>;
	[key: string]: unknown;
}

export interface Example {
	file: string;
	workflow: Workflow;
	/** CSV files the workflow reads (base names), empty when it needs an outside service. */
	csvFiles: string[];
	/** True when it can run without any service but the sandbox. */
	runnable: boolean;
}

/** Data folder: examples/data, or PAQTANA_E2E_DATA_DIR while the real files are not there yet. */
export function dataDir(): string {
	return resolve(process.env.PAQTANA_E2E_DATA_DIR || join(EXAMPLES_DIR, 'data'));
}

const OUTSIDE_SERVICE_NODES =
	/\.(postgres|mySql|microsoftSql|oracleDb|mongoDb|httpRequest|googleSheets|ftp|ssh)$/i;

export function loadExamples(): Example[] {
	return readdirSync(EXAMPLES_DIR)
		.filter((f) => f.endsWith('.json'))
		.sort()
		.map((file) => {
			const workflow = JSON.parse(readFileSync(join(EXAMPLES_DIR, file), 'utf8')) as Workflow;
			const csvFiles = workflow.nodes
				.filter((n) => n.type === 'n8n-nodes-base.readWriteFile')
				.map(
					(n) =>
						String(n.parameters.fileSelector ?? '')
							.split('/')
							.pop() ?? '',
				);
			const runnable =
				!workflow.nodes.some((n) => OUTSIDE_SERVICE_NODES.test(n.type)) &&
				workflow.nodes.some((n) => n.type === 'n8n-nodes-base.manualTrigger');
			return { file, workflow, csvFiles, runnable };
		});
}

export function paqtanaNode(workflow: Workflow): WorkflowNode {
	const nodes = workflow.nodes.filter((n) => n.type === PAQTANA_NODE_TYPE);
	if (nodes.length !== 1)
		throw new Error(`${workflow.name}: expected one Paqtana node, found ${nodes.length}`);
	return nodes[0];
}

/** Copy of `workflow` whose file reads point into `filesDir` (where the CSVs are copied). */
export function withLocalFiles(workflow: Workflow, filesDir: string): Workflow {
	const copy = JSON.parse(JSON.stringify(workflow)) as Workflow;
	for (const node of copy.nodes) {
		if (
			node.type === 'n8n-nodes-base.readWriteFile' &&
			typeof node.parameters.fileSelector === 'string'
		) {
			const base = node.parameters.fileSelector.split('/').pop() ?? '';
			node.parameters.fileSelector = join(filesDir, base);
		}
	}
	return copy;
}

/**
 * Writes the workflows (paths rewritten) to `workflowsDir`, copies the CSV files to `filesDir` and
 * writes the sandbox credential to `credentialFile`.
 */
export function prepareImport(
	examples: Example[],
	options: {
		workflowsDir: string;
		filesDir: string;
		credentialFile: string;
		sandboxUrl: string;
		extra?: Workflow[];
	},
): void {
	mkdirSync(options.workflowsDir, { recursive: true });
	mkdirSync(options.filesDir, { recursive: true });
	for (const example of examples) {
		writeFileSync(
			join(options.workflowsDir, example.file),
			JSON.stringify(withLocalFiles(example.workflow, options.filesDir), null, 2),
		);
		for (const csv of example.csvFiles) {
			const source = join(dataDir(), csv);
			if (!existsSync(source))
				throw new Error(`${example.file} reads ${csv}, but ${source} does not exist`);
			copyFileSync(source, join(options.filesDir, csv));
		}
	}
	for (const workflow of options.extra ?? []) {
		writeFileSync(
			join(options.workflowsDir, `${workflow.id}.json`),
			JSON.stringify(withLocalFiles(workflow, options.filesDir), null, 2),
		);
	}
	writeFileSync(
		options.credentialFile,
		JSON.stringify([sandboxCredential(options.sandboxUrl)], null, 2),
	);
}

/** The "Paqtana Sandbox" credential (n8n encrypts `data` on import). */
export function sandboxCredential(sandboxUrl: string): Record<string, unknown> {
	return {
		id: CREDENTIAL_ID,
		name: CREDENTIAL_NAME,
		type: 'paqtanaApi',
		data: { token: SANDBOX_TOKEN, orgCode: SANDBOX_ORG, baseUrl: sandboxUrl },
	};
}

// ---------------------------------------------------------------- CSV and expectations

export function readCsv(name: string): Array<Record<string, string>> {
	return parseCsv(readFileSync(join(dataDir(), name), 'utf8'));
}

/** First column whose normalised name is one of `names`. */
function pick(row: Record<string, string>, names: string[]): string | undefined {
	const norm = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]/g, '');
	for (const key of Object.keys(row)) if (names.includes(norm(key))) return row[key];
	return undefined;
}

function num(value: string | undefined): number | undefined {
	if (value === undefined || value.trim() === '') return undefined;
	const n = Number(value.replace(/,/g, ''));
	return Number.isFinite(n) ? n : undefined;
}

export interface ExpectedInventoryRow {
	workspaceCode: string;
	location: string;
	code: string;
	fields: Record<string, string | number>;
}

/** What PUT master_inventory must carry for examples/data/inventory.csv. */
export function expectedInventory(rows: Array<Record<string, string>>): ExpectedInventoryRow[] {
	return rows.map((row) => {
		const fields: Record<string, string | number> = {};
		const text = (id: string, names: string[]): void => {
			const v = pick(row, names)?.trim();
			if (v) fields[id] = v;
		};
		const number = (id: string, names: string[]): void => {
			const v = num(pick(row, names));
			if (v !== undefined) fields[id] = v;
		};
		text('description', ['description']);
		text('supplier', ['supplier']);
		number('stock', ['onhand', 'stock']);
		number('cost', ['unitcost', 'cost']);
		number('price', ['unitprice', 'price']);
		number('leadTime', ['leadtimedays', 'leadtime']);
		number('minOrderQty', ['moq', 'minorderqty']);
		return {
			workspaceCode: (pick(row, ['workspace', 'workspacecode']) ?? '').trim(),
			location: (pick(row, ['warehouse', 'location']) ?? '').trim(),
			code: (pick(row, ['sku', 'code', 'itemcode']) ?? '').trim(),
			fields,
		};
	});
}

/** Daily demand per workspace+location+code+date (lines of the same key summed, as the node's default). */
export function expectedDemand(rows: Array<Record<string, string>>): Map<string, number> {
	const sums = new Map<string, number>();
	for (const row of rows) {
		const key = demandKey({
			workspaceCode: (pick(row, ['workspace', 'workspacecode']) ?? '').trim(),
			location: (pick(row, ['warehouse', 'location']) ?? '').trim(),
			code: (pick(row, ['sku', 'code', 'itemcode']) ?? '').trim(),
			date: (pick(row, ['salesdate', 'date', 'day']) ?? '').trim(),
		});
		const quantity = num(pick(row, ['units', 'quantity', 'qty'])) ?? NaN;
		sums.set(key, (sums.get(key) ?? 0) + quantity);
	}
	return sums;
}

export function demandKey(row: {
	workspaceCode: string;
	location: string;
	code: string;
	date: string;
}): string {
	return JSON.stringify([row.workspaceCode, row.location, row.code, row.date]);
}

export function inventoryKey(row: {
	workspaceCode: string;
	location: string;
	code: string;
}): string {
	return JSON.stringify([row.workspaceCode, row.location, row.code]);
}
