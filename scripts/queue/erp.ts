/**
 * An ERP-like database built from examples/data: `items` (one per workspace and SKU), `stock` (on hand
 * per warehouse), `sales_lines` (order lines: each CSV demand row becomes up to three lines at different
 * times of its day) and the view `sales` the Postgres example reads. The CSV's last day becomes the
 * database's yesterday, so the example's "yesterday" query finds exactly that day's lines.
 * Also what the sandbox must hold after the example ran, computed from the CSV alone.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { demandKey, expectedDemand, readCsv } from '../e2e/examples';
import type { Postgres } from './services';

export const ERP_DATABASE = 'erp';

type CsvRow = Record<string, string>;

const LINE_TIMES = ['08:15:00', '12:40:00', '17:05:00'];

/** Splits `units` into up to three positive parts with the same sum (transaction lines of one day). */
export function splitIntoLines(units: number): number[] {
	if (!Number.isInteger(units) || units < 3) return [units];
	const first = Math.floor(units / 2);
	const second = Math.floor((units - first) / 2);
	return [first, second, units - first - second];
}

function csvCell(value: string | number): string {
	const text = String(value);
	return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function writeCsvFile(file: string, rows: Array<Array<string | number>>): void {
	writeFileSync(file, rows.map((row) => row.map(csvCell).join(',')).join('\n') + '\n');
}

function daysBetween(from: string, to: string): number {
	return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

export interface ErpSeed {
	/** The CSV's last sales day (it becomes the database's yesterday). */
	lastCsvDay: string;
	salesLines: number;
	stockRows: number;
}

/** Creates the ERP database and fills it from examples/data (files for \copy go to `scratchDir`). */
export async function seedErp(postgres: Postgres, scratchDir: string): Promise<ErpSeed> {
	const inventory = readCsv('inventory.csv');
	const demand = readCsv('demand.csv');
	const lastCsvDay = demand
		.map((r) => r['Sales Date'])
		.sort()
		.at(-1) as string;

	const items = new Map<string, CsvRow>();
	for (const row of inventory) items.set(`${row.Workspace}\u0000${row.SKU}`, row);
	const itemsFile = join(scratchDir, 'items.csv');
	writeCsvFile(
		itemsFile,
		[...items.values()].map((r) => [
			r.Workspace,
			r.SKU,
			r.Description,
			r.Supplier,
			r['Unit Cost'],
			r['Unit Price'],
			r['Lead Time (days)'],
			r.MOQ,
		]),
	);
	const stockFile = join(scratchDir, 'stock.csv');
	writeCsvFile(
		stockFile,
		inventory.map((r) => [r.Workspace, r.Warehouse, r.SKU, r['On Hand']]),
	);
	const linesFile = join(scratchDir, 'sales_lines.csv');
	const lines: Array<Array<string | number>> = [];
	demand.forEach((row, index) => {
		const dayOffset = daysBetween(lastCsvDay, row['Sales Date']);
		splitIntoLines(Number(row.Units)).forEach((quantity, line) => {
			lines.push([
				`SO-${String(index + 1).padStart(6, '0')}`,
				line + 1,
				row.Workspace,
				row.Warehouse,
				row.SKU,
				dayOffset,
				LINE_TIMES[line],
				quantity,
			]);
		});
	});
	writeCsvFile(linesFile, lines);

	await postgres.createDatabase(ERP_DATABASE);
	await postgres.sql(
		ERP_DATABASE,
		`
CREATE TABLE items (
  workspace_code text NOT NULL, sku text NOT NULL, description text NOT NULL, supplier text NOT NULL,
  unit_cost numeric(12,2) NOT NULL, unit_price numeric(12,2) NOT NULL,
  lead_time_days integer NOT NULL, moq integer NOT NULL,
  PRIMARY KEY (workspace_code, sku)
);
CREATE TABLE stock (
  workspace_code text NOT NULL, warehouse text NOT NULL, sku text NOT NULL,
  on_hand numeric(12,3) NOT NULL, discontinued boolean NOT NULL DEFAULT false,
  PRIMARY KEY (workspace_code, warehouse, sku),
  FOREIGN KEY (workspace_code, sku) REFERENCES items
);
CREATE TABLE sales_lines (
  id bigserial PRIMARY KEY, order_no text NOT NULL, line_no integer NOT NULL,
  workspace_code text NOT NULL, warehouse text NOT NULL, sku text NOT NULL,
  sold_at timestamp NOT NULL, quantity numeric(12,3) NOT NULL,
  FOREIGN KEY (workspace_code, warehouse, sku) REFERENCES stock
);
CREATE TEMP TABLE staged_lines (
  order_no text, line_no integer, workspace_code text, warehouse text, sku text,
  day_offset integer, time_of_day time, quantity numeric(12,3)
);
\\copy items FROM '${itemsFile}' WITH (FORMAT csv)
\\copy stock (workspace_code, warehouse, sku, on_hand) FROM '${stockFile}' WITH (FORMAT csv)
\\copy staged_lines FROM '${linesFile}' WITH (FORMAT csv)
INSERT INTO sales_lines (order_no, line_no, workspace_code, warehouse, sku, sold_at, quantity)
  SELECT order_no, line_no, workspace_code, warehouse, sku,
         (CURRENT_DATE - 1 + day_offset) + time_of_day, quantity
  FROM staged_lines ORDER BY order_no, line_no;
-- The example reads sales(workspace_code, warehouse, sku, sold_at, quantity).
CREATE VIEW sales AS SELECT workspace_code, warehouse, sku, sold_at, quantity FROM sales_lines;
`,
	);
	return { lastCsvDay, salesLines: lines.length, stockRows: inventory.length };
}

/** The database's yesterday (YYYY-MM-DD), as the example's query computes it. */
export async function databaseYesterday(postgres: Postgres): Promise<string> {
	return await postgres.sql(ERP_DATABASE, "SELECT to_char(CURRENT_DATE - 1, 'YYYY-MM-DD');");
}

/**
 * What the example must upsert: the CSV's last day summed per workspace, warehouse and SKU, dated
 * `yesterday`.
 */
export function expectedYesterdayDemand(
	lastCsvDay: string,
	yesterday: string,
): Map<string, number> {
	const expected = new Map<string, number>();
	for (const [key, quantity] of expectedDemand(readCsv('demand.csv'))) {
		const [workspaceCode, location, code, date] = JSON.parse(key) as string[];
		if (date === lastCsvDay)
			expected.set(demandKey({ workspaceCode, location, code, date: yesterday }), quantity);
	}
	return expected;
}

/**
 * Flags all but `keep` stock rows as discontinued (as a broken ERP sync would): the inventory query
 * then returns `keep` rows. `keep` undefined clears the flags again.
 */
export async function discontinueStock(postgres: Postgres, keep?: number): Promise<void> {
	await postgres.sql(
		ERP_DATABASE,
		keep === undefined
			? 'UPDATE stock SET discontinued = false;'
			: `UPDATE stock SET discontinued = (workspace_code, warehouse, sku) NOT IN (
  SELECT workspace_code, warehouse, sku FROM stock ORDER BY 1, 2, 3 LIMIT ${keep});`,
	);
}

/** First day of the generated demand history. */
const HISTORY_START = '2024-01-01';

/** A deterministic daily quantity for the generated history (same formula in SQL and here). */
function historyQuantity(day: number, sku: string): number {
	return (day * 7 + sku.length * 3) % 50;
}

/**
 * (Re)creates `demand_history`: one row per stock row and day for `days` days, so the large upload has
 * stockRows × days rows. Returns what the sandbox must hold after that upload.
 */
export async function seedDemandHistory(
	postgres: Postgres,
	days: number,
): Promise<Map<string, number>> {
	await postgres.sql(
		ERP_DATABASE,
		`DROP TABLE IF EXISTS demand_history;
CREATE TABLE demand_history AS
  SELECT s.workspace_code, s.warehouse, s.sku,
         to_char(DATE '${HISTORY_START}' + d, 'YYYY-MM-DD') AS day,
         ((d * 7 + length(s.sku) * 3) % 50)::numeric AS quantity
  FROM stock AS s CROSS JOIN generate_series(0, ${days - 1}) AS d;`,
	);
	const expected = new Map<string, number>();
	const start = Date.parse(`${HISTORY_START}T00:00:00Z`);
	for (const row of readCsv('inventory.csv'))
		for (let day = 0; day < days; day++)
			expected.set(
				demandKey({
					workspaceCode: row.Workspace,
					location: row.Warehouse,
					code: row.SKU,
					date: new Date(start + day * 86_400_000).toISOString().slice(0, 10),
				}),
				historyQuantity(day, row.SKU),
			);
	return expected;
}
