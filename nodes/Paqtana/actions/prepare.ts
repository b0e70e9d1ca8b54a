/** Input items → validated, deduplicated request bodies; throws when nothing may be sent. */
import {
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	NodeOperationError,
} from 'n8n-workflow';

import { type Batch, buildBatches } from '../helpers/batching';
import { recognisedNames } from '../helpers/columnMapping';
import { columnsReadByExpressions, isItemDependent } from '../helpers/expressions';
import {
	DEFAULT_EARLIEST_YEAR,
	DEFAULT_LATEST_YEAR,
	type DateOrder,
	type DecimalSeparator,
} from '../helpers/normalise';
import {
	describeKey,
	type DuplicatePolicy,
	type InvalidRow,
	type PreparedRows,
	RowPreparer,
} from '../helpers/prepareRows';
import { compileRowSerializer } from '../helpers/serializer';
import { FIELDS, KEY_FIELDS, type WireField } from '../helpers/wireFormat';
import { plural } from './output';
import { boundedNumber, rowSources, type UploadSettings } from './settings';

/** What the whole run read and prepared, shown in the hint and on every output item. */
export interface RunReport {
	inputRows: number;
	/** Rows to send, after merging duplicates and leaving out invalid rows. */
	rows: number;
	duplicatesMerged: number;
	invalidRows: number;
	/** `Item No. → code, Site → location, …` (Map Automatically), or the columns the mapping read. */
	mapping: string;
	ignoredColumns: string[];
	warnings: string[];
}

export interface PreparedUpload {
	batches: Batch[];
	invalid: InvalidRow[];
	report: RunReport;
}

/** "Row 3" for items, "Line 12" for CSV lines. */
function rowLabel(row: InvalidRow): string {
	return row.line !== undefined ? `Line ${row.line}` : `Row ${row.row}`;
}

export function invalidRowsMessage(
	invalid: InvalidRow[],
	invalidCount: number,
): {
	message: string;
	description: string;
} {
	const describe = (row: InvalidRow) =>
		`${rowLabel(row)}: ` + row.errors.map((e) => `${e.field}: ${e.reason}`).join('; ');
	const shown = invalid.slice(0, 10).map(describe);
	const more =
		invalidCount > shown.length
			? `\n… and ${(invalidCount - shown.length).toLocaleString('en-US')} more.`
			: '';
	const numbering =
		invalid[0]?.line !== undefined
			? 'Lines are the lines of the file (the header is line 1).'
			: 'Rows are counted from 0, as n8n numbers input items.';
	return {
		message: `${plural(invalidCount, 'invalid row')}, nothing was sent. First: ${describe(invalid[0])}`,
		description:
			`${shown.join('\n')}${more}\n\n${numbering} Fix the data or the field mapping, ` +
			'or set "On Invalid Rows" to send the valid rows and output the invalid ones.',
	};
}

/** How the run's rows are read: the node's parameters that shape every row. */
export function createPreparer(
	this: IExecuteFunctions,
	settings: UploadSettings,
	options: IDataObject,
	duplicates: DuplicatePolicy,
	expectedRows: number,
): RowPreparer {
	const isDemand = settings.resource === 'historicalDemand';
	return new RowPreparer(
		rowSources.call(this),
		{
			resource: settings.resource,
			defaultWorkspaceCode: '',
			duplicates,
			dateOrder: (options.dateOrder as DateOrder | undefined) ?? 'yearFirst',
			decimalSeparator: (options.decimalSeparator as DecimalSeparator | undefined) ?? '.',
			earliestYear: isDemand
				? Math.round(boundedNumber(options.earliestYear, DEFAULT_EARLIEST_YEAR, 1, 9999))
				: DEFAULT_EARLIEST_YEAR,
			latestYear: isDemand
				? Math.round(boundedNumber(options.latestYear, DEFAULT_LATEST_YEAR, 1, 9999))
				: DEFAULT_LATEST_YEAR,
			timezone: this.getTimezone(),
			includeOtherColumns: options.includeOtherColumns === true,
			sendValidRows: settings.routeInvalidRows,
			maxRowBytes: settings.maxBodyBytes - 2,
		},
		(itemIndex, fieldId) => this.getNodeParameter(`columns.value.${fieldId}`, itemIndex, undefined),
		expectedRows,
	);
}

/** The Workspace Code parameter: read once, or per item when its expression reads the item. */
export function workspaceCodeReader(this: IExecuteFunctions): {
	perItem: boolean;
	given: boolean;
	forItem: (itemIndex: number) => string | undefined;
} {
	const perItem = isItemDependent(this.getNode().parameters.workspaceCode);
	const constant = perItem ? '' : String(this.getNodeParameter('workspaceCode', 0, '') ?? '');
	return {
		perItem,
		given: perItem || constant.trim() !== '',
		forItem: perItem
			? (itemIndex) => String(this.getNodeParameter('workspaceCode', itemIndex, '') ?? '')
			: () => constant,
	};
}

/**
 * A required field that no column (and no Workspace Code) fills is a mistake in the setup, not in the
 * rows: said once, before any row is read, with the columns there are and the names that would match.
 */
export function requireFields(
	this: IExecuteFunctions,
	missing: WireField[],
	columns: readonly string[],
	auto: boolean,
	/** Where the columns were seen (" in the CSV file …"), for the message. */
	where = '',
): void {
	if (missing.length === 0) return;
	const field = missing[0];
	const others =
		missing.length > 1
			? ` (also: ${missing
					.slice(1)
					.map((f) => f.id)
					.join(', ')})`
			: '';
	const seen = columns.length > 0 ? columns.join(', ') : 'none';
	const workspaceHint =
		field.id === 'workspaceCode'
			? ' Or enter the code in the node\'s "Workspace Code" parameter.'
			: '';
	throw new NodeOperationError(
		this.getNode(),
		auto
			? `No input column${where} fills the required Paqtana field "${field.id}"${others}; nothing was sent`
			: `The required Paqtana field "${field.id}" is not mapped${others}; nothing was sent`,
		{
			description: auto
				? `Columns seen: ${seen}.\nRecognised for ${field.id}: ${recognisedNames(field).slice(1).join(', ')} ` +
					'(case, spaces and punctuation do not matter).\nRename the column in the source, or choose ' +
					`"Map Each Field Below" under Fields and map ${field.displayName} yourself.${workspaceHint}`
				: `Map ${field.displayName} under Fields to a column or an expression.${workspaceHint}`,
		},
	);
}

/** Reads every item into the preparer; the configuration is checked against the items' columns first. */
export function readItems(
	this: IExecuteFunctions,
	preparer: RowPreparer,
	items: INodeExecutionData[],
): void {
	const auto = preparer.mapsAutomatically;
	const workspace = workspaceCodeReader.call(this);
	// Sources that omit empty cells give items different columns: a field is missing only if no item has it.
	let missing: WireField[] | undefined;
	const columns = new Set<string>();
	for (let index = 0; index < items.length && missing?.length !== 0; index++) {
		const plan = preparer.planForItem(items[index].json);
		if (plan === undefined) continue;
		for (const column of plan.columns) columns.add(column);
		const stillMissing = new Set(preparer.missingRequired(plan, workspace.given));
		missing = (missing ?? [...stillMissing]).filter((field) => stillMissing.has(field));
		if (!auto) break;
	}
	requireFields.call(this, missing ?? [], [...columns], auto);
	for (let itemIndex = 0; itemIndex < items.length && !preparer.stopped; itemIndex++) {
		preparer.addItem(
			items[itemIndex].json ?? {},
			itemIndex,
			workspace.perItem ? workspace.forItem(itemIndex) : workspace.forItem(0),
		);
	}
}

function mappingText(prepared: PreparedRows): string {
	return Object.entries(prepared.mapping.fields)
		.map(([field, columns]) => `${columns.join(' / ')} → ${field}`)
		.join(', ');
}

function warningsOf(prepared: PreparedRows): string[] {
	const warnings = Object.entries(prepared.mapping.passedOver).map(
		([field, columns]) =>
			`${field} was read from "${prepared.mapping.fields[field]?.join('", "')}"; ` +
			`${columns.length === 1 ? 'column' : 'columns'} "${columns.join('", "')}" also matched and ${columns.length === 1 ? 'was' : 'were'} ignored`,
	);
	for (const field of prepared.emptyUsualFields) {
		const ignored = prepared.mapping.ignored;
		warnings.push(
			`${field.displayName} (${field.id}) is empty in every row: no input column is recognised as ${field.displayName}` +
				(ignored.length > 0
					? ` (columns not used: ${ignored.join(', ')}); map it under Fields if one of them holds it`
					: ''),
		);
	}
	return warnings;
}

/** Errors that stop the run before anything is sent, and the batches for what may be sent. */
export function finishUpload(
	this: IExecuteFunctions,
	prepared: PreparedRows,
	settings: UploadSettings,
): PreparedUpload {
	const { resource } = settings;
	if (prepared.duplicate) {
		const { firstRow, duplicateRow, firstLine, duplicateLine, key } = prepared.duplicate;
		const what =
			firstLine !== undefined
				? `Lines ${firstLine} and ${duplicateLine}`
				: `Rows ${firstRow} and ${duplicateRow}`;
		throw new NodeOperationError(
			this.getNode(),
			`${what} have the same key (${key}) and "Duplicate Rows" is set to Error; nothing was sent`,
			{
				itemIndex: duplicateRow,
				description:
					'Remove the duplicate from the source, or choose another "Duplicate Rows" policy in the options.',
			},
		);
	}
	const rows = prepared.table.length;
	if (prepared.invalidCount > 0 && (!settings.routeInvalidRows || rows === 0)) {
		const { message, description } = invalidRowsMessage(prepared.invalid, prepared.invalidCount);
		const none = rows === 0 && settings.routeInvalidRows;
		// "None is valid" concerns the whole run: no item index, which the editor would show as "[item 0]".
		throw new NodeOperationError(
			this.getNode(),
			none
				? `None of the ${plural(prepared.inputRows, 'input row')} is valid; nothing was sent`
				: message,
			{
				itemIndex:
					none || prepared.invalid[0].line !== undefined ? undefined : prepared.invalid[0].row,
				description,
			},
		);
	}
	// Columns the node's own expressions read (Workspace Code `{{ $json.region }}`) are used, not ignored.
	const read = columnsReadByExpressions(this.getNode().parameters);
	const keyFields = KEY_FIELDS[resource];
	const batches = buildBatches(
		prepared,
		compileRowSerializer(FIELDS[resource]),
		(row) => describeKey(row, keyFields),
		settings.maxBodyBytes,
	);
	if (!Array.isArray(batches)) {
		// The preparer already refused rows too large for a request; this is its safety net.
		throw new NodeOperationError(
			this.getNode(),
			`Row ${batches.itemIndex} alone is ${batches.bytes} bytes as JSON, over the ${settings.maxBodyBytes}-byte request limit; nothing was sent`,
			{ description: 'Shorten its text fields, or raise "Max Request Size (Bytes)".' },
		);
	}
	return {
		batches,
		invalid: prepared.invalid,
		report: {
			inputRows: prepared.inputRows,
			rows,
			duplicatesMerged: prepared.duplicatesMerged,
			invalidRows: prepared.invalidCount,
			mapping: mappingText(prepared),
			ignoredColumns: prepared.mapping.ignored.filter((column) => !read.has(column)),
			warnings: warningsOf(prepared),
		},
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
	const preparer = createPreparer.call(this, settings, options, duplicates, items.length);
	readItems.call(this, preparer, items);
	return finishUpload.call(this, preparer.finish(), settings);
}
