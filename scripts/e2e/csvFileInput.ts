/**
 * Input Data "CSV File" in real n8n: Read/Write Files from Disk hands the Paqtana node a file, which the
 * node reads itself. The large demand file is generated here (document order, each daily key on several
 * lines spread over the file); while it is written, its quantities are summed apart from the node, plainly
 * and weighted by a hash of each line's key, so what the sandbox stored is checked without a million
 * expectations in memory.
 */
import { writeDemandCsvFile } from '../bench/csvFile';
import type { DemandRow } from '../../sandbox/store';
import { paqtanaNode, type Workflow } from './examples';

/** Issue 14 asks for at least a million lines. */
export const LARGE_CSV_LINES = 1_000_000;
/** Lines per daily key, as in the benchmark: three of four lines are summed into another one. */
const LINES_PER_KEY = 4;

export interface DemandFileSummary {
	lines: number;
	distinctKeys: number;
	bytes: number;
	/** Sum of all quantities: what the stored rows must add up to when duplicates are summed. */
	quantity: number;
	/** Sum of quantity × keyWeight(key): catches quantities stored under the wrong key. */
	weighted: number;
}

/** 1…997 from the key's text (FNV-1a), the same for a CSV line and for the row stored from it. */
function keyWeight(workspace: string, location: string, code: string, date: string): number {
	const text = `${workspace}\u0000${location}\u0000${code}\u0000${date}`;
	let hash = 0x811c9dc5;
	for (let index = 0; index < text.length; index++) {
		hash ^= text.charCodeAt(index);
		hash = Math.imul(hash, 0x01000193);
	}
	return ((hash >>> 0) % 997) + 1;
}

/**
 * Writes `lines` demand lines (header: Workspace, Warehouse, SKU, Sales Date, Units) to `path`. Quantities
 * are whole or halves, so every sum here is exact in a double.
 */
export async function writeLargeDemandCsv(
	path: string,
	lines = LARGE_CSV_LINES,
): Promise<DemandFileSummary> {
	const distinctKeys = Math.ceil(lines / LINES_PER_KEY);
	let quantity = 0;
	let weighted = 0;
	const bytes = await writeDemandCsvFile(path, lines, distinctKeys, (line) => {
		const [workspace, location, code, date, units] = line.trimEnd().split(',');
		const value = Number(units);
		quantity += value;
		weighted += value * keyWeight(workspace, location, code, date);
	});
	return { lines, distinctKeys, bytes, quantity, weighted };
}

/** The same sums over what the sandbox stored. */
export function storedDemandSums(rows: DemandRow[]): { quantity: number; weighted: number } {
	let quantity = 0;
	let weighted = 0;
	for (const row of rows) {
		quantity += row.quantity;
		weighted += row.quantity * keyWeight(row.workspaceCode, row.location, row.code, row.date);
	}
	return { quantity, weighted };
}

/**
 * The demand example with the node reading the file itself: Read/Write Files from Disk → Paqtana (Input
 * Data "CSV File"), without Extract From File. `file` is the base name in the instance's files folder.
 */
export function csvFileVariant(demand: Workflow, id: string, name: string, file: string): Workflow {
	const copy = JSON.parse(JSON.stringify(demand)) as Workflow;
	copy.id = id;
	copy.name = name;
	const paqtana = paqtanaNode(copy);
	const reader = copy.nodes.find((n) => n.type === 'n8n-nodes-base.readWriteFile');
	if (!reader) throw new Error(`${demand.name}: no Read/Write Files from Disk node`);
	copy.nodes = copy.nodes.filter((n) => n.type !== 'n8n-nodes-base.extractFromFile');
	reader.parameters.fileSelector = `/placeholder/${file}`;
	paqtana.position = [reader.position[0] + 240, reader.position[1]];
	paqtana.parameters = {
		...paqtana.parameters,
		inputData: 'csvFile',
		binaryPropertyName: 'data',
	};
	const sticky = copy.nodes.find((n) => n.type === 'n8n-nodes-base.stickyNote');
	if (sticky) {
		sticky.parameters.height = 200;
		sticky.parameters.content =
			'## A large CSV file → Paqtana\n' +
			`**${reader.name}** hands the file to **${paqtana.name}**, which reads it line by line ` +
			'(Input Data: *CSV File*): no item per line, so files of millions of lines fit a small n8n. ' +
			'Sales lines of the same day and item are summed into daily demand.';
	}
	const main = (node: string) => ({ main: [[{ node, type: 'main', index: 0 }]] });
	const trigger = copy.nodes.find((n) => n.type === 'n8n-nodes-base.manualTrigger');
	if (!trigger) throw new Error(`${demand.name}: no manual trigger`);
	copy.connections = {
		[trigger.name]: main(reader.name),
		[reader.name]: main(paqtana.name),
	};
	return copy;
}
