/** When and how long to wait before trying a request again. */

/** Statuses that mean "try again later"; everything else is final. 408: the server gave up waiting for the body. */
const RETRYABLE_STATUSES = new Set([408, 429, 502, 503, 504]);

/** Network failures worth another attempt: the request may not have arrived, or its answer was lost. */
const RETRYABLE_ERROR_CODES = new Set([
	'ECONNRESET',
	'ECONNREFUSED',
	'ECONNABORTED',
	'ETIMEDOUT',
	'ESOCKETTIMEDOUT',
	'EPIPE',
	'EAI_AGAIN',
	'ENETUNREACH',
	'EHOSTUNREACH',
	'UND_ERR_SOCKET',
	'ERR_SOCKET_CONNECTION_TIMEOUT',
	// axios: the connection closed in the middle of the answer
	'ERR_BAD_RESPONSE',
]);

/** Failures before the request could be sent (no connection, or TLS refused it): it cannot have reached the server. */
const NOT_SENT_ERROR_CODES = new Set([
	'ECONNREFUSED',
	'ENOTFOUND',
	'EAI_AGAIN',
	'ENETUNREACH',
	'EHOSTUNREACH',
	'ERR_SOCKET_CONNECTION_TIMEOUT',
	'ERR_INVALID_URL',
	'CERT_HAS_EXPIRED',
	'DEPTH_ZERO_SELF_SIGNED_CERT',
	'SELF_SIGNED_CERT_IN_CHAIN',
	'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
	'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** Gateway answers that do not say whether the server behind the gateway applied the request. */
const GATEWAY_STATUSES = new Set([502, 504]);

export const MAX_RETRY_WAIT_MS = 300_000;

export function isRetryableStatus(status: number): boolean {
	return RETRYABLE_STATUSES.has(status);
}

export function isRetryableErrorCode(code: string | undefined): boolean {
	return code !== undefined && RETRYABLE_ERROR_CODES.has(code);
}

/**
 * Whether a failed attempt may nevertheless have been applied: the connection was lost after the request was
 * sent (reset, timeout), or a gateway answered for a server that may still have processed it. A definite
 * refusal (429, 503, 4xx) or a connection that was never made means it was not.
 */
export function mayHaveBeenApplied(
	failure: { statusCode: number } | { errorCode: string },
): boolean {
	if ('statusCode' in failure) return GATEWAY_STATUSES.has(failure.statusCode);
	return !NOT_SENT_ERROR_CODES.has(failure.errorCode);
}

/** `Retry-After` as seconds or an HTTP date, in milliseconds from `now`; undefined when absent or unreadable. */
export function parseRetryAfter(header: string | undefined, now: number): number | undefined {
	if (header === undefined || header.trim() === '') return undefined;
	const text = header.trim();
	if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
	const at = Date.parse(text);
	return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * Exponential backoff with jitter (a random wait between half and all of base × 2^retry), so workflows retrying
 * at once spread out; a server's `Retry-After` wins when it is given. Capped at MAX_RETRY_WAIT_MS.
 */
export function retryDelayMs(
	retry: number,
	baseDelayMs: number,
	retryAfterMs: number | undefined,
	random: () => number = Math.random,
): number {
	if (retryAfterMs !== undefined) return Math.min(retryAfterMs, MAX_RETRY_WAIT_MS);
	const ceiling = Math.min(baseDelayMs * 2 ** retry, MAX_RETRY_WAIT_MS);
	return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
