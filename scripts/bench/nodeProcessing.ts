/**
 * The node's own processing, called exactly as the operations call it (`prepareUpload`: map, normalise,
 * validate, deduplicate, serialise, batch), without n8n's engine: a minimal execution context answers the
 * few parameter reads it makes.
 */
import type {
	IExecuteFunctions,
	INode,
	INodeExecutionData,
	INodeParameters,
	NodeParameterValueType,
} from 'n8n-workflow';

import { type PreparedUpload, prepareUpload } from '../../nodes/Paqtana/actions/prepare';
import { readOptions, readUploadSettings } from '../../nodes/Paqtana/actions/settings';
import type { ResourceName } from '../../nodes/Paqtana/helpers/wireFormat';

/** The node's parameters as a freshly added node saves them: auto-mapping and default options. */
export function defaultParameters(resource: ResourceName): INodeParameters {
	return {
		resource,
		operation: resource === 'historicalDemand' ? 'upsert' : 'replace',
		workspaceCode: 'MAIN',
		columns: { mappingMode: 'autoMapInputData', value: null, matchingColumns: [], schema: [] },
		options: {},
	};
}

/** Only the methods `prepareUpload` and its setting readers call; anything else would throw. */
function executionContext(parameters: INodeParameters): IExecuteFunctions {
	const node: INode = {
		id: 'bench',
		name: 'Paqtana',
		type: 'n8n-nodes-paqtana.paqtana',
		typeVersion: 1,
		position: [0, 0],
		parameters,
	};
	const context: Pick<IExecuteFunctions, 'getNode' | 'getNodeParameter' | 'getTimezone'> = {
		getNode: () => node,
		getTimezone: () => 'UTC',
		getNodeParameter: ((name: string, _itemIndex: number, fallback?: unknown) =>
			(parameters[name] as NodeParameterValueType | undefined) ??
			fallback) as IExecuteFunctions['getNodeParameter'],
	};
	return context as IExecuteFunctions;
}

export function processLikeTheNode(
	items: INodeExecutionData[],
	resource: ResourceName,
): PreparedUpload {
	const context = executionContext(defaultParameters(resource));
	const options = readOptions.call(context, items.length);
	const settings = readUploadSettings.call(context, resource, options);
	// The operations' defaults: demand sums duplicate lines, inventory refuses them.
	return prepareUpload.call(
		context,
		items,
		settings,
		options,
		resource === 'historicalDemand' ? 'sum' : 'error',
	);
}
