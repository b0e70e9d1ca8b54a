import { ExternalSecretsProxy, type ExecutionLifecycleHooks } from 'n8n-core';
import { UnexpectedError } from 'n8n-workflow';
import type { IWorkflowExecuteAdditionalData } from 'n8n-workflow';

import type { HarnessCredentialsHelper } from './credentials-helper';

const BASE_URL = 'http://localhost:5678/';

function unsupported(feature: string): () => never {
	return () => {
		throw new UnexpectedError(`${feature} is not supported by the test harness`);
	};
}

/** The execution's environment, as n8n's WorkflowExecuteAdditionalData.getBase() builds it, minus the database. */
export function createAdditionalData(
	credentialsHelper: HarnessCredentialsHelper,
	executionId: string,
	hooks?: ExecutionLifecycleHooks,
	uiMessages: unknown[][] = [],
): IWorkflowExecuteAdditionalData {
	return {
		// n8n sends `sendMessageToUI` output to the editor over the push connection; here it is recorded.
		sendDataToUI: (type, data) => {
			if (type === 'sendConsoleMessage')
				uiMessages.push((data as { messages: unknown[] }).messages);
		},
		credentialsHelper,
		hooks,
		executionId,
		currentNodeExecutionIndex: 0,
		externalSecretsProxy: new ExternalSecretsProxy(),
		variables: {},
		restApiUrl: `${BASE_URL}rest`,
		instanceBaseUrl: BASE_URL,
		formBaseUrl: `${BASE_URL}form`,
		formWaitingBaseUrl: `${BASE_URL}form-waiting`,
		formTestBaseUrl: `${BASE_URL}form-test`,
		webhookBaseUrl: `${BASE_URL}webhook`,
		webhookWaitingBaseUrl: `${BASE_URL}webhook-waiting`,
		webhookTestBaseUrl: `${BASE_URL}webhook-test`,
		mcpBaseUrl: `${BASE_URL}mcp`,
		mcpTestBaseUrl: `${BASE_URL}mcp-test`,
		logAiEvent: () => {},
		getRuntimeCredential: async () => undefined,
		getRunExecutionData: async () => undefined,
		executeWorkflow: unsupported('Executing sub-workflows'),
		startRunnerTask: unsupported('Running task runners (Code node)'),
	};
}
