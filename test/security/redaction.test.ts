/**
 * A server that echoes the token back in another spelling is redacted too: letter case changed,
 * URL-encoded, or base64-encoded (alone, as `Bearer <token>`, as URL-safe base64, or inside a longer
 * base64 text such as a Basic auth header). Checked through n8n's engine in errors, outputs and logs.
 */
import type { IDataObject } from 'n8n-workflow';

import { useFront, useSandbox } from '../hooks';
import {
	credentialsFor,
	demandParameters,
	demandRow,
	everything,
	runPaqtana,
	TOKEN,
} from '../support';

/** A token with characters that URL encoding and base64 change. */
const ODD_TOKEN = 'Zq9+/x=Tok en&ü?é#%-K7';

const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const base64Url = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

function spellings(token: string): Record<string, string> {
	return {
		upperCase: token.toUpperCase(),
		lowerCase: token.toLowerCase(),
		urlEncoded: encodeURIComponent(token),
		urlEncodedLowerHex: encodeURIComponent(token).replace(/%[0-9A-F]{2}/g, (hex) =>
			hex.toLowerCase(),
		),
		formEncoded: new URLSearchParams({ t: token }).toString().slice(2),
		base64: base64(token),
		base64Url: base64Url(token),
		base64Bearer: base64(`Bearer ${token}`),
		base64BasicAuth: base64(`user:${token}`),
		base64InLongerText: base64(`{"authorization":"${token}","at":1}`),
	};
}

let echoed: Record<string, string>;
let status: number;
const sandbox = useSandbox();
const front = useFront(() => ({
	decide: () => ({
		status,
		body: status === 200 ? { received: 2, echo: echoed } : { error: 'bad', echo: echoed },
	}),
}));

const rows = [demandRow('2026-11-01', 'A', 1), demandRow('2026-11-02', 'B', 2)];

describe.each([
	['the test token', TOKEN],
	['a token with characters encodings change', ODD_TOKEN],
])('%s', (_name, token) => {
	it.each([400, 200])('echoed in every spelling in a %d answer: none survives', async (answer) => {
		status = answer;
		echoed = spellings(token);
		const result = await runPaqtana(sandbox, {
			parameters: demandParameters({ maxRetries: 0 }),
			input: rows,
			credentials: credentialsFor(sandbox, { baseUrl: front.url, token }),
		});
		expect(front.requests[front.requests.length - 1].headers.authorization).toBe(`Bearer ${token}`);
		const text = everything(result);
		if (answer === 200) expect(result.error).toBeUndefined();
		else expect(result.error?.httpCode).toBe('400');
		const leaks = Object.entries(echoed).filter(([, spelling]) =>
			text.includes(JSON.stringify(spelling).slice(1, -1)),
		);
		expect(leaks).toEqual([]);
		const shown = (
			answer === 200 ? (result.outputs[0][0].json.response as IDataObject).echo : undefined
		) as IDataObject | undefined;
		if (shown) for (const value of Object.values(shown)) expect(String(value)).toContain('***');
	});
});
