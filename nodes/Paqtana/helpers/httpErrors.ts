/** Plain-language explanations of Paqtana's error answers, for people who don't read HTTP status codes. */
export interface ErrorExplanation {
	message: string;
	description: string;
}

export function explainStatus(status: number, maxBodyBytes: number): ErrorExplanation {
	switch (status) {
		case 400:
			return {
				message: 'Paqtana rejected the data (400 Bad Request)',
				description:
					'The server did not accept one or more rows. Its answer below says which; fix the source data or the field mapping and run again.',
			};
		case 401:
			return {
				message: 'Paqtana did not accept the token (401 Unauthorized)',
				description:
					'First open the Paqtana credential and paste a valid API token: this one is wrong or was revoked. ' +
					'A new one is made in Paqtana → Settings → Admin Console → Integration API Configuration v2 → Generate New Token.',
			};
		case 403:
			return {
				message: 'The token may not write to this organization (403 Forbidden)',
				description:
					'First check the Organization Code in the credential: the token belongs to a different organization, ' +
					'or lacks permission. Both are in Paqtana’s Admin Console (the code under Manage Workspaces, ' +
					'tokens under Integration API Configuration v2).',
			};
		case 404:
			return {
				message: 'Paqtana does not know this organization (404 Not Found)',
				description:
					'First check the Organization Code in the credential (Admin Console → Manage Workspaces, above the ' +
					'workspace table), then the Base URL (normally https://api.paqtana.com; change it only for a proxy or the sandbox).',
			};
		case 408:
			return {
				message: 'Paqtana gave up waiting for the request (408 Request Timeout)',
				description:
					'The body arrived too slowly, every time it was tried. Check the network; a proxy on the way may be slow.',
			};
		case 413:
			return {
				message: 'The request was too large for Paqtana (413 Payload Too Large)',
				description: `The body was at most ${maxBodyBytes} bytes. Lower the option "Max Request Size (Bytes)" for historical demand; master inventory cannot be split, so reduce the data sent.`,
			};
		case 429:
			return {
				message: 'Paqtana is rate limiting requests (429 Too Many Requests)',
				description: 'Retries were used up. Run again later, or raise "Max Retries".',
			};
		default:
			if (status >= 500) {
				return {
					message: `Paqtana had a server error (${status})`,
					description:
						'The service failed or is unavailable; retries were used up where allowed. Try again later; the data sent is safe to send again.',
				};
			}
			return {
				message: `Paqtana answered with an unexpected status (${status})`,
				description: 'See the server response below.',
			};
	}
}

const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ECONNABORTED', 'ESOCKETTIMEDOUT']);
const LOST_CONNECTION_CODES = new Set([
	'ECONNRESET',
	'EPIPE',
	'UND_ERR_SOCKET',
	'ERR_BAD_RESPONSE',
]);
const NOT_FOUND_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN']);

/** Certificate and TLS handshake failures: retrying or waiting longer cannot fix them. */
const TLS_CODES = new Set([
	'CERT_HAS_EXPIRED',
	'CERT_NOT_YET_VALID',
	'DEPTH_ZERO_SELF_SIGNED_CERT',
	'SELF_SIGNED_CERT_IN_CHAIN',
	'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
	'UNABLE_TO_GET_ISSUER_CERT',
	'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
	'ERR_TLS_CERT_ALTNAME_INVALID',
	'ERR_SSL_WRONG_VERSION_NUMBER',
	'EPROTO',
]);

export function isTlsErrorCode(code: string): boolean {
	return TLS_CODES.has(code);
}

/**
 * Plain words for a request that got no HTTP answer, with what to do first. `host` is the Base URL's host;
 * `timeoutMs` the Request Timeout. The node and the credential test both show these.
 */
export function explainNetworkError(
	code: string,
	host: string,
	timeoutMs: number,
): ErrorExplanation {
	if (TIMEOUT_CODES.has(code)) {
		return {
			message: `Paqtana did not answer within ${formatWait(timeoutMs)} (request timeout, ${code})`,
			description:
				`${host} was reached but did not finish answering within "Request Timeout". ` +
				'On a slow link a large body can need more time: raise "Request Timeout".',
		};
	}
	if (code === 'ECONNREFUSED') {
		return {
			message: `${host} refused the connection (ECONNREFUSED)`,
			description:
				'Nothing accepts connections at the Base URL’s host and port. Check the Base URL in the ' +
				'credential (and, for the local sandbox or a proxy, that it is running).',
		};
	}
	if (NOT_FOUND_CODES.has(code)) {
		return {
			message: `The host ${host} was not found (${code})`,
			description:
				'Check the spelling of the Base URL in the credential (normally https://api.paqtana.com) and ' +
				'that this n8n can resolve host names (DNS).',
		};
	}
	if (isTlsErrorCode(code)) {
		return {
			message: `The https connection to ${host} was refused: its certificate was not accepted (${code})`,
			description:
				'Nothing was sent. The certificate is self-signed, expired, or issued for another host name, or ' +
				'the port does not speak https. Check the host name and scheme in the Base URL; if a company proxy ' +
				'inspects https traffic, n8n must trust its CA certificate. Longer timeouts or more retries do not help.',
		};
	}
	if (code === 'ERR_INVALID_URL') {
		return {
			message: 'The Base URL is not a valid URL (ERR_INVALID_URL)',
			description: 'Fix the Base URL in the credential, for example https://api.paqtana.com.',
		};
	}
	if (LOST_CONNECTION_CODES.has(code)) {
		return {
			message: `The connection to ${host} was lost before it answered (${code})`,
			description: 'The server or a proxy on the way closed the connection. Check the network.',
		};
	}
	return {
		message: `Could not reach ${host} (${code})`,
		description: 'Check the Base URL in the credential and the network.',
	};
}

/**
 * A 3xx answer, which the node never follows: n8n would send the token and the rows along to wherever it
 * points. Only the target's host is named: the rest of a URL can carry secrets.
 */
export function explainRedirect(status: number, target: URL | undefined): ErrorExplanation {
	const where = target === undefined ? 'without a valid Location' : `to ${target.host}`;
	return {
		message: `The Base URL answered with a redirect (${status}) ${where}, which the node does not follow`,
		description:
			'Following a redirect would send the API token and the rows to another address, so nothing was sent there. ' +
			'Set the Base URL in the Paqtana credential to the address that answers directly ' +
			'(for example https:// instead of http://, or the new host name) if you trust that host.',
	};
}

/** A 2xx answer that does not confirm the rows were stored (`reason` from transport/answer.ts). */
export function explainUnconfirmed(status: number, reason: string): ErrorExplanation {
	return {
		message: `Paqtana's answer did not confirm that the rows were stored (${status})`,
		description:
			`${reason}. The Base URL may point at something other than Paqtana's API (a login page, a proxy), ` +
			'or the answer was cut off on the way. Check the Base URL in the credential; sending again is safe.',
	};
}

/** "850 ms", "12 s", "5 min": how long a wait or a deadline is, for people. */
export function formatWait(ms: number): string {
	if (ms < 1000) return `${Math.round(ms)} ms`;
	if (ms < 120_000) return `${Math.round(ms / 1000)} s`;
	return `${Math.round(ms / 60_000)} min`;
}

/** The execution was cancelled (the Stop button, or n8n's workflow timeout) while a body was being sent. */
export function explainCancel(requestInFlight: boolean): ErrorExplanation {
	return {
		message: 'The execution was cancelled while sending to Paqtana',
		description: requestInFlight
			? 'A request was in flight when the cancel came, so Paqtana may have stored this batch. Sending again is safe.'
			: 'No request was in flight: this batch was not sent (the cancel came before it, or while waiting to retry).',
	};
}

/** Any HTTP answer that is not a confirmed success: a 2xx that is not Paqtana's, a redirect, or an error status. */
export function explainAnswer(
	answer: { statusCode: number; unconfirmed?: string; location?: URL },
	maxBodyBytes: number,
): ErrorExplanation {
	const { statusCode } = answer;
	if (statusCode >= 200 && statusCode < 300) {
		return explainUnconfirmed(statusCode, answer.unconfirmed ?? 'The answer was not Paqtana’s');
	}
	if (statusCode >= 300 && statusCode < 400) return explainRedirect(statusCode, answer.location);
	return explainStatus(statusCode, maxBodyBytes);
}

/** The code of a network error (ECONNREFUSED, …), from the error or the error it wraps. */
export function errorCode(error: unknown): string | undefined {
	const code =
		(error as { code?: unknown; cause?: { code?: unknown } }).code ??
		(error as { cause?: { code?: unknown } }).cause?.code;
	return typeof code === 'string' ? code : undefined;
}
