import fc from 'fast-check';

import {
	isRetryableErrorCode,
	isRetryableStatus,
	MAX_RETRY_WAIT_MS,
	mayHaveBeenApplied,
	parseRetryAfter,
	retryDelayMs,
} from '../../nodes/Paqtana/helpers/retryPolicy';

describe('which failures are retried', () => {
	it('retries exactly 408, 429, 502, 503 and 504 among HTTP statuses', () => {
		const retried = [];
		for (let status = 100; status < 600; status++)
			if (isRetryableStatus(status)) retried.push(status);
		expect(retried).toEqual([408, 429, 502, 503, 504]);
	});

	it.each(['ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'UND_ERR_SOCKET'])(
		'retries %s',
		(code) => {
			expect(isRetryableErrorCode(code)).toBe(true);
		},
	);

	it.each([
		undefined,
		'ENOTFOUND',
		'ERR_INVALID_URL',
		'CERT_HAS_EXPIRED',
		'ERR_CANCELED',
		'network error',
	])('does not retry %s', (code) => {
		expect(isRetryableErrorCode(code)).toBe(false);
	});
});

describe('whether a failed attempt may have been applied anyway', () => {
	it('a lost connection after sending, or a gateway answer, may have been applied', () => {
		for (const errorCode of ['ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'network error'])
			expect(mayHaveBeenApplied({ errorCode })).toBe(true);
		for (const statusCode of [502, 504]) expect(mayHaveBeenApplied({ statusCode })).toBe(true);
	});

	it('a refused connection or a definite refusal was not applied', () => {
		for (const errorCode of ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'CERT_HAS_EXPIRED'])
			expect(mayHaveBeenApplied({ errorCode })).toBe(false);
		for (const statusCode of [200, 400, 401, 403, 404, 413, 429, 500, 503])
			expect(mayHaveBeenApplied({ statusCode })).toBe(false);
	});
});

describe('Retry-After', () => {
	const now = Date.parse('2026-03-01T12:00:00Z');

	it('reads delay-seconds', () => {
		expect(parseRetryAfter('0', now)).toBe(0);
		expect(parseRetryAfter('7', now)).toBe(7000);
		expect(parseRetryAfter(' 120 ', now)).toBe(120_000);
		expect(parseRetryAfter('1.5', now)).toBe(1500);
	});

	it('reads an HTTP date (IMF-fixdate) relative to now, and a past date as no wait', () => {
		expect(parseRetryAfter('Sun, 01 Mar 2026 12:00:30 GMT', now)).toBe(30_000);
		expect(parseRetryAfter(new Date(now + 90_000).toUTCString(), now)).toBe(90_000);
		expect(parseRetryAfter('Sun, 01 Mar 2026 11:59:00 GMT', now)).toBe(0);
	});

	it('ignores absent, empty and unreadable values', () => {
		for (const header of [undefined, '', '   ', 'soon', 'NaN', 'in five minutes'])
			expect(parseRetryAfter(header, now)).toBeUndefined();
	});

	it('is never negative for any integer-seconds value and equals seconds × 1000', () => {
		fc.assert(
			fc.property(
				fc.integer({ min: 0, max: 10_000_000 }),
				(seconds) => parseRetryAfter(String(seconds), now) === seconds * 1000,
			),
		);
	});

	it('maps any HTTP date to the whole-second distance from now (never negative)', () => {
		fc.assert(
			fc.property(fc.integer({ min: -1_000_000, max: 1_000_000 }), (seconds) => {
				const header = new Date(now + seconds * 1000).toUTCString();
				return parseRetryAfter(header, now) === Math.max(0, seconds * 1000);
			}),
		);
	});
});

describe('backoff with jitter', () => {
	it('waits between half and all of base × 2^retry', () => {
		fc.assert(
			fc.property(
				fc.integer({ min: 0, max: 12 }),
				fc.integer({ min: 0, max: 10_000 }),
				fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
				(retry, base, random) => {
					const ceiling = Math.min(base * 2 ** retry, MAX_RETRY_WAIT_MS);
					const delay = retryDelayMs(retry, base, undefined, () => random);
					return delay >= Math.floor(ceiling / 2) && delay <= ceiling;
				},
			),
		);
	});

	it('uses the whole jitter range: the extremes of random() give half and all of the ceiling', () => {
		expect(retryDelayMs(3, 1000, undefined, () => 0)).toBe(4000);
		expect(retryDelayMs(3, 1000, undefined, () => 0.999999)).toBe(8000);
		expect(retryDelayMs(0, 1000, undefined, () => 0.5)).toBe(750);
	});

	it('grows exponentially: the smallest wait of retry n+1 is the largest of retry n', () => {
		for (let retry = 0; retry < 8; retry++) {
			expect(retryDelayMs(retry + 1, 100, undefined, () => 0)).toBe(
				retryDelayMs(retry, 100, undefined, () => 0.9999999),
			);
		}
	});

	it('spreads real Math.random jitter over the range (not a constant)', () => {
		const delays = Array.from({ length: 200 }, () => retryDelayMs(4, 1000, undefined));
		expect(Math.min(...delays)).toBeGreaterThanOrEqual(8000);
		expect(Math.max(...delays)).toBeLessThanOrEqual(16000);
		expect(new Set(delays).size).toBeGreaterThan(50);
	});

	it('is capped, even for many retries and a huge Retry-After', () => {
		expect(retryDelayMs(40, 1000, undefined, () => 0.9999)).toBeLessThanOrEqual(MAX_RETRY_WAIT_MS);
		expect(retryDelayMs(0, 1000, 86_400_000)).toBe(MAX_RETRY_WAIT_MS);
	});

	it('lets Retry-After win over backoff, including 0 (retry at once)', () => {
		expect(retryDelayMs(5, 1000, 2500, () => 0)).toBe(2500);
		expect(retryDelayMs(5, 1000, 0, () => 0.9)).toBe(0);
	});

	it('waits nothing when the initial delay is 0 (used by the tests)', () => {
		for (let retry = 0; retry < 10; retry++) expect(retryDelayMs(retry, 0, undefined)).toBe(0);
	});
});
