/**
 * The one place that talks HTTP to Paqtana: sends a prepared JSON body with the credential's Bearer token,
 * retrying what is safe to retry. Both endpoints are idempotent (replace, and upsert by key), so sending a
 * body again after a lost or unreadable answer cannot duplicate data.
 */
import {
	type IDataObject,
	type IExecuteFunctions,
	type IHttpRequestMethods,
	sleep,
} from 'n8n-workflow';

import { unconfirmedAnswer } from './answer';
import {
	isRetryableErrorCode,
	isRetryableStatus,
	mayHaveBeenApplied,
	parseRetryAfter,
	retryDelayMs,
} from '../helpers/retryPolicy';

export const CREDENTIAL_TYPE = 'paqtanaApi';

export interface ApiRequest {
	method: IHttpRequestMethods;
	url: string;
	qs?: IDataObject;
	/** Already-serialised JSON. */
	body: string;
	/** How many rows the body carries, to check against the count in Paqtana's answer. */
	rows: number;
	timeoutMs: number;
	maxRetries: number;
	retryDelayMs: number;
}

export interface ApiResponse {
	statusCode: number;
	body: unknown;
	/** The `Location` header of a redirect, resolved against the request URL; never followed. */
	location?: URL;
	/** Why a 2xx answer does not confirm the rows were stored (see answer.ts); undefined when it does. */
	unconfirmed?: string;
	attempts: number;
	durationMs: number;
	/**
	 * Whether an earlier attempt may have been applied by the server although no answer confirmed it (the
	 * connection was lost after sending, or a gateway gave up waiting). Matters only when the final answer is
	 * an error: the data may be stored all the same.
	 */
	possiblyApplied: boolean;
}

/** A request that never got an HTTP answer, after all retries. */
export interface NetworkFailure {
	/** Node's error code (ECONNRESET, ECONNABORTED for a timeout, …) or 'network error'. */
	networkError: string;
	attempts: number;
	durationMs: number;
	/** See ApiResponse.possiblyApplied. */
	possiblyApplied: boolean;
}

interface FullResponse {
	statusCode: number;
	body: unknown;
	headers: Record<string, string | string[] | undefined>;
}

function errorCode(error: unknown): string | undefined {
	const code =
		(error as { code?: unknown; cause?: { code?: unknown } }).code ??
		(error as { cause?: { code?: unknown } }).cause?.code;
	return typeof code === 'string' ? code : undefined;
}

function headerValue(headers: FullResponse['headers'], name: string): string | undefined {
	const value = headers[name];
	return Array.isArray(value) ? value[0] : value;
}

/** Where a redirect points, or undefined when the answer is no redirect or names no valid place. */
function redirectTarget(response: FullResponse, requestUrl: string): URL | undefined {
	const location = headerValue(response.headers, 'location');
	if (response.statusCode < 300 || response.statusCode > 399 || location === undefined) return;
	return URL.canParse(location, requestUrl) ? new URL(location, requestUrl) : undefined;
}

/** Sends the request; returns the final HTTP answer (success or not), or the network failure. */
export async function apiRequest(
	this: IExecuteFunctions,
	request: ApiRequest,
): Promise<ApiResponse | NetworkFailure> {
	const started = Date.now();
	let possiblyApplied = false;
	// A cancelled execution stops retrying (the wait itself is not interruptible: `sleep` takes no signal).
	const cancelled = () => this.getExecutionCancelSignal?.()?.aborted === true;
	for (let attempt = 1; ; attempt++) {
		let retryAfterMs: number | undefined;
		let failureCode: string | undefined;
		try {
			const response = (await this.helpers.httpRequestWithAuthentication.call(
				this,
				CREDENTIAL_TYPE,
				{
					method: request.method,
					url: request.url,
					qs: request.qs,
					body: request.body,
					headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
					timeout: request.timeoutMs,
					returnFullResponse: true,
					ignoreHttpStatusErrors: true,
					// n8n would forward the Authorization header to wherever a redirect points (and turn a
					// POST into a body-less GET on 301-303): a 3xx comes back as an answer instead.
					disableFollowRedirect: true,
				},
			)) as FullResponse;
			const isSuccess = response.statusCode >= 200 && response.statusCode < 300;
			const unconfirmed = isSuccess ? unconfirmedAnswer(response.body, request.rows) : undefined;
			// An answer that is not Paqtana's may follow a write that happened: say so, and retry (it is idempotent).
			possiblyApplied ||=
				unconfirmed !== undefined || mayHaveBeenApplied({ statusCode: response.statusCode });
			const retryable = unconfirmed !== undefined || isRetryableStatus(response.statusCode);
			if (!retryable || attempt > request.maxRetries || cancelled()) {
				return {
					statusCode: response.statusCode,
					body: response.body,
					location: redirectTarget(response, request.url),
					unconfirmed,
					attempts: attempt,
					durationMs: Date.now() - started,
					possiblyApplied,
				};
			}
			retryAfterMs = parseRetryAfter(headerValue(response.headers, 'retry-after'), Date.now());
		} catch (error) {
			// The error object may quote the request, headers included: keep only its code.
			failureCode = errorCode(error) ?? 'network error';
			possiblyApplied ||= mayHaveBeenApplied({ errorCode: failureCode });
		}
		if (
			failureCode !== undefined &&
			(!isRetryableErrorCode(failureCode) || attempt > request.maxRetries || cancelled())
		) {
			return {
				networkError: failureCode,
				attempts: attempt,
				durationMs: Date.now() - started,
				possiblyApplied,
			};
		}
		await sleep(retryDelayMs(attempt - 1, request.retryDelayMs, retryAfterMs));
	}
}
