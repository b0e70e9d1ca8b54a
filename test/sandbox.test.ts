import http from 'node:http';
import { startSandbox, type FaultPlan, type Sandbox } from '../sandbox/server';
import { FaultInjector, mulberry32, parseFaultPlan } from '../sandbox/faults';
import { SandboxStore } from '../sandbox/store';
import { checkDemandRows, checkInventoryRows, isCalendarDay } from '../sandbox/validate';

const TOKEN = 'sandbox-token';
const OTHER_TOKEN = 'other-org-token';
const UNICODE_ORG = 'Ünï Org';
const UNICODE_TOKEN = 'unicode-org-token';
const ALL_TOKENS = [TOKEN, OTHER_TOKEN, UNICODE_TOKEN];

const INVENTORY = '/v2/org/DEMO/master_inventory';
const DEMAND = '/v2/org/DEMO/historical_demand';

let sandbox: Sandbox;

beforeAll(async () => {
	sandbox = await startSandbox({
		orgs: { DEMO: TOKEN, OTHER: OTHER_TOKEN, [UNICODE_ORG]: UNICODE_TOKEN },
	});
});
afterEach(() => sandbox.reset());
afterAll(() => sandbox.close());

interface CallOptions {
	body?: unknown;
	/** `null` sends no Authorization header. */
	token?: string | null;
	headers?: Record<string, string>;
	baseUrl?: string;
}

async function call(method: string, path: string, options: CallOptions = {}) {
	const { body, token = TOKEN, headers = {}, baseUrl = sandbox.url } = options;
	const response = await fetch(`${baseUrl}${path}`, {
		method,
		headers: {
			'content-type': 'application/json',
			...(token === null ? {} : { authorization: `Bearer ${token}` }),
			...headers,
		},
		body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
	});
	const text = await response.text();
	return {
		status: response.status,
		headers: response.headers,
		text,
		body: text ? JSON.parse(text) : null,
	};
}

/** node:http without pooling, so connection-level faults surface as the socket error itself. */
function rawRequest(method: string, path: string, body: string, baseUrl = sandbox.url) {
	const base = new URL(baseUrl);
	return new Promise<{ status: number; body: string }>((resolve, reject) => {
		const req = http.request(
			{
				host: base.hostname,
				port: base.port,
				method,
				path,
				agent: false,
				headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
			},
			(res) => {
				const chunks: Buffer[] = [];
				res.on('data', (chunk: Buffer) => chunks.push(chunk));
				res.on('end', () =>
					resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
				);
				res.on('error', reject);
			},
		);
		req.on('error', reject);
		req.end(body);
	});
}

function item(code: string, extra: Record<string, unknown> = {}) {
	return { workspaceCode: 'WS1', location: 'Main', code, ...extra };
}

function sale(code: string, date: string, quantity: number, extra: Record<string, unknown> = {}) {
	return { workspaceCode: 'WS1', location: 'Main', code, date, quantity, ...extra };
}

describe('PUT master_inventory', () => {
	it('replaces the whole inventory and keeps rows exactly as received', async () => {
		await call('PUT', INVENTORY, { body: [item('A', { stock: 1 }), item('B')] });
		const second = [item('C', { stock: 3.5, description: 'Cable', custom: { nested: true } })];
		const response = await call('PUT', INVENTORY, { body: second });

		expect(response.status).toBe(200);
		expect(response.headers.get('content-type')).toBe('application/json');
		expect(response.body).toEqual({ stored: 1 });
		expect(sandbox.inventory('DEMO')).toEqual(second);
		expect(sandbox.inventory('OTHER')).toEqual([]);
	});

	it('accepts an empty array as "the inventory is now empty"', async () => {
		await call('PUT', INVENTORY, { body: [item('A')] });
		expect((await call('PUT', INVENTORY, { body: [] })).body).toEqual({ stored: 0 });
		expect(sandbox.inventory('DEMO')).toEqual([]);
	});

	it('refuses invalid rows with row index, field and reason, and stores nothing', async () => {
		await call('PUT', INVENTORY, { body: [item('KEEP')] });
		const response = await call('PUT', INVENTORY, {
			body: [
				item('OK'),
				item(''),
				item('B', { stock: '5' }),
				'not a row',
				item(' padded'),
				{ location: 'X', code: 'Y' },
				item('B'),
			],
		});

		expect(response.status).toBe(400);
		expect(response.body.error).toBe('invalid rows');
		expect(response.body.details).toEqual(
			expect.arrayContaining([
				{ row: 1, field: 'code', reason: 'must not be empty' },
				{
					row: 2,
					field: 'stock',
					reason: 'must be a finite JSON number when present (got a string)',
				},
				{ row: 3, field: '(row)', reason: 'must be a JSON object' },
				{ row: 4, field: 'code', reason: 'must not have leading or trailing whitespace' },
				{ row: 5, field: 'workspaceCode', reason: 'is required' },
				{
					row: 6,
					field: 'code',
					reason: 'duplicate of row 2 (same workspaceCode, location and code)',
				},
			]),
		);
		expect(sandbox.inventory('DEMO')).toEqual([item('KEEP')]);
	});

	it('lists at most 100 problems but counts them all', async () => {
		const rows = Array.from({ length: 150 }, () => ({ workspaceCode: 'WS1', location: 'Main' }));
		const response = await call('PUT', INVENTORY, { body: rows });
		expect(response.status).toBe(400);
		expect(response.body.details).toHaveLength(100);
		expect(response.body.message).toContain('150 problem(s)');
	});
});

describe('POST historical_demand', () => {
	it('upserts: other days stay, the same key is overwritten', async () => {
		const first = await call('POST', DEMAND, {
			body: [sale('A', '2026-01-01', 1), sale('A', '2026-01-02', 2)],
		});
		expect(first.body).toEqual({
			received: 2,
			inserted: 2,
			updated: 0,
			total: 2,
			calculation: null,
		});

		const second = await call('POST', DEMAND, {
			body: [sale('A', '2026-01-02', 5, { note: 'fixed' }), sale('A', '2026-01-03', 3)],
		});
		expect(second.body).toEqual({
			received: 2,
			inserted: 1,
			updated: 1,
			total: 3,
			calculation: null,
		});
		expect(sandbox.demand('DEMO')).toEqual([
			sale('A', '2026-01-01', 1),
			sale('A', '2026-01-02', 5, { note: 'fixed' }),
			sale('A', '2026-01-03', 3),
		]);
	});

	it('keys on workspace, location and code too, and sorts the read-back', async () => {
		await call('POST', DEMAND, {
			body: [
				{ ...sale('B', '2026-01-01', 1), workspaceCode: 'WS2' },
				{ ...sale('A', '2026-01-01', 2), location: 'Annex' },
				sale('A', '2026-01-01', 3),
			],
		});
		expect(
			sandbox
				.demand('DEMO')
				.map((row) => [row.workspaceCode, row.location, row.code, row.quantity]),
		).toEqual([
			['WS1', 'Annex', 'A', 2],
			['WS1', 'Main', 'A', 3],
			['WS2', 'Main', 'B', 1],
		]);
	});

	it('lets the last row win when one request repeats a key, counting the key once', async () => {
		const response = await call('POST', DEMAND, {
			body: [sale('A', '2026-01-01', 1), sale('A', '2026-01-01', 9)],
		});
		expect(response.body).toMatchObject({ received: 2, inserted: 1, updated: 0, total: 1 });
		expect(sandbox.demand('DEMO')).toEqual([sale('A', '2026-01-01', 9)]);
	});

	it('records a calculation only when auto_calculate is set, after applying the rows', async () => {
		await call('POST', DEMAND, { body: [sale('A', '2026-01-01', 1), sale('A', '2026-01-02', 1)] });
		await call('POST', `${DEMAND}?auto_calculate=False`, { body: [sale('A', '2026-01-03', 1)] });
		expect(sandbox.calculations('DEMO')).toEqual([]);

		const response = await call('POST', `${DEMAND}?auto_calculate=True`, {
			body: [sale('A', '2026-01-04', 1), sale('A', '2026-01-05', 1)],
		});
		expect(response.body.total).toBe(5);
		expect(response.body.calculation).toEqual({ at: expect.any(String), demandRows: 5 });
		await call('POST', `${DEMAND}?auto_calculate=true`, { body: [] });

		const runs = sandbox.calculations('DEMO');
		expect(runs).toEqual([response.body.calculation, { at: expect.any(String), demandRows: 5 }]);
		expect(Number.isNaN(Date.parse(runs[0].at))).toBe(false);
	});

	it('refuses an unknown auto_calculate value and stores nothing', async () => {
		const response = await call('POST', `${DEMAND}?auto_calculate=1`, {
			body: [sale('A', '2026-01-01', 1)],
		});
		expect(response.status).toBe(400);
		expect(sandbox.demand('DEMO')).toEqual([]);
	});

	it('treats an empty POST as a no-op that only shows up in the log', async () => {
		await call('POST', DEMAND, { body: [sale('A', '2026-01-01', 1)] });
		const response = await call('POST', DEMAND, { body: [] });

		expect(response.status).toBe(200);
		expect(response.body).toEqual({
			received: 0,
			inserted: 0,
			updated: 0,
			total: 1,
			calculation: null,
		});
		expect(sandbox.demand('DEMO')).toEqual([sale('A', '2026-01-01', 1)]);
		expect(sandbox.calculations('DEMO')).toEqual([]);
		expect(sandbox.requests().map((entry) => [entry.rows, entry.status])).toEqual([
			[1, 200],
			[0, 200],
		]);
	});

	it('checks dates and quantities on its own', async () => {
		const body = `[${[
			JSON.stringify(sale('A', '2026-02-31', 1)),
			JSON.stringify(sale('A', '2026-1-05', 1)),
			JSON.stringify(sale('A', '2026-01-05T00:00:00Z', 1)),
			JSON.stringify(sale('A', '2026-01-05', '3' as unknown as number)),
			'{"workspaceCode":"WS1","location":"Main","code":"A","date":"2026-01-06","quantity":1e999}',
			JSON.stringify({ workspaceCode: 'WS1', location: 'Main', code: 'A' }),
			JSON.stringify(sale('A', '2024-02-29', 0)),
		].join(',')}]`;
		const response = await call('POST', DEMAND, { body });

		expect(response.status).toBe(400);
		expect(
			response.body.details.map((detail: { row: number; field: string }) => [
				detail.row,
				detail.field,
			]),
		).toEqual([
			[0, 'date'],
			[1, 'date'],
			[2, 'date'],
			[3, 'quantity'],
			[4, 'quantity'],
			[5, 'date'],
			[5, 'quantity'],
		]);
		expect(sandbox.demand('DEMO')).toEqual([]);
	});
});

describe('auth, routing and body errors', () => {
	it('answers 401 for a missing, malformed or unknown token without echoing it', async () => {
		const headerSets: Record<string, string>[] = [
			{},
			{ authorization: 'Token sandbox-token' },
			{ authorization: 'Bearer' },
			{ authorization: 'Bearer wrong-secret-123' },
		];
		for (const headers of headerSets) {
			const response = await call('POST', DEMAND, { body: [], token: null, headers });
			expect(response.status).toBe(401);
			expect(response.body.error).toBe('unauthorized');
			expect(response.text).not.toContain('wrong-secret-123');
		}
		expect(sandbox.requests().map((entry) => entry.authorization)).toEqual([
			'missing',
			'malformed',
			'malformed',
			'Bearer ***',
		]);
	});

	it('checks the token before the org, then the org, then whether the token belongs to it', async () => {
		expect(
			(await call('POST', '/v2/org/NOPE/historical_demand', { body: [], token: 'wrong' })).status,
		).toBe(401);
		expect((await call('POST', '/v2/org/NOPE/historical_demand', { body: [] })).status).toBe(404);
		const forbidden = await call('PUT', INVENTORY, { body: [item('A')], token: OTHER_TOKEN });
		expect(forbidden.status).toBe(403);
		expect(forbidden.body.error).toBe('forbidden');
		expect(sandbox.inventory('DEMO')).toEqual([]);
	});

	it('answers 404 for unknown paths and 405 for a wrong method on a known one', async () => {
		for (const path of [
			'/v2/org/DEMO/other',
			'/v1/org/DEMO/master_inventory',
			`${INVENTORY}/`,
			'/v2/org//master_inventory',
			'/',
		]) {
			const response = await call('PUT', path, { body: [] });
			expect([path, response.status, response.body]).toEqual([path, 404, { error: 'not found' }]);
		}
		const wrongMethod = await call('POST', INVENTORY, { body: [] });
		expect(wrongMethod.status).toBe(405);
		expect(wrongMethod.headers.get('allow')).toBe('PUT');
		expect((await call('GET', DEMAND)).status).toBe(405);
	});

	it('answers 413 past maxBodyBytes, accepts a body of exactly the limit, and stores nothing', async () => {
		const small = await startSandbox({ maxBodyBytes: 1000 });
		try {
			const atLimit = JSON.stringify([sale('A', '2026-01-01', 1, { pad: '' })]);
			const exact = atLimit.replace(
				'"pad":""',
				`"pad":"${'x'.repeat(1000 - Buffer.byteLength(atLimit))}"`,
			);
			expect(Buffer.byteLength(exact)).toBe(1000);
			expect((await call('POST', DEMAND, { body: exact, baseUrl: small.url })).status).toBe(200);

			const overLimit = JSON.stringify(
				Array.from({ length: 20_000 }, (_, day) => sale('B', '2026-01-01', day)),
			);
			const response = await call('POST', DEMAND, { body: overLimit, baseUrl: small.url });
			expect(response.status).toBe(413);
			expect(response.body.error).toBe('payload too large');
			expect(small.demand('DEMO').map((row) => row.code)).toEqual(['A']);
			expect(small.requests()[1]).toMatchObject({
				status: 413,
				bodyBytes: Buffer.byteLength(overLimit),
				rows: null,
			});
		} finally {
			await small.close();
		}
	});

	it('answers 400 for invalid JSON or a body that is not an array', async () => {
		const broken = await call('POST', DEMAND, { body: '[{"code": ' });
		expect(broken.status).toBe(400);
		expect(broken.body.error).toBe('invalid json');
		const notArray = await call('PUT', INVENTORY, { body: { rows: [item('A')] } });
		expect(notArray.status).toBe(400);
		expect(notArray.body.error).toBe('invalid body');
		expect((await call('PUT', INVENTORY, { body: '' })).status).toBe(400);
		expect(sandbox.inventory('DEMO')).toEqual([]);
	});

	it('serves an org with spaces and unicode when its code is percent-encoded', async () => {
		const org = encodeURIComponent(UNICODE_ORG);
		expect(org).toBe('%C3%9Cn%C3%AF%20Org');
		const response = await call('POST', `/v2/org/${org}/historical_demand?auto_calculate=True`, {
			body: [sale('Ü-1', '2026-03-01', 4)],
			token: UNICODE_TOKEN,
		});
		expect(response.status).toBe(200);
		expect(sandbox.demand(UNICODE_ORG)).toEqual([sale('Ü-1', '2026-03-01', 4)]);
		expect(sandbox.calculations(UNICODE_ORG)).toHaveLength(1);
		expect(sandbox.requests()[0].path).toBe(`/v2/org/${org}/historical_demand`);

		const readBack = await call('GET', `/__sandbox/orgs/${org}/historical_demand`, { token: null });
		expect(readBack.body).toEqual([sale('Ü-1', '2026-03-01', 4)]);
	});

	it('never keeps a token in the request log', async () => {
		await call('POST', DEMAND, { body: [] });
		await call('POST', DEMAND, { body: [], token: OTHER_TOKEN });
		await call('POST', `/v2/org/${encodeURIComponent(UNICODE_ORG)}/historical_demand`, {
			body: [],
			token: UNICODE_TOKEN,
		});
		await call('POST', DEMAND, { body: [], token: 'a-wrong-but-secret-token' });
		await call('POST', `${DEMAND}?token=${TOKEN}`, { body: [] });

		const log = JSON.stringify(sandbox.requests());
		const served = (await call('GET', '/__sandbox/requests', { token: null })).text;
		for (const secret of [...ALL_TOKENS, 'a-wrong-but-secret-token']) {
			expect(log).not.toContain(secret);
			expect(served).not.toContain(secret);
		}
		expect(sandbox.requests()[4].query).toEqual({ token: '***' });
		expect(sandbox.requests()[0]).toEqual({
			seq: 1,
			at: expect.any(String),
			method: 'POST',
			path: DEMAND,
			query: {},
			status: 200,
			bodyBytes: 2,
			rows: 0,
			fault: null,
			authorization: 'Bearer ***',
		});
	});
});

describe('inspection routes', () => {
	it('serve the same data as the methods, without auth', async () => {
		await call('PUT', INVENTORY, { body: [item('A')] });
		await call('POST', `${DEMAND}?auto_calculate=True`, { body: [sale('A', '2026-01-01', 1)] });
		const get = async (path: string) =>
			(await call('GET', `/__sandbox${path}`, { token: null })).body;

		expect(await get('/orgs/DEMO/master_inventory')).toEqual(sandbox.inventory('DEMO'));
		expect(await get('/orgs/DEMO/historical_demand')).toEqual(sandbox.demand('DEMO'));
		expect(await get('/orgs/DEMO/calculations')).toEqual(sandbox.calculations('DEMO'));
		expect(await get('/requests')).toEqual(sandbox.requests());
		expect(await get('/faults')).toEqual({ injected: 0, byKind: {} });
		expect(
			(await call('GET', '/__sandbox/orgs/NOPE/master_inventory', { token: null })).status,
		).toBe(404);
		expect((await call('GET', '/__sandbox/orgs/DEMO/constructor', { token: null })).status).toBe(
			404,
		);
		expect((await call('GET', '/__sandbox/reset', { token: null })).status).toBe(405);
		expect(sandbox.requests()).toHaveLength(2);
	});

	it('accept fault plans and resets over HTTP', async () => {
		const accepted = await call('POST', '/__sandbox/faults', {
			token: null,
			body: { mode: 'next', kinds: ['status503'] },
		});
		expect(accepted.status).toBe(200);
		expect((await call('POST', DEMAND, { body: [] })).status).toBe(503);
		expect((await call('GET', '/__sandbox/faults', { token: null })).body).toEqual({
			injected: 1,
			byKind: { status503: 1 },
		});

		const rejected = await call('POST', '/__sandbox/faults', {
			token: null,
			body: { mode: 'next', kinds: ['explode'] },
		});
		expect(rejected.status).toBe(400);

		await call('POST', DEMAND, { body: [sale('A', '2026-01-01', 1)] });
		expect((await call('POST', '/__sandbox/reset', { token: null })).status).toBe(200);
		expect(sandbox.demand('DEMO')).toEqual([]);
		expect(sandbox.requests()).toEqual([]);
		expect(sandbox.faultStats()).toEqual({ injected: 0, byKind: {} });
	});

	it('methods refuse an org the sandbox does not know', () => {
		expect(() => sandbox.inventory('NOPE')).toThrow('NOPE');
	});
});

describe('fault injection', () => {
	it('answers status faults in order without applying the write, 429 with Retry-After', async () => {
		sandbox.injectFaults({
			mode: 'next',
			kinds: ['status429', 'status500', 'status502', 'status503', 'status504'],
			retryAfterSeconds: 7,
		});
		const answers = [];
		for (let attempt = 0; attempt < 6; attempt += 1) {
			const response = await call('PUT', INVENTORY, { body: [item(`A${attempt}`)] });
			answers.push([response.status, response.headers.get('retry-after')]);
			if (response.status !== 200)
				expect(response.headers.get('content-type')).toBe('application/json');
		}

		expect(answers).toEqual([
			[429, '7'],
			[500, null],
			[502, null],
			[503, null],
			[504, null],
			[200, null],
		]);
		expect(sandbox.inventory('DEMO')).toEqual([item('A5')]);
		expect(sandbox.requests().map((entry) => entry.fault)).toEqual([
			'status429',
			'status500',
			'status502',
			'status503',
			'status504',
			null,
		]);
		expect(sandbox.faultStats()).toEqual({
			injected: 5,
			byKind: { status429: 1, status500: 1, status502: 1, status503: 1, status504: 1 },
		});
	});

	it('hang: reads the body and never answers; the client gives up', async () => {
		sandbox.injectFaults({ mode: 'next', kinds: ['hang'] });
		await expect(
			fetch(`${sandbox.url}${INVENTORY}`, {
				method: 'PUT',
				headers: { authorization: `Bearer ${TOKEN}` },
				body: JSON.stringify([item('A')]),
				signal: AbortSignal.timeout(300),
			}),
			// the client's own timeout ended it: no answer, and no connection error either
		).rejects.toMatchObject({ name: 'TimeoutError' });
		expect(sandbox.inventory('DEMO')).toEqual([]);
		expect(sandbox.requests()).toEqual([
			expect.objectContaining({ fault: 'hang', status: null, bodyBytes: expect.any(Number) }),
		]);
		expect((await call('PUT', INVENTORY, { body: [item('A')] })).status).toBe(200);
	});

	it('hang with hangMs: closes the connection after that long, still without answering', async () => {
		sandbox.injectFaults({ mode: 'next', kinds: ['hang'], hangMs: 100 });
		await expect(rawRequest('PUT', INVENTORY, JSON.stringify([item('A')]))).rejects.toMatchObject({
			code: 'ECONNRESET',
		});
		expect(sandbox.inventory('DEMO')).toEqual([]);
	});

	it('reset: tears the connection down without applying the write', async () => {
		sandbox.injectFaults({ mode: 'next', kinds: ['reset'] });
		await expect(
			rawRequest(
				'POST',
				`${DEMAND}?auto_calculate=True`,
				JSON.stringify([sale('A', '2026-01-01', 1)]),
			),
		).rejects.toMatchObject({
			code: 'ECONNRESET',
		});
		expect(sandbox.demand('DEMO')).toEqual([]);
		expect(sandbox.calculations('DEMO')).toEqual([]);
		expect(sandbox.requests()[0]).toMatchObject({ fault: 'reset', status: null });
	});

	it('dropAfterWrite: applies the write, the client sees a socket error, and a retry is harmless', async () => {
		const rows = JSON.stringify([sale('A', '2026-01-01', 1), sale('A', '2026-01-02', 2)]);
		sandbox.injectFaults({ mode: 'next', kinds: ['dropAfterWrite'] });
		await expect(rawRequest('POST', `${DEMAND}?auto_calculate=True`, rows)).rejects.toMatchObject({
			code: 'ECONNRESET',
		});
		expect(sandbox.demand('DEMO')).toHaveLength(2);
		expect(sandbox.calculations('DEMO')).toEqual([{ at: expect.any(String), demandRows: 2 }]);

		const retry = await rawRequest('POST', `${DEMAND}?auto_calculate=True`, rows);
		expect(JSON.parse(retry.body)).toMatchObject({
			received: 2,
			inserted: 0,
			updated: 2,
			total: 2,
		});
		expect(sandbox.demand('DEMO')).toEqual([
			sale('A', '2026-01-01', 1),
			sale('A', '2026-01-02', 2),
		]);
		expect(sandbox.requests().map((entry) => [entry.fault, entry.status, entry.rows])).toEqual([
			['dropAfterWrite', null, 2],
			[null, 200, 2],
		]);
	});

	it('never touches /__sandbox routes', async () => {
		sandbox.injectFaults({ mode: 'next', kinds: ['status500'] });
		expect((await call('GET', '/__sandbox/requests', { token: null })).status).toBe(200);
		expect((await call('POST', DEMAND, { body: [] })).status).toBe(500);
	});

	it('random mode is reproducible with the same seed', async () => {
		const plan: FaultPlan = {
			mode: 'random',
			rate: 0.5,
			seed: 20260101,
			kinds: ['status429', 'status503', 'reset'],
		};
		const run = async () => {
			sandbox.reset();
			sandbox.injectFaults(plan);
			const outcomes: string[] = [];
			for (let i = 0; i < 30; i += 1) {
				outcomes.push(
					await rawRequest('POST', DEMAND, '[]').then(
						(response) => String(response.status),
						(error: NodeJS.ErrnoException) => error.code ?? 'error',
					),
				);
			}
			return outcomes;
		};

		const first = await run();
		expect(await run()).toEqual(first);
		expect(first).toContain('200');
		expect(first.some((outcome) => outcome !== '200')).toBe(true);
		expect(sandbox.faultStats().injected).toBe(first.filter((outcome) => outcome !== '200').length);
	});

	it('random mode caps consecutive faults so retries get through', async () => {
		sandbox.injectFaults({
			mode: 'random',
			rate: 1,
			seed: 1,
			kinds: ['status503'],
			maxConsecutive: 2,
		});
		const statuses = [];
		for (let i = 0; i < 6; i += 1) statuses.push((await call('POST', DEMAND, { body: [] })).status);
		expect(statuses).toEqual([503, 503, 200, 503, 503, 200]);
	});

	it('close() ends hanging connections so the process can exit', async () => {
		let hanging: () => void = () => undefined;
		const received = new Promise<void>((resolve) => (hanging = resolve));
		const own = await startSandbox({ onRequest: () => hanging() });
		own.injectFaults({ mode: 'next', kinds: ['hang'] });
		const pending = rawRequest('PUT', INVENTORY, JSON.stringify([item('A')]), own.url);
		pending.catch(() => undefined);
		await received;

		// were the hanging connection left open, close() would never resolve and the test would time out
		await own.close();
		await expect(pending).rejects.toMatchObject({ code: 'ECONNRESET' });
		await expect(own.close()).resolves.toBeUndefined();
	});
});

describe('large payloads', () => {
	it('takes 200,000 demand rows in one request', async () => {
		const rows = Array.from({ length: 200_000 }, (_, index) =>
			sale(
				`SKU-${index % 2000}`,
				`2025-${String((index % 12) + 1).padStart(2, '0')}-${String((Math.floor(index / 2000) % 28) + 1).padStart(2, '0')}`,
				index,
			),
		);
		const body = JSON.stringify(rows);
		const response = await call('POST', `${DEMAND}?auto_calculate=True`, { body });

		expect(response.status).toBe(200);
		expect(response.body).toMatchObject({ received: 200_000, total: expect.any(Number) });
		expect(sandbox.demand('DEMO')).toHaveLength(response.body.total);
	});

	it('takes a body just under the 32,000,000-byte default limit', async () => {
		const row = JSON.stringify(item('X000000', { description: 'd'.repeat(150) }));
		const count = Math.floor((32_000_000 - 2) / (Buffer.byteLength(row) + 1));
		const body = `[${Array.from({ length: count }, (_, index) => row.replace('X000000', `X${String(index).padStart(6, '0')}`)).join(',')}]`;
		expect(Buffer.byteLength(body)).toBeLessThanOrEqual(32_000_000);
		expect(Buffer.byteLength(body)).toBeGreaterThan(31_000_000);

		const response = await call('PUT', INVENTORY, { body });
		expect(response.status).toBe(200);
		expect(response.body.stored).toBe(count);
	});
});

describe('building blocks', () => {
	it('mulberry32 is deterministic and stays in [0, 1)', () => {
		const a = mulberry32(42);
		const b = mulberry32(42);
		const values = Array.from({ length: 1000 }, () => a());
		expect(Array.from({ length: 1000 }, () => b())).toEqual(values);
		expect(values.every((value) => value >= 0 && value < 1)).toBe(true);
		expect(mulberry32(43)()).not.toBe(values[0]);
	});

	it('parseFaultPlan refuses plans that make no sense', () => {
		expect(() => parseFaultPlan({ mode: 'sometimes' })).toThrow('mode');
		expect(() => parseFaultPlan({ mode: 'random', rate: 2, seed: 1, kinds: ['hang'] })).toThrow(
			'rate',
		);
		expect(() => parseFaultPlan({ mode: 'random', rate: 0.5, seed: 1.5, kinds: ['hang'] })).toThrow(
			'seed',
		);
		expect(() => parseFaultPlan({ mode: 'random', rate: 0.5, seed: 1, kinds: [] })).toThrow('kind');
		expect(() => parseFaultPlan({ mode: 'next', kinds: ['hang'], retryAfterSeconds: -1 })).toThrow(
			'retryAfterSeconds',
		);
		expect(parseFaultPlan({ mode: 'next', kinds: ['reset'], hangMs: 5 })).toEqual({
			mode: 'next',
			kinds: ['reset'],
			hangMs: 5,
		});
	});

	it('FaultInjector hands out "next" faults in order, then none', () => {
		const injector = new FaultInjector();
		injector.setPlan({ mode: 'next', kinds: ['status429', 'hang'], retryAfterSeconds: 3 });
		expect(injector.next()).toEqual({ kind: 'status429', retryAfterSeconds: 3, hangMs: null });
		expect(injector.next()?.kind).toBe('hang');
		expect(injector.next()).toBeNull();
		injector.setPlan({ mode: 'off' });
		expect(injector.stats()).toEqual({ injected: 2, byKind: { status429: 1, hang: 1 } });
	});

	it('isCalendarDay knows real days', () => {
		expect(['2024-02-29', '2026-12-31', '2000-02-29'].every(isCalendarDay)).toBe(true);
		expect(
			[
				'2026-02-29',
				'1900-02-29',
				'2026-02-31',
				'2026-04-31',
				'2026-13-01',
				'2026-00-10',
				'0000-01-01',
				'26-01-01',
				' 2026-01-01',
			].some(isCalendarDay),
		).toBe(false);
	});

	it('row checks accept valid rows untouched', () => {
		const inventory = [
			item('A', {
				supplier: 'S',
				stock: 0,
				cost: 1.5,
				price: 2,
				leadTime: 7,
				minOrderQty: 10,
				extra: null,
			}),
		];
		expect(checkInventoryRows(inventory)).toEqual({ ok: true, rows: inventory });
		const demand = [sale('A', '2026-01-01', -2.5)];
		expect(checkDemandRows(demand)).toEqual({ ok: true, rows: demand });
		expect(checkInventoryRows([item('A', { description: null })])).toMatchObject({
			ok: false,
			problemCount: 1,
		});
	});

	it('SandboxStore counts inserts and updates per key', () => {
		const store = new SandboxStore();
		expect(store.upsertDemand('O', [sale('A', '2026-01-01', 1)])).toEqual({
			inserted: 1,
			updated: 0,
			total: 1,
		});
		expect(
			store.upsertDemand('O', [
				sale('A', '2026-01-01', 2),
				sale('A', '2026-01-01', 3),
				sale('B', '2026-01-01', 1),
			]),
		).toEqual({
			inserted: 1,
			updated: 1,
			total: 2,
		});
		expect(store.recordCalculation('O', new Date('2026-01-02T00:00:00Z'))).toEqual({
			at: '2026-01-02T00:00:00.000Z',
			demandRows: 2,
		});
		expect(store.demand('other')).toEqual([]);
	});
});
