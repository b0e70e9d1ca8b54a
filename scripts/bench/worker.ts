/**
 * One measurement in a fresh process (forked by scripts/bench.ts with --expose-gc): the job comes in as
 * an IPC message, the result goes back the same way. A fresh process per heap measurement keeps one
 * measurement's garbage and JIT state out of the next one's numbers.
 */
import { createReadStream, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import { getHeapStatistics } from 'node:v8';

import type { IExecuteFunctions, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { PaqtanaApi } from '../../credentials/PaqtanaApi.credentials';
import { Paqtana } from '../../nodes/Paqtana/Paqtana.node';
import { FIELDS } from '../../nodes/Paqtana/helpers/wireFormat';
import { runNode } from '../../test/harness';
import * as batching from '../../nodes/Paqtana/helpers/batching';
import * as output from '../../nodes/Paqtana/actions/output';
import { type Dataset, datasetItems, datasetResource } from './data';
import {
	type EngineStage,
	type LiveMemory,
	measureLiveMemory,
	itemsSampledOnRead,
	sampleAfterCalls,
	StageSampler,
} from './liveMemory';
import {
	collectGarbage,
	heapNow,
	measureAsyncPhase,
	measurePhase,
	type PhaseMemory,
	startPhase,
} from './memory';
import { floorPayload } from './floor';
import { defaultParameters, processLikeTheNode } from './nodeProcessing';
import { measureValidation, type ValidationTimes } from './zodCost';

export type Job =
	| { kind: 'timing'; dataset: Dataset; size: number; runs: number }
	| { kind: 'heap'; dataset: Dataset; size: number; subject: 'node' | 'stringify' }
	| { kind: 'live'; dataset: Dataset; size: number }
	| {
			kind: 'engine';
			dataset: Dataset;
			size: number;
			baseUrl: string;
			orgCode: string;
			token: string;
			/** Option Dry Run: the node prepares everything and sends nothing, so `executeMs` is its processing in the engine. */
			dryRun: boolean;
	  }
	| {
			/**
			 * The input items' own heap, then the node run on them through the engine (Dry Run): the heap it
			 * adds on top of them, peak, or live at each stage (`live`, forced collections).
			 */
			kind: 'items';
			dataset: Dataset;
			size: number;
			/** As n8n hands on an upstream node's output (the same objects), or the harness's JSON copy. */
			shareItems: boolean;
			live: boolean;
	  }
	| { kind: 'csvStream'; file: string; lines: number }
	| { kind: 'validation'; size: number; runs: number };

export interface TimingResult {
	kind: 'timing';
	inputItems: number;
	rows: number;
	payloadBytes: number;
	batches: number;
	largestBatchBytes: number;
	stringifyMs: number[];
	nodeMs: number[];
	/** Document-order demand: the lower bound's runs (scripts/bench/floor.ts). */
	floorMs?: number[];
}

export interface HeapResult {
	kind: 'heap';
	payloadBytes: number;
	memory: PhaseMemory;
}

export interface LiveResult extends LiveMemory {
	kind: 'live';
}

export interface EngineResult {
	kind: 'engine';
	rows: number;
	payloadBytes: number;
	batches: number;
	largestBatchBytes: number;
	/** `runNode` from call to result: the harness's input copy, the engine, the node and its HTTP requests. */
	totalMs: number;
	/** The node's `execute` as the engine calls it (processing and sending). */
	executeMs: number;
	memory: PhaseMemory;
	error?: string;
}

export interface CsvStreamResult {
	kind: 'csvStream';
	lines: number;
	rows: number;
	payloadBytes: number;
	batches: number;
	/** `runNode` from call to result. */
	totalMs: number;
	executeMs: number;
	/**
	 * Highest RSS sampled every 100 ms (a timer: it cannot fire while the node works synchronously,
	 * e.g. while it serialises the batches after the last line; the kernel's peak is in `memory`).
	 */
	sampledPeakRss: number;
	/** Live heap above the baseline (forced full collections) every 1/20 of the file, and at its end. */
	liveWhileReading: number;
	liveAtEndOfFile: number;
	memory: PhaseMemory;
	error?: string;
}

export interface ItemsResult {
	kind: 'items';
	size: number;
	rows: number;
	payloadBytes: number;
	batches: number;
	/** V8's heap limit the run had (`--max-old-space-size`). */
	heapLimit: number;
	/** Heap of the input items alone (after full collections, before and after building them). */
	itemsHeap: number;
	/** Live heap above the items at each stage (forced full collections), when measured live. */
	live: Partial<Record<EngineStage, number>>;
	/** The whole `runNode`, baseline with the items built; its retained heap is what n8n keeps (run data). */
	memory: PhaseMemory;
	/**
	 * The node's `execute` alone (runs not measured live), baseline with its input as n8n handed it over:
	 * the items and n8n's per-node copies of them.
	 */
	execute?: PhaseMemory;
	totalMs: number;
	executeMs: number;
	error?: string;
}

/** Sent by a job while it runs, so a run that dies of memory still says how far it got. */
export interface ProgressMessage {
	kind: 'progress';
	stage: 'items' | EngineStage;
	bytes: number;
}

export interface ValidationResult extends ValidationTimes {
	kind: 'validation';
}

export type JobResult =
	| TimingResult
	| HeapResult
	| LiveResult
	| EngineResult
	| CsvStreamResult
	| ItemsResult
	| ValidationResult;

function payloadOf(batches: ReadonlyArray<{ body: string; bytes: number }>) {
	return {
		batches: batches.length,
		payloadBytes: batches.reduce((sum, batch) => sum + batch.bytes, 0),
		largestBatchBytes: batches.reduce((max, batch) => Math.max(max, batch.bytes), 0),
	};
}

/** The rows the node sends, as plain objects: the input of the `JSON.stringify` baseline. */
function finalRows(items: INodeExecutionData[], dataset: Dataset): unknown[] {
	const { batches } = processLikeTheNode(items, datasetResource(dataset));
	return batches.flatMap((batch) => JSON.parse(batch.body) as unknown[]);
}

function time(action: () => unknown): number {
	collectGarbage();
	const started = performance.now();
	action();
	return performance.now() - started;
}

/** The node's batches must be exactly what JSON.stringify makes of the same rows, split at row boundaries. */
function checkSamePayload(
	batches: ReadonlyArray<{ body: string }>,
	rows: unknown[],
	dataset: Dataset,
): void {
	if (
		batches.map((batch) => batch.body.slice(1, -1)).join(',') !== JSON.stringify(rows).slice(1, -1)
	) {
		throw new Error(`${dataset}: the node's payload differs from JSON.stringify of the same rows`);
	}
}

/** One run of the node, checked against the baseline; only its numbers are kept, so its batches do not weigh on the timed runs. */
function payloadSummary(items: INodeExecutionData[], dataset: Dataset, rows: unknown[]) {
	const upload = processLikeTheNode(items, datasetResource(dataset));
	checkSamePayload(upload.batches, rows, dataset);
	return { rows: upload.report.rows, ...payloadOf(upload.batches) };
}

function timing(dataset: Dataset, size: number, runs: number): TimingResult {
	const items = datasetItems(dataset, size);
	const resource = datasetResource(dataset);
	const rows = finalRows(items, dataset);
	const summary = payloadSummary(items, dataset, rows);
	const withFloor = dataset.startsWith('demand-doc');
	if (withFloor && floorPayload(items).join(',') !== JSON.stringify(rows).slice(1, -1))
		throw new Error(`${dataset}: the lower bound's payload differs from the node's`);
	const stringifyMs: number[] = [];
	const nodeMs: number[] = [];
	const floorMs: number[] = [];
	// Interleaved, so all see the same machine state; the first (cold) round is left out.
	for (let run = 0; run <= runs; run++) {
		const stringify = time(() => JSON.stringify(rows));
		const node = time(() => processLikeTheNode(items, resource));
		const floor = withFloor ? time(() => floorPayload(items)) : undefined;
		if (run === 0) continue;
		stringifyMs.push(stringify);
		nodeMs.push(node);
		if (floor !== undefined) floorMs.push(floor);
	}
	return {
		kind: 'timing',
		inputItems: items.length,
		...summary,
		stringifyMs,
		nodeMs,
		...(withFloor ? { floorMs } : {}),
	};
}

function heap(dataset: Dataset, size: number, subject: 'node' | 'stringify'): HeapResult {
	const items = datasetItems(dataset, size);
	if (subject === 'node') {
		const { result, memory } = measurePhase(() =>
			processLikeTheNode(items, datasetResource(dataset)),
		);
		return { kind: 'heap', payloadBytes: payloadOf(result.batches).payloadBytes, memory };
	}
	const rows = finalRows(items, dataset);
	const { result, memory } = measurePhase(() => JSON.stringify(rows));
	return { kind: 'heap', payloadBytes: Buffer.byteLength(result), memory };
}

interface EngineHooks {
	/** Called with the execution context before the node runs; may adjust it. */
	setup?: (context: IExecuteFunctions) => void;
	/** Called when the node's `execute` has returned (its output still referenced). */
	returned?: () => void;
	/** See RunNodeOptions.shareItems. */
	shareItems?: boolean;
}

/**
 * Runs the Paqtana node once through n8n's WorkflowExecute (test/harness), timing its `execute` as the
 * engine calls it.
 */
async function throughEngine(
	items: INodeExecutionData[],
	parameters: INodeParameters,
	credentials: { baseUrl: string; orgCode: string; token: string },
	hooks: EngineHooks = {},
) {
	const nodeType = new Paqtana();
	const execute = nodeType.execute;
	let executeMs = 0;
	nodeType.execute = async function (this: IExecuteFunctions) {
		hooks.setup?.(this);
		const started = performance.now();
		let output;
		try {
			output = await execute.call(this);
		} finally {
			executeMs = performance.now() - started;
		}
		hooks.returned?.();
		return output;
	};
	let totalMs = 0;
	const { result: run, memory } = await measureAsyncPhase(async () => {
		const started = performance.now();
		const result = await runNode({
			nodeType,
			credentialTypes: [new PaqtanaApi()],
			credentials: { paqtanaApi: credentials },
			parameters,
			items,
			shareItems: hooks.shareItems,
		});
		totalMs = performance.now() - started;
		return result;
	});
	const sent = run.outputs[0] ?? [];
	const byteCounts = sent.map((item) => Number(item.json.bytes ?? 0));
	return {
		rows: sent.reduce((sum, item) => sum + Number(item.json.rows ?? 0), 0),
		batches: sent.length,
		payloadBytes: byteCounts.reduce((sum, bytes) => sum + bytes, 0),
		largestBatchBytes: Math.max(0, ...byteCounts),
		totalMs,
		executeMs,
		memory,
		...(run.error ? { error: run.error.message } : {}),
	};
}

async function engine(job: Extract<Job, { kind: 'engine' }>): Promise<EngineResult> {
	const items = datasetItems(job.dataset, job.size);
	const parameters = defaultParameters(datasetResource(job.dataset));
	if (job.dryRun) parameters.options = { dryRun: true };
	const result = await throughEngine(items, parameters, job);
	return { kind: 'engine', ...result };
}

/**
 * The node reads a CSV file from disk as a stream (Input Data "CSV File", Dry Run) through the engine.
 * The harness has no n8n binary store, so the item's binary data carries an id and the context's
 * `getBinaryStream` opens the file, as n8n's filesystem binary mode does.
 */
async function csvStream(job: Extract<Job, { kind: 'csvStream' }>): Promise<CsvStreamResult> {
	const items: INodeExecutionData[] = [
		{
			json: {},
			binary: {
				data: { id: 'bench-csv', data: '', mimeType: 'text/csv', fileName: 'demand.csv' },
			},
		},
	];
	const parameters: INodeParameters = {
		...defaultParameters('historicalDemand'),
		inputData: 'csvFile',
		binaryPropertyName: 'data',
		options: { dryRun: true },
	};
	const fileBytes = statSync(job.file).size;
	collectGarbage();
	const baseline = heapNow().heap;
	const live = () => {
		collectGarbage();
		return heapNow().heap - baseline;
	};
	let liveWhileReading = 0;
	let liveAtEndOfFile = 0;
	/** The file's chunks, with the live heap sampled every 1/20 of its bytes and at its end. */
	async function* sampledFile(chunkSize?: number): AsyncGenerator<Buffer> {
		let read = 0;
		let nextSample = fileBytes / 20;
		for await (const chunk of createReadStream(job.file, { highWaterMark: chunkSize })) {
			yield chunk as Buffer;
			read += (chunk as Buffer).length;
			if (read >= nextSample) {
				liveWhileReading = Math.max(liveWhileReading, live());
				nextSample += fileBytes / 20;
			}
		}
		liveAtEndOfFile = live();
	}
	let sampledPeakRss = process.memoryUsage.rss();
	const sampler = setInterval(() => {
		sampledPeakRss = Math.max(sampledPeakRss, process.memoryUsage.rss());
	}, 100);
	try {
		const credentials = { baseUrl: 'http://127.0.0.1:9', orgCode: 'BENCH', token: 'unused' };
		const result = await throughEngine(items, parameters, credentials, {
			setup: (context) => {
				// The node only iterates the stream; n8n's type is a Readable.
				context.helpers.getBinaryStream = async (_id: string, chunkSize?: number) =>
					Readable.from(sampledFile(chunkSize), { objectMode: false });
			},
		});
		return {
			kind: 'csvStream',
			lines: job.lines,
			...result,
			sampledPeakRss: Math.max(sampledPeakRss, process.memoryUsage.rss()),
			liveWhileReading,
			liveAtEndOfFile,
		};
	} finally {
		clearInterval(sampler);
	}
}

const SAMPLES_WHILE_READING = 20;

function progress(stage: ProgressMessage['stage'], bytes: number): void {
	process.send!({ kind: 'progress', stage, bytes } satisfies ProgressMessage);
}

/**
 * The heap of typed input items, and what the node adds on top of them in n8n's engine (Dry Run, so the
 * sandbox is not needed and the run is the node's work alone). Live samples are taken at the node's reading
 * of every 1/20 of the items (a getter; shared items only, as a JSON copy would call it), after batching,
 * after the last output item and after `execute`; the run's retained heap is what n8n keeps afterwards.
 */
async function itemsMemory(job: Extract<Job, { kind: 'items' }>): Promise<ItemsResult> {
	collectGarbage();
	const empty = heapNow().heap;
	let sampler: StageSampler | undefined;
	let items = datasetItems(job.dataset, job.size);
	if (job.live && job.shareItems)
		items = itemsSampledOnRead(
			items,
			Math.max(1, Math.floor(job.size / SAMPLES_WHILE_READING)),
			() => sampler?.sample('reading'),
		);
	collectGarbage();
	const baseline = heapNow().heap;
	progress('items', baseline - empty);
	const undo: Array<() => void> = [];
	if (job.live) {
		sampler = new StageSampler(baseline, progress);
		const sample = (stage: EngineStage) => () => sampler!.sample(stage);
		undo.push(
			sampleAfterCalls(
				batching as unknown as Record<'buildBatches', (...args: unknown[]) => unknown>,
				'buildBatches',
				() => true,
				sample('batched'),
			),
			sampleAfterCalls(
				output as unknown as Record<'dryRunItem', (...args: unknown[]) => unknown>,
				'dryRunItem',
				// (settings, batch, index, count, …): the last batch's item.
				(args) => args[2] === (args[3] as number) - 1,
				sample('output'),
			),
		);
	}
	try {
		const parameters = {
			...defaultParameters(datasetResource(job.dataset)),
			options: { dryRun: true },
		};
		const credentials = { baseUrl: 'http://127.0.0.1:9', orgCode: 'BENCH', token: 'unused' };
		let finishExecute: (() => PhaseMemory) | undefined;
		let execute: PhaseMemory | undefined;
		const result = await throughEngine(items, parameters, credentials, {
			shareItems: job.shareItems,
			setup: () => {
				if (sampler !== undefined) sampler.sample('started');
				else finishExecute = startPhase();
			},
			returned: () => {
				sampler?.sample('returned');
				execute = finishExecute?.();
			},
		});
		return {
			kind: 'items',
			size: job.size,
			rows: result.rows,
			payloadBytes: result.payloadBytes,
			batches: result.batches,
			heapLimit: getHeapStatistics().heap_size_limit,
			itemsHeap: baseline - empty,
			live: sampler?.added ?? {},
			memory: result.memory,
			...(execute !== undefined ? { execute } : {}),
			totalMs: result.totalMs,
			executeMs: result.executeMs,
			...(result.error !== undefined ? { error: result.error } : {}),
		};
	} finally {
		for (const restore of undo) restore();
	}
}

function validation(size: number, runs: number): ValidationResult {
	const items = datasetItems('demand-csv', size);
	const rows = finalRows(items, 'demand-csv') as Array<Record<string, unknown>>;
	return { kind: 'validation', ...measureValidation(FIELDS.historicalDemand, rows, runs) };
}

async function run(job: Job): Promise<JobResult> {
	if (job.kind === 'timing') return timing(job.dataset, job.size, job.runs);
	if (job.kind === 'heap') return heap(job.dataset, job.size, job.subject);
	if (job.kind === 'live')
		return {
			kind: 'live',
			...measureLiveMemory(datasetItems(job.dataset, job.size), datasetResource(job.dataset)),
		};
	if (job.kind === 'engine') return await engine(job);
	if (job.kind === 'csvStream') return await csvStream(job);
	if (job.kind === 'items') return await itemsMemory(job);
	return validation(job.size, job.runs);
}

process.once('message', (job: Job) => {
	run(job).then(
		(result) => process.send!(result, () => process.exit(0)),
		(error: unknown) => {
			process.send!(
				{
					kind: 'error',
					message: error instanceof Error ? (error.stack ?? error.message) : String(error),
				},
				() => process.exit(1),
			);
		},
	);
});
