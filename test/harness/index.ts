/**
 * Runs n8n nodes through n8n-core's real WorkflowExecute engine (the approach of n8n's
 * unpublished NodeTestHarness, packages/core/nodes-testing), with real HTTP helpers.
 */
export { runNode, runWorkflowFrom } from './execute';
export { testCredential } from './credential-test';
export type {
	CredentialTestResult,
	HarnessCredentials,
	HarnessNodeError,
	HarnessWorkflow,
	RunNodeOptions,
	RunNodeResult,
	RunWorkflowFromOptions,
} from './types';
