import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { Batch } from '../../helpers/batching';
import { AUTO_CALCULATE_QUERY } from '../../helpers/wireFormat';
import {
	autoMapNotice,
	columnsField,
	csvOptions,
	inputDataFields,
	dateOrderOption,
	decimalSeparatorOption,
	dryRunOption,
	maxBodyBytesOption,
	onInvalidRowsOption,
	retryOptions,
	updateDisplayOptions,
	workspaceCodeField,
	yearRangeOptions,
} from '../common.descriptions';
import { BatchFailure, connect, sendBody } from '../../transport/send';
import {
	batchErrorItem,
	batchItem,
	countsText,
	plural,
	requestsText,
	summaryHint,
	type UploadRun,
} from '../output';
import { prepareInput } from '../input';

const properties: INodeProperties[] = [
	...inputDataFields,
	workspaceCodeField,
	columnsField,
	autoMapNotice,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				displayName: 'Calculate Order Suggestions',
				name: 'calculateOrderSuggestions',
				type: 'boolean',
				default: false,
				description:
					'Whether Paqtana should recalculate order suggestions once all rows are stored (sent with the last request only)',
			},
			dateOrderOption,
			...csvOptions,
			decimalSeparatorOption,
			dryRunOption,
			{
				displayName: 'Duplicate Rows',
				name: 'duplicates',
				type: 'options',
				default: 'sum',
				options: [
					{
						name: 'Sum Quantities',
						value: 'sum',
						description:
							'Add up rows for the same day and item: transaction lines become daily demand',
					},
					{
						name: 'Keep Last',
						value: 'keepLast',
						description: 'The later row replaces the earlier one',
					},
					{
						name: 'Error',
						value: 'error',
						description: 'Stop when two rows have the same day and item',
					},
				],
				description:
					'What to do when several rows have the same workspace, location, item code and date',
			},
			...yearRangeOptions,
			{
				...maxBodyBytesOption,
				description:
					'Rows are sent in as many requests as needed, each at most this many bytes of JSON (Paqtana accepts up to 32 MB)',
			},
			{
				...onInvalidRowsOption,
				description:
					'Stop: nothing is sent if any row is invalid. Send Valid Rows: valid rows are sent and each invalid row comes out of the "Invalid Rows" output with the reason.',
			},
			...retryOptions,
		],
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['historicalDemand'], operation: ['upsert'] } },
	properties,
);

function span(batches: Batch[]): string {
	const rows = batches.reduce((sum, batch) => sum + batch.rows, 0);
	return `${rows} row${rows === 1 ? '' : 's'}, ${batches[0].firstKey} … ${batches[batches.length - 1].lastKey}`;
}

/** What happened to one batch: stored (confirmed), failed (refused or never received), unknown (sent, answer lost), not sent. */
export type BatchOutcome = 'stored' | 'failed' | 'unknown' | 'notSent';

/** "batches 1–2 (…), batch 4 (…)": consecutive batches with the outcome, each range with its rows and first and last keys. */
function ranges(batches: Batch[], outcomes: BatchOutcome[], wanted: BatchOutcome): string[] {
	const parts: string[] = [];
	for (let start = 0; start < batches.length; start++) {
		if (outcomes[start] !== wanted) continue;
		let end = start;
		while (end + 1 < batches.length && outcomes[end + 1] === wanted) end++;
		const label = end > start ? `batches ${start + 1}–${end + 1}` : `batch ${start + 1}`;
		parts.push(`${label} (${span(batches.slice(start, end + 1))})`);
		start = end;
	}
	return parts;
}

/** What an upload stored and what it did not, batch by batch, so a re-run is an informed, safe decision. */
export function uploadReport(batches: Batch[], outcomes: BatchOutcome[]): string {
	const safe =
		'Running the workflow again is safe: rows are upserted by day and item, so stored rows are only overwritten with the same values.';
	// Nothing stored and nothing in doubt: the batch list would only repeat that.
	if (outcomes.every((outcome) => outcome === 'failed' || outcome === 'notSent'))
		return `Nothing was stored. ${safe}`;
	const of = ` of ${batches.length}`;
	const line = (title: string, wanted: BatchOutcome, note = '') => {
		const parts = ranges(batches, outcomes, wanted);
		return parts.length > 0 ? `${title}: ${parts.join(', ')}${of}${note}.` : undefined;
	};
	const stored = line('Stored', 'stored');
	const lines = [
		stored ??
			(outcomes.includes('unknown') ? 'Nothing was confirmed stored.' : 'Nothing was stored.'),
		line('Not stored (failed)', 'failed'),
		line(
			'Unknown',
			'unknown',
			': the rows were sent but the answer was lost, so Paqtana may or may not have stored them',
		),
		line('Not sent', 'notSent'),
		safe,
	];
	return lines.filter((text) => text !== undefined).join('\n');
}

export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[][]> {
	const { options, settings, batches, report, invalidItems } = await prepareInput.call(
		this,
		items,
		'historicalDemand',
		({ duplicates }) => (duplicates === 'keepLast' || duplicates === 'error' ? duplicates : 'sum'),
	);
	const calculate = options.calculateOrderSuggestions === true;
	const count = batches.length;
	const last = count - 1;
	const bytes = batches.reduce((sum, batch) => sum + batch.bytes, 0);

	if (count === 0) {
		summaryHint.call(
			this,
			`No input rows; nothing was sent${calculate ? ' and no calculation was started' : ''}`,
		);
		return [[], invalidItems];
	}
	const run: UploadRun = { settings, report, batches, wipeGuard: null };
	if (settings.dryRun) {
		summaryHint.call(
			this,
			`Dry run: ${countsText(report)} would be sent ${requestsText(count, bytes)}; nothing was sent`,
			report,
		);
		return [
			batches.map((_, index) => batchItem(run, index, 'dryRun', calculate && index === last)),
			invalidItems,
		];
	}

	const connection = await connect.call(this, 'historicalDemand');
	const output: INodeExecutionData[] = [];
	const outcomes: BatchOutcome[] = batches.map(() => 'notSent');
	const errorItems: INodeExecutionData[] = [];
	let failures = 0;
	let storedRows = 0;
	for (let index = 0; index < count; index++) {
		const batch = batches[index];
		// The calculation must see every row, so it is asked for only with the last batch, and only if none failed.
		const autoCalculate = calculate && index === last && failures === 0;
		const sent = await sendBody.call(
			this,
			connection,
			settings,
			batch.body,
			autoCalculate ? { ...AUTO_CALCULATE_QUERY } : undefined,
			batch.rows,
		);
		if (sent instanceof BatchFailure) {
			outcomes[index] = sent.possiblyStored ? 'unknown' : 'failed';
			if (!this.continueOnFail()) {
				sent.error.description =
					`${sent.error.description ?? ''}\n${uploadReport(batches, outcomes)}`.trim();
				throw sent.error;
			}
			failures++;
			const item = batchErrorItem(run, index, sent, '');
			errorItems.push(item);
			output.push(item);
			continue;
		}
		outcomes[index] = 'stored';
		const item = batchItem(run, index, sent, autoCalculate);
		if (calculate && index === last && !autoCalculate)
			item.json.calculationSkipped =
				'An earlier batch failed, so order suggestions were not recalculated';
		output.push(item);
		storedRows += batch.rows;
	}
	// Under "Continue on Fail" every batch was tried: the report on each error item describes the whole run.
	const runReport = failures > 0 ? uploadReport(batches, outcomes) : '';
	for (const item of errorItems) item.json.report = runReport;
	summaryHint.call(
		this,
		failures > 0
			? `${countsText(report)}; ${storedRows.toLocaleString('en-US')} of ${report.rows.toLocaleString('en-US')} stored ${requestsText(count, bytes)}; ` +
					`${plural(failures, 'request')} failed${calculate ? ', so order suggestions were not recalculated' : ''}`
			: `${countsText(report)} stored ${requestsText(count, bytes)}` +
					(calculate ? '; order-suggestion calculation started' : ''),
		report,
	);
	return [output, invalidItems];
}
