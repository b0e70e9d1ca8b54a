/**
 * Which days are dates (issue 10.6, 10.7): only days within the accepted years, two-digit years no
 * later than next year, JS Dates as the calendar day in the instance's time zone.
 */
import {
	type DateOrder,
	type DateRules,
	toDay,
	Unconvertible,
} from '../../nodes/Paqtana/helpers/normalise';

const rules = (overrides: Partial<DateRules> = {}): DateRules => ({
	dateOrder: 'dayFirst' as DateOrder,
	earliestYear: 1970,
	latestYear: 2100,
	timezone: 'UTC',
	currentYear: 2026,
	...overrides,
});

const reason = (value: unknown) => (value instanceof Unconvertible ? value.reason : value);

describe('only days within the accepted years are dates', () => {
	it.each([
		[14, '14 is not a date: as an Excel date serial it would be 1900-01-14'],
		['14', '"14" is not a date: as an Excel date serial it would be 1900-01-14'],
		[3000000, '3000000 is not an Excel date serial'],
		['1969-12-31', '"1969-12-31" is 1969-12-31'],
		['2101-01-01', '"2101-01-01" is 2101-01-01'],
		[21010101, '21010101 is 2101-01-01'],
	])('%p is refused', (value, why) => {
		const refused = reason(toDay(value, rules()));
		expect(refused).toMatch(why);
		if (!why.endsWith('serial')) expect(refused).toMatch(/outside the accepted years 1970–2100$/);
	});

	it.each([
		[25569, '1970-01-01'],
		['1970-01-01', '1970-01-01'],
		['2100-12-31', '2100-12-31'],
		[73050, '2099-12-31'],
	])('%p is accepted at the edge (%s)', (value, day) => {
		expect(toDay(value, rules())).toBe(day);
	});

	it('the bounds are the options: years outside are refused, the bounds are in', () => {
		const narrow = rules({ earliestYear: 2026, latestYear: 2026 });
		expect(toDay('2026-01-01', narrow)).toBe('2026-01-01');
		expect(toDay('2026-12-31', narrow)).toBe('2026-12-31');
		expect(reason(toDay('2025-12-31', narrow))).toMatch(/outside the accepted years 2026–2026$/);
		expect(reason(toDay('2027-01-01', narrow))).toMatch(/outside the accepted years 2026–2026$/);
		expect(toDay(14, rules({ earliestYear: 1900 }))).toBe('1900-01-14');
	});
});

describe('a two-digit year is the latest such year up to next year', () => {
	it.each([
		['05/01/99', '1999-01-05'],
		['05/01/26', '2026-01-05'],
		['05/01/27', '2027-01-05'],
		['05/01/00', '2000-01-05'],
		['05/01/70', '1970-01-05'],
	])('%s in 2026 (day first) is %s', (text, day) => {
		expect(toDay(text, rules())).toBe(day);
	});

	it('two years ahead is a century back, and refused when that is before the earliest year', () => {
		expect(toDay('05/01/28', rules({ earliestYear: 1900 }))).toBe('1928-01-05');
		expect(reason(toDay('05/01/28', rules()))).toMatch(/1928-01-05, outside the accepted years/);
	});

	it('month first reads the same years', () => {
		expect(toDay('01/05/99', rules({ dateOrder: 'monthFirst' }))).toBe('1999-01-05');
	});
});

describe('a JS Date is the calendar day it is in the instance time zone', () => {
	it.each([
		['Europe/Berlin', '2026-11-26T23:00:00Z', '2026-11-27'],
		['Europe/Berlin', '2026-06-14T22:00:00Z', '2026-06-15'],
		['America/New_York', '2026-11-27T05:00:00Z', '2026-11-27'],
		['America/New_York', '2026-06-15T04:00:00Z', '2026-06-15'],
		['Asia/Tokyo', '2026-11-26T15:00:00Z', '2026-11-27'],
	])('in %s, %s (local midnight) is %s', (timezone, instant, day) => {
		expect(toDay(new Date(instant), rules({ timezone }))).toBe(day);
	});

	it.each(['Europe/Berlin', 'America/New_York', 'Asia/Tokyo'])(
		'in %s, a Date at UTC midnight is that UTC day',
		(timezone) => {
			expect(toDay(new Date('2026-11-27T00:00:00Z'), rules({ timezone }))).toBe('2026-11-27');
		},
	);

	it('an unknown zone name reads the Date in UTC, as n8n falls back to UTC', () => {
		expect(toDay(new Date('2026-11-26T23:00:00Z'), rules({ timezone: 'Mars/Olympus' }))).toBe(
			'2026-11-26',
		);
	});

	it('a Date outside the accepted years is refused', () => {
		expect(reason(toDay(new Date('1900-01-14T00:00:00Z'), rules()))).toMatch(
			/1900-01-14, outside the accepted years 1970–2100$/,
		);
	});
});
