/**
 * Production workflows the queue test activates: each starts with a Webhook (answering at once, so the
 * execution runs on a worker after the HTTP call returned), and ends in the "Send to Paqtana" node of
 * the matching example, unchanged apart from its credential and, for the large upload, a smaller
 * request size so that it takes several requests.
 */
import { randomUUID } from 'node:crypto';

import { paqtanaNode, type Example, type Workflow, type WorkflowNode } from '../e2e/examples';

export interface CredentialRef {
	id: string;
	name: string;
}

export interface Credentials {
	paqtana: CredentialRef;
	postgres: CredentialRef;
}

/** The example workflow with its credentials replaced by the ones created in this n8n. */
export function withCredentials(workflow: Workflow, credentials: Credentials): Workflow {
	const copy = JSON.parse(JSON.stringify(workflow)) as Workflow;
	for (const node of copy.nodes) {
		if (node.credentials?.paqtanaApi) node.credentials.paqtanaApi = { ...credentials.paqtana };
		if (node.credentials?.postgres) node.credentials.postgres = { ...credentials.postgres };
	}
	return copy;
}

function webhookNode(path: string): WorkflowNode & { webhookId: string } {
	return {
		id: randomUUID(),
		name: 'Webhook',
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		position: [0, 0],
		webhookId: randomUUID(),
		parameters: { httpMethod: 'POST', path, responseMode: 'onReceived', options: {} },
	};
}

function postgresNode(name: string, query: string, credential: CredentialRef): WorkflowNode {
	return {
		id: randomUUID(),
		name,
		type: 'n8n-nodes-base.postgres',
		typeVersion: 2.6,
		position: [220, 0],
		parameters: { operation: 'executeQuery', query, options: {} },
		credentials: { postgres: { ...credential } },
	};
}

function sendNode(
	example: Example,
	credentials: Credentials,
	options: Record<string, unknown> = {},
): WorkflowNode {
	const node = JSON.parse(JSON.stringify(paqtanaNode(example.workflow))) as WorkflowNode;
	node.id = randomUUID();
	node.position = [440, 0];
	node.credentials = { paqtanaApi: { ...credentials.paqtana } };
	node.parameters.options = { ...(node.parameters.options as object), ...options };
	return node;
}

function chain(name: string, nodes: WorkflowNode[]): Omit<Workflow, 'id'> {
	const connections: Record<string, unknown> = {};
	for (let i = 0; i + 1 < nodes.length; i++)
		connections[nodes[i].name] = { main: [[{ node: nodes[i + 1].name, type: 'main', index: 0 }]] };
	return { name, nodes, connections, settings: { executionOrder: 'v1' } };
}

/** The ERP's current stock with item data, under the CSV's column names (what the node maps). */
export const INVENTORY_QUERY = `SELECT
  s.workspace_code AS "Workspace", s.warehouse AS "Warehouse", s.sku AS "SKU",
  i.description AS "Description", i.supplier AS "Supplier", s.on_hand::float8 AS "On Hand",
  i.unit_cost::float8 AS "Unit Cost", i.unit_price::float8 AS "Unit Price",
  i.lead_time_days AS "Lead Time (days)", i.moq AS "MOQ"
FROM stock AS s JOIN items AS i USING (workspace_code, sku)
WHERE NOT s.discontinued
ORDER BY 1, 2, 3;`;

/** Webhook → the ERP's stock (Postgres) → master inventory replace. */
export function inventoryFromErp(
	name: string,
	path: string,
	example: Example,
	credentials: Credentials,
	options: Record<string, unknown> = {},
): Omit<Workflow, 'id'> {
	return chain(name, [
		webhookNode(path),
		postgresNode('Stock from the ERP', INVENTORY_QUERY, credentials.postgres),
		sendNode(example, credentials, options),
	]);
}

/** Webhook with `{ "rows": [...] }` (the CSV's rows) → one item per row → demand upsert. */
export function demandFromWebhook(
	name: string,
	path: string,
	example: Example,
	credentials: Credentials,
): Omit<Workflow, 'id'> {
	const split: WorkflowNode = {
		id: randomUUID(),
		name: 'One item per row',
		type: 'n8n-nodes-base.splitOut',
		typeVersion: 1,
		position: [220, 0],
		parameters: { fieldToSplitOut: 'body.rows', include: 'noOtherFields', options: {} },
	};
	return chain(name, [webhookNode(path), split, sendNode(example, credentials)]);
}

/** Webhook → every row of the ERP's `demand_history` → demand upsert in requests of ≤ maxBodyBytes. */
export function demandHistoryFromErp(
	name: string,
	path: string,
	example: Example,
	credentials: Credentials,
	maxBodyBytes: number,
): Omit<Workflow, 'id'> {
	return chain(name, [
		webhookNode(path),
		postgresNode(
			'Demand history from the ERP',
			'SELECT workspace_code AS "Workspace", warehouse AS "Warehouse", sku AS "SKU", day AS "Date", ' +
				'quantity::float8 AS "Quantity" FROM demand_history ORDER BY 1, 2, 3, 4;',
			credentials.postgres,
		),
		sendNode(example, credentials, {
			maxBodyBytes,
			calculateOrderSuggestions: true,
			// The worker is killed while a request hangs: no retry should start meanwhile.
			requestTimeoutSeconds: 600,
		}),
	]);
}
