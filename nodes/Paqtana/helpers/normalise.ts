/**
 * Forgiving conversion of spreadsheet/ERP cell values into wire values. A converter returns the wire value,
 * `undefined` for an empty cell, or an `Unconvertible` explaining why the value can't be used. It never
 * guesses: an ambiguous or impossible value is reported, not shifted.
 */
import { digitsAt, isCalendarDay, isIsoDay } from './calendar';

export type DateOrder = 'dayFirst' | 'monthFirst' | 'yearFirst';
export type DecimalSeparator = '.' | ',';

/** How dates are read; see `toDay`. */
export interface DateRules {
	dateOrder: DateOrder;
	/**
	 * Days outside these years are refused: a number that is not a date (`Day: 14` from a Year/Month/Day
	 * export) must not become 1900-01-14 as an Excel serial, nor a typo a day in 2206.
	 */
	earliestYear: number;
	latestYear: number;
	/** The n8n instance's time zone (IANA name): a JS Date is the calendar day it is there. */
	timezone: string;
	/** The year it is now: a two-digit year is the latest such year up to the next one. */
	currentYear: number;
}

export interface NormaliseOptions extends DateRules {
	decimalSeparator: DecimalSeparator;
}

export const DEFAULT_EARLIEST_YEAR = 1970;
export const DEFAULT_LATEST_YEAR = 2100;

export class Unconvertible {
	constructor(readonly reason: string) {}
}

/** A short description of a cell value for error messages. */
export function describe(value: unknown): string {
	if (typeof value === 'string') return `"${value.length > 40 ? value.slice(0, 40) + '…' : value}"`;
	if (Array.isArray(value)) return 'a list';
	if (typeof value === 'object' && value !== null) return 'an object';
	return String(value);
}

/** Text: trimmed; numbers become their decimal text (item codes often arrive as numbers from spreadsheets). */
export function toText(value: unknown): string | undefined | Unconvertible {
	if (typeof value === 'string') {
		const trimmed = value.trim();
		return trimmed === '' ? undefined : trimmed;
	}
	if (typeof value === 'number')
		return Number.isFinite(value)
			? String(value)
			: new Unconvertible(`${describe(value)} is not text`);
	if (typeof value === 'bigint') return String(value);
	if (value === undefined || value === null) return undefined;
	return new Unconvertible(`${describe(value)} is not text`);
}

// `\d+(?:\.\d*)?`, not `\d+\.?\d*`: the latter can split a digit run many ways, so a long digit string that
// does not match (a hostile cell) took quadratic time (50,000 digits: 5 s).
const PLAIN_DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
/** Digits in groups of three, split by one repeated separator (`1,234,567.5`, `1 234 567.5`, `1'234.5`). */
const GROUPED_WITH_DOT_DECIMAL = /^[+-]?\d{1,3}([,\s\u00a0\u202f'])\d{3}(?:\1\d{3})*(?:\.\d*)?$/;
const COMMA_DECIMAL = /^[+-]?(?:\d+(?:,\d*)?|,\d+)$/;
const GROUPED_WITH_COMMA_DECIMAL = /^[+-]?\d{1,3}([.\s\u00a0\u202f'])\d{3}(?:\1\d{3})*(?:,\d*)?$/;

/**
 * Numbers: JSON numbers, or numeric text in the chosen decimal separator. Thousands separators (the other
 * sign, a space or an apostrophe) are accepted only between groups of three digits: `1.234,5` → 1234.5 with
 * `,`, while `1,5` with `.` or `12 34` is refused rather than read as 15 or 1234.
 */
export function toNumber(
	value: unknown,
	decimalSeparator: DecimalSeparator,
): number | undefined | Unconvertible {
	if (typeof value === 'number') {
		return Number.isFinite(value)
			? value
			: new Unconvertible(`${describe(value)} is not a finite number`);
	}
	if (value === undefined || value === null) return undefined;
	if (typeof value !== 'string') return new Unconvertible(`${describe(value)} is not a number`);
	const text = value.trim();
	if (text === '') return undefined;
	let plain: string | undefined;
	if (decimalSeparator === '.') {
		if (PLAIN_DECIMAL.test(text)) plain = text;
		else {
			const grouped = GROUPED_WITH_DOT_DECIMAL.exec(text);
			if (grouped !== null) plain = text.split(grouped[1]).join('');
		}
	} else if (COMMA_DECIMAL.test(text)) {
		plain = text.replace(',', '.');
	} else {
		const grouped = GROUPED_WITH_COMMA_DECIMAL.exec(text);
		if (grouped !== null) plain = text.split(grouped[1]).join('').replace(',', '.');
	}
	if (plain === undefined) {
		return new Unconvertible(
			`${describe(value)} is not a number (decimal separator "${decimalSeparator}")`,
		);
	}
	const number = Number(plain);
	return Number.isFinite(number) ? number : new Unconvertible(`${describe(value)} is too large`);
}

/** Below this, a sum in quarter units has at most 14 significant digits: rounding it to 15 gives it back. */
const EXACT_QUARTERS_BELOW = 1e12;

/**
 * Duplicate rows' quantities summed. Floating-point noise from summing decimals (0.1 + 0.2) must not reach
 * the wire, so a sum is rounded to 15 significant digits, through text; a sum in whole (or quarter) units
 * is already what that rounding gives and skips it (`+ 0` turns -0 into 0, as the text does). A/B
 * (scripts/bench/tricks.ts sum-quarter-units, 1M document-order demand items, 30 % summed, 6 pairs): the
 * text for every sum takes 1.04× (A-B) and 1.11× (B-A) the CPU time on text input, 1.15× and 1.16× on typed.
 */
export function sumQuantities(a: number, b: number): number {
	const sum = a + b;
	if (Number.isInteger(sum * 4) && Math.abs(sum) < EXACT_QUARTERS_BELOW) return sum + 0;
	return Number(sum.toPrecision(15));
}

function pad(value: number, width: number): string {
	return String(value).padStart(width, '0');
}

function isoDay(
	year: number,
	month: number,
	day: number,
	written: unknown,
): string | Unconvertible {
	return isCalendarDay(year, month, day)
		? `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`
		: new Unconvertible(`${describe(written)} is not a real calendar day`);
}

/** Days from 1970-01-01 to the Excel (1900 system) serial day 0, i.e. 1899-12-30 for serials after the fake 1900-02-29. */
const EXCEL_EPOCH_OFFSET = 25569;
const EXCEL_MAX_SERIAL = 2958465; // 9999-12-31
const MS_PER_DAY = 86_400_000;

/**
 * Excel's 1900 date system: serial 1 is 1900-01-01 and serial 60 is the non-existent 1900-02-29 that Excel
 * kept for Lotus 1-2-3 compatibility, so serials from 61 on are one day ahead of a plain day count.
 * The fraction (time of day) is ignored.
 */
export function excelSerialToDay(serial: number): string | Unconvertible {
	const whole = Math.floor(serial);
	if (whole < 1 || whole > EXCEL_MAX_SERIAL)
		return new Unconvertible(`${serial} is not an Excel date serial`);
	if (whole === 60)
		return new Unconvertible(
			'Excel serial 60 is 1900-02-29, a day that does not exist (Excel 1900 leap-year bug)',
		);
	const daysSinceEpoch = whole - EXCEL_EPOCH_OFFSET + (whole < 60 ? 1 : 0);
	return new Date(daysSinceEpoch * MS_PER_DAY).toISOString().slice(0, 10);
}

/** Formats a time as the calendar day (`YYYY-MM-DD`) in one time zone, by zone name. */
const dayFormats = new Map<string, Intl.DateTimeFormat>();

function dayFormat(timezone: string): Intl.DateTimeFormat {
	let format = dayFormats.get(timezone);
	if (format === undefined) {
		try {
			// en-CA writes dates as YYYY-MM-DD.
			format = new Intl.DateTimeFormat('en-CA', {
				timeZone: timezone,
				year: 'numeric',
				month: '2-digit',
				day: '2-digit',
			});
		} catch {
			format = dayFormat('UTC'); // an unknown zone name: n8n itself falls back to UTC then
		}
		dayFormats.set(timezone, format);
	}
	return format;
}

/**
 * Day texts of JS Dates by time and zone. A database export repeats a few hundred days over millions of
 * rows, and formatting per row was the slowest step of reading them; the cache is bounded, so it cannot
 * grow with the input. A/B (scripts/bench/tricks.ts, 1M typed demand rows, 4 pairs): `toISOString`
 * per row takes 1.37× (A-B) and 1.46× (B-A) as long.
 */
const dayTexts = new Map<string, Map<number, string>>();
const DAY_TEXTS_KEPT = 4096;

/**
 * Midnight in the time zone of the process n8n runs in: what node-postgres (and most drivers) make of a
 * DATE column. n8n's own time zone setting (GENERIC_TIMEZONE) need not be that zone (TZ), so such a Date
 * is read with the process's local calendar, which undoes exactly what the driver did.
 */
function isLocalMidnight(date: Date): boolean {
	return (
		date.getHours() === 0 &&
		date.getMinutes() === 0 &&
		date.getSeconds() === 0 &&
		date.getMilliseconds() === 0
	);
}

function localDay(date: Date): string {
	return `${pad(date.getFullYear(), 4)}-${pad(date.getMonth() + 1, 2)}-${pad(date.getDate(), 2)}`;
}

/**
 * A JS Date at midnight UTC is that UTC day (date-only values from JSON and most APIs); at midnight of
 * the process's time zone, that local day (a database DATE); any other is the calendar day it is in the
 * instance's time zone. node-postgres, for one, gives a DATE column as a Date
 * at local midnight: in Berlin, 2026-11-27 arrives as 2026-11-26T23:00Z and must stay the 27th.
 */
function dateToDay(date: Date, timezone: string): string | Unconvertible {
	const time = date.getTime();
	if (Number.isNaN(time)) return new Unconvertible('an invalid JS Date');
	let texts = dayTexts.get(timezone);
	if (texts === undefined) dayTexts.set(timezone, (texts = new Map()));
	let text = texts.get(time);
	if (text === undefined) {
		text =
			time % MS_PER_DAY === 0
				? date.toISOString().slice(0, 10)
				: isLocalMidnight(date)
					? localDay(date)
					: dayFormat(timezone).format(date);
		if (texts.size >= DAY_TEXTS_KEPT) texts.clear();
		texts.set(time, text);
	}
	return text;
}

const ISO_DATE_PREFIX = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:$|[T ]\d)/;
const COMPACT_DAY = /^(\d{4})(\d{2})(\d{2})$/;
const THREE_PARTS = /^(\d{1,4})[./-](\d{1,2})[./-](\d{1,4})(?:$|[T ,]+\d{1,2}:\d{2})/;
const NUMERIC = /^\d+(?:\.\d+)?$/;

/** A two-digit year is the latest year ending in those digits up to the year after `currentYear`. */
function fullYear(year: string, currentYear: number): number {
	const value = Number(year);
	if (year.length > 2) return value;
	const latest = currentYear + 1;
	const candidate = latest - ((((latest - value) % 100) + 100) % 100);
	return candidate;
}

function fromThreeParts(text: string, rules: DateRules): string | Unconvertible | undefined {
	const order = rules.dateOrder;
	const match = THREE_PARTS.exec(text);
	if (match === null) return undefined;
	const [, a, b, c] = match;
	if (a.length === 4) return isoDay(Number(a), Number(b), Number(c), text); // year first is unambiguous
	if (c.length !== 4 && c.length !== 2)
		return new Unconvertible(`"${text}" has no recognisable year`);
	if (order === 'yearFirst')
		return new Unconvertible(`"${text}" does not start with a year (Date Order is year-first)`);
	const [day, month] = order === 'dayFirst' ? [a, b] : [b, a];
	return isoDay(fullYear(c, rules.currentYear), Number(month), Number(day), text);
}

interface LuxonLike {
	isLuxonDateTime: true;
	isValid: boolean;
	toISODate(): string | null;
}

function isLuxonDateTime(value: object): value is LuxonLike {
	return (value as Partial<LuxonLike>).isLuxonDateTime === true;
}

/**
 * Calendar days, as written: ISO dates and date-times keep the day they name (no time-zone shift); JS
 * Dates as `dateToDay` says; Luxon DateTimes in their own zone; numbers are YYYYMMDD or Excel serials;
 * `27/11/2026`-style text follows the Date Order. Only days within the accepted years are dates.
 */
export function toDay(value: unknown, rules: DateRules): string | undefined | Unconvertible {
	const day = readDay(value, rules);
	if (typeof day !== 'string') return day;
	const year = digitsAt(day, 0, 4);
	if (year >= rules.earliestYear && year <= rules.latestYear) return day;
	const accepted = `${rules.earliestYear}–${rules.latestYear}`;
	const serial =
		typeof value === 'number' || (typeof value === 'string' && NUMERIC.test(value.trim()));
	return new Unconvertible(
		serial && !COMPACT_DAY.test(String(value).trim())
			? `${describe(value)} is not a date: as an Excel date serial it would be ${day}, outside the accepted years ${accepted}`
			: `${describe(value)} is ${day}, outside the accepted years ${accepted}`,
	);
}

function readDay(value: unknown, rules: DateRules): string | undefined | Unconvertible {
	if (typeof value === 'number') {
		if (!Number.isFinite(value)) return new Unconvertible(`${describe(value)} is not a date`);
		const compact = COMPACT_DAY.exec(String(value));
		if (compact !== null)
			return isoDay(Number(compact[1]), Number(compact[2]), Number(compact[3]), value);
		return excelSerialToDay(value);
	}
	if (value === undefined || value === null) return undefined;
	if (typeof value === 'string') {
		const text = value.trim();
		if (text === '') return undefined;
		// Already what the wire wants: no parsing, no new string. A/B (scripts/bench/tricks.ts, 1M
		// demand CSV rows, 4 pairs): a regular expression and a new string take 1.37× (A-B), 1.73×
		// (B-A) as long.
		if (isIsoDay(text)) return text;
		const iso = ISO_DATE_PREFIX.exec(text);
		if (iso !== null) return isoDay(Number(iso[1]), Number(iso[2]), Number(iso[3]), text);
		const parts = fromThreeParts(text, rules);
		if (parts !== undefined) return parts;
		const compact = COMPACT_DAY.exec(text);
		if (compact !== null)
			return isoDay(Number(compact[1]), Number(compact[2]), Number(compact[3]), text);
		if (NUMERIC.test(text)) return excelSerialToDay(Number(text));
		return new Unconvertible(`${describe(value)} is not a date`);
	}
	if (value instanceof Date) return dateToDay(value, rules.timezone);
	if (typeof value === 'object' && value !== null && isLuxonDateTime(value)) {
		const day = value.isValid ? value.toISODate() : null;
		return day ?? new Unconvertible('an invalid Luxon DateTime');
	}
	return new Unconvertible(`${describe(value)} is not a date`);
}

export function convert(
	kind: 'text' | 'number' | 'date',
	value: unknown,
	options: NormaliseOptions,
): string | number | undefined | Unconvertible {
	if (kind === 'text') return toText(value);
	if (kind === 'number') return toNumber(value, options.decimalSeparator);
	return toDay(value, options);
}
