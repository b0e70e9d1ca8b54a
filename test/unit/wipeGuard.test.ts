import { checkWipeGuard } from '../../nodes/Paqtana/helpers/wipeGuard';

const options = { allowEmpty: false, allowLargeDrop: false, maxDropPercent: 50 };
const last = { rows: 1000, at: '2026-11-27T06:00:00.000Z' };

describe('wipe guard', () => {
	it('refuses an empty inventory unless allowed', () => {
		expect(checkWipeGuard(0, undefined, options)).toMatch(/0 rows.*Allow Empty Inventory/);
		expect(checkWipeGuard(0, last, { ...options, allowEmpty: true })).toBeUndefined();
	});

	it('allows the first run, and drops up to the limit', () => {
		expect(checkWipeGuard(1, undefined, options)).toBeUndefined();
		expect(checkWipeGuard(500, last, options)).toBeUndefined();
		expect(checkWipeGuard(1500, last, options)).toBeUndefined();
	});

	it('refuses a larger drop, naming both counts and the overrides', () => {
		expect(checkWipeGuard(499, last, options)).toBe(
			'Refusing to replace the master inventory with 499 rows: the last successful replace from this node (2026-11-27T06:00:00.000Z) sent 1000 rows, a drop of 50.1% (more than the allowed 50%). If the smaller inventory is right, turn on "Allow Large Drop" for one run, or raise "Max Row Drop %".',
		);
		expect(checkWipeGuard(499, last, { ...options, allowLargeDrop: true })).toBeUndefined();
		expect(checkWipeGuard(100, last, { ...options, maxDropPercent: 90 })).toBeUndefined();
		expect(checkWipeGuard(99, last, { ...options, maxDropPercent: 90 })).toMatch(/99 rows/);
		expect(checkWipeGuard(999, last, { ...options, maxDropPercent: 0 })).toMatch(/a drop of 0.1%/);
	});
});
