import {
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	NodeConnectionTypes,
} from 'n8n-workflow';

import * as historicalDemand from './actions/historicalDemand/HistoricalDemand.resource';
import * as masterInventory from './actions/masterInventory/MasterInventory.resource';
import { router } from './actions/router';
import { paqtanaApiTest } from './methods/credentialTest';
import { getMappingColumns } from './methods/resourceMapping';

export class Paqtana implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Paqtana',
		name: 'paqtana',
		icon: { light: 'file:paqtana.svg', dark: 'file:paqtana.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle:
			'={{ { replace: "Replace All: Master Inventory", upsert: "Create or Update: Historical Demand" }[$parameter["operation"]] }}',
		description:
			'Send master inventory and historical demand to Paqtana for purchase-order suggestions',
		defaults: { name: 'Paqtana' },
		// The tool's own description: an AI agent may only send demand (replace refuses tool runs, see guard.ts).
		usableAsTool: {
			replacements: {
				description:
					'Upsert historical demand (quantities per item, location and day) into Paqtana. It adds or updates demand only; it cannot replace or delete the master inventory.',
			},
		},
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		outputNames: ['Success', 'Invalid Rows'],
		credentials: [{ name: 'paqtanaApi', required: true, testedBy: 'paqtanaApiTest' }],
		properties: [
			{
				displayName:
					'As an AI agent tool this node only upserts historical demand: Master Inventory → Replace All is refused for agents, because a replace deletes every item it does not send',
				name: 'toolNotice',
				type: 'notice',
				default: '',
				displayOptions: { show: { '@tool': [true] } },
			},
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Master Inventory', value: 'masterInventory' },
					{ name: 'Historical Demand', value: 'historicalDemand' },
				],
				default: 'masterInventory',
			},
			...masterInventory.description,
			...historicalDemand.description,
		],
	};

	methods = {
		credentialTest: { paqtanaApiTest },
		resourceMapping: { getMappingColumns },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
