import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
	Icon,
} from 'n8n-workflow';

import { isLoopbackHost } from '../nodes/Paqtana/helpers/endpoint';

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
			default: 'https://api.paqtana.com',
			description:
				'Change only for a proxy or the local Paqtana sandbox. Must be https:// (http:// only for localhost).',
		},
	];

	/**
	 * Adds `Authorization: Bearer <token>`, for this node and for the HTTP Request node's "predefined credential
	 * type" alike, and refuses to attach the token to a plain-http request unless it goes to this machine.
	 */
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		const target = new URL(requestOptions.url, requestOptions.baseURL);
		if (
			target.protocol !== 'https:' &&
			!(target.protocol === 'http:' && isLoopbackHost(target.hostname))
		) {
			throw new Error(
				`Paqtana's token is only sent over https:// (http:// only to localhost), not to ${target.protocol}//${target.host}. Fix the Base URL.`,
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

	// Upserting zero demand rows proves token and org code without changing anything. The https rule is
	// enforced by authenticate() above with real URL parsing (n8n evaluates these expressions without letting
	// an error in them stop the request, so they only build the URL); the org code is encoded as one path segment.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{ String($credentials.baseUrl ?? "").trim().replace(/\\/+$/, "") }}',
			url: '={{ "/v2/org/" + encodeURIComponent(String($credentials.orgCode ?? "").trim()) + "/historical_demand" }}',
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: '[]',
		},
		rules: [
			{
				type: 'responseCode',
				properties: {
					value: 401,
					message:
						'Paqtana did not accept the API token (401): check it, or generate a new one in Admin Console → Integration API Configuration v2',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 403,
					message:
						'The token may not write to this Organization Code (403): check both in the Admin Console',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 404,
					message:
						'Paqtana does not know this Organization Code (404): check it (Admin Console → Manage Workspaces) and the Base URL',
				},
			},
		],
	};
}
