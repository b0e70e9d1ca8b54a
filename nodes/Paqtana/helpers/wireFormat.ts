/**
 * The Paqtana wire format: every field the node sends, its JSON type and its rules, and the zod schemas
 * that decide whether a row may be sent. The vendor's API reference is not public, so this module is the
 * single place where our documented reading of it lives (see README, "Wire format").
 */
import { z } from 'zod';

export type ResourceName = 'masterInventory' | 'historicalDemand';
export type FieldKind = 'text' | 'number' | 'date';

export interface WireField {
	/** JSON property name on the wire. */
	id: string;
	displayName: string;
	kind: FieldKind;
	/** Required on the wire. `workspaceCode` is required too, but the node-level Workspace Code may supply it. */
	required: boolean;
	/** Longest accepted text, in characters. */
	maxLength?: number;
	description: string;
	/** Column names that auto-mapping accepts for this field, compared after `normaliseColumnName`. */
	aliases: string[];
}

const KEY_TEXT_MAX = 255;
const FREE_TEXT_MAX = 4000;

const workspaceCode: WireField = {
	id: 'workspaceCode',
	displayName: 'Workspace Code',
	kind: 'text',
	required: true,
	maxLength: KEY_TEXT_MAX,
	description: 'Code column of Admin Console → Manage Workspaces',
	aliases: ['workspace', 'workspaceid', 'ws', 'wscode'],
};
const location: WireField = {
	id: 'location',
	displayName: 'Location',
	kind: 'text',
	required: true,
	maxLength: KEY_TEXT_MAX,
	description: 'Warehouse, store or site code',
	aliases: [
		'locationcode',
		'locationid',
		'loc',
		'warehouse',
		'warehousecode',
		'warehouseid',
		'whse',
		'store',
		'storecode',
		'storeid',
		'site',
		'sitecode',
		'siteid',
		'branch',
		'branchcode',
		'plant',
		'depot',
	],
};
const code: WireField = {
	id: 'code',
	displayName: 'Item Code',
	kind: 'text',
	required: true,
	maxLength: KEY_TEXT_MAX,
	description: 'Item code (SKU); with Location it identifies an item',
	aliases: [
		'sku',
		'skucode',
		'item',
		'itemcode',
		'itemid',
		'itemno',
		'itemnumber',
		'product',
		'productcode',
		'productid',
		'productno',
		'article',
		'articlecode',
		'articlenumber',
		'articleno',
		'partnumber',
		'partno',
		'material',
		'materialcode',
		'materialnumber',
	],
};

export const INVENTORY_FIELDS: readonly WireField[] = [
	workspaceCode,
	location,
	code,
	{
		id: 'description',
		displayName: 'Description',
		kind: 'text',
		required: false,
		maxLength: FREE_TEXT_MAX,
		description: 'Item description',
		aliases: ['desc', 'itemdescription', 'productdescription', 'itemname', 'productname', 'name'],
	},
	{
		id: 'supplier',
		displayName: 'Supplier',
		kind: 'text',
		required: false,
		maxLength: FREE_TEXT_MAX,
		description: 'Supplier code or name',
		aliases: [
			'vendor',
			'suppliercode',
			'suppliername',
			'vendorcode',
			'vendorname',
			'supplierid',
			'vendorid',
		],
	},
	{
		id: 'stock',
		displayName: 'Stock',
		kind: 'number',
		required: false,
		description: 'Units on hand',
		aliases: [
			'onhand',
			'stockonhand',
			'qtyonhand',
			'quantityonhand',
			'onhandqty',
			'instock',
			'stocklevel',
			'currentstock',
			'inventory',
			'available',
		],
	},
	{
		id: 'cost',
		displayName: 'Cost',
		kind: 'number',
		required: false,
		description: 'Unit cost',
		aliases: ['unitcost', 'costprice', 'purchaseprice', 'itemcost'],
	},
	{
		id: 'price',
		displayName: 'Price',
		kind: 'number',
		required: false,
		description: 'Unit selling price',
		aliases: ['unitprice', 'salesprice', 'sellingprice', 'saleprice', 'listprice', 'retailprice'],
	},
	{
		id: 'leadTime',
		displayName: 'Lead Time (Days)',
		kind: 'number',
		required: false,
		description: 'Supplier lead time in days',
		aliases: ['leadtimedays', 'leadtimeindays', 'leaddays', 'lt'],
	},
	{
		id: 'minOrderQty',
		displayName: 'Minimum Order Quantity',
		kind: 'number',
		required: false,
		description: 'Minimum order quantity',
		aliases: [
			'moq',
			'minorderquantity',
			'minimumorderquantity',
			'minimumorderqty',
			'minqty',
			'minorder',
		],
	},
];

export const DEMAND_FIELDS: readonly WireField[] = [
	workspaceCode,
	location,
	code,
	{
		id: 'date',
		displayName: 'Date',
		kind: 'date',
		required: true,
		description: 'The calendar day of the demand',
		aliases: [
			'day',
			'salesdate',
			'saledate',
			'demanddate',
			'orderdate',
			'transactiondate',
			'postingdate',
			'invoicedate',
			'shipdate',
			'documentdate',
		],
	},
	{
		id: 'quantity',
		displayName: 'Quantity',
		kind: 'number',
		required: true,
		description: 'Units demanded that day',
		aliases: [
			'qty',
			'units',
			'sales',
			'demand',
			'unitssold',
			'salesqty',
			'salesquantity',
			'qtysold',
			'quantitysold',
			'demandqty',
			'demandquantity',
			'soldqty',
		],
	},
];

export const FIELDS: Record<ResourceName, readonly WireField[]> = {
	masterInventory: INVENTORY_FIELDS,
	historicalDemand: DEMAND_FIELDS,
};

/** Fields that identify a row: two rows with the same values are duplicates. */
export const KEY_FIELDS: Record<ResourceName, readonly string[]> = {
	masterInventory: ['workspaceCode', 'location', 'code'],
	historicalDemand: ['workspaceCode', 'location', 'code', 'date'],
};

export const ENDPOINTS: Record<ResourceName, { method: 'PUT' | 'POST'; path: string }> = {
	masterInventory: { method: 'PUT', path: 'master_inventory' },
	historicalDemand: { method: 'POST', path: 'historical_demand' },
};

/** The vendor's "32MB" read safely as decimal megabytes of UTF-8 JSON body. */
export const DEFAULT_MAX_BODY_BYTES = 32_000_000;

/** The smallest request size a user may choose: below it, batching would mean a request every few rows. */
export const MIN_BODY_BYTES = 1024;

/** Query parameter that starts the order-suggestion calculation, spelled as in the vendor's guide. */
export const AUTO_CALCULATE_QUERY = { auto_calculate: 'True' } as const;

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

function fieldSchema(field: WireField): z.ZodTypeAny {
	let schema: z.ZodTypeAny;
	if (field.kind === 'number') {
		schema = z
			.number({ message: 'must be a number' })
			.finite({ message: 'must be a finite number' });
	} else {
		let text = z.string({ message: 'must be text' }).min(1, { message: 'must not be empty' });
		if (field.maxLength !== undefined) {
			text = text.max(field.maxLength, {
				message: `must be at most ${field.maxLength} characters`,
			});
		}
		schema =
			field.kind === 'date'
				? text.refine(isIsoDay, { message: 'must be a calendar day (YYYY-MM-DD) that exists' })
				: text;
	}
	return field.required ? schema : schema.optional();
}

/**
 * The zod schema of one wire row. It is the authority on validity: a row is sent only if it passes.
 * Other mapped properties (master inventory's pass-through columns) are allowed and sent unchanged.
 */
export function rowSchema(fields: readonly WireField[]) {
	const shape: Record<string, z.ZodTypeAny> = {};
	for (const field of fields) shape[field.id] = fieldSchema(field);
	return z.object(shape).catchall(z.unknown());
}

/**
 * The same rules as `rowSchema`, as a plain predicate over a row's values in field order (from `offset`), for the common
 * valid case (zod runs only for rows that fail it, to explain why). A unit test proves both agree on
 * generated rows. It runs for every row, so it is one loop over plain arrays rather than a closure per field.
 */
export function compileRowCheck(
	fields: readonly WireField[],
): (values: ArrayLike<unknown>, offset: number) => boolean {
	const kinds = fields.map((field) => field.kind);
	const required = fields.map((field) => field.required);
	const maxLengths = fields.map((field) => field.maxLength ?? Infinity);
	return (values, offset) => {
		for (let i = 0; i < kinds.length; i++) {
			const value = values[offset + i];
			if (value === undefined) {
				if (required[i]) return false;
				continue;
			}
			const kind = kinds[i];
			if (kind === 'number') {
				if (typeof value !== 'number' || !Number.isFinite(value)) return false;
			} else if (
				typeof value !== 'string' ||
				(kind === 'date' ? !isIsoDay(value) : value.length === 0 || value.length > maxLengths[i])
			) {
				return false;
			}
		}
		return true;
	};
}

/** Whether `text` can go between JSON quotes as it is: no quote, backslash, control character or surrogate (those need `JSON.stringify`'s escaping). */
function isPlainJsonText(text: string): boolean {
	for (let i = 0; i < text.length; i++) {
		const code = text.charCodeAt(i);
		if (code < 0x20 || code === 0x22 || code === 0x5c || (code >= 0xd800 && code <= 0xdfff))
			return false;
	}
	return true;
}

export type RowSerializer = (
	values: ArrayLike<unknown>,
	offset: number,
	extra: Record<string, unknown> | undefined,
) => string;

/**
 * Serialises a valid row, given as its values in field order from `offset` (plus pass-through columns), to
 * the exact JSON `JSON.stringify` writes for the same row as an object, without building that object or
 * walking it generically: the fields with a value in wire order, then the pass-through columns.
 */
export function compileRowSerializer(fields: readonly WireField[]): RowSerializer {
	// Each property's opening, for the first property written and for the others; for text that needs no
	// escaping (nearly all), with the opening quote included, so writing a value makes no quoted copy of it.
	const firsts = fields.map((field) => `{${JSON.stringify(field.id)}:`);
	const nexts = fields.map((field) => `,${JSON.stringify(field.id)}:`);
	const firstsQuoted = firsts.map((opening) => opening + '"');
	const nextsQuoted = nexts.map((opening) => opening + '"');
	const isNumber = fields.map((field) => field.kind === 'number');
	// A valid date is `YYYY-MM-DD`: never anything to escape.
	const isDate = fields.map((field) => field.kind === 'date');
	// Rows usually arrive sorted, so a row's leading fields tend to repeat the previous row's (same workspace,
	// location and item, another day): the text written up to each field is kept, and reused while the values
	// are the same, which saves most of the quoting and string building on large inputs.
	// A kept text is a chain of concatenations; the first time it is reused it is flattened, so joining the
	// rows that share it copies it rather than walking the chain again for each of them.
	const previousValues: unknown[] = fields.map(() => undefined);
	const previousTexts: string[] = fields.map(() => '');
	const flattened: boolean[] = fields.map(() => false);
	return (values, offset, extra) => {
		let json = '';
		let samePrefix = true;
		for (let i = 0; i < firsts.length; i++) {
			const value = values[offset + i];
			if (samePrefix && value === previousValues[i]) {
				json = previousTexts[i];
				if (!flattened[i]) {
					json.charCodeAt(0); // V8 flattens a concatenated string in place when it reads a character
					flattened[i] = true;
				}
				continue;
			}
			samePrefix = false;
			// Fields without a value are left out, as JSON leaves out undefined.
			if (value !== undefined) {
				if (isNumber[i]) json = (json === '' ? firsts[i] : json + nexts[i]) + String(value);
				else if (isDate[i] || isPlainJsonText(value as string))
					json = (json === '' ? firstsQuoted[i] : json + nextsQuoted[i]) + (value as string) + '"';
				else json = (json === '' ? firsts[i] : json + nexts[i]) + JSON.stringify(value);
			}
			previousValues[i] = value;
			previousTexts[i] = json;
			flattened[i] = false;
		}
		if (extra !== undefined) {
			for (const key in extra) {
				if (!Object.hasOwn(extra, key)) continue;
				const text = JSON.stringify(extra[key]);
				if (text === undefined) continue;
				json += (json === '' ? '{' : ',') + JSON.stringify(key) + ':' + text;
			}
		}
		return json === '' ? '{}' : json + '}';
	};
}
