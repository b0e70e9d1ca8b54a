import { randomUUID } from 'node:crypto';

import { CredentialTestContext, ExecuteContext, RoutingNode } from 'n8n-core';
import { NodeConnectionTypes, Workflow, createRunExecutionData } from 'n8n-workflow';
import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IDataObject,
	INode,
	ICredentialTestFunction,
	INodeExecutionData,
	INodeType,
} from 'n8n-workflow';

import { createAdditionalData } from './additional-data';
import { HarnessCredentialsHelper } from './credentials-helper';
import { ensureEnvironment } from './environment';
import { HarnessNodeTypes } from './node-types';
import type { CredentialTestResult } from './types';

const NOOP_TYPE = 'n8n-nodes-base.noOp';

interface RequestError {
	message?: string;
	cause?: { code?: string; response?: { status: number; statusText?: string } };
}

function readPath(data: IDataObject, path: string): unknown {
	return path
		.split('.')
		.reduce<unknown>((value, key) => (value as IDataObject | undefined)?.[key], data);
}

/**
 * n8n's CredentialsTester.getCredentialTestFunction: the credential's own `test` request wins; otherwise
 * the `methods.credentialTest` function a node names in its credentials' `testedBy`.
 */
function nodeTestFunction(
	credentialType: ICredentialType,
	nodeTypes: INodeType[],
): ICredentialTestFunction | undefined {
	for (const nodeType of nodeTypes) {
		for (const { name, testedBy } of nodeType.description.credentials ?? []) {
			if (name === credentialType.name && typeof testedBy === 'string') {
				return nodeType.methods?.credentialTest?.[testedBy];
			}
		}
	}
	return undefined;
}

/**
 * n8n's CredentialsTester.testCredentials. A credential type with a `test` request: a temporary no-op
 * node whose one property routes `test.request`, run by n8n-core's RoutingNode (so baseURL/expressions,
 * `authenticate` and the HTTP request are n8n's own); the mapping of failures and `rules` to the result
 * is copied from packages/cli (not published). Otherwise a node's test function (`testedBy`), called
 * with n8n-core's CredentialTestContext like the CLI does.
 */
export async function testCredential(options: {
	credentialType: ICredentialType;
	credentials: IDataObject;
	/** Nodes that may test the credential with a function (`testedBy`). */
	nodeTypes?: INodeType[];
}): Promise<CredentialTestResult> {
	ensureEnvironment();
	const { credentialType } = options;
	const test = credentialType.test;
	const helper = new HarnessCredentialsHelper([credentialType], {});
	const additionalData = createAdditionalData(helper, randomUUID());
	const data = helper.applyDefaults(
		additionalData,
		options.credentials as ICredentialDataDecryptedObject,
		credentialType.name,
		'internal',
	);
	if (!test) {
		const testFunction = nodeTestFunction(credentialType, options.nodeTypes ?? []);
		if (!testFunction) {
			return { status: 'Error', message: 'No testing function found for this credential.' };
		}
		const credentials = {
			id: 'credential-under-test',
			name: credentialType.displayName,
			type: credentialType.name,
			data,
		};
		return await testFunction.call(new CredentialTestContext(additionalData), credentials);
	}

	const nodeType: INodeType = {
		description: {
			displayName: 'No Operation, do nothing',
			name: NOOP_TYPE,
			group: ['organization'],
			version: 1,
			description: 'Credential test node',
			defaults: { name: 'Temp-Node' },
			inputs: [NodeConnectionTypes.Main],
			outputs: [NodeConnectionTypes.Main],
			credentials: [{ name: credentialType.name, required: true }],
			properties: [
				{
					displayName: 'Temp',
					name: 'temp',
					type: 'string',
					routing: { request: test.request },
					default: '',
				},
			],
		},
	};
	const credentialsRef = { id: 'credential-under-test', name: credentialType.displayName };
	const node: INode = {
		id: 'temp',
		name: 'Temp-Node',
		type: NOOP_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
		credentials: { [credentialType.name]: credentialsRef },
	};
	const workflow = new Workflow({
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes: new HarnessNodeTypes({ [NOOP_TYPE]: nodeType }),
	});
	const workflowNode = workflow.getNode(node.name) as INode;
	const context = new ExecuteContext(
		workflow,
		workflowNode,
		additionalData,
		'internal',
		createRunExecutionData(),
		0,
		[],
		{ main: [[{ json: {} }]] },
		{ node: workflowNode, data: {}, source: null },
		[],
	);
	const routingNode = new RoutingNode(context, nodeType, {
		...credentialsRef,
		type: credentialType.name,
		data,
	});

	let response: INodeExecutionData[][] | null | undefined;
	try {
		response = await routingNode.runNode();
	} catch (caught) {
		const error = caught as RequestError;
		const httpResponse = error.cause?.response;
		if (httpResponse) {
			for (const rule of test.rules ?? []) {
				if (rule.type === 'responseCode' && rule.properties.value === httpResponse.status) {
					return { status: 'Error', message: rule.properties.message };
				}
			}
			if (httpResponse.status < 199 || httpResponse.status > 299) {
				return {
					status: 'Error',
					message: httpResponse.statusText || `Received HTTP status code: ${httpResponse.status}`,
				};
			}
		} else if (error.cause?.code) {
			return { status: 'Error', message: error.cause.code };
		}
		return { status: 'Error', message: String(error.message) };
	}

	for (const rule of test.rules ?? []) {
		if (rule.type !== 'responseSuccessBody') continue;
		const body = response?.[0]?.[0]?.json ?? {};
		if (readPath(body, rule.properties.key) === rule.properties.value) {
			return { status: 'Error', message: rule.properties.message };
		}
	}
	return { status: 'OK', message: 'Connection successful!' };
}
