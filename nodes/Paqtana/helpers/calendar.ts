/** Calendar days as the wire writes them (`YYYY-MM-DD`), read without regular expressions: they run per row. */
export function daysInMonth(year: number, month: number): number {
	if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
	return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

export function isCalendarDay(year: number, month: number, day: number): boolean {
	return (
		year >= 1 &&
		year <= 9999 &&
		month >= 1 &&
		month <= 12 &&
		day >= 1 &&
		day <= daysInMonth(year, month)
	);
}

const DIGIT_ZERO = 0x30;
const DASH = 0x2d;

/** The number written with `length` ASCII digits from `start`, or -1 if any of them is not a digit. */
export function digitsAt(text: string, start: number, length: number): number {
	let value = 0;
	for (let i = start; i < start + length; i++) {
		const digit = text.charCodeAt(i) - DIGIT_ZERO;
		if (digit < 0 || digit > 9) return -1;
		value = value * 10 + digit;
	}
	return value;
}

/** `YYYY-MM-DD` naming a day that exists. Runs for every row, so it reads character codes rather than running a regex. */
export function isIsoDay(value: string): boolean {
	return (
		value.length === 10 &&
		value.charCodeAt(4) === DASH &&
		value.charCodeAt(7) === DASH &&
		isCalendarDay(digitsAt(value, 0, 4), digitsAt(value, 5, 2), digitsAt(value, 8, 2))
	);
}
