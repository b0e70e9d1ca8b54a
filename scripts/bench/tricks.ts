/**
 * A/B of the node's speed tricks: the node's own processing (`processLikeTheNode`) on a million
 * rows, with a trick as the node has it (A) and replaced by plain code written here (B). The
 * variants swap the node module's export at run time, so the node itself has no switches. A and B
 * alternate in one process (A B B A A B …), after a garbage collection each, so the noise of the
 * shared machine and the JIT's warm-up fall on both; the ratio B / A is reported separately for
 * pairs run A-then-B and B-then-A.
 *
 *     npm run build && node --expose-gc build/scripts/bench/tricks.js [trick[:dataset] ...] \
 *       [--rows=1000000] [--pairs=6]
 */
import { createHash } from 'node:crypto';

import * as batching from '../../nodes/Paqtana/helpers/batching';
import { isCalendarDay } from '../../nodes/Paqtana/helpers/calendar';
import * as normalise from '../../nodes/Paqtana/helpers/normalise';
import * as rowIndex from '../../nodes/Paqtana/helpers/rowIndex';
import * as rowTable from '../../nodes/Paqtana/helpers/rowTable';
import type { PassThrough, WireRow } from '../../nodes/Paqtana/helpers/rowTable';
import * as serializer from '../../nodes/Paqtana/helpers/serializer';
import type { WireField } from '../../nodes/Paqtana/helpers/wireFormat';
import { type Dataset, datasetItems, datasetResource } from './data';
import { processLikeTheNode } from './nodeProcessing';
import { median } from './stats';

/** The modules' exports, writable (tsc's CommonJS output reads them at each call). */
const exportsOf = <T>(module: T) => module as { -readonly [K in keyof T]: T[K] };

/** Serializer without the previous row's prefix (and its flattening); quoting as the node does. */
function serializerWithoutPrefixCache(fields: readonly WireField[]): serializer.RowSerializer {
	const firsts = fields.map((field) => `{${JSON.stringify(field.id)}:`);
	const nexts = fields.map((field) => `,${JSON.stringify(field.id)}:`);
	const firstsQuoted = firsts.map((opening) => opening + '"');
	const nextsQuoted = nexts.map((opening) => opening + '"');
	const isNumber = fields.map((field) => field.kind === 'number');
	const isDate = fields.map((field) => field.kind === 'date');
	const plainText = (text: string) => JSON.stringify(text).length === text.length + 2;
	return (values, offset, extra) => {
		let json = '';
		for (let i = 0; i < fields.length; i++) {
			const value = values[offset + i];
			if (value === undefined) continue;
			if (isNumber[i]) json = (json === '' ? firsts[i] : json + nexts[i]) + String(value);
			else if (isDate[i] || plainText(value as string))
				json = (json === '' ? firstsQuoted[i] : json + nextsQuoted[i]) + (value as string) + '"';
			else json = (json === '' ? firsts[i] : json + nexts[i]) + JSON.stringify(value);
		}
		if (extra !== undefined) json += (json === '' ? '{' : ',') + extra;
		return json === '' ? '{}' : json + '}';
	};
}

/** The plain serializer: each property's name and `JSON.stringify` of its value, nothing kept. */
function plainSerializer(fields: readonly WireField[]): serializer.RowSerializer {
	const names = fields.map((field) => JSON.stringify(field.id) + ':');
	return (values, offset, extra) => {
		let json = '';
		for (let i = 0; i < fields.length; i++) {
			const value = values[offset + i];
			if (value !== undefined) json += (json === '' ? '{' : ',') + names[i] + JSON.stringify(value);
		}
		if (extra !== undefined) json += (json === '' ? '{' : ',') + extra;
		return json === '' ? '{}' : json + '}';
	};
}

// `any`: the variants reach the index's private members (hidden from subclasses by TypeScript).
/* eslint-disable @typescript-eslint/no-explicit-any */
/** The row index hashing from the first row on (no in-order detection). */
class HashOnlyRowIndex extends rowIndex.RowIndex {
	constructor(...args: ConstructorParameters<typeof rowIndex.RowIndex>) {
		super(...args);
		(this as any).switchToHashing();
	}
}

/* eslint-enable @typescript-eslint/no-explicit-any */

/** The row table keeping every block until it is dropped (no release while batching). */
class UnreleasedRowTable extends rowTable.RowTable {
	override releaseBefore(): void {}
}

/** One array for all rows instead of blocks of 4,096 (nothing released). */
class SingleArrayRowTable extends rowTable.RowTable {
	private values: unknown[] = [];
	private extrasByRow = new Map<number, PassThrough>();
	private count = 0;
	override get length(): number {
		return this.count;
	}
	override draft(): unknown[] {
		return this.values;
	}
	override commit(extra: PassThrough | undefined): void {
		if (extra !== undefined) this.extrasByRow.set(this.count, extra);
		this.count++;
	}
	override replaceWithDraft(position: number, extra: PassThrough | undefined): void {
		this.moveRow(this.count, position);
		if (extra !== undefined) this.extrasByRow.set(position, extra);
		else this.extrasByRow.delete(position);
	}
	override moveRow(from: number, to: number): void {
		for (let field = 0; field < this.width; field++)
			this.values[to * this.width + field] = this.values[from * this.width + field];
		const extra = this.extrasByRow.get(from);
		if (extra !== undefined) this.extrasByRow.set(to, extra);
		else this.extrasByRow.delete(to);
	}
	override truncate(length: number): void {
		for (let row = length; row < this.count; row++) this.extrasByRow.delete(row);
		this.count = length;
		this.values.length = length * this.width;
	}
	override get(position: number, field: number): unknown {
		return this.values[position * this.width + field];
	}
	override set(position: number, field: number, value: unknown): void {
		this.values[position * this.width + field] = value;
	}
	override blockOf(): unknown[] {
		return this.values;
	}
	override offsetOf(position: number): number {
		return position * this.width;
	}
	override blockEndOf(): number {
		return Number.MAX_SAFE_INTEGER;
	}
	override extraOf(position: number): PassThrough | undefined {
		return this.extrasByRow.size === 0 ? undefined : this.extrasByRow.get(position);
	}
	override row(position: number): WireRow {
		return rowTable.rowObject(
			this.fields,
			this.values,
			position * this.width,
			this.extraOf(position),
		);
	}
	override releaseBefore(): void {}
}

/** Batching row by row: each row's text appended and measured on its own (no groups of 2,048). */
const buildBatchesRowByRow: typeof batching.buildBatches = (
	prepared,
	serialize,
	describeRowKey,
	maxBytes,
) => {
	const { table, rowItems, mergedItems } = prepared;
	const batches: batching.Batch[] = [];
	let body = '';
	let bytes = 2;
	let items: number[] = [];
	let sample: WireRow[] = [];
	let count = 0;
	let firstKey = '';
	const close = (lastRow: number) => {
		if (count === 0) return;
		const lastKey = describeRowKey(table.row(lastRow));
		batches.push({ body: `[${body}]`, bytes, rows: count, items, sample, firstKey, lastKey });
		[body, bytes, items, sample, count] = ['', 2, [], [], 0];
	};
	for (let index = 0; index < table.length; index++) {
		const json = serialize(table.blockOf(index), table.offsetOf(index), table.extraOf(index));
		const rowBytes = Buffer.byteLength(json, 'utf8');
		if (rowBytes + 2 > maxBytes) return { itemIndex: rowItems[index], bytes: rowBytes + 2 };
		if (count > 0 && bytes + 1 + rowBytes > maxBytes) close(index - 1);
		if (count === 0) firstKey = describeRowKey(table.row(index));
		body = count === 0 ? json : body + ',' + json;
		bytes += (count === 0 ? 0 : 1) + rowBytes;
		count++;
		items.push(rowItems[index], ...mergedItems.itemsOf(index));
		if (sample.length < batching.SAMPLE_ROWS) sample.push(table.row(index));
	}
	close(table.length - 1);
	return batches;
};

const MS_PER_DAY = 86_400_000;
const ISO_DATE_PREFIX = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:$|[T ]\d)/;

/** Days: ISO text through the regular expression and a new string, as other date text is. */
const convertWithoutIsoDayFastPath: typeof normalise.convert = (kind, value, options) => {
	if (kind !== 'date' || typeof value !== 'string') return nodeConvert(kind, value, options);
	const match = ISO_DATE_PREFIX.exec(value.trim());
	if (match === null) return nodeConvert(kind, value, options);
	const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
	if (!isCalendarDay(year, month, day) || year < options.earliestYear || year > options.latestYear)
		return nodeConvert(kind, value, options);
	const pad = (part: number, width: number) => String(part).padStart(width, '0');
	return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
};

/** JS Dates at UTC midnight: `toISOString` per row instead of the cache. */
const convertWithoutDayCache: typeof normalise.convert = (kind, value, options) => {
	if (kind !== 'date' || !(value instanceof Date) || value.getTime() % MS_PER_DAY !== 0)
		return nodeConvert(kind, value, options);
	const day = value.toISOString().slice(0, 10);
	const year = Number(day.slice(0, 4));
	return year >= options.earliestYear && year <= options.latestYear
		? day
		: nodeConvert(kind, value, options);
};

const nodeConvert = normalise.convert;
const nodeSumQuantities = normalise.sumQuantities;
const nodeSerializer = serializer.compileRowSerializer;
const NodeRowIndex = rowIndex.RowIndex;
const NodeRowTable = rowTable.RowTable;
const nodeBuildBatches = batching.buildBatches;

interface Trick {
	datasets: Dataset[];
	/** Puts the plain code in place of the trick. */
	plain: () => void;
}

const TRICKS: Record<string, Trick> = {
	'serializer-prefix-cache': {
		datasets: ['demand-csv', 'inventory-csv', 'demand-doc-csv'],
		plain: () => (exportsOf(serializer).compileRowSerializer = serializerWithoutPrefixCache),
	},
	'serializer-all': {
		datasets: ['demand-csv', 'inventory-csv', 'demand-doc-csv'],
		plain: () => (exportsOf(serializer).compileRowSerializer = plainSerializer),
	},
	'index-in-order': {
		datasets: ['demand-csv'],
		plain: () => (exportsOf(rowIndex).RowIndex = HashOnlyRowIndex),
	},
	'table-release': {
		datasets: ['demand-csv'],
		plain: () => (exportsOf(rowTable).RowTable = UnreleasedRowTable),
	},
	'table-blocks': {
		datasets: ['demand-csv', 'inventory-csv'],
		plain: () => (exportsOf(rowTable).RowTable = SingleArrayRowTable),
	},
	'batching-groups': {
		datasets: ['demand-csv', 'inventory-csv', 'demand-doc-csv'],
		plain: () => (exportsOf(batching).buildBatches = buildBatchesRowByRow),
	},
	'normalise-iso-day': {
		datasets: ['demand-csv'],
		plain: () => (exportsOf(normalise).convert = convertWithoutIsoDayFastPath),
	},
	'sum-quarter-units': {
		datasets: ['demand-doc-csv', 'demand-doc-typed'],
		plain: () => (exportsOf(normalise).sumQuantities = (a, b) => Number((a + b).toPrecision(15))),
	},
	'normalise-day-cache': {
		datasets: ['demand-typed'],
		plain: () => (exportsOf(normalise).convert = convertWithoutDayCache),
	},
};

function useNodeCode(): void {
	exportsOf(normalise).convert = nodeConvert;
	exportsOf(normalise).sumQuantities = nodeSumQuantities;
	exportsOf(serializer).compileRowSerializer = nodeSerializer;
	exportsOf(rowIndex).RowIndex = NodeRowIndex;
	exportsOf(rowTable).RowTable = NodeRowTable;
	exportsOf(batching).buildBatches = nodeBuildBatches;
}

const gc = (globalThis as { gc?: () => void }).gc;

interface Run {
	ms: number;
	/** CPU time of the process (the garbage collector's threads included): less disturbed by other jobs on a shared machine. */
	cpuMs: number;
	/** Heap still used after a collection, with the result (the request bodies) still held. */
	retainedMb: number;
	digest: string;
}

function run(items: Parameters<typeof processLikeTheNode>[0], dataset: Dataset): Run {
	gc?.();
	const start = performance.now();
	const startCpu = process.cpuUsage();
	const result = processLikeTheNode(items, datasetResource(dataset));
	const ms = performance.now() - start;
	const cpu = process.cpuUsage(startCpu);
	const cpuMs = (cpu.user + cpu.system) / 1000;
	gc?.();
	const retainedMb = process.memoryUsage().heapUsed / 1e6;
	const hash = createHash('sha1');
	for (const batch of result.batches) hash.update(batch.body).update(batch.items.join(','));
	return { ms, cpuMs, retainedMb, digest: hash.digest('hex') };
}

function main(): void {
	const args = process.argv.slice(2);
	const rows = Number(args.find((a) => a.startsWith('--rows='))?.slice(7) ?? 1_000_000);
	const pairs = Number(args.find((a) => a.startsWith('--pairs='))?.slice(8) ?? 6);
	const names = args.filter((a) => !a.startsWith('--'));
	if (gc === undefined) throw new Error('run with node --expose-gc');
	// `name` runs the trick on each of its datasets, `name:dataset` on that one.
	for (const chosen of names.length > 0 ? names : Object.keys(TRICKS)) {
		const [name, only] = chosen.split(':') as [string, Dataset | undefined];
		const trick = TRICKS[name];
		if (trick === undefined) throw new Error(`unknown trick ${name}`);
		for (const dataset of only !== undefined ? [only] : trick.datasets) {
			const items = datasetItems(dataset, rows);
			const measure = (variant: 'A' | 'B') => {
				useNodeCode();
				if (variant === 'B') trick.plain();
				return run(items, dataset);
			};
			measure('A');
			measure('B'); // warm-up, not counted
			const a: Run[] = [];
			const b: Run[] = [];
			const ratiosAB: number[] = [];
			const ratiosBA: number[] = [];
			const cpuRatiosAB: number[] = [];
			const cpuRatiosBA: number[] = [];
			// A B, B A, A B, …: each pair's ratio B / A, by the order it ran in.
			for (let pair = 0; pair < pairs; pair++) {
				const aFirst = pair % 2 === 0;
				const first = measure(aFirst ? 'A' : 'B');
				const second = measure(aFirst ? 'B' : 'A');
				const [runA, runB] = aFirst ? [first, second] : [second, first];
				a.push(runA);
				b.push(runB);
				(aFirst ? ratiosAB : ratiosBA).push(runB.ms / runA.ms);
				(aFirst ? cpuRatiosAB : cpuRatiosBA).push(runB.cpuMs / runA.cpuMs);
			}
			useNodeCode();
			const same = a.every((r) => r.digest === b[0].digest);
			const fmt = (x: number) => x.toFixed(0);
			console.log(
				[
					name.padEnd(24),
					dataset.padEnd(14),
					`rows ${rows}`,
					`A(trick) median ${fmt(median(a.map((r) => r.ms)))} ms`,
					`B(plain) median ${fmt(median(b.map((r) => r.ms)))} ms`,
					`B/A A-B ${median(ratiosAB).toFixed(3)}`,
					`B/A B-A ${median(ratiosBA).toFixed(3)}`,
					`CPU B/A A-B ${median(cpuRatiosAB).toFixed(3)} B-A ${median(cpuRatiosBA).toFixed(3)}`,
					`retained MB A ${fmt(median(a.map((r) => r.retainedMb)))}` +
						` B ${fmt(median(b.map((r) => r.retainedMb)))}`,
					same ? 'same output' : 'OUTPUT DIFFERS',
				].join(' | '),
			);
		}
	}
}

main();
