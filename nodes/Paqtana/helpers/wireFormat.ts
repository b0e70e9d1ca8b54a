/**
 * The Paqtana wire format: the field catalogue (every field the node sends, its JSON type, its rules and
 * the column names auto-mapping recognises for it), the endpoints and the request limits. The vendor's API
 * reference is not public, so this module is the single place where our documented reading of it lives
 * (see README, "Wire format"); validation.ts and serializer.ts derive their rules from it.
 */
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
