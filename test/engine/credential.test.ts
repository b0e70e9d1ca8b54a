import { PaqtanaApi } from '../../credentials/PaqtanaApi.credentials';
import type { Sandbox } from '../../sandbox/server';
import { testCredential } from '../harness';
import { credentialsFor, ORG, startTestSandbox, TOKEN } from '../support';

let sandbox: Sandbox;
beforeAll(async () => {
	sandbox = await startTestSandbox();
});
afterAll(async () => sandbox.close());
beforeEach(() => sandbox.reset());

const test = (overrides: Record<string, string> = {}) =>
	testCredential({
		credentialType: new PaqtanaApi(),
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
