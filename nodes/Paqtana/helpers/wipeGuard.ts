/**
 * Master inventory replaces everything, so a broken source (an empty query, a truncated file) would wipe
 * or shrink the organisation's inventory. The guard compares the row count with the LARGEST successful
 * replace of the recent past, not just the last one: comparing with the last one let a series of runs,
 * each a little smaller, ratchet 1,000 rows down to 10.
 */

/** One successful replace: how many rows were sent, and when (ISO date-time). */
export interface ReplaceRecord {
	rows: number;
	at: string;
}

/** Replaces older than this no longer count towards the baseline (unless nothing newer exists). */
export const HISTORY_DAYS = 30;
/** The history keeps at most this many replaces (the newest). */
export const HISTORY_MAX_ENTRIES = 50;

const DAY_MS = 24 * 60 * 60 * 1000;
/** Floating-point slack: 125 rows at 65.6% allows 125 × 0.344 = 43 rows, not 43.000000000000004. */
const EPSILON = 1e-9;

export interface WipeGuardOptions {
	/** Allow an empty replace, but only when the input itself had no rows. */
	allowEmpty: boolean;
	/** Accept a drop below the limit when the row count is exactly this; 0 = off. */
	acceptDropToRows: number;
	/** Refuse when the count falls by more than this share (percent) of the baseline. */
	maxDropPercent: number;
	/** The saved node still has the removed "Allow Large Drop" switch on: it is ignored, and said so. */
	legacyAllowLargeDrop: boolean;
}

export interface RowCounts {
	/** Valid rows that would be sent. */
	rows: number;
	/** Rows (items) that came into the node, valid or not. */
	inputRows: number;
}

/** What the guard compared with, shown on the Success item as `wipeGuard`. */
export interface WipeGuardReport {
	/** The row count compared with; null when there was no earlier replace to compare with. */
	baseline: number | null;
	baselineAt: string | null;
	/** The smallest row count allowed without an override; null without a baseline. */
	minimumRows: number | null;
	status: string;
}

export type WipeGuardVerdict =
	| { allowed: false; refusal: string }
	| {
			allowed: true;
			report: WipeGuardReport;
			/** "Accept a Drop to Exactly N Rows" let this run through: the history restarts from it. */
			acceptedDrop: boolean;
	  };

export interface Baseline extends ReplaceRecord {
	/** true: the largest replace within HISTORY_DAYS; false: the newest one (all are older). */
	recent: boolean;
}

export const NO_BASELINE_STATUS =
	'no baseline: no earlier successful replace to compare with (manual runs from the editor do not save it), so the row count was not checked';

function time(record: ReplaceRecord): number {
	const parsed = Date.parse(record.at);
	return Number.isNaN(parsed) ? 0 : parsed;
}

/** Valid history entries only: static data can be edited by hand or come from older versions. */
export function parseHistory(value: unknown): ReplaceRecord[] {
	if (!Array.isArray(value)) return [];
	return value.filter(
		(entry): entry is ReplaceRecord =>
			typeof entry === 'object' &&
			entry !== null &&
			typeof (entry as ReplaceRecord).rows === 'number' &&
			Number.isFinite((entry as ReplaceRecord).rows) &&
			(entry as ReplaceRecord).rows >= 0 &&
			typeof (entry as ReplaceRecord).at === 'string',
	);
}

/** The largest replace of the last HISTORY_DAYS days; the newest one when all are older. */
export function findBaseline(history: ReplaceRecord[], now: Date): Baseline | undefined {
	if (history.length === 0) return undefined;
	const since = now.getTime() - HISTORY_DAYS * DAY_MS;
	const recent = history.filter((record) => time(record) >= since);
	if (recent.length === 0) {
		const newest = history.reduce((a, b) => (time(b) > time(a) ? b : a));
		return { ...newest, recent: false };
	}
	// The largest count; among equal counts the newest, so the date shown is the latest that proves it.
	const largest = recent.reduce((a, b) =>
		b.rows > a.rows || (b.rows === a.rows && time(b) > time(a)) ? b : a,
	);
	return { ...largest, recent: true };
}

/** The smallest whole row count allowed, compared exactly (125 at 65.6% → 43). */
export function minimumRows(baseline: number, maxDropPercent: number): number {
	return Math.max(0, Math.ceil((baseline * (100 - maxDropPercent)) / 100 - EPSILON));
}

/**
 * The history after a successful replace, or restarted from it after an accepted drop. Entries older than
 * HISTORY_DAYS go, and so does any entry with a later one at least as large: that one outlasts it in the
 * window, so it can never be the baseline. What is left shrinks towards the newest entry; over
 * HISTORY_MAX_ENTRIES the oldest but one go, keeping the largest (the baseline) and the newest.
 */
export function recordReplace(
	history: ReplaceRecord[],
	replace: ReplaceRecord,
	restart: boolean,
	now: Date,
): ReplaceRecord[] {
	if (restart) return [replace];
	const since = now.getTime() - HISTORY_DAYS * DAY_MS;
	const entries = [...history.filter((record) => time(record) >= since), replace];
	const useful = entries.filter((record, index) =>
		entries.slice(index + 1).every((later) => later.rows < record.rows),
	);
	return useful.length <= HISTORY_MAX_ENTRIES
		? useful
		: [useful[0], ...useful.slice(-(HISTORY_MAX_ENTRIES - 1))];
}

function plural(count: number, word: string): string {
	return `${count.toLocaleString('en-US')} ${word}${count === 1 ? '' : 's'}`;
}

const LEGACY_NOTE =
	' (The option "Allow Large Drop" of this node was replaced by "Accept a Drop to Exactly N Rows" and is ignored: it stayed on for every later run.)';

function describeBaseline(baseline: Baseline): string {
	return baseline.recent
		? `the largest successful replace to this organization in the last ${HISTORY_DAYS} days (${baseline.at}) sent ${plural(baseline.rows, 'row')}`
		: `the last successful replace to this organization (${baseline.at}) sent ${plural(baseline.rows, 'row')}`;
}

function emptyVerdict(counts: RowCounts, options: WipeGuardOptions): WipeGuardVerdict {
	if (counts.inputRows > 0) {
		return {
			allowed: false,
			refusal:
				`Refusing to replace the master inventory with 0 rows: all ${plural(counts.inputRows, 'input row')} ` +
				`${counts.inputRows === 1 ? 'was' : 'were'} invalid, and sending none would delete the whole inventory. ` +
				'"Allow Empty Inventory" applies only when the input itself is empty. Fix the rows listed on the "Invalid Rows" output or the field mapping.',
		};
	}
	if (!options.allowEmpty) {
		return {
			allowed: false,
			refusal:
				'Refusing to replace the master inventory with 0 rows: that would delete all of it. ' +
				'If you really want an empty inventory, turn on the option "Allow Empty Inventory".',
		};
	}
	return {
		allowed: true,
		acceptedDrop: false,
		report: {
			baseline: null,
			baselineAt: null,
			minimumRows: null,
			status: 'empty inventory allowed: the input had no rows and "Allow Empty Inventory" is on',
		},
	};
}

/** Whether this replace may happen, and what the guard compared it with. */
export function checkWipeGuard(
	counts: RowCounts,
	history: ReplaceRecord[],
	options: WipeGuardOptions,
	now: Date,
): WipeGuardVerdict {
	if (counts.rows === 0) return emptyVerdict(counts, options);
	const baseline = findBaseline(history, now);
	if (baseline === undefined) {
		return {
			allowed: true,
			acceptedDrop: false,
			report: { baseline: null, baselineAt: null, minimumRows: null, status: NO_BASELINE_STATUS },
		};
	}
	const minimum = minimumRows(baseline.rows, options.maxDropPercent);
	const report = { baseline: baseline.rows, baselineAt: baseline.at, minimumRows: minimum };
	if (counts.rows >= minimum) {
		return { allowed: true, acceptedDrop: false, report: { ...report, status: 'passed' } };
	}
	if (options.acceptDropToRows > 0 && counts.rows === options.acceptDropToRows) {
		return {
			allowed: true,
			acceptedDrop: true,
			report: {
				...report,
				status: `accepted: "Accept a Drop to Exactly N Rows" is ${options.acceptDropToRows} and this run has exactly that many rows; later runs are compared with it`,
			},
		};
	}
	const drop = Math.round(((baseline.rows - counts.rows) / baseline.rows) * 1000) / 10;
	const why =
		`Refusing to replace the master inventory with ${plural(counts.rows, 'row')}: ${describeBaseline(baseline)}, ` +
		`a drop of ${drop}% (more than the allowed ${options.maxDropPercent}%: at least ${plural(minimum, 'row')}).`;
	const override =
		options.acceptDropToRows > 0
			? ` "Accept a Drop to Exactly N Rows" is set to ${options.acceptDropToRows.toLocaleString('en-US')}, ` +
				`but this run has ${plural(counts.rows, 'row')}, so the drop was not accepted. Check the source; if ${counts.rows.toLocaleString('en-US')} is right, set it to ${counts.rows}.`
			: ` If the smaller inventory is right, set "Accept a Drop to Exactly N Rows" to ${counts.rows} (it applies only to a run with exactly that many rows), or raise "Max Row Drop %".`;
	return {
		allowed: false,
		refusal: why + override + (options.legacyAllowLargeDrop ? LEGACY_NOTE : ''),
	};
}
