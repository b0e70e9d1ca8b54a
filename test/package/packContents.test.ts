/**
 * What `npm pack` ships, by npm's own file rules and this package.json, from a dist/ laid out like a build
 * that also emitted declarations and source maps (as tsconfig.json did, and could again): only what n8n
 * loads may reach the tarball. `npm run verify` checks the real build the same way.
 */
import { execFileSync } from 'node:child_process';
import {
	copyFileSync,
	existsSync,
	mkdirSync,
	mkdtempSync,
	readdirSync,
	rmSync,
	writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';

import {
	cleanNpmEnv,
	packedFileProblems,
	readPackOutput,
} from '../../scripts/e2e/community-package';
import { ROOT, manifest } from './packageFiles';

const sourceExists = (path: string): boolean => existsSync(join(ROOT, path));

/** Repository-relative paths of every file under nodes/ and credentials/. */
function packageSources(): string[] {
	return ['nodes', 'credentials'].flatMap((top) =>
		readdirSync(join(ROOT, top), { recursive: true, withFileTypes: true })
			.filter((entry) => entry.isFile())
			.map((entry) => relative(ROOT, join(entry.parentPath, entry.name))),
	);
}

/** Files `npm pack` would put in the tarball, for a build output of the current sources plus `extra`. */
function packedFiles(extra: string[] = []): string[] {
	const dir = mkdtempSync(join(tmpdir(), 'paqtana-pack-test-'));
	const write = (path: string): void => {
		mkdirSync(dirname(join(dir, path)), { recursive: true });
		writeFileSync(join(dir, path), '');
	};
	try {
		for (const file of ['package.json', 'README.md', 'LICENSE', 'index.js'])
			copyFileSync(join(ROOT, file), join(dir, file));
		for (const source of packageSources()) {
			const compiled = source.replace(/\.ts$/, '');
			if (compiled === source) write(`dist/${source}`);
			else for (const suffix of ['.js', '.d.ts', '.js.map']) write(`dist/${compiled}${suffix}`);
		}
		extra.forEach(write);
		const stdout = execFileSync(
			'npm',
			['pack', '--dry-run', '--json', '--ignore-scripts', '--loglevel=error'],
			{ cwd: dir, env: cleanNpmEnv(), encoding: 'utf8' },
		);
		return readPackOutput(stdout, dir).files;
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

describe('packed package contents', () => {
	const files = packedFiles(['tsconfig.json', 'test/engine/example.test.ts']);

	it('holds only what n8n loads: no declarations, no source maps, no sources or tests', () => {
		expect(files.filter((f) => /\.d\.ts$|\.map$/.test(f))).toEqual([]);
		expect(files.filter((f) => !f.startsWith('dist/')).sort()).toEqual([
			'LICENSE',
			'README.md',
			'index.js',
			'package.json',
		]);
		expect(packedFileProblems(files, manifest, sourceExists)).toEqual([]);
	});

	it('holds every file the "n8n" section of package.json names, and each node\'s codex', () => {
		const entries = [...(manifest.n8n?.nodes ?? []), ...(manifest.n8n?.credentials ?? [])];
		expect(entries.length).toBeGreaterThanOrEqual(2);
		for (const entry of entries) expect(files).toContain(entry);
		for (const node of manifest.n8n?.nodes ?? []) expect(files).toContain(`${node}on`);
	});

	it('reports a stale compiled file, a declaration, and an n8n entry that is not packed', () => {
		const stale = 'dist/nodes/Paqtana/helpers/renamedAway.js';
		expect(packedFiles([stale])).toContain(stale);
		const credential = manifest.n8n?.credentials?.[0] ?? '';
		const broken = [
			...files.filter((f) => f !== credential),
			stale,
			'dist/credentials/PaqtanaApi.credentials.d.ts',
			'src/index.ts',
		];
		expect(packedFileProblems(broken, manifest, sourceExists)).toEqual([
			`${stale}: compiled from a source that no longer exists (stale build?)`,
			'dist/credentials/PaqtanaApi.credentials.d.ts: declaration or source map',
			'src/index.ts: only dist/ and package.json, README.md, LICENSE, index.js belong in the package',
			`${credential} (named in package.json "n8n") is not packed`,
		]);
	});
});
