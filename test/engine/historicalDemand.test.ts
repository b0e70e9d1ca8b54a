import { useSandbox } from '../hooks';
import { demandParameters, demandRow, ORG, runPaqtana } from '../support';

const sandbox = useSandbox();

describe('Historical Demand → Upsert, through n8n’s engine into the sandbox', () => {
	it('stores the rows, keeps other days and overwrites the same day + item', async () => {
		const first = await runPaqtana(sandbox, {
			parameters: demandParameters(),
			input: [
				demandRow('2026-11-01', 'A', 5),
				demandRow('2026-11-02', 'A', 7),
				demandRow('2026-11-01', 'B', 1),
			],
		});
		expect(first.error).toBeUndefined();
		const second = await runPaqtana(sandbox, {
			parameters: demandParameters(),
			input: [demandRow('2026-11-02', 'A', 9), demandRow('2026-11-03', 'A', 2)],
		});
		expect(second.error).toBeUndefined();
		expect(sandbox.demand(ORG)).toEqual([
			{ workspaceCode: 'MAIN', location: 'WH1', code: 'A', date: '2026-11-01', quantity: 5 },
			{ workspaceCode: 'MAIN', location: 'WH1', code: 'A', date: '2026-11-02', quantity: 9 },
			{ workspaceCode: 'MAIN', location: 'WH1', code: 'A', date: '2026-11-03', quantity: 2 },
			{ workspaceCode: 'MAIN', location: 'WH1', code: 'B', date: '2026-11-01', quantity: 1 },
		]);
		const [success, invalid] = second.outputs;
		expect(invalid).toEqual([]);
		expect(success).toHaveLength(1);
		expect(success[0].json).toMatchObject({
			resource: 'historicalDemand',
			operation: 'upsert',
			batch: 1,
			batches: 1,
			rows: 2,
			status: 200,
			attempts: 1,
			autoCalculate: false,
		});
		expect(success[0].pairedItem).toEqual([{ item: 0 }, { item: 1 }]);
		expect(second.hints.map((h) => h.message).join()).toMatch(
			/^2 input rows → 2 rows stored in 1 request/,
		);
	});

	it('splits into batches under a small byte limit; none over it; auto_calculate only on the last', async () => {
		const rows = Array.from({ length: 300 }, (_, i) =>
			demandRow(`2026-10-${String((i % 28) + 1).padStart(2, '0')}`, `SKU-${Math.floor(i / 28)}`, i),
		);
		const result = await runPaqtana(sandbox, {
			parameters: demandParameters({ maxBodyBytes: 4096, calculateOrderSuggestions: true }),
			input: rows,
		});
		expect(result.error).toBeUndefined();
		const log = sandbox.requests();
		expect(log.length).toBeGreaterThan(3);
		for (const request of log) expect(request.bodyBytes).toBeLessThanOrEqual(4096);
		expect(log.map((r) => r.query.auto_calculate ?? null)).toEqual([
			...Array(log.length - 1).fill(null),
			'True',
		]);
		expect(sandbox.demand(ORG)).toHaveLength(300);
		expect(sandbox.calculations(ORG)).toHaveLength(1);
		expect(sandbox.calculations(ORG)[0].demandRows).toBe(300);

		const success = result.outputs[0];
		expect(success).toHaveLength(log.length);
		expect(success.map((item) => item.json.batch)).toEqual(log.map((_, i) => i + 1));
		// Every input item is paired to exactly the one output item whose request carried its row.
		const paired = success.flatMap((item) =>
			(item.pairedItem as Array<{ item: number }>).map((p) => p.item),
		);
		expect(paired.sort((a, b) => a - b)).toEqual(rows.map((_, i) => i));
		expect(success.reduce((sum, item) => sum + (item.json.rows as number), 0)).toBe(300);
		expect(success.map((item) => item.json.bytes)).toEqual(log.map((r) => r.bodyBytes));
	});

	it('does not ask for a calculation unless the option is on', async () => {
		await runPaqtana(sandbox, {
			parameters: demandParameters(),
			input: [demandRow('2026-11-01', 'A', 1)],
		});
		expect(sandbox.calculations(ORG)).toHaveLength(0);
		expect(sandbox.requests()[0].query).toEqual({});
	});
});
