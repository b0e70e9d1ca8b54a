import {
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
	NodeOperationError,
} from 'n8n-workflow';

import {
	autoMapNotice,
	columnsField,
	csvOptions,
	inputDataFields,
	decimalSeparatorOption,
	dryRunOption,
	maxBodyBytesOption,
	onInvalidRowsOption,
	retryOptions,
	updateDisplayOptions,
	workspaceCodeField,
} from '../common.descriptions';
import { BatchFailure, connect, sendBody } from '../../transport/send';
import {
	batchErrorItem,
	batchItem,
	countsText,
	formatBytes,
	plural,
	requestsText,
	summaryHint,
	type UploadRun,
} from '../output';
import { prepareInput } from '../input';
import { openWipeGuard, refuseAiAgent } from './guard';

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
				displayName: 'Accept a Drop to Exactly N Rows',
				name: 'acceptDropToRows',
				type: 'number',
				default: 0,
				typeOptions: { minValue: 0, numberPrecision: 0 },
				description:
					'When a smaller inventory is right (for example after closing a store), enter its exact row count: a drop below "Max Row Drop %" is then accepted only if the run has exactly this many rows, and later runs are compared with it. 0 = off. Replaces "Allow Large Drop".',
			},
			{
				displayName: 'Allow Empty Inventory',
				name: 'allowEmptyInventory',
				type: 'boolean',
				default: false,
				description:
					'Whether to send an empty inventory, which deletes all master inventory in Paqtana, when the input has no rows at all. Input rows that are all invalid never wipe it.',
			},
			{
				// Replaced by acceptDropToRows; kept so that a saved workflow's value reaches the node, which
				// ignores it and says so. (Hiding it with displayOptions on itself stops n8n 1.x running the node.)
				displayName: 'Allow Large Drop (Replaced)',
				name: 'allowLargeDrop',
				type: 'boolean',
				default: false,
				description:
					'Whether to skip the row-drop check. Replaced by "Accept a Drop to Exactly N Rows"; has no effect.',
			},
			...csvOptions,
			decimalSeparatorOption,
			dryRunOption,
			{
				displayName: 'Duplicate Rows',
				name: 'duplicates',
				type: 'options',
				default: 'error',
				options: [
					{
						name: 'Error',
						value: 'error',
						description: 'Stop when two rows have the same workspace, location and item code',
					},
					{
						name: 'Keep Last',
						value: 'keepLast',
						description: 'The later row replaces the earlier one',
					},
				],
				description:
					'What to do when two rows describe the same item (workspace + location + item code)',
			},
			{
				displayName: 'Include Other Columns',
				name: 'includeOtherColumns',
				type: 'boolean',
				default: false,
				description:
					'Whether to send input columns that match no Paqtana field unchanged as extra item attributes (with Map Automatically only)',
			},
			{
				...maxBodyBytesOption,
				description:
					'The master inventory is sent in one request (each request replaces the last, so it cannot be split): larger payloads stop with an error and nothing is sent',
			},
			{
				displayName: 'Max Row Drop %',
				name: 'maxRowDropPercent',
				type: 'number',
				default: 50,
				typeOptions: { minValue: 0, maxValue: 100 },
				description:
					"Refuse to replace when the row count is more than this percentage below the largest successful replace to the same organization in the last 30 days (kept in the workflow's static data, which n8n saves for production runs but not for manual ones)",
			},
			{
				displayName: 'Minimum Rows',
				name: 'minimumRows',
				type: 'number',
				default: 0,
				typeOptions: { minValue: 0, numberPrecision: 0 },
				description:
					'Refuse to replace with fewer rows than this (0 = off). Unlike "Max Row Drop %" it needs no history of earlier runs, so it also protects manual runs and n8n queue mode, where workers do not get the saved history back.',
			},
			{
				...onInvalidRowsOption,
				description:
					'Stop: nothing is sent if any row is invalid. Send Valid Rows: the master inventory is REPLACED WITHOUT THE INVALID ROWS (those items disappear from Paqtana) and the invalid rows come out of the "Invalid Rows" output.',
			},
			...retryOptions,
		],
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['masterInventory'], operation: ['replace'] } },
	properties,
);

export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[][]> {
	refuseAiAgent.call(this);
	const { options, settings, batches, report, invalidItems } = await prepareInput.call(
		this,
		items,
		'masterInventory',
		({ duplicates }) => (duplicates === 'keepLast' ? 'keepLast' : 'error'),
	);

	if (batches.length > 1) {
		const bytes = batches.reduce((sum, batch) => sum + batch.bytes, 0);
		throw new NodeOperationError(
			this.getNode(),
			`The master inventory is ${formatBytes(bytes)} as JSON, over the ${formatBytes(settings.maxBodyBytes)} request limit; nothing was sent`,
			{
				description:
					'Paqtana replaces the whole inventory with each request, so it cannot be split. Send fewer columns or rows, or check "Max Request Size".',
			},
		);
	}
	const connection = await connect.call(this, 'masterInventory');
	const guard = openWipeGuard.call(this, connection.url, options);
	const verdict = guard.check({ rows: report.rows, inputRows: report.inputRows });
	if ('refusal' in verdict) {
		const reason =
			report.invalidRows > 0 && report.rows > 0
				? ` (${plural(report.invalidRows, 'invalid row')} left out)`
				: '';
		throw new NodeOperationError(this.getNode(), verdict.refusal + reason);
	}
	const guardHint = verdict.hint === undefined ? '' : `. ${verdict.hint}`;
	const wipeGuard = verdict.report as unknown as IDataObject;
	// An allowed empty inventory still is one request; it carries no rows, so pair it to every input item.
	const batch = batches[0] ?? {
		body: '[]',
		bytes: 2,
		rows: 0,
		items: items.map((_, index) => index),
		sample: [],
		firstKey: '',
		lastKey: '',
	};
	const run: UploadRun = { settings, report, batches: [batch], wipeGuard };

	if (settings.dryRun) {
		summaryHint.call(
			this,
			`Dry run: ${countsText(report)} would replace the master inventory ${requestsText(1, batch.bytes)}; nothing was sent${guardHint}`,
			report,
		);
		return [[batchItem(run, 0, 'dryRun')], invalidItems];
	}

	const sent = await sendBody.call(this, connection, settings, batch.body, undefined, batch.rows);
	if (sent instanceof BatchFailure) {
		const outcome = sent.possiblyStored
			? 'Unknown whether the master inventory was replaced: the data was sent but the answer was lost. Running the workflow again is safe.'
			: 'Nothing was stored: the master inventory in Paqtana is unchanged.';
		if (!this.continueOnFail()) {
			sent.error.description = `${sent.error.description ?? ''}\n${outcome}`.trim();
			throw sent.error;
		}
		return [[batchErrorItem(run, 0, sent, outcome)], invalidItems];
	}
	guard.recordSuccess(batch.rows);
	summaryHint.call(
		this,
		`${countsText(report)}: the master inventory was replaced ${requestsText(1, batch.bytes)}${guardHint}`,
		report,
	);
	return [[batchItem(run, 0, sent)], invalidItems];
}
