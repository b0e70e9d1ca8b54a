/**
 * Finds the earlier row with the same key (workspace, location, item [, day]) without building a key
 * string per row: one Map level per key field, keyed by the field's own string, so no key text is
 * allocated and V8's cached string hashes do the hashing. Joining the fields into one Map key cost a new
 * string and a flattening per row, and was the slowest step of preparing a million rows. Keys compare by
 * exact value, so different keys can never merge.
 */
import type { WireRow } from './prepareRows';

/** The row position under the last key field, a further level under the others. */
type KeyLevel = Map<string, KeyLevel | number>;

export class RowIndex {
	private readonly root: KeyLevel = new Map();

	constructor(private readonly keyFields: readonly string[]) {}

	/**
	 * The position of the earlier row with `row`'s key; if there is none, `position` is recorded as the
	 * row for that key and -1 is returned. Key fields must hold strings (validated rows do).
	 */
	findOrAdd(row: WireRow, position: number): number {
		const last = this.keyFields.length - 1;
		let level = this.root;
		for (let k = 0; k < last; k++) {
			const value = row[this.keyFields[k]] as string;
			let next = level.get(value) as KeyLevel | undefined;
			if (next === undefined) {
				next = new Map();
				level.set(value, next);
			}
			level = next;
		}
		const leaf = row[this.keyFields[last]] as string;
		const existing = level.get(leaf) as number | undefined;
		if (existing !== undefined) return existing;
		level.set(leaf, position);
		return -1;
	}
}
