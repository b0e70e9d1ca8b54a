/**
 * What both operations share: reading the common settings, turning input items into validated batches,
 * sending one batch, and shaping output items (paired to the input items each request carried).
 */
import {
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type JsonObject,
	NodeApiError,
	NodeOperationError,
} from 'n8n-workflow';

import { type Batch, buildBatches } from '../helpers/batching';
import { fieldSourceFromMapping, type FieldSource } from '../helpers/columnMapping';
import { endpointUrl, EndpointError } from '../helpers/endpoint';
import { explainStatus } from '../helpers/httpErrors';
import type { DateOrder, DecimalSeparator } from '../helpers/normalise';
import {
	describeKey,
	type DuplicatePolicy,
	type InvalidRow,
	prepareRows,
	type RowSources,
} from '../helpers/prepareRows';
import { compileRowSerializer, DEFAULT_MAX_BODY_BYTES, ENDPOINTS, FIELDS, KEY_FIELDS, type ResourceName } from '../helpers/wireFormat';
import { apiRequest, CREDENTIAL_TYPE } from '../transport';

export interface UploadSettings {
	resource: ResourceName;
	dryRun: boolean;
	routeInvalidRows: boolean;
	maxBodyBytes: number;
	maxRetries: number;
	retryDelayMs: number;
	timeoutMs: number;
}

export interface PreparedUpload {
	batches: Batch[];
	invalid: InvalidRow[];
	rows: number;
	duplicatesMerged: number;
}

/** Options are read from item 0: one execution sends one payload, so they cannot differ per item. */
export function readOptions(this: IExecuteFunctions): IDataObject {
	return this.getNodeParameter('options', 0, {}) as IDataObject;
}

export function readUploadSettings(this: IExecuteFunctions, resource: ResourceName, options: IDataObject): UploadSettings {
	return {
		resource,
		dryRun: options.dryRun === true,
		routeInvalidRows: options.onInvalidRows === 'route',
		maxBodyBytes: (options.maxBodyBytes as number | undefined) ?? DEFAULT_MAX_BODY_BYTES,
		maxRetries: (options.maxRetries as number | undefined) ?? 5,
		retryDelayMs: (options.retryDelayMs as number | undefined) ?? 1000,
		timeoutMs: ((options.requestTimeoutSeconds as number | undefined) ?? 300) * 1000,
	};
}

/** The saved resource-mapper value, read raw so simple column references skip per-item expression evaluation. */
function rowSources(this: IExecuteFunctions): RowSources {
	const columns = this.getNode().parameters.columns as { mappingMode?: string; value?: IDataObject | null } | undefined;
	if (!columns || columns.mappingMode !== 'defineBelow') return 'auto';
	const sources: Record<string, FieldSource> = {};
	for (const [fieldId, saved] of Object.entries(columns.value ?? {})) {
		const source = fieldSourceFromMapping(saved);
		if (source) sources[fieldId] = source;
	}
	return sources;
}

export function invalidRowsMessage(invalid: InvalidRow[]): { message: string; description: string } {
	const describe = (row: InvalidRow) =>
		`Row ${row.row}: ` + row.errors.map((e) => `${e.field}: ${e.reason}`).join('; ');
	const first = invalid[0];
	const shown = invalid.slice(0, 10).map(describe);
	const more = invalid.length > shown.length ? `\n… and ${invalid.length - shown.length} more.` : '';
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
		throw new NodeOperationError(this.getNode(), `Rows ${firstRow} and ${duplicateRow} have the same key (${key}) and "Duplicate Rows" is set to Error; nothing was sent`, {
			itemIndex: duplicateRow,
			description: 'Remove the duplicate from the source, or choose another "Duplicate Rows" policy in the options.',
		});
	}
	if (prepared.invalid.length > 0 && !settings.routeInvalidRows) {
		const { message, description } = invalidRowsMessage(prepared.invalid);
		throw new NodeOperationError(this.getNode(), message, { itemIndex: prepared.invalid[0].row, description });
	}
	const rows = prepared.rows.length;
	const keyFields = KEY_FIELDS[resource];
	const batches = buildBatches(prepared, compileRowSerializer(FIELDS[resource]), (row) => describeKey(row, keyFields), settings.maxBodyBytes);
	if (!Array.isArray(batches)) {
		throw new NodeOperationError(
			this.getNode(),
			`Row ${batches.itemIndex} alone is ${batches.bytes} bytes as JSON, over the ${settings.maxBodyBytes}-byte request limit; nothing was sent`,
			{ itemIndex: batches.itemIndex, description: 'Shorten its text fields, or raise "Max Request Size (Bytes)".' },
		);
	}
	return { batches, invalid: prepared.invalid, rows, duplicatesMerged: prepared.duplicatesMerged };
}

export function pairedTo(itemIndexes: number[]): Array<{ item: number }> {
	return itemIndexes.map((item) => ({ item }));
}

/** One "Invalid Rows" output item per invalid input row, paired to it. */
export function invalidRowItems(items: INodeExecutionData[], invalid: InvalidRow[]): INodeExecutionData[] {
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

export function dryRunItem(settings: UploadSettings, batch: Batch, index: number, count: number, autoCalculate: boolean): INodeExecutionData {
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

export interface SentBatch {
	statusCode: number;
	response: unknown;
	attempts: number;
	durationMs: number;
}

/** Removes every occurrence of the token from text that came back from the server or the network layer. */
function redact(text: string, token: string): string {
	return token.length > 0 ? text.split(token).join('***') : text;
}

function redactJson(value: unknown, token: string): unknown {
	if (value === undefined || token === '') return value;
	const text = typeof value === 'string' ? value : JSON.stringify(value);
	const clean = redact(text, token);
	if (clean === text) return value;
	return typeof value === 'string' ? clean : (JSON.parse(clean) as unknown);
}

export interface Connection {
	url: string;
	token: string;
}

/** Reads the credential once per execution and builds the endpoint URL (https enforced, org code encoded). */
export async function connect(this: IExecuteFunctions, resource: ResourceName): Promise<Connection> {
	const credentials = await this.getCredentials(CREDENTIAL_TYPE);
	const url = endpointUrl(String(credentials.baseUrl ?? ''), String(credentials.orgCode ?? ''), ENDPOINTS[resource].path);
	if (url instanceof EndpointError) throw new NodeOperationError(this.getNode(), url.message, { description: 'Fix the Paqtana credential.' });
	return { url, token: String(credentials.token ?? '') };
}

/**
 * Sends one batch. Answers other than 2xx, and network failures after all retries, come back as a
 * NodeApiError with a plain message (never containing the token) for the caller to throw or output.
 */
export async function sendBatch(
	this: IExecuteFunctions,
	connection: Connection,
	settings: UploadSettings,
	batch: Batch,
	query: IDataObject | undefined,
): Promise<SentBatch | NodeApiError> {
	const itemIndex = batch.items[0] ?? 0;
	const response = await apiRequest.call(this, {
		method: ENDPOINTS[settings.resource].method,
		url: connection.url,
		qs: query,
		body: batch.body,
		timeoutMs: settings.timeoutMs,
		maxRetries: settings.maxRetries,
		retryDelayMs: settings.retryDelayMs,
	});
	if ('networkError' in response) {
		return new NodeApiError(this.getNode(), { code: response.networkError } as JsonObject, {
			message: `Could not reach Paqtana (${redact(response.networkError, connection.token)})`,
			description:
				`No answer after ${response.attempts} attempt${response.attempts === 1 ? '' : 's'}. Check the Base URL in the credential and the network, ` +
				'or raise "Request Timeout" and "Max Retries". Sending again is safe.',
			itemIndex,
		});
	}
	const body = redactJson(response.body, connection.token);
	if (response.statusCode >= 200 && response.statusCode < 300) {
		return { statusCode: response.statusCode, response: body, attempts: response.attempts, durationMs: response.durationMs };
	}
	const { message, description } = explainStatus(response.statusCode, settings.maxBodyBytes);
	const serverSaid = typeof body === 'string' ? body : JSON.stringify(body ?? '');
	return new NodeApiError(this.getNode(), { statusCode: response.statusCode, response: body ?? null } as JsonObject, {
		message,
		description: `${description}\nPaqtana answered: ${serverSaid.slice(0, 2000)}\nAttempts: ${response.attempts}.`,
		httpCode: String(response.statusCode),
		itemIndex,
	});
}

/** The output item for a request that failed under "Continue on Fail", paired like a successful one. */
export function batchErrorItem(error: unknown, batch: Batch, index: number, count: number, report: string): INodeExecutionData {
	const { message, description, httpCode } = error as { message: string; description?: string | null; httpCode?: string | null };
	return {
		json: {
			error: message,
			description: description ?? null,
			httpCode: httpCode ?? null,
			stored: false,
			batch: index + 1,
			batches: count,
			rows: batch.rows,
			firstKey: batch.firstKey,
			lastKey: batch.lastKey,
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
