import {
	checkWipeGuard,
	findBaseline,
	HISTORY_MAX_ENTRIES,
	minimumRows,
	recordReplace,
	type ReplaceRecord,
	type WipeGuardOptions,
} from '../../nodes/Paqtana/helpers/wipeGuard';

const options: WipeGuardOptions = {
	allowEmpty: false,
	acceptDropToRows: 0,
	maxDropPercent: 50,
	legacyAllowLargeDrop: false,
};
const NOW = new Date('2026-11-27T06:00:00.000Z');
const daysAgo = (days: number) => new Date(NOW.getTime() - days * 86_400_000).toISOString();
const history: ReplaceRecord[] = [{ rows: 1000, at: daysAgo(1) }];

function refusal(verdict: ReturnType<typeof checkWipeGuard>): string | undefined {
	return verdict.allowed ? undefined : verdict.refusal;
}

describe('wipe guard: empty payloads', () => {
	it('allows an empty replace only when the input itself was empty and "Allow Empty Inventory" is on', () => {
		const allowEmpty = { ...options, allowEmpty: true };
		expect(checkWipeGuard({ rows: 0, inputRows: 0 }, history, allowEmpty, NOW)).toMatchObject({
			allowed: true,
			report: { baseline: null, status: expect.stringMatching(/^empty inventory allowed/) },
		});
		expect(refusal(checkWipeGuard({ rows: 0, inputRows: 0 }, history, options, NOW))).toMatch(
			/with 0 rows: that would delete all of it.*"Allow Empty Inventory"/,
		);
	});

	it('refuses 0 rows when input rows were given but all were invalid, even with "Allow Empty Inventory"', () => {
		const verdict = checkWipeGuard(
			{ rows: 0, inputRows: 3 },
			[],
			{ ...options, allowEmpty: true },
			NOW,
		);
		expect(refusal(verdict)).toBe(
			'Refusing to replace the master inventory with 0 rows: all 3 input rows were invalid, and sending none would delete the whole inventory. "Allow Empty Inventory" applies only when the input itself is empty. Fix the rows listed on the "Invalid Rows" output or the field mapping.',
		);
	});
});

describe('wipe guard: drops', () => {
	it('allows the first run and says there was no baseline', () => {
		expect(checkWipeGuard({ rows: 1, inputRows: 1 }, [], options, NOW)).toMatchObject({
			allowed: true,
			report: { baseline: null, minimumRows: null, status: expect.stringMatching(/^no baseline/) },
		});
	});

	it('allows drops up to the limit and growth, reporting the baseline', () => {
		expect(checkWipeGuard({ rows: 500, inputRows: 500 }, history, options, NOW)).toEqual({
			allowed: true,
			acceptedDrop: false,
			report: { baseline: 1000, baselineAt: daysAgo(1), minimumRows: 500, status: 'passed' },
		});
		expect(checkWipeGuard({ rows: 1500, inputRows: 1500 }, history, options, NOW).allowed).toBe(
			true,
		);
	});

	it('compares exactly at a fractional limit: 125 → 43 at 65.6% passes, 42 does not', () => {
		const last = [{ rows: 125, at: daysAgo(1) }];
		const limit = { ...options, maxDropPercent: 65.6 };
		expect(minimumRows(125, 65.6)).toBe(43);
		expect(checkWipeGuard({ rows: 43, inputRows: 43 }, last, limit, NOW).allowed).toBe(true);
		expect(refusal(checkWipeGuard({ rows: 42, inputRows: 42 }, last, limit, NOW))).toMatch(
			/42 rows.*sent 125 rows, a drop of 66.4% \(more than the allowed 65.6%: at least 43 rows\)/,
		);
	});

	it('refuses a larger drop, naming both counts and the overrides', () => {
		expect(refusal(checkWipeGuard({ rows: 499, inputRows: 499 }, history, options, NOW))).toBe(
			`Refusing to replace the master inventory with 499 rows: the largest successful replace to this organization in the last 30 days (${daysAgo(1)}) sent 1,000 rows, a drop of 50.1% (more than the allowed 50%: at least 500 rows). If the smaller inventory is right, set "Accept a Drop to Exactly N Rows" to 499 (it applies only to a run with exactly that many rows), or raise "Max Row Drop %".`,
		);
		const ninety = { ...options, maxDropPercent: 90 };
		expect(checkWipeGuard({ rows: 100, inputRows: 100 }, history, ninety, NOW).allowed).toBe(true);
		expect(refusal(checkWipeGuard({ rows: 99, inputRows: 99 }, history, ninety, NOW))).toMatch(
			/99 rows/,
		);
		const none = { ...options, maxDropPercent: 0 };
		expect(refusal(checkWipeGuard({ rows: 999, inputRows: 999 }, history, none, NOW))).toMatch(
			/a drop of 0.1%/,
		);
	});

	it('does not ratchet: runs each 49% smaller are refused at the second step', () => {
		let entries: ReplaceRecord[] = [];
		let rows = 1000;
		const sent: number[] = [];
		for (let run = 0; run < 7; run++) {
			const verdict = checkWipeGuard({ rows, inputRows: rows }, entries, options, NOW);
			if (!verdict.allowed) break;
			sent.push(rows);
			entries = recordReplace(entries, { rows, at: NOW.toISOString() }, false, NOW);
			rows = Math.round(rows * 0.51);
		}
		expect(sent).toEqual([1000, 510]);
	});

	it('uses the largest replace of the last 30 days, or the newest when all are older', () => {
		const mixed = [
			{ rows: 5000, at: daysAgo(40) },
			{ rows: 800, at: daysAgo(20) },
			{ rows: 600, at: daysAgo(2) },
		];
		expect(findBaseline(mixed, NOW)).toEqual({ rows: 800, at: daysAgo(20), recent: true });
		const old = [
			{ rows: 5000, at: daysAgo(60) },
			{ rows: 700, at: daysAgo(40) },
		];
		expect(findBaseline(old, NOW)).toEqual({ rows: 700, at: daysAgo(40), recent: false });
		expect(refusal(checkWipeGuard({ rows: 300, inputRows: 300 }, old, options, NOW))).toMatch(
			/the last successful replace to this organization \(.+\) sent 700 rows/,
		);
	});
});

describe('wipe guard: "Accept a Drop to Exactly N Rows"', () => {
	const accept = (rows: number) => ({ ...options, acceptDropToRows: rows });

	it('accepts a large drop only to exactly that count', () => {
		expect(checkWipeGuard({ rows: 25, inputRows: 25 }, history, accept(25), NOW)).toMatchObject({
			allowed: true,
			acceptedDrop: true,
			report: { baseline: 1000, minimumRows: 500, status: expect.stringMatching(/^accepted/) },
		});
		expect(refusal(checkWipeGuard({ rows: 24, inputRows: 24 }, history, accept(25), NOW))).toMatch(
			/with 24 rows: .* sent 1,000 rows.* "Accept a Drop to Exactly N Rows" is set to 25, but this run has 24 rows, so the drop was not accepted/,
		);
	});

	it('is not needed and not used for a run within the limit', () => {
		expect(checkWipeGuard({ rows: 900, inputRows: 900 }, history, accept(25), NOW)).toMatchObject({
			allowed: true,
			acceptedDrop: false,
		});
	});

	it('restarts the history from the accepted count, so a stale setting guards the next run', () => {
		const restarted = recordReplace(history, { rows: 25, at: NOW.toISOString() }, true, NOW);
		expect(restarted).toEqual([{ rows: 25, at: NOW.toISOString() }]);
		expect(
			refusal(checkWipeGuard({ rows: 10, inputRows: 10 }, restarted, accept(25), NOW)),
		).toMatch(/with 10 rows: .*sent 25 rows/);
	});

	it('ignores the old "Allow Large Drop" switch and says it was replaced', () => {
		const legacy = { ...options, legacyAllowLargeDrop: true };
		expect(refusal(checkWipeGuard({ rows: 10, inputRows: 10 }, history, legacy, NOW))).toMatch(
			/\(The option "Allow Large Drop" of this node was replaced by "Accept a Drop to Exactly N Rows" and is ignored/,
		);
	});
});

describe('wipe guard: history', () => {
	it('drops entries older than 30 days and entries a later one outlasts', () => {
		const entries = [
			{ rows: 900, at: daysAgo(45) },
			{ rows: 300, at: daysAgo(10) },
			{ rows: 700, at: daysAgo(5) },
			{ rows: 650, at: daysAgo(3) },
		];
		expect(recordReplace(entries, { rows: 650, at: daysAgo(0) }, false, NOW)).toEqual([
			{ rows: 700, at: daysAgo(5) },
			{ rows: 650, at: daysAgo(0) },
		]);
	});

	it(`keeps at most ${HISTORY_MAX_ENTRIES} entries, always the largest and the newest`, () => {
		let entries: ReplaceRecord[] = [];
		for (let run = 0; run < 80; run++) {
			const at = new Date(NOW.getTime() - (80 - run) * 60_000).toISOString();
			entries = recordReplace(entries, { rows: 10_000 - run, at }, false, NOW);
		}
		expect(entries).toHaveLength(HISTORY_MAX_ENTRIES);
		expect(entries[0].rows).toBe(10_000);
		expect(entries.at(-1)?.rows).toBe(9921);
	});
});
