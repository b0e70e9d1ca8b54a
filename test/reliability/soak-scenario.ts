/**
 * The soak scenario: a large historical-demand upload through n8n's real execution engine (the test harness)
 * into the local sandbox while the sandbox injects faults on a share of the requests (rate limits,
 * 502/503/504, connection resets, hangs past the request timeout, answers lost after the rows were stored).
 * It runs the upload and returns what happened and the state the sandbox must hold, computed from the
 * generated input without the node. The checks are in soak.test.ts; `npm run soak` (scripts/soak.ts) runs
 * a larger one and prints the measurements.
 */
import type { IDataObject } from 'n8n-workflow';

import { mulberry32 } from '../../sandbox/faults';
import type {
	CalculationRun,
	DemandRow,
	FaultKind,
	FaultStats,
	LoggedRequest,
	Sandbox,
} from '../../sandbox/server';
import type { HarnessNodeError } from '../harness';
import { demandParameters, ORG, runPaqtana, startTestSandbox, TOKEN } from '../support';

export interface SoakOptions {
	rows: number;
	seed: number;
	/** Share of requests that get a fault. */
	rate: number;
	/** The node's "Max Request Size (Bytes)": small, so there are many batches. */
	maxBodyBytes: number;
	/** The node's "Request Timeout"; hangs are cut off after it. */
	timeoutSeconds: number;
	/** Retry-After the sandbox sends with 429. */
	retryAfterSeconds: number;
}

/**
 * Every fault kind the sandbox has that the node retries. `status500` is left out on purpose: 500 is not
 * retried (a real server may have failed half-way), so it would end the run instead of testing recovery.
 */
export const SOAK_FAULT_KINDS: FaultKind[] = [
	'status429',
	'status502',
	'status503',
	'status504',
	'reset',
	'hang',
	'dropAfterWrite',
];

/** What a soak run did and what the sandbox must hold afterwards. */
export interface SoakRun {
	options: SoakOptions;
	inputRows: number;
	/** Distinct workspace + location + item + day keys in the input. */
	uploadedKeys: number;
	preloadedRows: number;
	/** The state the sandbox must hold: yesterday's rows, overwritten by today's sums. */
	expected: DemandRow[];
	/** What it holds. */
	stored: DemandRow[];
	/** The node's error, if the run failed. */
	error?: HarnessNodeError;
	/** The node's Success items, one per batch. */
	output: IDataObject[];
	/** The requests of the upload (the preload's left out), oldest first. */
	requests: LoggedRequest[];
	faults: FaultStats;
	calculations: CalculationRun[];
}

const keyOf = (row: { workspaceCode: string; location: string; code: string; date: string }) =>
	JSON.stringify([row.workspaceCode, row.location, row.code, row.date]);

function isoDay(dayNumber: number): string {
	return new Date(Date.UTC(2025, 0, 1) + dayNumber * 86_400_000).toISOString().slice(0, 10);
}

/**
 * Input rows as an ERP export gives them (some quantities as text, some dates as date-times, repeated
 * transaction lines for one day and item that the node sums), and the exact quantities in cents per key,
 * computed here without the node.
 */
function generateInput(
	rows: number,
	seed: number,
): { input: IDataObject[]; centsByKey: Map<string, number> } {
	const next = mulberry32(seed);
	const input: IDataObject[] = [];
	const days: number[] = [];
	const centsByKey = new Map<string, number>();
	const items = Math.max(1, Math.round(rows / 60));
	for (let i = 0; i < rows; i++) {
		let location: string;
		let code: string;
		let day: number;
		if (i > 0 && next() < 0.03) {
			// A second transaction line for a day and item seen before.
			const earlier = Math.floor(next() * input.length);
			location = input[earlier].Warehouse as string;
			code = input[earlier].SKU as string;
			day = days[earlier];
		} else {
			location = `WH-${1 + Math.floor(next() * 4)}`;
			code = `SKU-${String(Math.floor(next() * items)).padStart(6, '0')}`;
			day = Math.floor(next() * 365);
		}
		const cents = Math.floor(next() * 100_000) - 2_000;
		const date = isoDay(day);
		const style = next();
		input.push({
			Warehouse: location,
			SKU: code,
			Date:
				style < 0.1 ? `${date}T${String(Math.floor(next() * 24)).padStart(2, '0')}:15:00Z` : date,
			Qty: style > 0.8 ? (cents / 100).toFixed(2) : cents / 100,
		});
		days.push(day);
		const key = keyOf({ workspaceCode: 'MAIN', location, code, date });
		centsByKey.set(key, (centsByKey.get(key) ?? 0) + cents);
	}
	return { input, centsByKey };
}

/** Rows already in Paqtana from "yesterday": some with keys today's upload overwrites, some it leaves alone. */
function generatePreload(centsByKey: Map<string, number>, seed: number): DemandRow[] {
	const next = mulberry32(seed ^ 0x5eed);
	const preload: DemandRow[] = [];
	for (const key of centsByKey.keys()) {
		if (next() < 0.05) {
			const [workspaceCode, location, code, date] = JSON.parse(key) as string[];
			preload.push({ workspaceCode, location, code, date, quantity: -999.99 });
		}
	}
	const untouched = Math.max(1, Math.round(centsByKey.size / 100));
	for (let i = 0; i < untouched; i++) {
		preload.push({
			workspaceCode: 'MAIN',
			location: 'WH-OLD',
			code: `OLD-${i}`,
			date: isoDay(i % 365),
			quantity: i + 0.5,
		});
	}
	return preload;
}

async function preloadSandbox(sandbox: Sandbox, rows: DemandRow[]): Promise<void> {
	const url = `${sandbox.url}/v2/org/${encodeURIComponent(ORG)}/historical_demand`;
	for (let start = 0; start < rows.length; start += 20_000) {
		const response = await fetch(url, {
			method: 'POST',
			headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
			body: JSON.stringify(rows.slice(start, start + 20_000)),
		});
		if (response.status !== 200)
			throw new Error(`preloading the sandbox failed: ${response.status} ${await response.text()}`);
	}
}

/** Every way `stored` differs from `expected`: missing, unexpected, duplicated or altered rows. */
export function stateDifferences(expected: DemandRow[], stored: DemandRow[]): string[] {
	const wanted = new Map(expected.map((row) => [keyOf(row), row]));
	const seen = new Set<string>();
	const differences: string[] = [];
	for (const row of stored) {
		const key = keyOf(row);
		const want = wanted.get(key);
		if (seen.has(key)) differences.push(`duplicated ${key}`);
		else if (want === undefined) differences.push(`unexpected ${JSON.stringify(row)}`);
		else if (JSON.stringify(want) !== JSON.stringify(row))
			differences.push(`altered ${JSON.stringify(row)} (expected ${JSON.stringify(want)})`);
		seen.add(key);
	}
	for (const key of wanted.keys()) if (!seen.has(key)) differences.push(`missing ${key}`);
	return differences;
}

export async function runSoak(options: SoakOptions): Promise<SoakRun> {
	const { rows, seed, rate, maxBodyBytes, timeoutSeconds, retryAfterSeconds } = options;
	const { input, centsByKey } = generateInput(rows, seed);
	const preload = generatePreload(centsByKey, seed);

	// The expected state: yesterday's rows, overwritten by today's sums (kept in cents, so exact).
	const expected = new Map<string, DemandRow>();
	for (const row of preload) expected.set(keyOf(row), row);
	for (const [key, cents] of centsByKey) {
		const [workspaceCode, location, code, date] = JSON.parse(key) as string[];
		expected.set(key, { workspaceCode, location, code, date, quantity: cents / 100 });
	}

	const sandbox = await startTestSandbox();
	try {
		await preloadSandbox(sandbox, preload);
		const preloadRequests = sandbox.requests().length;
		sandbox.injectFaults({
			mode: 'random',
			rate,
			seed,
			kinds: SOAK_FAULT_KINDS,
			retryAfterSeconds,
			maxConsecutive: 3,
		});
		const result = await runPaqtana(sandbox, {
			parameters: demandParameters({
				maxBodyBytes,
				calculateOrderSuggestions: true,
				requestTimeoutSeconds: timeoutSeconds,
				maxRetries: 5,
				retryDelayMs: 0,
			}),
			input,
		});
		return {
			options,
			inputRows: rows,
			uploadedKeys: centsByKey.size,
			preloadedRows: preload.length,
			expected: [...expected.values()],
			stored: sandbox.demand(ORG),
			...(result.error ? { error: result.error } : {}),
			output: (result.outputs[0] ?? []).map((item) => item.json),
			requests: sandbox.requests().slice(preloadRequests),
			faults: sandbox.faultStats(),
			calculations: sandbox.calculations(ORG),
		};
	} finally {
		await sandbox.close();
	}
}
