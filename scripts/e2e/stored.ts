/** Assertions on what the sandbox stored, against expectations computed from the example data. */
import { assert, assertEqual } from './checks';
import { SANDBOX_ORG } from './config';
import { demandKey, inventoryKey, type ExpectedInventoryRow } from './examples';
import type { Sandbox } from '../../sandbox/server';

/** The org's master inventory is exactly `expected`: same rows, each expected field equal. */
export function assertInventoryStored(
	sandbox: Sandbox,
	expected: ExpectedInventoryRow[],
	org = SANDBOX_ORG,
): void {
	const stored = sandbox.inventory(org);
	assertEqual(stored.length, expected.length, 'stored inventory rows');
	const byKey = new Map(stored.map((row) => [inventoryKey(row), row]));
	for (const want of expected) {
		const got = byKey.get(inventoryKey(want));
		assert(got, `row ${inventoryKey(want)} missing from the sandbox`);
		for (const [field, value] of Object.entries(want.fields)) {
			assert(
				got[field] === value,
				`row ${inventoryKey(want)} field ${field}: expected ${JSON.stringify(value)}, got ${JSON.stringify(got[field])}`,
			);
		}
	}
}

/** The org's demand is exactly `want` (demandKey → quantity): no row missing, none extra. */
export function assertDemandStored(
	sandbox: Sandbox,
	want: Map<string, number>,
	org = SANDBOX_ORG,
): void {
	const stored = sandbox.demand(org);
	assertEqual(stored.length, want.size, 'stored demand rows');
	for (const row of stored) {
		const quantity = want.get(demandKey(row));
		assert(quantity !== undefined, `unexpected stored row ${demandKey(row)}`);
		assert(
			Math.abs(row.quantity - quantity) < 1e-9,
			`${demandKey(row)}: quantity ${row.quantity}, expected ${quantity}`,
		);
	}
}
