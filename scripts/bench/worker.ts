/**
 * One measurement in a fresh process (forked by scripts/bench.ts with --expose-gc): the job comes in as
 * an IPC message, the result goes back the same way. A fresh process per heap measurement keeps one
 * measurement's garbage and JIT state out of the next one's numbers.
 */
import type { INodeExecutionData } from 'n8n-workflow';

import { PaqtanaApi } from '../../credentials/PaqtanaApi.credentials';
import { Paqtana } from '../../nodes/Paqtana/Paqtana.node';
import { FIELDS } from '../../nodes/Paqtana/helpers/wireFormat';
import { runNode } from '../../test/harness';
import { type Dataset, datasetItems, datasetResource } from './data';
import { type LiveMemory, measureLiveMemory } from './liveMemory';
import { collectGarbage, measureAsyncPhase, measurePhase, type PhaseMemory } from './memory';
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
	  }
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

export interface ValidationResult extends ValidationTimes {
	kind: 'validation';
}

export type JobResult = TimingResult | HeapResult | LiveResult | EngineResult | ValidationResult;

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

async function engine(job: Extract<Job, { kind: 'engine' }>): Promise<EngineResult> {
	const items = datasetItems(job.dataset, job.size);
	const resource = datasetResource(job.dataset);
	const nodeType = new Paqtana();
	const execute = nodeType.execute;
	let executeMs = 0;
	nodeType.execute = async function (this: ThisParameterType<typeof execute>) {
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
			credentials: { paqtanaApi: { token: job.token, orgCode: job.orgCode, baseUrl: job.baseUrl } },
			parameters: defaultParameters(resource),
			items,
		});
		totalMs = performance.now() - started;
		return result;
	});
	const sent = run.outputs[0] ?? [];
	const rows = sent.reduce((sum, item) => sum + Number(item.json.rows ?? 0), 0);
	const byteCounts = sent.map((item) => Number(item.json.bytes ?? 0));
	return {
		kind: 'engine',
		rows,
		batches: sent.length,
		payloadBytes: byteCounts.reduce((sum, bytes) => sum + bytes, 0),
		largestBatchBytes: Math.max(0, ...byteCounts),
		totalMs,
		executeMs,
		memory,
		...(run.error ? { error: run.error.message } : {}),
	};
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
