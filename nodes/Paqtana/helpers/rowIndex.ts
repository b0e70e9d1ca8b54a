/**
 * Finds the earlier row with the same key (workspace, location, item [, day]) without building a key
 * string per row. Joining the key fields into one Map key cost a new string and a flattening per row and
 * was the slowest step of preparing a million rows; a Map level per key field was fast but kept about as
 * much memory as half the payload. This is an open-addressing table in one Int32Array: per slot the key's
 * 32-bit hash and the row's position, 8 bytes per slot and at least two slots per input item, none of it
 * traced by the garbage collector. A row is compared field by field only when its whole hash matches, so
 * different keys never merge.
 */
import type { WireRow } from './prepareRows';

const EMPTY = 0;
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
/** Mixed in after each field, so ("ab", "c") and ("a", "bc") hash differently. */
const FIELD_END = 0x1f;

export class RowIndex {
	/** Per slot: the key's hash, then the row position + 1 (EMPTY marks a free slot). */
	private readonly slots: Int32Array;
	private readonly mask: number;
	private added = 0;
	/** The previous row's key values, and the hash state after each of them. */
	private readonly previousValues: Array<string | undefined>;
	private readonly previousStates: number[];

	/**
	 * `rows` is where positions point (read to confirm a hit); `maxRows` bounds how many rows will be
	 * added, so the table never needs to grow and stays at most half full (short probe sequences).
	 */
	constructor(
		private readonly rows: readonly WireRow[],
		private readonly keyFields: readonly string[],
		private readonly maxRows: number,
	) {
		let capacity = 16;
		while (capacity < maxRows * 2) capacity *= 2;
		this.slots = new Int32Array(capacity * 2);
		this.mask = capacity - 1;
		this.previousValues = keyFields.map(() => undefined);
		this.previousStates = keyFields.map(() => FNV_OFFSET);
	}

	/**
	 * The position of the earlier row with `row`'s key; if there is none, `position` is recorded as the
	 * row for that key and -1 is returned. Key fields must hold strings (validated rows do).
	 */
	findOrAdd(row: WireRow, position: number): number {
		const { slots, mask } = this;
		const hash = this.hash(row);
		for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
			const entry = slots[slot * 2 + 1];
			if (entry === EMPTY) {
				// A full table would make this loop endless; the caller promised no more than maxRows.
				if (++this.added > this.maxRows) throw new RangeError(`RowIndex holds at most ${this.maxRows} rows`);
				slots[slot * 2] = hash;
				slots[slot * 2 + 1] = position + 1;
				return -1;
			}
			if (slots[slot * 2] === hash && this.sameKey(this.rows[entry - 1], row)) return entry - 1;
		}
	}

	private sameKey(a: WireRow, b: WireRow): boolean {
		for (const field of this.keyFields) if (a[field] !== b[field]) return false;
		return true;
	}

	/**
	 * FNV-1a over the key fields' UTF-16 code units, then murmur3's finaliser so the low bits used for slots
	 * are well mixed. Rows usually arrive sorted, so the hash state after each leading field that repeats the
	 * previous row's value is reused rather than computed again.
	 */
	private hash(row: WireRow): number {
		const { keyFields, previousValues, previousStates } = this;
		let hash = FNV_OFFSET;
		let samePrefix = true;
		for (let k = 0; k < keyFields.length; k++) {
			const text = row[keyFields[k]] as string;
			if (samePrefix && text === previousValues[k]) {
				hash = previousStates[k];
				continue;
			}
			samePrefix = false;
			for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), FNV_PRIME);
			hash = Math.imul(hash ^ FIELD_END, FNV_PRIME);
			previousValues[k] = text;
			previousStates[k] = hash;
		}
		hash ^= hash >>> 16;
		hash = Math.imul(hash, 0x85ebca6b);
		hash ^= hash >>> 13;
		hash = Math.imul(hash, 0xc2b2ae35);
		return hash ^ (hash >>> 16);
	}
}
