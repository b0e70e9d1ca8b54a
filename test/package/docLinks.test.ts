/**
 * The documentation links as n8n's editor builds them (n8n-editor-ui of n8n 1.123.81 and 2.41.1 alike):
 * - Node panel "Docs" (NodeSettings): the node's own `documentationUrl` when it starts with "http", else
 *   `${codex.resources.primaryDocumentation[0].url}?${utm}`, a plain string join. A codex URL holding a
 *   "#fragment" swallows the query into the fragment ("#readme?utm_source=…" finds no anchor), and one
 *   holding a "?query" gets a second "?". So codex URLs must have neither.
 * - Credential modal "Open docs" (CredentialConfig): an http(s) `documentationUrl` whose host is not
 *   docs.n8n.io is used unchanged (utm parameters only go onto docs.n8n.io, through URL.searchParams),
 *   so the credential's "#credentials" fragment survives.
 */
import { PaqtanaApi } from '../../credentials/PaqtanaApi.credentials';
import { Paqtana } from '../../nodes/Paqtana/Paqtana.node';
import { codex, manifest, readText, repositoryUrl, type CodexFile } from './packageFiles';

interface DocumentedNodeType {
	name: string;
	documentationUrl?: string;
	codex?: CodexFile;
}

/** n8n's node panel "Docs" link, for a node with a codex (community nodes without one get npm's page). */
function nodeDocsUrl(nodeType: DocumentedNodeType): string | undefined {
	if (nodeType.documentationUrl?.startsWith('http')) return nodeType.documentationUrl;
	const utmParams = new URLSearchParams({
		utm_source: 'n8n_app',
		utm_medium: 'node_settings_modal-credential_link',
		utm_campaign: nodeType.name,
	});
	const primaryDocUrl = nodeType.codex?.resources?.primaryDocumentation?.[0]?.url;
	return primaryDocUrl ? `${primaryDocUrl}?${utmParams.toString()}` : undefined;
}

/** n8n's credential modal "Open docs" link, for an absolute documentationUrl. */
function credentialDocsUrl(docUrl: string): string {
	const url = new URL(docUrl);
	if (url.hostname !== 'docs.n8n.io') return docUrl;
	url.searchParams.set('utm_source', 'n8n_app');
	url.searchParams.set('utm_medium', 'credential_settings');
	url.searchParams.set('utm_campaign', 'create_new_credentials_modal');
	return url.href;
}

/** GitHub's anchor for a Markdown heading. */
function headingAnchor(heading: string): string {
	return heading
		.trim()
		.toLowerCase()
		.replace(/[^\p{L}\p{N}\s_-]/gu, '')
		.replace(/\s/g, '-');
}

const readmeAnchors = new Set(
	readText('README.md')
		.split('\n')
		.filter((line) => /^#{1,6} /.test(line))
		.map((line) => headingAnchor(line.replace(/^#+/, ''))),
);

const { description } = new Paqtana();
const nodeType: DocumentedNodeType = {
	name: `${manifest.name}.${description.name}`,
	documentationUrl: description.documentationUrl,
	codex,
};

describe('documentation links as n8n builds them', () => {
	it('node panel "Docs" opens the repository page, with n8n\'s utm query parsed as a query', () => {
		const built = new URL(nodeDocsUrl(nodeType) ?? '');
		expect(`${built.origin}${built.pathname}`).toBe(repositoryUrl);
		expect(built.hash).toBe('');
		expect(built.searchParams.get('utm_source')).toBe('n8n_app');
		expect(built.searchParams.get('utm_campaign')).toBe('n8n-nodes-paqtana.paqtana');
	});

	it('every codex link keeps its page when n8n appends "?utm_…"', () => {
		const {
			primaryDocumentation = [],
			credentialDocumentation = [],
			generic = [],
		} = codex.resources;
		const links = [...primaryDocumentation, ...credentialDocumentation, ...generic];
		expect(links.length).toBeGreaterThanOrEqual(2);
		for (const { url } of links) {
			const built = new URL(nodeDocsUrl({ name: 'x', codex: codexLinkingTo(url) }) ?? '');
			expect({ url, page: `${built.origin}${built.pathname}`, hash: built.hash }).toEqual({
				url,
				page: url,
				hash: '',
			});
			expect(built.searchParams.get('utm_source')).toBe('n8n_app');
		}
	});

	it('a codex link ending in "#readme" would lose both its anchor and the query', () => {
		const built = new URL(
			nodeDocsUrl({ name: 'x', codex: codexLinkingTo(`${repositoryUrl}#readme`) }) ?? '',
		);
		expect(built.hash).toMatch(/^#readme\?utm_source=n8n_app&/);
		expect(readmeAnchors.has(built.hash.slice(1))).toBe(false);
		expect(built.searchParams.get('utm_source')).toBeNull();
	});

	it('credential "Open docs" opens the README\'s Credentials section, unchanged by n8n', () => {
		const documentationUrl = new PaqtanaApi().documentationUrl;
		const built = new URL(credentialDocsUrl(documentationUrl));
		expect(built.href).toBe(documentationUrl);
		expect(`${built.origin}${built.pathname}`).toBe(repositoryUrl);
		expect(built.hash).toBe('#credentials');
		expect(readmeAnchors.has(built.hash.slice(1))).toBe(true);
	});
});

function codexLinkingTo(url: string): CodexFile {
	return { ...codex, resources: { primaryDocumentation: [{ url }] } };
}
