/**
 * Realistic input for the benchmark: what a first backfill looks like when it reaches the Paqtana node.
 * Demand is a year of daily sales per item and location, as exported (one line per item, location and
 * day with sales, plus a few repeated transaction lines that the node sums); inventory is an item master
 * per location. The `demand-doc-*` sets are what ERP exports of sales lines look like: document
 * order (keys shuffled) and 30 % of lines repeating an item-location-day (summed by the node).
 * Generation is deterministic, so every run and every child process sees the same rows.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { mulberry32 } from '../../sandbox/faults';

/** `csv`: every value is text, as the Extract From File / Read CSV nodes give it. `typed`: numbers and JS Dates, as a database node gives them. */
export type ValueStyle = 'csv' | 'typed';
export type Dataset =
	| 'demand-csv'
	| 'demand-typed'
	| 'demand-doc-csv'
	| 'demand-doc-typed'
	| 'inventory-csv';

export const DATASETS: readonly Dataset[] = [
	'demand-csv',
	'demand-typed',
	'demand-doc-csv',
	'demand-doc-typed',
	'inventory-csv',
];

/** The datasets of demand, which the node sums, in the order the tables list them. */
export const DEMAND_DATASETS = DATASETS.filter((dataset) => dataset.startsWith('demand'));

export function datasetResource(dataset: Dataset): 'historicalDemand' | 'masterInventory' {
	return dataset.startsWith('demand') ? 'historicalDemand' : 'masterInventory';
}

const LOCATIONS = ['WH-BERLIN', 'WH-HAMBURG', 'STORE-0142', 'STORE-0387'];
const WORKSPACE = 'EU-RETAIL';
const DAYS_PER_YEAR = 365;
/** Share of item-location-days with sales: slow movers skip days. */
const SALES_DAY_SHARE = 0.8;
/** Share of lines repeated as a second transaction line of the same day (summed by the node). */
const REPEATED_LINE_SHARE = 0.01;
const FIRST_DAY_MS = Date.UTC(2025, 0, 1);
const DAY_MS = 86_400_000;

function skuCode(item: number): string {
	return `SKU-${String(100000 + item)}`;
}

function units(random: () => number): number {
	// Mostly whole units; a few items are sold by weight.
	const count = 1 + Math.floor(random() * random() * 40);
	return random() < 0.05 ? count + 0.5 : count;
}

/** `size` demand input items: item-major, like an export sorted by item, location and day. */
export function demandItems(size: number, style: ValueStyle): INodeExecutionData[] {
	const random = mulberry32(6);
	const dayTexts = yearDayTexts();
	const items: INodeExecutionData[] = [];
	const row = (item: number, location: string, day: number): IDataObject => {
		const quantity = units(random);
		return style === 'csv'
			? {
					Workspace: WORKSPACE,
					Warehouse: location,
					SKU: skuCode(item),
					'Sales Date': dayTexts[day],
					Units: String(quantity),
				}
			: {
					Workspace: WORKSPACE,
					Warehouse: location,
					SKU: skuCode(item),
					'Sales Date': new Date(FIRST_DAY_MS + day * DAY_MS),
					Units: quantity,
				};
	};
	for (let item = 0; items.length < size; item++) {
		for (const location of LOCATIONS) {
			for (let day = 0; day < DAYS_PER_YEAR && items.length < size; day++) {
				if (random() >= SALES_DAY_SHARE) continue;
				items.push({ json: row(item, location, day) });
				if (random() < REPEATED_LINE_SHARE && items.length < size)
					items.push({ json: row(item, location, day) });
			}
		}
	}
	return items;
}

/** Share of document-order lines that repeat an earlier item-location-day. */
const DOCUMENT_REPEAT_SHARE = 0.3;
/** Item-location-days per item: a year at each location. */
const KEYS_PER_ITEM = LOCATIONS.length * DAYS_PER_YEAR;

/** The CSV header of demand lines, and one line's fields for key number `key` (item-major). */
export const DEMAND_HEADER = ['Workspace', 'Warehouse', 'SKU', 'Sales Date', 'Units'];

function dayText(day: number): string {
	return new Date(FIRST_DAY_MS + day * DAY_MS).toISOString().slice(0, 10);
}

export function demandKeyFields(key: number, dayTexts: readonly string[]): string[] {
	const item = Math.floor(key / KEYS_PER_ITEM);
	const location = LOCATIONS[Math.floor(key / DAYS_PER_YEAR) % LOCATIONS.length];
	return [WORKSPACE, location, skuCode(item), dayTexts[key % DAYS_PER_YEAR]];
}

export function yearDayTexts(): string[] {
	return Array.from({ length: DAYS_PER_YEAR }, (_, day) => dayText(day));
}

/** Shuffles in place (Fisher–Yates) with the given random source. */
export function shuffle(values: Int32Array, random: () => number): Int32Array {
	for (let index = values.length - 1; index > 0; index--) {
		const other = Math.floor(random() * (index + 1));
		const value = values[index];
		values[index] = values[other];
		values[other] = value;
	}
	return values;
}

/**
 * Key number per line in document order: `distinct` keys, each at least once, the other lines
 * repeating a random key; all lines shuffled, so a key's lines are spread over the whole file.
 */
export function documentOrderKeys(lines: number, distinct: number, seed: number): Int32Array {
	const random = mulberry32(seed);
	const keys = new Int32Array(lines);
	for (let line = 0; line < lines; line++)
		keys[line] = line < distinct ? line : Math.floor(random() * distinct);
	return shuffle(keys, random);
}

/** `size` demand items in document order, 30 % repeated keys; typed: ISO date texts and numbers. */
export function documentOrderDemandItems(size: number, style: ValueStyle): INodeExecutionData[] {
	const random = mulberry32(8);
	const dayTexts = yearDayTexts();
	const keys = documentOrderKeys(size, Math.ceil(size * (1 - DOCUMENT_REPEAT_SHARE)), 9);
	const items: INodeExecutionData[] = new Array(size);
	for (let line = 0; line < size; line++) {
		const [workspace, location, sku, day] = demandKeyFields(keys[line], dayTexts);
		const quantity = units(random);
		items[line] = {
			json: {
				Workspace: workspace,
				Warehouse: location,
				SKU: sku,
				'Sales Date': day,
				Units: style === 'csv' ? String(quantity) : quantity,
			},
		};
	}
	return items;
}

/** One demand line of a CSV file (the fields need no quoting). */
export function demandCsvLine(key: number, dayTexts: readonly string[], random: () => number) {
	return `${demandKeyFields(key, dayTexts).join(',')},${units(random)}\n`;
}

const PRODUCTS = [
	'Organic Rolled Oats',
	'Crème Fraîche',
	'Basmati Rice',
	'Müsli Classic',
	'Espresso Beans',
	'Olive Oil Extra Virgin',
	'Sparkling Water',
	'Whole Wheat Pasta',
	'Dark Chocolate 70%',
	'Tomato Passata',
	'Greek Yoghurt',
	'Peanut Butter "Crunchy"',
];
const PACKS = ['250 g', '500 g', '1 kg', '6 × 1.5 l', '12 pcs', '400 ml'];
const SUPPLIERS = ['Nordmühle GmbH', 'Agrarco BV', 'Café Import Ltd', 'Hanse Foods', 'Olivar S.L.'];

function money(random: () => number, max: number): string {
	return (0.5 + random() * max).toFixed(2);
}

/** `size` master inventory input items (CSV-like text values): one line per item and location. */
export function inventoryItems(size: number): INodeExecutionData[] {
	const random = mulberry32(7);
	const items: INodeExecutionData[] = [];
	for (let item = 0; items.length < size; item++) {
		const description = `${PRODUCTS[item % PRODUCTS.length]} ${PACKS[item % PACKS.length]}`;
		const supplier = SUPPLIERS[item % SUPPLIERS.length];
		const cost = money(random, 20);
		for (const location of LOCATIONS) {
			if (items.length >= size) break;
			items.push({
				json: {
					Workspace: WORKSPACE,
					Location: location,
					'Item Code': skuCode(item),
					Description: description,
					Supplier: supplier,
					'On Hand': String(Math.floor(random() * 500)),
					'Unit Cost': cost,
					'Unit Price': (Number(cost) * 1.4).toFixed(2),
					'Lead Time Days': String(3 + (item % 25)),
					MOQ: String(6 * (1 + (item % 4))),
				},
			});
		}
	}
	return items;
}

export function datasetItems(dataset: Dataset, size: number): INodeExecutionData[] {
	if (dataset === 'demand-csv') return demandItems(size, 'csv');
	if (dataset === 'demand-typed') return demandItems(size, 'typed');
	if (dataset === 'demand-doc-csv') return documentOrderDemandItems(size, 'csv');
	if (dataset === 'demand-doc-typed') return documentOrderDemandItems(size, 'typed');
	return inventoryItems(size);
}
