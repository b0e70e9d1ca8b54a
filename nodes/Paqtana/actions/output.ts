/** Output items and hints, paired to the input items each request carried. */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { Batch } from '../helpers/batching';
import type { InvalidRow } from '../helpers/prepareRows';
import type { BatchFailure, SentBatch } from '../transport/send';
import type { ResourceName } from '../helpers/wireFormat';
import type { UploadSettings } from './settings';

const OPERATIONS: Record<ResourceName, string> = {
	masterInventory: 'replace',
	historicalDemand: 'upsert',
};

export function pairedTo(itemIndexes: number[]): Array<{ item: number }> {
	return itemIndexes.map((item) => ({ item }));
}

/** One "Invalid Rows" output item per invalid input row, paired to it. */
export function invalidRowItems(
	items: INodeExecutionData[],
	invalid: InvalidRow[],
): INodeExecutionData[] {
	return invalid.map(({ row, errors }) => ({
		json: {
			row,
			fields: errors.map((e) => e.field),
			errors: errors as unknown as IDataObject[],
			message: errors.map((e) => `${e.field}: ${e.reason}`).join('; '),
			input: items[row].json,
		},
		pairedItem: { item: row },
	}));
}

export function dryRunItem(
	settings: UploadSettings,
	batch: Batch,
	index: number,
	count: number,
	autoCalculate: boolean,
): INodeExecutionData {
	return {
		json: {
			dryRun: true,
			resource: settings.resource,
			batch: index + 1,
			batches: count,
			rows: batch.rows,
			bytes: batch.bytes,
			autoCalculate,
			firstKey: batch.firstKey,
			lastKey: batch.lastKey,
			sample: batch.sample as IDataObject[],
		},
		pairedItem: pairedTo(batch.items),
	};
}

/** What the whole run prepared, shown on every Success item of both operations. */
export interface RunCounts {
	duplicatesMerged: number;
	invalidRows: number;
}

/** The Success item for a request Paqtana accepted; both operations build theirs here, so their fields agree. */
export function successItem(
	settings: UploadSettings,
	batch: Batch,
	index: number,
	count: number,
	autoCalculate: boolean,
	counts: RunCounts,
	sent: SentBatch,
): INodeExecutionData {
	return {
		json: {
			resource: settings.resource,
			operation: OPERATIONS[settings.resource],
			batch: index + 1,
			batches: count,
			rows: batch.rows,
			bytes: batch.bytes,
			firstKey: batch.firstKey,
			lastKey: batch.lastKey,
			duplicatesMerged: counts.duplicatesMerged,
			invalidRows: counts.invalidRows,
			autoCalculate,
			status: sent.statusCode,
			attempts: sent.attempts,
			durationMs: sent.durationMs,
			response: sent.response as IDataObject,
		},
		pairedItem: pairedTo(batch.items),
	};
}

/** The output item for a request that failed under "Continue on Fail", paired like a successful one. */
export function batchErrorItem(
	failure: BatchFailure,
	batch: Batch,
	index: number,
	count: number,
	report: string,
): INodeExecutionData {
	const { message, description, httpCode } = failure.error;
	return {
		json: {
			error: message,
			description: description ?? null,
			httpCode: httpCode ?? null,
			// false: Paqtana refused or never got the rows; 'unknown': the connection was lost after sending them.
			stored: failure.possiblyStored ? 'unknown' : false,
			batch: index + 1,
			batches: count,
			rows: batch.rows,
			firstKey: batch.firstKey,
			lastKey: batch.lastKey,
			attempts: failure.attempts,
			report,
		},
		pairedItem: pairedTo(batch.items),
	};
}

export function formatBytes(bytes: number): string {
	if (bytes < 1000) return `${bytes} B`;
	if (bytes < 1_000_000) return `${(bytes / 1000).toFixed(1)} kB`;
	return `${(bytes / 1_000_000).toFixed(1)} MB`;
}

export function summaryHint(this: IExecuteFunctions, text: string): void {
	this.addExecutionHints?.({ message: text, location: 'outputPane' });
}
