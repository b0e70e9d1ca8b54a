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
	/** Optional, but nearly every source has it: a run where it is empty in every row gets a warning. */
	usuallyPresent?: boolean;
	/** Longest accepted text, in characters. */
	maxLength?: number;
	description: string;
	/**
	 * Other column names auto-mapping recognises for this field, as users write them, MOST SPECIFIC
	 * FIRST: when several columns match, the one whose name comes first here wins ("Units Sold" before
	 * "Sales", which is often revenue; "Item No." before "Item"). Compared after `normaliseColumnName`.
	 */
	aliases: readonly string[];
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
	aliases: ['WS Code', 'Workspace ID', 'Workspace', 'WS'],
};
const location: WireField = {
	id: 'location',
	displayName: 'Location',
	kind: 'text',
	required: true,
	maxLength: KEY_TEXT_MAX,
	description: 'Warehouse, store or site code',
	aliases: [
		'Location Code',
		'Location ID',
		'Warehouse Code',
		'Warehouse ID',
		'Store Code',
		'Store ID',
		'Site Code',
		'Site ID',
		'Branch Code',
		'Plant Code',
		'Warehouse',
		'Whse',
		'Store',
		'Site',
		'Branch',
		'Plant',
		'Depot',
		'Loc',
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
		'SKU',
		'SKU Code',
		'Item No.',
		'Item Number',
		'Item ID',
		'Product Code',
		'Product No.',
		'Product ID',
		'Article Code',
		'Article No.',
		'Article Number',
		'Part Number',
		'Part No.',
		'Material Code',
		'Material Number',
		'Item',
		'Article',
		'Material',
		'Product',
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
		aliases: [
			'Item Description',
			'Product Description',
			'Item Name',
			'Product Name',
			'Desc',
			'Name',
		],
	},
	{
		id: 'supplier',
		displayName: 'Supplier',
		kind: 'text',
		required: false,
		maxLength: FREE_TEXT_MAX,
		description: 'Supplier code or name',
		aliases: [
			'Supplier Code',
			'Supplier ID',
			'Supplier Name',
			'Vendor Code',
			'Vendor ID',
			'Vendor Name',
			'Vendor',
		],
	},
	{
		id: 'stock',
		displayName: 'Stock',
		kind: 'number',
		required: false,
		usuallyPresent: true,
		description: 'Units on hand',
		aliases: [
			'Stock On Hand',
			'Qty On Hand',
			'Quantity On Hand',
			'On Hand Qty',
			'On Hand',
			'In Stock',
			'Stock Level',
			'Current Stock',
			'Available',
			'Inventory',
			'Qty',
			'Quantity',
		],
	},
	{
		id: 'cost',
		displayName: 'Cost',
		kind: 'number',
		required: false,
		description: 'Unit cost',
		aliases: ['Unit Cost', 'Cost Price', 'Purchase Price', 'Item Cost'],
	},
	{
		id: 'price',
		displayName: 'Price',
		kind: 'number',
		required: false,
		description: 'Unit selling price',
		aliases: [
			'Unit Price',
			'Sales Price',
			'Selling Price',
			'Sale Price',
			'List Price',
			'Retail Price',
		],
	},
	{
		id: 'leadTime',
		displayName: 'Lead Time (Days)',
		kind: 'number',
		required: false,
		description: 'Supplier lead time in days',
		aliases: ['Lead Time in Days', 'Lead Days', 'Lead Time', 'LT'],
	},
	{
		id: 'minOrderQty',
		displayName: 'Minimum Order Quantity',
		kind: 'number',
		required: false,
		description: 'Minimum order quantity',
		aliases: [
			'Min Order Quantity',
			'Minimum Order Qty',
			'Min Order Qty',
			'MOQ',
			'Min Qty',
			'Min Order',
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
			'Sales Date',
			'Sale Date',
			'Demand Date',
			'Posting Date',
			'Transaction Date',
			'Invoice Date',
			'Order Date',
			'Ship Date',
			'Document Date',
			'Day',
		],
	},
	{
		id: 'quantity',
		displayName: 'Quantity',
		kind: 'number',
		required: true,
		description: 'Units demanded that day',
		aliases: [
			'Qty',
			'Units Sold',
			'Quantity Sold',
			'Qty Sold',
			'Sold Qty',
			'Sales Qty',
			'Sales Quantity',
			'Demand Qty',
			'Demand Quantity',
			'Units',
			'Demand',
			'Sales',
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
