/** This package's own files as tests read them: package.json, the codex, the README. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CodexData } from 'n8n-workflow';

import type { PackageJson } from '../../scripts/e2e/community-package';

export const ROOT = join(__dirname, '..', '..');

export function readText(path: string): string {
	return readFileSync(join(ROOT, path), 'utf8');
}

export const manifest = JSON.parse(readText('package.json')) as PackageJson & {
	repository: { url: string };
	scripts: Record<string, string>;
};

/** https://github.com/<owner>/<repository>, from package.json's git+https URL. */
export const repositoryUrl = manifest.repository.url.replace(/^git\+/, '').replace(/\.git$/, '');

export interface CodexFile extends CodexData {
	node: string;
	nodeVersion: string;
	codexVersion: string;
	resources: CodexData['resources'] & { generic?: Array<{ label: string; url: string }> };
}

export const codex = JSON.parse(readText('nodes/Paqtana/Paqtana.node.json')) as CodexFile;
