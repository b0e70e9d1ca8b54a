import {
	type IExecuteFunctions,
	type INodeExecutionData,
	NodeApiError,
	NodeOperationError,
} from 'n8n-workflow';

import { keepLineBreaksInEditor } from '../helpers/editorText';
import type { ResourceName } from '../helpers/wireFormat';
import * as historicalDemand from './historicalDemand/HistoricalDemand.resource';
import * as masterInventory from './masterInventory/MasterInventory.resource';
import { pairedTo } from './output';

type Operation = (
	this: IExecuteFunctions,
	items: INodeExecutionData[],
) => Promise<INodeExecutionData[][]>;

/** Every resource and its operations, by their saved parameter values. */
const OPERATIONS: Record<ResourceName, Record<string, Operation>> = {
	masterInventory: { replace: masterInventory.replace.execute },
	historicalDemand: { upsert: historicalDemand.upsert.execute },
};

/** The operation a saved resource/operation pair names; undefined for a pair this node does not have. */
export function findOperation(resource: string, operation: string): Operation | undefined {
	if (!Object.hasOwn(OPERATIONS, resource)) return undefined;
	const operations = OPERATIONS[resource as ResourceName];
	return Object.hasOwn(operations, operation) ? operations[operation] : undefined;
}

/** Both operations take every input item at once: one execution is one payload. */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const resource = this.getNodeParameter('resource', 0) as string;
	const operation = this.getNodeParameter('operation', 0) as string;
	try {
		const execute = findOperation(resource, operation);
		if (execute === undefined) {
			const known = Object.entries(OPERATIONS)
				.flatMap(([name, operations]) => Object.keys(operations).map((op) => `${name}/${op}`))
				.join(', ');
			throw new NodeOperationError(
				this.getNode(),
				`The Paqtana node has no operation "${operation}" for the resource "${resource}"`,
				{ description: `Supported: ${known}. Pick the resource and operation again in the node.` },
			);
		}
		return await execute.call(this, items);
	} catch (error) {
		if (this.continueOnFail()) {
			// Errors before any request (validation, wipe guard, credential) concern the whole payload.
			const { message, description } = error as { message: string; description?: string | null };
			return [
				[
					{
						json: { error: message, description: description ?? null },
						pairedItem: pairedTo(items.map((_, index) => index)),
					},
				],
				[],
			];
		}
		// NodeOperationError passes an existing NodeOperationError through unchanged.
		const thrown =
			error instanceof NodeApiError
				? error
				: new NodeOperationError(this.getNode(), error as Error);
		keepLineBreaksInEditor(thrown);
		throw thrown;
	}
}
