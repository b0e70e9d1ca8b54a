import { NodeHelpers } from 'n8n-workflow';
import type { IDataObject, INodeType, INodeTypes, IVersionedNodeType } from 'n8n-workflow';

/**
 * INodeTypes over a fixed map. Unknown types resolve to `undefined`, which n8n's `Workflow`
 * tolerates (it skips them) — the typings say otherwise, hence the casts.
 */
export class HarnessNodeTypes implements INodeTypes {
	constructor(private readonly types: Record<string, INodeType | IVersionedNodeType>) {}

	has(type: string): boolean {
		return Object.hasOwn(this.types, type);
	}

	getByName(type: string): INodeType | IVersionedNodeType {
		return this.types[type] as INodeType | IVersionedNodeType;
	}

	getByNameAndVersion(type: string, version?: number): INodeType {
		const nodeType = this.types[type];
		return (nodeType && NodeHelpers.getVersionedNodeType(nodeType, version)) as INodeType;
	}

	getKnownTypes(): IDataObject {
		return {};
	}
}
