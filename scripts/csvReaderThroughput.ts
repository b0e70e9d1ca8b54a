/**
 * How fast the node's CSV reader (nodes/Paqtana/helpers/csvReader.ts) reads a realistic sales
 * export: `npm run build && node build/scripts/csvReaderThroughput.js [lines]` (default 1,000,000).
 *
 * The file is generated in memory (document order: date, location, item, description, quantity,
 * price, document number; some descriptions quoted, some with accented letters), then read in
 * 64 KiB chunks, as a file stream delivers them, several times. It prints the median and the best
 * run in MB/s and lines/s, and csv-parse's time on the same bytes for comparison.
 */
import { parse } from 'csv-parse/sync';

import { CsvReader } from '../nodes/Paqtana/helpers/csvReader';
import { mulberry32 } from '../sandbox/faults';
import { median } from './bench/stats';

const CHUNK_BYTES = 64 * 1024;
const RUNS = 5;

function salesExport(lines: number): Buffer {
	const random = mulberry32(14);
	const names = [
		'Crème fraîche 200 g',
		'Bolt M8x40, zinc',
		'Pipe 3/4" copper',
		'Pizza "Roma" 350 g',
	];
	const parts = ['date,location,item code,description,quantity,unit price,document\n'];
	for (let line = 0; line < lines; line++) {
		const day = 1 + Math.floor(line / (lines / 365 + 1));
		const date = new Date(Date.UTC(2025, 0, day)).toISOString().slice(0, 10);
		const name = names[Math.floor(random() * names.length)];
		// Fields with a comma or a quote are quoted, as spreadsheet programs write them.
		const description = /[,"]/.test(name) ? `"${name.replace(/"/g, '""')}"` : name;
		const quantity = 1 + Math.floor(random() * 40);
		const price = (random() * 100).toFixed(2);
		const item = `SKU-${100000 + Math.floor(random() * 50000)}`;
		const store = `STORE-${String(Math.floor(random() * 400)).padStart(4, '0')}`;
		parts.push(
			`${date},${store},${item},${description},${quantity},${price},INV-${900000 + line}\n`,
		);
	}
	return Buffer.from(parts.join(''));
}

function readAll(file: Buffer): number {
	let records = 0;
	const reader = new CsvReader({}, () => records++);
	for (let offset = 0; offset < file.length; offset += CHUNK_BYTES) {
		reader.push(file.subarray(offset, offset + CHUNK_BYTES));
	}
	reader.end();
	return records;
}

function seconds(run: () => unknown): number {
	const start = performance.now();
	run();
	return (performance.now() - start) / 1000;
}

const lines = Number(process.argv[2] ?? 1_000_000);
const file = salesExport(lines);
const megabytes = file.length / 1e6;
const times = Array.from({ length: RUNS }, () => seconds(() => readAll(file)));
const csvParse = seconds(() => parse(file, { relax_column_count: true }));
const rate = (time: number) =>
	`${(megabytes / time).toFixed(0)} MB/s, ${((lines / time) * 1e-6).toFixed(2)} M lines/s`;
console.log(`${lines} lines, ${megabytes.toFixed(1)} MB, ${CHUNK_BYTES / 1024} KiB chunks`);
console.log(`CsvReader, median of ${RUNS}: ${median(times).toFixed(2)} s, ${rate(median(times))}`);
console.log(`CsvReader, best: ${Math.min(...times).toFixed(2)} s, ${rate(Math.min(...times))}`);
console.log(`csv-parse/sync, same bytes: ${csvParse.toFixed(2)} s`);
