/**
 * How fast the node's CSV reader (nodes/Paqtana/helpers/csvReader.ts) reads a realistic sales
 * export: `npm run build && node build/scripts/csvReaderThroughput.js [lines]` (default 1,000,000).
 *
 * The file is generated in memory (document order: date, location, item, description, quantity,
 * price, document number; some descriptions quoted, some with accented letters), then read in
 * 64 KiB chunks, as a file stream delivers them, several times. It prints the median and the best
 * run in MB/s and lines/s (wall clock and CPU time), and csv-parse's time on the same bytes.
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

/** Wall-clock and CPU seconds (user + system: less disturbed by a shared machine). */
function measure(run: () => unknown): { wall: number; cpu: number } {
	const start = performance.now();
	const cpuStart = process.cpuUsage();
	run();
	const cpu = process.cpuUsage(cpuStart);
	return { wall: (performance.now() - start) / 1000, cpu: (cpu.user + cpu.system) / 1e6 };
}

const lines = Number(process.argv[2] ?? 1_000_000);
const file = salesExport(lines);
const megabytes = file.length / 1e6;
const runs = Array.from({ length: RUNS }, () => measure(() => readAll(file)));
const csvParse = measure(() => parse(file, { relax_column_count: true }));
const rate = (time: number) =>
	`${time.toFixed(2)} s, ${(megabytes / time).toFixed(0)} MB/s, ` +
	`${((lines / time) * 1e-6).toFixed(2)} M lines/s`;
const wall = runs.map((run) => run.wall);
const cpu = runs.map((run) => run.cpu);
console.log(`${lines} lines, ${megabytes.toFixed(1)} MB, ${CHUNK_BYTES / 1024} KiB chunks`);
console.log(`CsvReader, median of ${RUNS}, wall clock: ${rate(median(wall))}`);
console.log(`CsvReader, median of ${RUNS}, CPU time:   ${rate(median(cpu))}`);
console.log(`CsvReader, best wall clock: ${rate(Math.min(...wall))}`);
console.log(
	`csv-parse/sync, same bytes: ${csvParse.wall.toFixed(2)} s (CPU ${csvParse.cpu.toFixed(2)} s)`,
);
