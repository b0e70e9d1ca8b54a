/* eslint-disable n8n-nodes-base/node-class-description-missing-subtitle */
/**
 * The node as an AI agent's tool, through n8n-core's own tool paths:
 * - an agent asking for its tools with getInputConnectionData(ai_tool): n8n-core wraps the node with
 *   createNodeAsTool and runs execute() in a SupplyDataContext (isToolExecution() is true in n8n 2.x);
 * - an agent handing a tool call back to the engine (an EngineRequest, as n8n 2.x's AI Agent v3 does):
 *   WorkflowExecute runs the tool node as a plain node marked `rewireOutputLogTo: ai_tool`, where
 *   isToolExecution() is false.
 * The tool node type is built from ours the way n8n's NodeTypes does for `…Tool` types.
 */
import {
	deepCopy,
	NodeConnectionTypes,
	type EngineRequest,
	type EngineResponse,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeParameters,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { PaqtanaApi } from '../../credentials/PaqtanaApi.credentials';
import { Paqtana } from '../../nodes/Paqtana/Paqtana.node';
import { runWorkflowFrom } from '../harness';
import { useSandbox } from '../hooks';
import {
	credentialsFor,
	demandParameters,
	inventoryParameters,
	ORG,
	paqtanaNode,
	runPaqtana,
	workflowNode,
} from '../support';

const sandbox = useSandbox();

const TOOL_TYPE = 'n8n-nodes-paqtana.paqtanaTool';
const AGENT_TYPE = 'test.agent';
const TOOL_NAME = 'Paqtana Tool';

/** Like n8n's NodeTypes.getByNameAndVersion for a `…Tool` type: the same node, its description converted. */
function asAiTool(nodeType: INodeType): INodeType {
	const description: INodeTypeDescription = {
		...deepCopy(nodeType.description),
		name: `${nodeType.description.name}Tool`,
		displayName: `${nodeType.description.displayName} Tool`,
		inputs: [],
		outputs: [NodeConnectionTypes.AiTool],
	};
	delete description.usableAsTool;
	return Object.create(nodeType, { description: { value: description } }) as INodeType;
}

interface LangchainTool {
	name: string;
	description: string;
	invoke(args: IDataObject): Promise<unknown>;
}

const agentDescription: INodeTypeDescription = {
	displayName: 'Test Agent',
	name: 'agent',
	group: ['transform'],
	version: 1,
	description: 'Calls its tools',
	defaults: { name: 'Agent' },
	inputs: [NodeConnectionTypes.Main, NodeConnectionTypes.AiTool],
	outputs: [NodeConnectionTypes.Main],
	properties: [],
};

/** An agent that calls every connected tool once with `toolArgs`, through n8n-core's tool wrapper. */
function toolCallingAgent(toolArgs: IDataObject): INodeType {
	return {
		description: agentDescription,
		async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
			const tools = (await this.getInputConnectionData(NodeConnectionTypes.AiTool, 0)) as
				| LangchainTool[]
				| LangchainTool;
			const calls: INodeExecutionData[] = [];
			for (const tool of Array.isArray(tools) ? tools : [tools]) {
				try {
					const result = await tool.invoke(toolArgs);
					calls.push({
						json: { tool: tool.name, description: tool.description, result: result as string },
					});
				} catch (error) {
					calls.push({ json: { tool: tool.name, error: (error as Error).message } });
				}
			}
			return [calls];
		},
	};
}

/** An agent that hands one tool call back to the engine (like AI Agent v3) and outputs the answer. */
function engineRequestAgent(toolArgs: IDataObject): INodeType {
	return {
		description: agentDescription,
		async execute(
			this: IExecuteFunctions,
			response?: EngineResponse,
		): Promise<INodeExecutionData[][] | EngineRequest> {
			if (response === undefined || response.actionResponses.length === 0) {
				return {
					actions: [
						{
							actionType: 'ExecutionNodeAction',
							nodeName: TOOL_NAME,
							input: toolArgs,
							type: NodeConnectionTypes.AiTool,
							id: 'call-1',
							metadata: { itemIndex: 0 },
						},
					],
					metadata: {},
				};
			}
			return [
				response.actionResponses.map(({ data }) => ({
					json: { answer: (data.data?.ai_tool?.[0]?.[0]?.json ?? null) as IDataObject },
				})),
			];
		},
	};
}

function toolWorkflow(
	agent: 'langchain' | 'engine',
	toolParameters: INodeParameters,
	toolArgs: IDataObject = {},
) {
	const paqtana = new Paqtana();
	return {
		workflow: {
			nodes: [
				workflowNode('Agent', AGENT_TYPE, {}),
				paqtanaNode(TOOL_NAME, toolParameters, TOOL_TYPE),
			],
			// n8n's default for new workflows; engine requests run the tool before resuming the agent only in v1
			settings: { executionOrder: 'v1' },
			connections: {
				[TOOL_NAME]: {
					[NodeConnectionTypes.AiTool]: [
						[{ node: 'Agent', type: NodeConnectionTypes.AiTool, index: 0 }],
					],
				},
			},
		},
		nodeTypes: {
			[AGENT_TYPE]:
				agent === 'langchain' ? toolCallingAgent(toolArgs) : engineRequestAgent(toolArgs),
			[TOOL_TYPE]: asAiTool(paqtana),
		},
	};
}

async function runAgent(
	agent: 'langchain' | 'engine',
	toolParameters: INodeParameters,
	toolArgs: IDataObject,
) {
	const { workflow, nodeTypes } = toolWorkflow(agent, toolParameters, toolArgs);
	return await runWorkflowFrom({
		workflow,
		startNodeName: 'Agent',
		items: [{ json: { chatInput: 'Our stock is just item A in WH1 now, update Paqtana' } }],
		upstreamNode: 'Chat Trigger',
		nodeTypes,
		credentialTypes: [new PaqtanaApi()],
		credentials: { paqtanaApi: credentialsFor(sandbox) },
	});
}

/** Columns the agent fills in ($fromAI): what a tool needs to receive values at all. */
function agentColumns(fields: Record<string, [key: string, type: string]>): INodeParameters {
	const value: Record<string, string> = {};
	for (const [field, [key, type]] of Object.entries(fields)) {
		value[field] = `={{ $fromAI('${key}', '${field}', '${type}') }}`;
	}
	return { columns: { mappingMode: 'defineBelow', value, matchingColumns: [], schema: [] } };
}

/** 100 items in the sandbox, replaced by an ordinary workflow (no agent). */
async function existingInventory(): Promise<void> {
	const rows = Array.from({ length: 100 }, (_, i) => ({ Warehouse: 'WH1', SKU: `SKU-${i}` }));
	const result = await runPaqtana(sandbox, { parameters: inventoryParameters(), input: rows });
	expect(result.error).toBeUndefined();
	expect(sandbox.inventory(ORG)).toHaveLength(100);
}

const REFUSED = /^An AI agent may not replace the master inventory: nothing was sent/;

describe('as an AI agent tool', () => {
	it('refuses to replace the master inventory when n8n-core calls it as a tool (isToolExecution)', async () => {
		await existingInventory();
		const result = await runAgent(
			'langchain',
			inventoryParameters(
				{},
				agentColumns({ location: ['warehouse', 'string'], code: ['item', 'string'] }),
			),
			{ warehouse: 'WH1', item: 'A' },
		);
		expect(result.error).toBeUndefined();
		expect(result.outputs[0].map((item) => item.json)).toEqual([
			{ tool: 'Paqtana_Tool', error: expect.stringMatching(REFUSED) },
		]);
		expect(sandbox.requests().map((r) => r.rows)).toEqual([100]);
		expect(sandbox.inventory(ORG)).toHaveLength(100);
	});

	it('refuses it too when the agent hands the tool call to the engine (rewireOutputLogTo)', async () => {
		await existingInventory();
		// The engine merges the call's arguments into the agent's input item: it maps automatically.
		const result = await runAgent('engine', inventoryParameters(), { Warehouse: 'WH1', SKU: 'A' });
		expect(result.error).toBeUndefined();
		expect(result.outputs[0].map((item) => item.json)).toEqual([
			{ answer: { error: expect.stringMatching(REFUSED) } },
		]);
		expect(sandbox.requests().map((r) => r.rows)).toEqual([100]);
		expect(sandbox.inventory(ORG)).toHaveLength(100);
	});

	it('describes itself to the agent as sending demand only', () => {
		const { usableAsTool } = new Paqtana().description;
		expect(usableAsTool).toEqual({
			replacements: {
				description: expect.stringMatching(
					/^Upsert historical demand .*cannot replace or delete the master inventory/,
				),
			},
		});
	});

	it('upserts historical demand as a tool, with values the agent fills in ($fromAI)', async () => {
		const result = await runAgent(
			'langchain',
			demandParameters(
				{},
				agentColumns({
					location: ['warehouse', 'string'],
					code: ['item', 'string'],
					date: ['day', 'string'],
					quantity: ['quantity', 'number'],
				}),
			),
			{ warehouse: 'WH1', item: 'SKU-1', day: '2026-11-02', quantity: 7 },
		);
		expect(result.error).toBeUndefined();
		expect(result.outputs[0].map((item) => item.json)).toEqual([
			{
				tool: 'Paqtana_Tool',
				description: 'Create or update historical demand by day and item in Paqtana',
				result: expect.stringContaining('"rows":1'),
			},
		]);
		expect(sandbox.demand(ORG)).toEqual([
			{ workspaceCode: 'MAIN', location: 'WH1', code: 'SKU-1', date: '2026-11-02', quantity: 7 },
		]);
	});
});
