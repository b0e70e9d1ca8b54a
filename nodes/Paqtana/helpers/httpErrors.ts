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
					'The API token is wrong or was revoked. Generate a new one in Admin Console → Integration API Configuration v2 and update the credential.',
			};
		case 403:
			return {
				message: 'The token may not write to this organization (403 Forbidden)',
				description:
					'The token belongs to a different organization than the Organization Code in the credential, or lacks permission. Check both in the Admin Console.',
			};
		case 404:
			return {
				message: 'Paqtana does not know this organization (404 Not Found)',
				description:
					'Check the Organization Code in the credential (Admin Console → Manage Workspaces, above the workspace table) and the Base URL.',
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

/** Plain words for a request that got no HTTP answer. */
export function networkErrorMessage(code: string, timeoutMs: number): string {
	if (code === 'ECONNABORTED' || code === 'ETIMEDOUT' || code === 'ESOCKETTIMEDOUT') {
		return `Paqtana did not answer within ${Math.round(timeoutMs / 1000)} s (request timeout, ${code})`;
	}
	if (code === 'ECONNREFUSED') return 'Paqtana refused the connection (ECONNREFUSED)';
	if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET')
		return `The connection to Paqtana was lost before it answered (${code})`;
	return `Could not reach Paqtana (${code})`;
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
