/**
 * Packs this repository with `npm pack` and installs the tarball into an n8n user folder exactly the way
 * n8n's CommunityPackagesService.downloadPackage does it (same in n8n 1.123 and 2.41), with our tarball in
 * place of the one n8n would fetch from the registry:
 *   <N8N_USER_FOLDER>/.n8n/nodes/package.json           {"name":"installed-nodes","private":true,"dependencies":{…}}
 *   tar -xzf <tgz> -C nodes/node_modules/<name> --strip-components=1
 *   drop devDependencies/peerDependencies/optionalDependencies from the unpacked package.json
 *   npm install --audit=false --fund=false --bin-links=false --install-strategy=shallow
 *               --ignore-scripts=true --package-lock=false          (cwd: the unpacked package)
 *   nodes/package.json dependencies[<name>] = <version>
 * So a file missing from `files`, a runtime dependency n8n cannot resolve, or a wrong `n8n` entry in
 * package.json shows up as a failure to load or run the node.
 */
import {
	copyFileSync,
	existsSync,
	mkdirSync,
	readdirSync,
	readFileSync,
	rmSync,
	writeFileSync,
} from 'node:fs';
import { builtinModules } from 'node:module';
import { basename, join } from 'node:path';
import { REPO_ROOT } from './config';
import { runOk } from './proc';

export interface PackedPackage {
	name: string;
	version: string;
	tarball: string;
	files: string[];
}

export interface PackageJson {
	name: string;
	version: string;
	dependencies?: Record<string, string>;
	devDependencies?: Record<string, string>;
	peerDependencies?: Record<string, string>;
	optionalDependencies?: Record<string, string>;
	n8n?: { n8nNodesApiVersion?: number; nodes?: string[]; credentials?: string[] };
	[key: string]: unknown;
}

/** This repository's package.json. */
export function readPackageJson(): PackageJson {
	return JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as PackageJson;
}

/** The environment without npm's `npm_*` variables, so a nested npm is not steered by the calling one. */
export function cleanNpmEnv(): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {};
	for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k)) env[k] = v;
	return env;
}

/** `npm pack` of the working tree (build first); returns the tarball and the files it holds. */
export async function packRepository(
	destination: string,
	logFile?: string,
): Promise<PackedPackage> {
	mkdirSync(destination, { recursive: true });
	const result = await runOk(
		'npm',
		['pack', '--json', '--pack-destination', destination, '--loglevel=error'],
		{
			cwd: REPO_ROOT,
			env: cleanNpmEnv(),
			timeoutMs: 120_000,
			logFile,
		},
	);
	return readPackOutput(result.stdout, destination);
}

/** Reads what `npm pack --json` printed; `destination` is where the tarball was written. */
export function readPackOutput(stdout: string, destination: string): PackedPackage {
	const info = JSON.parse(stdout.slice(stdout.indexOf('['))) as Array<{
		name: string;
		version: string;
		filename: string;
		files: Array<{ path: string }>;
	}>;
	const entry = info[0];
	return {
		name: entry.name,
		version: entry.version,
		tarball: join(destination, basename(entry.filename)),
		files: entry.files.map((f) => f.path),
	};
}

/** Unpacks an npm tarball into `directory` (its `package/` prefix stripped), as n8n and its scanner do. */
export async function unpackTarball(
	tarball: string,
	directory: string,
	logFile?: string,
): Promise<void> {
	mkdirSync(directory, { recursive: true });
	await runOk('tar', ['-xzf', tarball, '-C', directory, '--strip-components=1'], {
		timeoutMs: 60_000,
		logFile,
	});
}

/**
 * What `npm pack` may ship, given the packed file list: only what n8n loads (compiled code, codex, icons)
 * and npm's own files. No declaration files or source maps (n8n's scanner rejects
 * `*.credentials.d.ts`, and neither helps at run time), every file the `n8n` section names, a codex
 * next to each node, and no compiled file whose TypeScript source is gone. `sourceExists` answers for
 * a repository-relative path such as `nodes/Paqtana/Paqtana.node.ts`. Returns the problems found.
 */
export function packedFileProblems(
	files: readonly string[],
	manifest: Pick<PackageJson, 'n8n'>,
	sourceExists: (path: string) => boolean,
): string[] {
	const problems: string[] = [];
	const packed = new Set(files);
	for (const file of files) {
		if (/\.d\.ts$|\.map$/.test(file)) problems.push(`${file}: declaration or source map`);
		else if (!file.startsWith('dist/') && !TOP_LEVEL_FILES.has(file))
			problems.push(
				`${file}: only dist/ and ${[...TOP_LEVEL_FILES].join(', ')} belong in the package`,
			);
		else if (
			/^dist\/.*\.js$/.test(file) &&
			!sourceExists(file.replace(/^dist\/(.*)\.js$/, '$1.ts'))
		)
			problems.push(`${file}: compiled from a source that no longer exists (stale build?)`);
	}
	const nodes = manifest.n8n?.nodes ?? [];
	for (const entry of [...nodes, ...(manifest.n8n?.credentials ?? [])])
		if (!packed.has(entry)) problems.push(`${entry} (named in package.json "n8n") is not packed`);
	for (const node of nodes) {
		const codex = `${node}on`;
		if (!packed.has(codex)) problems.push(`${codex} (the node's codex) is not packed`);
	}
	return problems;
}

/** Files npm adds next to `files` by itself, plus the `main` entry. */
const TOP_LEVEL_FILES = new Set(['package.json', 'README.md', 'LICENSE', 'index.js']);

/** Installs `packed` into `<userFolder>/.n8n/nodes` as n8n does; returns the package directory. */
export async function installLikeN8n(
	userFolder: string,
	packed: PackedPackage,
	logFile?: string,
): Promise<string> {
	const nodesDir = join(userFolder, '.n8n', 'nodes');
	mkdirSync(nodesDir, { recursive: true });
	const manifestPath = join(nodesDir, 'package.json');
	if (!existsSync(manifestPath)) {
		writeFileSync(
			manifestPath,
			JSON.stringify({ name: 'installed-nodes', private: true, dependencies: {} }, null, 2),
		);
	}
	const packageDir = join(nodesDir, 'node_modules', packed.name);
	rmSync(packageDir, { recursive: true, force: true });
	mkdirSync(packageDir, { recursive: true });

	const tarballName = basename(packed.tarball);
	copyFileSync(packed.tarball, join(nodesDir, tarballName));
	try {
		await unpackTarball(join(nodesDir, tarballName), packageDir, logFile);
		const pkgPath = join(packageDir, 'package.json');
		const { devDependencies, peerDependencies, optionalDependencies, ...pkg } = JSON.parse(
			readFileSync(pkgPath, 'utf8'),
		) as PackageJson;
		void devDependencies;
		void peerDependencies;
		void optionalDependencies;
		writeFileSync(pkgPath, JSON.stringify(pkg, null, 2), 'utf8');
		await runOk(
			'npm',
			[
				'install',
				'--audit=false',
				'--fund=false',
				'--bin-links=false',
				'--install-strategy=shallow',
				'--ignore-scripts=true',
				'--package-lock=false',
				'--loglevel=error',
			],
			// n8n runs npm with a bare environment: NODE_PATH, PATH, APPDATA and NODE_ENV=production.
			{
				cwd: packageDir,
				env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'production' },
				timeoutMs: 180_000,
				logFile,
			},
		);
		const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
			dependencies?: Record<string, string>;
		};
		manifest.dependencies = { ...(manifest.dependencies ?? {}), [pkg.name]: pkg.version };
		writeFileSync(manifestPath, JSON.stringify(manifest, null, 2), 'utf8');
	} finally {
		rmSync(join(nodesDir, tarballName), { force: true });
	}
	return packageDir;
}

/** Static checks of the packed package against n8n's rules; returns the problems found. */
export function checkPackedManifest(packageDir: string, packed: PackedPackage): string[] {
	const problems: string[] = [];
	const pkg = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as PackageJson;
	if (!/^(@[^/]+\/)?n8n-nodes-/.test(pkg.name))
		problems.push(`package name ${pkg.name} does not start with n8n-nodes-`);
	if (pkg.dependencies && Object.keys(pkg.dependencies).length > 0) {
		problems.push(
			`runtime dependencies are not allowed for verified community nodes: ${Object.keys(pkg.dependencies).join(', ')}`,
		);
	}
	const entries = [...(pkg.n8n?.nodes ?? []), ...(pkg.n8n?.credentials ?? [])];
	if (pkg.n8n?.n8nNodesApiVersion !== 1)
		problems.push('package.json n8n.n8nNodesApiVersion must be 1');
	if ((pkg.n8n?.nodes ?? []).length === 0) problems.push('package.json n8n.nodes is empty');
	for (const entry of entries) {
		if (!packed.files.includes(entry))
			problems.push(`n8n entry ${entry} is not in the packed tarball`);
		if (!existsSync(join(packageDir, entry)))
			problems.push(`n8n entry ${entry} is missing after install`);
	}
	problems.push(...checkRuntimeRequires(packageDir));
	return problems;
}

/**
 * Modules the packed code loads at run time. With no `dependencies`, each must be a Node builtin or a
 * module n8n itself provides on NODE_PATH (the community-node allow-list: n8n-workflow, zod, lodash,
 * moment, luxon, p-limit); running the workflows then proves n8n resolves them.
 */
export function checkRuntimeRequires(packageDir: string): string[] {
	const allowed = new Set([
		'n8n-workflow',
		'zod',
		'lodash',
		'moment',
		'luxon',
		'p-limit',
		'crypto',
	]);
	const problems: string[] = [];
	const walk = (dir: string): string[] =>
		readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
			e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.js') ? [join(dir, e.name)] : [],
		);
	for (const file of walk(join(packageDir, 'dist'))) {
		const source = readFileSync(file, 'utf8');
		for (const match of source.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)) {
			const id = match[1];
			if (id.startsWith('.') || id.startsWith('node:') || builtinModules.includes(id)) continue;
			const root = id.startsWith('@') ? id.split('/').slice(0, 2).join('/') : id.split('/')[0];
			if (!allowed.has(root))
				problems.push(
					`${file.slice(packageDir.length + 1)} requires "${id}", which n8n does not provide to community nodes`,
				);
		}
	}
	return problems;
}
