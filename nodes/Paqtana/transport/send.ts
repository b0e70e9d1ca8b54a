/**
 * One request body to Paqtana and what came of it: the answer on success, or a BatchFailure with a plain
 * error (never containing the token) and what is known about whether the rows were stored.
 */
import {
	type IDataObject,
	type IExecuteFunctions,
	type IHttpRequestMethods,
	type JsonObject,
	NodeApiError,
	NodeOperationError,
} from 'n8n-workflow';

import { endpointUrl, EndpointError } from '../helpers/endpoint';
import { explainAnswer, explainCancel, explainNetworkError } from '../helpers/httpErrors';
import { isRetryableErrorCode } from '../helpers/retryPolicy';
import { redact, redactJson } from '../helpers/redact';
import { ENDPOINTS, type ResourceName } from '../helpers/wireFormat';
import { apiRequest, CREDENTIAL_TYPE } from './index';

export interface RequestSettings {
	maxBodyBytes: number;
	maxRetries: number;
	retryDelayMs: number;
	timeoutMs: number;
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

export interface Connection {
	method: IHttpRequestMethods;
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
	return { method: ENDPOINTS[resource].method, url, token: String(credentials.token ?? '') };
}

/**
 * Sends one request body. Answers other than a 2xx that confirms the rows (see answer.ts), and network
 * failures after all retries, come back as a BatchFailure whose NodeApiError has a plain message (never containing the token), for the caller to
 * throw or output.
 */
export async function sendBody(
	this: IExecuteFunctions,
	connection: Connection,
	settings: RequestSettings,
	body: string,
	query: IDataObject | undefined,
	/** How many rows the body carries: an answer that counts a different number is not a success. */
	rows: number,
): Promise<SentBatch | BatchFailure> {
	const response = await apiRequest.call(this, {
		method: connection.method,
		url: connection.url,
		qs: query,
		body,
		rows,
		timeoutMs: settings.timeoutMs,
		maxRetries: settings.maxRetries,
		retryDelayMs: settings.retryDelayMs,
	});
	const { attempts, possiblyApplied } = response;
	const attemptsText = `${attempts} attempt${attempts === 1 ? '' : 's'}`;
	const maybeStored = possiblyApplied
		? '\nAn attempt got no clear answer after the data was sent (connection lost, timeout, a gateway error or an answer that was not Paqtana’s), so Paqtana may have stored it anyway.'
		: '';
	const stoppedEarly = response.stoppedEarly === undefined ? '' : `\n${response.stoppedEarly}`;
	if ('cancelled' in response) {
		const { message, description } = explainCancel(response.requestInFlight);
		const error = new NodeApiError(this.getNode(), { code: 'cancelled' } as JsonObject, {
			message,
			description: `${description}\nAttempts: ${attempts}.`,
		});
		error.message = message;
		return new BatchFailure(error, attempts, possiblyApplied);
	}
	if ('networkError' in response) {
		const code = redact(response.networkError, connection.token);
		const host = new URL(connection.url).host;
		const { message, description } = explainNetworkError(code, host, settings.timeoutMs);
		const retries = isRetryableErrorCode(code)
			? `No answer after ${attemptsText}.${stoppedEarly} Sending again is safe.`
			: 'Not retried: another attempt cannot help until this is fixed.';
		const error = new NodeApiError(this.getNode(), { code } as JsonObject, {
			message,
			description: `${description}\n${retries}${maybeStored}`,
		});
		// NodeApiError swaps messages for known error codes for generic ones ("perhaps it is offline"): keep ours.
		error.message = message;
		return new BatchFailure(error, attempts, possiblyApplied);
	}
	const answer = redactJson(response.body, connection.token);
	const isSuccess = response.statusCode >= 200 && response.statusCode < 300;
	if (isSuccess && response.unconfirmed === undefined) {
		return {
			statusCode: response.statusCode,
			response: answer,
			attempts,
			durationMs: response.durationMs,
		};
	}
	const { message, description } = explainAnswer(response, settings.maxBodyBytes);
	const serverSaid = typeof answer === 'string' ? answer : JSON.stringify(answer ?? '');
	// `body`, not `response`: NodeApiError would replace our description with a `response.data.message` of the server's.
	const error = new NodeApiError(
		this.getNode(),
		{ statusCode: response.statusCode, body: answer ?? null } as JsonObject,
		{
			message,
			description: `${description}\nPaqtana answered: ${serverSaid.slice(0, 2000)}\nAttempts: ${attempts}.${stoppedEarly}${maybeStored}`,
			httpCode: String(response.statusCode),
		},
	);
	return new BatchFailure(error, attempts, possiblyApplied);
}
