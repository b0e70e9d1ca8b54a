/**
 * The n8n editor in a real browser: Debian's Chromium (`apt-get install chromium`) driven by playwright-core.
 * Never a Playwright browser download. Checks the node creator (found by name and by search aliases), the
 * node panel (credential, resource, operation, field mapper with the Paqtana fields and the node's notice
 * beside n8n's "Map Automatically" one, options), an execution of the example workflow and one of the node
 * reading a CSV file (Input Data "CSV File") from the editor, and saves screenshots.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { CHROMIUM, SANDBOX_ORG } from './config';
import { assert, assertEqual, type Checks } from './checks';
import { runOk } from './proc';
import { CREDENTIAL_NAME, PAQTANA_NODE_NAME } from './examples';
import { assertDemandStored } from './stored';
import type { Sandbox } from '../../sandbox/server';
import { autoMapNotice } from '../../nodes/Paqtana/actions/common.descriptions';

export interface EditorCheckOptions {
	checks: Checks;
	label: string;
	url: string;
	sandbox: Sandbox;
	owner: { email: string; password: string };
	inventoryWorkflowId: string;
	demandWorkflowId: string;
	/** The demand example with every field mapped by an expression (for the mapping screenshot). */
	manualMappingWorkflowId: string;
	expectedInventoryRows: number;
	/** Read/Write Files from Disk → Paqtana with Input Data "CSV File", reading examples/data/demand.csv. */
	csvFileWorkflowId: string;
	/** What the sandbox holds after that workflow ran (demandKey → quantity), and the file's data lines. */
	expectedCsvDemand: Map<string, number>;
	csvLines: number;
	/** The inventory example reading a file with two invalid rows, "On Invalid Rows" at its default. */
	invalidRowsErrorWorkflowId: string;
	/**
	 * Where node-creator.png, node-panel-mapping.png, executed-workflow.png, executed-node-output.png and
	 * executed-csv-input.png go.
	 */
	screenshotsDir: string;
	/** Failure screenshots. */
	debugDir: string;
}

const VIEWPORT = { width: 1440, height: 900 };

/** n8n's own notice under "Map Automatically" (its resourceMapper.autoMappingNotice), same in 1.x and 2.x. */
const N8N_AUTO_MAP_NOTICE =
	'make sure the incoming data fields are named the same as the fields in Paqtana';

/** Words from the codex's search aliases that must list the node in the node creator. */
const SEARCH_ALIASES = ['inventory', 'demand'];

/** Installs Debian's chromium with apt-get when it is missing and we are root (a fresh CI machine). */
export async function ensureChromium(logFile: string): Promise<void> {
	if (existsSync(CHROMIUM)) return;
	const root = typeof process.getuid === 'function' && process.getuid() === 0;
	assert(
		root && existsSync('/usr/bin/apt-get'),
		`${CHROMIUM} not found: install Debian's chromium (sudo apt-get install -y chromium)`,
	);
	process.stdout.write("  … installing Debian's chromium with apt-get (about 1 min)\n");
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	await runOk('apt-get', ['update'], { env, timeoutMs: 300_000, logFile });
	await runOk(
		'apt-get',
		['install', '-y', '--no-install-recommends', 'chromium', 'fonts-liberation'],
		{ env, timeoutMs: 600_000, logFile },
	);
	assert(existsSync(CHROMIUM), `apt-get installed chromium, but ${CHROMIUM} is still missing`);
}

export async function launchChromium(): Promise<Browser> {
	assert(
		existsSync(CHROMIUM),
		`${CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium)`,
	);
	// Loaded lazily so the CLI part of the e2e runs even where playwright-core is absent.
	const { chromium, selectors } = await import('playwright-core');
	// n8n marks its elements with data-test-id (Playwright's default is data-testid).
	selectors.setTestIdAttribute('data-test-id');
	return await chromium.launch({
		executablePath: CHROMIUM,
		headless: true,
		args: [
			'--no-sandbox',
			'--disable-dev-shm-usage',
			'--disable-gpu',
			'--no-first-run',
			'--no-default-browser-check',
		],
	});
}

export async function runEditorChecks(o: EditorCheckOptions): Promise<void> {
	const { checks, label } = o;
	mkdirSync(o.screenshotsDir, { recursive: true });
	mkdirSync(o.debugDir, { recursive: true });
	const browser = await checks.check(
		`${label}: Chromium starts (${CHROMIUM}, playwright-core)`,
		async () => {
			await ensureChromium(join(o.debugDir, 'apt-get.log'));
			return await launchChromium();
		},
	);
	if (!browser) return;
	const outside: string[] = [];
	try {
		const context = await browser.newContext({
			viewport: VIEWPORT,
			deviceScaleFactor: 1,
			locale: 'en-US',
			timezoneId: 'UTC',
		});
		context.setDefaultTimeout(30_000);
		const page = await context.newPage();
		// "Leave without saving?" (beforeunload) after looking at a changed node: leave.
		page.on('dialog', (dialog) => void dialog.accept().catch(() => undefined));
		// Loopback only: anything else is blocked and recorded.
		await context.route(
			(url) =>
				!['127.0.0.1', 'localhost'].includes(url.hostname) &&
				!['data:', 'blob:'].includes(url.protocol),
			async (route) => {
				outside.push(route.request().url());
				await route.abort('blockedbyclient');
			},
		);
		const guard = async <T>(name: string, fn: () => Promise<T>): Promise<T | undefined> =>
			await checks.check(`${label}: ${name}`, async () => {
				try {
					return await fn();
				} catch (error) {
					await page
						.screenshot({
							path: join(o.debugDir, `${name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}.png`),
						})
						.catch(() => undefined);
					throw error;
				}
			});

		const loggedIn = await guard('log in to the editor', async () => {
			const response = await page.request.post(`${o.url}/rest/login`, {
				data: {
					emailOrLdapLoginId: o.owner.email,
					email: o.owner.email,
					password: o.owner.password,
				},
			});
			assert(response.ok(), `login answered HTTP ${response.status()}`);
			return true;
		});
		if (!loggedIn) return;

		await guard(
			`node creator finds the node by ${SEARCH_ALIASES.map((a) => `"${a}"`).join(' and ')} (codex aliases)`,
			async () => {
				await openWorkflow(page, o.url, o.inventoryWorkflowId);
				await page.getByTestId('node-creator-plus-button').click();
				const search = page.getByTestId('node-creator-search-bar');
				await search.waitFor();
				const paqtana = page
					.getByTestId('node-creator-item-name')
					.getByText('Paqtana', { exact: true });
				for (const term of SEARCH_ALIASES) {
					// From a search that lists no Paqtana, so an earlier result cannot pass for this one.
					await search.fill('zzqx');
					await paqtana.first().waitFor({ state: 'detached' });
					await search.fill(term);
					await paqtana.first().waitFor();
				}
				await settle(page);
				await page.screenshot({ path: join(o.debugDir, 'node-creator-search-alias.png') });
				await page.keyboard.press('Escape');
			},
		);

		await guard('node creator finds "Paqtana" and shows both actions', async () => {
			await openWorkflow(page, o.url, o.inventoryWorkflowId);
			await page.getByTestId('node-creator-plus-button').click();
			const search = page.getByTestId('node-creator-search-bar');
			await search.waitFor();
			await search.fill('Paqtana');
			const item = page
				.getByTestId('node-creator-item-name')
				.getByText('Paqtana', { exact: true })
				.first();
			await item.waitFor();
			await item.click();
			const creator = page.getByTestId('node-creator');
			await creator.getByText('Replace the master inventory').waitFor();
			await creator.getByText('Create or update historical demand by day and item').waitFor();
			await settle(page);
			await page.screenshot({ path: join(o.screenshotsDir, 'node-creator.png') });
			await page.keyboard.press('Escape');
		});

		await guard(
			'node panel shows credential, resource, operation, field mapper with the Paqtana fields, both "Map Automatically" notices, and options',
			async () => {
				await openWorkflow(page, o.url, o.demandWorkflowId);
				await openNode(page, PAQTANA_NODE_NAME);
				const ndv = page.getByTestId('ndv');
				const credential = ndv.getByTestId('node-credentials-select');
				await credential.waitFor();
				assert(
					(await inputValue(credential)).includes(CREDENTIAL_NAME),
					`credential selector does not show "${CREDENTIAL_NAME}"`,
				);
				await expectParameter(ndv, 'resource', 'Historical Demand');
				await expectParameter(ndv, 'operation', 'Create or Update');
				await ndv.getByTestId('resource-mapper-container').waitFor();
				await ndv.getByText(N8N_AUTO_MAP_NOTICE).first().waitFor();
				// The notice is long: its first sentence identifies it.
				await ndv.getByText(autoMapNotice.displayName.split(',')[0]).first().waitFor();
				await openAddOption(ndv);
				for (const option of [
					'Calculate Order Suggestions',
					'Date Order',
					'Decimal Separator',
					'Dry Run',
					'Duplicate Rows',
					'On Invalid Rows',
				]) {
					await page.getByRole('option', { name: option }).first().waitFor();
				}
				await page.keyboard.press('Escape');
				await chooseMappingMode(page, ndv, /manually/i);
				const fields = ndv.getByTestId('mapping-fields-container');
				for (const field of [
					'Workspace Code (workspaceCode)',
					'Location (location)',
					'Item Code (code)',
					'Date (date)',
					'Quantity (quantity)',
				]) {
					await fields.getByText(field).first().waitFor();
				}
				await settle(page);
				await page.screenshot({ path: join(o.debugDir, 'example-node-panel-manual-mode.png') });
			},
		);

		await guard(
			'node panel of a workflow mapped by hand shows each Paqtana field with its expression',
			async () => {
				await openWorkflow(page, o.url, o.manualMappingWorkflowId);
				await openNode(page, PAQTANA_NODE_NAME);
				const ndv = page.getByTestId('ndv');
				const fields = ndv.getByTestId('mapping-fields-container');
				await fields.waitFor();
				for (const field of [
					'Location (location)',
					'Item Code (code)',
					'Date (date)',
					'Quantity (quantity)',
				]) {
					await fields.getByText(field).first().waitFor();
				}
				await fields.getByText('Warehouse').first().waitFor();
				await settle(page);
				await page.screenshot({ path: join(o.screenshotsDir, 'node-panel-mapping.png') });
			},
		);

		await guard(
			'executing the example workflow in the editor succeeds and shows the output items',
			async () => {
				o.sandbox.reset();
				await runInEditor(page, o.url, o.inventoryWorkflowId, 'canvas-node-status-success');
				const stored = o.sandbox.inventory(SANDBOX_ORG).length;
				assertEqual(stored, o.expectedInventoryRows, 'inventory rows stored by the editor run');
				await settle(page);
				await page.screenshot({ path: join(o.screenshotsDir, 'executed-workflow.png') });
				await openNode(page, PAQTANA_NODE_NAME);
				const output = page.getByTestId('output-panel');
				await output.getByText(String(o.expectedInventoryRows)).first().waitFor();
				await output
					.getByText(/Success/)
					.first()
					.waitFor();
				await output
					.getByText(/Invalid Rows/)
					.first()
					.waitFor();
				await screenshotFreshOutput(
					page,
					output,
					join(o.screenshotsDir, 'executed-node-output.png'),
				);
			},
		);

		await guard(
			'executing Read/Write Files from Disk → Paqtana (Input Data "CSV File") in the editor stores the file\'s demand and shows the success item and hint',
			async () => {
				o.sandbox.reset();
				await runInEditor(page, o.url, o.csvFileWorkflowId, 'canvas-node-status-success');
				assertDemandStored(o.sandbox, o.expectedCsvDemand);
				await openNode(page, PAQTANA_NODE_NAME);
				const ndv = page.getByTestId('ndv');
				await expectParameter(ndv, 'inputData', 'CSV File');
				const output = page.getByTestId('output-panel');
				await output
					.getByText(/Success/)
					.first()
					.waitFor();
				const rows = o.expectedCsvDemand.size.toLocaleString('en-US');
				await output
					.getByText(
						new RegExp(
							`${o.csvLines.toLocaleString('en-US')} input rows → ${rows} rows .*stored in 1 request`,
						),
					)
					.first()
					.waitFor();
				await screenshotFreshOutput(page, output, join(o.screenshotsDir, 'executed-csv-input.png'));
			},
		);

		await guard(
			"a run stopped by invalid rows shows them one per line in the node's error view",
			async () => {
				o.sandbox.reset();
				// n8n 1.x and 2.x mark a failed node with node-issues (there is no canvas-node-status-error).
				await runInEditor(page, o.url, o.invalidRowsErrorWorkflowId, 'node-issues');
				assertEqual(o.sandbox.requests().length, 0, 'requests sent by the stopped run');
				await openNode(page, PAQTANA_NODE_NAME);
				const description = page.getByTestId('node-error-description').first();
				await description.waitFor();
				// innerText keeps rendered line breaks: one line per invalid row, as in the description's text.
				const lines = (await description.innerText()).split('\n').filter((line) => line !== '');
				assert(
					lines.length >= 3 &&
						/^Row \d+: code: /.test(lines[0]) &&
						/^Row \d+: stock: /.test(lines[1]),
					`error description lines: ${JSON.stringify(lines.slice(0, 4))}`,
				);
				await settle(page);
				await page.screenshot({ path: join(o.screenshotsDir, 'invalid-rows-error.png') });
			},
		);

		await checks.check(
			`${label}: no outside requests (n8n's own npm-registry lookup of community-node metadata is blocked)`,
			() => {
				// The node panel footer of every community node makes n8n's editor fetch the package's metadata
				// from registry.npmjs.org (and download counts from api.npmjs.org): n8n's behaviour, not this package's.
				const unexpected = [...new Set(outside)].filter(
					(u) =>
						!/^https:\/\/registry\.npmjs\.org\/n8n-nodes-paqtana$/.test(u) &&
						!/^https:\/\/api\.npmjs\.org\/downloads\/.*\/n8n-nodes-paqtana$/.test(u),
				);
				assert(unexpected.length === 0, `outside requests: ${unexpected.slice(0, 10).join(', ')}`);
			},
		);
	} finally {
		await browser.close().catch(() => undefined);
	}
}

async function openWorkflow(page: Page, url: string, id: string): Promise<void> {
	await page.goto(`${url}/workflow/${id}`);
	await page.getByTestId('canvas-node').first().waitFor({ timeout: 60_000 });
	await dismissPopups(page);
}

/** Opens a workflow, runs it from the editor and waits for the Paqtana node's mark on the canvas. */
async function runInEditor(
	page: Page,
	url: string,
	workflowId: string,
	mark: 'canvas-node-status-success' | 'node-issues',
): Promise<void> {
	await openWorkflow(page, url, workflowId);
	await page.getByTestId('execute-workflow-button').click();
	await page
		.locator(
			`[data-test-id="canvas-node"][data-node-name="${PAQTANA_NODE_NAME}"] [data-test-id="${mark}"]`,
		)
		.waitFor({ timeout: 120_000 });
}

/** Opening the node must not change it (that would mark the run stale and the workflow unsaved). */
async function screenshotFreshOutput(page: Page, output: Locator, path: string): Promise<void> {
	await settle(page);
	assert(
		!(await output.getByTestId('node-run-info-stale').isVisible()),
		'the output is marked stale right after the run',
	);
	await page.screenshot({ path });
}

async function openNode(page: Page, name: string): Promise<void> {
	const node = page.locator(`[data-test-id="canvas-node"][data-node-name="${name}"]`);
	await node.dblclick();
	await page.getByTestId('ndv').waitFor();
}

async function expectParameter(ndv: Locator, name: string, value: string): Promise<void> {
	const input = ndv.getByTestId(`parameter-input-${name}`).locator('input').first();
	await input.waitFor();
	assertEqual(await input.inputValue(), value, `parameter ${name}`);
}

async function chooseMappingMode(page: Page, ndv: Locator, mode: RegExp): Promise<void> {
	await ndv.getByTestId('mapping-mode-select').click();
	await page.getByRole('option', { name: mode }).first().click();
}

async function openAddOption(ndv: Locator): Promise<void> {
	await ndv.getByPlaceholder('Add option').first().click();
}

async function inputValue(scope: Locator): Promise<string> {
	const input = scope.locator('input').first();
	return (await input.count()) > 0 ? await input.inputValue() : await scope.innerText();
}

async function dismissPopups(page: Page): Promise<void> {
	for (const text of ['Got it', 'Skip', 'Close', 'Dismiss']) {
		const button = page.getByRole('button', { name: text, exact: true });
		if (await button.isVisible().catch(() => false)) await button.click().catch(() => undefined);
	}
}

/** Lets animations and lazy panels finish before a screenshot, without n8n's toasts covering the output. */
async function settle(page: Page): Promise<void> {
	for (const close of await page.locator('.el-notification__closeBtn').all())
		await close.click().catch(() => undefined);
	await page.waitForTimeout(800);
}
