/**
 * The soak test, reduced for CI: ~20,000 demand rows in ~150 batches against the sandbox with faults on
 * about 12% of requests (fixed seed). The full run is `node build/scripts/soak.js` (200,000 rows), or this
 * file with SOAK_ROWS=200000.
 */
import { runSoak, SOAK_FAULT_KINDS, type SoakReport } from '../../scripts/soak';

const rows = Number(process.env.SOAK_ROWS ?? 20_000);
const seed = Number(process.env.SOAK_SEED ?? 42);

describe(`soak: ${rows} demand rows with injected faults (seed ${seed})`, () => {
	let report: SoakReport;
	const lines: string[] = [];

	beforeAll(
		async () => {
			report = await runSoak({
				rows,
				seed,
				rate: Number(process.env.SOAK_RATE ?? 0.15),
				maxBodyBytes: rows >= 100_000 ? 65_536 : 12_288,
				timeoutSeconds: 1,
				retryAfterSeconds: 0,
				log: (line) => lines.push(line),
			});
			if (!report.ok || process.env.SOAK_VERBOSE) process.stdout.write(lines.join('\n') + '\n');
		},
		Math.max(60_000, rows * 2),
	);

	it('uploads in many batches, with faults on at least 10% of requests, every retryable kind included', () => {
		expect(report.batches).toBeGreaterThanOrEqual(100);
		expect(report.requests).toBeGreaterThanOrEqual(report.batches);
		expect(report.faultsInjected / report.requests).toBeGreaterThanOrEqual(0.1);
		expect(Object.keys(report.faultsByKind).sort()).toEqual([...SOAK_FAULT_KINDS].sort());
		expect(report.retries).toBe(report.requests - report.batches);
		expect(report.retries).toBeGreaterThanOrEqual(report.faultsInjected);
	});

	it('stores exactly the expected state: nothing lost, duplicated or altered', () => {
		const check = report.checks.find(
			(c) => c.name === 'stored state equals the expected state exactly',
		);
		expect(check).toMatchObject({ ok: true });
		expect(report.storedRows).toBe(report.expectedRows);
	});

	it('runs the calculation exactly once, with the last batch, over every row', () => {
		expect(report.calculations).toBe(1);
		for (const name of [
			'auto_calculate ran exactly once, over every row',
			'auto_calculate was asked for only with the last batch',
		]) {
			expect(report.checks.find((c) => c.name === name)).toMatchObject({ ok: true });
		}
	});

	it('passes every check of the soak script', () => {
		expect(report.checks.filter((c) => !c.ok)).toEqual([]);
		expect(report.ok).toBe(true);
	});
});
