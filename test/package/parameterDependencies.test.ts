/**
 * n8n 1.x resolves a node's parameters in the order their displayOptions need, and refuses to run a
 * workflow ("Could not resolve parameter dependencies. Max iterations reached!") when a displayOptions
 * key names no parameter at its level: a nested path such as `columns.mappingMode`, or the parameter
 * itself. Keys starting with `/` (root) or `@` (n8n's own) are always resolvable.
 */
import type { INodeProperties } from 'n8n-workflow';

import { Paqtana } from '../../nodes/Paqtana/Paqtana.node';

function unresolvable(properties: readonly INodeProperties[], where: string): string[] {
	const names = new Set(properties.map((property) => property.name));
	const problems: string[] = [];
	for (const property of properties) {
		for (const rule of Object.values(property.displayOptions ?? {})) {
			for (const key of Object.keys(rule ?? {})) {
				if (key.startsWith('/') || key.startsWith('@')) continue;
				if (!names.has(key) || key === property.name)
					problems.push(`${where}${property.name} depends on "${key}"`);
			}
		}
		const children = (property.options ?? []).filter(
			(option): option is INodeProperties => 'type' in option && 'name' in option,
		);
		if (property.type === 'collection' && children.length > 0)
			problems.push(...unresolvable(children, `${where}${property.name}.`));
	}
	return problems;
}

describe('the node description runs in n8n 1.x as well as 2.x', () => {
	it('every displayOptions key names a parameter at its own level (or the root)', () => {
		expect(unresolvable(new Paqtana().description.properties, '')).toEqual([]);
	});
});
