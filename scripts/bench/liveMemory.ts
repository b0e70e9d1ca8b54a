/**
 * The node's live memory, sampled: how much heap its data really occupies at its fullest, as opposed to the
 * peak of V8's used heap, which also counts garbage V8 had no need to collect yet.
 *
 * Full collections are forced at sampling points and the heap (used + external) is read after each:
 * - while rows are prepared, from inside the node's loop: every so many input items answer `json` through
 *   a getter that samples (the node's code is untouched);
 * - between preparing and batching, and after batching, with the prepared rows still referenced.
 * Batching releases each row as it serialises it, so its live data moves from rows to batches in a straight
 * line and is highest at one end: the two boundary samples bound it. To see that boundary, this calls
 * `prepareRows` and `buildBatches` the way `prepareUpload` does; the payload is checked against the node's own.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { buildBatches } from '../../nodes/Paqtana/helpers/batching';
import { describeKey, prepareRows } from '../../nodes/Paqtana/helpers/prepareRows';
import { compileRowSerializer } from '../../nodes/Paqtana/helpers/serializer';
import {
	DEFAULT_MAX_BODY_BYTES,
	FIELDS,
	KEY_FIELDS,
	type ResourceName,
} from '../../nodes/Paqtana/helpers/wireFormat';
import { collectGarbage, heapNow } from './memory';

const SAMPLES_WHILE_PREPARING = 20;

export interface LiveMemory {
	baselineHeap: number;
	/** Highest live heap above the baseline while rows were prepared (row index included). */
	whilePreparing: number;
	/** Live heap above the baseline with all rows prepared, before batching. */
	prepared: number;
	/** Live heap above the baseline with all batches built (the prepared row list still referenced). */
	batched: number;
	payloadBytes: number;
	rows: number;
}

function liveHeap(): number {
	collectGarbage();
	return heapNow().heap;
}

/** The same items, every `interval`-th one sampling the live heap when the node reads its `json`. */
function sampledItems(
	items: INodeExecutionData[],
	interval: number,
	sample: () => void,
): Array<{ json: IDataObject }> {
	return items.map((item, index) =>
		index % interval === interval - 1
			? {
					get json() {
						sample();
						return item.json;
					},
				}
			: item,
	);
}

/** Where a run through the engine is when its live heap is sampled, in the order they happen. */
export const ENGINE_STAGES = [
	/** The node's `execute` called: what n8n handed it (a copy of the items, if the harness made one). */
	'started',
	/** Highest while the node read the items into rows (every 1/20 of them). */
	'reading',
	/** `buildBatches` returned: request bodies and their item lists, the row table released. */
	'batched',
	/** The last output item built: request bodies and every output item's pairing. */
	'output',
	/** `execute` returned its output items (Dry Run: the request bodies are garbage by now). */
	'returned',
] as const;
export type EngineStage = (typeof ENGINE_STAGES)[number];

/**
 * The same items, every `interval`-th one sampling the live heap when its last column is read. Through
 * the engine the sample cannot sit on the item's `json` as above: n8n gives each node shallow copies of
 * its input items (`{ ...item, pairedItem }`), which would read it before the node runs. The copies share
 * `json`, so a getter on a column inside it fires when the node reads that column.
 */
export function itemsSampledOnRead(
	items: INodeExecutionData[],
	interval: number,
	sample: () => void,
): INodeExecutionData[] {
	return items.map((item, index) => {
		const columns = Object.keys(item.json);
		if (index % interval !== interval - 1 || columns.length === 0) return item;
		const json = { ...item.json };
		const last = columns[columns.length - 1];
		const value = json[last];
		Object.defineProperty(json, last, {
			enumerable: true,
			get() {
				sample();
				return value;
			},
		});
		return { ...item, json };
	});
}

/**
 * Live heap above a baseline at the stages of one run through the engine, the highest per stage. Each
 * sample is also passed to `report` when it is taken, so a run that dies of memory still says how far it got.
 */
export class StageSampler {
	readonly added: Partial<Record<EngineStage, number>> = {};

	constructor(
		private readonly baseline: number,
		private readonly report: (stage: EngineStage, added: number) => void,
	) {}

	sample(stage: EngineStage): void {
		const added = liveHeap() - this.baseline;
		this.added[stage] = Math.max(this.added[stage] ?? 0, added);
		this.report(stage, added);
	}
}

/**
 * Samples after calls to one of the node's own exported functions, without changing its code: the
 * compiled CommonJS callers read the export at each call, so replacing it on the module object is seen.
 * Returns the undo.
 */
export function sampleAfterCalls<Name extends string, Args extends unknown[], Result>(
	module: Record<Name, (...args: Args) => Result>,
	name: Name,
	when: (args: Args) => boolean,
	sample: () => void,
): () => void {
	const original = module[name];
	module[name] = (...args: Args) => {
		const result = original(...args);
		if (when(args)) sample();
		return result;
	};
	return () => {
		module[name] = original;
	};
}

export function measureLiveMemory(items: INodeExecutionData[], resource: ResourceName): LiveMemory {
	let whilePreparing = 0;
	const sampling = sampledItems(
		items,
		Math.max(1, Math.floor(items.length / SAMPLES_WHILE_PREPARING)),
		() => {
			whilePreparing = Math.max(whilePreparing, liveHeap());
		},
	);
	const baselineHeap = liveHeap();
	// As prepareUpload calls them, with the node's default options.
	const prepared = prepareRows(sampling, 'auto', {
		resource,
		defaultWorkspaceCode: 'MAIN',
		duplicates: resource === 'historicalDemand' ? 'sum' : 'error',
		dateOrder: 'yearFirst',
		decimalSeparator: '.',
		includeOtherColumns: false,
	});
	const afterPreparing = liveHeap();
	const keyFields = KEY_FIELDS[resource];
	const batches = buildBatches(
		prepared,
		compileRowSerializer(FIELDS[resource]),
		(row) => describeKey(row, keyFields),
		DEFAULT_MAX_BODY_BYTES,
	);
	const afterBatching = liveHeap();
	if (!Array.isArray(batches)) throw new Error('a row did not fit in a request');
	return {
		baselineHeap,
		whilePreparing: Math.max(0, whilePreparing - baselineHeap),
		prepared: afterPreparing - baselineHeap,
		batched: afterBatching - baselineHeap,
		payloadBytes: batches.reduce((sum, batch) => sum + batch.bytes, 0),
		// Read after the last sample, so the prepared row list was still referenced when it was taken.
		rows: prepared.rowItems.length,
	};
}
