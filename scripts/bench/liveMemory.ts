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
