/**
 * Hostile input, generated with fast-check: wrong types, huge strings, prototype-pollution keys, deeply
 * nested values, NaN/Infinity and odd unicode, mixed with valid rows. The node must never throw, must
 * report every bad row by index and field, and must send the valid rows unchanged.
 *
 * The expected result comes from an oracle written here from the documented rules (README, "Wire
 * format": strings are trimmed, empty required strings are errors, numbers are finite JSON numbers, dates
 * are real calendar days), not from the node's code.
 */
import fc from 'fast-check';
import type { IDataObject } from 'n8n-workflow';

import { buildBatches } from '../../nodes/Paqtana/helpers/batching';
import {
	describeKey,
	prepareRows,
	type PrepareOptions,
	type WireRow,
} from '../../nodes/Paqtana/helpers/prepareRows';
import { compileRowSerializer } from '../../nodes/Paqtana/helpers/serializer';
import { compileRowCheck, rowSchema } from '../../nodes/Paqtana/helpers/validation';
import {
	DEMAND_FIELDS,
	INVENTORY_FIELDS,
	type WireField,
} from '../../nodes/Paqtana/helpers/wireFormat';
import { rowsOf, serializeRow, splitRow } from '../rows';
import type { Sandbox } from '../../sandbox/server';
import { demandParameters, ORG, runPaqtana, startTestSandbox } from '../support';

// ---------------------------------------------------------------- generators

/** Characters that break naive code: NUL, controls, zero-width, bidi overrides, BOM, line separators, lone surrogates, emoji, combining marks, JSON specials. */
const oddChar = fc.oneof(
	{ weight: 6, arbitrary: fc.constantFrom('a', 'Z', '7', '-', ' ', ':', '#') },
	{
		weight: 4,
		arbitrary: fc.constantFrom(
			'\u0000',
			'\u0001',
			'\u001f',
			'\u007f',
			'\u200b',
			'\u200d',
			'\u202e',
			'\u2066',
			'\ufeff',
			'\u00a0',
			'\u2028',
			'\u2029',
			'\t',
			'\n',
			'\r',
		),
	},
	{
		weight: 3,
		arbitrary: fc.constantFrom(
			'😀',
			'👩‍👩‍👧',
			'é',
			'e\u0301',
			'ß',
			'İ',
			'ﷺ',
			'中',
			'ع',
			'"',
			'\\',
			'/',
			'<',
			'%2F',
			'\u{10FFFF}',
		),
	},
	{
		weight: 2,
		arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((unit) => String.fromCharCode(unit)),
	},
	{
		weight: 2,
		arbitrary: fc.integer({ min: 0, max: 0x10ffff }).map((point) => String.fromCodePoint(point)),
	},
);
const oddString = (maxLength = 24) => fc.string({ unit: oddChar, maxLength });
const hugeString = fc
	.tuple(oddString(8), fc.integer({ min: 256, max: 6000 }))
	.map(([seed, length]) =>
		(seed + 'x').repeat(Math.ceil(length / (seed.length + 1))).slice(0, length),
	);

/** Nested objects and arrays, up to `depth` levels, some with own __proto__ / constructor keys. */
function nested(depth: number): unknown {
	let value: unknown = { leaf: true };
	for (let level = 0; level < depth; level++)
		value =
			level % 2 === 0 ? [value] : JSON.parse(`{"__proto__": ${JSON.stringify(value)}, "k": 1}`);
	return value;
}
const wrongType = fc.oneof(
	fc.constant(true),
	fc.constant(false),
	fc.constant({}),
	fc.constant([]),
	fc.constant([1, 2]),
	fc.constant({ value: 1 }),
	fc.constant(JSON.parse('{"__proto__": {"polluted": "yes"}}')),
	fc.constant(JSON.parse('{"constructor": {"prototype": {"polluted": "yes"}}}')),
	fc.integer({ min: 1, max: 400 }).map(nested),
);
const nonFinite = fc.constantFrom(NaN, Infinity, -Infinity);

type Raw = unknown;
/** A generated cell: its raw value (`ABSENT` = no such column) and whether the field is valid with it, and as what. */
const ABSENT = Symbol('absent');

/** fc.assert, with a failure report that shortens the huge generated strings so it stays readable. */
async function check<T>(
	property: fc.IProperty<T> | fc.IAsyncProperty<T>,
	numRuns: number,
): Promise<void> {
	const details = await fc.check(property as fc.IAsyncProperty<T>, { numRuns });
	if (!details.failed) return;
	const shorten = (text: string) =>
		text
			.replace(/(.)\1{30,}/gsu, (run, char: string) => `${char.repeat(5)}…(${run.length}×)`)
			.replace(/path: "[^"]{200,}"/g, 'path: "…"')
			.slice(0, 6000);
	throw new Error(
		shorten(fc.defaultReportMessage(details) ?? 'property failed') +
			'\n' +
			shorten(String((details.errorInstance as Error)?.message ?? '')),
	);
}

// ---------------------------------------------------------------- the oracle (from the documented rules)

type Verdict = { ok: true; value: string | number } | { ok: false } | { blank: true };

function textVerdict(raw: Raw): Verdict {
	if (raw === ABSENT || raw === undefined || raw === null) return { blank: true };
	if (typeof raw === 'string') {
		const trimmed = raw.trim();
		if (trimmed === '') return { blank: true };
		return trimmed.length <= 255 ? { ok: true, value: trimmed } : { ok: false };
	}
	if (typeof raw === 'number')
		return Number.isFinite(raw) ? { ok: true, value: String(raw) } : { ok: false };
	return { ok: false };
}

/** Dates: the generator only makes values whose day is known (table below) or that cannot be a date. */
const KNOWN_DATES = new Map<unknown, string>();
/** `YYYY-MM-DD` of a day that exists, checked against the JS calendar (not the node's own date code). */
function isRealDay(text: string): boolean {
	if (!/^\d{4}-\d{2}-\d{2}$/.test(text) || text < '0001-01-01') return false;
	const date = new Date(`${text}T00:00:00Z`);
	return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text;
}

/** The node's default accepted years (README, "Dates"): days outside them are invalid rows. */
const inAcceptedYears = (day: string) => day >= '1970-01-01' && day <= '2100-12-31';

function dateVerdict(raw: Raw): Verdict {
	if (raw === ABSENT || raw === undefined || raw === null) return { blank: true };
	if (typeof raw === 'string' && raw.trim() === '') return { blank: true };
	let day: string | undefined;
	if (raw instanceof Date) day = raw.toISOString().slice(0, 10);
	else if (KNOWN_DATES.has(raw)) day = KNOWN_DATES.get(raw)!;
	else if (typeof raw === 'string' && isRealDay(raw)) day = raw;
	return day !== undefined && inAcceptedYears(day) ? { ok: true, value: day } : { ok: false };
}

const KNOWN_NUMBERS = new Map<unknown, number>();
function quantityVerdict(raw: Raw): Verdict {
	if (raw === ABSENT || raw === undefined || raw === null) return { blank: true };
	if (typeof raw === 'number')
		return Number.isFinite(raw) ? { ok: true, value: raw } : { ok: false };
	if (KNOWN_NUMBERS.has(raw)) return { ok: true, value: KNOWN_NUMBERS.get(raw)! };
	if (typeof raw === 'string' && raw.trim() === '') return { blank: true };
	return { ok: false };
}

/** Excel's 1900 date system, independently: day 0 is 1899-12-30 for serials after the fake 1900-02-29. */
const excelDay = (serial: number) =>
	new Date(Date.UTC(1899, 11, 30) + serial * 86_400_000).toISOString().slice(0, 10);

for (const [raw, day] of [
	['2026-03-04', '2026-03-04'],
	['  2024-02-29 ', '2024-02-29'],
	['2026-03-04T23:30:00-05:00', '2026-03-04'],
	['2026-03-04 10:00', '2026-03-04'],
	['2026/03/04', '2026-03-04'],
	['2026-3-4', '2026-03-04'],
	['20260304', '2026-03-04'],
	[20260304, '2026-03-04'],
	[45000, excelDay(45000)],
	['45000', excelDay(45000)],
	[45000.75, excelDay(45000)],
	['0001-01-01', '0001-01-01'],
	['9999-12-31', '9999-12-31'],
] as const)
	KNOWN_DATES.set(raw, day);

for (const [raw, value] of [
	['12.5', 12.5],
	[' 7 ', 7],
	['1,234.5', 1234.5],
	['-0.25', -0.25],
	['1e3', 1000],
	['+3', 3],
	['.5', 0.5],
	['5.', 5],
	["1'000", 1000],
	['1\u00a0000', 1000],
	['0', 0],
] as const)
	KNOWN_NUMBERS.set(raw, value);

const validDate = fc.oneof(
	fc.constantFrom(...KNOWN_DATES.keys()),
	fc
		.date({
			min: new Date('1900-03-01T00:00:00Z'),
			max: new Date('9999-12-31T00:00:00Z'),
			noInvalidDate: true,
		})
		.map((date) => date.toISOString().slice(0, 10)),
	fc.date({
		min: new Date('1970-01-01T00:00:00Z'),
		max: new Date('2100-01-01T00:00:00Z'),
		noInvalidDate: true,
	}),
);
const invalidDate = fc.oneof(
	fc.constantFrom(
		'2026-02-30',
		'2026-13-01',
		'2026-00-10',
		'2025-02-29',
		'31/12/2026',
		'yesterday',
		'NaN',
		60,
		0,
		-5,
		3_000_000,
		'2026-03-04\u0000',
		'\u00002026-03-04',
	),
	fc.constantFrom(
		'1'.repeat(60_000) + 'x',
		'2026-1-1' + ' '.repeat(20_000) + 'x',
		'2026-01-01'.repeat(500),
	),
	oddString().map((text) => 'x' + text),
	hugeString.map((text) => 'x' + text),
	wrongType,
	nonFinite,
);
const validQuantity = fc.oneof(
	fc.double({ noNaN: true, noDefaultInfinity: true }),
	fc.integer({ min: -1_000_000, max: 1_000_000 }),
	fc.constantFrom(...KNOWN_NUMBERS.keys()),
);
const invalidQuantity = fc.oneof(
	fc.constantFrom(
		'NaN',
		'Infinity',
		'-Infinity',
		'1e400',
		'9'.repeat(400),
		'1,5',
		'0x10',
		'--1',
		'1.2.3',
		'one',
	),
	fc.constantFrom('1'.repeat(60_000) + 'x', '1,'.repeat(10_000) + 'x', ' '.repeat(50_000) + 'x'),
	oddString().map((text) => 'q' + text),
	hugeString.map((text) => 'q' + text),
	wrongType,
	nonFinite,
);
/** Key text: odd unicode (valid or, when blank, invalid), numbers, a small pool that makes duplicates and NUL-separated look-alikes, or bad values. */
const keyText = fc.oneof(
	{ weight: 5, arbitrary: oddString() },
	{
		weight: 3,
		arbitrary: fc.constantFrom('A', 'B', 'A\u0000B', 'B\u0000C', 'C', '1:A', '2:1:', ' A ', 'a'),
	},
	{ weight: 1, arbitrary: fc.integer({ min: -5, max: 99_999 }) },
	{ weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
	{ weight: 1, arbitrary: hugeString },
	{ weight: 1, arbitrary: fc.string({ unit: oddChar, minLength: 250, maxLength: 262 }) },
	{ weight: 1, arbitrary: wrongType },
	{ weight: 1, arbitrary: nonFinite },
	{ weight: 1, arbitrary: fc.constantFrom('', '   ', '\u00a0\u2028', null, ABSENT) },
);
const cell = (valid: fc.Arbitrary<unknown>, invalid: fc.Arbitrary<unknown>) =>
	fc.oneof(
		{ weight: 8, arbitrary: valid },
		{ weight: 2, arbitrary: invalid },
		{ weight: 1, arbitrary: fc.constantFrom(ABSENT, null, '', '  ') },
	);

/** Extra columns that map to no field, hostile names included. */
const extraColumns = fc.dictionary(
	fc.constantFrom(
		'__proto__',
		'constructor',
		'prototype',
		'toString',
		'hasOwnProperty',
		'valueOf',
		'',
		' ',
		'\u0000',
		'😀',
		'x'.repeat(300),
		'note',
		'comment',
	),
	fc.oneof(wrongType, oddString(), nonFinite, fc.constant(null)),
	{ maxKeys: 3 },
);

interface GeneratedRow {
	workspace: Raw;
	location: Raw;
	code: Raw;
	date: Raw;
	quantity: Raw;
	extra: Record<string, unknown>;
}

const rowArb: fc.Arbitrary<GeneratedRow> = fc.record({
	workspace: fc.oneof(
		{ weight: 4, arbitrary: fc.constant(ABSENT) },
		{ weight: 1, arbitrary: keyText },
	),
	location: keyText,
	code: keyText,
	date: cell(validDate, invalidDate),
	quantity: cell(validQuantity, invalidQuantity),
	extra: extraColumns,
});

/** A row's raw values, shortened, for failure messages. */
function show(row: GeneratedRow): string {
	return JSON.stringify(row, (_key, value: unknown) =>
		value === ABSENT
			? '<absent>'
			: typeof value === 'number' && !Number.isFinite(value)
				? String(value)
				: typeof value === 'string' && value.length > 60
					? `${JSON.stringify(value.slice(0, 30))}…(${value.length} chars)`
					: value,
	);
}

/** Rows whose reported bad fields differ from the oracle's, described for the failure message. */
function fieldMismatches(
	reported: Array<{ row: number; fields: string[] }>,
	expected: Map<number, string[]>,
	rows: GeneratedRow[],
): string[] {
	const problems: string[] = [];
	const reportedByRow = new Map(reported.map((r) => [r.row, [...r.fields].sort()]));
	for (const index of new Set([...reportedByRow.keys(), ...expected.keys()])) {
		const got = reportedByRow.get(index) ?? [];
		const want = [...(expected.get(index) ?? [])].sort();
		if (JSON.stringify(got) !== JSON.stringify(want))
			problems.push(`row ${index}: reported [${got}] expected [${want}] for ${show(rows[index])}`);
	}
	return problems;
}

/** The input item exactly as an upstream node would hand it over (own keys only, __proto__ as an own key). */
function toItem(row: GeneratedRow): IDataObject {
	const json: IDataObject = {};
	const put = (key: string, value: unknown) => {
		if (value !== ABSENT)
			Object.defineProperty(json, key, {
				value,
				enumerable: true,
				writable: true,
				configurable: true,
			});
	};
	put('Workspace', row.workspace);
	put('Warehouse', row.location);
	put('SKU', row.code);
	put('Date', row.date);
	put('Qty', row.quantity);
	for (const [key, value] of Object.entries(row.extra)) put(key, value);
	return json;
}

/**
 * What must come out: valid wire rows (keep-last duplicate policy) and, per invalid row, its bad fields.
 * `sendValidRows`: with "Send Valid Rows", a key that also has an invalid row (whose key fields are all
 * valid) is withheld whole, its rows reported as invalid under `row` (README, Troubleshooting).
 */
function oracle(rows: GeneratedRow[], sendValidRows = false) {
	const itemsByKey = new Map<string, number[]>();
	const wireByKey = new Map<string, WireRow>();
	const invalid = new Map<number, string[]>();
	const tainted = new Set<string>();
	rows.forEach((row, index) => {
		const workspace = textVerdict(row.workspace);
		const verdicts: Array<[string, Verdict]> = [
			['workspaceCode', 'blank' in workspace ? { ok: true, value: 'MAIN' } : workspace],
			['location', textVerdict(row.location)],
			['code', textVerdict(row.code)],
			['date', dateVerdict(row.date)],
			['quantity', quantityVerdict(row.quantity)],
		];
		const ok = (verdict: Verdict) => 'ok' in verdict && verdict.ok;
		const value = (verdict: Verdict) => (verdict as { value: unknown }).value;
		const key = JSON.stringify(verdicts.slice(0, 4).map(([, verdict]) => value(verdict)));
		const bad = verdicts.filter(([, verdict]) => !ok(verdict)).map(([field]) => field);
		if (bad.length > 0) {
			invalid.set(index, bad);
			if (verdicts.slice(0, 4).every(([, verdict]) => ok(verdict))) tainted.add(key);
			return;
		}
		const wire: WireRow = {};
		for (const [field, verdict] of verdicts) wire[field] = value(verdict);
		const items = itemsByKey.get(key);
		if (items === undefined) {
			itemsByKey.set(key, [index]);
		} else items.push(index);
		wireByKey.set(key, wire);
	});
	const valid: WireRow[] = [];
	const validItems: number[] = [];
	for (const [key, items] of itemsByKey) {
		if (sendValidRows && tainted.has(key)) {
			for (const item of items) invalid.set(item, ['row']);
			continue;
		}
		valid.push(wireByKey.get(key)!);
		validItems.push(items[0]);
	}
	const sortedInvalid = new Map([...invalid].sort(([a], [b]) => a - b));
	return { valid, validItems, invalid: sortedInvalid };
}

const OPTIONS: PrepareOptions = {
	resource: 'historicalDemand',
	defaultWorkspaceCode: 'MAIN',
	duplicates: 'keepLast',
	dateOrder: 'yearFirst',
	decimalSeparator: '.',
	includeOtherColumns: false,
};

const prototypeKeys = () => [
	Object.getOwnPropertyNames(Object.prototype).sort(),
	Object.getOwnPropertyNames(Array.prototype).sort(),
];
const untouchedPrototypes = prototypeKeys();
function expectNoPollution(): void {
	expect(prototypeKeys()).toEqual(untouchedPrototypes);
	expect(({} as Record<string, unknown>).polluted).toBeUndefined();
	expect(([] as unknown as Record<string, unknown>).polluted).toBeUndefined();
}

// ---------------------------------------------------------------- properties on the pure preparation

describe('hostile rows through prepareRows', () => {
	it('never throws; every bad row is reported by index and field; valid rows come out exactly; nothing is polluted', async () => {
		const serialize = compileRowSerializer(DEMAND_FIELDS);
		let rowsHere = 0;
		await check(
			fc.property(fc.array(rowArb, { minLength: 100, maxLength: 140 }), (rows) => {
				rowsHere += rows.length;
				const items = rows.map((row) => ({ json: toItem(row) }));
				const expected = oracle(rows);

				const prepared = prepareRows(items, 'auto', OPTIONS);

				expect(prepared.duplicate).toBeUndefined();
				// Valid rows: exactly the oracle's, in order, from the right items.
				const preparedRows = rowsOf(prepared);
				expect(preparedRows).toEqual(expected.valid);
				expect(prepared.rowItems).toEqual(expected.validItems);
				// Invalid rows: each by its index, with exactly the bad fields, each with a reason and a short value.
				expect(
					fieldMismatches(
						prepared.invalid.map((r) => ({ row: r.row, fields: r.errors.map((e) => e.field) })),
						expected.invalid,
						rows,
					),
				).toEqual([]);
				expect(prepared.invalid.map((row) => row.row)).toEqual([...expected.invalid.keys()]);
				for (const row of prepared.invalid) {
					for (const error of row.errors) {
						expect(typeof error.reason).toBe('string');
						expect(error.reason.length).toBeGreaterThan(3);
						// The reported value is shortened: long text to 200 characters (+ an ellipsis), objects to a placeholder.
						if (typeof error.value === 'string')
							expect(error.value.length).toBeLessThanOrEqual(201);
						else expect(JSON.stringify(error.value ?? null).length).toBeLessThan(100);
					}
				}
				// What is sent is what JSON.stringify would send, and reads back to the same rows.
				for (const row of preparedRows)
					expect(serializeRow(serialize, DEMAND_FIELDS, row)).toBe(JSON.stringify(row));
				const batches = buildBatches(
					prepared,
					serialize,
					(row) => describeKey(row, ['workspaceCode', 'location', 'code', 'date']),
					4096,
				);
				if (!Array.isArray(batches))
					throw new Error(`a valid row did not fit in 4096 bytes: ${JSON.stringify(batches)}`);
				for (const batch of batches)
					expect(Buffer.byteLength(batch.body)).toBeLessThanOrEqual(4096);
				expect(batches.flatMap((batch) => JSON.parse(batch.body))).toEqual(
					JSON.parse(JSON.stringify(expected.valid)),
				);
				expectNoPollution();
			}),
			100,
		);
		// 100 runs of 100–140 rows: at least 10,000 hostile rows in this property alone.
		expect(rowsHere).toBeGreaterThanOrEqual(10_000);
	});

	it('duplicate keys (NUL and separator look-alikes included) are summed by key, never across keys', async () => {
		const pool = fc.constantFrom(
			'A',
			'B',
			'A\u0000B',
			'B\u0000C',
			'C',
			'\u0000',
			'1:A',
			'1:',
			':',
			'A:1',
			'2:A:',
		);
		await check(
			fc.property(
				fc.array(
					fc.record({
						location: pool,
						code: pool,
						day: fc.integer({ min: 1, max: 3 }),
						quantity: fc.integer({ min: -1000, max: 1000 }),
					}),
					{ minLength: 1, maxLength: 120 },
				),
				(rows) => {
					const items = rows.map((row) => ({
						json: {
							Warehouse: row.location,
							SKU: row.code,
							Date: `2026-01-0${row.day}`,
							Qty: row.quantity,
						},
					}));
					const prepared = prepareRows(items, 'auto', { ...OPTIONS, duplicates: 'sum' });
					const sums = new Map<string, number>();
					for (const row of rows) {
						const key = JSON.stringify(['MAIN', row.location, row.code, `2026-01-0${row.day}`]);
						sums.set(key, (sums.get(key) ?? 0) + row.quantity);
					}
					expect(prepared.invalid).toEqual([]);
					expect(
						new Map(
							rowsOf(prepared).map((row) => [
								JSON.stringify([row.workspaceCode, row.location, row.code, row.date]),
								row.quantity,
							]),
						),
					).toEqual(sums);
					expect(prepared.table.length).toBe(sums.size);
				},
			),
			200,
		);
	});

	it('a NUL inside a key cannot merge two different rows', () => {
		const prepared = prepareRows(
			[
				{ json: { Warehouse: 'A\u0000B', SKU: 'C', Date: '2026-01-01', Qty: 1 } },
				{ json: { Warehouse: 'A', SKU: 'B\u0000C', Date: '2026-01-01', Qty: 2 } },
			],
			'auto',
			{ ...OPTIONS, duplicates: 'sum' },
		);
		expect(rowsOf(prepared).map((row) => row.quantity)).toEqual([1, 2]);
		expect(prepared.duplicatesMerged).toBe(0);
	});

	it('master inventory pass-through columns never copy __proto__, constructor or prototype, and keep the rest unchanged', async () => {
		const serialize = compileRowSerializer(INVENTORY_FIELDS);
		await check(
			fc.property(
				fc.array(
					fc.tuple(
						fc.integer({ min: 0, max: 1_000_000 }),
						extraColumns,
						fc.dictionary(
							oddString(12).map((k) => `x_${k}`),
							fc.oneof(
								oddString(),
								fc.double({ noNaN: true, noDefaultInfinity: true }),
								fc.boolean(),
								fc.constant(null),
							),
							{ maxKeys: 3 },
						),
					),
					{ minLength: 1, maxLength: 60 },
				),
				(specs) => {
					const items = specs.map(([n, hostile, plain]) => {
						const json: IDataObject = { Warehouse: 'WH1', SKU: `S${n}-${Math.random()}` };
						for (const [key, value] of [...Object.entries(hostile), ...Object.entries(plain)])
							Object.defineProperty(json, key, {
								value,
								enumerable: true,
								writable: true,
								configurable: true,
							});
						return { json };
					});
					const prepared = prepareRows(items, 'auto', {
						...OPTIONS,
						resource: 'masterInventory',
						duplicates: 'error',
						includeOtherColumns: true,
					});
					// JSON has no NaN or Infinity: such a pass-through value makes its row invalid, by column.
					const unsafe = ['__proto__', 'constructor', 'prototype'];
					const expectedInvalid = items.flatMap(({ json }, row) => {
						const fields = Object.keys(json).filter(
							(key) =>
								!unsafe.includes(key) &&
								typeof json[key] === 'number' &&
								!Number.isFinite(json[key]),
						);
						return fields.length > 0 ? [{ row, fields }] : [];
					});
					expect(
						prepared.invalid.map(({ row, errors }) => ({
							row,
							fields: errors.map((error) => error.field),
						})),
					).toEqual(expectedInvalid);
					for (const { errors } of prepared.invalid)
						for (const error of errors) expect(error.reason).toMatch(/is not a JSON number/);
					rowsOf(prepared).forEach((row, index) => {
						const source = items[prepared.rowItems[index]].json;
						for (const unsafe of ['__proto__', 'constructor', 'prototype'])
							expect(Object.hasOwn(row, unsafe)).toBe(false);
						expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
						for (const key of Object.keys(source)) {
							if (['Warehouse', 'SKU', '__proto__', 'constructor', 'prototype'].includes(key))
								continue;
							if (source[key] === undefined) continue;
							// Pass-through values are kept as the JSON they are sent as, which has no -0.
							expect(row[key]).toEqual(JSON.parse(JSON.stringify(source[key])));
						}
						expect(serializeRow(serialize, INVENTORY_FIELDS, row)).toBe(JSON.stringify(row));
					});
					expectNoPollution();
				},
			),
			60,
		);
	});
});

// ---------------------------------------------------------------- the fast validity check and serializer agree with zod / JSON

describe('the compiled row check and serializer', () => {
	const junk = fc.oneof(
		oddString(),
		fc.constantFrom(
			'',
			' ',
			'2026-02-29',
			'0000-01-01',
			'2026-1-01',
			'2026-01-01T00:00',
			'x'.repeat(256),
			'x'.repeat(4001),
		),
		fc.string({ minLength: 256, maxLength: 300 }),
		fc.constantFrom(NaN, Infinity, -Infinity),
		fc.constantFrom(
			null,
			undefined,
			true,
			false,
			{},
			[],
			[1],
			{ a: 1 },
			JSON.parse('{"__proto__": {"x": 1}}'),
		),
	);
	/** Each field gets a value that is valid for it most of the time, so whole rows are often valid too. */
	const valueFor = (field: WireField): fc.Arbitrary<unknown> => {
		const valid =
			field.kind === 'number'
				? fc.oneof(
						fc.double({ noNaN: true, noDefaultInfinity: true }),
						fc.constantFrom(-0, 0, 1e21, 5e-324),
					)
				: field.kind === 'date'
					? fc.oneof(
							fc
								.date({
									min: new Date('0001-01-01T00:00:00Z'),
									max: new Date('9999-12-31T00:00:00Z'),
									noInvalidDate: true,
								})
								.map((d) => d.toISOString().slice(0, 10)),
							fc.constantFrom('2024-02-29', '2000-02-29'),
						)
					: fc.oneof(
							oddString().filter((t) => t.length > 0),
							fc.constantFrom(
								'x'.repeat(field.maxLength ?? 1),
								'x'.repeat(Math.max(1, (field.maxLength ?? 2) - 1)),
							),
							fc.double().map(String),
						);
		return fc.oneof({ weight: 7, arbitrary: valid }, { weight: 3, arbitrary: junk });
	};
	const rowOf = (fields: readonly WireField[]) =>
		fc
			.tuple(
				fc.record(Object.fromEntries(fields.map((field) => [field.id, valueFor(field)])), {
					requiredKeys: fields
						.filter((f) => f.required)
						.map((f) => f.id)
						.filter((_, i) => i % 2 === 0),
				}),
				fc.dictionary(
					fc.constantFrom('extra', 'toString', '__proto__', 'constructor', '😀'),
					fc.oneof(junk, fc.double()),
					{ maxKeys: 2 },
				),
			)
			.map(([known, extra]) => {
				const row: Record<string, unknown> = { ...known };
				for (const [key, value] of Object.entries(extra))
					Object.defineProperty(row, key, {
						value,
						enumerable: true,
						writable: true,
						configurable: true,
					});
				return row;
			});

	it.each([
		['historical demand', DEMAND_FIELDS],
		['master inventory', INVENTORY_FIELDS],
	])(
		'%s: compileRowCheck(fields)(row) === rowSchema(fields).safeParse(row).success',
		(_name, fields) => {
			const isValid = compileRowCheck(fields);
			const schema = rowSchema(fields);
			let valid = 0;
			let invalid = 0;
			fc.assert(
				fc.property(rowOf(fields), (row) => {
					const ok = schema.safeParse(row).success;
					if (ok) valid++;
					else invalid++;
					expect(isValid(splitRow(fields, row).values, 0)).toBe(ok);
				}),
				{ numRuns: 3000 },
			);
			// The generator reaches both answers often, so agreement is not vacuous.
			expect(valid).toBeGreaterThan(100);
			expect(invalid).toBeGreaterThan(100);
		},
	);

	it('compileRowSerializer === JSON.stringify for valid rows, odd unicode included', () => {
		const serialize = compileRowSerializer(DEMAND_FIELDS);
		const text = fc
			.string({ unit: oddChar, minLength: 1, maxLength: 40 })
			.filter((s) => s.length <= 255);
		fc.assert(
			fc.property(
				text,
				text,
				text,
				fc.date({
					min: new Date('0001-01-01T00:00:00Z'),
					max: new Date('9999-12-31T00:00:00Z'),
					noInvalidDate: true,
				}),
				fc.double({ noNaN: true, noDefaultInfinity: true }),
				(workspaceCode, location, code, date, quantity) => {
					const row = {
						workspaceCode,
						location,
						code,
						date: date.toISOString().slice(0, 10),
						quantity,
					};
					expect(serializeRow(serialize, DEMAND_FIELDS, row)).toBe(JSON.stringify(row));
					expect(JSON.parse(serializeRow(serialize, DEMAND_FIELDS, row))).toEqual(
						JSON.parse(JSON.stringify(row)),
					);
				},
			),
			{ numRuns: 3000 },
		);
	});
});

// ---------------------------------------------------------------- a few runs through n8n's engine into the sandbox

describe('hostile rows through the engine, invalid ones routed', () => {
	let sandbox: Sandbox;
	beforeAll(async () => {
		sandbox = await startTestSandbox();
	});
	afterAll(async () => sandbox.close());

	const byKey = (a: Record<string, unknown>, b: Record<string, unknown>) => {
		const ka = JSON.stringify([a.workspaceCode, a.location, a.code, a.date]);
		const kb = JSON.stringify([b.workspaceCode, b.location, b.code, b.date]);
		return ka < kb ? -1 : ka > kb ? 1 : 0;
	};

	it('stores exactly the valid rows and outputs every invalid one with its index and fields', async () => {
		// Engine items are JSON (n8n copies them), so NaN/Infinity arrive as null and Dates as ISO strings:
		// the oracle judges the rows as the node receives them.
		const jsonSafeRow = rowArb.map((row) => {
			const fields = ['workspace', 'location', 'code', 'date', 'quantity'] as const;
			const copy = { ...row } as GeneratedRow;
			for (const field of fields) {
				const value = row[field];
				if (value === ABSENT) continue;
				const roundTripped = JSON.parse(JSON.stringify([value ?? null]))[0];
				// Dates become their ISO string, whose day is known.
				if (value instanceof Date) KNOWN_DATES.set(roundTripped, value.toISOString().slice(0, 10));
				// Keep nesting modest: n8n itself serialises items.
				copy[field] =
					typeof value === 'object' && value !== null && JSON.stringify(value).length > 5000
						? { deep: true }
						: roundTripped;
			}
			return copy;
		});
		await check(
			fc.asyncProperty(fc.array(jsonSafeRow, { minLength: 20, maxLength: 80 }), async (rows) => {
				sandbox.reset();
				const input = rows.map(toItem);
				const expected = oracle(rows, true);
				const result = await runPaqtana(sandbox, {
					parameters: demandParameters({
						onInvalidRows: 'route',
						duplicates: 'keepLast',
						maxBodyBytes: 8192,
					}),
					input,
				});

				if (expected.valid.length === 0) {
					// No valid row at all: an error, never a green run that sent nothing.
					expect(result.error?.message).toBe(
						`None of the ${rows.length} input rows is valid; nothing was sent`,
					);
					expect(sandbox.requests()).toEqual([]);
					return;
				}
				expect(result.error).toBeUndefined();
				const [sent, invalid] = result.outputs;
				expect(
					fieldMismatches(
						invalid.map((item) => ({
							row: item.json.row as number,
							fields: item.json.fields as string[],
						})),
						expected.invalid,
						rows,
					),
				).toEqual([]);
				expect(invalid.map((item) => item.json.row)).toEqual([...expected.invalid.keys()]);
				for (const item of invalid) {
					const row = item.json.row as number;
					expect(item.pairedItem).toEqual({ item: row });
					expect(typeof item.json.message).toBe('string');
				}
				const stored = sandbox.demand(ORG);
				expect([...stored].sort(byKey)).toEqual(
					JSON.parse(JSON.stringify(expected.valid)).sort(byKey),
				);
				expect(sent.reduce((sum, item) => sum + (item.json.rows as number), 0)).toBe(
					expected.valid.length,
				);
				expectNoPollution();
			}),
			8,
		);
	});
});
