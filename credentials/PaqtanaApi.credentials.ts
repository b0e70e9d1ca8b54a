import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

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
			description: 'Integration API v2 token: Paqtana → Settings (gear icon) → Admin Console → Integration API Configuration v2 → Generate New Token',
		},
		{
			displayName: 'Organization Code',
			name: 'orgCode',
			type: 'string',
			default: '',
			required: true,
			description: 'Paqtana → Settings → Admin Console → Manage Workspaces: the Organization Code above the workspace table',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.paqtana.com',
			description: 'Change only for a proxy or the local Paqtana sandbox. Must be https:// (http:// only for localhost).',
		},
	];

	// Works for this node and for the HTTP Request node's "predefined credential type".
	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: { Authorization: '=Bearer {{$credentials.token}}' },
		},
	};

	// Upserting zero demand rows proves token and org code without changing anything. The URL expression
	// refuses plain http to non-loopback hosts (the token must not travel unencrypted) and encodes the org code.
	test: ICredentialTestRequest = {
		request: {
			baseURL:
				'={{ (() => { const u = String($credentials.baseUrl).trim().replace(/\\/+$/, ""); const h = u.replace(/^https?:\\/\\/([^/:]+|\\[[^\\]]+\\]).*$/i, "$1").toLowerCase(); if (/^https:\\/\\//i.test(u) || (/^http:\\/\\//i.test(u) && ["localhost", "127.0.0.1", "[::1]"].includes(h))) return u; throw new Error("The Base URL must start with https:// (http:// only for localhost)"); })() }}',
			url: '=/v2/org/{{ encodeURIComponent(String($credentials.orgCode).trim()) }}/historical_demand',
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: '[]',
		},
	};
}
