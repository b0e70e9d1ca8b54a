import {
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
	NodeOperationError,
} from 'n8n-workflow';

import { checkWipeGuard, type LastReplace } from '../../helpers/wipeGuard';
import {
	columnsField,
	dateOrderOption,
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
	dryRunItem,
	formatBytes,
	invalidRowItems,
	successItem,
	summaryHint,
} from '../output';
import { prepareUpload } from '../prepare';
import { boundedNumber, readOptions, readUploadSettings } from '../settings';

const properties: INodeProperties[] = [
	workspaceCodeField,
	columnsField,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				displayName: 'Allow Empty Inventory',
				name: 'allowEmptyInventory',
				type: 'boolean',
				default: false,
				description:
					'Whether to send an empty inventory, which deletes all master inventory in Paqtana. Off by default so a failed or empty query can never wipe it.',
			},
			{
				displayName: 'Allow Large Drop',
				name: 'allowLargeDrop',
				type: 'boolean',
				default: false,
				description:
					'Whether to replace even when the row count fell by more than "Max Row Drop %" since the last successful replace from this node',
			},
			dateOrderOption,
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
					"Refuse to replace when the row count is more than this percentage below the last successful replace from this node (kept in the workflow's static data, so it works for active workflows)",
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

const STATIC_DATA_KEY = 'lastReplace';

export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[][]> {
	const options = readOptions.call(this);
	const settings = readUploadSettings.call(this, 'masterInventory', options);
	const duplicates = options.duplicates === 'keepLast' ? 'keepLast' : 'error';
	const prepared = prepareUpload.call(this, items, settings, options, duplicates);
	const invalidItems = invalidRowItems(items, prepared.invalid);

	if (prepared.batches.length > 1) {
		const bytes = prepared.batches.reduce((sum, batch) => sum + batch.bytes, 0);
		throw new NodeOperationError(
			this.getNode(),
			`The master inventory is ${formatBytes(bytes)} as JSON, over the ${formatBytes(settings.maxBodyBytes)} request limit; nothing was sent`,
			{
				description:
					'Paqtana replaces the whole inventory with each request, so it cannot be split. Send fewer columns or rows, or check "Max Request Size".',
			},
		);
	}
	const staticData = this.getWorkflowStaticData('node');
	const refusal = checkWipeGuard(
		prepared.rows,
		staticData[STATIC_DATA_KEY] as LastReplace | undefined,
		{
			allowEmpty: options.allowEmptyInventory === true,
			allowLargeDrop: options.allowLargeDrop === true,
			maxDropPercent: boundedNumber(options.maxRowDropPercent, 50, 0, 100),
		},
	);
	if (refusal !== undefined) {
		const reason =
			prepared.invalid.length > 0 ? ` (${prepared.invalid.length} invalid rows were left out)` : '';
		throw new NodeOperationError(this.getNode(), refusal + reason);
	}
	// An allowed empty inventory still is one request; it carries no rows, so pair it to every input item.
	const batch = prepared.batches[0] ?? {
		body: '[]',
		bytes: 2,
		rows: 0,
		items: items.map((_, index) => index),
		sample: [],
		firstKey: '',
		lastKey: '',
	};

	if (settings.dryRun) {
		summaryHint.call(
			this,
			`Dry run: would replace the master inventory with ${batch.rows} rows (${formatBytes(batch.bytes)}); nothing was sent`,
		);
		return [[dryRunItem(settings, batch, 0, 1, false)], invalidItems];
	}

	const connection = await connect.call(this, 'masterInventory');
	const sent = await sendBody.call(this, connection, settings, batch.body, undefined, batch.rows);
	if (sent instanceof BatchFailure) {
		const report = sent.possiblyStored
			? 'Unknown whether the master inventory was replaced: the data was sent but the answer was lost. Running the workflow again is safe.'
			: 'Nothing was stored: the master inventory in Paqtana is unchanged.';
		if (!this.continueOnFail()) {
			sent.error.description = `${sent.error.description ?? ''}\n${report}`.trim();
			throw sent.error;
		}
		return [[batchErrorItem(sent, batch, 0, 1, report)], invalidItems];
	}
	staticData[STATIC_DATA_KEY] = {
		rows: batch.rows,
		at: new Date().toISOString(),
	} satisfies LastReplace as unknown as IDataObject;
	summaryHint.call(
		this,
		`Replaced the master inventory with ${batch.rows} rows (${formatBytes(batch.bytes)})`,
	);
	const counts = {
		duplicatesMerged: prepared.duplicatesMerged,
		invalidRows: prepared.invalid.length,
	};
	return [[successItem(settings, batch, 0, 1, false, counts, sent)], invalidItems];
}
