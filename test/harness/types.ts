import type {
	ICredentialType,
	IConnections,
	IDataObject,
	INode,
	INodeExecutionData,
	INodeParameters,
	INodeType,
	IRunExecutionData,
	IWorkflowBase,
	WorkflowExecuteMode,
} from 'n8n-workflow';

/** Credential values keyed by credential type name, e.g. `{ paqtanaApi: { token, orgCode, baseUrl } }`. */
export interface HarnessCredentials {
	[credentialType: string]: IDataObject;
}

export interface RunNodeOptions {
	nodeType: INodeType;
	credentialTypes: ICredentialType[];
	credentials?: HarnessCredentials;
	/** The node's parameters as saved in a workflow (defaults are filled in by n8n's Workflow). */
	parameters: INodeParameters;
	/** Input items of the node's single main input. */
	items: INodeExecutionData[];
	/** See RunWorkflowFromOptions.shareItems. */
	shareItems?: boolean;
	/** Node setting `onError: 'continueRegularOutput'`. */
	continueOnFail?: boolean;
	/** Workflow static data to start with (pass a previous result's `staticData` for a second execution). */
	staticData?: IDataObject;
	/** Default 'trigger': a production run, whose static data changes persist. */
	mode?: WorkflowExecuteMode;
	/** Workflow setting `timezone`; default 'UTC'. */
	timezone?: string;
	/** Cancels the execution (as n8n's Stop button does) when this promise resolves. */
	cancelWhen?: Promise<unknown>;
}

export type HarnessWorkflow =
	| IWorkflowBase
	| { nodes: INode[]; connections: IConnections; settings?: IDataObject; staticData?: IDataObject };

export interface RunWorkflowFromOptions {
	workflow: HarnessWorkflow;
	startNodeName: string;
	/** Where the run stops, following the connections from the start node; default: the start node. */
	destinationNodeName?: string;
	/** Input items of the start node, standing in for the (not executed) upstream nodes. */
	items: INodeExecutionData[];
	/**
	 * Hand the node `items` themselves, as n8n hands a node its upstream node's output within an execution,
	 * instead of a JSON copy (the default, so a run can never change a test's items): for measuring memory,
	 * where a copy would hold the items twice and turn Dates into text.
	 */
	shareItems?: boolean;
	/**
	 * The upstream node the items count as coming from (it does not run). Needed by nodes that look at
	 * their input's source, such as an agent handing tool calls back to the engine.
	 */
	upstreamNode?: string;
	/** Node types by full type name, e.g. `{ 'n8n-nodes-paqtana.paqtana': new Paqtana() }`. */
	nodeTypes: Record<string, INodeType>;
	credentialTypes: ICredentialType[];
	credentials?: HarnessCredentials;
	/** Overrides the workflow JSON's own `staticData`. */
	staticData?: IDataObject;
	mode?: WorkflowExecuteMode;
	/** Cancels the execution (as n8n's Stop button does) when this promise resolves. */
	cancelWhen?: Promise<unknown>;
}

export interface HarnessNodeError {
	message: string;
	description?: string | null;
	name: string;
	httpCode?: string | null;
	context?: IDataObject;
}

export interface RunNodeResult {
	/** One array per output of the node. */
	outputs: INodeExecutionData[][];
	/**
	 * The node's error as n8n records it. A node that throws under continue-on-fail gets it
	 * recorded too, while the engine passes the input items through unchanged as output 0.
	 */
	error?: HarnessNodeError;
	/** Workflow static data as it is stored after the run (deep copy). */
	staticData: IDataObject;
	/** Hints the node added with `this.addExecutionHints`. */
	hints: Array<{ message: string; location?: string }>;
	/** Every line logged through LoggerProxy / the DI Logger during the run (with metadata). */
	logs: string[];
	/** Messages the node sent to the editor's browser console (`sendMessageToUI`, manual runs only). */
	uiMessages: unknown[][];
	runData: IRunExecutionData;
}

export interface CredentialTestResult {
	status: 'OK' | 'Error';
	message: string;
}
