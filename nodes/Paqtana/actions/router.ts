import {
	type IExecuteFunctions,
	type INodeExecutionData,
	NodeApiError,
	NodeOperationError,
} from 'n8n-workflow';

import * as historicalDemand from './historicalDemand/HistoricalDemand.resource';
import * as masterInventory from './masterInventory/MasterInventory.resource';
import { pairedTo } from './upload';

/** Both operations take every input item at once: one execution is one payload. */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const resource = this.getNodeParameter('resource', 0) as string;
	const operation = this.getNodeParameter('operation', 0) as string;
	try {
		if (resource === 'masterInventory' && operation === 'replace')
			return await masterInventory.replace.execute.call(this, items);
		if (resource === 'historicalDemand' && operation === 'upsert')
			return await historicalDemand.upsert.execute.call(this, items);
		throw new NodeOperationError(
			this.getNode(),
			`The operation "${operation}" is not supported for "${resource}"`,
		);
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
		throw error instanceof NodeApiError
			? error
			: new NodeOperationError(this.getNode(), error as Error);
	}
}
