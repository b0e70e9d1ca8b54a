import type { INodeProperties } from 'n8n-workflow';

import * as replace from './replace.operation';

export { replace };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['masterInventory'] } },
		options: [
			{
				name: 'Replace All',
				value: 'replace',
				description:
					'Send all input items as the complete master inventory, replacing what Paqtana holds',
				action: 'Replace the master inventory',
			},
		],
		default: 'replace',
	},
	...replace.description,
];
