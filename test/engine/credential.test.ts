import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo, type Server } from 'node:net';
import { join } from 'node:path';

import { PaqtanaApi } from '../../credentials/PaqtanaApi.credentials';
import { Paqtana } from '../../nodes/Paqtana/Paqtana.node';
import { testCredential } from '../harness';
import { failDnsLookups, useFront, useSandbox } from '../hooks';
import { credentialsFor, demandParameters, demandRow, ORG, runPaqtana, TOKEN } from '../support';

const sandbox = useSandbox();

const test = (overrides: Record<string, string> = {}) =>
	testCredential({
		credentialType: new PaqtanaApi(),
		nodeTypes: [new Paqtana()],
		credentials: credentialsFor(sandbox, overrides),
	});

describe('the credential test proves token and org code without changing anything', () => {
	it('passes with the right token and org, and stores nothing', async () => {
		await expect(test()).resolves.toEqual({ status: 'OK', message: expect.any(String) });
		const [request] = sandbox.requests();
		expect(request).toMatchObject({
			method: 'POST',
			path: `/v2/org/${encodeURIComponent(ORG)}/historical_demand`,
			status: 200,
			rows: 0,
		});
		expect(sandbox.demand(ORG)).toEqual([]);
		expect(sandbox.calculations(ORG)).toEqual([]);
	});

	it.each([
		['a wrong token', { token: 'wrong' }],
		['an unknown org', { orgCode: 'NOPE' }],
	])('fails with %s', async (_name, overrides) => {
		const result = await test(overrides);
		expect(result.status).toBe('Error');
		expect(result.message).not.toContain(TOKEN);
	});

	it('refuses plain http to a non-loopback host before sending anything', async () => {
		const result = await test({ baseUrl: 'http://paqtana.example.com' });
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/https/);
	});

	it('sends the Authorization header the HTTP Request node would use too', () => {
		return expect(
			new PaqtanaApi().authenticate(
				{ token: 't0k' },
				{ url: '/x', baseURL: 'https://api.paqtana.com' },
			),
		).resolves.toMatchObject({ headers: { Authorization: 'Bearer t0k' } });
	});
});

describe('the credential test speaks like the node', () => {
	let tlsServer: Server;
	let tlsUrl: string;
	let closedPortUrl: string;
	beforeAll(async () => {
		const fixtures = join(__dirname, '..', 'fixtures', 'tls');
		tlsServer = createHttpsServer(
			{
				key: readFileSync(join(fixtures, 'self-signed.key')),
				cert: readFileSync(join(fixtures, 'self-signed.crt')),
			},
			(_request, response) => response.end('{}'),
		);
		await new Promise<void>((resolve) => tlsServer.listen(0, '127.0.0.1', resolve));
		tlsUrl = `https://127.0.0.1:${(tlsServer.address() as AddressInfo).port}`;
		const closed = createNetServer();
		await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
		closedPortUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
		await new Promise<void>((resolve) => closed.close(() => resolve()));
	});
	afterAll(async () => {
		await new Promise<void>((resolve) => tlsServer.close(() => resolve()));
	});
	const redirecting = useFront(() => ({
		decide: () => ({ status: 302, headers: { location: 'https://elsewhere.example/login' } }),
	}));
	afterEach(() => jest.restoreAllMocks());

	const noSetUp = () => {};
	const cases: Array<[string, () => Record<string, string>, RegExp, () => void]> = [
		[
			'ECONNREFUSED',
			() => ({ baseUrl: closedPortUrl }),
			/^127\.0\.0\.1:\d+ refused the connection \(ECONNREFUSED\)\. Nothing accepts connections/,
			noSetUp,
		],
		[
			'ENOTFOUND',
			() => ({ baseUrl: 'https://api.paqtna.example' }),
			/^The host api\.paqtna\.example was not found \(ENOTFOUND\)\. Check the spelling of the Base URL/,
			// The name does not resolve, as a typo would not.
			failDnsLookups,
		],
		[
			'a self-signed certificate',
			() => ({ baseUrl: tlsUrl }),
			/^The https connection to 127\.0\.0\.1:\d+ was refused: its certificate was not accepted \(DEPTH_ZERO_SELF_SIGNED_CERT\)\. Nothing was sent/,
			noSetUp,
		],
		[
			'a redirect',
			() => ({ baseUrl: redirecting.url }),
			/^The Base URL answered with a redirect \(302\) to elsewhere\.example, which the node does not follow\. /,
			noSetUp,
		],
		[
			'a wrong token (401)',
			() => ({ token: 'wrong' }),
			/^Paqtana did not accept the token \(401 Unauthorized\)\. First open the Paqtana credential/,
			noSetUp,
		],
		[
			'another org’s token (403)',
			() => ({ token: 'other-token' }),
			/^The token may not write to this organization \(403 Forbidden\)\. First check the Organization Code/,
			noSetUp,
		],
		[
			'an unknown org (404)',
			() => ({ orgCode: 'NOPE' }),
			/^Paqtana does not know this organization \(404 Not Found\)\. First check the Organization Code/,
			noSetUp,
		],
		[
			'ERR_INVALID_URL (not a URL)',
			() => ({ baseUrl: 'api paqtana com' }),
			/^The Base URL "api paqtana com" is not a valid URL \(expected e\.g\. https:\/\/api\.paqtana\.com\)\. Fix/,
			noSetUp,
		],
	];

	it.each(cases)('%s: the node’s own words, in both', async (_name, overrides, expected, setUp) => {
		setUp();
		const result = await test(overrides());
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(expected);
		expect(result.message).not.toMatch(/Max Retries/);
		const node = await runPaqtana(sandbox, {
			parameters: demandParameters({ maxRetries: 0 }),
			input: [demandRow('2026-11-01', 'A', 1)],
			credentials: credentialsFor(sandbox, overrides()),
		});
		expect(result.message.startsWith(node.error?.message ?? '(no error)')).toBe(true);
	});
});
