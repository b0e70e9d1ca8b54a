/**
 * Transport safety: the token never goes over plain http to a host that is not this machine (refused before
 * any connection is made), the org code is always exactly one path segment, and a Base URL with a path
 * prefix (a reverse proxy) works.
 *
 * Loopback means exactly the hosts the README lists under Credentials: localhost, 127.0.0.1, [::1].
 * Other loopback spellings that URL parsing does not turn into one of those (127.0.0.2, 0.0.0.0,
 * [::ffff:127.0.0.1], localhost.) are refused: a short allow-list is easy to reason about, and nobody needs them for the sandbox.
 * Spellings that WHATWG URL parsing normalises to 127.0.0.1 (127.1, 2130706433) are the same host and allowed.
 */
import { request as httpRequest } from 'node:http';
import net from 'node:net';

import { PaqtanaApi } from '../../credentials/PaqtanaApi.credentials';
import { Paqtana } from '../../nodes/Paqtana/Paqtana.node';
import { testCredential } from '../harness';
import { useFront, useSandbox } from '../hooks';
import {
	credentialsFor,
	demandParameters,
	demandRow,
	ORG,
	runPaqtana,
	startTestSandbox,
	TOKEN,
} from '../support';

const ORG_CODES = [
	'a/b',
	'..x',
	'x/..',
	'../x',
	'x?y=1',
	'x#y',
	'a b',
	'Ünï',
	'%2e%2e',
	'a%2Fb',
	'ok;x=1',
	'tab\there',
	'😀 org',
	'\u202eRTL',
	'back\\slash',
];

const sandbox = useSandbox({
	orgs: { [ORG]: TOKEN, ...Object.fromEntries(ORG_CODES.map((org) => [org, TOKEN])) },
});
const front = useFront(() => ({ target: sandbox.url, stripPrefix: '/proxy/paqtana' }));

const rows = [demandRow('2026-11-01', 'A', 1), demandRow('2026-11-02', 'B', 2)];
const stored = [
	{ workspaceCode: 'MAIN', location: 'WH1', code: 'A', date: '2026-11-01', quantity: 1 },
	{ workspaceCode: 'MAIN', location: 'WH1', code: 'B', date: '2026-11-02', quantity: 2 },
];

/** Counts outgoing TCP connections made by this process while `fn` runs. */
async function countingConnections<T>(
	fn: () => Promise<T>,
): Promise<{ value: T; connections: string[] }> {
	const connections: string[] = [];
	const original = net.Socket.prototype.connect;
	const spy = jest.spyOn(net.Socket.prototype, 'connect').mockImplementation(function (
		this: net.Socket,
		...args: any[]
	) {
		// net.connect passes its normalised [options, callback] array as the first argument.
		const first = Array.isArray(args[0]) ? args[0][0] : args[0];
		const options =
			typeof first === 'object' && first !== null ? first : { port: first, host: args[1] };
		connections.push(`${options.host ?? options.path}:${options.port ?? ''}`);
		return (original as any).apply(this, args);
	});
	try {
		return { value: await fn(), connections };
	} finally {
		spy.mockRestore();
	}
}

/** Whether a plain http request to `url` reaches the sandbox (it answers 404 for an unknown path). */
function reaches(url: string): Promise<boolean> {
	return new Promise((resolve) => {
		const req = httpRequest(url, { method: 'GET', timeout: 2000 }, (res) => {
			res.resume();
			resolve(res.statusCode === 404);
		});
		req.on('error', () => resolve(false));
		req.on('timeout', () => {
			req.destroy();
			resolve(false);
		});
		req.end();
	});
}

describe('no token over plain http to a non-loopback host', () => {
	it('the connection spy sees the connections of a normal run (so "no connection" below means something)', async () => {
		const { value: result, connections } = await countingConnections(() =>
			runPaqtana(sandbox, { parameters: demandParameters(), input: rows }),
		);
		expect(result.error).toBeUndefined();
		expect(connections).toContain(`127.0.0.1:${sandbox.port}`);
	});

	it.each([
		['a public name', () => 'http://paqtana.example.invalid'],
		['a private IP', () => 'http://10.1.2.3:8080'],
		['127.0.0.2 (loopback range, not on the list)', () => `http://127.0.0.2:${sandbox.port}`],
		[
			'0.0.0.0 (reaches this machine, but not a loopback name)',
			() => `http://0.0.0.0:${sandbox.port}`,
		],
		['an IPv4-mapped IPv6 loopback', () => `http://[::ffff:127.0.0.1]:${sandbox.port}`],
		[
			'userinfo that looks like localhost',
			() => `http://localhost:${sandbox.port}@0.0.0.0:${sandbox.port}`,
		],
		['localhost with a trailing dot', () => `http://localhost.:${sandbox.port}`],
		['another scheme', () => `ftp://127.0.0.1:${sandbox.port}`],
	])('%s: a clear error, and no connection at all', async (_name, baseUrl) => {
		const { value: result, connections } = await countingConnections(() =>
			runPaqtana(sandbox, {
				parameters: demandParameters(),
				input: rows,
				credentials: credentialsFor(sandbox, { baseUrl: baseUrl() }),
			}),
		);
		expect(result.error?.message).toMatch(
			/^The Base URL must start with https:\/\/ \(plain http:\/\/ is only allowed for localhost\)/,
		);
		expect(result.error?.description).toMatch(/Fix the Paqtana credential/);
		expect(connections).toEqual([]);
		expect(sandbox.requests()).toEqual([]);
	});

	it('0.0.0.0 and the userinfo trick would really reach the sandbox: the refusal is what protects the token', async () => {
		expect(await reaches(`http://0.0.0.0:${sandbox.port}/nothing`)).toBe(true);
		expect(await reaches(`http://localhost:${sandbox.port}@0.0.0.0:${sandbox.port}/nothing`)).toBe(
			true,
		);
	});

	it.each([
		['localhost', () => `http://localhost:${sandbox.port}`],
		['127.0.0.1 with a trailing slash', () => `${sandbox.url}/`],
		['upper-case scheme and host', () => `HTTP://LOCALHOST:${sandbox.port}`],
		['127.1 (URL parsing makes it 127.0.0.1)', () => `http://127.1:${sandbox.port}`],
	])('allowed: %s', async (_name, baseUrl) => {
		const result = await runPaqtana(sandbox, {
			parameters: demandParameters(),
			input: rows,
			credentials: credentialsFor(sandbox, { baseUrl: baseUrl() }),
		});
		expect(result.error).toBeUndefined();
		expect(sandbox.demand(ORG)).toEqual(stored);
	});

	it.each([
		['a public name', 'http://paqtana.example.invalid'],
		['0.0.0.0', 'http://0.0.0.0:PORT'],
		['127.0.0.2', 'http://127.0.0.2:PORT'],
		['userinfo that looks like localhost', 'http://localhost:PORT@0.0.0.0:PORT'],
		['userinfo that looks like [::1]', 'http://[::1]:PORT@0.0.0.0:PORT'],
	])('the credential test refuses %s without connecting', async (_name, template) => {
		const baseUrl = template.replace(/PORT/g, String(sandbox.port));
		const { value: result, connections } = await countingConnections(() =>
			testCredential({
				credentialType: new PaqtanaApi(),
				nodeTypes: [new Paqtana()],
				credentials: credentialsFor(sandbox, { baseUrl }),
			}),
		);
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/https/);
		expect(connections).toEqual([]);
		expect(sandbox.requests()).toEqual([]);
	});

	it('the credential’s authenticate() (also used by the HTTP Request node) refuses to attach the token to such URLs', async () => {
		const credential = new PaqtanaApi();
		const authenticate = credential.authenticate as (
			c: object,
			o: object,
		) => Promise<{ headers: Record<string, string> }>;
		for (const url of [
			'http://example.com/v2/x',
			'http://0.0.0.0:1/x',
			`http://localhost:1@0.0.0.0:1/x`,
		]) {
			await expect(
				authenticate({ token: TOKEN, baseUrl: 'http://127.0.0.1:1' }, { url }),
			).rejects.toThrow(/only sent to the credential's Base URL \(http:\/\/127\.0\.0\.1:1\)/);
			await expect(authenticate({ token: TOKEN, baseUrl: url }, { url })).rejects.toThrow(
				/must start with https:\/\//,
			);
		}
		await expect(
			authenticate(
				{ token: TOKEN, baseUrl: 'http://127.0.0.1:1' },
				{ url: '/v2/x', baseURL: 'http://127.0.0.1:1' },
			),
		).resolves.toMatchObject({ headers: { Authorization: `Bearer ${TOKEN}` } });
		await expect(
			authenticate({ token: TOKEN }, { url: 'https://api.paqtana.com/v2/x' }),
		).resolves.toMatchObject({ headers: { Authorization: `Bearer ${TOKEN}` } });
	});
});

describe('the org code is exactly one path segment', () => {
	it.each(ORG_CODES.map((org) => [JSON.stringify(org), org]))('%s', async (_name, org) => {
		const result = await runPaqtana(sandbox, {
			parameters: demandParameters(),
			input: rows,
			credentials: credentialsFor(sandbox, { orgCode: org }),
		});
		expect(result.error).toBeUndefined();
		const log = sandbox.requests();
		expect(log).toHaveLength(1);
		expect(log[0].path).toBe(`/v2/org/${encodeURIComponent(org)}/historical_demand`);
		const segments = log[0].path.split('/').slice(1).map(decodeURIComponent);
		expect(segments).toEqual(['v2', 'org', org, 'historical_demand']);
		expect(log[0].query).toEqual({});
		expect(sandbox.demand(org)).toEqual(stored);
		expect(sandbox.demand(ORG)).toEqual([]);
	});

	it('surrounding spaces are trimmed, as everywhere in the credential', async () => {
		const result = await runPaqtana(sandbox, {
			parameters: demandParameters(),
			input: rows,
			credentials: credentialsFor(sandbox, { orgCode: `  ${ORG} ` }),
		});
		expect(result.error).toBeUndefined();
		expect(sandbox.demand(ORG)).toEqual(stored);
	});

	it.each([['.'], ['..'], ['...'], [' .. '], [''], ['   ']])(
		'%j is refused with a clear error before any request',
		async (org) => {
			const result = await runPaqtana(sandbox, {
				parameters: demandParameters(),
				input: rows,
				credentials: credentialsFor(sandbox, { orgCode: org }),
			});
			expect(result.error?.message).toMatch(/Organization Code/);
			expect(sandbox.requests()).toEqual([]);
		},
	);

	it.each(['a/b', 'x?y=1', 'x#y', 'Ünï', '%2e%2e'].map((org) => [org]))(
		'the credential test encodes %j too',
		async (org) => {
			const result = await testCredential({
				credentialType: new PaqtanaApi(),
				nodeTypes: [new Paqtana()],
				credentials: credentialsFor(sandbox, { orgCode: org }),
			});
			expect(result).toEqual({ status: 'OK', message: 'Connection successful!' });
			expect(sandbox.requests().map((request) => request.path)).toEqual([
				`/v2/org/${encodeURIComponent(org)}/historical_demand`,
			]);
		},
	);

	it.each([
		['.', '"." is not a valid Organization Code. Fix the credential.'],
		['..', '".." is not a valid Organization Code. Fix the credential.'],
		[
			'',
			'The credential has no Organization Code (Admin Console → Manage Workspaces). Fix the credential.',
		],
	])(
		'the credential test refuses %j with the node’s message and touches no organization',
		async (org, message) => {
			const result = await testCredential({
				credentialType: new PaqtanaApi(),
				nodeTypes: [new Paqtana()],
				credentials: credentialsFor(sandbox, { orgCode: org }),
			});
			expect(result).toEqual({ status: 'Error', message });
			expect(sandbox.requests()).toEqual([]);
		},
	);

	it('the credential test gives plain messages for 401 and 403', async () => {
		const wrong = await testCredential({
			credentialType: new PaqtanaApi(),
			nodeTypes: [new Paqtana()],
			credentials: credentialsFor(sandbox, { token: 'nope' }),
		});
		expect(wrong).toEqual({
			status: 'Error',
			message: expect.stringMatching(
				/^Paqtana did not accept the token \(401 Unauthorized\)\. First open the Paqtana credential/,
			),
		});
		const other = await startTestSandbox();
		try {
			const forbidden = await testCredential({
				credentialType: new PaqtanaApi(),
				nodeTypes: [new Paqtana()],
				credentials: credentialsFor(other, { orgCode: 'OTHER' }),
			});
			expect(forbidden).toEqual({
				status: 'Error',
				message: expect.stringMatching(
					/^The token may not write to this organization \(403 Forbidden\)\. First check the Organization Code/,
				),
			});
		} finally {
			await other.close();
		}
	});
});

describe('a Base URL with a path prefix (reverse proxy)', () => {
	it.each([
		['without a trailing slash', ''],
		['with a trailing slash', '/'],
	])('%s: requests go under the prefix and arrive at the sandbox', async (_name, suffix) => {
		const baseUrl = `${front.url}/proxy/paqtana${suffix}`;
		const result = await runPaqtana(sandbox, {
			parameters: demandParameters({ calculateOrderSuggestions: true }),
			input: rows,
			credentials: credentialsFor(sandbox, { baseUrl }),
		});
		expect(result.error).toBeUndefined();
		expect(front.requests.map((request) => request.url)).toEqual([
			`/proxy/paqtana/v2/org/${encodeURIComponent(ORG)}/historical_demand?auto_calculate=True`,
		]);
		expect(sandbox.requests().map((request) => request.path)).toEqual([
			`/v2/org/${encodeURIComponent(ORG)}/historical_demand`,
		]);
		expect(sandbox.demand(ORG)).toEqual(stored);
		expect(sandbox.calculations(ORG)).toHaveLength(1);
	});

	it('the credential test works through the prefix too', async () => {
		const result = await testCredential({
			credentialType: new PaqtanaApi(),
			nodeTypes: [new Paqtana()],
			credentials: credentialsFor(sandbox, { baseUrl: `${front.url}/proxy/paqtana/` }),
		});
		expect(result).toEqual({ status: 'OK', message: 'Connection successful!' });
		expect(front.requests.map((request) => request.url)).toEqual([
			`/proxy/paqtana/v2/org/${encodeURIComponent(ORG)}/historical_demand`,
		]);
	});

	it('a wrong prefix fails plainly (404 from the proxy), not silently', async () => {
		const result = await runPaqtana(sandbox, {
			parameters: demandParameters(),
			input: rows,
			credentials: credentialsFor(sandbox, { baseUrl: `${front.url}/proxy/wrong` }),
		});
		expect(result.error?.httpCode).toBe('404');
		expect(sandbox.requests()).toEqual([]);
	});
});
