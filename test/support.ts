/** Shared test setup: the real sandbox on 127.0.0.1 and the Paqtana node run through n8n's WorkflowExecute. */
import { randomUUID } from 'node:crypto';

import { NodeConnectionTypes } from 'n8n-workflow';
import type {
	IDataObject,
	INode,
	INodeExecutionData,
	INodeParameters,
	INodeType,
	WorkflowExecuteMode,
} from 'n8n-workflow';

import { PaqtanaApi } from '../credentials/PaqtanaApi.credentials';
import { Paqtana } from '../nodes/Paqtana/Paqtana.node';
import { startSandbox, type Sandbox, type SandboxOptions } from '../sandbox/server';
import { runNode, runWorkflowFrom, type RunNodeResult } from './harness';

export const ORG = 'ACME Foods';
export const PAQTANA_TYPE = 'n8n-nodes-paqtana.paqtana';
/** A distinctive token so tests can prove it never appears in any output, error or log. */
export const TOKEN = 'pqt_live_Zx81-SECRET-token-4f2a9c';

export async function startTestSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
	return startSandbox({ orgs: { [ORG]: TOKEN, OTHER: 'other-token' }, ...options });
}

export function credentialsFor(sandbox: Sandbox, overrides: IDataObject = {}): IDataObject {
	return { token: TOKEN, orgCode: ORG, baseUrl: sandbox.url, ...overrides };
}

export function items(rows: IDataObject[]): INodeExecutionData[] {
	return rows.map((json) => ({ json }));
}

/** Saved node parameters for one operation: map automatically, Workspace Code MAIN, no wait between retries. */
function parametersFor(resource: string, operation: string) {
	return (options: IDataObject = {}, extra: INodeParameters = {}): INodeParameters => ({
		resource,
		operation,
		workspaceCode: 'MAIN',
		columns: { mappingMode: 'autoMapInputData', value: null, matchingColumns: [], schema: [] },
		options: { retryDelayMs: 0, ...options },
		...extra,
	});
}

export const demandParameters = parametersFor('historicalDemand', 'upsert');
export const inventoryParameters = parametersFor('masterInventory', 'replace');

export interface RunOptions {
	parameters: INodeParameters;
	input: IDataObject[] | INodeExecutionData[];
	continueOnFail?: boolean;
	staticData?: IDataObject;
	credentials?: IDataObject;
	/** Cancels the execution when this promise resolves (n8n's Stop button). */
	cancelWhen?: Promise<unknown>;
	mode?: WorkflowExecuteMode;
	/** The workflow's time zone setting (the node's `this.getTimezone()`); default 'UTC'. */
	timezone?: string;
}

export async function runPaqtana(sandbox: Sandbox, options: RunOptions): Promise<RunNodeResult> {
	const input = options.input as Array<IDataObject | INodeExecutionData>;
	const asItems = input.map((entry) =>
		'json' in entry && typeof entry.json === 'object'
			? (entry as INodeExecutionData)
			: { json: entry as IDataObject },
	);
	return runNode({
		nodeType: new Paqtana(),
		credentialTypes: [new PaqtanaApi()],
		credentials: { paqtanaApi: options.credentials ?? credentialsFor(sandbox) },
		parameters: options.parameters,
		items: asItems,
		continueOnFail: options.continueOnFail,
		staticData: options.staticData,
		cancelWhen: options.cancelWhen,
		mode: options.mode,
		timezone: options.timezone,
	});
}

/** A node as a saved workflow holds it. */
export function workflowNode(name: string, type: string, parameters: INodeParameters): INode {
	return { id: randomUUID(), name, type, typeVersion: 1, position: [0, 0], parameters };
}

/** A Paqtana node (of `type`, e.g. its tool form) that uses the one Paqtana credential the runs are given. */
export function paqtanaNode(name: string, parameters: INodeParameters, type = PAQTANA_TYPE): INode {
	return {
		...workflowNode(name, type, parameters),
		credentials: { paqtanaApi: { id: 'paqtanaApi-1', name: 'paqtanaApi' } },
	};
}

const SOURCE_TYPE = 'test.source';

/**
 * Runs the node on items handed over by an upstream node in the same execution, as n8n hands them
 * over: the very objects, not a JSON copy. For values JSON cannot carry (JS Dates, NaN, Buffers,
 * circular objects), which `runPaqtana`'s input would lose on its way into the run.
 */
export async function runPaqtanaAfterSource(
	sandbox: Sandbox,
	options: Omit<RunOptions, 'input'> & { sourceItems: () => INodeExecutionData[] },
): Promise<RunNodeResult> {
	const source: INodeType = {
		description: {
			displayName: 'Source',
			name: SOURCE_TYPE,
			group: ['input'],
			version: 1,
			description: 'Outputs the items a test built',
			defaults: { name: 'Source' },
			inputs: [NodeConnectionTypes.Main],
			outputs: [NodeConnectionTypes.Main],
			properties: [],
		},
		execute: async () => [options.sourceItems()],
	};
	const paqtana = new Paqtana();
	return await runWorkflowFrom({
		workflow: {
			nodes: [workflowNode('Source', SOURCE_TYPE, {}), paqtanaNode('Paqtana', options.parameters)],
			connections: {
				Source: { main: [[{ node: 'Paqtana', type: NodeConnectionTypes.Main, index: 0 }]] },
			},
			settings: { timezone: options.timezone ?? 'UTC' },
		},
		startNodeName: 'Source',
		destinationNodeName: 'Paqtana',
		items: [{ json: {} }],
		nodeTypes: { [SOURCE_TYPE]: source, [PAQTANA_TYPE]: paqtana },
		credentialTypes: [new PaqtanaApi()],
		credentials: { paqtanaApi: options.credentials ?? credentialsFor(sandbox) },
		staticData: options.staticData,
	});
}

/** Every string the node produced or logged, for secret checks. */
export function everything(result: RunNodeResult): string {
	return JSON.stringify({
		outputs: result.outputs,
		error: result.error,
		hints: result.hints,
		logs: result.logs,
		runData: result.runData,
	});
}

export function demandRow(
	day: string,
	code: string,
	quantity: number,
	location = 'WH1',
): IDataObject {
	return { Warehouse: location, SKU: code, Date: day, Qty: quantity };
}
