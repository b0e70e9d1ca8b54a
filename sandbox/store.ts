/** In-memory state of the sandbox: what each organization holds. Knows nothing about HTTP. */

/** A master inventory row, stored exactly as received (unknown fields are kept). */
export interface InventoryRow {
	workspaceCode: string;
	location: string;
	code: string;
	[field: string]: unknown;
}

/** A historical demand row, stored exactly as received (unknown fields are kept). */
export interface DemandRow {
	workspaceCode: string;
	location: string;
	code: string;
	date: string;
	quantity: number;
	[field: string]: unknown;
}

export interface CalculationRun {
	at: string;
	demandRows: number;
}

export interface UpsertCounts {
	/** Keys the organization did not hold before this request. */
	inserted: number;
	/** Keys the organization already held, now overwritten. */
	updated: number;
	/** Demand rows the organization holds afterwards. */
	total: number;
}

interface StoredDemand {
	row: DemandRow;
	/** Which upsert call wrote the row, to count a key repeated within one request only once. */
	upsertId: number;
}

interface OrgState {
	inventory: InventoryRow[];
	demand: TupleMap<StoredDemand>;
	calculations: CalculationRun[];
}

/**
 * A map keyed by a fixed-length tuple of strings, stored as nested Maps. At 200k rows this is several times
 * faster than building one joined string key per row, and no separator can collide with a value.
 */
export class TupleMap<Value> {
	private readonly root = new Map<string, unknown>();
	private count = 0;

	constructor(private readonly keyLength: number) {}

	get size(): number {
		return this.count;
	}

	get(key: readonly string[]): Value | undefined {
		let level: Map<string, unknown> | undefined = this.root;
		for (let depth = 0; depth < this.keyLength - 1 && level; depth += 1) {
			level = level.get(key[depth]) as Map<string, unknown> | undefined;
		}
		return level?.get(key[this.keyLength - 1]) as Value | undefined;
	}

	/** Stores the value; returns the one it replaced, if any. */
	set(key: readonly string[], value: Value): Value | undefined {
		let level = this.root;
		for (let depth = 0; depth < this.keyLength - 1; depth += 1) {
			let next = level.get(key[depth]) as Map<string, unknown> | undefined;
			if (!next) {
				next = new Map();
				level.set(key[depth], next);
			}
			level = next;
		}
		const last = key[this.keyLength - 1];
		const previous = level.get(last) as Value | undefined;
		if (previous === undefined) this.count += 1;
		level.set(last, value);
		return previous;
	}

	values(): Value[] {
		const collected: Value[] = [];
		const walk = (level: Map<string, unknown>, depth: number): void => {
			for (const child of level.values()) {
				if (depth === this.keyLength - 1) collected.push(child as Value);
				else walk(child as Map<string, unknown>, depth + 1);
			}
		};
		walk(this.root, 0);
		return collected;
	}
}

export class SandboxStore {
	private readonly orgs = new Map<string, OrgState>();
	private upserts = 0;

	/** Replaces the organization's whole master inventory; returns the number of rows stored. */
	replaceInventory(org: string, rows: InventoryRow[]): number {
		this.state(org).inventory = rows;
		return rows.length;
	}

	/**
	 * Upserts demand rows by workspaceCode + location + code + date. Rows are applied in order, so when one
	 * request carries the same key twice the last row wins (and counts once).
	 */
	upsertDemand(org: string, rows: DemandRow[]): UpsertCounts {
		const demand = this.state(org).demand;
		const upsertId = (this.upserts += 1);
		let inserted = 0;
		let updated = 0;
		for (const row of rows) {
			const previous = demand.set([row.workspaceCode, row.location, row.code, row.date], {
				row,
				upsertId,
			});
			if (previous === undefined) inserted += 1;
			else if (previous.upsertId !== upsertId) updated += 1;
		}
		return { inserted, updated, total: demand.size };
	}

	recordCalculation(org: string, at: Date): CalculationRun {
		const state = this.state(org);
		const run = { at: at.toISOString(), demandRows: state.demand.size };
		state.calculations.push(run);
		return run;
	}

	inventory(org: string): InventoryRow[] {
		return [...(this.orgs.get(org)?.inventory ?? [])];
	}

	/** Demand rows sorted by workspaceCode, location, code, date (code-unit order, locale-independent). */
	demand(org: string): DemandRow[] {
		const stored = this.orgs.get(org)?.demand.values() ?? [];
		return stored.map((entry) => entry.row).sort(compareDemandRows);
	}

	calculations(org: string): CalculationRun[] {
		return (this.orgs.get(org)?.calculations ?? []).map((run) => ({ ...run }));
	}

	clear(): void {
		this.orgs.clear();
	}

	private state(org: string): OrgState {
		let state = this.orgs.get(org);
		if (!state) {
			state = { inventory: [], demand: new TupleMap(4), calculations: [] };
			this.orgs.set(org, state);
		}
		return state;
	}
}

function compareDemandRows(a: DemandRow, b: DemandRow): number {
	return (
		compareText(a.workspaceCode, b.workspaceCode) ||
		compareText(a.location, b.location) ||
		compareText(a.code, b.code) ||
		compareText(a.date, b.date)
	);
}

function compareText(a: string, b: string): number {
	if (a < b) return -1;
	return a > b ? 1 : 0;
}
