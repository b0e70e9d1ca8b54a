import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { NodeApiError, NodeConnectionTypes } from 'n8n-workflow';
import type {
	IAuthenticateGeneric,
	ICredentialTestRequest,
	ICredentialType,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	INodeExecutionData,
	INodeProperties,
	INodeType,
	INodeTypeDescription,
	JsonObject,
} from 'n8n-workflow';

import { runNode, runWorkflowFrom, testCredential } from './harness';

const TOKEN = 's3cret-token-4711';

// ---- a tiny credential pair and node, defined here so the harness is proven on its own ----

const credentialProperties: INodeProperties[] = [
	{
		displayName: 'Token',
		name: 'token',
		type: 'string',
		typeOptions: { password: true },
		default: '',
	},
	{ displayName: 'Base URL', name: 'baseUrl', type: 'string', default: 'http://127.0.0.1:1' },
];

class EchoApi implements ICredentialType {
	name = 'echoApi';
	displayName = 'Echo API';
	properties = credentialProperties;
	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: { headers: { Authorization: '=Bearer {{$credentials.token}}' } },
	};
	test: ICredentialTestRequest = {
		request: { baseURL: '={{$credentials.baseUrl}}', url: '/whoami' },
	};
}

class EchoFnApi implements ICredentialType {
	name = 'echoFnApi';
	displayName = 'Echo Function API';
	properties = credentialProperties;
	async authenticate(credentials: IDataObject, options: IHttpRequestOptions) {
		return {
			...options,
			headers: { ...options.headers, Authorization: `Bearer ${credentials.token}` },
		};
	}
}

class Echo implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Echo',
		name: 'echo',
		group: ['transform'],
		version: [1, 2],
		description: 'Sends items to the echo server',
		defaults: { name: 'Echo' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		outputNames: ['Accepted', 'Rejected'],
		credentials: [
			{
				name: 'echoApi',
				required: true,
				displayOptions: { show: { authentication: ['echoApi'] } },
			},
			{
				name: 'echoFnApi',
				required: true,
				displayOptions: { show: { authentication: ['echoFnApi'] } },
			},
		],
		properties: [
			{
				displayName: 'Authentication',
				name: 'authentication',
				type: 'options',
				options: [
					{ name: 'Generic', value: 'echoApi' },
					{ name: 'Function', value: 'echoFnApi' },
				],
				default: 'echoApi',
			},
			{ displayName: 'Path', name: 'path', type: 'string', default: '/echo' },
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const pairedItem = items.map((_, item) => ({ item }));
		const authentication = this.getNodeParameter('authentication', 0) as string;
		const path = this.getNodeParameter('path', 0) as string;
		const { baseUrl } = await this.getCredentials(authentication);
		let response: { results: Array<{ ok: boolean; row: IDataObject }> };
		try {
			response = await this.helpers.httpRequestWithAuthentication.call(this, authentication, {
				method: 'POST',
				url: `${baseUrl}${path}`,
				body: { rows: items.map((item) => item.json) },
				json: true,
			});
		} catch (error) {
			if (this.continueOnFail()) {
				return [[{ json: { error: (error as Error).message }, pairedItem }], []];
			}
			throw error instanceof NodeApiError
				? error
				: new NodeApiError(this.getNode(), error as JsonObject);
		}
		const staticData = this.getWorkflowStaticData('node');
		const run = ((staticData.runs as number | undefined) ?? 0) + 1;
		staticData.runs = run;
		this.addExecutionHints({ message: `Sent ${items.length} rows`, location: 'outputPane' });
		this.logger.info('Echo sent rows', { count: items.length, baseUrl });
		const outputs: INodeExecutionData[][] = [[], []];
		response.results.forEach(({ ok, row }, item) => {
			outputs[ok ? 0 : 1].push({ json: { ...row, run }, pairedItem: { item } });
		});
		return outputs;
	}
}

// ---- local server checking the bearer token ----

interface Received {
	method?: string;
	url?: string;
	authorization?: string;
	body?: IDataObject;
}

let server: Server;
let baseUrl: string;
let received: Received[] = [];

async function readBody(req: IncomingMessage): Promise<IDataObject | undefined> {
	let raw = '';
	for await (const chunk of req) raw += chunk;
	return raw ? (JSON.parse(raw) as IDataObject) : undefined;
}

beforeAll(async () => {
	server = createServer(async (req, res) => {
		const body = await readBody(req);
		received.push({
			method: req.method,
			url: req.url,
			authorization: req.headers.authorization,
			body,
		});
		const reply = (status: number, payload: unknown) => {
			res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
		};
		if (req.headers.authorization !== `Bearer ${TOKEN}`)
			return reply(401, { message: 'bad token' });
		if (req.url === '/whoami') return reply(200, { org: 'ACME' });
		if (req.url === '/fail') return reply(422, { message: 'Row 2 is invalid' });
		const rows = (body?.rows ?? []) as IDataObject[];
		reply(200, { results: rows.map((row) => ({ ok: Number(row.qty) >= 0, row })) });
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
	server.closeAllConnections();
	await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
	received = [];
});

const items: INodeExecutionData[] = [
	{ json: { sku: 'A', qty: 3 } },
	{ json: { sku: 'B', qty: -1 } },
	{ json: { sku: 'C', qty: 0 } },
];

function echoRun(overrides: Partial<Parameters<typeof runNode>[0]> = {}) {
	return runNode({
		nodeType: new Echo(),
		credentialTypes: [new EchoApi(), new EchoFnApi()],
		credentials: { echoApi: { token: TOKEN, baseUrl }, echoFnApi: { token: TOKEN, baseUrl } },
		parameters: { path: '/echo' },
		items,
		...overrides,
	});
}

describe('runNode', () => {
	it('runs the node through WorkflowExecute with real authenticated HTTP and two outputs', async () => {
		const result = await echoRun();

		expect(result.error).toBeUndefined();
		expect(received).toEqual([
			{
				method: 'POST',
				url: '/echo',
				authorization: `Bearer ${TOKEN}`,
				body: { rows: items.map((item) => item.json) },
			},
		]);
		expect(result.outputs).toEqual([
			[
				{ json: { sku: 'A', qty: 3, run: 1 }, pairedItem: { item: 0 } },
				{ json: { sku: 'C', qty: 0, run: 1 }, pairedItem: { item: 2 } },
			],
			[{ json: { sku: 'B', qty: -1, run: 1 }, pairedItem: { item: 1 } }],
		]);
		expect(result.hints).toEqual([{ message: 'Sent 3 rows', location: 'outputPane' }]);
		expect(result.runData.resultData.runData.Echo).toHaveLength(1);
	});

	it('uses a function-style authenticate', async () => {
		const result = await echoRun({ parameters: { authentication: 'echoFnApi', path: '/echo' } });

		expect(result.error).toBeUndefined();
		expect(received[0].authorization).toBe(`Bearer ${TOKEN}`);
		expect(result.outputs[0]).toHaveLength(2);
	});

	it('captures logs (engine and this.logger) without leaking the token', async () => {
		const { logs } = await echoRun();

		expect(logs).toEqual(
			expect.arrayContaining([
				expect.stringMatching(/^debug: Workflow execution started/),
				expect.stringMatching(/^info: Echo sent rows .*"count":3/),
			]),
		);
		expect(logs.join('\n')).not.toContain(TOKEN);
	});

	it('persists node static data across two production executions', async () => {
		const first = await echoRun();
		expect(first.staticData).toEqual({ 'node:Echo': { runs: 1 } });

		const second = await echoRun({ staticData: first.staticData });
		expect(second.outputs[0][0].json.run).toBe(2);
		expect(second.staticData).toEqual({ 'node:Echo': { runs: 2 } });
		// the input object is not mutated by the run
		expect(first.staticData).toEqual({ 'node:Echo': { runs: 1 } });
	});

	it('does not persist static data of manual executions (as n8n does)', async () => {
		const start = { 'node:Echo': { runs: 5 } };
		const result = await echoRun({ staticData: start, mode: 'manual' });

		expect(result.outputs[0][0].json.run).toBe(6);
		expect(result.staticData).toEqual(start);
	});

	it('surfaces a NodeApiError as the run error', async () => {
		const result = await echoRun({ parameters: { path: '/fail' } });

		expect(result.outputs).toEqual([]);
		expect(result.error).toMatchObject({ name: 'NodeApiError', httpCode: '422' });
		// n8n replaces the message by a generic one per status; the server's message is the description
		expect(result.error).toMatchObject({
			message: 'Your request is invalid or could not be processed by the service',
			description: 'Row 2 is invalid',
			context: { data: { message: 'Row 2 is invalid' } },
		});
		expect(result.staticData).toEqual({});
		// n8n's ErrorReporter logs the failure (with the axios stack), still without the token
		expect(result.logs).toEqual(
			expect.arrayContaining([
				expect.stringMatching(/^error: Request failed with status code 422/),
			]),
		);
		expect(result.logs.join('\n')).not.toContain(TOKEN);
	});

	it('returns an error item paired to every input under continueOnFail', async () => {
		const result = await echoRun({ parameters: { path: '/fail' }, continueOnFail: true });

		expect(result.error).toBeUndefined();
		expect(result.outputs[1]).toEqual([]);
		expect(result.outputs[0]).toEqual([
			{
				json: { error: 'Your request is invalid or could not be processed by the service' },
				pairedItem: [{ item: 0 }, { item: 1 }, { item: 2 }],
			},
		]);
	});

	it('fails like n8n when the node has no credentials', async () => {
		const result = await echoRun({ credentials: {} });

		expect(result.error).toMatchObject({
			name: 'NodeOperationError',
			message: 'Node does not have any credentials set',
		});
		expect(received).toEqual([]);
	});

	it('keeps runs isolated', async () => {
		const results = [];
		for (let i = 0; i < 10; i++) results.push(await echoRun());

		expect(results.every((result) => result.staticData['node:Echo'] !== undefined)).toBe(true);
		expect(results.map((result) => result.outputs[0][0].json.run)).toEqual(Array(10).fill(1));
	});

	it('hands the node a JSON copy of the items, or with shareItems the items themselves', async () => {
		const dated: INodeExecutionData[] = [
			{ json: { sku: 'A', qty: 3, day: new Date(Date.UTC(2025, 0, 1)) } },
		];
		const seen: IDataObject[] = [];
		const nodeType = new Echo();
		const execute = nodeType.execute;
		nodeType.execute = async function (this: IExecuteFunctions) {
			seen.push(this.getInputData()[0].json);
			return await execute.call(this);
		};

		await echoRun({ nodeType, items: dated });
		await echoRun({ nodeType, items: dated, shareItems: true });

		expect(seen[0]).not.toBe(dated[0].json);
		expect(seen[0].day).toBe('2025-01-01T00:00:00.000Z');
		expect(seen[1]).toBe(dated[0].json);
	});

	it('keeps the logs of overlapping runs apart', async () => {
		const results = await Promise.all([
			echoRun(),
			echoRun({ parameters: { path: '/fail' } }),
			echoRun(),
		]);

		for (const { logs } of results) {
			expect(
				logs.filter((line) => line.startsWith('debug: Workflow execution started')),
			).toHaveLength(1);
		}
		expect(results.map(({ error }) => error?.httpCode)).toEqual([undefined, '422', undefined]);
		expect(results[1].logs.some((line) => line.startsWith('error:'))).toBe(true);
		expect(results[0].logs.some((line) => line.startsWith('error:'))).toBe(false);
	});
});

describe('runWorkflowFrom', () => {
	const workflow = {
		nodes: [
			{
				id: '1',
				name: 'Note',
				type: 'n8n-nodes-base.stickyNote',
				typeVersion: 1,
				position: [0, 0] as [number, number],
				parameters: { content: 'hi' },
			},
			{
				id: '2',
				name: 'Read CSV',
				type: 'n8n-nodes-base.extractFromFile',
				typeVersion: 1,
				position: [200, 0] as [number, number],
				parameters: {},
			},
			{
				id: '3',
				name: 'Send to Echo',
				type: 'n8n-nodes-paqtana.echo',
				typeVersion: 2,
				position: [400, 0] as [number, number],
				parameters: { path: '/echo' },
				credentials: { echoApi: { id: 'x1', name: 'Echo account' } },
			},
			{
				id: '4',
				name: 'Done',
				type: 'n8n-nodes-base.noOp',
				typeVersion: 1,
				position: [600, 0] as [number, number],
				parameters: {},
			},
		],
		connections: {
			'Read CSV': { main: [[{ node: 'Send to Echo', type: 'main' as const, index: 0 }]] },
			'Send to Echo': { main: [[{ node: 'Done', type: 'main' as const, index: 0 }], []] },
		},
		settings: { executionOrder: 'v1' },
		staticData: { 'node:Send to Echo': { runs: 41 } },
	};

	it('starts at the named node with the given items and ignores unknown node types', async () => {
		const result = await runWorkflowFrom({
			workflow,
			startNodeName: 'Send to Echo',
			items,
			nodeTypes: { 'n8n-nodes-paqtana.echo': new Echo() },
			credentialTypes: [new EchoApi()],
			credentials: { echoApi: { token: TOKEN, baseUrl } },
		});

		expect(result.error).toBeUndefined();
		expect(received).toHaveLength(1);
		expect(result.outputs[0].map((item) => item.json)).toEqual([
			{ sku: 'A', qty: 3, run: 42 },
			{ sku: 'C', qty: 0, run: 42 },
		]);
		expect(result.staticData).toEqual({ 'node:Send to Echo': { runs: 42 } });
		expect(Object.keys(result.runData.resultData.runData)).toEqual(['Send to Echo']);
		// the workflow JSON is left untouched
		expect(workflow.nodes[2].parameters).toEqual({ path: '/echo' });
	});

	/** Stands in for Extract From File: hands on the items it gets. */
	const passThrough: INodeType = {
		description: { ...new Echo().description, name: 'passThrough', properties: [] },
		async execute(this: IExecuteFunctions) {
			return [this.getInputData()];
		},
	};

	it('follows the connections from the start node to the destination, and stops there', async () => {
		const result = await runWorkflowFrom({
			workflow,
			startNodeName: 'Read CSV',
			destinationNodeName: 'Send to Echo',
			items,
			nodeTypes: {
				'n8n-nodes-base.extractFromFile': passThrough,
				'n8n-nodes-paqtana.echo': new Echo(),
				'n8n-nodes-base.noOp': passThrough,
			},
			credentialTypes: [new EchoApi()],
			credentials: { echoApi: { token: TOKEN, baseUrl } },
		});

		expect(result.error).toBeUndefined();
		expect(received).toHaveLength(1);
		expect(result.outputs[0].map((item) => item.json.sku)).toEqual(['A', 'C']);
		expect(Object.keys(result.runData.resultData.runData)).toEqual(['Read CSV', 'Send to Echo']);
	});

	it('says so when the destination is never reached', async () => {
		await expect(
			runWorkflowFrom({
				workflow,
				startNodeName: 'Read CSV',
				destinationNodeName: 'Done',
				items,
				// Send to Echo's type is missing, so nothing leads from Read CSV to Done
				nodeTypes: {
					'n8n-nodes-base.extractFromFile': passThrough,
					'n8n-nodes-base.noOp': passThrough,
				},
				credentialTypes: [],
			}),
		).rejects.toThrow('The run never reached "Done"');
		expect(received).toEqual([]);
	});
});

describe('testCredential', () => {
	it('reports OK for a valid token', async () => {
		const result = await testCredential({
			credentialType: new EchoApi(),
			credentials: { token: TOKEN, baseUrl },
		});

		expect(result).toEqual({ status: 'OK', message: 'Connection successful!' });
		expect(received).toEqual([
			{ method: 'GET', url: '/whoami', authorization: `Bearer ${TOKEN}`, body: undefined },
		]);
	});

	it('reports an Error for a 401', async () => {
		const result = await testCredential({
			credentialType: new EchoApi(),
			credentials: { token: 'wrong', baseUrl },
		});

		expect(result).toEqual({ status: 'Error', message: 'Unauthorized' });
	});
});
