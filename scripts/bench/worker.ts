/**
 * One measurement in a fresh process (forked by scripts/bench.ts with --expose-gc): the job comes in as
 * an IPC message, the result goes back the same way. A fresh process per heap measurement keeps one
 * measurement's garbage and JIT state out of the next one's numbers.
 */
import { createReadStream, statSync } from 'node:fs';
import { Readable } from 'node:stream';

import type { IExecuteFunctions, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { PaqtanaApi } from '../../credentials/PaqtanaApi.credentials';
import { Paqtana } from '../../nodes/Paqtana/Paqtana.node';
import { FIELDS } from '../../nodes/Paqtana/helpers/wireFormat';
import { runNode } from '../../test/harness';
import { type Dataset, datasetItems, datasetResource } from './data';
import { type LiveMemory, measureLiveMemory } from './liveMemory';
import {
	collectGarbage,
	heapNow,
	measureAsyncPhase,
	measurePhase,
	type PhaseMemory,
} from './memory';
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

export interface ValidationResult extends ValidationTimes {
	kind: 'validation';
}

export type JobResult =
	| TimingResult
	| HeapResult
	| LiveResult
	| EngineResult
	| CsvStreamResult
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
	const stringifyMs: number[] = [];
	const nodeMs: number[] = [];
	// Interleaved, so both see the same machine state; the first (cold) pair is left out.
	for (let run = 0; run <= runs; run++) {
		const stringify = time(() => JSON.stringify(rows));
		const node = time(() => processLikeTheNode(items, resource));
		if (run === 0) continue;
		stringifyMs.push(stringify);
		nodeMs.push(node);
	}
	return { kind: 'timing', inputItems: items.length, ...summary, stringifyMs, nodeMs };
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

type ContextSetup = (context: IExecuteFunctions) => void;

/**
 * Runs the Paqtana node once through n8n's WorkflowExecute (test/harness), timing its `execute` as the
 * engine calls it; `setup` may adjust the execution context before the node runs.
 */
async function throughEngine(
	items: INodeExecutionData[],
	parameters: INodeParameters,
	credentials: { baseUrl: string; orgCode: string; token: string },
	setup?: ContextSetup,
) {
	const nodeType = new Paqtana();
	const execute = nodeType.execute;
	let executeMs = 0;
	nodeType.execute = async function (this: IExecuteFunctions) {
		setup?.(this);
		const started = performance.now();
		try {
			return await execute.call(this);
		} finally {
			executeMs = performance.now() - started;
		}
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
		const result = await throughEngine(items, parameters, credentials, (context) => {
			// The node only iterates the stream; n8n's type is a Readable.
			context.helpers.getBinaryStream = async (_id: string, chunkSize?: number) =>
				Readable.from(sampledFile(chunkSize), { objectMode: false });
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
