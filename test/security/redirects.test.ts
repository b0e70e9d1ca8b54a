/**
 * Redirects are never followed: n8n forwards `Authorization` across origins (and turns a POST into a body-less
 * GET on 301-303), so a redirect would carry the token and the rows to another host. Any 3xx is an error that
 * names only the target's host, and the credential itself refuses to put the token on a request for another
 * origin than its Base URL (the HTTP Request node uses it too).
 */
import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
} from 'n8n-workflow';

import { PaqtanaApi } from '../../credentials/PaqtanaApi.credentials';
import { runNode } from '../harness';
import { useFront, useSandbox } from '../hooks';
import {
	credentialsFor,
	demandParameters,
	demandRow,
	everything,
	inventoryParameters,
	ORG,
	runPaqtana,
	TOKEN,
} from '../support';

let redirect: { status: number; location: () => string };
const sandbox = useSandbox();
/** Where the redirects point: a different origin (another port) that must never be contacted. */
const elsewhere = useFront(() => ({ target: sandbox.url }));
const front = useFront(() => ({
	decide: () => ({ status: redirect.status, headers: { location: redirect.location() } }),
}));

const rows = [demandRow('2026-11-01', 'A', 1), demandRow('2026-11-02', 'B', 2)];
const elsewhereHost = () => new URL(elsewhere.url).host;

describe('a redirect is an error that names the host it points to, and is never followed', () => {
	it.each([301, 302, 303, 307, 308])(
		'%d on the demand upsert (POST): nothing reaches the other host',
		async (status) => {
			redirect = {
				status,
				location: () => `${elsewhere.url}/v2/org/${encodeURIComponent(ORG)}/historical_demand`,
			};
			const result = await runPaqtana(sandbox, {
				parameters: demandParameters({ maxRetries: 3 }),
				input: rows,
				credentials: credentialsFor(sandbox, { baseUrl: front.url }),
			});
			expect(result.error?.httpCode).toBe(String(status));
			expect(result.error?.message).toBe(
				`The Base URL answered with a redirect (${status}) to ${elsewhereHost()}, which the node does not follow`,
			);
			expect(result.error?.description).toMatch(/Set the Base URL in the Paqtana credential/);
			expect(front.requests).toHaveLength(1);
			expect(elsewhere.requests).toEqual([]);
			expect(sandbox.demand(ORG)).toEqual([]);
			expect(everything(result)).not.toContain(TOKEN);
		},
	);

	it('307 on the inventory replace (PUT): not followed, nothing stored, the wipe-guard baseline unchanged', async () => {
		redirect = { status: 307, location: () => `${elsewhere.url}/anywhere` };
		const inventory = (count: number) =>
			Array.from({ length: count }, (_, i) => ({ Warehouse: 'WH1', SKU: `S${i}`, Stock: i }));
		const first = await runPaqtana(sandbox, {
			parameters: inventoryParameters(),
			input: inventory(7),
		});
		expect(first.error).toBeUndefined();
		sandbox.reset();
		const result = await runPaqtana(sandbox, {
			parameters: inventoryParameters({ maxRowDropPercent: 100 }),
			input: inventory(1),
			credentials: credentialsFor(sandbox, { baseUrl: front.url }),
			staticData: first.staticData,
		});
		expect(result.error?.httpCode).toBe('307');
		expect(elsewhere.requests).toEqual([]);
		expect(sandbox.inventory(ORG)).toEqual([]);
		expect(result.staticData).toEqual(first.staticData);
		expect(JSON.stringify(first.staticData)).toContain('"rows":7');
	});

	it('names only the host: credentials, path and query of the Location stay out of the error', async () => {
		redirect = {
			status: 302,
			location: () => {
				const url = new URL(elsewhere.url);
				return `http://spy:hunter2@${url.host}/steal/${TOKEN}?key=s3cr3t#frag`;
			},
		};
		const result = await runPaqtana(sandbox, {
			parameters: demandParameters(),
			input: rows,
			credentials: credentialsFor(sandbox, { baseUrl: front.url }),
		});
		expect(result.error?.message).toContain(`to ${elsewhereHost()},`);
		const text = everything(result);
		for (const secret of ['hunter2', 's3cr3t', '/steal', TOKEN]) expect(text).not.toContain(secret);
	});

	it('a relative Location names the Base URL’s own host', async () => {
		redirect = { status: 308, location: () => '/v3/somewhere' };
		const result = await runPaqtana(sandbox, {
			parameters: demandParameters(),
			input: rows,
			credentials: credentialsFor(sandbox, { baseUrl: front.url }),
		});
		expect(result.error?.message).toContain(`(308) to ${new URL(front.url).host},`);
		expect(front.requests).toHaveLength(1);
	});
});

/** A node that asks n8n to send a request with the Paqtana credential, as the HTTP Request node does. */
function requestWithCredentialNode(url: string): INodeType {
	return {
		description: {
			displayName: 'Request With Credential',
			name: 'requestWithCredential',
			group: ['transform'],
			version: 1,
			description: 'Test node',
			defaults: { name: 'Request With Credential' },
			inputs: [NodeConnectionTypes.Main],
			outputs: [NodeConnectionTypes.Main],
			credentials: [{ name: 'paqtanaApi', required: true }],
			properties: [],
		},
		async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
			const body = (await this.helpers.httpRequestWithAuthentication.call(this, 'paqtanaApi', {
				method: 'POST',
				url,
				body: '[]',
				headers: { 'Content-Type': 'application/json' },
			})) as object;
			return [[{ json: { body: JSON.stringify(body) }, pairedItem: { item: 0 } }]];
		},
	};
}

async function sendWithCredential(url: string, baseUrl: string) {
	return await runNode({
		nodeType: requestWithCredentialNode(url),
		credentialTypes: [new PaqtanaApi()],
		credentials: { paqtanaApi: credentialsFor(sandbox, { baseUrl }) },
		parameters: {},
		items: [{ json: {} }],
	});
}

describe('the credential attaches the token only to its Base URL’s origin (HTTP Request node too)', () => {
	it('a request to the Base URL’s origin gets the token', async () => {
		const result = await sendWithCredential(
			`${sandbox.url}/v2/org/${encodeURIComponent(ORG)}/historical_demand`,
			`${sandbox.url}/some/prefix`,
		);
		expect(result.error).toBeUndefined();
		expect(sandbox.requests().map((request) => request.status)).toEqual([200]);
	});

	it.each([
		['another port', () => `${elsewhere.url}/x`],
		['another host spelling', () => `http://localhost:${sandbox.port}/x`],
		['another scheme', () => `https://127.0.0.1:${sandbox.port}/x`],
	])('%s: refused before any connection, with a clear error', async (_name, url) => {
		const result = await sendWithCredential(url(), sandbox.url);
		expect(result.error?.message).toMatch(
			/^The Paqtana token is only sent to the credential's Base URL \(http:\/\/127\.0\.0\.1:\d+\), not to /,
		);
		expect(elsewhere.requests).toEqual([]);
		expect(sandbox.requests()).toEqual([]);
		expect(everything(result)).not.toContain(TOKEN);
	});
});
