/**
 * The credential's Test button, run by the node (`testedBy`) so that it explains failures in the node's own
 * words (the same text functions) instead of n8n's bare codes. Like the node, it builds the URL from the
 * credential with the same checks, sends an upsert of zero demand rows (which changes nothing and proves
 * token and org code), follows no redirect and accepts only Paqtana's confirmation.
 */
import type {
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	IDataObject,
	INodeCredentialTestResult,
} from 'n8n-workflow';

import { DEFAULT_BASE_URL, EndpointError, endpointUrl } from '../helpers/endpoint';
import {
	type ErrorExplanation,
	errorCode,
	explainAnswer,
	explainNetworkError,
} from '../helpers/httpErrors';
import { redact } from '../helpers/redact';
import { DEFAULT_MAX_BODY_BYTES, ENDPOINTS } from '../helpers/wireFormat';
import { unconfirmedAnswer } from '../transport/answer';
import { type FullResponse, redirectTarget } from '../transport/index';

/** The test sends two bytes and gets a short answer: a minute is plenty, even through a slow proxy. */
export const CREDENTIAL_TEST_TIMEOUT_MS = 60_000;

function failed(explanation: ErrorExplanation, token: string): INodeCredentialTestResult {
	return {
		status: 'Error',
		message: redact(`${explanation.message}. ${explanation.description}`, token),
	};
}

function parsed(body: unknown): unknown {
	if (typeof body !== 'string') return body;
	try {
		return JSON.parse(body) as unknown;
	} catch {
		return body;
	}
}

export async function paqtanaApiTest(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	const data: IDataObject = credential.data ?? {};
	const token = String(data.token ?? '');
	const url = endpointUrl(
		String(data.baseUrl ?? DEFAULT_BASE_URL),
		String(data.orgCode ?? ''),
		ENDPOINTS.historicalDemand.path,
	);
	if (url instanceof EndpointError) {
		return { status: 'Error', message: redact(`${url.message}. Fix the credential.`, token) };
	}
	const host = new URL(url).host;
	// A credential test gets only n8n's `request` helper (ICredentialTestFunctions has no httpRequest).
	const { helpers } = this;
	let response: FullResponse;
	try {
		response = (await helpers.request({
			method: ENDPOINTS.historicalDemand.method,
			uri: url,
			body: '[]',
			headers: {
				'Content-Type': 'application/json',
				Accept: 'application/json',
				Authorization: `Bearer ${token}`,
			},
			json: false,
			simple: false,
			resolveWithFullResponse: true,
			followRedirect: false,
			followAllRedirects: false,
			timeout: CREDENTIAL_TEST_TIMEOUT_MS,
		})) as FullResponse;
	} catch (error) {
		const code = errorCode(error) ?? 'network error';
		return failed(explainNetworkError(code, host, CREDENTIAL_TEST_TIMEOUT_MS), token);
	}
	const body = parsed(response.body);
	const isSuccess = response.statusCode >= 200 && response.statusCode < 300;
	const unconfirmed = isSuccess ? unconfirmedAnswer(body, 0) : undefined;
	if (isSuccess && unconfirmed === undefined) {
		return {
			status: 'OK',
			message: 'Connection successful!',
		};
	}
	const location = redirectTarget(response, url);
	return failed(
		explainAnswer(
			{ statusCode: response.statusCode, unconfirmed, location },
			DEFAULT_MAX_BODY_BYTES,
		),
		token,
	);
}
