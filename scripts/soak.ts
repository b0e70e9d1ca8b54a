/**
 * Soak test: a large historical-demand upload through n8n's real execution engine (the test harness) into
 * the local sandbox while the sandbox injects faults on a share of the requests (rate limits, 502/503/504,
 * connection resets, hangs past the request timeout, answers lost after the rows were stored). Afterwards the
 * stored state must equal the expected state exactly (no lost, duplicated or altered rows) and the
 * order-suggestion calculation must have run exactly once, after the last batch, over every row.
 *
 *   npm run soak -- [--rows 200000] [--seed 42] [--rate 0.15]
 *       [--max-body-bytes 65536] [--timeout-seconds 1] [--retry-after 1]
 *
 * Exit code 0 when every check passes, 1 otherwise. A reduced run is part of the test suite
 * (test/reliability/soak.test.ts).
 */
import type { IDataObject } from 'n8n-workflow';

import { mulberry32 } from '../sandbox/faults';
import type { FaultKind, LoggedRequest, Sandbox } from '../sandbox/server';
import { demandParameters, ORG, runPaqtana, startTestSandbox, TOKEN } from '../test/support';

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
	/** Progress and results go here (default: nowhere). */
	log?: (line: string) => void;
}

/**
 * Defaults. The fault rate is 0.15, not 0.12: the issue asks for faults on at least 10% of requests, and the
 * share a random plan actually hits varies (with seed 42, rate 0.12 hits 9.3% of the 200k run's requests).
 */
export const DEFAULT_SOAK: SoakOptions = {
	rows: 200_000,
	seed: 42,
	rate: 0.15,
	maxBodyBytes: 65_536,
	timeoutSeconds: 1,
	retryAfterSeconds: 1,
};

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

export interface SoakCheck {
	name: string;
	ok: boolean;
	detail: string;
}

export interface SoakReport {
	options: Omit<SoakOptions, 'log'>;
	inputRows: number;
	expectedRows: number;
	storedRows: number;
	preloadedRows: number;
	batches: number;
	requests: number;
	faultsInjected: number;
	faultsByKind: Record<string, number>;
	retries: number;
	calculations: number;
	durationMs: number;
	checks: SoakCheck[];
	ok: boolean;
}

interface DemandRow {
	workspaceCode: string;
	location: string;
	code: string;
	date: string;
	quantity: number;
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

function compareStates(
	expected: Map<string, DemandRow>,
	stored: DemandRow[],
): { missing: number; extra: number; altered: number; duplicated: number; examples: string[] } {
	const seen = new Set<string>();
	let extra = 0;
	let altered = 0;
	let duplicated = 0;
	const examples: string[] = [];
	for (const row of stored) {
		const key = keyOf(row);
		if (seen.has(key)) {
			duplicated++;
			if (examples.length < 5) examples.push(`duplicated ${key}`);
			continue;
		}
		seen.add(key);
		const want = expected.get(key);
		if (want === undefined) {
			extra++;
			if (examples.length < 5) examples.push(`unexpected ${JSON.stringify(row)}`);
		} else if (JSON.stringify(want) !== JSON.stringify(row)) {
			altered++;
			if (examples.length < 5)
				examples.push(`altered ${JSON.stringify(row)} (expected ${JSON.stringify(want)})`);
		}
	}
	let missing = 0;
	for (const key of expected.keys()) {
		if (!seen.has(key)) {
			missing++;
			if (examples.length < 5) examples.push(`missing ${key}`);
		}
	}
	return { missing, extra, altered, duplicated, examples };
}

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
	const log = options.log ?? (() => {});
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
		log(
			`soak: ${rows} input rows (${centsByKey.size} distinct day+item keys), ${preload.length} rows preloaded, seed ${seed}, fault rate ${rate}`,
		);
		sandbox.injectFaults({
			mode: 'random',
			rate,
			seed,
			kinds: SOAK_FAULT_KINDS,
			retryAfterSeconds,
			maxConsecutive: 3,
		});

		const started = Date.now();
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
		const durationMs = Date.now() - started;

		const requests = sandbox.requests().slice(preloadRequests);
		const output = result.outputs[0] ?? [];
		const attempts = output.reduce((sum, item) => sum + Number(item.json.attempts ?? 0), 0);
		const batches = output.length;
		const stats = sandbox.faultStats();
		const stored = sandbox.demand(ORG) as DemandRow[];
		const calculations = sandbox.calculations(ORG);
		const comparison = compareStates(expected, stored);
		const calculating = requests.filter(
			(request: LoggedRequest) => request.query.auto_calculate === 'True',
		);
		const lastBatchBytes = Number(output[batches - 1]?.json.bytes);
		// The issue asks for faults on at least 10% of requests; lower rates (for experiments) allow some chance.
		const minimumFaultShare = rate >= 0.1 ? 0.1 : rate * 0.8;
		const applied = (request: LoggedRequest) =>
			request.status === 200 || request.fault === 'dropAfterWrite';

		const checks: SoakCheck[] = [
			{
				name: 'the run succeeded',
				ok: result.error === undefined,
				detail: result.error
					? `${result.error.message} — ${result.error.description ?? ''}`
					: 'no error',
			},
			{
				name: 'stored state equals the expected state exactly',
				ok:
					comparison.missing + comparison.extra + comparison.altered + comparison.duplicated ===
						0 && stored.length === expected.size,
				detail: `${stored.length} stored, ${expected.size} expected; missing ${comparison.missing}, extra ${comparison.extra}, altered ${comparison.altered}, duplicated ${comparison.duplicated}${comparison.examples.length > 0 ? ` (${comparison.examples.join('; ')})` : ''}`,
			},
			{
				name: 'every batch is reported stored (status 200)',
				ok: batches > 0 && output.every((item) => item.json.status === 200),
				detail: `${batches} output items`,
			},
			{
				name: 'every attempt the node counted reached the sandbox once',
				ok: attempts === requests.length,
				detail: `${attempts} attempts in the output, ${requests.length} requests in the sandbox log`,
			},
			{
				name: `faults hit at least ${(100 * minimumFaultShare).toFixed(1)}% of requests`,
				ok: stats.injected >= minimumFaultShare * requests.length && stats.injected > 0,
				detail: `${stats.injected} of ${requests.length} requests (${((100 * stats.injected) / Math.max(1, requests.length)).toFixed(1)}%)`,
			},
			{
				name: 'auto_calculate ran exactly once, over every row',
				ok: calculations.length === 1 && calculations[0].demandRows === expected.size,
				detail: `${calculations.length} calculation run(s)${calculations.length > 0 ? `, over ${calculations.map((c) => c.demandRows).join(', ')} rows` : ''} (expected 1 over ${expected.size})`,
			},
			{
				name: 'auto_calculate was asked for only with the last batch',
				ok:
					calculating.length > 0 &&
					calculating.every((request) => request.bodyBytes === lastBatchBytes) &&
					applied(calculating[calculating.length - 1]) &&
					requests
						.slice(-calculating.length)
						.every((request) => request.query.auto_calculate === 'True'),
				detail: `${calculating.length} request(s) carried it (the last batch's attempts: ${output[batches - 1]?.json.attempts ?? '?'}); ${calculating.filter(applied).length} of them applied`,
			},
		];

		const report: SoakReport = {
			options: { rows, seed, rate, maxBodyBytes, timeoutSeconds, retryAfterSeconds },
			inputRows: rows,
			expectedRows: expected.size,
			storedRows: stored.length,
			preloadedRows: preload.length,
			batches,
			requests: requests.length,
			faultsInjected: stats.injected,
			faultsByKind: stats.byKind,
			retries: attempts - batches,
			calculations: calculations.length,
			durationMs,
			checks,
			ok: checks.every((check) => check.ok),
		};
		log(
			`rows:        ${rows} input, ${centsByKey.size} distinct keys uploaded, ${preload.length} preloaded, ${expected.size} expected, ${stored.length} stored`,
		);
		log(`requests:    ${requests.length} (${batches} batches of ≤ ${maxBodyBytes} bytes)`);
		log(
			`faults:      ${stats.injected} injected (${((100 * stats.injected) / Math.max(1, requests.length)).toFixed(1)}% of requests): ${Object.entries(
				stats.byKind,
			)
				.sort()
				.map(([kind, n]) => `${kind} ${n}`)
				.join(', ')}`,
		);
		log(`retries:     ${attempts - batches} (sum of attempts ${attempts} − batches ${batches})`);
		log(
			`calculation: ${calculations.length} run(s)${calculations.length > 0 ? `, over ${calculations.map((c) => c.demandRows).join(', ')} rows` : ''}`,
		);
		log(`duration:    ${(durationMs / 1000).toFixed(1)} s`);
		for (const check of checks)
			log(`${check.ok ? 'PASS' : 'FAIL'}  ${check.name}: ${check.detail}`);
		log(report.ok ? 'comparison: stored state == expected state; soak PASSED' : 'soak FAILED');
		return report;
	} finally {
		await sandbox.close();
	}
}

function parseArgs(argv: string[]): SoakOptions {
	const options: SoakOptions = { ...DEFAULT_SOAK };
	const names: Record<string, keyof Omit<SoakOptions, 'log'>> = {
		'--rows': 'rows',
		'--seed': 'seed',
		'--rate': 'rate',
		'--max-body-bytes': 'maxBodyBytes',
		'--timeout-seconds': 'timeoutSeconds',
		'--retry-after': 'retryAfterSeconds',
	};
	for (let i = 0; i < argv.length; i++) {
		const [flag, inline] = argv[i].split('=', 2);
		const name = names[flag];
		if (name === undefined)
			throw new Error(`Unknown option ${flag} (known: ${Object.keys(names).join(', ')})`);
		const value = Number(inline ?? argv[++i]);
		if (!Number.isFinite(value)) throw new Error(`${flag} needs a number`);
		options[name] = value;
	}
	return options;
}

if (require.main === module) {
	const options = {
		...parseArgs(process.argv.slice(2)),
		log: (line: string) => process.stdout.write(line + '\n'),
	};
	runSoak(options).then(
		(report) => {
			process.exitCode = report.ok ? 0 : 1;
		},
		(error: unknown) => {
			process.stderr.write(
				`soak crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
			);
			process.exitCode = 1;
		},
	);
}
