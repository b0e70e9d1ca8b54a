/**
 * Secret hygiene: every error path of the node and of the credential test runs here, and the token never
 * appears in an output item, an error message or description, a hint, a log line or the run data, nor in
 * the sandbox's request log — even when a server echoes it back.
 */
import { createServer } from 'node:net';
import type { IDataObject } from 'n8n-workflow';

import { PaqtanaApi } from '../../credentials/PaqtanaApi.credentials';
import { Paqtana } from '../../nodes/Paqtana/Paqtana.node';
import type { Sandbox } from '../../sandbox/server';
import { testCredential } from '../harness';
import { withLogCapture } from '../harness/environment';
import type { RunNodeResult } from '../harness';
import { useFront, useSandbox } from '../hooks';
import {
	credentialsFor,
	demandParameters,
	demandRow,
	everything,
	inventoryParameters,
	ORG,
	runPaqtana,
	startTestSandbox,
	TOKEN,
} from '../support';
import { startFront, type FrontAction } from '../reliability/front-server';

/** A second distinctive secret, for runs with a wrong token. */
const WRONG_TOKEN = 'pqt_live_Qq93-WRONG-secret-77d1e0';

const sandbox = useSandbox();
const smallSandbox = useSandbox({ maxBodyBytes: 600 });

const rows = [demandRow('2026-11-01', 'A', 1), demandRow('2026-11-02', 'A', 2)];

/** The proof that a run failed the way the case meant, and that no secret is in anything it produced. */
function expectNoSecret(result: RunNodeResult): void {
	const text = everything(result);
	expect(text.length).toBeGreaterThan(100);
	for (const secret of [TOKEN, WRONG_TOKEN]) {
		expect(text).not.toContain(secret);
		// Also not in JSON-escaped or URL-encoded form.
		expect(text).not.toContain(encodeURIComponent(secret));
	}
}

function expectSandboxLogClean(box: Sandbox): void {
	const log = JSON.stringify(box.requests());
	expect(log).not.toContain(TOKEN);
	expect(log).not.toContain(WRONG_TOKEN);
}

/** A port on 127.0.0.1 with nothing listening (connection refused). */
async function closedPort(): Promise<number> {
	const server = createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as { port: number };
	await new Promise<void>((resolve) => server.close(() => resolve()));
	return port;
}

type Case = {
	name: string;
	run: () => Promise<RunNodeResult>;
	/** What the failure must look like, so a case cannot pass by failing some other way (or not at all). */
	expectFailure: (result: RunNodeResult) => void;
};

const failsWith = (pattern: RegExp) => (result: RunNodeResult) =>
	expect(result.error?.message).toMatch(pattern);
const outputErrorMatches = (pattern: RegExp) => (result: RunNodeResult) =>
	expect(String(result.outputs[0]?.[0]?.json.error)).toMatch(pattern);

const nodeCases: Case[] = [
	{
		name: '401 wrong token',
		run: () =>
			runPaqtana(sandbox, {
				parameters: demandParameters(),
				input: rows,
				credentials: credentialsFor(sandbox, { token: WRONG_TOKEN }),
			}),
		expectFailure: failsWith(/401/),
	},
	{
		name: '403 token of another org',
		run: () =>
			runPaqtana(sandbox, {
				parameters: demandParameters(),
				input: rows,
				credentials: credentialsFor(sandbox, { orgCode: 'OTHER' }),
			}),
		expectFailure: failsWith(/403/),
	},
	{
		name: '404 unknown org',
		run: () =>
			runPaqtana(sandbox, {
				parameters: demandParameters(),
				input: rows,
				credentials: credentialsFor(sandbox, { orgCode: 'NOPE' }),
			}),
		expectFailure: failsWith(/404/),
	},
	{
		name: '413 body over the server limit',
		run: () =>
			runPaqtana(smallSandbox, {
				parameters: demandParameters(),
				input: Array.from({ length: 20 }, (_, i) => demandRow('2026-11-01', `S${i}`, i)),
			}),
		expectFailure: failsWith(/413/),
	},
	{
		name: '429 retries used up',
		run: async () => {
			sandbox.injectFaults({
				mode: 'next',
				kinds: ['status429', 'status429'],
				retryAfterSeconds: 0,
			});
			return runPaqtana(sandbox, { parameters: demandParameters({ maxRetries: 1 }), input: rows });
		},
		expectFailure: failsWith(/429/),
	},
	{
		name: '500 (not retried)',
		run: async () => {
			sandbox.injectFaults({ mode: 'next', kinds: ['status500'] });
			return runPaqtana(sandbox, { parameters: demandParameters(), input: rows });
		},
		expectFailure: failsWith(/server error \(500\)/),
	},
	{
		name: '502/503/504 retries used up',
		run: async () => {
			sandbox.injectFaults({ mode: 'next', kinds: ['status502', 'status503', 'status504'] });
			return runPaqtana(sandbox, { parameters: demandParameters({ maxRetries: 2 }), input: rows });
		},
		expectFailure: failsWith(/server error \(504\)/),
	},
	{
		name: 'connection reset, retries used up',
		run: async () => {
			sandbox.injectFaults({ mode: 'next', kinds: ['reset', 'dropAfterWrite'] });
			return runPaqtana(sandbox, { parameters: demandParameters({ maxRetries: 1 }), input: rows });
		},
		expectFailure: failsWith(/ECONNRESET/),
	},
	{
		name: 'request timeout',
		run: async () => {
			sandbox.injectFaults({ mode: 'next', kinds: ['hang'] });
			return runPaqtana(sandbox, {
				parameters: demandParameters({ maxRetries: 0, requestTimeoutSeconds: 1 }),
				input: rows,
			});
		},
		expectFailure: failsWith(/request timeout/),
	},
	{
		name: 'connection refused',
		run: async () =>
			runPaqtana(sandbox, {
				parameters: demandParameters({ maxRetries: 1 }),
				input: rows,
				credentials: credentialsFor(sandbox, { baseUrl: `http://127.0.0.1:${await closedPort()}` }),
			}),
		expectFailure: failsWith(/ECONNREFUSED/),
	},
	{
		name: 'invalid rows (stop)',
		run: () =>
			runPaqtana(sandbox, {
				parameters: demandParameters(),
				input: [...rows, { Warehouse: 'WH1', SKU: 'B', Date: '2026-02-31', Qty: 'lots' }],
			}),
		expectFailure: failsWith(/1 invalid row/),
	},
	{
		name: 'invalid rows (routed) and a value that looks like the token is not a secret leak source',
		run: () =>
			runPaqtana(sandbox, {
				parameters: demandParameters({ onInvalidRows: 'route' }),
				input: [...rows, { Warehouse: 'WH1', SKU: '', Date: 'never', Qty: NaN }],
			}),
		expectFailure: (result) => expect(result.outputs[1]).toHaveLength(1),
	},
	{
		name: 'duplicate rows under the Error policy',
		run: () =>
			runPaqtana(sandbox, {
				parameters: demandParameters({ duplicates: 'error' }),
				input: [rows[0], rows[0]],
			}),
		expectFailure: failsWith(/same key/),
	},
	{
		name: 'wipe guard: empty master inventory',
		// n8n does not run a node without input items: the inventory is empty because every row is invalid.
		run: () =>
			runPaqtana(sandbox, {
				parameters: inventoryParameters(),
				input: [{}],
			}),
		expectFailure: failsWith(/Refusing to replace the master inventory with 0 rows/),
	},
	{
		name: 'wipe guard: large drop',
		run: () =>
			runPaqtana(sandbox, {
				parameters: inventoryParameters(),
				input: [{ Warehouse: 'WH1', SKU: 'A' }],
				staticData: {
					'node:Paqtana': { lastReplace: { rows: 100, at: '2026-01-01T00:00:00.000Z' } },
				},
			}),
		expectFailure: failsWith(/Refusing to replace/),
	},
	{
		name: 'master inventory too large for one request',
		run: () =>
			runPaqtana(sandbox, {
				parameters: inventoryParameters({ maxBodyBytes: 1024 }),
				input: Array.from({ length: 40 }, (_, i) => ({ Warehouse: 'WH1', SKU: `S${i}` })),
			}),
		expectFailure: failsWith(/over the .* request limit/),
	},
	{
		name: 'plain http to a non-loopback host',
		run: () =>
			runPaqtana(sandbox, {
				parameters: demandParameters(),
				input: rows,
				credentials: credentialsFor(sandbox, { baseUrl: 'http://paqtana.example.invalid' }),
			}),
		expectFailure: failsWith(/https/),
	},
	{
		name: 'a Base URL that is not a URL',
		run: () =>
			runPaqtana(sandbox, {
				parameters: demandParameters(),
				input: rows,
				credentials: credentialsFor(sandbox, { baseUrl: 'not a url' }),
			}),
		expectFailure: failsWith(/not a valid URL/),
	},
	{
		name: 'a Base URL with a query string',
		run: () =>
			runPaqtana(sandbox, {
				parameters: demandParameters(),
				input: rows,
				credentials: credentialsFor(sandbox, { baseUrl: `${sandbox.url}/?x=1` }),
			}),
		expectFailure: failsWith(/query string/),
	},
	{
		name: 'an empty org code',
		run: () =>
			runPaqtana(sandbox, {
				parameters: demandParameters(),
				input: rows,
				credentials: credentialsFor(sandbox, { orgCode: '  ' }),
			}),
		expectFailure: failsWith(/Organization Code/),
	},
	{
		name: 'an org code of dots',
		run: () =>
			runPaqtana(sandbox, {
				parameters: demandParameters(),
				input: rows,
				credentials: credentialsFor(sandbox, { orgCode: '..' }),
			}),
		expectFailure: failsWith(/not a valid Organization Code/),
	},
	{
		name: 'continue on fail: 401 as an error item',
		run: () =>
			runPaqtana(sandbox, {
				parameters: demandParameters(),
				input: rows,
				continueOnFail: true,
				credentials: credentialsFor(sandbox, { token: WRONG_TOKEN }),
			}),
		expectFailure: outputErrorMatches(/401/),
	},
	{
		name: 'continue on fail: network failure as an error item',
		run: async () => {
			sandbox.injectFaults({ mode: 'next', kinds: ['reset'] });
			return runPaqtana(sandbox, {
				parameters: demandParameters({ maxRetries: 0 }),
				input: rows,
				continueOnFail: true,
			});
		},
		expectFailure: outputErrorMatches(/ECONNRESET/),
	},
	{
		name: 'continue on fail: validation stop as an error item',
		run: () =>
			runPaqtana(sandbox, {
				parameters: demandParameters(),
				input: [{ Warehouse: 'WH1', SKU: 'X', Date: '2026-01-01', Qty: 'x' }],
				continueOnFail: true,
			}),
		expectFailure: outputErrorMatches(/invalid row/),
	},
	{
		name: 'continue on fail: credential refused before sending',
		run: () =>
			runPaqtana(sandbox, {
				parameters: demandParameters(),
				input: rows,
				continueOnFail: true,
				credentials: credentialsFor(sandbox, { baseUrl: 'http://10.0.0.1' }),
			}),
		expectFailure: outputErrorMatches(/https/),
	},
];

describe('no node error path exposes the token', () => {
	it.each(nodeCases.map((c) => [c.name, c] as const))(
		'%s',
		async (_name, { run, expectFailure }) => {
			const result = await run();
			expectFailure(result);
			expectNoSecret(result);
			expectSandboxLogClean(sandbox);
			expectSandboxLogClean(smallSandbox);
		},
	);

	it('the engine really logs node failures (so the log check above can catch a leak)', async () => {
		const result = await runPaqtana(sandbox, {
			parameters: demandParameters(),
			input: rows,
			credentials: credentialsFor(sandbox, { token: WRONG_TOKEN }),
		});
		expect(result.logs.join('\n')).toMatch(/did not accept the token/);
	});
});

describe('a server that echoes the token back is redacted', () => {
	let reply: (authorization: string) => FrontAction;
	const front = useFront(() => ({
		target: sandbox.url,
		decide: (request) => reply(String(request.headers.authorization ?? '')),
	}));

	/** Every place a careless server could put what it received. */
	function echoBody(authorization: string): IDataObject {
		const token = authorization.replace(/^Bearer /, '');
		return {
			error: `invalid token ${token}`,
			message: `You sent: ${authorization}`,
			details: [
				{ field: 'authorization', value: authorization, nested: { deeper: [token, `x${token}x`] } },
			],
			[token]: 'token as a key',
			data: { message: token },
		};
	}

	const echoes: Array<
		[string, (authorization: string) => FrontAction, IDataObject, (result: RunNodeResult) => void]
	> = [
		['in a 400 body', (a) => ({ status: 400, body: echoBody(a) }), {}, failsWith(/400/)],
		['in a 401 body', (a) => ({ status: 401, body: echoBody(a) }), {}, failsWith(/401/)],
		[
			'in a 403 plain-text body',
			(a) => ({
				status: 403,
				headers: { 'content-type': 'text/plain' },
				body: `forbidden for ${a}`,
			}),
			{},
			failsWith(/403/),
		],
		['in a 500 body', (a) => ({ status: 500, body: echoBody(a) }), {}, failsWith(/500/)],
		[
			'in 503 bodies until retries are used up',
			(a) => ({ status: 503, body: echoBody(a) }),
			{ maxRetries: 2 },
			failsWith(/503/),
		],
		[
			'in a successful (200) answer',
			(a) => ({ status: 200, body: { received: 2, ...echoBody(a) } }),
			{},
			(result) => expect(result.outputs[0][0].json.status).toBe(200),
		],
		[
			'under continue on fail',
			(a) => ({ status: 422, body: echoBody(a) }),
			{},
			(result) => expect(String(result.outputs[0][0].json.error)).toMatch(/422/),
		],
	];

	it.each(echoes)('%s', async (_name, answer, options, expectFailure) => {
		reply = answer;
		const continueOnFail = _name === 'under continue on fail';
		const result = await runPaqtana(sandbox, {
			parameters: demandParameters(options),
			input: rows,
			continueOnFail,
			credentials: credentialsFor(sandbox, { baseUrl: front.url }),
		});
		// The server really did receive the token and put it in its answer...
		expect(front.requests.length).toBeGreaterThan(0);
		expect(front.requests[0].headers.authorization).toBe(`Bearer ${TOKEN}`);
		expect(JSON.stringify(answer(`Bearer ${TOKEN}`))).toContain(TOKEN);
		expectFailure(result);
		// ...and the node shows the answer (redacted), never the token.
		expect(everything(result)).toContain('***');
		expectNoSecret(result);
	});
});

describe('the credential test never exposes the token', () => {
	const credentialTest = async (credentials: IDataObject) => {
		const { value, logs } = await withLogCapture(() =>
			testCredential({ credentialType: new PaqtanaApi(), nodeTypes: [new Paqtana()], credentials }),
		);
		return { result: value, text: JSON.stringify({ value, logs }) };
	};

	it.each([
		['a wrong token', { token: WRONG_TOKEN }],
		['an unknown org', { orgCode: 'NOPE' }],
		['another org', { orgCode: 'OTHER' }],
		['an org code of dots', { orgCode: '..' }],
		['an empty org code', { orgCode: '' }],
		['plain http to a non-loopback host', { baseUrl: 'http://paqtana.example.invalid' }],
		[
			'userinfo that hides the real host',
			{ baseUrl: 'http://localhost:80@paqtana.example.invalid' },
		],
		['not a URL', { baseUrl: 'not a url' }],
	])('%s', async (_name, overrides) => {
		const { result, text } = await credentialTest(credentialsFor(sandbox, overrides));
		expect(result.status).toBe('Error');
		expect(result.message.length).toBeGreaterThan(0);
		expect(text).not.toContain(TOKEN);
		expect(text).not.toContain(WRONG_TOKEN);
		expectSandboxLogClean(sandbox);
	});

	it('connection refused and a timeout-free hang-up', async () => {
		const refused = await credentialTest(
			credentialsFor(sandbox, { baseUrl: `http://127.0.0.1:${await closedPort()}` }),
		);
		expect(refused.result.status).toBe('Error');
		expect(refused.text).not.toContain(TOKEN);
		sandbox.injectFaults({ mode: 'next', kinds: ['reset'] });
		const reset = await credentialTest(credentialsFor(sandbox));
		expect(reset.result.status).toBe('Error');
		expect(reset.text).not.toContain(TOKEN);
		expectSandboxLogClean(sandbox);
	});

	it.each([
		['401', 401],
		['500', 500],
		['400', 400],
	])('a server that echoes the token with %s', async (_name, status) => {
		const front = await startFront({
			decide: (request) => ({
				status,
				body: {
					error: `bad token ${String(request.headers.authorization)}`,
					message: String(request.headers.authorization),
				},
			}),
		});
		try {
			const { result, text } = await credentialTest(
				credentialsFor(sandbox, { baseUrl: front.url }),
			);
			// (n8n's request helper tries a 401 once more after pre-authentication.)
			expect(front.requests.length).toBeGreaterThanOrEqual(1);
			expect(front.requests[0].headers.authorization).toBe(`Bearer ${TOKEN}`);
			expect(result.status).toBe('Error');
			expect(text).not.toContain(TOKEN);
		} finally {
			await front.close();
		}
	});

	it('passes with the right credentials, and leaves the token out of the sandbox log', async () => {
		const { result, text } = await credentialTest(credentialsFor(sandbox));
		expect(result).toEqual({ status: 'OK', message: 'Connection successful!' });
		expect(text).not.toContain(TOKEN);
		expect(sandbox.requests()).toHaveLength(1);
		expect(sandbox.requests()[0].authorization).toBe('Bearer ***');
		expectSandboxLogClean(sandbox);
	});
});

describe('the sandbox request log never stores tokens', () => {
	it('not from the Authorization header, a malformed header, or a token pasted into the query string', async () => {
		const seen: string[] = [];
		const box = await startTestSandbox({ onRequest: (entry) => seen.push(JSON.stringify(entry)) });
		try {
			const url = `${box.url}/v2/org/${encodeURIComponent(ORG)}/historical_demand`;
			const body = JSON.stringify([
				{ workspaceCode: 'MAIN', location: 'WH1', code: 'A', date: '2026-01-01', quantity: 1 },
			]);
			const sent = [
				await fetch(url, {
					method: 'POST',
					body,
					headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
				}),
				await fetch(`${url}?token=${encodeURIComponent(TOKEN)}&auto_calculate=False`, {
					method: 'POST',
					body,
					headers: { authorization: `Bearer ${TOKEN}` },
				}),
				await fetch(url, {
					method: 'POST',
					body,
					headers: { authorization: `Bearer ${TOKEN} extra` },
				}),
				await fetch(url, { method: 'POST', body, headers: { authorization: TOKEN } }),
			];
			expect(sent.map((response) => response.status)).toEqual([200, 200, 401, 401]);
			const log = box.requests();
			expect(log.map((entry) => entry.authorization)).toEqual([
				'Bearer ***',
				'Bearer ***',
				'malformed',
				'malformed',
			]);
			expect(log[1].query.token).toBe('***');
			const inspected = await (await fetch(`${box.url}/__sandbox/requests`)).text();
			for (const text of [JSON.stringify(log), seen.join('\n'), inspected]) {
				expect(text.length).toBeGreaterThan(50);
				expect(text).not.toContain(TOKEN);
			}
		} finally {
			await box.close();
		}
	});
});
