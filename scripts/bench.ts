/**
 * `npm run bench`: how fast, and in how much memory, the node turns a large backfill into requests.
 *
 * For demand rows (text values as from a CSV file, and typed values as from a database) and master
 * inventory rows, at each size it measures, each in fresh child processes (scripts/bench/worker.ts):
 * - `JSON.stringify` of the final rows: the floor for producing the payload;
 * - the node's own processing (`prepareUpload`: map, normalise, validate, deduplicate, serialise, batch),
 *   interleaved with the floor in the same process, medians of several runs;
 * - the heap that processing adds on top of its input: its live data at its fullest (scripts/bench/liveMemory.ts)
 *   and V8's peak used heap, garbage not yet collected included (scripts/bench/memory.ts);
 * - the whole path through n8n's real execution engine into the local sandbox over HTTP;
 * - what validating every row costs with zod 3, zod 4 and the compiled check.
 * It prints tables and writes the numbers as JSON (BENCH_OUT, default bench-results.json) so a later
 * change can be compared.
 *
 * - the demand datasets through the engine with Dry Run: the node's `execute` as n8n runs it, over the
 *   same JSON.stringify floor;
 * - the streaming CSV run: a CSV file of PAQTANA_BENCH_CSV_LINES demand lines (document order, a quarter
 *   as many distinct keys) written to a temp folder, read by the node (Input Data "CSV File", Dry Run)
 *   through the engine with --max-old-space-size=2048.
 *
 * - typed demand items (as from a database) through the engine, handed over as n8n hands on an upstream
 *   node's output: the items' own heap, n8n's per-node copies of them, and the heap the node adds on top
 *   (live and peak), per million items; optionally, which item counts complete under a 2 GB heap.
 *
 * Environment: BENCH_SIZES=10000,100000 (default 10000,100000,1000000), BENCH_RUNS (timing runs per
 * size), BENCH_ENGINE_MAX (largest size sent through the engine, default 1000000), BENCH_MEMORY=0 (skip
 * the heap measurements), BENCH_ONLY=items (only the typed items' heap, JSON to bench-results-items.json
 * unless BENCH_OUT), BENCH_ITEMS_LIMIT=3000000,4000000 (item counts to try under
 * --max-old-space-size=2048, items shared and copied by the harness; default none),
 * PAQTANA_BENCH_CSV_LINES (default 10000000; 0 skips the streaming run), BENCH_OUT.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';

import { DEFAULT_MAX_BODY_BYTES } from '../nodes/Paqtana/helpers/wireFormat';
import { startSandbox } from '../sandbox/server';
import { writeDemandCsvFile } from './bench/csvFile';
import { type Dataset, DATASETS, DEMAND_DATASETS } from './bench/data';
import { median } from './bench/stats';
import type {
	CsvStreamResult,
	EngineResult,
	HeapResult,
	ItemsResult,
	Job,
	JobResult,
	LiveResult,
	ProgressMessage,
	TimingResult,
	ValidationResult,
} from './bench/worker';
import { ENGINE_STAGES } from './bench/liveMemory';

const REPO_ROOT = resolve(__dirname, '..', '..');
const WORKER = join(__dirname, 'bench', 'worker.js');
const ORG = 'BENCH';
const TOKEN = 'bench-token';
const MB = 1_000_000;
/** The engine path holds the input twice (the harness copies it, as items arriving from another node) plus n8n's own data. */
const ENGINE_HEAP_MB = 8192;
/** The heap limit of the streaming CSV run: a small n8n. */
const CSV_HEAP_MB = 2048;
/** Lines per distinct item-location-day in the streaming CSV file. */
const CSV_LINES_PER_KEY = 4;
/** Heap measurements repeated per dataset and size (median reported). */
const HEAP_RUNS = 3;

const TARGETS = { nodeToStringify: 1.5, heapToPayload: 1.5 };

const METHOD = {
	processing:
		"prepareUpload (the node's own processing, as both operations call it) on items shaped like n8n items ({ json }), auto-mapping, default options; " +
		'interleaved with JSON.stringify of the same final rows in one fresh process; gc() before each run (not timed); the first, cold pair dropped; medians of wall time',
	memory:
		'one fresh process per measurement; heap = V8 used heap + external (ArrayBuffer) memory; baseline = heap after gc() with the input items built; ' +
		'peak = the larger of the heap before each garbage collection during the phase (v8.GCProfiler) and at its end; heap added = peak - baseline, ' +
		'garbage V8 had not yet needed to collect included; ' +
		'live = heap after forced full collections at sampling points: every 1/20 of the input while rows are prepared (a getter on sampled items), ' +
		'after preparing and after batching (batching moves data from rows to batches linearly, so its highest point is at one of those ends)',
	items:
		"typed demand items through test/harness runNode with shareItems (the node gets the items themselves, as n8n hands on an upstream node's output), Dry Run; " +
		"items' heap = heap after gc() with the items built minus before; n8n's copies = live heap when the node's execute starts (n8n-core's addPairedItemLineage); " +
		'node live = highest live heap at the later stages (every 1/20 of the items read, via a getter on a column; after buildBatches; after the last output item; after execute) minus that; ' +
		"node peak = V8's highest used heap during execute (GCProfiler) over the heap after gc() when it starts; kept = heap after the run with its result referenced",
	engine:
		`test/harness runNode: n8n-core's WorkflowExecute runs the real Paqtana node with real credentials; the sandbox runs in the parent process and is reached over HTTP; ` +
		`--max-old-space-size=${ENGINE_HEAP_MB}; the total includes the harness copying the input items (as items arriving from another node would be)`,
};

function sizesFromEnvironment(): number[] {
	const text = process.env.BENCH_SIZES ?? '10000,100000,1000000';
	const sizes = text.split(',').map((entry) => Number(entry.trim()));
	if (sizes.some((size) => !Number.isInteger(size) || size <= 0))
		throw new Error(`BENCH_SIZES must be positive integers, got "${text}"`);
	return sizes;
}

/** More runs for small sizes, whose times are short and noisy; 7 at a million rows, where the target is judged. */
function timingRuns(size: number): number {
	const configured = Number(process.env.BENCH_RUNS);
	if (Number.isInteger(configured) && configured > 0) return configured;
	return size <= 10_000 ? 15 : 7;
}

function engineRuns(size: number): number {
	return size >= 1_000_000 ? 2 : 3;
}

/** Runs one job in a fresh process; `onProgress` hears what the job reports while it runs. */
function runJob<T extends JobResult>(
	job: Job,
	nodeFlags: string[] = [],
	onProgress?: (message: ProgressMessage) => void,
): Promise<T> {
	return new Promise((resolvePromise, reject) => {
		const child = fork(WORKER, [], {
			execArgv: ['--expose-gc', ...nodeFlags],
			stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
		});
		let answered = false;
		child.on(
			'message',
			(message: JobResult | ProgressMessage | { kind: 'error'; message: string }) => {
				if (message.kind === 'progress') {
					onProgress?.(message);
					return;
				}
				answered = true;
				if (message.kind === 'error')
					reject(new Error(`${job.kind} job failed: ${message.message}`));
				else resolvePromise(message as T);
			},
		);
		child.once('exit', (code, signal) => {
			if (!answered)
				reject(
					new Error(
						`${job.kind} job for ${JSON.stringify(job)} exited (${signal ?? code}) without a result`,
					),
				);
		});
		child.send(job);
	});
}

interface ProcessingSummary {
	dataset: Dataset;
	size: number;
	rows: number;
	payloadBytes: number;
	batches: number;
	largestBatchBytes: number;
	stringifyMs: number;
	nodeMs: number;
	nodeToStringify: number;
	/** The fastest node run over the fastest stringify run: noise on a shared machine only ever adds time. */
	fastestToFastest: number;
	stringifyRuns: number[];
	nodeRuns: number[];
	/** Document-order demand: the lower bound's median (scripts/bench/floor.ts: the least work, done the fastest way measured). */
	floorMs?: number;
}

interface MemorySummary {
	dataset: Dataset;
	size: number;
	payloadBytes: number;
	nodeHeapAddedBytes: number;
	nodeHeapToPayload: number;
	nodeRetainedBytes: number;
	nodePeakRssBytes: number;
	stringifyHeapAddedBytes: number;
	/** Highest live heap above the input (forced collections at sampling points, scripts/bench/liveMemory.ts). */
	liveAddedBytes: number;
	liveToPayload: number;
	live: LiveResult;
	runs: HeapResult[];
}

interface EngineSummary {
	dataset: Dataset;
	size: number;
	rows: number;
	payloadBytes: number;
	batches: number;
	largestRequestBytes: number;
	totalMs: number;
	executeMs: number;
	heapAddedBytes: number;
	peakRssBytes: number;
	runs: EngineResult[];
}

function heapAdded(result: HeapResult | EngineResult): number {
	return result.memory.peakHeap - result.memory.baselineHeap;
}

async function measureProcessing(dataset: Dataset, size: number): Promise<ProcessingSummary> {
	const result = await runJob<TimingResult>({
		kind: 'timing',
		dataset,
		size,
		runs: timingRuns(size),
	});
	const stringifyMs = median(result.stringifyMs);
	const nodeMs = median(result.nodeMs);
	return {
		dataset,
		size,
		rows: result.rows,
		payloadBytes: result.payloadBytes,
		batches: result.batches,
		largestBatchBytes: result.largestBatchBytes,
		stringifyMs,
		nodeMs,
		nodeToStringify: nodeMs / stringifyMs,
		fastestToFastest: Math.min(...result.nodeMs) / Math.min(...result.stringifyMs),
		stringifyRuns: result.stringifyMs,
		nodeRuns: result.nodeMs,
		...(result.floorMs ? { floorMs: median(result.floorMs) } : {}),
	};
}

async function measureMemory(dataset: Dataset, size: number): Promise<MemorySummary> {
	const runs: HeapResult[] = [];
	for (let run = 0; run < HEAP_RUNS; run++)
		runs.push(await runJob<HeapResult>({ kind: 'heap', dataset, size, subject: 'node' }));
	const stringify = await runJob<HeapResult>({ kind: 'heap', dataset, size, subject: 'stringify' });
	const payloadBytes = runs[0].payloadBytes;
	const added = median(runs.map(heapAdded));
	const live = await runJob<LiveResult>({ kind: 'live', dataset, size });
	const liveAddedBytes = Math.max(live.whilePreparing, live.prepared, live.batched);
	return {
		dataset,
		size,
		payloadBytes,
		nodeHeapAddedBytes: added,
		nodeHeapToPayload: added / payloadBytes,
		nodeRetainedBytes: median(runs.map((run) => run.memory.retainedHeap - run.memory.baselineHeap)),
		nodePeakRssBytes: median(runs.map((run) => run.memory.peakRss)),
		stringifyHeapAddedBytes: heapAdded(stringify),
		liveAddedBytes,
		liveToPayload: liveAddedBytes / payloadBytes,
		live,
		runs,
	};
}

async function measureEngine(
	dataset: Dataset,
	size: number,
	baseUrl: string,
	requestSizes: () => number[],
	reset: () => void,
	dryRun = false,
): Promise<EngineSummary> {
	const runs: EngineResult[] = [];
	let largestRequestBytes = 0;
	for (let run = 0; run < engineRuns(size); run++) {
		reset();
		const result = await runJob<EngineResult>(
			{ kind: 'engine', dataset, size, baseUrl, orgCode: ORG, token: TOKEN, dryRun },
			[`--max-old-space-size=${ENGINE_HEAP_MB}`],
		);
		if (result.error !== undefined)
			throw new Error(`${dataset} ${size} through the engine failed: ${result.error}`);
		largestRequestBytes = Math.max(largestRequestBytes, ...requestSizes());
		runs.push(result);
	}
	return {
		dataset,
		size,
		rows: runs[0].rows,
		payloadBytes: runs[0].payloadBytes,
		batches: runs[0].batches,
		largestRequestBytes,
		totalMs: median(runs.map((run) => run.totalMs)),
		executeMs: median(runs.map((run) => run.executeMs)),
		heapAddedBytes: median(runs.map(heapAdded)),
		peakRssBytes: median(runs.map((run) => run.memory.peakRss)),
		runs,
	};
}

function csvLinesFromEnvironment(): number {
	const text = process.env.PAQTANA_BENCH_CSV_LINES ?? '10000000';
	const lines = Number(text);
	if (!Number.isInteger(lines) || lines < 0)
		throw new Error(
			`PAQTANA_BENCH_CSV_LINES must be 0 (skip) or a positive integer, got "${text}"`,
		);
	return lines;
}

interface CsvStreamSummary extends CsvStreamResult {
	fileBytes: number;
	distinctKeys: number;
	writeMs: number;
}

/** Writes the CSV file to a temp folder, runs the node on it in a fresh process, removes the folder. */
async function measureCsvStream(lines: number): Promise<CsvStreamSummary> {
	const folder = mkdtempSync(join(tmpdir(), 'paqtana-bench-'));
	try {
		const file = join(folder, 'demand.csv');
		const distinctKeys = Math.ceil(lines / CSV_LINES_PER_KEY);
		const started = performance.now();
		const fileBytes = await writeDemandCsvFile(file, lines, distinctKeys);
		const writeMs = performance.now() - started;
		const result = await runJob<CsvStreamResult>({ kind: 'csvStream', file, lines }, [
			`--max-old-space-size=${CSV_HEAP_MB}`,
		]);
		if (result.error !== undefined)
			throw new Error(`the streaming CSV run failed: ${result.error}`);
		return { ...result, fileBytes, distinctKeys, writeMs };
	} finally {
		rmSync(folder, { recursive: true, force: true });
	}
}

/** Typed values (numbers and JS Dates or date texts), as a database node gives them: issue 10 point 16. */
const ITEMS_DATASETS = ['demand-typed', 'demand-doc-typed'] as const;
/** The heap limit of the runs that look for the largest item count that completes: a small n8n. */
const ITEMS_LIMIT_HEAP_MB = 2048;

interface ItemsSummary {
	dataset: Dataset;
	size: number;
	rows: number;
	payloadBytes: number;
	/** Heap of the input items themselves. */
	itemsHeapBytes: number;
	/** n8n's own copies of the items at the node's input (`{ ...item, pairedItem }` each), live. */
	engineCopyBytes: number;
	/** Highest live heap the node added above its input as n8n handed it over (any stage). */
	nodeLiveAddedBytes: number;
	/** V8's highest used heap during the node's `execute` above its input, garbage included (median). */
	nodePeakAddedBytes: number;
	/** Heap still held after the run (n8n's run data: the output items and their pairing). */
	keptBytes: number;
	live: ItemsResult;
	runs: ItemsResult[];
}

interface ItemsLimitRun {
	dataset: Dataset;
	size: number;
	/** n8n's own hand-over (the same objects), or the harness's JSON copy. */
	input: 'shared' | 'copied';
	completed: boolean;
	itemsHeapBytes?: number;
	/** Completed runs: V8's highest used heap above the items. */
	peakAddedBytes?: number;
	/** Runs that died: the last stage sampled and the live heap above the items then (n8n's copies included). */
	lastStage?: ProgressMessage['stage'];
	lastStageBytes?: number;
	exit?: string;
	error?: string;
}

interface ItemsPart {
	cases: ItemsSummary[];
	limitRuns: ItemsLimitRun[];
}

async function measureItems(dataset: Dataset, size: number): Promise<ItemsSummary> {
	const runs: ItemsResult[] = [];
	for (let run = 0; run < engineRuns(size); run++)
		runs.push(
			await runJob<ItemsResult>({ kind: 'items', dataset, size, shareItems: true, live: false }, [
				`--max-old-space-size=${ENGINE_HEAP_MB}`,
			]),
		);
	const live = await runJob<ItemsResult>(
		{ kind: 'items', dataset, size, shareItems: true, live: true },
		[`--max-old-space-size=${ENGINE_HEAP_MB}`],
	);
	for (const result of [...runs, live])
		if (result.error !== undefined)
			throw new Error(`${dataset} ${size} items through the engine failed: ${result.error}`);
	const started = live.live.started ?? 0;
	const nodeStages = ENGINE_STAGES.filter((stage) => stage !== 'started');
	return {
		dataset,
		size,
		rows: live.rows,
		payloadBytes: live.payloadBytes,
		itemsHeapBytes: median([...runs, live].map((run) => run.itemsHeap)),
		engineCopyBytes: started,
		nodeLiveAddedBytes: Math.max(
			0,
			...nodeStages.map((stage) => (live.live[stage] ?? 0) - started),
		),
		nodePeakAddedBytes: median(
			runs.map((run) => (run.execute ? run.execute.peakHeap - run.execute.baselineHeap : NaN)),
		),
		keptBytes: median(runs.map((run) => run.memory.retainedHeap - run.memory.baselineHeap)),
		live,
		runs,
	};
}

/** One run under a small heap: whether it completes, and if not, how far it got. */
async function tryItemsLimit(
	dataset: Dataset,
	size: number,
	input: ItemsLimitRun['input'],
): Promise<ItemsLimitRun> {
	let itemsHeapBytes: number | undefined;
	let last: ProgressMessage | undefined;
	try {
		const result = await runJob<ItemsResult>(
			{ kind: 'items', dataset, size, shareItems: input === 'shared', live: true },
			[`--max-old-space-size=${ITEMS_LIMIT_HEAP_MB}`],
			(message) => {
				if (message.stage === 'items') itemsHeapBytes = message.bytes;
				else last = message;
			},
		);
		return {
			dataset,
			size,
			input,
			completed: result.error === undefined,
			itemsHeapBytes: result.itemsHeap,
			peakAddedBytes: result.memory.peakHeap - result.memory.baselineHeap,
			...(result.error !== undefined ? { error: result.error } : {}),
		};
	} catch (error) {
		const message = error instanceof Error ? error.message : String(error);
		// A process that runs out of heap aborts: no result, only its exit signal.
		const exit = /exited \(([^)]*)\) without a result/.exec(message)?.[1];
		return {
			dataset,
			size,
			input,
			completed: false,
			itemsHeapBytes,
			lastStage: last?.stage,
			lastStageBytes: last?.bytes,
			...(exit !== undefined ? { exit } : { error: message }),
		};
	}
}

function itemsLimitSizes(): number[] {
	const text = process.env.BENCH_ITEMS_LIMIT ?? '';
	const sizes = text === '' ? [] : text.split(',').map((entry) => Number(entry.trim()));
	if (sizes.some((size) => !Number.isInteger(size) || size <= 0))
		throw new Error(`BENCH_ITEMS_LIMIT must be positive integers, got "${text}"`);
	return sizes;
}

async function measureItemsPart(sizes: number[]): Promise<ItemsPart> {
	const cases: ItemsSummary[] = [];
	for (const size of sizes)
		for (const dataset of ITEMS_DATASETS) {
			process.stdout.write(`  ${dataset} × ${count(size)}: items' heap and the node's on top… `);
			cases.push(await measureItems(dataset, size));
			console.log('done');
		}
	const limitRuns: ItemsLimitRun[] = [];
	for (const size of itemsLimitSizes())
		for (const dataset of ITEMS_DATASETS)
			for (const input of ['shared', 'copied'] as const) {
				process.stdout.write(
					`  ${dataset} × ${count(size)} (${input}) under --max-old-space-size=${ITEMS_LIMIT_HEAP_MB}… `,
				);
				const run = await tryItemsLimit(dataset, size, input);
				limitRuns.push(run);
				console.log(run.completed ? 'completed' : `did not complete (${run.exit ?? run.error})`);
			}
	return { cases, limitRuns };
}

function printItemsPart({ cases, limitRuns }: ItemsPart): void {
	const perMillion = (bytes: number, size: number) => megabytes((bytes * 1_000_000) / size);
	console.log(
		"\nTyped demand items (numbers; JS Dates, or date texts in document order) through n8n's engine, Dry Run, " +
			"handed over as n8n hands on an upstream node's output (the same objects). Heap of the items themselves; " +
			"of n8n's own copy of each at the node's input ({ ...item, pairedItem }); what the node adds on top of both " +
			'(live: its data at its fullest, forced collections at each stage; peak: V8 used heap during its execute, garbage included); ' +
			'what the run leaves held (its output items):',
	);
	console.log(
		table(
			[
				'dataset',
				'input items',
				'rows sent',
				'payload MB',
				"items' own heap MB",
				"n8n's input copies MB",
				'node live added MB',
				'node peak added MB',
				'kept after run MB',
				'per million items: payload MB',
				"items' heap MB",
				"n8n's copies MB",
				'node live MB',
				'node peak MB',
			],
			cases.map((c) => [
				c.dataset,
				count(c.size),
				count(c.rows),
				megabytes(c.payloadBytes),
				megabytes(c.itemsHeapBytes),
				megabytes(c.engineCopyBytes),
				megabytes(c.nodeLiveAddedBytes),
				megabytes(c.nodePeakAddedBytes),
				megabytes(c.keptBytes),
				perMillion(c.payloadBytes, c.size),
				perMillion(c.itemsHeapBytes, c.size),
				perMillion(c.engineCopyBytes, c.size),
				perMillion(c.nodeLiveAddedBytes, c.size),
				perMillion(c.nodePeakAddedBytes, c.size),
			]),
		),
	);
	console.log(
		'\nLive heap above the items, MB, by stage of the run (started: before the node reads anything; scripts/bench/liveMemory.ts ENGINE_STAGES):',
	);
	console.log(
		table(
			['dataset', 'input items', ...ENGINE_STAGES, 'kept after run'],
			cases.map((c) => [
				c.dataset,
				count(c.size),
				...ENGINE_STAGES.map((stage) => megabytes(c.live.live[stage] ?? 0)),
				megabytes(c.live.memory.retainedHeap - c.live.memory.baselineHeap),
			]),
		),
	);
	if (limitRuns.length === 0) return;
	console.log(
		`\nTyped demand items under --max-old-space-size=${ITEMS_LIMIT_HEAP_MB} (shared: as n8n hands items on; copied: the harness's JSON copy, ` +
			'the items held twice and their JSON text once while copying):',
	);
	console.log(
		table(
			[
				'dataset',
				'input items',
				'input',
				'result',
				"items' own heap MB",
				'peak heap above the items MB',
				'last stage sampled',
				'live heap above the items then MB',
			],
			limitRuns.map((run) => [
				run.dataset,
				count(run.size),
				run.input,
				run.completed ? 'completed' : `failed (${run.exit ?? run.error})`,
				run.itemsHeapBytes === undefined ? '—' : megabytes(run.itemsHeapBytes),
				run.peakAddedBytes === undefined ? '—' : megabytes(run.peakAddedBytes),
				run.completed ? '—' : (run.lastStage ?? 'before the node ran'),
				run.lastStageBytes === undefined ? '—' : megabytes(run.lastStageBytes),
			]),
		),
	);
}

function table(header: string[], rows: Array<Array<string | number>>): string {
	const cells = [header, ...rows.map((row) => row.map(String))];
	const widths = header.map((_, column) => Math.max(...cells.map((row) => row[column].length)));
	// Markdown, so the table can go into the README as printed: the first column left-aligned, numbers right-aligned.
	const line = (row: string[]) =>
		`| ${row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join(' | ')} |`;
	const rule = `|${widths.map((width, column) => (column === 0 ? `:${'-'.repeat(width + 1)}` : `${'-'.repeat(width + 1)}:`)).join('|')}|`;
	return [line(header), rule, ...cells.slice(1).map(line)].join('\n');
}

const count = (value: number) => Math.round(value).toLocaleString('en-US');
const megabytes = (bytes: number) => (bytes / MB).toFixed(1);
const perSecond = (amount: number, ms: number) => amount / (ms / 1000);
const ratio = (value: number) => `${value.toFixed(2)}×`;

function machine() {
	const cpu = cpus();
	return {
		cpuModel: cpu[0]?.model ?? 'unknown',
		cores: cpu.length,
		memoryGB: Math.round(totalmem() / 1e9),
		node: process.version,
		v8: process.versions.v8,
		loadAverageAtStart: loadavg().map((value) => Number(value.toFixed(2))),
	};
}

async function main(): Promise<void> {
	const sizes = sizesFromEnvironment();
	const engineMax = Number(process.env.BENCH_ENGINE_MAX ?? 1_000_000);
	const output = resolve(REPO_ROOT, process.env.BENCH_OUT ?? 'bench-results.json');
	const started = Date.now();
	const host = machine();
	console.log(
		`Paqtana node benchmark: ${host.cpuModel}, ${host.cores} cores, Node ${host.node}; load average ${host.loadAverageAtStart.join(' ')}`,
	);

	const measureHeap = process.env.BENCH_MEMORY !== '0';
	const itemSizes = sizes.filter((size) => size <= engineMax);
	if (process.env.BENCH_ONLY === 'items') {
		const items = await measureItemsPart(itemSizes);
		printItemsPart(items);
		const itemsOutput = resolve(REPO_ROOT, process.env.BENCH_OUT ?? 'bench-results-items.json');
		const machineAtEnd = {
			...host,
			loadAverageAtEnd: loadavg().map((value) => Number(value.toFixed(2))),
		};
		writeFileSync(
			itemsOutput,
			JSON.stringify(
				{ generatedAt: new Date().toISOString(), machine: machineAtEnd, method: METHOD, items },
				null,
				'\t',
			) + '\n',
		);
		console.log(`\nJSON: ${itemsOutput} (${Math.round((Date.now() - started) / 1000)} s in all)`);
		return;
	}
	if (process.env.BENCH_ONLY !== undefined)
		throw new Error(`BENCH_ONLY can only be "items", got "${process.env.BENCH_ONLY}"`);
	const csvLines = csvLinesFromEnvironment();
	const processing: ProcessingSummary[] = [];
	const memory: MemorySummary[] = [];
	for (const size of sizes) {
		for (const dataset of DATASETS) {
			process.stdout.write(`  ${dataset} × ${count(size)}: processing… `);
			processing.push(await measureProcessing(dataset, size));
			if (measureHeap) {
				process.stdout.write('memory… ');
				memory.push(await measureMemory(dataset, size));
			}
			console.log('done');
		}
	}
	const items = measureHeap ? await measureItemsPart(itemSizes) : undefined;

	const sandbox = await startSandbox({ orgs: { [ORG]: TOKEN } });
	const engine: EngineSummary[] = [];
	const engineDryRun: EngineSummary[] = [];
	try {
		// Master inventory is one request of at most 32 MB, which the 1M-row inventory would exceed by design.
		const engineCases = sizes.flatMap((size) =>
			(['demand-csv', 'inventory-csv'] as const)
				.filter((dataset) => size <= engineMax && (dataset === 'demand-csv' || size <= 100_000))
				.map((dataset) => ({ dataset, size })),
		);
		for (const { dataset, size } of engineCases) {
			process.stdout.write(`  ${dataset} × ${count(size)} through n8n's engine into the sandbox… `);
			const requestSizes = () => sandbox.requests().map((request) => request.bodyBytes);
			engine.push(
				await measureEngine(dataset, size, sandbox.url, requestSizes, () => sandbox.reset()),
			);
			console.log('done');
		}
		for (const size of sizes.filter((candidate) => candidate <= engineMax))
			for (const dataset of DEMAND_DATASETS) {
				process.stdout.write(`  ${dataset} × ${count(size)} through n8n's engine, Dry Run… `);
				engineDryRun.push(
					await measureEngine(
						dataset,
						size,
						sandbox.url,
						() => [],
						() => sandbox.reset(),
						true,
					),
				);
				console.log('done');
			}
	} finally {
		await sandbox.close();
	}

	const validationSize = Math.max(...sizes);
	process.stdout.write(`  validation cost on ${count(validationSize)} demand rows… `);
	const validation = await runJob<ValidationResult>({
		kind: 'validation',
		size: validationSize,
		runs: 5,
	});
	console.log('done');

	let csvStream: CsvStreamSummary | undefined;
	if (csvLines > 0) {
		process.stdout.write(`  streaming a ${count(csvLines)}-line CSV file through n8n's engine… `);
		csvStream = await measureCsvStream(csvLines);
		console.log('done');
	}
	console.log('');

	console.log(
		'Node processing (prepareUpload, as the operations call it) vs JSON.stringify of the same final rows: medians, and the fastest run of each:',
	);
	console.log(
		table(
			[
				'dataset',
				'input rows',
				'rows sent',
				'payload MB',
				'batches',
				'stringify ms',
				'node ms',
				'node / stringify',
				'fastest / fastest',
				'node rows/s',
				'node MB/s',
			],
			processing.map((p) => [
				p.dataset,
				count(p.size),
				count(p.rows),
				megabytes(p.payloadBytes),
				p.batches,
				count(p.stringifyMs),
				count(p.nodeMs),
				ratio(p.nodeToStringify),
				ratio(p.fastestToFastest),
				count(perSecond(p.size, p.nodeMs)),
				(perSecond(p.payloadBytes, p.nodeMs) / MB).toFixed(1),
			]),
		),
	);
	console.log(
		'\nHeap the node processing adds on top of its input: live (its data at its fullest) and peak (V8 used heap, garbage not yet collected included; median of fresh processes):',
	);
	console.log(
		table(
			[
				'dataset',
				'input rows',
				'payload MB',
				'live heap added MB',
				'live / payload',
				'peak heap added MB',
				'peak / payload',
				'kept after (batches) MB',
				'stringify heap added MB',
				'process peak RSS MB',
			],
			memory.map((m) => [
				m.dataset,
				count(m.size),
				megabytes(m.payloadBytes),
				megabytes(m.liveAddedBytes),
				ratio(m.liveToPayload),
				megabytes(m.nodeHeapAddedBytes),
				ratio(m.nodeHeapToPayload),
				megabytes(m.nodeRetainedBytes),
				megabytes(m.stringifyHeapAddedBytes),
				megabytes(m.nodePeakRssBytes),
			]),
		),
	);
	if (items !== undefined) printItemsPart(items);
	if (engine.length > 0) {
		console.log(
			`\nWhole path: n8n's WorkflowExecute runs the Paqtana node, which posts to the sandbox over HTTP (medians; heap limit ${ENGINE_HEAP_MB} MB):`,
		);
		console.log(
			table(
				[
					'dataset',
					'input rows',
					'requests',
					'largest request MB',
					'total ms',
					'node execute ms',
					'rows/s (total)',
					'MB/s (total)',
					'heap added MB',
					'peak RSS MB',
				],
				engine.map((e) => [
					e.dataset,
					count(e.size),
					e.batches,
					megabytes(e.largestRequestBytes),
					count(e.totalMs),
					count(e.executeMs),
					count(perSecond(e.size, e.totalMs)),
					(perSecond(e.payloadBytes, e.totalMs) / MB).toFixed(1),
					megabytes(e.heapAddedBytes),
					megabytes(e.peakRssBytes),
				]),
			),
		);
	}
	console.log(
		'\nDemand, node time over JSON.stringify of the same final rows (stringify: median in the processing process; ' +
			"engine: the node's execute in WorkflowExecute with Dry Run, median of fresh processes; " +
			'lower bound: the least work that makes the same bodies, done the fastest way measured, scripts/bench/floor.ts):',
	);
	console.log(
		table(
			[
				'dataset',
				'input rows',
				'rows sent',
				'stringify ms',
				'processing ms',
				'processing / stringify',
				'engine execute ms',
				'engine / stringify',
				'lower bound / stringify',
			],
			processing
				.filter((p) => DEMAND_DATASETS.includes(p.dataset))
				.map((p) => {
					const inEngine = engineDryRun.find((e) => e.dataset === p.dataset && e.size === p.size);
					return [
						p.dataset,
						count(p.size),
						count(p.rows),
						count(p.stringifyMs),
						count(p.nodeMs),
						ratio(p.nodeToStringify),
						inEngine ? count(inEngine.executeMs) : '—',
						inEngine ? ratio(inEngine.executeMs / p.stringifyMs) : '—',
						p.floorMs !== undefined ? ratio(p.floorMs / p.stringifyMs) : '—',
					];
				}),
		),
	);
	if (csvStream) {
		const c = csvStream;
		console.log(
			`\nStreaming CSV file: ${count(c.lines)} demand lines (${megabytes(c.fileBytes)} MB, ${count(c.distinctKeys)} distinct ` +
				`item-location-days, document order), Input Data "CSV File", Dry Run, through WorkflowExecute with --max-old-space-size=${CSV_HEAP_MB}; ` +
				'live heap: forced full collections every 1/20 of the file and at its end (inside the timed run); ' +
				"peak RSS: the kernel's, and a 100 ms timer (blind while the node works synchronously):",
		);
		console.log(
			table(
				[
					'lines',
					'rows sent',
					'batches',
					'payload MB',
					'total ms',
					'node execute ms',
					'lines/s',
					'peak RSS MB (sampled)',
					'peak RSS MB (kernel)',
					'live heap added MB (while reading, max)',
					'live heap added MB (end of file)',
					'live at end / payload',
					'peak heap added MB (garbage included)',
					'heap kept after MB',
				],
				[
					[
						count(c.lines),
						count(c.rows),
						c.batches,
						megabytes(c.payloadBytes),
						count(c.totalMs),
						count(c.executeMs),
						count(perSecond(c.lines, c.totalMs)),
						megabytes(c.sampledPeakRss),
						megabytes(c.memory.peakRss),
						megabytes(c.liveWhileReading),
						megabytes(c.liveAtEndOfFile),
						ratio(c.liveAtEndOfFile / c.payloadBytes),
						megabytes(c.memory.peakHeap - c.memory.baselineHeap),
						megabytes(c.memory.retainedHeap - c.memory.baselineHeap),
					],
				],
			),
		);
	}
	console.log(`\nValidating ${count(validation.rows)} valid demand rows one by one (medians):`);
	console.log(
		table(
			['validator', 'ms', 'ns / row', 'explaining a rejected row (µs)'],
			[
				[
					'zod 3 API (`zod`, what n8n ships): safeParse',
					validation.zod3Ms,
					validation.zod3ExplainUsPerRow.toFixed(1),
				],
				[
					'zod 4 API (`zod/v4`): safeParse',
					validation.zod4Ms,
					validation.zod4ExplainUsPerRow.toFixed(1),
				],
				["compiled check (the node's fast path)", validation.compiledMs, '—'],
			].map(([name, ms, explain]) => [
				name,
				count(ms as number),
				count(((ms as number) * 1e6) / validation.rows),
				explain as string,
			]),
		),
	);

	const largest = Math.max(...sizes);
	const targetCase = processing.find((p) => p.dataset === 'demand-csv' && p.size === largest);
	const targetMemory = memory.find((m) => m.dataset === 'demand-csv' && m.size === largest);
	const maxBytes = DEFAULT_MAX_BODY_BYTES;
	const largestBatch = Math.max(
		...processing.map((p) => p.largestBatchBytes),
		...engine.map((e) => e.largestRequestBytes),
	);
	const checks = [
		{
			target: `node / stringify ≤ ${TARGETS.nodeToStringify} (demand-csv, ${count(largest)} rows)`,
			measured: targetCase
				? `${ratio(targetCase.nodeToStringify)} (medians; fastest runs ${ratio(targetCase.fastestToFastest)})`
				: 'not measured',
			met: (targetCase?.nodeToStringify ?? Infinity) <= TARGETS.nodeToStringify,
		},
		{
			target: `heap added ≤ ${TARGETS.heapToPayload} × payload: live data at its fullest (demand-csv, ${count(largest)} rows)`,
			measured: targetMemory ? ratio(targetMemory.liveToPayload) : 'not measured',
			met: (targetMemory?.liveToPayload ?? Infinity) <= TARGETS.heapToPayload,
		},
		{
			target: `(for information) V8's peak used heap over the payload, garbage it had not yet needed to collect included`,
			measured: targetMemory ? ratio(targetMemory.nodeHeapToPayload) : 'not measured',
			met: undefined,
		},
		{
			target: `no request over ${count(maxBytes)} bytes`,
			measured: `largest ${count(largestBatch)}`,
			met: largestBatch <= maxBytes,
		},
	];
	console.log('\nTargets:');
	for (const check of checks)
		console.log(
			`  ${check.met === undefined ? '      ' : check.met ? 'met   ' : 'MISSED'}  ${check.target}: ${check.measured}`,
		);
	console.log(`\nMethod: ${METHOD.processing}\nMemory: ${METHOD.memory}\nEngine: ${METHOD.engine}`);

	const results = {
		generatedAt: new Date().toISOString(),
		durationSeconds: Math.round((Date.now() - started) / 1000),
		machine: { ...host, loadAverageAtEnd: loadavg().map((value) => Number(value.toFixed(2))) },
		method: METHOD,
		targets: checks,
		processing,
		memory,
		engine,
		engineDryRun,
		items,
		csvStream,
		validation,
	};
	writeFileSync(output, JSON.stringify(results, null, '\t') + '\n');
	console.log(`\nJSON: ${output} (${Math.round((Date.now() - started) / 1000)} s in all)`);
}

main().catch((error: unknown) => {
	console.error(error);
	process.exitCode = 1;
});
