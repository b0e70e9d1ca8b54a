/**
 * The one place that talks HTTP to Paqtana: sends a prepared JSON body with the credential's Bearer token,
 * retrying what is safe to retry. Both endpoints are idempotent (replace, and upsert by key), so sending a
 * body again after a lost or unreadable answer cannot duplicate data.
 *
 * Deadlines: each attempt ends within Request Timeout, however slowly the server sends its answer; one
 * body's attempts and the waits between them end within (Max Retries + 1) × Request Timeout. Cancelling
 * the execution aborts the attempt in flight and the wait before the next one.
 */
import type {
	IDataObject,
	IExecuteFunctions,
	IHttpRequestMethods,
	IHttpRequestOptions,
} from 'n8n-workflow';

import { unconfirmedAnswer } from './answer';
import { retryWait } from './wait';
import { errorCode, formatWait } from '../helpers/httpErrors';
import {
	isRetryableErrorCode,
	isRetryableStatus,
	mayHaveBeenApplied,
	parseRetryAfter,
	retryDelayMs,
} from '../helpers/retryPolicy';

export const CREDENTIAL_TYPE = 'paqtanaApi';

/** Node's error code of an attempt that ran into its Request Timeout. */
export const TIMEOUT_CODE = 'ETIMEDOUT';

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

interface Attempts {
	attempts: number;
	durationMs: number;
	/**
	 * Whether an attempt may have been applied by the server although no answer confirmed it (the connection
	 * was lost after sending, a gateway gave up waiting, the answer was not Paqtana's). Matters only when the
	 * final outcome is an error: the data may be stored all the same.
	 */
	possiblyApplied: boolean;
	/** Why retrying stopped before Max Retries was used up (the retry deadline), if it did. */
	stoppedEarly?: string;
}

export interface ApiResponse extends Attempts {
	statusCode: number;
	body: unknown;
	/** The `Location` header of a redirect, resolved against the request URL; never followed. */
	location?: URL;
	/** Why a 2xx answer does not confirm the rows were stored (see answer.ts); undefined when it does. */
	unconfirmed?: string;
}

/** A request that never got an HTTP answer, after all retries. */
export interface NetworkFailure extends Attempts {
	/** Node's error code (ECONNRESET, ETIMEDOUT for Request Timeout, …) or 'network error'. */
	networkError: string;
}

/** The execution was cancelled before an answer came. */
export interface Cancelled extends Attempts {
	cancelled: true;
	/** Whether a request was on its way (so Paqtana may have stored it) when the cancel came. */
	requestInFlight: boolean;
}

export interface FullResponse {
	statusCode: number;
	body: unknown;
	headers: Record<string, string | string[] | undefined>;
}

function headerValue(headers: FullResponse['headers'], name: string): string | undefined {
	const value = headers[name];
	return Array.isArray(value) ? value[0] : value;
}

/** Where a redirect points, or undefined when the answer is no redirect or names no valid place. */
export function redirectTarget(response: FullResponse, requestUrl: string): URL | undefined {
	const location = headerValue(response.headers, 'location');
	if (response.statusCode < 300 || response.statusCode > 399 || location === undefined) return;
	return URL.canParse(location, requestUrl) ? new URL(location, requestUrl) : undefined;
}

/**
 * An `abortSignal` property that keeps the attempt's deadline. n8n's httpRequestWithAuthentication
 * (n8n-core 1.x and 2.x) assigns the execution's cancel signal to `abortSignal`, which would drop ours:
 * whatever it assigns is combined with the deadline instead.
 */
function abortSignalKeeping(deadline: AbortSignal, cancel: AbortSignal | undefined) {
	let signal = cancel === undefined ? deadline : AbortSignal.any([deadline, cancel]);
	return {
		enumerable: true,
		configurable: true,
		get: () => signal,
		set: (assigned: AbortSignal | undefined) => {
			signal = assigned === undefined ? deadline : AbortSignal.any([deadline, assigned]);
		},
	};
}

type AttemptOutcome = { response: FullResponse } | { failureCode: string } | { cancelled: true };

async function attempt(
	this: IExecuteFunctions,
	request: ApiRequest,
	timeoutMs: number,
	cancel: AbortSignal | undefined,
): Promise<AttemptOutcome> {
	const deadline = AbortSignal.timeout(timeoutMs);
	const options: IHttpRequestOptions = {
		method: request.method,
		url: request.url,
		qs: request.qs,
		body: request.body,
		headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
		timeout: timeoutMs,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		// n8n would forward the Authorization header to wherever a redirect points (and turn a POST
		// into a body-less GET on 301-303): a 3xx comes back as an answer instead.
		disableFollowRedirect: true,
	};
	Object.defineProperty(options, 'abortSignal', abortSignalKeeping(deadline, cancel));
	try {
		const response = (await this.helpers.httpRequestWithAuthentication.call(
			this,
			CREDENTIAL_TYPE,
			options,
		)) as FullResponse;
		return { response };
	} catch (error) {
		if (cancel?.aborted === true) return { cancelled: true };
		if (deadline.aborted) return { failureCode: TIMEOUT_CODE };
		// The error object may quote the request, headers included: keep only its code.
		return { failureCode: errorCode(error) ?? 'network error' };
	}
}

/** Sends the request; returns the final HTTP answer (success or not), the network failure, or the cancel. */
export async function apiRequest(
	this: IExecuteFunctions,
	request: ApiRequest,
): Promise<ApiResponse | NetworkFailure | Cancelled> {
	const started = Date.now();
	const retryDeadline = started + request.timeoutMs * (request.maxRetries + 1);
	const cancel = this.getExecutionCancelSignal?.();
	const maxAttempts = request.maxRetries + 1;
	let possiblyApplied = false;
	const summary = (attempts: number, stoppedEarly?: string): Attempts => ({
		attempts,
		durationMs: Date.now() - started,
		possiblyApplied,
		...(stoppedEarly === undefined ? {} : { stoppedEarly }),
	});

	for (let attemptNumber = 1; ; attemptNumber++) {
		if (cancel?.aborted === true) {
			return { cancelled: true, requestInFlight: false, ...summary(attemptNumber - 1) };
		}
		const timeoutMs = Math.max(1, Math.min(request.timeoutMs, retryDeadline - Date.now()));
		const outcome = await attempt.call(this, request, timeoutMs, cancel);
		if ('cancelled' in outcome) {
			possiblyApplied = true;
			return { cancelled: true, requestInFlight: true, ...summary(attemptNumber) };
		}

		let stoppedEarly: string | undefined;
		let final: () => ApiResponse | NetworkFailure;
		let retryReason: string | undefined;
		let retryAfterMs: number | undefined;
		if ('response' in outcome) {
			const { response } = outcome;
			const isSuccess = response.statusCode >= 200 && response.statusCode < 300;
			const unconfirmed = isSuccess ? unconfirmedAnswer(response.body, request.rows) : undefined;
			// An answer that is not Paqtana's may follow a write that happened: say so, and retry (it is idempotent).
			possiblyApplied ||=
				unconfirmed !== undefined || mayHaveBeenApplied({ statusCode: response.statusCode });
			if (unconfirmed !== undefined) retryReason = `HTTP ${response.statusCode}, ${unconfirmed}`;
			else if (isRetryableStatus(response.statusCode)) retryReason = `HTTP ${response.statusCode}`;
			retryAfterMs = parseRetryAfter(headerValue(response.headers, 'retry-after'), Date.now());
			final = () => ({
				statusCode: response.statusCode,
				body: response.body,
				location: redirectTarget(response, request.url),
				unconfirmed,
				...summary(attemptNumber, stoppedEarly),
			});
		} else {
			const { failureCode } = outcome;
			possiblyApplied ||= mayHaveBeenApplied({ errorCode: failureCode });
			if (isRetryableErrorCode(failureCode)) retryReason = failureCode;
			final = () => ({ networkError: failureCode, ...summary(attemptNumber, stoppedEarly) });
		}

		if (retryReason === undefined || attemptNumber >= maxAttempts) return final();
		const waitMs = retryDelayMs(attemptNumber - 1, request.retryDelayMs, retryAfterMs);
		if (Date.now() + waitMs >= retryDeadline) {
			stoppedEarly =
				`Retrying stopped after ${attemptNumber} of ${maxAttempts} attempts: the next wait ` +
				`(${formatWait(waitMs)}) would end past the retry deadline of ` +
				`${formatWait(request.timeoutMs * maxAttempts)} ((Max Retries + 1) × Request Timeout).`;
			return final();
		}
		const line = `Paqtana: attempt ${attemptNumber} of ${maxAttempts} failed (${retryReason}); retrying in ${formatWait(waitMs)}`;
		this.logger.warn(line, { attempt: attemptNumber, maxAttempts, waitMs, reason: retryReason });
		this.sendMessageToUI?.(line);
		await retryWait.wait(waitMs, cancel ?? new AbortController().signal);
	}
}
