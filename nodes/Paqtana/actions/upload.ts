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
import { MAX_RETRY_WAIT_MS } from '../helpers/retryPolicy';
import type { DateOrder, DecimalSeparator } from '../helpers/normalise';
import {
	describeKey,
	type DuplicatePolicy,
	type InvalidRow,
	prepareRows,
	type RowSources,
} from '../helpers/prepareRows';
import {
	compileRowSerializer,
	DEFAULT_MAX_BODY_BYTES,
	ENDPOINTS,
	FIELDS,
	KEY_FIELDS,
	MIN_BODY_BYTES,
	type ResourceName,
} from '../helpers/wireFormat';
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

/**
 * A numeric option within its bounds; its default when missing or not a number. An expression can put
 * anything here: a NaN "Max Retries" would never stop retrying, a NaN size limit would never split.
 */
export function boundedNumber(value: unknown, fallback: number, min: number, max: number): number {
	const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
	if (typeof number !== 'number' || !Number.isFinite(number)) return fallback;
	return Math.min(max, Math.max(min, number));
}

function wholeNumber(value: unknown, fallback: number, min: number, max: number): number {
	return Math.round(boundedNumber(value, fallback, min, max));
}

export function readUploadSettings(
	this: IExecuteFunctions,
	resource: ResourceName,
	options: IDataObject,
): UploadSettings {
	return {
		resource,
		dryRun: options.dryRun === true,
		routeInvalidRows: options.onInvalidRows === 'route',
		maxBodyBytes: wholeNumber(
			options.maxBodyBytes,
			DEFAULT_MAX_BODY_BYTES,
			MIN_BODY_BYTES,
			DEFAULT_MAX_BODY_BYTES,
		),
		maxRetries: wholeNumber(options.maxRetries, 5, 0, 20),
		retryDelayMs: wholeNumber(options.retryDelayMs, 1000, 0, MAX_RETRY_WAIT_MS),
		timeoutMs: wholeNumber(options.requestTimeoutSeconds, 300, 1, 86_400) * 1000,
	};
}

/** The saved resource-mapper value, read raw so simple column references skip per-item expression evaluation. */
function rowSources(this: IExecuteFunctions): RowSources {
	const columns = this.getNode().parameters.columns as
		| { mappingMode?: string; value?: IDataObject | null }
		| undefined;
	if (!columns || columns.mappingMode !== 'defineBelow') return 'auto';
	const sources: Record<string, FieldSource> = {};
	for (const [fieldId, saved] of Object.entries(columns.value ?? {})) {
		const source = fieldSourceFromMapping(saved);
		if (source) sources[fieldId] = source;
	}
	return sources;
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

export interface SentBatch {
	statusCode: number;
	response: unknown;
	attempts: number;
	durationMs: number;
}

/** A request that failed for good: the error to throw or output, and what is known about the rows it carried. */
export class BatchFailure {
	constructor(
		readonly error: NodeApiError,
		readonly attempts: number,
		/** An attempt may have been applied although none was confirmed (connection lost after sending, gateway gave up). */
		readonly possiblyStored: boolean,
	) {}
}

/** Removes every occurrence of the token from text that came back from the server or the network layer. */
function redact(text: string, token: string): string {
	return token.length > 0 ? text.split(token).join('***') : text;
}

/** The same value with the token removed from every string in it, keys included. */
function redactJson(value: unknown, token: string, depth = 0): unknown {
	if (token === '') return value;
	if (typeof value === 'string') return redact(value, token);
	if (typeof value !== 'object' || value === null) return value;
	if (depth > 100) return '[too deeply nested]';
	if (Array.isArray(value)) return value.map((entry) => redactJson(entry, token, depth + 1));
	const clean: Record<string, unknown> = {};
	for (const [key, entry] of Object.entries(value)) {
		Object.defineProperty(clean, redact(key, token), {
			value: redactJson(entry, token, depth + 1),
			enumerable: true,
			writable: true,
			configurable: true,
		});
	}
	return clean;
}

/** Plain words for a request that got no HTTP answer. */
function networkErrorMessage(code: string, timeoutMs: number): string {
	if (code === 'ECONNABORTED' || code === 'ETIMEDOUT' || code === 'ESOCKETTIMEDOUT') {
		return `Paqtana did not answer within ${Math.round(timeoutMs / 1000)} s (request timeout, ${code})`;
	}
	if (code === 'ECONNREFUSED') return 'Paqtana refused the connection (ECONNREFUSED)';
	if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET')
		return `The connection to Paqtana was lost before it answered (${code})`;
	return `Could not reach Paqtana (${code})`;
}

export interface Connection {
	url: string;
	token: string;
}

/** Reads the credential once per execution and builds the endpoint URL (https enforced, org code encoded). */
export async function connect(
	this: IExecuteFunctions,
	resource: ResourceName,
): Promise<Connection> {
	const credentials = await this.getCredentials(CREDENTIAL_TYPE);
	const url = endpointUrl(
		String(credentials.baseUrl ?? ''),
		String(credentials.orgCode ?? ''),
		ENDPOINTS[resource].path,
	);
	if (url instanceof EndpointError)
		throw new NodeOperationError(this.getNode(), url.message, {
			description: 'Fix the Paqtana credential.',
		});
	return { url, token: String(credentials.token ?? '') };
}

/**
 * Sends one batch. Answers other than 2xx, and network failures after all retries, come back as a
 * BatchFailure whose NodeApiError has a plain message (never containing the token), for the caller to
 * throw or output.
 */
export async function sendBatch(
	this: IExecuteFunctions,
	connection: Connection,
	settings: UploadSettings,
	batch: Batch,
	query: IDataObject | undefined,
): Promise<SentBatch | BatchFailure> {
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
	const { attempts, possiblyApplied } = response;
	const attemptsText = `${attempts} attempt${attempts === 1 ? '' : 's'}`;
	const maybeStored = possiblyApplied
		? '\nAn attempt got no clear answer after the data was sent (connection lost, timeout or a gateway error), so Paqtana may have stored it anyway.'
		: '';
	if ('networkError' in response) {
		const code = redact(response.networkError, connection.token);
		const error = new NodeApiError(this.getNode(), { code } as JsonObject, {
			message: networkErrorMessage(code, settings.timeoutMs),
			description:
				`No answer after ${attemptsText}. Check the Base URL in the credential and the network, ` +
				'or raise "Request Timeout" and "Max Retries". Sending again is safe.' +
				maybeStored,
			itemIndex,
		});
		// NodeApiError swaps messages for known error codes for generic ones ("perhaps it is offline"): keep ours.
		error.message = networkErrorMessage(code, settings.timeoutMs);
		return new BatchFailure(error, attempts, possiblyApplied);
	}
	const body = redactJson(response.body, connection.token);
	if (response.statusCode >= 200 && response.statusCode < 300) {
		return {
			statusCode: response.statusCode,
			response: body,
			attempts,
			durationMs: response.durationMs,
		};
	}
	const { message, description } = explainStatus(response.statusCode, settings.maxBodyBytes);
	const serverSaid = typeof body === 'string' ? body : JSON.stringify(body ?? '');
	// `body`, not `response`: NodeApiError would replace our description with a `response.data.message` of the server's.
	const error = new NodeApiError(
		this.getNode(),
		{ statusCode: response.statusCode, body: body ?? null } as JsonObject,
		{
			message,
			description: `${description}\nPaqtana answered: ${serverSaid.slice(0, 2000)}\nAttempts: ${attempts}.${maybeStored}`,
			httpCode: String(response.statusCode),
			itemIndex,
		},
	);
	return new BatchFailure(error, attempts, possiblyApplied);
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
