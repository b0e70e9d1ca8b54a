import fc from 'fast-check';
import { DateTime } from 'luxon';

import {
	type DateOrder,
	type DateRules,
	excelSerialToDay,
	sumQuantities,
	toDay,
	toNumber,
	toText,
	Unconvertible,
} from '../../nodes/Paqtana/helpers/normalise';

/** Wide year bounds, so these tests see only the reading rules; the bounds have tests of their own. */
const rules = (dateOrder: DateOrder, timezone = 'UTC'): DateRules => ({
	dateOrder,
	earliestYear: 1900,
	latestYear: 9999,
	timezone,
	currentYear: 2026,
});

const reason = (value: unknown) => (value instanceof Unconvertible ? value.reason : undefined);

describe('dates are read as the calendar day written, never shifted', () => {
	it.each([
		['2026-11-27', 'yearFirst', '2026-11-27'],
		['2026-11-27T23:30:00-05:00', 'yearFirst', '2026-11-27'],
		['2026-11-27T00:30:00+09:00', 'dayFirst', '2026-11-27'],
		['2026-11-27 08:00', 'monthFirst', '2026-11-27'],
		['2026/11/27', 'dayFirst', '2026-11-27'],
		['27/11/2026', 'dayFirst', '2026-11-27'],
		['27.11.2026', 'dayFirst', '2026-11-27'],
		['27-11-26', 'dayFirst', '2026-11-27'],
		['11/27/2026', 'monthFirst', '2026-11-27'],
		['  2026-1-5 ', 'yearFirst', '2026-01-05'],
		['20261127', 'yearFirst', '2026-11-27'],
		['46353', 'dayFirst', '2026-11-27'],
		['2024-02-29', 'yearFirst', '2024-02-29'],
	] as const)('%s (%s) → %s', (input, order, expected) => {
		expect(toDay(input, rules(order))).toBe(expected);
	});

	it('reads Excel serial numbers in the 1900 system, including its fake leap day', () => {
		expect(excelSerialToDay(1)).toBe('1900-01-01');
		expect(excelSerialToDay(59)).toBe('1900-02-28');
		expect(reason(excelSerialToDay(60))).toMatch(/1900-02-29.*does not exist/);
		expect(excelSerialToDay(61)).toBe('1900-03-01');
		expect(excelSerialToDay(45658)).toBe('2025-01-01');
		expect(toDay(46353.75, rules('yearFirst'))).toBe('2026-11-27');
		expect(toDay(20261127, rules('yearFirst'))).toBe('2026-11-27');
		expect(reason(toDay(0, rules('yearFirst')))).toMatch(/not an Excel date serial/);
	});

	it('reads JS Dates in UTC and Luxon DateTimes in their own zone', () => {
		expect(toDay(new Date('2026-11-27T00:00:00Z'), rules('yearFirst'))).toBe('2026-11-27');
		expect(
			toDay(
				DateTime.fromISO('2026-11-27T23:30:00', { zone: 'America/New_York' }),
				rules('yearFirst'),
			),
		).toBe('2026-11-27');
		expect(reason(toDay(new Date('nope'), rules('yearFirst')))).toMatch(/invalid JS Date/);
		expect(reason(toDay(DateTime.invalid('bad'), rules('yearFirst')))).toMatch(/invalid Luxon/);
	});

	it.each([
		['31/02/2026', 'dayFirst', /not a real calendar day/],
		['2026-02-29', 'yearFirst', /not a real calendar day/],
		['2026-13-01', 'yearFirst', /not a real calendar day/],
		['11/27/2026', 'dayFirst', /not a real calendar day/],
		['27/11/2026', 'yearFirst', /does not start with a year/],
		['yesterday', 'dayFirst', /is not a date/],
		[true, 'dayFirst', /is not a date/],
		[Number.NaN, 'dayFirst', /is not a date/],
	] as const)('refuses %p (%s)', (input, order, why) => {
		expect(reason(toDay(input, rules(order)))).toMatch(why);
	});

	it('treats blanks as missing', () => {
		expect(toDay('  ', rules('dayFirst'))).toBeUndefined();
		expect(toDay(null, rules('dayFirst'))).toBeUndefined();
	});
});

describe('numbers follow the chosen decimal separator', () => {
	it.each([
		[12, '.', 12],
		['12', '.', 12],
		[' 12.5 ', '.', 12.5],
		['1,234.5', '.', 1234.5],
		['1 234.5', '.', 1234.5],
		['-3', '.', -3],
		['1e3', '.', 1000],
		['1.234,5', ',', 1234.5],
		['12,5', ',', 12.5],
		['1 234,5', ',', 1234.5],
		['1\u00a0234,5', ',', 1234.5],
		["1'234.5", '.', 1234.5],
		['1.500', ',', 1500],
		['1 234 567,25', ',', 1234567.25],
		['-1,234,567', '.', -1234567],
		// Whole numbers (the quick path) read the same with either separator.
		['007', ',', 7],
		['-0', '.', -0],
		['123456789012345', ',', 123456789012345],
		['12345678901234567890', '.', 12345678901234567890],
	] as const)('%p with "%s" → %p', (input, separator, expected) => {
		expect(toNumber(input, separator)).toBe(expected);
	});

	it.each([
		['1,5', '.'],
		['1.5', ','],
		['abc', '.'],
		['12abc', '.'],
		['NaN', '.'],
		['Infinity', '.'],
		[Number.NaN, '.'],
		[Number.POSITIVE_INFINITY, '.'],
		[true, '.'],
		[{}, '.'],
		['1e999', '.'],
		['12 34', '.'],
		['1 e3', '.'],
		['1,234 567', '.'],
		['1.23.456', ','],
		['-', '.'],
		['--1', '.'],
		['1-', ','],
	] as const)('refuses %p with "%s"', (input, separator) => {
		expect(toNumber(input, separator)).toBeInstanceOf(Unconvertible);
	});

	it('treats blanks as missing', () => {
		expect(toNumber('', '.')).toBeUndefined();
		expect(toNumber(null, ',')).toBeUndefined();
	});
});

describe('text', () => {
	it('trims, turns numeric codes into text, and refuses objects', () => {
		expect(toText('  A-1 ')).toBe('A-1');
		expect(toText(10023)).toBe('10023');
		expect(toText('   ')).toBeUndefined();
		expect(toText({ a: 1 })).toBeInstanceOf(Unconvertible);
		expect(toText(Number.NaN)).toBeInstanceOf(Unconvertible);
	});
});

describe('sumQuantities', () => {
	const throughText = (a: number, b: number) => Number((a + b).toPrecision(15));

	it('rounds away floating-point noise and never gives -0', () => {
		expect(sumQuantities(0.1, 0.2)).toBe(0.3);
		expect(sumQuantities(-0, -0)).toBe(0);
		expect(Object.is(sumQuantities(-0, -0), 0)).toBe(true);
		expect(sumQuantities(2.5, -2.5)).toBe(0);
		expect(sumQuantities(999_999_999_999.75, 0.5)).toBe(throughText(999_999_999_999.75, 0.5));
		expect(sumQuantities(1234567890123456, 1)).toBe(throughText(1234567890123456, 1));
	});

	it('is exactly the sum rounded to 15 significant digits through text', () => {
		const quantity = fc.oneof(
			fc.integer({ min: -1_000_000, max: 1_000_000 }),
			fc.integer({ min: -4_000_000, max: 4_000_000 }).map((quarters) => quarters / 4),
			fc.integer({ min: -100_000, max: 100_000 }).map((hundredths) => hundredths / 100),
			fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e16, max: 1e16 }),
		);
		fc.assert(
			fc.property(quantity, quantity, (a, b) => {
				expect(Object.is(sumQuantities(a, b), throughText(a, b))).toBe(true);
			}),
			{ numRuns: 5000 },
		);
	});
});
