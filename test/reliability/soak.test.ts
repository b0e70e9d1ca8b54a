/**
 * The soak, reduced for CI: ~20,000 demand rows in ~150 batches into the sandbox with faults on about 15% of
 * requests (fixed seed), every retryable kind among them. Nothing may be lost, duplicated or altered, and
 * the order-suggestion calculation must run exactly once, with the last batch, over every row.
 * SOAK_ROWS=200000 (and SOAK_SEED, SOAK_RATE) runs the same checks at full size; `npm run soak` prints the
 * measurements of such a run.
 */
import { runSoak, SOAK_FAULT_KINDS, stateDifferences, type SoakRun } from './soak-scenario';

const rows = Number(process.env.SOAK_ROWS ?? 20_000);
const seed = Number(process.env.SOAK_SEED ?? 42);
const rate = Number(process.env.SOAK_RATE ?? 0.15);

describe(`soak: ${rows} demand rows with injected faults (seed ${seed})`, () => {
	let run: SoakRun;

	beforeAll(
		async () => {
			run = await runSoak({
				rows,
				seed,
				rate,
				maxBodyBytes: rows >= 100_000 ? 65_536 : 12_288,
				timeoutSeconds: 1,
				retryAfterSeconds: 0,
			});
		},
		Math.max(60_000, rows * 2),
	);

	it('succeeds, every batch stored', () => {
		expect(run.error).toBeUndefined();
		expect(run.output.filter((batch) => batch.status !== 200)).toEqual([]);
	});

	it('uploads in many batches, with faults on at least 10% of requests, every retryable kind included', () => {
		const batches = run.output.length;
		expect(batches).toBeGreaterThanOrEqual(100);
		// rates below 10% (for experiments) are allowed some chance
		const minimumShare = rate >= 0.1 ? 0.1 : rate * 0.8;
		expect(run.faults.injected).toBeGreaterThanOrEqual(minimumShare * run.requests.length);
		expect(Object.keys(run.faults.byKind).sort()).toEqual([...SOAK_FAULT_KINDS].sort());
		expect(run.requests.length - batches).toBeGreaterThanOrEqual(run.faults.injected);
	});

	it('counts every attempt it made, and each reached the sandbox once', () => {
		const attempts = run.output.reduce((sum, batch) => sum + Number(batch.attempts), 0);
		expect(attempts).toBe(run.requests.length);
	});

	it('stores exactly the expected state: nothing lost, duplicated or altered', () => {
		expect(stateDifferences(run.expected, run.stored).slice(0, 10)).toEqual([]);
		expect(run.stored).toHaveLength(run.expected.length);
	});

	it('runs the calculation exactly once, with the last batch, over every row', () => {
		expect(run.calculations.map((calculation) => calculation.demandRows)).toEqual([
			run.expected.length,
		]);
		const lastBatch = run.output[run.output.length - 1];
		const calculating = run.requests.filter((request) => request.query.auto_calculate === 'True');
		// the last batch's attempts, and only they, asked for it
		expect(calculating).toHaveLength(Number(lastBatch.attempts));
		expect(run.requests.slice(-calculating.length)).toEqual(calculating);
		expect(calculating.map((request) => request.bodyBytes)).toEqual(
			calculating.map(() => lastBatch.bytes),
		);
	});
});
