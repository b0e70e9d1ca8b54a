/** Input items → validated, deduplicated request bodies; throws when nothing may be sent. */
import {
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	NodeOperationError,
} from 'n8n-workflow';

import { type Batch, buildBatches } from '../helpers/batching';
import type { DateOrder, DecimalSeparator } from '../helpers/normalise';
import {
	describeKey,
	type DuplicatePolicy,
	type InvalidRow,
	prepareRows,
} from '../helpers/prepareRows';
import { compileRowSerializer } from '../helpers/serializer';
import { FIELDS, KEY_FIELDS } from '../helpers/wireFormat';
import { rowSources, type UploadSettings } from './settings';

export interface PreparedUpload {
	batches: Batch[];
	invalid: InvalidRow[];
	rows: number;
	duplicatesMerged: number;
}

export function invalidRowsMessage(invalid: InvalidRow[]): {
	message: string;
	description: string;
} {
	const describe = (row: InvalidRow) =>
		`Row ${row.row}: ` + row.errors.map((e) => `${e.field}: ${e.reason}`).join('; ');
	const first = invalid[0];
	const shown = invalid.slice(0, 10).map(describe);
	const more =
		invalid.length > shown.length ? `\n… and ${invalid.length - shown.length} more.` : '';
	return {
		message: `${invalid.length} invalid row${invalid.length === 1 ? '' : 's'}, nothing was sent. First: ${describe(first)}`,
		description:
			`${shown.join('\n')}${more}\nRows are counted from 0, as n8n numbers input items. Fix the data or the field mapping, ` +
			'or set "On Invalid Rows" to send the valid rows and output the invalid ones.',
	};
}

/** Maps, normalises, validates, deduplicates and batches every input item. Throws when nothing may be sent. */
export function prepareUpload(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	settings: UploadSettings,
	options: IDataObject,
	duplicates: DuplicatePolicy,
): PreparedUpload {
	const { resource } = settings;
	const workspaceCode = this.getNodeParameter('workspaceCode', 0, '') as string;
	const prepared = prepareRows(
		items,
		rowSources.call(this),
		{
			resource,
			defaultWorkspaceCode: workspaceCode,
			duplicates,
			dateOrder: (options.dateOrder as DateOrder | undefined) ?? 'yearFirst',
			decimalSeparator: (options.decimalSeparator as DecimalSeparator | undefined) ?? '.',
			includeOtherColumns: options.includeOtherColumns === true,
		},
		(itemIndex, fieldId) => this.getNodeParameter(`columns.value.${fieldId}`, itemIndex, undefined),
	);
	if (prepared.duplicate) {
		const { firstRow, duplicateRow, key } = prepared.duplicate;
		throw new NodeOperationError(
			this.getNode(),
			`Rows ${firstRow} and ${duplicateRow} have the same key (${key}) and "Duplicate Rows" is set to Error; nothing was sent`,
			{
				itemIndex: duplicateRow,
				description:
					'Remove the duplicate from the source, or choose another "Duplicate Rows" policy in the options.',
			},
		);
	}
	if (prepared.invalid.length > 0 && !settings.routeInvalidRows) {
		const { message, description } = invalidRowsMessage(prepared.invalid);
		throw new NodeOperationError(this.getNode(), message, {
			itemIndex: prepared.invalid[0].row,
			description,
		});
	}
	const rows = prepared.table.length;
	const keyFields = KEY_FIELDS[resource];
	const batches = buildBatches(
		prepared,
		compileRowSerializer(FIELDS[resource]),
		(row) => describeKey(row, keyFields),
		settings.maxBodyBytes,
	);
	if (!Array.isArray(batches)) {
		throw new NodeOperationError(
			this.getNode(),
			`Row ${batches.itemIndex} alone is ${batches.bytes} bytes as JSON, over the ${settings.maxBodyBytes}-byte request limit; nothing was sent`,
			{
				itemIndex: batches.itemIndex,
				description: 'Shorten its text fields, or raise "Max Request Size (Bytes)".',
			},
		);
	}
	return { batches, invalid: prepared.invalid, rows, duplicatesMerged: prepared.duplicatesMerged };
}
