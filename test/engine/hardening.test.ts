/**
 * Issue 10 (hardening), the points about what gets stored: per-item parameters (10.4), which
 * column auto-mapping picks (10.5), numbers and texts that are not plausible dates (10.6), JS Dates
 * at local midnight (10.7), partial totals under "Send Valid Rows" (10.8), pass-through values JSON
 * cannot carry (10.9) and an inventory without stock (10.15). Each test runs the node through n8n's
 * engine and asserts what the sandbox stored.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { useSandbox } from '../hooks';
import {
	demandParameters,
	demandRow,
	inventoryParameters,
	ORG,
	runPaqtana,
	runPaqtanaAfterSource,
} from '../support';

const sandbox = useSandbox();

const SEND_VALID_ROWS = { onInvalidRows: 'route' };

/** The "Invalid Rows" output as row index → message. */
function invalidMessages(outputs: INodeExecutionData[][]): Record<number, string> {
	return Object.fromEntries(
		(outputs[1] ?? []).map(({ json }) => [json.row as number, json.message as string]),
	);
}

describe('10.4 parameters given as expressions are read for each item', () => {
	it('a Workspace Code expression reading the item gives each row its own workspace', async () => {
		const result = await runPaqtana(sandbox, {
			parameters: demandParameters({}, { workspaceCode: '={{ $json.region }}' }),
			input: [
				{ ...demandRow('2026-11-27', 'A-1', 4), region: 'EU' },
				{ ...demandRow('2026-11-27', 'A-1', 6), region: 'US' },
			],
		});
		expect(result.error).toBeUndefined();
		expect(sandbox.demand(ORG)).toEqual([
			{ workspaceCode: 'EU', location: 'WH1', code: 'A-1', date: '2026-11-27', quantity: 4 },
			{ workspaceCode: 'US', location: 'WH1', code: 'A-1', date: '2026-11-27', quantity: 6 },
		]);
		// The column the expression reads is used, not listed as ignored.
		expect(result.outputs[0][0].json.ignoredColumns).toEqual([]);
	});

	it('a Workspace Code expression that does not read the item applies to every row', async () => {
		const result = await runPaqtana(sandbox, {
			parameters: demandParameters({}, { workspaceCode: '={{ "MA" + "IN" }}' }),
			input: [demandRow('2026-11-27', 'A-1', 4), demandRow('2026-11-27', 'B-2', 6)],
		});
		expect(result.error).toBeUndefined();
		expect(sandbox.demand(ORG).map((row) => row.workspaceCode)).toEqual(['MAIN', 'MAIN']);
	});

	it('an option with a different value per item stops the run, naming both values', async () => {
		const result = await runPaqtana(sandbox, {
			parameters: demandParameters({ duplicates: '={{ $json.policy }}' }),
			input: [
				{ ...demandRow('2026-11-27', 'A-1', 4), policy: 'sum' },
				{ ...demandRow('2026-11-27', 'A-1', 6), policy: 'keepLast' },
			],
		});
		expect(result.error?.message).toBe(
			'The option "duplicates" is "sum" for item 0 but "keepLast" for item 1',
		);
		// about the whole run, not one item: n8n's editor would add "[item 0]" to an item's error
		expect(result.error?.context?.itemIndex).toBeUndefined();
		expect(sandbox.requests()).toEqual([]);
		expect(sandbox.demand(ORG)).toEqual([]);
	});

	it('an option whose item-reading expression gives every item one value is used', async () => {
		const result = await runPaqtana(sandbox, {
			parameters: demandParameters({ decimalSeparator: '={{ $json.separator }}' }),
			input: [
				{ ...demandRow('2026-11-27', 'A-1', 0), Qty: '1,5', separator: ',' },
				{ ...demandRow('2026-11-27', 'B-2', 0), Qty: '2,25', separator: ',' },
			],
		});
		expect(result.error).toBeUndefined();
		expect(sandbox.demand(ORG).map((row) => row.quantity)).toEqual([1.5, 2.25]);
	});
});

describe('10.5 auto-mapping takes the most specific column, whatever the column order', () => {
	const salesColumns = { Warehouse: 'WH1', SKU: 'A-1', Date: '2026-11-27' };

	it.each([
		['Sales first', { ...salesColumns, Sales: 1999.5, 'Units Sold': 3 }],
		['Units Sold first', { ...salesColumns, 'Units Sold': 3, Sales: 1999.5 }],
	])('quantity comes from "Units Sold", not "Sales" (revenue) (%s)', async (_order, row) => {
		const result = await runPaqtana(sandbox, { parameters: demandParameters(), input: [row] });
		expect(result.error).toBeUndefined();
		expect(sandbox.demand(ORG).map((stored) => stored.quantity)).toEqual([3]);
		const success = result.outputs[0][0].json;
		expect(success.mapping).toBe(
			'Warehouse → location, SKU → code, Date → date, Units Sold → quantity',
		);
		expect(success.ignoredColumns).toEqual(['Sales']);
		expect(success.warnings).toEqual([
			'quantity was read from "Units Sold"; column "Sales" also matched and was ignored',
		]);
		expect(result.hints.map((hint) => hint.message)).toEqual([
			expect.stringMatching(/^1 input row → 1 row stored in 1 request/),
			'Mapping: Warehouse → location, SKU → code, Date → date, Units Sold → quantity. ' +
				'Columns not used: Sales',
			'quantity was read from "Units Sold"; column "Sales" also matched and was ignored',
		]);
	});

	it.each([
		['Product first', { Warehouse: 'WH1', Product: 'Blue mug', 'Product Code': 'MUG-1', Stock: 5 }],
		[
			'Product Code first',
			{ Warehouse: 'WH1', 'Product Code': 'MUG-1', Product: 'Blue mug', Stock: 5 },
		],
	])('the item code comes from "Product Code", not "Product" (%s)', async (_order, row) => {
		const result = await runPaqtana(sandbox, { parameters: inventoryParameters(), input: [row] });
		expect(result.error).toBeUndefined();
		expect(sandbox.inventory(ORG)).toEqual([
			{ workspaceCode: 'MAIN', location: 'WH1', code: 'MUG-1', stock: 5 },
		]);
		const success = result.outputs[0][0].json;
		expect(success.ignoredColumns).toEqual(['Product']);
		expect(success.warnings).toEqual([
			'code was read from "Product Code"; column "Product" also matched and was ignored',
		]);
		expect(result.hints.map((hint) => hint.message)).toContain(
			'code was read from "Product Code"; column "Product" also matched and was ignored',
		);
	});

	it.each([
		[
			'Item first',
			{ Warehouse: 'WH1', Item: 'Blue mug', 'Item No.': '10023', Day: '2026-11-27', Qty: 2 },
		],
		[
			'Item No. first',
			{ Warehouse: 'WH1', 'Item No.': '10023', Item: 'Blue mug', Day: '2026-11-27', Qty: 2 },
		],
	])('the item code comes from "Item No.", not "Item" (%s)', async (_order, row) => {
		const result = await runPaqtana(sandbox, { parameters: demandParameters(), input: [row] });
		expect(result.error).toBeUndefined();
		expect(sandbox.demand(ORG).map((stored) => stored.code)).toEqual(['10023']);
		const success = result.outputs[0][0].json;
		expect(success.mapping).toBe(
			'Warehouse → location, Item No. → code, Day → date, Qty → quantity',
		);
		expect(success.warnings).toEqual([
			'code was read from "Item No."; column "Item" also matched and was ignored',
		]);
	});
});

describe('10.6 numbers and texts that are not plausible dates are refused', () => {
	/** A valid row first, so the run stores something and refused rows come out of Invalid Rows. */
	const valid = demandRow('2026-11-27', 'OK', 1);

	it('"Day: 14" (Year/Month/Day export) and 14 as Date are invalid, not 1900-01-14', async () => {
		const result = await runPaqtana(sandbox, {
			parameters: demandParameters(SEND_VALID_ROWS),
			input: [
				valid,
				{ Warehouse: 'WH1', SKU: 'A-1', Year: 2026, Month: 11, Day: 14, Qty: 3 },
				demandRow(14 as unknown as string, 'B-2', 3),
			],
		});
		expect(result.error).toBeUndefined();
		expect(sandbox.demand(ORG).map((row) => row.code)).toEqual(['OK']);
		const reason =
			'date: 14 is not a date: as an Excel date serial it would be 1900-01-14, ' +
			'outside the accepted years 1970–2100';
		expect(invalidMessages(result.outputs)).toEqual({ 1: reason, 2: reason });
	});

	it.each([
		[
			'text dates outside the accepted years are invalid rows',
			{},
			'1899-12-31',
			'2206-01-01',
			'1970–2100',
		],
		[
			'Earliest Year and Latest Year narrow the accepted years',
			{ earliestYear: 2026, latestYear: 2026 },
			'2025-12-31',
			'2027-01-01',
			'2026–2026',
		],
	])('%s', async (_name, years, early, late, accepted) => {
		const result = await runPaqtana(sandbox, {
			parameters: demandParameters({ ...SEND_VALID_ROWS, ...years }),
			input: [valid, demandRow(early, 'A-1', 3), demandRow(late, 'B-2', 3)],
		});
		expect(result.error).toBeUndefined();
		expect(sandbox.demand(ORG).map((row) => row.code)).toEqual(['OK']);
		expect(invalidMessages(result.outputs)).toEqual({
			1: `date: "${early}" is ${early}, outside the accepted years ${accepted}`,
			2: `date: "${late}" is ${late}, outside the accepted years ${accepted}`,
		});
	});

	it('Earliest Year and Latest Year widen the accepted years', async () => {
		const result = await runPaqtana(sandbox, {
			parameters: demandParameters({ earliestYear: 1899, latestYear: 2206 }),
			input: [demandRow('1899-12-31', 'A-1', 3), demandRow('2206-01-01', 'B-2', 3)],
		});
		expect(result.error).toBeUndefined();
		expect(sandbox.demand(ORG).map((row) => row.date)).toEqual(['1899-12-31', '2206-01-01']);
	});

	it('a two-digit year is not pushed into the future: 05/01/99 (day first) is 1999', async () => {
		const result = await runPaqtana(sandbox, {
			parameters: demandParameters({ dateOrder: 'dayFirst' }),
			input: [demandRow('05/01/99', 'A-1', 3), demandRow('27/11/26', 'B-2', 3)],
		});
		expect(result.error).toBeUndefined();
		expect(sandbox.demand(ORG).map((row) => row.date)).toEqual(['1999-01-05', '2026-11-27']);
	});
});

describe('10.7 a JS Date keeps its calendar day in the instance time zone', () => {
	/** The instant `day` begins in `timeZone`: node-postgres's JS Date for a DATE there. */
	function localMidnight(day: string, timeZone: string): Date {
		const utcMidnight = new Date(`${day}T00:00:00Z`);
		const parts = Object.fromEntries(
			new Intl.DateTimeFormat('en-US', {
				timeZone,
				hourCycle: 'h23',
				year: 'numeric',
				month: '2-digit',
				day: '2-digit',
				hour: '2-digit',
				minute: '2-digit',
			})
				.formatToParts(utcMidnight)
				.map(({ type, value }) => [type, value]),
		);
		// The zone's clock at UTC midnight, read as if it were UTC, is ahead by the zone's offset.
		const wall = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute);
		return new Date(utcMidnight.getTime() - (wall - utcMidnight.getTime()));
	}

	const days = ['2026-01-15', '2026-06-15', '2026-11-27'];

	it.each([
		['Europe/Berlin', ['2026-01-14T23:00:00.000Z', '2026-06-14T22:00:00.000Z']],
		['America/New_York', ['2026-01-15T05:00:00.000Z', '2026-06-15T04:00:00.000Z']],
	])('in %s, local midnight of each day is stored as that day', async (timezone, instants) => {
		const dates = days.map((day) => localMidnight(day, timezone));
		// the construction itself: winter and summer time of the zone
		expect(dates.slice(0, 2).map((date) => date.toISOString())).toEqual(instants);
		const result = await runPaqtanaAfterSource(sandbox, {
			parameters: demandParameters(),
			timezone,
			sourceItems: () =>
				dates.map((date, index) => ({
					json: { Warehouse: 'WH1', SKU: `A-${index}`, Date: date as unknown as string, Qty: 1 },
				})),
		});
		expect(result.error).toBeUndefined();
		expect(sandbox.demand(ORG).map((row) => row.date)).toEqual(days);
	});

	it.each(['Europe/Berlin', 'America/New_York'])(
		'in %s, a Date at UTC midnight stays that UTC day',
		async (timezone) => {
			const result = await runPaqtanaAfterSource(sandbox, {
				parameters: demandParameters(),
				timezone,
				sourceItems: () =>
					days.map((day, index) => ({
						json: {
							Warehouse: 'WH1',
							SKU: `A-${index}`,
							Date: new Date(`${day}T00:00:00Z`) as unknown as string,
							Qty: 1,
						},
					})),
			});
			expect(result.error).toBeUndefined();
			expect(sandbox.demand(ORG).map((row) => row.date)).toEqual(days);
		},
	);
});

describe('10.8 a day is never overwritten with a partial total', () => {
	/** Key A (WH1 / A-1 on 2026-11-27): two valid lines, one whose quantity is not a number. */
	const lines = [
		/* 0 */ demandRow('2026-11-27', 'A-1', 2),
		/* 1 */ { ...demandRow('2026-11-27', 'A-1', 0), Qty: 'n/a' },
		/* 2 */ demandRow('2026-11-27', 'B-2', 5),
		/* 3 */ demandRow('2026-11-27', 'A-1', 3),
	];
	const keyA = 'workspaceCode "MAIN", location "WH1", code "A-1", date "2026-11-27"';

	it.each([
		['Sum Quantities', 'sum', 'so sending the rest would store a partial total'],
		['Keep Last', 'keepLast', 'so the last row for this key is not known'],
	])(
		'%s + Send Valid Rows: the whole key goes to Invalid Rows, other keys are stored',
		async (_policy, duplicates, consequence) => {
			const result = await runPaqtana(sandbox, {
				parameters: demandParameters({ ...SEND_VALID_ROWS, duplicates }),
				input: lines,
			});
			expect(result.error).toBeUndefined();
			expect(sandbox.demand(ORG)).toEqual([
				{ workspaceCode: 'MAIN', location: 'WH1', code: 'B-2', date: '2026-11-27', quantity: 5 },
			]);
			const withheld =
				`row: withheld: row 1 has the same key (${keyA}) and is invalid, ` + consequence;
			expect(invalidMessages(result.outputs)).toEqual({
				0: withheld,
				1: 'quantity: "n/a" is not a number (decimal separator ".")',
				3: withheld,
			});
			expect(result.outputs[0][0].json).toMatchObject({
				rows: 1,
				inputRows: 4,
				invalidRows: 3,
				duplicatesMerged: 0,
			});
			expect(result.hints[0].message).toMatch(
				/^4 input rows → 1 row \(3 invalid\) stored in 1 request/,
			);
		},
	);

	it('Stop: the error lists only the line that is itself invalid; nothing is sent', async () => {
		const result = await runPaqtana(sandbox, { parameters: demandParameters(), input: lines });
		expect(result.error?.message).toBe(
			'1 invalid row, nothing was sent. ' +
				'First: Row 1: quantity: "n/a" is not a number (decimal separator ".")',
		);
		expect(result.error?.description).not.toContain('withheld');
		expect(result.error?.description?.split('\n')[0]).toBe(
			'Row 1: quantity: "n/a" is not a number (decimal separator ".")',
		);
		expect(sandbox.requests()).toEqual([]);
	});
});

describe('10.9 Include Other Columns refuses values JSON cannot carry, row by row', () => {
	const circular: IDataObject = { name: 'loop' };
	circular.self = circular;
	const hostile: Array<[string, unknown, RegExp]> = [
		['a circular object', circular, /^Extra: cannot be sent as JSON: .*circular/i],
		[
			'an object whose toJSON throws',
			{
				toJSON() {
					throw new Error('boom from toJSON');
				},
			},
			/^Extra: cannot be sent as JSON: boom from toJSON$/,
		],
		['NaN', NaN, /^Extra: cannot be sent as JSON: NaN is not a JSON number$/],
		['Infinity', Infinity, /^Extra: cannot be sent as JSON: Infinity is not a JSON number$/],
		['a Buffer', Buffer.from('bytes'), /^Extra: cannot be sent as JSON: binary data/],
	];

	it('each such row is invalid, the reason naming the column; other rows are stored', async () => {
		const result = await runPaqtanaAfterSource(sandbox, {
			parameters: inventoryParameters({ ...SEND_VALID_ROWS, includeOtherColumns: true }),
			sourceItems: () => [
				{ json: { Warehouse: 'WH1', SKU: 'OK', Stock: 1, Extra: 'plain text' } },
				...hostile.map(([, value], index) => ({
					json: { Warehouse: 'WH1', SKU: `BAD-${index}`, Stock: 1, Extra: value as IDataObject },
				})),
			],
		});
		expect(result.error).toBeUndefined();
		expect(sandbox.inventory(ORG)).toEqual([
			{ workspaceCode: 'MAIN', location: 'WH1', code: 'OK', stock: 1, Extra: 'plain text' },
		]);
		const invalid = result.outputs[1].map(({ json }) => json);
		expect(invalid.map((row) => row.row)).toEqual([1, 2, 3, 4, 5]);
		invalid.forEach((row, index) => {
			expect({ value: hostile[index][0], fields: row.fields }).toEqual({
				value: hostile[index][0],
				fields: ['Extra'],
			});
			expect(row.message).toMatch(hostile[index][2]);
		});
	});

	it('a mapped column is never re-sent as extra when items name columns differently', async () => {
		const result = await runPaqtana(sandbox, {
			parameters: inventoryParameters({ includeOtherColumns: true }),
			input: [
				{ Warehouse: 'WH1', SKU: 'A-1', Stock: 1, Colour: 'red' },
				{ Site: 'WH2', 'Item Code': 'B-2', 'On Hand': 2, Colour: 'blue' },
				{ 'Item No.': 'C-3', Store: 'WH3', Qty: 3 },
			],
		});
		expect(result.error).toBeUndefined();
		expect(sandbox.inventory(ORG)).toEqual([
			{ workspaceCode: 'MAIN', location: 'WH1', code: 'A-1', stock: 1, Colour: 'red' },
			{ workspaceCode: 'MAIN', location: 'WH2', code: 'B-2', stock: 2, Colour: 'blue' },
			{ workspaceCode: 'MAIN', location: 'WH3', code: 'C-3', stock: 3 },
		]);
	});
});

describe('10.15 an inventory without a stock column is not replaced silently', () => {
	it('Success item and hint say Stock is empty in every row and list unused columns', async () => {
		const result = await runPaqtana(sandbox, {
			parameters: inventoryParameters(),
			input: [
				{ Warehouse: 'WH1', SKU: 'A-1', Menge: 4 },
				{ Warehouse: 'WH1', SKU: 'B-2', Menge: 7 },
			],
		});
		expect(result.error).toBeUndefined();
		expect(sandbox.inventory(ORG)).toEqual([
			{ workspaceCode: 'MAIN', location: 'WH1', code: 'A-1' },
			{ workspaceCode: 'MAIN', location: 'WH1', code: 'B-2' },
		]);
		const warning =
			'Stock (stock) is empty in every row: no input column is recognised as Stock ' +
			'(columns not used: Menge); map it under Fields if one of them holds it';
		expect(result.outputs[0][0].json.warnings).toEqual([warning]);
		expect(result.outputs[0][0].json.ignoredColumns).toEqual(['Menge']);
		expect(result.hints.map((hint) => hint.message)).toContain(warning);
	});
});
