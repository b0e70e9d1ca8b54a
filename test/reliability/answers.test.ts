/**
 * Only Paqtana's confirmation is success: a 2xx whose body is not a JSON object, says `"success": false`, or
 * counts other rows than were sent is an error (retried: both endpoints are idempotent), reported as "may have
 * been stored", and never moves the wipe guard's baseline.
 */
import type { IDataObject } from 'n8n-workflow';

import { useFront, useSandbox } from '../hooks';
import {
	credentialsFor,
	demandParameters,
	demandRow,
	inventoryParameters,
	ORG,
	runPaqtana,
} from '../support';
import type { FrontAction } from './front-server';

/** The answer of the front for attempt `seq` (from 1); 'forward' reaches the sandbox. */
let answer: (seq: number) => FrontAction;
const sandbox = useSandbox();
const front = useFront(() => ({ target: sandbox.url, decide: (request) => answer(request.seq) }));

const rows = [demandRow('2026-11-01', 'A', 1), demandRow('2026-11-02', 'B', 2)];
const html = { 'content-type': 'text/html' };

const notConfirmations: Array<[string, FrontAction, RegExp]> = [
	[
		'an HTML login page',
		{ status: 200, headers: html, body: '<!doctype html><title>Sign in</title>' },
		/HTML or XML page/,
	],
	['an empty body', { status: 200, body: '' }, /The answer was empty/],
	['a 204 without a body', { status: 204 }, /The answer was empty/],
	[
		'truncated JSON',
		{ status: 200, body: '{"received":2,"inser' },
		/text, not Paqtana's JSON object/,
	],
	['{"success":false}', { status: 200, body: { success: false } }, /"success": false/],
	['a JSON array', { status: 200, body: [1, 2] }, /JSON array, not the object/],
	['a JSON string', { status: 200, body: '"ok"' }, /text, not Paqtana's JSON object/],
	['a JSON number', { status: 200, body: '2' }, /JSON number, not the object/],
	[
		'a count of other rows than were sent',
		{ status: 200, body: { received: 1, inserted: 1 } },
		/Paqtana says it received 1 rows, but 2 were sent/,
	],
];

describe('a 2xx that is not Paqtana’s confirmation is an error, retried', () => {
	it.each(notConfirmations)('%s', async (_name, action, reason) => {
		answer = () => action;
		const result = await runPaqtana(sandbox, {
			parameters: demandParameters({ maxRetries: 2 }),
			input: rows,
			credentials: credentialsFor(sandbox, { baseUrl: front.url }),
		});
		expect(result.error?.message).toMatch(
			/^Paqtana's answer did not confirm that the rows were stored \(20[04]\)$/,
		);
		expect(result.error?.description).toMatch(reason);
		expect(result.error?.description).toMatch(/Attempts: 3\./);
		expect(result.error?.description).toMatch(/may have stored it anyway/);
		expect(front.requests).toHaveLength(3);
		expect(result.outputs).toEqual([]);
		// A run-wide request error is not about one input item.
		expect(result.error?.context?.itemIndex).toBeUndefined();
	});

	it('under Continue on Fail the error item says the rows may be stored', async () => {
		answer = () => ({ status: 200, headers: html, body: '<html></html>' });
		const result = await runPaqtana(sandbox, {
			parameters: demandParameters({ maxRetries: 0 }),
			input: rows,
			continueOnFail: true,
			credentials: credentialsFor(sandbox, { baseUrl: front.url }),
		});
		expect(result.outputs[0]).toHaveLength(1);
		expect(result.outputs[0][0].json).toMatchObject({
			stored: 'unknown',
			httpCode: '200',
			error: "Paqtana's answer did not confirm that the rows were stored (200)",
		});
	});

	it('a retry that gets the real answer succeeds, and the rows are stored once', async () => {
		answer = (seq) =>
			seq === 1 ? { status: 200, headers: html, body: '<html>busy</html>' } : 'forward';
		const result = await runPaqtana(sandbox, {
			parameters: demandParameters({ maxRetries: 2 }),
			input: rows,
			credentials: credentialsFor(sandbox, { baseUrl: front.url }),
		});
		expect(result.error).toBeUndefined();
		expect(result.outputs[0][0].json).toMatchObject({ attempts: 2, status: 200 });
		expect(sandbox.demand(ORG)).toHaveLength(2);
	});

	it('Paqtana’s own answer (received = rows sent) is success', async () => {
		answer = () => 'forward';
		const result = await runPaqtana(sandbox, {
			parameters: demandParameters(),
			input: rows,
			credentials: credentialsFor(sandbox, { baseUrl: front.url }),
		});
		expect(result.error).toBeUndefined();
		expect((result.outputs[0][0].json.response as IDataObject).received).toBe(2);
	});
});

describe('master inventory: an unconfirmed replace leaves the wipe-guard baseline alone', () => {
	const inventory = (count: number) =>
		Array.from({ length: count }, (_, i) => ({ Warehouse: 'WH1', SKU: `S${i}`, Stock: i }));

	it.each(notConfirmations.slice(0, 5))('%s', async (_name, action) => {
		const first = await runPaqtana(sandbox, {
			parameters: inventoryParameters(),
			input: inventory(4),
		});
		expect(first.error).toBeUndefined();
		answer = () => action;
		const result = await runPaqtana(sandbox, {
			parameters: inventoryParameters({ maxRetries: 1 }),
			input: inventory(3),
			credentials: credentialsFor(sandbox, { baseUrl: front.url }),
			staticData: first.staticData,
		});
		expect(result.error?.message).toMatch(/did not confirm that the rows were stored/);
		expect(front.requests).toHaveLength(2);
		expect(result.staticData).toEqual(first.staticData);
		expect(JSON.stringify(result.staticData)).toContain('"rows":4');
	});
});
