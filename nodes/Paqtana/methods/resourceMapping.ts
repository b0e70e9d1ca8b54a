import type { FieldType, ILoadOptionsFunctions, ResourceMapperFields } from 'n8n-workflow';

import { FIELDS, type FieldKind, type ResourceName } from '../helpers/wireFormat';

const FIELD_TYPES: Record<FieldKind, FieldType> = {
	text: 'string',
	number: 'number',
	date: 'dateTime',
};

/** The Paqtana fields of the chosen resource, for the editor's field mapper. */
export async function getMappingColumns(
	this: ILoadOptionsFunctions,
): Promise<ResourceMapperFields> {
	const resource = this.getNodeParameter('resource', 'masterInventory') as ResourceName;
	return {
		fields: (FIELDS[resource] ?? []).map((field) => ({
			id: field.id,
			displayName: `${field.displayName} (${field.id})`,
			// The node-level Workspace Code fills rows without one, so the mapper must not insist on it.
			required: field.required && field.id !== 'workspaceCode',
			defaultMatch: false,
			canBeUsedToMatch: false,
			display: true,
			type: FIELD_TYPES[field.kind],
		})),
	};
}
