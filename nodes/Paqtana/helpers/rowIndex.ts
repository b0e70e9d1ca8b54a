/**
 * Finds the earlier row with the same key (workspace, location, item [, day]), for the duplicate policy.
 *
 * Exports are usually sorted: the rows of one group (the key without one field: one item's days, one
 * item's locations, one day's items) come together, that field rising. While the input keeps to that, a
 * row can only repeat the row just before it, so it is compared with that row alone and nothing is looked
 * up per row: only a new group is checked against the groups seen so far. Which field rises is read from
 * the first two different keys. A random lookup per row into a table of a million keys cost more than
 * everything else preparing a row did (a cache miss each).
 *
 * The first row that breaks the order (a group seen before comes back, the rising field goes down) switches
 * the index, for good, to an open-addressing hash table over every row so far and every row after. The
 * table is one Int32Array: per slot the key's 32-bit hash and the row's position, 8 bytes per slot and at
 * least two slots per row, none of it traced by the garbage collector. A row is compared field by field
 * only when its whole hash matches, so different keys never merge.
 */
import type { RowTable } from './rowTable';

const EMPTY = 0;
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
/** Mixed in after each field, so ("ab", "c") and ("a", "bc") hash differently. */
const FIELD_END = 0x1f;
/** Beyond this many groups the hash table (8 bytes a slot) is leaner than remembering groups by name. */
const MAX_ORDERED_GROUPS = 65_536;

export class RowIndex {
	private added = 0;
	/** While rows arrive in order: the groups seen so far, as the JSON of their key values. */
	private groups: Set<string> | undefined = new Set();
	/** The key fields, the one that rises within a group last (learnt from the first two different keys). */
	private orderKeys: readonly number[];
	private orderKnown = false;
	/** The previous row's key values (by field position), and its position. */
	private readonly lastKey: unknown[] = [];
	private lastPosition = -1;
	/** Once they did not: per slot the key's hash, then the row position + 1 (EMPTY marks a free slot). */
	private slots: Int32Array | undefined;
	private mask = 0;
	/** The previous hashed row's key values, and the hash state after each of them. */
	private readonly previousValues: Array<string | undefined>;
	private readonly previousStates: number[];

	/**
	 * `rows` is where positions point (read to confirm a hit); `keyFields` are the positions of the key
	 * fields among a row's values; `expectedRows` sizes the hash table (it doubles whenever it becomes half
	 * full, so probe sequences stay short).
	 */
	constructor(
		private readonly rows: RowTable,
		private readonly keyFields: readonly number[],
		private readonly expectedRows: number,
	) {
		this.orderKeys = keyFields;
		this.previousValues = keyFields.map(() => undefined);
		this.previousStates = keyFields.map(() => FNV_OFFSET);
	}

	/**
	 * The position of the earlier row with the key of the row whose values (in field order) start at
	 * `values[offset]`; if there is none, `position` is recorded as the row for that key and -1 is returned.
	 * Key fields must hold strings (validated rows do).
	 */
	findOrAdd(values: ArrayLike<unknown>, offset: number, position: number): number {
		if (this.groups !== undefined) {
			const found = this.findInOrder(values, offset, position);
			if (found !== undefined) return found;
			this.switchToHashing();
		}
		return this.findOrHash(values, offset, position);
	}

	/** The answer while rows keep the order; `undefined` when this row breaks it. */
	private findInOrder(
		values: ArrayLike<unknown>,
		offset: number,
		position: number,
	): number | undefined {
		if (this.lastPosition !== -1 && !this.orderKnown) this.learnOrder(values, offset);
		const { orderKeys, lastKey } = this;
		const last = orderKeys.length - 1;
		const rising = orderKeys[last];
		let sameGroup = this.lastPosition !== -1;
		for (let k = 0; k < last && sameGroup; k++)
			sameGroup = values[offset + orderKeys[k]] === lastKey[orderKeys[k]];
		const risingValue = values[offset + rising] as string;
		if (sameGroup) {
			if (!(risingValue > (lastKey[rising] as string)))
				return risingValue === lastKey[rising] ? this.lastPosition : undefined;
		} else {
			const group = this.groupOf(values, offset);
			if (this.groups!.has(group) || this.groups!.size >= MAX_ORDERED_GROUPS) return undefined;
			this.groups!.add(group);
			for (let k = 0; k < last; k++) lastKey[orderKeys[k]] = values[offset + orderKeys[k]];
		}
		this.countAdded();
		lastKey[rising] = risingValue;
		this.lastPosition = position;
		return -1;
	}

	/** The key fields other than the rising one, as JSON. */
	private groupOf(values: ArrayLike<unknown>, offset: number): string {
		return JSON.stringify(this.orderKeys.slice(0, -1).map((field) => values[offset + field]));
	}

	/**
	 * With one row added, a row with another key shows which field rises within a group: the last key field
	 * that differs (item-major demand: the day; item-major inventory: the location; day-major demand: the item).
	 */
	private learnOrder(values: ArrayLike<unknown>, offset: number): void {
		let rising = -1;
		for (const field of this.keyFields)
			if (values[offset + field] !== this.lastKey[field]) rising = field;
		if (rising === -1) return; // the same key again
		this.orderKeys = [...this.keyFields.filter((field) => field !== rising), rising];
		this.groups = new Set([this.groupOf(this.lastKey, 0)]);
		this.orderKnown = true;
	}

	/** Builds the hash table from every row added so far: their keys are all different. */
	private switchToHashing(): void {
		this.groups = undefined;
		let capacity = 16;
		while (capacity < Math.max(this.expectedRows, this.added + 1) * 2) capacity *= 2;
		this.slots = new Int32Array(capacity * 2);
		this.mask = capacity - 1;
		const { rows } = this;
		for (let position = 0; position < rows.length; position++)
			this.insert(this.hash(rows.blockOf(position), rows.offsetOf(position)), position);
	}

	private findOrHash(values: ArrayLike<unknown>, offset: number, position: number): number {
		const slots = this.slots!;
		const { mask } = this;
		const hash = this.hash(values, offset);
		for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
			const entry = slots[slot * 2 + 1];
			if (entry === EMPTY) {
				slots[slot * 2] = hash;
				slots[slot * 2 + 1] = position + 1;
				this.countAdded();
				return -1;
			}
			if (slots[slot * 2] === hash && this.sameKey(entry - 1, values, offset)) return entry - 1;
		}
	}

	private insert(hash: number, position: number): void {
		const slots = this.slots!;
		let slot = hash & this.mask;
		while (slots[slot * 2 + 1] !== EMPTY) slot = (slot + 1) & this.mask;
		slots[slot * 2] = hash;
		slots[slot * 2 + 1] = position + 1;
	}

	/**
	 * The position of the row with the key of the values at `values[offset]`, or -1; adds nothing. Rare
	 * (rows withheld after the fact), so it may switch the index to hashing.
	 */
	find(values: ArrayLike<unknown>, offset: number): number {
		if (this.groups !== undefined) this.switchToHashing();
		const slots = this.slots!;
		const hash = this.hash(values, offset);
		for (let slot = hash & this.mask; ; slot = (slot + 1) & this.mask) {
			const entry = slots[slot * 2 + 1];
			if (entry === EMPTY) return -1;
			if (slots[slot * 2] === hash && this.sameKey(entry - 1, values, offset)) return entry - 1;
		}
	}

	/** Keeps the hash table at most half full; the slots keep each key's hash, so nothing is hashed again. */
	private countAdded(): void {
		this.added++;
		const slots = this.slots;
		if (slots === undefined || this.added * 2 <= this.mask + 1) return;
		const capacity = (this.mask + 1) * 2;
		this.slots = new Int32Array(capacity * 2);
		this.mask = capacity - 1;
		for (let slot = 0; slot < slots.length; slot += 2) {
			if (slots[slot + 1] !== EMPTY) this.insert(slots[slot], slots[slot + 1] - 1);
		}
	}

	private sameKey(position: number, values: ArrayLike<unknown>, offset: number): boolean {
		const block = this.rows.blockOf(position);
		const rowOffset = this.rows.offsetOf(position);
		for (const field of this.keyFields)
			if (block[rowOffset + field] !== values[offset + field]) return false;
		return true;
	}

	/**
	 * FNV-1a over the key fields' UTF-16 code units, then murmur3's finaliser so the low bits used for slots
	 * are well mixed. The hash state after each leading field that repeats the previous row's value is
	 * reused rather than computed again.
	 */
	private hash(values: ArrayLike<unknown>, offset: number): number {
		const { keyFields, previousValues, previousStates } = this;
		let hash = FNV_OFFSET;
		let samePrefix = true;
		for (let k = 0; k < keyFields.length; k++) {
			const text = values[offset + keyFields[k]] as string;
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
