/**
 * Request Timeout is a deadline for the whole answer, not an idle timeout: a server that keeps sending a byte
 * now and then cannot hold a request open. One body's attempts and waits together end within
 * (Max Retries + 1) × Request Timeout. Stalls and drops in the middle of an answer, and 408, are retried.
 */
import type { IDataObject } from 'n8n-workflow';

import { retryWait } from '../../nodes/Paqtana/transport/wait';
import { useFront, useSandbox } from '../hooks';
import { credentialsFor, demandParameters, demandRow, ORG, runPaqtana } from '../support';
import type { FrontAction } from './front-server';

let answer: (seq: number) => FrontAction;
const sandbox = useSandbox();
const front = useFront(() => ({ target: sandbox.url, decide: (request) => answer(request.seq) }));
afterEach(() => jest.restoreAllMocks());

const rows = [demandRow('2026-11-01', 'A', 1), demandRow('2026-11-02', 'B', 2)];
/** A valid Paqtana answer for `rows`, long enough to take 20 s at one byte per 300 ms. */
const slowBody = JSON.stringify({
	received: 2,
	inserted: 2,
	updated: 0,
	total: 2,
	calculation: null,
});

async function until(condition: () => boolean): Promise<void> {
	while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}

function run(options: IDataObject) {
	return runPaqtana(sandbox, {
		parameters: demandParameters(options),
		input: rows,
		credentials: credentialsFor(sandbox, { baseUrl: front.url }),
	});
}

describe('Request Timeout is a total deadline per request', () => {
	it('a server trickling a valid answer one byte every 300 ms times out at 2 s, every attempt', async () => {
		answer = () => ({ trickle: { status: 200, body: slowBody, everyMs: 300 } });
		const result = await run({ requestTimeoutSeconds: 2, maxRetries: 1 });
		expect(result.error?.message).toBe(
			'Paqtana did not answer within 2 s (request timeout, ETIMEDOUT)',
		);
		// Two attempts, unless a very busy machine let the first one overrun the 4 s retry deadline.
		expect(result.error?.description).toMatch(/No answer after [12] attempts?\./);
		// The node closed each connection; it did not wait for the rest of the answer.
		await until(() => front.requests.every((request) => request.abandoned));
	});
});

describe('the retry deadline: (Max Retries + 1) × Request Timeout for one body', () => {
	it('a Retry-After that would end past it stops retrying at once, and says why', async () => {
		answer = () => ({ status: 503, headers: { 'retry-after': '5' } });
		const waits: number[] = [];
		jest.spyOn(retryWait, 'wait').mockImplementation(async (ms) => {
			waits.push(ms);
		});
		const result = await run({ requestTimeoutSeconds: 1, maxRetries: 3 });
		expect(result.error?.httpCode).toBe('503');
		expect(result.error?.description).toContain(
			'Retrying stopped after 1 of 4 attempts: the next wait (5 s) would end past the retry deadline of 4 s ((Max Retries + 1) × Request Timeout).',
		);
		expect(waits).toEqual([]);
		expect(front.requests).toHaveLength(1);
	});

	it('waits that fit are taken', async () => {
		answer = (seq) => (seq < 3 ? { status: 503, headers: { 'retry-after': '2' } } : 'forward');
		const waits: number[] = [];
		jest.spyOn(retryWait, 'wait').mockImplementation(async (ms) => {
			waits.push(ms);
		});
		const result = await run({ requestTimeoutSeconds: 10, maxRetries: 3 });
		expect(result.error).toBeUndefined();
		expect(waits).toEqual([2000, 2000]);
		expect(sandbox.demand(ORG)).toHaveLength(2);
	});
});

describe('failures in the middle of an answer are retried like others', () => {
	it.each<[string, FrontAction]>([
		['a stall after half the body', { partial: { status: 200, body: slowBody, then: 'stall' } }],
		['a drop after half the body', { partial: { status: 200, body: slowBody, then: 'close' } }],
		['408 Request Timeout', { status: 408, body: { error: 'request timeout' } }],
	])('%s', async (_name, failure) => {
		answer = (seq) => (seq === 1 ? failure : 'forward');
		const result = await run({ requestTimeoutSeconds: 1, maxRetries: 2 });
		expect(result.error).toBeUndefined();
		expect(result.outputs[0][0].json).toMatchObject({ attempts: 2, status: 200 });
		expect(sandbox.demand(ORG)).toHaveLength(2);
	});
});
