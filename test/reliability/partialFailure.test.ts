/**
 * A demand upload whose third batch fails for good: the error (or, under Continue on Fail, the output) says
 * which batches were stored and which were not, with rows and first/last keys, so a re-run is safe and obvious.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { useFront, useSandbox } from '../hooks';
import { credentialsFor, demandParameters, demandRow, ORG, runPaqtana } from '../support';
import type { FrontAction } from './front-server';

/** What the front does with requests carrying the failing batch's first row. */
let failWith: FrontAction = { status: 503, body: { error: 'service unavailable' } };
let failingCode = '';

const sandbox = useSandbox();
const front = useFront(() => ({
	target: sandbox.url,
	decide: (request) =>
		failingCode !== '' && request.body.includes(`"code":"${failingCode}"`) ? failWith : 'forward',
}));
beforeEach(() => {
	failingCode = '';
	failWith = { status: 503, body: { error: 'service unavailable' } };
});

/** One row per item code, so a code identifies the batch that carries it. */
const rows: IDataObject[] = Array.from({ length: 60 }, (_, i) =>
	demandRow('2026-06-01', `P${String(i).padStart(3, '0')}`, i + 1),
);

interface Layout {
	rows: number;
	firstKey: string;
	lastKey: string;
	items: number[];
}

const options = { maxBodyBytes: 1024, maxRetries: 2, calculateOrderSuggestions: true };

/** The batches as a dry run lays them out (nothing is sent). */
async function layout(): Promise<Layout[]> {
	const dry = await runPaqtana(sandbox, {
		parameters: demandParameters({ ...options, dryRun: true }),
		input: rows,
	});
	expect(sandbox.requests()).toEqual([]);
	return dry.outputs[0].map((item) => ({
		rows: item.json.rows as number,
		firstKey: item.json.firstKey as string,
		lastKey: item.json.lastKey as string,
		items: (item.pairedItem as Array<{ item: number }>).map((p) => p.item),
	}));
}

function stored(items: number[]): IDataObject[] {
	return items
		.map((i) => ({
			workspaceCode: 'MAIN',
			location: 'WH1',
			code: rows[i].SKU,
			date: '2026-06-01',
			quantity: rows[i].Qty,
		}))
		.sort((a, b) => ((a.code as string) < (b.code as string) ? -1 : 1));
}

function span(batches: Layout[]): string {
	const count = batches.reduce((sum, b) => sum + b.rows, 0);
	return `${count} rows, ${batches[0].firstKey} … ${batches[batches.length - 1].lastKey}`;
}

describe('a batch that fails for good', () => {
	it('stops the upload; the error names the stored, failed and unsent batches with rows and keys', async () => {
		const batches = await layout();
		const n = batches.length;
		expect(n).toBeGreaterThanOrEqual(5);
		failingCode = rows[batches[2].items[0]].SKU as string;

		const result = await runPaqtana(sandbox, {
			parameters: demandParameters(options),
			input: rows,
			credentials: credentialsFor(sandbox, { baseUrl: front.url }),
		});

		expect(result.error).toMatchObject({ name: 'NodeApiError', httpCode: '503' });
		const description = result.error?.description ?? '';
		expect(description).toContain(`Stored: batches 1–2 (${span(batches.slice(0, 2))}) of ${n}.`);
		expect(description).toContain(`Not stored (failed): batch 3 (${span([batches[2]])}) of ${n}.`);
		expect(description).toContain(`Not sent: batches 4–${n} (${span(batches.slice(3))}) of ${n}.`);
		expect(description).toMatch(/Running the workflow again is safe/);
		// What the description says is what the sandbox holds.
		expect(sandbox.demand(ORG)).toEqual(stored([...batches[0].items, ...batches[1].items]));
		expect(sandbox.calculations(ORG)).toEqual([]);
		// Batches 1 and 2 once each, batch 3 three times (Max Retries 2), nothing after it.
		expect(front.requests).toHaveLength(5);

		// The report makes the re-run obvious: run again once the service is back, and the state is complete.
		failingCode = '';
		const again = await runPaqtana(sandbox, {
			parameters: demandParameters(options),
			input: rows,
			credentials: credentialsFor(sandbox, { baseUrl: front.url }),
		});
		expect(again.error).toBeUndefined();
		expect(sandbox.demand(ORG)).toEqual(stored(rows.map((_, i) => i)));
		expect(sandbox.calculations(ORG)).toEqual([
			{ at: expect.any(String), demandRows: rows.length },
		]);
	});

	it('with Continue on Fail: the other batches are still sent, the failed one is a paired error item, and no calculation runs', async () => {
		const batches = await layout();
		const n = batches.length;
		failingCode = rows[batches[2].items[0]].SKU as string;

		const result = await runPaqtana(sandbox, {
			parameters: demandParameters(options),
			input: rows,
			continueOnFail: true,
			credentials: credentialsFor(sandbox, { baseUrl: front.url }),
		});

		expect(result.error).toBeUndefined();
		const output = result.outputs[0] as INodeExecutionData[];
		expect(output).toHaveLength(n);
		const failed = output[2];
		expect(failed.json).toMatchObject({
			stored: false,
			httpCode: '503',
			batch: 3,
			batches: n,
			rows: batches[2].rows,
			firstKey: batches[2].firstKey,
			lastKey: batches[2].lastKey,
			attempts: 3,
		});
		expect(failed.json.error).toBe('Paqtana had a server error (503)');
		expect(failed.pairedItem).toEqual(batches[2].items.map((item) => ({ item })));
		const report = failed.json.report as string;
		expect(report).toContain(
			`Stored: batches 1–2 (${span(batches.slice(0, 2))}), batches 4–${n} (${span(batches.slice(3))}) of ${n}.`,
		);
		expect(report).toContain(`Not stored (failed): batch 3 (${span([batches[2]])}) of ${n}.`);
		expect(report).not.toMatch(/Not sent/);

		for (const [index, item] of output.entries()) {
			if (index === 2) continue;
			expect(item.json).toMatchObject({
				batch: index + 1,
				status: 200,
				attempts: 1,
				autoCalculate: false,
			});
			expect(item.pairedItem).toEqual(batches[index].items.map((i) => ({ item: i })));
		}
		expect(output[n - 1].json.calculationSkipped).toMatch(/earlier batch failed/);
		// Every batch but the third is stored; the calculation was never asked for.
		expect(sandbox.demand(ORG)).toEqual(
			stored(batches.flatMap((b, i) => (i === 2 ? [] : b.items))),
		);
		expect(front.requests.some((request) => request.url.includes('auto_calculate'))).toBe(false);
		expect(sandbox.calculations(ORG)).toEqual([]);
		expect(result.hints.map((h) => h.message).join('\n')).toMatch(
			new RegExp(
				`^${rows.length} input rows → ${rows.length} rows; ${rows.length - batches[2].rows} of ${rows.length} stored .*1 request failed, so order suggestions were not recalculated`,
			),
		);
	});

	it('when the answer was lost after sending, the batch is reported as unknown (and it was in fact stored)', async () => {
		const batches = await layout();
		const n = batches.length;
		failingCode = rows[batches[2].items[0]].SKU as string;
		failWith = 'forwardThenDrop';

		const result = await runPaqtana(sandbox, {
			parameters: demandParameters(options),
			input: rows,
			credentials: credentialsFor(sandbox, { baseUrl: front.url }),
		});

		expect(result.error?.message).toMatch(
			/^The connection to 127\.0\.0\.1:\d+ was lost before it answered/,
		);
		const description = result.error?.description ?? '';
		expect(description).toContain(`Stored: batches 1–2 (${span(batches.slice(0, 2))}) of ${n}.`);
		expect(description).toContain(
			`Unknown: batch 3 (${span([batches[2]])}) of ${n}: the rows were sent but the answer was lost`,
		);
		expect(description).toContain(`Not sent: batches 4–${n}`);
		expect(description).not.toMatch(/Not stored \(failed\)/);
		expect(sandbox.demand(ORG)).toEqual(
			stored([...batches[0].items, ...batches[1].items, ...batches[2].items]),
		);
	});

	it('when the last batch fails, nothing is calculated and the report has no unsent batches', async () => {
		const batches = await layout();
		const n = batches.length;
		failingCode = rows[batches[n - 1].items[0]].SKU as string;
		failWith = {
			status: 429,
			headers: { 'retry-after': '0' },
			body: { error: 'too many requests' },
		};

		const result = await runPaqtana(sandbox, {
			parameters: demandParameters(options),
			input: rows,
			credentials: credentialsFor(sandbox, { baseUrl: front.url }),
		});
		expect(result.error).toMatchObject({ httpCode: '429' });
		expect(result.error?.description).toContain(
			`Stored: batches 1–${n - 1} (${span(batches.slice(0, n - 1))}) of ${n}.`,
		);
		expect(result.error?.description).toContain(
			`Not stored (failed): batch ${n} (${span([batches[n - 1]])}) of ${n}.`,
		);
		expect(result.error?.description).not.toMatch(/Not sent/);
		expect(sandbox.calculations(ORG)).toEqual([]);
		// Only the last batch's attempts carried auto_calculate, and none of them was applied.
		const calculating = front.requests.filter((request) =>
			request.url.includes('auto_calculate=True'),
		);
		expect(calculating).toHaveLength(3);
		expect(sandbox.requests().filter((request) => request.query.auto_calculate === 'True')).toEqual(
			[],
		);
	});

	it('when the first batch fails, it says nothing was stored', async () => {
		const batches = await layout();
		failingCode = rows[batches[0].items[0]].SKU as string;
		const result = await runPaqtana(sandbox, {
			parameters: demandParameters(options),
			input: rows,
			credentials: credentialsFor(sandbox, { baseUrl: front.url }),
		});
		expect(result.error?.description).toMatch(
			/^Nothing was stored\. Running the workflow again is safe/m,
		);
		expect(result.error?.description).not.toContain('Not sent');
		expect(sandbox.demand(ORG)).toEqual([]);
	});
});
