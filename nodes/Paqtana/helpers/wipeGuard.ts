/**
 * Master inventory replaces everything, so a broken source (an empty query, a truncated file) would wipe
 * the organisation's inventory. The guard compares the row count with the last successful replace.
 */
export interface WipeGuardOptions {
	allowEmpty: boolean;
	allowLargeDrop: boolean;
	/** Refuse when the count falls by more than this share (percent) of the last successful replace. */
	maxDropPercent: number;
}

export interface LastReplace {
	rows: number;
	at: string;
}

/** Returns why the replace must not happen, or undefined when it may. */
export function checkWipeGuard(
	rows: number,
	last: LastReplace | undefined,
	options: WipeGuardOptions,
): string | undefined {
	if (rows === 0) {
		return options.allowEmpty
			? undefined
			: 'Refusing to replace the master inventory with 0 rows: that would delete all of it. ' +
					'If you really want an empty inventory, turn on the option "Allow Empty Inventory".';
	}
	if (last === undefined || options.allowLargeDrop || last.rows === 0) return undefined;
	const minimum = Math.ceil((last.rows * (100 - options.maxDropPercent)) / 100);
	if (rows >= minimum) return undefined;
	const drop = Math.round(((last.rows - rows) / last.rows) * 1000) / 10;
	return (
		`Refusing to replace the master inventory with ${rows} rows: the last successful replace from this node ` +
		`(${last.at}) sent ${last.rows} rows, a drop of ${drop}% (more than the allowed ${options.maxDropPercent}%). ` +
		'If the smaller inventory is right, turn on "Allow Large Drop" for one run, or raise "Max Row Drop %".'
	);
}
