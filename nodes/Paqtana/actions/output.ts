/** Output items and hints, paired to the input items each request carried. */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { Batch } from '../helpers/batching';
import type { InvalidRow } from '../helpers/prepareRows';
import type { BatchFailure, SentBatch } from '../transport/send';
import type { ResourceName } from '../helpers/wireFormat';
import type { RunReport } from './prepare';
import type { UploadSettings } from './settings';

const OPERATIONS: Record<ResourceName, string> = {
	masterInventory: 'replace',
	historicalDemand: 'upsert',
};

/**
 * Each input item once: the lines of a CSV file all come from the item that carried it. Item rows are
 * unique already; a byte per item finds that out without the cost of a Set of a million numbers.
 */
export function pairedTo(itemIndexes: number[]): Array<{ item: number }> {
	let largest = -1;
	for (const item of itemIndexes) if (item > largest) largest = item;
	const seen = new Uint8Array(largest + 1);
	let repeated = false;
	for (const item of itemIndexes) {
		if (seen[item] === 1) {
			repeated = true;
			break;
		}
		seen[item] = 1;
	}
	return (repeated ? [...new Set(itemIndexes)] : itemIndexes).map((item) => ({ item }));
}

/** One "Invalid Rows" output item per invalid input row, paired to it. */
export function invalidRowItems(
	items: INodeExecutionData[],
	invalid: InvalidRow[],
): INodeExecutionData[] {
	return invalid.map(({ row, line, errors, input }) => ({
		json: {
			row,
			...(line !== undefined ? { line } : {}),
			fields: errors.map((e) => e.field),
			errors: errors as unknown as IDataObject[],
			message: errors.map((e) => `${e.field}: ${e.reason}`).join('; '),
			input: input ?? items[row].json,
		},
		pairedItem: { item: row },
	}));
}

/** What every output item of one upload shares. */
export interface UploadRun {
	settings: UploadSettings;
	report: RunReport;
	batches: Batch[];
	/** The master inventory's guard report; null for demand, which replaces nothing. */
	wipeGuard: IDataObject | null;
}

/**
 * The dry-run item, or the Success item for a request Paqtana accepted (`sent`); both operations build
 * theirs here, so their fields agree.
 */
export function batchItem(
	run: UploadRun,
	index: number,
	sent: SentBatch | 'dryRun',
	autoCalculate = false,
): INodeExecutionData {
	const { settings, report, wipeGuard } = run;
	const batch = run.batches[index];
	const fields = {
		resource: settings.resource,
		operation: OPERATIONS[settings.resource],
		batch: index + 1,
		batches: run.batches.length,
		rows: batch.rows,
		bytes: batch.bytes,
		firstKey: batch.firstKey,
		lastKey: batch.lastKey,
		autoCalculate,
		// What the whole run read.
		inputRows: report.inputRows,
		duplicatesMerged: report.duplicatesMerged,
		invalidRows: report.invalidRows,
		mapping: report.mapping,
		ignoredColumns: report.ignoredColumns,
		warnings: report.warnings,
		wipeGuard,
	};
	return {
		json:
			sent === 'dryRun'
				? { dryRun: true, ...fields, sample: batch.sample as IDataObject[] }
				: {
						...fields,
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
	run: UploadRun,
	index: number,
	failure: BatchFailure,
	report: string,
): INodeExecutionData {
	const { message, description, httpCode } = failure.error;
	const batch = run.batches[index];
	return {
		json: {
			error: message,
			description: description ?? null,
			httpCode: httpCode ?? null,
			// false: Paqtana refused or never got the rows; 'unknown': the connection was lost after sending them.
			stored: failure.possiblyStored ? 'unknown' : false,
			batch: index + 1,
			batches: run.batches.length,
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

export function plural(count: number, word: string): string {
	return `${count.toLocaleString('en-US')} ${word}${count === 1 ? '' : 's'}`;
}

/** "8 input rows → 3 rows" and what became of the rest: "(1 merged duplicate, 4 invalid)". */
export function countsText(report: RunReport, rows = report.rows): string {
	const parts = [
		report.duplicatesMerged > 0 ? plural(report.duplicatesMerged, 'merged duplicate') : '',
		report.invalidRows > 0 ? `${report.invalidRows.toLocaleString('en-US')} invalid` : '',
	].filter((part) => part !== '');
	return (
		`${plural(report.inputRows, 'input row')} → ${plural(rows, 'row')}` +
		(parts.length > 0 ? ` (${parts.join(', ')})` : '')
	);
}

export function requestsText(count: number, bytes: number): string {
	return `in ${plural(count, 'request')} (${formatBytes(bytes)})`;
}

/**
 * The run's hints under the output: what happened, then how columns were mapped, then each warning.
 * `text` is the first sentence, built by the operation.
 */
export function summaryHint(this: IExecuteFunctions, text: string, report?: RunReport): void {
	const hints: Array<{ message: string; type?: 'warning' }> = [{ message: text }];
	if (report !== undefined && report.mapping !== '') {
		const ignored =
			report.ignoredColumns.length > 0
				? `. Columns not used: ${report.ignoredColumns.join(', ')}`
				: '';
		hints.push({ message: `Mapping: ${report.mapping}${ignored}` });
	}
	for (const warning of report?.warnings ?? []) hints.push({ message: warning, type: 'warning' });
	this.addExecutionHints?.(...hints.map((hint) => ({ ...hint, location: 'outputPane' as const })));
}
