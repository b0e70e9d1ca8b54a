/**
 * The master-inventory wipe guard through n8n's engine: the baseline is kept in the workflow's static
 * data between executions (as n8n saves it after production runs), and the sandbox shows what was stored.
 */
import type { IDataObject, WorkflowExecuteMode } from 'n8n-workflow';

import { PaqtanaApi } from '../../credentials/PaqtanaApi.credentials';
import { Paqtana } from '../../nodes/Paqtana/Paqtana.node';
import { runWorkflowFrom } from '../harness';
import { useSandbox } from '../hooks';
import { credentialsFor, inventoryParameters, ORG, PAQTANA_TYPE, paqtanaNode } from '../support';

const sandbox = useSandbox();

const inventory = (count: number, location = 'WH1') =>
	Array.from({ length: count }, (_, i) => ({ Warehouse: location, SKU: `SKU-${i}`, Stock: i }));

interface Run {
	options?: IDataObject;
	input: IDataObject[];
	/** Static data saved by the previous execution. */
	staticData?: IDataObject;
	/** The node's name in the workflow; default "Paqtana". */
	nodeName?: string;
	orgCode?: string;
	mode?: WorkflowExecuteMode;
}

async function replace(run: Run) {
	const nodeName = run.nodeName ?? 'Paqtana';
	return await runWorkflowFrom({
		workflow: {
			nodes: [paqtanaNode(nodeName, inventoryParameters(run.options ?? {}))],
			connections: {},
		},
		startNodeName: nodeName,
		items: run.input.map((json) => ({ json })),
		nodeTypes: { [PAQTANA_TYPE]: new Paqtana() },
		credentialTypes: [new PaqtanaApi()],
		credentials: {
			paqtanaApi: credentialsFor(
				sandbox,
				run.orgCode ? { orgCode: run.orgCode, token: 'other-token' } : {},
			),
		},
		staticData: run.staticData,
		mode: run.mode,
	});
}

/** Runs replaces one after another, each with the static data the previous one left. */
async function series(counts: number[], options: IDataObject = {}) {
	let staticData: IDataObject | undefined;
	const outcomes: Array<number | string> = [];
	for (const count of counts) {
		const result = await replace({ options, input: inventory(count), staticData });
		outcomes.push(result.error?.message ?? count);
		staticData = result.staticData;
	}
	return { outcomes, staticData };
}

const wipeGuardOf = (result: Awaited<ReturnType<typeof replace>>) =>
	result.outputs[0][0].json.wipeGuard;

describe('wipe guard across executions', () => {
	it('does not ratchet: seven runs each 49% smaller are refused from the second drop on', async () => {
		const counts = [1000, 510, 260, 133, 68, 35, 18];
		const { outcomes } = await series(counts);
		expect(outcomes.slice(0, 2)).toEqual([1000, 510]);
		for (const refused of outcomes.slice(2)) {
			expect(refused).toMatch(
				/the largest successful replace to this organization in the last 30 days \(.+\) sent 1,000 rows/,
			);
		}
		expect(sandbox.inventory(ORG)).toHaveLength(510);
	});

	it('keeps the baseline when the node is renamed, and keeps one per organization', async () => {
		const first = await replace({ nodeName: 'Paqtana', input: inventory(100) });
		expect(first.error).toBeUndefined();

		const renamed = await replace({
			nodeName: 'Inventory to Paqtana',
			input: inventory(40),
			staticData: first.staticData,
		});
		expect(renamed.error?.message).toMatch(/with 40 rows: .* sent 100 rows, a drop of 60%/);
		expect(sandbox.inventory(ORG)).toHaveLength(100);

		// Another organization has a baseline of its own (none yet).
		const otherOrg = await replace({
			nodeName: 'Inventory to Paqtana',
			orgCode: 'OTHER',
			input: inventory(40),
			staticData: first.staticData,
		});
		expect(otherOrg.error).toBeUndefined();
		expect(sandbox.inventory('OTHER')).toHaveLength(40);
	});

	it('compares exactly at a fractional limit: 125 → 43 rows at 65.6% passes', async () => {
		const { outcomes } = await series([125, 43], { maxRowDropPercent: 65.6 });
		expect(outcomes).toEqual([125, 43]);
		expect(sandbox.inventory(ORG)).toHaveLength(43);
	});

	it('says when it had no baseline (first run, manual runs) and what it compared with otherwise', async () => {
		const manual = await replace({ input: inventory(10), mode: 'manual' });
		expect(manual.hints.map((hint) => hint.message)).toEqual([
			expect.stringMatching(
				/^10 input rows → 10 rows: the master inventory was replaced in 1 request .*The wipe guard had no earlier replace to compare with, so the row count was not checked \(n8n saves it only for production runs: manual runs from the editor do not; in queue mode, workers do not get it back\)\. Set "Minimum Rows" for a check that needs no history\.$/,
			),
			'Mapping: Warehouse → location, SKU → code, Stock → stock',
		]);
		expect(wipeGuardOf(manual)).toEqual({
			baseline: null,
			baselineAt: null,
			minimumRows: null,
			status: expect.stringMatching(/^no baseline: /),
		});
		// n8n did not save the manual run's static data: the next manual run has no baseline either.
		const again = await replace({
			input: inventory(3),
			mode: 'manual',
			staticData: manual.staticData,
		});
		expect(again.error).toBeUndefined();
		expect(wipeGuardOf(again)).toMatchObject({ baseline: null });

		const production = await replace({ input: inventory(10) });
		const next = await replace({ input: inventory(8), staticData: production.staticData });
		expect(wipeGuardOf(next)).toEqual({
			baseline: 10,
			baselineAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
			minimumRows: 5,
			status: 'passed',
		});
		expect(next.hints.map((hint) => hint.message).join(' ')).not.toMatch(/no earlier replace/);
	});
});

describe('"Accept a Drop to Exactly N Rows"', () => {
	it('accepts a drop to exactly N rows once; other counts and later drops stay guarded', async () => {
		const first = await replace({ input: inventory(100) });

		const wrongCount = await replace({
			options: { acceptDropToRows: 25 },
			input: inventory(30),
			staticData: first.staticData,
		});
		expect(wrongCount.error?.message).toMatch(
			/with 30 rows: .* sent 100 rows.* "Accept a Drop to Exactly N Rows" is set to 25, but this run has 30 rows/,
		);
		expect(sandbox.inventory(ORG)).toHaveLength(100);

		const accepted = await replace({
			options: { acceptDropToRows: 25 },
			input: inventory(25),
			staticData: first.staticData,
		});
		expect(accepted.error).toBeUndefined();
		expect(wipeGuardOf(accepted)).toMatchObject({
			baseline: 100,
			status: expect.stringMatching(/^accepted: /),
		});
		expect(sandbox.inventory(ORG)).toHaveLength(25);

		// The setting stayed on by mistake: a drop from the new baseline (25) is refused again.
		const stale = await replace({
			options: { acceptDropToRows: 25 },
			input: inventory(10),
			staticData: accepted.staticData,
		});
		expect(stale.error?.message).toMatch(/with 10 rows: .* sent 25 rows/);
		expect(sandbox.inventory(ORG)).toHaveLength(25);
	});

	it('ignores the replaced "Allow Large Drop" of a saved workflow, and says so', async () => {
		const first = await replace({ input: inventory(100) });
		const legacy = await replace({
			options: { allowLargeDrop: true },
			input: inventory(40),
			staticData: first.staticData,
		});
		expect(legacy.error?.message).toMatch(
			/with 40 rows: .*\(The option "Allow Large Drop" of this node was replaced by "Accept a Drop to Exactly N Rows" and is ignored/,
		);
		expect(sandbox.inventory(ORG)).toHaveLength(100);
	});

	it('still guards a workflow whose baseline an earlier version kept per node, and moves it', async () => {
		const at = new Date().toISOString();
		const saved = { 'node:Paqtana': { lastReplace: { rows: 100, at } } };
		const refused = await replace({ input: inventory(40), staticData: saved });
		expect(refused.error?.message).toMatch(/with 40 rows: .* sent 100 rows/);

		const passed = await replace({ input: inventory(60), staticData: saved });
		expect(passed.error).toBeUndefined();
		expect(passed.staticData['node:Paqtana']).toEqual({});
		const history = (passed.staticData.global as IDataObject).paqtanaReplaceHistory as IDataObject;
		expect(Object.keys(history)).toEqual([
			`${sandbox.url}/v2/org/${encodeURIComponent(ORG)}/master_inventory`,
		]);
		expect(Object.values(history)[0]).toEqual([
			{ rows: 100, at },
			{ rows: 60, at: expect.any(String) },
		]);
	});
});

describe('empty inventories', () => {
	it('refuses to wipe when input rows were given but all were invalid, even with "Allow Empty Inventory"', async () => {
		const result = await replace({
			options: { onInvalidRows: 'route', allowEmptyInventory: true },
			input: [
				{ Warehouse: 'WH1', SKU: '' },
				{ Warehouse: '', SKU: 'A' },
			],
		});
		// Stopped before the guard: a run without one valid row is an error whatever the options say.
		expect(result.error?.message).toBe('None of the 2 input rows is valid; nothing was sent');
		expect(result.error?.description).toMatch(/^Row 0: code: .*\nRow 1: location: /);
		expect(sandbox.requests()).toEqual([]);
	});

	it('empties the inventory when the input itself is empty and "Allow Empty Inventory" is on', async () => {
		const first = await replace({ input: inventory(5) });
		// n8n runs no node without input items: an empty source reaches it as one empty item
		// (the upstream node's "Always Output Data").
		const refused = await replace({
			options: { onInvalidRows: 'route' },
			input: [{}],
			staticData: first.staticData,
		});
		expect(refused.error?.message).toMatch(/with 0 rows: that would delete all of it/);
		expect(sandbox.inventory(ORG)).toHaveLength(5);

		const allowed = await replace({
			options: { onInvalidRows: 'route', allowEmptyInventory: true },
			input: [{}],
			staticData: first.staticData,
		});
		expect(allowed.error).toBeUndefined();
		expect(sandbox.requests().map((r) => r.rows)).toEqual([5, 0]);
		expect(sandbox.inventory(ORG)).toEqual([]);
	});
});

describe('"Minimum Rows"', () => {
	it('refuses a smaller inventory with no history at all (a manual run, a queue-mode worker)', async () => {
		const refused = await replace({
			options: { minimumRows: 5 },
			input: inventory(4),
			mode: 'manual',
		});
		expect(refused.error?.message).toMatch(
			/^Refusing to replace the master inventory with 4 rows: "Minimum Rows" is 5\./,
		);
		expect(sandbox.requests()).toEqual([]);

		const allowed = await replace({
			options: { minimumRows: 5 },
			input: inventory(5),
			mode: 'manual',
		});
		expect(allowed.error).toBeUndefined();
		expect(sandbox.inventory(ORG)).toHaveLength(5);
	});
});
