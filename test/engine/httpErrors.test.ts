import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { useSandbox } from '../hooks';
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

const sandbox = useSandbox({ maxBodyBytes: 3000 });

const rows = [demandRow('2026-11-01', 'A', 1), demandRow('2026-11-02', 'A', 2)];

describe('HTTP failures become plain-language errors that never contain the token', () => {
	it.each([
		[
			'a wrong token',
			{ token: 'not-the-token' },
			'401',
			/did not accept the token/,
			/Integration API Configuration v2/,
		],
		[
			'an unknown org',
			{ orgCode: 'NOPE' },
			'404',
			/does not know this organization/,
			/Organization Code/,
		],
		[
			'another org’s token',
			{ token: 'other-token' },
			'403',
			/may not write to this organization/,
			/different organization/,
		],
	])('%s', async (_name, overrides, httpCode, message, description) => {
		const result = await runPaqtana(sandbox, {
			parameters: demandParameters(),
			input: rows,
			credentials: credentialsFor(sandbox, overrides),
		});
		expect(result.error?.httpCode).toBe(httpCode);
		expect(result.error?.message).toMatch(message);
		expect(result.error?.description).toMatch(description);
		expect(sandbox.requests()).toHaveLength(1);
		expect(everything(result)).not.toContain(TOKEN);
	});

	it('413 when the server limit is lower than the node’s', async () => {
		const many = Array.from({ length: 100 }, (_, i) => demandRow('2026-11-01', `SKU-${i}`, i));
		const result = await runPaqtana(sandbox, {
			parameters: inventoryParameters(),
			input: many.map((r) => ({ Warehouse: r.Warehouse, SKU: r.SKU })),
		});
		expect(result.error?.httpCode).toBe('413');
		expect(result.error?.message).toMatch(/too large for Paqtana/);
		expect(sandbox.inventory(ORG)).toEqual([]);
	});

	it('5xx after retries are used up', async () => {
		sandbox.injectFaults({ mode: 'next', kinds: ['status500', 'status503', 'status503'] });
		const result = await runPaqtana(sandbox, {
			parameters: demandParameters({ maxRetries: 1 }),
			input: rows,
		});
		expect(result.error?.message).toMatch(/server error \(500\)/);
		// 500 is not retried (the write may have failed half-way on a real server); the next call is a new run.
		expect(sandbox.requests()).toHaveLength(1);
		const again = await runPaqtana(sandbox, {
			parameters: demandParameters({ maxRetries: 1 }),
			input: rows,
		});
		expect(again.error?.httpCode).toBe('503');
		expect(again.error?.description).toMatch(/Attempts: 2/);
		expect(sandbox.demand(ORG)).toEqual([]);
	});

	it('400 from the server carries its reasons, and is not retried', async () => {
		let calls = 0;
		const server = createServer((request, response) => {
			calls++;
			request.resume();
			response.writeHead(400, { 'content-type': 'application/json' });
			response.end(
				JSON.stringify({
					error: 'invalid rows',
					details: [{ row: 0, field: 'code', reason: 'unknown item' }],
				}),
			);
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		const { port } = server.address() as AddressInfo;
		try {
			const result = await runPaqtana(sandbox, {
				parameters: demandParameters(),
				input: rows,
				credentials: credentialsFor(sandbox, { baseUrl: `http://127.0.0.1:${port}` }),
			});
			expect(result.error?.httpCode).toBe('400');
			expect(result.error?.message).toMatch(/rejected the data \(400 Bad Request\)/);
			expect(result.error?.description).toContain('unknown item');
			expect(calls).toBe(1);
		} finally {
			server.close();
		}
	});
});

describe('continue on fail', () => {
	it('turns a failed request into an error item paired to the items it carried', async () => {
		const result = await runPaqtana(sandbox, {
			parameters: demandParameters(),
			input: rows,
			continueOnFail: true,
			credentials: credentialsFor(sandbox, { token: 'wrong' }),
		});
		const [success] = result.outputs;
		expect(success).toHaveLength(1);
		expect(success[0].json).toMatchObject({ stored: false, httpCode: '401', rows: 2, batch: 1 });
		expect(success[0].json.error).toMatch(/did not accept the token/);
		expect(success[0].pairedItem).toEqual([{ item: 0 }, { item: 1 }]);
	});

	it('turns a validation stop into one error item paired to every input item', async () => {
		const result = await runPaqtana(sandbox, {
			parameters: demandParameters(),
			input: [...rows, { SKU: 'X' }],
			continueOnFail: true,
		});
		const [success] = result.outputs;
		expect(success).toHaveLength(1);
		expect(success[0].json.error).toMatch(/1 invalid row/);
		expect(success[0].pairedItem).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(sandbox.requests()).toHaveLength(0);
	});
});
