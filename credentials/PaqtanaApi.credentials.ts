import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
	Icon,
} from 'n8n-workflow';

import { checkBaseUrl, DEFAULT_BASE_URL, EndpointError } from '../nodes/Paqtana/helpers/endpoint';

export class PaqtanaApi implements ICredentialType {
	name = 'paqtanaApi';

	displayName = 'Paqtana API';

	icon: Icon = { light: 'file:paqtana.svg', dark: 'file:paqtana.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-paqtana/n8n-nodes-paqtana#credentials';

	properties: INodeProperties[] = [
		{
			displayName: 'API Token',
			name: 'token',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'Integration API v2 token: Paqtana → Settings (gear icon) → Admin Console → Integration API Configuration v2 → Generate New Token',
		},
		{
			displayName: 'Organization Code',
			name: 'orgCode',
			type: 'string',
			default: '',
			required: true,
			description:
				'Paqtana → Settings → Admin Console → Manage Workspaces: the Organization Code above the workspace table',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: DEFAULT_BASE_URL,
			description:
				'Change only for a proxy or the local Paqtana sandbox. Must be https:// (http:// only for localhost).',
		},
	];

	/**
	 * Adds `Authorization: Bearer <token>`, for this node and for the HTTP Request node's "predefined credential
	 * type" alike, but only to requests for the Base URL's origin (scheme, host and port): the token never goes
	 * to another host, nor over plain http except to this machine (the Base URL's own rule).
	 */
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		const base = checkBaseUrl(String(credentials.baseUrl ?? DEFAULT_BASE_URL));
		if (base instanceof EndpointError)
			throw new Error(`${base.message}. Fix the Paqtana credential.`);
		const allowed = new URL(base).origin;
		const target = URL.canParse(requestOptions.url, requestOptions.baseURL)
			? new URL(requestOptions.url, requestOptions.baseURL)
			: undefined;
		if (target?.origin !== allowed) {
			const where = target === undefined ? 'an invalid URL' : `${target.protocol}//${target.host}`;
			throw new Error(
				`The Paqtana token is only sent to the credential's Base URL (${allowed}), not to ${where}. ` +
					'Use a URL on that host, or change the Base URL in the credential.',
			);
		}
		return {
			...requestOptions,
			headers: {
				...requestOptions.headers,
				Authorization: `Bearer ${credentials.token as string}`,
			},
		};
	}

	// The Test button is the node's `paqtanaApiTest` (nodes/Paqtana/methods/credentialTest.ts, `testedBy`):
	// n8n prefers a credential's own `test` request, whose failures it shows as bare codes (ECONNREFUSED).
}
