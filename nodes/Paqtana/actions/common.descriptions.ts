/** Parameters both operations share, and the tiny helper that scopes them to one resource/operation. */
import type { IDisplayOptions, INodeProperties } from 'n8n-workflow';

import { DEFAULT_EARLIEST_YEAR, DEFAULT_LATEST_YEAR } from '../helpers/normalise';
import { DEFAULT_MAX_BODY_BYTES, MIN_BODY_BYTES } from '../helpers/wireFormat';

/** Shows `properties` only for the given resource/operation, keeping any displayOptions they already have. */
export function updateDisplayOptions(
	displayOptions: IDisplayOptions,
	properties: INodeProperties[],
): INodeProperties[] {
	return properties.map((property) => ({
		...property,
		displayOptions: {
			...property.displayOptions,
			show: { ...displayOptions.show, ...property.displayOptions?.show },
		},
	}));
}

/** Where the rows come from: n8n items (one row each), or CSV files the node reads itself. */
export const inputDataFields: INodeProperties[] = [
	{
		displayName: 'Input Data',
		name: 'inputData',
		type: 'options',
		noDataExpression: true,
		default: 'items',
		options: [
			{
				name: 'N8n Items',
				value: 'items',
				description:
					'Each input item is one row (from a database, a spreadsheet, Extract From File…)',
			},
			{
				name: 'CSV File',
				value: 'csvFile',
				description:
					'Each input item carries a CSV file (Read/Write Files from Disk, HTTP Request, an e-mail attachment…); the node reads it line by line, for files with millions of lines',
			},
		],
	},
	{
		displayName: 'Input Binary Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		displayOptions: { show: { inputData: ['csvFile'] } },
		hint: 'The name of the input binary field containing the CSV file',
		description:
			'The first line must be the header. Several input items with a file each are sent as one upload.',
	},
];

/** How a CSV file is read (Input Data "CSV File" only). */
export const csvOptions: INodeProperties[] = [
	{
		displayName: 'CSV Delimiter',
		name: 'csvDelimiter',
		type: 'options',
		default: 'auto',
		displayOptions: { show: { '/inputData': ['csvFile'] } },
		options: [
			{ name: 'Comma (,)', value: ',' },
			{ name: 'Detect From the Header', value: 'auto' },
			{ name: 'Pipe (|)', value: '|' },
			{ name: 'Semicolon (;)', value: ';' },
			{ name: 'Tab', value: '\t' },
		],
		description: 'The character between fields; detected from the header line by default',
	},
	{
		displayName: 'CSV Encoding',
		name: 'csvEncoding',
		type: 'options',
		default: 'auto',
		displayOptions: { show: { '/inputData': ['csvFile'] } },
		options: [
			{ name: 'UTF-8 or UTF-16 (Detected)', value: 'auto' },
			{ name: 'Windows-1252 (Older Excel and ERP Exports)', value: 'windows-1252' },
		],
		description:
			'UTF-8 with or without byte-order mark and UTF-16 with one are detected; choose Windows-1252 when the file is refused as not UTF-8',
	},
];

export const workspaceCodeField: INodeProperties = {
	displayName: 'Workspace Code',
	name: 'workspaceCode',
	type: 'string',
	default: '',
	placeholder: 'e.g. MAIN',
	description:
		'Used for every row that has no workspace code of its own. Find the codes in Paqtana under Settings → Admin Console → Manage Workspaces (Code column).',
};

export const columnsField: INodeProperties = {
	displayName: 'Fields',
	name: 'columns',
	type: 'resourceMapper',
	noDataExpression: true,
	default: {
		mappingMode: 'autoMapInputData',
		value: null,
	},
	required: true,
	typeOptions: {
		loadOptionsDependsOn: ['resource'],
		resourceMapper: {
			resourceMapperMethod: 'getMappingColumns',
			mode: 'add',
			fieldWords: { singular: 'field', plural: 'fields' },
			addAllFields: true,
			multiKeyMatch: false,
			supportAutoMap: true,
		},
	},
	description:
		'Map automatically matches input columns by name, ignoring case and punctuation, with common aliases (SKU or Item → Item Code, Warehouse or Store → Location, Qty or Units → Quantity, Day → Date). Or map each field yourself.',
};

/**
 * Next to n8n's own notice under "Map Automatically" ("…named the same as the fields in Paqtana"), which
 * does not know about our aliases. Always shown: n8n 1.x cannot resolve a parameter whose displayOptions
 * name a nested value (`columns.mappingMode`), and refuses to run the workflow.
 */
export const autoMapNotice: INodeProperties = {
	displayName:
		'With Map Automatically, Paqtana matches columns by name ignoring case, spaces and punctuation, and knows common ERP and spreadsheet names (Item No. or SKU → Item Code, Site or Warehouse → Location, Posting Date → Date, Qty or Units Sold → Quantity). The full list is in the README under "Column names". After a run the hint shows which column filled which field, and which columns were not used.',
	name: 'autoMapNotice',
	type: 'notice',
	default: '',
};

export const dateOrderOption: INodeProperties = {
	displayName: 'Date Order',
	name: 'dateOrder',
	type: 'options',
	default: 'yearFirst',
	options: [
		{ name: 'Year First (2026-11-27, 2026/11/27)', value: 'yearFirst' },
		{ name: 'Day First (27/11/2026, 27.11.2026)', value: 'dayFirst' },
		{ name: 'Month First (11/27/2026)', value: 'monthFirst' },
	],
	description:
		'How to read dates written as text with / . or - separators. ISO dates, Excel serial numbers and date values are always understood. A date that does not exist (31/02/2026) is an invalid row, never shifted. A two-digit year is the latest such year up to next year (05/01/99 is 1999).',
};

/** Demand only: the years a date may fall in (a wrongly mapped number must not become a day in 1900). */
export const yearRangeOptions: INodeProperties[] = [
	{
		displayName: 'Earliest Year',
		name: 'earliestYear',
		type: 'number',
		default: DEFAULT_EARLIEST_YEAR,
		typeOptions: { minValue: 1, maxValue: 9999, numberPrecision: 0 },
		description:
			'Dates before this year are invalid rows. Stops a number that is not a date (a "Day" column holding 14) from becoming 1900-01-14 as an Excel serial.',
	},
	{
		displayName: 'Latest Year',
		name: 'latestYear',
		type: 'number',
		default: DEFAULT_LATEST_YEAR,
		typeOptions: { minValue: 1, maxValue: 9999, numberPrecision: 0 },
		description: 'Dates after this year are invalid rows (typos such as 2206)',
	},
];

export const decimalSeparatorOption: INodeProperties = {
	displayName: 'Decimal Separator',
	name: 'decimalSeparator',
	type: 'options',
	default: '.',
	options: [
		{ name: 'Point (1,234.5)', value: '.' },
		{ name: 'Comma (1.234,5)', value: ',' },
	],
	description:
		'How numbers written as text separate decimals. The other sign, spaces and apostrophes are accepted as thousands separators between groups of three digits.',
};

export const onInvalidRowsOption: INodeProperties = {
	displayName: 'On Invalid Rows',
	name: 'onInvalidRows',
	type: 'options',
	default: 'stop',
	options: [
		{ name: 'Stop and Send Nothing', value: 'stop' },
		{ name: 'Send Valid Rows and Output Invalid Ones', value: 'route' },
	],
};

export const dryRunOption: INodeProperties = {
	displayName: 'Dry Run',
	name: 'dryRun',
	type: 'boolean',
	default: false,
	description:
		'Whether to only validate and prepare the data and output what would be sent, without sending anything',
};

export const maxBodyBytesOption: INodeProperties = {
	displayName: 'Max Request Size (Bytes)',
	name: 'maxBodyBytes',
	type: 'number',
	default: DEFAULT_MAX_BODY_BYTES,
	typeOptions: { minValue: MIN_BODY_BYTES, maxValue: DEFAULT_MAX_BODY_BYTES, numberPrecision: 0 },
};

export const retryOptions: INodeProperties[] = [
	{
		displayName: 'Max Retries',
		name: 'maxRetries',
		type: 'number',
		default: 5,
		typeOptions: { minValue: 0, maxValue: 20, numberPrecision: 0 },
		description:
			'How often to retry a request that got a rate limit (429), a temporary server error (502, 503, 504), 408, an answer that was not Paqtana’s, a timeout or a lost connection. Retries are safe: Paqtana replaces or upserts by key, so nothing is duplicated.',
	},
	{
		displayName: 'Initial Retry Delay (Ms)',
		name: 'retryDelayMs',
		type: 'number',
		default: 1000,
		typeOptions: { minValue: 0, numberPrecision: 0 },
		description:
			'Wait before the first retry; it roughly doubles each time, with jitter. A Retry-After from Paqtana takes precedence.',
	},
	{
		displayName: 'Request Timeout (Seconds)',
		name: 'requestTimeoutSeconds',
		type: 'number',
		default: 300,
		typeOptions: { minValue: 1, numberPrecision: 0 },
		description:
			'The longest one request may take, answer included, however slowly the server sends it (a full 32 MB body can take a while on slow links). A request and all its retries end within (Max Retries + 1) × this.',
	},
];
