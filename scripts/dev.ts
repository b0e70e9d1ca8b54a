/**
 * `npm run dev`: a real n8n editor on 127.0.0.1 with this package installed the way n8n installs community
 * packages, a local Paqtana sandbox, a "Paqtana Sandbox" credential pointing at it and the example workflows
 * imported (their CSV files ready to read). Prints the URL and the login; Ctrl-C stops everything.
 *
 * Options: --n8n <version or line id> (default 2.41.1; e.g. 1.123.81), --port <n8n port, 5678>,
 *          --sandbox-port <5680>, --fresh (start from an empty n8n user folder).
 * The instance lives in .cache/dev/n8n-<version>/ (git-ignored) and keeps your changes between runs;
 * the example workflows and the credential are re-imported at each start.
 * While it runs, `npx tsc -p tsconfig.json --watch` in another terminal: rebuilt files in dist/ are copied
 * into the installed package and n8n (2.x, N8N_DEV_RELOAD) reloads the node; refresh the editor page.
 */
import { cpSync, existsSync, mkdirSync, rmSync, watch, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { installLikeN8n, packRepository } from './e2e/community-package';
import { OWNER, REPO_ROOT, SANDBOX_ORG, SANDBOX_TOKEN, findLine } from './e2e/config';
import { loadExamples, prepareImport } from './e2e/examples';
import { ensureN8nLines, ensureNode } from './e2e/install-n8n';
import { N8nInstance, N8nRest, type RunningN8n } from './e2e/n8n';
import { formatMs, installExitHandlers, stopAll, tail } from './e2e/proc';
import { startSandbox, type LoggedRequest, type Sandbox } from '../sandbox/server';

/** The newest n8n line (see scripts/e2e/config.ts); `--n8n 1.123.81` picks the 1.x line. */
const DEFAULT_LINE = '2.41.1';

function say(message: string): void {
	process.stdout.write(`[dev] ${message}\n`);
}

function describe(entry: LoggedRequest): string {
	const query = new URLSearchParams(entry.query).toString();
	const rows = entry.rows === null ? '' : `, ${entry.rows} rows`;
	return `${entry.method} ${entry.path}${query ? `?${query}` : ''} → ${entry.status ?? 'no response'} (${entry.bodyBytes} bytes${rows})`;
}

async function main(): Promise<void> {
	const { values } = parseArgs({
		options: {
			n8n: { type: 'string' },
			port: { type: 'string', default: '5678' },
			'sandbox-port': { type: 'string', default: '5680' },
			fresh: { type: 'boolean', default: false },
		},
	});
	const line = findLine(values.n8n ?? DEFAULT_LINE);
	const started = Date.now();
	let sandbox: Sandbox | undefined;
	let n8n: RunningN8n | undefined;
	let stopWatch: (() => void) | undefined;
	let stopping = false;
	const shutdown = async (): Promise<void> => {
		if (stopping) return;
		stopping = true;
		stopWatch?.();
		await n8n?.stop();
		await sandbox?.close();
		say('stopped n8n and the sandbox');
	};
	installExitHandlers(shutdown);

	const [settled] = await ensureN8nLines([line], await ensureNode());
	if (settled.status === 'rejected') throw settled.reason;
	const install = settled.value;
	const node = install.node;

	const root = join(REPO_ROOT, '.cache', 'dev', `n8n-${line.id}`);
	if (values.fresh) rmSync(root, { recursive: true, force: true });
	const filesDir = join(root, 'files');
	const instance = new N8nInstance(install, {
		root,
		filesDir,
		logDir: join(root, 'logs'),
		// Reload the node when dist/ changes (n8n 2.x).
		extraEnv: { N8N_DEV_RELOAD: 'true' },
	});

	say('packing this package and installing it into n8n (as a community package)…');
	const packed = await packRepository(join(root, 'pack'));
	const packageDir = await installLikeN8n(instance.userFolder, packed);
	rmSync(join(root, 'pack'), { recursive: true, force: true });

	sandbox = await startSandbox({
		host: '127.0.0.1',
		port: Number(values['sandbox-port']),
		orgs: { [SANDBOX_ORG]: SANDBOX_TOKEN },
		onRequest: (entry) => say(`sandbox: ${describe(entry)}`),
	});

	say('importing the "Paqtana Sandbox" credential and the example workflows…');
	const workflowsDir = join(root, 'import', 'workflows');
	const credentialFile = join(root, 'import', 'credentials.json');
	rmSync(join(root, 'import'), { recursive: true, force: true });
	mkdirSync(workflowsDir, { recursive: true });
	const examples = loadExamples();
	prepareImport(examples, { workflowsDir, filesDir, credentialFile, sandboxUrl: sandbox.url });
	for (const result of [
		await instance.importCredentials(credentialFile),
		await instance.importWorkflows(workflowsDir),
	]) {
		if (result.code !== 0)
			throw new Error(`n8n import failed:\n${tail(result.stdout + result.stderr, 30)}`);
	}
	rmSync(credentialFile, { force: true });

	say(`starting n8n ${line.version} (Node ${node.version})…`);
	n8n = await instance.start('n8n', Number(values.port));
	const rest = new N8nRest(n8n.url);
	await rest.setupOwner(OWNER);
	writeFileSync(
		join(root, 'README.txt'),
		`n8n ${line.version} for npm run dev. Login: ${OWNER.email} / ${OWNER.password}\n`,
	);

	// Copy rebuilt dist/ files into the installed package (never a symlink: the node must resolve
	// n8n-workflow and zod from n8n, exactly as after a real install).
	const distDir = join(REPO_ROOT, 'dist');
	if (existsSync(distDir)) {
		let timer: NodeJS.Timeout | undefined;
		const watcher = watch(distDir, { recursive: true }, () => {
			if (timer) clearTimeout(timer);
			timer = setTimeout(() => {
				cpSync(distDir, join(packageDir, 'dist'), { recursive: true });
				say('dist/ changed: copied into the installed package (refresh the editor)');
			}, 500);
		});
		stopWatch = () => {
			if (timer) clearTimeout(timer);
			watcher.close();
		};
	}

	const lines = [
		'',
		`  n8n ${line.version} editor:  ${n8n.url}`,
		`  login:                ${OWNER.email}`,
		`  password:             ${OWNER.password}`,
		`  Paqtana sandbox:      ${sandbox.url}  (org ${SANDBOX_ORG}, token ${SANDBOX_TOKEN}; credential "Paqtana Sandbox")`,
		'  example workflows:',
		...examples.map((e) => `    ${e.workflow.name}\n      ${n8n?.url}/workflow/${e.workflow.id}`),
		`  CSV files they read:  ${filesDir}`,
		`  n8n log:              ${n8n.logFile}`,
		'',
		`  ready in ${formatMs(Date.now() - started)}. Press Ctrl-C to stop n8n and the sandbox.`,
		'',
	];
	process.stdout.write(`${lines.join('\n')}\n`);

	const exit = await new Promise<number | null>((resolveExit) =>
		n8n?.child.once('exit', (code) => resolveExit(code)),
	);
	if (stopping) return;
	say(`n8n exited unexpectedly (${exit}); see ${n8n.logFile}`);
	await shutdown();
	await stopAll();
	process.exit(1);
}

main().catch(async (error: unknown) => {
	process.stderr.write(`[dev] ${error instanceof Error ? error.message : String(error)}\n`);
	await stopAll();
	process.exit(1);
});
