/**
 * Retries through n8n's engine against the sandbox: each retryable failure is retried until the rows are
 * stored exactly once, each output item counts its attempts, and final failures are never retried.
 */
import type { IDataObject } from 'n8n-workflow';

import { retryWait } from '../../nodes/Paqtana/transport/wait';
import type { FaultKind } from '../../sandbox/server';
import { credentialsFor, demandParameters, demandRow, ORG, runPaqtana, TOKEN } from '../support';
import { failDnsLookups, useSandbox } from '../hooks';
import { startFront, type Front } from './front-server';

const sandbox = useSandbox();

/** `count` rows with distinct keys; about 11 rows fit in a 1024-byte request. */
function inputRows(count: number, salt = 0): IDataObject[] {
	return Array.from({ length: count }, (_, i) =>
		demandRow(
			`2026-05-${String((i % 28) + 1).padStart(2, '0')}`,
			`SKU-${Math.floor(i / 28)}`,
			i * 3 + salt + 0.25,
		),
	);
}

/** What the sandbox must hold after storing `rows` (computed from the input, not by the node). */
function expectedState(rows: IDataObject[]): IDataObject[] {
	return rows
		.map((row) => ({
			workspaceCode: 'MAIN',
			location: row.Warehouse,
			code: row.SKU,
			date: row.Date,
			quantity: row.Qty,
		}))
		.sort((a, b) =>
			`${a.location}|${a.code}|${a.date}` < `${b.location}|${b.code}|${b.date}` ? -1 : 1,
		);
}

const BATCHED = { maxBodyBytes: 1024, calculateOrderSuggestions: true };

describe('each retryable failure is retried and the stored state is exact', () => {
	const cases: Array<[string, FaultKind, IDataObject, IDataObject]> = [
		['429 with Retry-After: 0', 'status429', { retryAfterSeconds: 0 }, {}],
		['502', 'status502', {}, {}],
		['503', 'status503', {}, {}],
		['504', 'status504', {}, {}],
		['a connection reset before the server read the request', 'reset', {}, {}],
		['a lost answer after the rows were stored (dropAfterWrite)', 'dropAfterWrite', {}, {}],
		[
			'a server that closes the connection without answering (hang 50 ms)',
			'hang',
			{ hangMs: 50 },
			{},
		],
		[
			'a server that never answers, past a 1 s Request Timeout',
			'hang',
			{},
			{ requestTimeoutSeconds: 1 },
		],
	];

	it.each(cases)('%s', async (_name, kind, faultOptions, nodeOptions) => {
		const rows = inputRows(40);
		// The 'next' plan hits requests in order: batch 1 takes 3 attempts, every later batch 1.
		sandbox.injectFaults({ mode: 'next', kinds: [kind, kind], ...faultOptions });
		const result = await runPaqtana(sandbox, {
			parameters: demandParameters({ ...BATCHED, maxRetries: 2, ...nodeOptions }),
			input: rows,
		});

		expect(result.error).toBeUndefined();
		expect(sandbox.demand(ORG)).toEqual(expectedState(rows));
		const log = sandbox.requests();
		const [output, invalid] = result.outputs;
		expect(invalid).toEqual([]);
		expect(output.length).toBeGreaterThan(2);
		// Every attempt reached the sandbox once: its log has exactly the attempts the output items report.
		expect(log).toHaveLength(output.reduce((sum, item) => sum + (item.json.attempts as number), 0));
		expect(output.map((item) => item.json.attempts)).toEqual([
			3,
			...Array(output.length - 1).fill(1),
		]);
		expect(log.slice(0, 3).map((request) => request.fault)).toEqual([kind, kind, null]);
		expect(log.slice(0, 3).every((request) => request.bodyBytes === output[0].json.bytes)).toBe(
			true,
		);
		expect(output.every((item) => item.json.status === 200)).toBe(true);
		// The calculation ran once, with the last batch, over every row.
		expect(sandbox.calculations(ORG)).toEqual([
			{ at: expect.any(String), demandRows: rows.length },
		]);
		expect(log.filter((request) => request.query.auto_calculate === 'True')).toHaveLength(1);
		expect(log[log.length - 1].query.auto_calculate).toBe('True');
	});

	it('retries faults on the last (calculating) batch and still calculates exactly once', async () => {
		const rows = inputRows(30);
		const dry = await runPaqtana(sandbox, {
			parameters: demandParameters({ ...BATCHED, dryRun: true }),
			input: rows,
		});
		const batches = dry.outputs[0].length;
		expect(batches).toBeGreaterThan(1);
		sandbox.reset();
		// Every batch but the last goes through; the calculating one fails three times in three different ways.
		const front = await startFront({
			target: sandbox.url,
			decide: (request) => {
				if (!request.url.includes('auto_calculate=True')) return 'forward';
				const attempt = front.requests.filter((r) => r.url.includes('auto_calculate=True')).length;
				return attempt === 1
					? { status: 503 }
					: attempt === 2
						? 'reset'
						: attempt === 3
							? { status: 429, headers: { 'retry-after': '0' } }
							: 'forward';
			},
		});
		try {
			const run = await runPaqtana(sandbox, {
				parameters: demandParameters({ ...BATCHED, maxRetries: 3 }),
				input: rows,
				credentials: credentialsFor(sandbox, { baseUrl: front.url }),
			});
			expect(run.error).toBeUndefined();
			const output = run.outputs[0];
			expect(output).toHaveLength(batches);
			expect(output[batches - 1].json).toMatchObject({
				autoCalculate: true,
				attempts: 4,
				status: 200,
			});
			expect(sandbox.demand(ORG)).toEqual(expectedState(rows));
			expect(sandbox.calculations(ORG)).toEqual([
				{ at: expect.any(String), demandRows: rows.length },
			]);
		} finally {
			await front.close();
		}
	});

	it('a lost answer to the calculating request: rows stay exact, the calculation is requested again (at-least-once)', async () => {
		// Documents the limit: without an idempotency key no client can know whether a request whose answer was
		// lost started the calculation. The node repeats the request (a second calculation over the same data
		// changes nothing) rather than risk none at all.
		const rows = inputRows(5);
		sandbox.injectFaults({ mode: 'next', kinds: ['dropAfterWrite'] });
		const result = await runPaqtana(sandbox, {
			parameters: demandParameters({ calculateOrderSuggestions: true }),
			input: rows,
		});
		expect(result.error).toBeUndefined();
		expect(result.outputs[0][0].json).toMatchObject({ attempts: 2, autoCalculate: true });
		expect(sandbox.demand(ORG)).toEqual(expectedState(rows));
		expect(sandbox.calculations(ORG).map((run) => run.demandRows)).toEqual([5, 5]);
	});
});

describe('Retry-After is honoured (the waits the node asked for are recorded, not timed)', () => {
	let waits: number[];
	beforeEach(() => {
		waits = [];
		jest.spyOn(retryWait, 'wait').mockImplementation(async (ms) => {
			waits.push(ms);
		});
	});
	afterEach(() => jest.restoreAllMocks());

	it('as seconds: each wait is what the server asked, not the backoff', async () => {
		sandbox.injectFaults({ mode: 'next', kinds: ['status429', 'status429'], retryAfterSeconds: 7 });
		const rows = inputRows(3);
		// A long initial delay proves Retry-After replaces the backoff (else the second wait would be ≥ 10 s).
		const result = await runPaqtana(sandbox, {
			parameters: demandParameters({ retryDelayMs: 10_000, maxRetries: 2 }),
			input: rows,
		});
		expect(result.error).toBeUndefined();
		expect(result.outputs[0][0].json.attempts).toBe(3);
		expect(waits).toEqual([7000, 7000]);
		expect(sandbox.demand(ORG)).toEqual(expectedState(rows));
	});

	it('as an HTTP date', async () => {
		let front: Front | undefined;
		front = await startFront({
			target: sandbox.url,
			decide: (request) =>
				request.seq === 1
					? {
							status: 429,
							headers: { 'retry-after': new Date(Date.now() + 60_000).toUTCString() },
							body: { error: 'slow down' },
						}
					: 'forward',
		});
		try {
			const rows = inputRows(3);
			const result = await runPaqtana(sandbox, {
				parameters: demandParameters({ retryDelayMs: 10_000, maxRetries: 1 }),
				input: rows,
				credentials: credentialsFor(sandbox, { baseUrl: front.url }),
			});
			expect(result.error).toBeUndefined();
			expect(result.outputs[0][0].json.attempts).toBe(2);
			// The date has whole seconds and was made a moment before the node read it: just under a minute.
			expect(waits).toHaveLength(1);
			expect(waits[0]).toBeGreaterThan(57_000);
			expect(waits[0]).toBeLessThanOrEqual(60_000);
			expect(sandbox.demand(ORG)).toEqual(expectedState(rows));
		} finally {
			await front.close();
		}
	});

	it('without Retry-After the backoff grows: each wait within its jittered range', async () => {
		sandbox.injectFaults({ mode: 'next', kinds: ['status503', 'status503', 'status503'] });
		const result = await runPaqtana(sandbox, {
			parameters: demandParameters({ retryDelayMs: 200, maxRetries: 3 }),
			input: inputRows(2),
		});
		expect(result.error).toBeUndefined();
		// Jitter: retry n waits between half and all of 200 ms × 2^(n-1).
		expect(waits).toHaveLength(3);
		waits.forEach((wait, retry) => {
			expect(wait).toBeGreaterThanOrEqual(100 * 2 ** retry);
			expect(wait).toBeLessThanOrEqual(200 * 2 ** retry);
		});
	});
});

describe('each retry is visible', () => {
	afterEach(() => jest.restoreAllMocks());

	it('is logged through n8n’s logger with attempt, wait and reason, and never the token', async () => {
		jest.spyOn(retryWait, 'wait').mockImplementation(async () => {});
		sandbox.injectFaults({ mode: 'next', kinds: ['status503', 'reset'] });
		const result = await runPaqtana(sandbox, {
			parameters: demandParameters({ retryDelayMs: 0, maxRetries: 2 }),
			input: inputRows(2),
		});
		expect(result.error).toBeUndefined();
		const retries = result.logs.filter((line) => line.includes('Paqtana: attempt'));
		expect(retries).toEqual([
			expect.stringMatching(
				/^warn: Paqtana: attempt 1 of 3 failed \(HTTP 503\); retrying in 0 ms .*"attempt":1,"maxAttempts":3,"waitMs":0,"reason":"HTTP 503"/,
			),
			expect.stringMatching(
				/^warn: Paqtana: attempt 2 of 3 failed \(ECONNRESET\); retrying in 0 ms/,
			),
		]);
		expect(result.logs.join('\n')).not.toContain(TOKEN);
	});

	it('a manual run also sends a progress line to the editor', async () => {
		jest.spyOn(retryWait, 'wait').mockImplementation(async () => {});
		sandbox.injectFaults({ mode: 'next', kinds: ['status429'], retryAfterSeconds: 3 });
		const result = await runPaqtana(sandbox, {
			parameters: demandParameters({ maxRetries: 2 }),
			input: inputRows(2),
			mode: 'manual',
		});
		expect(result.error).toBeUndefined();
		expect(result.uiMessages).toEqual([
			['Paqtana: attempt 1 of 3 failed (HTTP 429); retrying in 3 s'],
		]);
	});

	it('an unknown host is not retried: the error names it and does not advise more retries', async () => {
		failDnsLookups();
		const result = await runPaqtana(sandbox, {
			parameters: demandParameters({ maxRetries: 5 }),
			input: inputRows(2),
			credentials: credentialsFor(sandbox, { baseUrl: 'https://api.paqtna.example' }),
		});
		expect(result.error?.message).toBe('The host api.paqtna.example was not found (ENOTFOUND)');
		expect(result.error?.description).toMatch(/Not retried/);
		expect(result.error?.description).not.toMatch(/Max Retries|Request Timeout/);
		expect(result.logs.filter((line) => line.includes('Paqtana: attempt'))).toEqual([]);
	});
});

describe('failures that are final are not retried', () => {
	const smallSandbox = useSandbox({ maxBodyBytes: 1500 });

	it.each([
		['401', { token: 'not-the-token' }, /did not accept the token \(401 Unauthorized\)/],
		['403', { orgCode: 'OTHER' }, /may not write to this organization \(403 Forbidden\)/],
		['404', { orgCode: 'NOPE' }, /does not know this organization \(404 Not Found\)/],
	])('%s: one request, a plain message', async (httpCode, overrides, message) => {
		const result = await runPaqtana(sandbox, {
			parameters: demandParameters({ maxRetries: 5 }),
			input: inputRows(3),
			credentials: credentialsFor(sandbox, overrides),
		});
		expect(result.error).toMatchObject({ name: 'NodeApiError', httpCode });
		expect(result.error?.message).toMatch(message);
		expect(result.error?.description).toMatch(/Attempts: 1\./);
		expect(sandbox.requests()).toHaveLength(1);
	});

	it('413: one request, a plain message that names the limit option', async () => {
		const result = await runPaqtana(smallSandbox, {
			parameters: demandParameters({ maxRetries: 5 }),
			input: inputRows(40),
		});
		expect(result.error).toMatchObject({ name: 'NodeApiError', httpCode: '413' });
		expect(result.error?.message).toBe(
			'The request was too large for Paqtana (413 Payload Too Large)',
		);
		expect(result.error?.description).toMatch(/Max Request Size \(Bytes\)/);
		expect(smallSandbox.requests()).toHaveLength(1);
		expect(smallSandbox.demand(ORG)).toEqual([]);
	});

	it('400: one request, a plain message with the server’s reasons', async () => {
		const front = await startFront({
			decide: () => ({
				status: 400,
				body: {
					error: 'invalid rows',
					details: [{ row: 1, field: 'code', reason: 'unknown item XYZ' }],
				},
			}),
		});
		try {
			const result = await runPaqtana(sandbox, {
				parameters: demandParameters({ maxRetries: 5 }),
				input: inputRows(3),
				credentials: credentialsFor(sandbox, { baseUrl: front.url }),
			});
			expect(result.error).toMatchObject({ name: 'NodeApiError', httpCode: '400' });
			expect(result.error?.message).toBe('Paqtana rejected the data (400 Bad Request)');
			expect(result.error?.description).toContain('unknown item XYZ');
			expect(front.requests).toHaveLength(1);
		} finally {
			await front.close();
		}
	});

	it('a server body cannot replace the plain explanation (NodeApiError reads response.data.message)', async () => {
		const front = await startFront({
			decide: () => ({
				status: 400,
				body: { data: { message: 'server-side text' }, error: 'bad' },
			}),
		});
		try {
			const result = await runPaqtana(sandbox, {
				parameters: demandParameters(),
				input: inputRows(2),
				credentials: credentialsFor(sandbox, { baseUrl: front.url }),
			});
			expect(result.error?.description).toMatch(/^The server did not accept one or more rows/);
			expect(result.error?.description).toContain('server-side text');
		} finally {
			await front.close();
		}
	});

	it('500 is not retried either (a real server may have failed half-way)', async () => {
		sandbox.injectFaults({ mode: 'next', kinds: ['status500'] });
		const result = await runPaqtana(sandbox, {
			parameters: demandParameters({ maxRetries: 5 }),
			input: inputRows(3),
		});
		expect(result.error).toMatchObject({ httpCode: '500' });
		expect(sandbox.requests()).toHaveLength(1);
	});
});

describe('Max Retries', () => {
	it('exhausted: a clear NodeApiError after exactly Max Retries + 1 attempts, nothing stored', async () => {
		sandbox.injectFaults({
			mode: 'next',
			kinds: ['status503', 'status503', 'status503', 'status503'],
		});
		const result = await runPaqtana(sandbox, {
			parameters: demandParameters({ maxRetries: 2 }),
			input: inputRows(3),
		});
		expect(result.error).toMatchObject({
			name: 'NodeApiError',
			httpCode: '503',
			message: 'Paqtana had a server error (503)',
		});
		expect(result.error?.description).toMatch(/Attempts: 3\./);
		expect(result.error?.description).toMatch(/Nothing was stored\./);
		// Nothing stored: the report stays one line instead of listing the batch.
		expect(result.error?.description).not.toMatch(/Not stored \(failed\)/);
		expect(sandbox.requests()).toHaveLength(3);
		expect(sandbox.demand(ORG)).toEqual([]);
	});

	it('exhausted on connection resets: names the network failure and the attempts', async () => {
		sandbox.injectFaults({ mode: 'next', kinds: ['reset', 'reset'] });
		const result = await runPaqtana(sandbox, {
			parameters: demandParameters({ maxRetries: 1 }),
			input: inputRows(2),
		});
		expect(result.error).toMatchObject({
			name: 'NodeApiError',
			message: `The connection to 127.0.0.1:${sandbox.port} was lost before it answered (ECONNRESET)`,
		});
		expect(result.error?.description).toMatch(/No answer after 2 attempts/);
		// The sandbox reset the connection after reading the body: whether it stored anything is unknowable to a client.
		expect(result.error?.description).toMatch(
			/Unknown: batch 1 .* may or may not have stored them/,
		);
		expect(sandbox.requests()).toHaveLength(2);
	});

	it('exhausted on timeouts: says the server did not answer in time', async () => {
		sandbox.injectFaults({ mode: 'next', kinds: ['hang', 'hang'] });
		const result = await runPaqtana(sandbox, {
			parameters: demandParameters({ maxRetries: 1, requestTimeoutSeconds: 1 }),
			input: inputRows(2),
		});
		expect(result.error?.message).toMatch(/^Paqtana did not answer within 1 s \(request timeout/);
		expect(sandbox.requests()).toHaveLength(2);
	});

	it('0: a single attempt', async () => {
		sandbox.injectFaults({ mode: 'next', kinds: ['status429'], retryAfterSeconds: 0 });
		const result = await runPaqtana(sandbox, {
			parameters: demandParameters({ maxRetries: 0 }),
			input: inputRows(2),
		});
		expect(result.error).toMatchObject({
			httpCode: '429',
			message: 'Paqtana is rate limiting requests (429 Too Many Requests)',
		});
		expect(sandbox.requests()).toHaveLength(1);
	});

	it('a value from an expression that is not a number falls back to the default instead of retrying forever', async () => {
		sandbox.injectFaults({ mode: 'next', kinds: Array(10).fill('status503') });
		const result = await runPaqtana(sandbox, {
			parameters: demandParameters({ maxRetries: 'lots' as unknown as number }),
			input: inputRows(2),
		});
		expect(result.error?.httpCode).toBe('503');
		expect(sandbox.requests()).toHaveLength(6);
		sandbox.reset();
		sandbox.injectFaults({ mode: 'next', kinds: Array(10).fill('status503') });
		const numeric = await runPaqtana(sandbox, {
			parameters: demandParameters({ maxRetries: '2' as unknown as number }),
			input: inputRows(2),
		});
		expect(numeric.error?.description).toMatch(/Attempts: 3\./);
		expect(sandbox.requests()).toHaveLength(3);
	});

	it('default is 5 (6 attempts)', async () => {
		sandbox.injectFaults({ mode: 'next', kinds: Array(10).fill('status502') });
		const result = await runPaqtana(sandbox, {
			parameters: demandParameters(),
			input: inputRows(2),
		});
		expect(result.error?.httpCode).toBe('502');
		expect(sandbox.requests()).toHaveLength(6);
	});
});

describe('master inventory retries too', () => {
	it('a dropped answer is retried; the replace is idempotent', async () => {
		sandbox.injectFaults({ mode: 'next', kinds: ['dropAfterWrite', 'status503'] });
		const input = [
			{ Warehouse: 'WH1', SKU: 'A', Stock: 3 },
			{ Warehouse: 'WH1', SKU: 'B', Stock: 4 },
		];
		const result = await runPaqtana(sandbox, {
			parameters: {
				resource: 'masterInventory',
				operation: 'replace',
				workspaceCode: 'MAIN',
				columns: { mappingMode: 'autoMapInputData', value: null, matchingColumns: [], schema: [] },
				options: { retryDelayMs: 0 },
			},
			input,
		});
		expect(result.error).toBeUndefined();
		expect(result.outputs[0][0].json).toMatchObject({ attempts: 3, rows: 2, status: 200 });
		expect(sandbox.inventory(ORG)).toEqual([
			{ workspaceCode: 'MAIN', location: 'WH1', code: 'A', stock: 3 },
			{ workspaceCode: 'MAIN', location: 'WH1', code: 'B', stock: 4 },
		]);
		expect(sandbox.requests()).toHaveLength(3);
		expect(JSON.stringify(sandbox.requests())).not.toContain(TOKEN);
	});
});
