import fc from 'fast-check';

import { isCalendarDay, isIsoDay } from '../../nodes/Paqtana/helpers/calendar';

/** The day check as it was written before it read character codes: the reference it must agree with. */
const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
function isIsoDayByRegex(value: string): boolean {
	const match = ISO_DAY.exec(value);
	return match !== null && isCalendarDay(Number(match[1]), Number(match[2]), Number(match[3]));
}

describe('isIsoDay', () => {
	it.each(['2026-11-27', '2024-02-29', '2000-02-29', '0001-01-01', '9999-12-31', '1900-03-01'])(
		'accepts %s',
		(day) => {
			expect(isIsoDay(day)).toBe(true);
		},
	);

	it.each([
		'2026-02-29',
		'1900-02-29',
		'2026-04-31',
		'2026-13-01',
		'2026-00-10',
		'2026-01-00',
		'2026-01-32',
		'0000-01-01',
		'2026-1-01',
		'2026-01-1',
		'26-01-01',
		'20260101',
		'2026/01/01',
		'2026-01-01 ',
		' 2026-01-01',
		'2026-01-01T00:00',
		'2026-0a-01',
		'2026-+1-01',
		'+026-01-01',
		'２０２６-01-01',
		'٢٠٢٦-01-01',
		'',
		'2026-01-0\u0000',
	])('refuses %j', (text) => {
		expect(isIsoDay(text)).toBe(false);
	});

	it('agrees with the regex reading on generated text', () => {
		const dayLike = fc
			.tuple(
				fc.integer({ min: 0, max: 10_999 }),
				fc.integer({ min: 0, max: 14 }),
				fc.integer({ min: 0, max: 33 }),
			)
			.map(
				([y, m, d]) =>
					`${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`,
			);
		const noise = fc.string({
			unit: fc.constantFrom('0', '1', '2', '9', '-', '/', ' ', 'a', '٣', '\u0000'),
			minLength: 8,
			maxLength: 12,
		});
		fc.assert(
			fc.property(fc.oneof(dayLike, noise, fc.string()), (text) =>
				expect(isIsoDay(text)).toBe(isIsoDayByRegex(text)),
			),
			{ numRuns: 20_000 },
		);
	});
});
