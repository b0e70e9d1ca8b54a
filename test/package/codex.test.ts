/**
 * The node's codex (Paqtana.node.json): the keys n8n reads, the node it belongs to, and the search aliases
 * that let the node creator find it by what people look for. (The e2e searches the real editor.)
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

import { Paqtana } from '../../nodes/Paqtana/Paqtana.node';
import { ROOT, codex, manifest, repositoryUrl } from './packageFiles';

/** The categories n8n's node documentation lets a node choose from. */
const CATEGORIES = [
	'Analytics',
	'Communication',
	'Data & Storage',
	'Development',
	'Finance & Accounting',
	'Marketing & Content',
	'Miscellaneous',
	'Productivity',
	'Sales',
	'Utility',
];

describe('codex', () => {
	const { description } = new Paqtana();

	it('belongs to this node and version', () => {
		expect(codex.node).toBe(`${manifest.name}.${description.name}`);
		expect(Number(codex.nodeVersion)).toBe(description.version);
		expect(codex.codexVersion).toBe('1.0');
	});

	// n8n-core's DirectoryLoader.getCodex keeps categories, subcategories, alias and the two
	// documentation links; `generic` links are for readers of the file (n8n's own nodes have them too).
	it('uses only keys n8n knows, with valid categories and subcategories under them', () => {
		expect(Object.keys(codex).sort()).toEqual(
			[
				'alias',
				'categories',
				'codexVersion',
				'node',
				'nodeVersion',
				'resources',
				'subcategories',
			].sort(),
		);
		expect(Object.keys(codex.resources).sort()).toEqual([
			'credentialDocumentation',
			'generic',
			'primaryDocumentation',
		]);
		for (const category of codex.categories ?? []) expect(CATEGORIES).toContain(category);
		for (const [category, subcategories] of Object.entries(codex.subcategories ?? {})) {
			expect(codex.categories).toContain(category);
			expect(subcategories.length).toBeGreaterThan(0);
		}
		// The node creator files nodes with these subcategories into its own sections.
		expect(codex.categories).not.toContain('Core Nodes');
		expect(codex.categories).not.toContain('AI');
	});

	it('finds the node by what people search for (node creator: display name and aliases)', () => {
		const aliases = (codex.alias ?? []).map((a) => a.toLowerCase());
		for (const term of [
			'inventory',
			'stock',
			'demand',
			'sales history',
			'forecast',
			'purchase order',
			'erp',
			'replenishment',
		])
			expect(aliases).toContain(term);
		expect(new Set(aliases).size).toBe(aliases.length);
	});

	it('links every example workflow in examples/, on the repository the package names', () => {
		const blob = `${repositoryUrl}/blob/main/`;
		const linked = (codex.resources.generic ?? []).map((link) => {
			expect(link.url.startsWith(blob)).toBe(true);
			return link.url.slice(blob.length);
		});
		const examples = readdirSync(join(ROOT, 'examples'))
			.filter((file) => file.endsWith('.json'))
			.map((file) => `examples/${file}`);
		expect(linked.sort()).toEqual(examples.sort());
	});
});
