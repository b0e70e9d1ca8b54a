/**
 * Stopping an execution takes effect at once: the request in flight is aborted and a wait before a retry
 * ends, and the run says it was cancelled (not "could not reach Paqtana"), and whether the batch may be stored.
 * Assertions are on what happened (requests, waits asked for, the error), not on elapsed time: a wait that
 * ignored the cancel would hold the test for 300 s, past Jest's timeout.
 */
import { retryWait } from '../../nodes/Paqtana/transport/wait';
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

let action: FrontAction;
let arrived: () => void;
const sandbox = useSandbox();
const front = useFront(() => ({
	target: sandbox.url,
	decide: () => {
		arrived();
		return action;
	},
}));
afterEach(() => jest.restoreAllMocks());

const rows = [demandRow('2026-11-01', 'A', 1), demandRow('2026-11-02', 'B', 2)];

/** Resolves when the front receives its first request. */
function firstRequest(): Promise<void> {
	return new Promise((resolve) => {
		arrived = resolve;
	});
}

async function until(condition: () => boolean): Promise<void> {
	while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('cancelling the execution', () => {
	it('aborts the request in flight and says the batch may be stored', async () => {
		action = 'hang';
		const result = await runPaqtana(sandbox, {
			parameters: demandParameters({ maxRetries: 5 }),
			input: rows,
			credentials: credentialsFor(sandbox, { baseUrl: front.url }),
			cancelWhen: firstRequest(),
		});
		expect(result.error?.message).toBe('The execution was cancelled while sending to Paqtana');
		expect(result.error?.description).toMatch(
			/A request was in flight .* may have stored this batch/,
		);
		expect(result.error?.description).not.toMatch(/could not reach/i);
		expect(front.requests).toHaveLength(1);
		// The connection was really closed by the node, not left hanging.
		await until(() => front.requests[0].abandoned);
	});

	it('ends a 300 s Retry-After wait, and nothing more is sent', async () => {
		action = { status: 429, headers: { 'retry-after': '300' } };
		const waits: number[] = [];
		let cancel = () => {};
		const cancelled = new Promise<void>((resolve) => {
			cancel = resolve;
		});
		const realWait = retryWait.wait.bind(retryWait);
		jest.spyOn(retryWait, 'wait').mockImplementation(async (ms, signal) => {
			waits.push(ms);
			cancel();
			await realWait(ms, signal);
		});
		arrived = () => {};
		const result = await runPaqtana(sandbox, {
			parameters: demandParameters({ maxRetries: 5 }),
			input: rows,
			credentials: credentialsFor(sandbox, { baseUrl: front.url }),
			cancelWhen: cancelled,
		});
		expect(waits).toEqual([300_000]);
		expect(result.error?.message).toBe('The execution was cancelled while sending to Paqtana');
		expect(result.error?.description).toMatch(/No request was in flight: this batch was not sent/);
		expect(front.requests).toHaveLength(1);
	});

	it('a cancelled inventory replace keeps the wipe-guard baseline', async () => {
		const inventory = (count: number) =>
			Array.from({ length: count }, (_, i) => ({ Warehouse: 'WH1', SKU: `S${i}`, Stock: i }));
		const first = await runPaqtana(sandbox, {
			parameters: inventoryParameters(),
			input: inventory(3),
		});
		expect(first.error).toBeUndefined();
		action = 'hang';
		const result = await runPaqtana(sandbox, {
			parameters: inventoryParameters(),
			input: inventory(2),
			credentials: credentialsFor(sandbox, { baseUrl: front.url }),
			staticData: first.staticData,
			cancelWhen: firstRequest(),
		});
		expect(result.error?.message).toBe('The execution was cancelled while sending to Paqtana');
		expect(result.staticData).toEqual(first.staticData);
		expect(sandbox.inventory(ORG)).toHaveLength(3);
	});
});
