/**
 * A lower bound in practice for the node on document-order demand: the least work, done the fastest way
 * measured, that turns the same items into the same request bodies. It reads the five columns it knows,
 * finds repeated keys with the fastest structure tried for shuffled keys (hash of the key texts into an
 * Int32Array of slots, texts compared only on a hash match; a `Map` of joined keys took 3.3× as long,
 * nested `Map`s 1.1×, numbering each field's texts in a `Map` no faster), sums, and writes each row with
 * one template, joined per 2,048 rows (0.7× `JSON.stringify` of the rows, the fastest serialisation
 * tried). It checks nothing, converts only the quantity, pairs no items and reports nothing, which the
 * node must all do; so its time over `JSON.stringify`'s is a ratio the node cannot reach on this input.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { DEMAND_HEADER } from './data';

const [WORKSPACE, LOCATION, CODE, DATE, QUANTITY] = DEMAND_HEADER;
const GROUP_ROWS = 2048;

/** The rows' JSON, without brackets, per group of 2,048 rows (the node's payload joined by commas). */
export function floorPayload(items: readonly INodeExecutionData[]): string[] {
	let capacity = 16;
	while (capacity < items.length * 2) capacity *= 2;
	const mask = capacity - 1;
	const slots = new Int32Array(capacity * 2);
	const keys: string[] = new Array<string>(items.length * 4);
	const quantities = new Float64Array(items.length);
	let rows = 0;
	for (const { json } of items) {
		const key = [json[WORKSPACE], json[LOCATION], json[CODE], json[DATE]] as string[];
		const quantity = Number((json as IDataObject)[QUANTITY]);
		let hash = 0x811c9dc5;
		for (const text of key) {
			for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
			hash = Math.imul(hash ^ 0x1f, 0x01000193);
		}
		hash ^= hash >>> 16;
		hash = Math.imul(hash, 0x85ebca6b);
		hash ^= hash >>> 13;
		for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
			const entry = slots[slot * 2 + 1];
			if (entry === 0) {
				slots[slot * 2] = hash;
				slots[slot * 2 + 1] = rows + 1;
				for (let k = 0; k < 4; k++) keys[rows * 4 + k] = key[k];
				quantities[rows++] = quantity;
				break;
			}
			const at = (entry - 1) * 4;
			if (
				slots[slot * 2] === hash &&
				keys[at] === key[0] &&
				keys[at + 1] === key[1] &&
				keys[at + 2] === key[2] &&
				keys[at + 3] === key[3]
			) {
				quantities[entry - 1] += quantity;
				break;
			}
		}
	}
	const groups: string[] = [];
	let group: string[] = [];
	for (let row = 0; row < rows; row++) {
		const at = row * 4;
		group.push(
			`{"workspaceCode":"${keys[at]}","location":"${keys[at + 1]}","code":"${keys[at + 2]}","date":"${keys[at + 3]}","quantity":${quantities[row]}}`,
		);
		if (group.length === GROUP_ROWS) {
			groups.push(group.join(','));
			group = [];
		}
	}
	if (group.length > 0) groups.push(group.join(','));
	return groups;
}
