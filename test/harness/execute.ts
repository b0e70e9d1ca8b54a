import { randomUUID } from 'node:crypto';

import { ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import { UnexpectedError, Workflow, createRunExecutionData } from 'n8n-workflow';
import type {
	ExecutionError,
	ICredentialDataDecryptedObject,
	IConnections,
	IDataObject,
	INode,
	INodeCredentials,
	IRun,
	IWorkflowBase,
} from 'n8n-workflow';

import { createAdditionalData } from './additional-data';
import { HarnessCredentialsHelper } from './credentials-helper';
import { ensureEnvironment, withLogCapture } from './environment';
import { HarnessNodeTypes } from './node-types';
import type {
	HarnessNodeError,
	RunNodeOptions,
	RunNodeResult,
	RunWorkflowFromOptions,
} from './types';

/** Package prefix of node types built by runNode, as after a real community install. */
const PACKAGE_NAME = 'n8n-nodes-paqtana';
const WORKFLOW_ID = 'harnessWorkflow01';

/** JSON round trip: static data is stored as JSON, and inputs must never be mutated by a run. */
function jsonCopy<T>(value: T): T {
	return JSON.parse(JSON.stringify(value)) as T;
}

function keepConnections(connections: IConnections, kept: Set<string>): IConnections {
	const result: IConnections = {};
	for (const [source, byType] of Object.entries(connections)) {
		if (!kept.has(source)) continue;
		result[source] = {};
		for (const [type, outputs] of Object.entries(byType)) {
			result[source][type] = outputs.map(
				(targets) => targets?.filter((target) => kept.has(target.node)) ?? null,
			);
		}
	}
	return result;
}

function toHarnessError(error: ExecutionError): HarnessNodeError {
	const { message, name, description, context } = error;
	const httpCode = 'httpCode' in error ? error.httpCode : undefined;
	return { message, name, description, httpCode, context: context && jsonCopy(context) };
}

function collectResult(
	run: IRun,
	nodeName: string,
	logs: string[],
	uiMessages: unknown[][],
	staticData: IDataObject,
): RunNodeResult {
	const taskData = run.data.resultData.runData[nodeName]?.[0];
	const error = taskData?.error ?? run.data.resultData.error;
	// A node the connections never reached would otherwise look like a run with no output.
	if (!taskData && !error) throw new UnexpectedError(`The run never reached "${nodeName}"`);
	return {
		outputs: (taskData?.data?.main ?? []).map((items) => items ?? []),
		...(error ? { error: toHarnessError(error) } : {}),
		staticData,
		hints: (taskData?.hints ?? []).map(({ message, location }) => ({ message, location })),
		logs,
		uiMessages,
		runData: run.data,
	};
}

/**
 * Runs `startNodeName` of a saved workflow through n8n-core's WorkflowExecute with `items` on
 * its input (like NodeTestHarness: the node execution stack is prepared, upstream nodes do not
 * run), then follows the connections up to `destinationNodeName` (default: the start node),
 * where the run stops. The result is the destination node's.
 */
export async function runWorkflowFrom(options: RunWorkflowFromOptions): Promise<RunNodeResult> {
	ensureEnvironment();
	const { workflow: source, startNodeName, mode = 'trigger' } = options;
	const destinationNodeName = options.destinationNodeName ?? startNodeName;
	const nodeTypes = new HarnessNodeTypes(options.nodeTypes);
	for (const name of new Set([startNodeName, destinationNodeName])) {
		const node = source.nodes.find((candidate) => candidate.name === name);
		if (!node) throw new UnexpectedError(`The workflow has no node named "${name}"`);
		if (!nodeTypes.has(node.type)) {
			throw new UnexpectedError(
				`Node type "${node.type}" of "${name}" was not passed in nodeTypes`,
			);
		}
	}

	// Nodes of types the test did not provide (sticky notes, upstream readers) are left out:
	// the engine would report them as "unknown node type" issues.
	const nodes = jsonCopy(source.nodes.filter((node) => nodeTypes.has(node.type)));
	const connections = keepConnections(source.connections, new Set(nodes.map((node) => node.name)));
	const settings = { timezone: 'UTC', ...jsonCopy(source.settings ?? {}) };
	const staticData = jsonCopy(options.staticData ?? source.staticData ?? {});

	const workflow = new Workflow({
		id: WORKFLOW_ID,
		name: 'Harness workflow',
		nodes,
		connections,
		nodeTypes,
		settings,
		staticData: jsonCopy(staticData),
		active: mode !== 'manual',
	});

	const now = new Date();
	const workflowData: IWorkflowBase = {
		id: WORKFLOW_ID,
		name: workflow.name ?? '',
		active: workflow.active,
		isArchived: false,
		activeVersionId: null,
		createdAt: now,
		updatedAt: now,
		nodes,
		connections,
		settings,
		staticData,
	};
	const executionId = randomUUID();
	const hooks = new ExecutionLifecycleHooks(mode, executionId, workflowData);
	let changedStaticData: IDataObject | undefined;
	hooks.addHandler('workflowExecuteAfter', (_run, newStaticData) => {
		changedStaticData = newStaticData;
	});

	const credentialsHelper = new HarnessCredentialsHelper(
		options.credentialTypes,
		jsonCopy(options.credentials ?? {}) as Record<string, ICredentialDataDecryptedObject>,
	);
	const uiMessages: unknown[][] = [];
	const additionalData = createAdditionalData(credentialsHelper, executionId, hooks, uiMessages);
	const runExecutionData = createRunExecutionData({
		startData: { destinationNode: { nodeName: destinationNodeName, mode: 'inclusive' } },
		executionData: {
			nodeExecutionStack: [
				{
					node: workflow.getNode(startNodeName) as INode,
					data: { main: [options.shareItems ? options.items : jsonCopy(options.items)] },
					source: options.upstreamNode
						? {
								main: [
									{ previousNode: options.upstreamNode, previousNodeOutput: 0, previousNodeRun: 0 },
								],
							}
						: null,
				},
			],
		},
	});

	const { value: run, logs } = await withLogCapture(async () => {
		const execution = new WorkflowExecute(
			additionalData,
			mode,
			runExecutionData,
		).processRunExecutionData(workflow);
		// Like n8n's Stop button: the engine aborts the execution's cancel signal; the run settles once the
		// running node returns.
		void options.cancelWhen?.then(() => execution.cancel());
		return await execution;
	});

	// Like n8n's workflowExecuteAfter hook: changed static data is saved, except for manual runs.
	const persisted = mode !== 'manual' && changedStaticData ? changedStaticData : staticData;
	return collectResult(run, destinationNodeName, logs, uiMessages, jsonCopy(persisted));
}

/** Runs one node (as the only node of a workflow) on `items`. */
export async function runNode(options: RunNodeOptions): Promise<RunNodeResult> {
	const { nodeType, parameters, continueOnFail, timezone = 'UTC' } = options;
	const { description } = nodeType;
	const type = `${PACKAGE_NAME}.${description.name}`;
	const name = description.defaults.name ?? description.displayName;
	const credentials: INodeCredentials = {};
	for (const { name: credentialType } of description.credentials ?? []) {
		if (options.credentials?.[credentialType]) {
			credentials[credentialType] = { id: `${credentialType}-1`, name: credentialType };
		}
	}
	const node: INode = {
		id: randomUUID(),
		name,
		type,
		typeVersion: Array.isArray(description.version)
			? Math.max(...description.version)
			: description.version,
		position: [0, 0],
		parameters,
		// a node saved without credentials has no `credentials` key at all
		...(Object.keys(credentials).length > 0 ? { credentials } : {}),
		...(continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
	};
	return await runWorkflowFrom({
		workflow: { nodes: [node], connections: {}, settings: { timezone } },
		startNodeName: name,
		items: options.items,
		shareItems: options.shareItems,
		nodeTypes: { [type]: nodeType },
		credentialTypes: options.credentialTypes,
		credentials: options.credentials,
		staticData: options.staticData,
		mode: options.mode,
		cancelWhen: options.cancelWhen,
	});
}
