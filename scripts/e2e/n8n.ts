/**
 * A throwaway n8n instance: its own N8N_USER_FOLDER, loopback only, telemetry, version checks and templates
 * off. Runs n8n's CLI (import, execute) and `n8n start`, each in its own process group.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { N8nInstall } from './install-n8n';
import {
	leftoverProcesses,
	openLog,
	run,
	spawnTracked,
	stopGroup,
	waitForExit,
	type RunResult,
} from './proc';

export interface InstanceOptions {
	/** Root of the throwaway instance; n8n keeps its data in <root>/user/.n8n. */
	root: string;
	/** Folder n8n may read files from (N8N_RESTRICT_FILE_ACCESS_TO). */
	filesDir: string;
	logDir: string;
	extraEnv?: Record<string, string>;
}

export class N8nInstance {
	readonly userFolder: string;
	readonly home: string;

	constructor(
		readonly install: N8nInstall,
		readonly options: InstanceOptions,
	) {
		this.userFolder = join(options.root, 'user');
		this.home = join(options.root, 'home');
		mkdirSync(this.userFolder, { recursive: true });
		mkdirSync(this.home, { recursive: true });
		mkdirSync(options.filesDir, { recursive: true });
		mkdirSync(options.logDir, { recursive: true });
	}

	get version(): string {
		return this.install.line.version;
	}

	/** Environment for every n8n process of this instance. */
	env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
		const base: NodeJS.ProcessEnv = {};
		// Only what a process needs from the caller: no NODE_OPTIONS, npm_*, NODE_ENV=test (jest) or N8N_* leaking in.
		for (const key of ['PATH', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR']) {
			const value = process.env[key];
			if (value !== undefined) base[key] = value;
		}
		return {
			...base,
			HOME: this.home,
			// `NODE_ENV=test` makes `n8n execute` silently do nothing.
			NODE_ENV: 'production',
			N8N_USER_FOLDER: this.userFolder,
			N8N_LISTEN_ADDRESS: '127.0.0.1',
			N8N_HOST: '127.0.0.1',
			N8N_PROTOCOL: 'http',
			N8N_SECURE_COOKIE: 'false',
			N8N_DIAGNOSTICS_ENABLED: 'false',
			N8N_DIAGNOSTICS_CONFIG_FRONTEND: '',
			N8N_DIAGNOSTICS_CONFIG_BACKEND: '',
			N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
			N8N_VERSION_NOTIFICATIONS_WHATS_NEW_ENABLED: 'false',
			N8N_DYNAMIC_BANNERS_ENABLED: 'false',
			N8N_LICENSE_AUTO_RENEW_ENABLED: 'false',
			N8N_TEMPLATES_ENABLED: 'false',
			N8N_PERSONALIZATION_ENABLED: 'false',
			N8N_HIRING_BANNER_ENABLED: 'false',
			N8N_VERIFIED_PACKAGES_ENABLED: 'false',
			N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
			N8N_REINSTALL_MISSING_PACKAGES: 'false',
			N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'true',
			N8N_RESTRICT_FILE_ACCESS_TO: this.options.filesDir,
			N8N_BLOCK_ENV_ACCESS_IN_NODE: 'true',
			N8N_LOG_LEVEL: 'info',
			N8N_LOG_OUTPUT: 'console',
			EXTERNAL_FRONTEND_HOOKS_URLS: '',
			GENERIC_TIMEZONE: 'UTC',
			...this.install.line.env,
			...(this.options.extraEnv ?? {}),
			...extra,
		};
	}

	/** Runs `n8n <args>` to completion on this instance. */
	async cli(
		args: string[],
		options: {
			timeoutMs: number;
			log: string;
			stdoutFile?: string;
			env?: Record<string, string>;
			measurePeakRss?: boolean;
		},
	): Promise<RunResult> {
		const brokerPort = await freePort();
		return await run(this.install.node.bin, [this.install.bin, ...args], {
			cwd: this.options.root,
			env: this.env({ ...options.env, N8N_RUNNERS_BROKER_PORT: String(brokerPort) }),
			timeoutMs: options.timeoutMs,
			logFile: join(this.options.logDir, `${options.log}.log`),
			stdoutFile: options.stdoutFile,
			measurePeakRss: options.measurePeakRss,
		});
	}

	async importCredentials(file: string): Promise<RunResult> {
		return await this.cli(['import:credentials', `--input=${file}`], {
			timeoutMs: 120_000,
			log: 'import-credentials',
		});
	}

	/** Imports every workflow JSON file in `dir` (one n8n process). */
	async importWorkflows(dir: string): Promise<RunResult> {
		return await this.cli(['import:workflow', '--separate', `--input=${dir}`], {
			timeoutMs: 180_000,
			log: 'import-workflows',
		});
	}

	/** `n8n execute --id=<id> --rawOutput`; parses the run data printed after n8n's log lines. */
	async execute(
		workflowId: string,
		log: string,
		timeoutMs = 300_000,
		extra: { env?: Record<string, string>; measurePeakRss?: boolean } = {},
	): Promise<ExecuteResult> {
		// The run data can be tens of MB: it goes to a file in the instance folder, not into the log.
		const stdoutFile = join(this.options.root, 'executions', `${log}.out`);
		const result = await this.cli(['execute', `--id=${workflowId}`, '--rawOutput'], {
			timeoutMs,
			log,
			stdoutFile,
			...extra,
		});
		const run = parseRunOutput(result.stdout);
		return { ...result, stdout: logLines(result.stdout), run };
	}

	/** Starts `n8n start` and resolves once the editor answers. */
	async start(log = 'n8n-start', port?: number): Promise<RunningN8n> {
		const httpPort = port ?? (await freePort());
		const started = Date.now();
		const running = await this.serve(['start'], {
			log,
			port: httpPort,
			// On 1.x the health endpoint answers before the REST API is up: wait for n8n's own log line.
			ready: /Editor is now accessible/,
			readyText: 'Editor is now accessible',
		});
		try {
			await waitForHttp(`${running.url}/rest/settings`, 60_000);
		} catch (error) {
			await running.stop();
			throw error;
		}
		running.startupMs = Date.now() - started;
		return running;
	}

	/** Starts `n8n worker` (queue mode) and resolves once it waits for jobs. */
	async startWorker(log = 'n8n-worker', extra: Record<string, string> = {}): Promise<RunningN8n> {
		return await this.serve(['worker'], {
			log,
			port: await freePort(),
			ready: /n8n worker is now ready/,
			readyText: 'n8n worker is now ready',
			extra,
		});
	}

	/** Spawns a long-running n8n command and resolves once its log shows `ready`. */
	private async serve(
		args: string[],
		options: {
			log: string;
			port: number;
			ready: RegExp;
			readyText: string;
			extra?: Record<string, string>;
		},
	): Promise<RunningN8n> {
		const brokerPort = await freePort();
		const logFile = join(this.options.logDir, `${options.log}.log`);
		const out = openLog(logFile);
		const child = spawnTracked(this.install.node.bin, [this.install.bin, ...args], {
			cwd: this.options.root,
			env: this.env({
				N8N_PORT: String(options.port),
				N8N_RUNNERS_BROKER_PORT: String(brokerPort),
				...(options.extra ?? {}),
			}),
			stdio: ['ignore', 'pipe', 'pipe'],
			keepGroupOnExit: true,
		});
		let output = '';
		const onData = (b: Buffer): void => {
			out.write(b);
			if (output.length < 2_000_000) output += b.toString('utf8');
		};
		child.stdout?.on('data', onData);
		child.stderr?.on('data', onData);
		const url = `http://127.0.0.1:${options.port}`;
		const started = Date.now();
		const running = new RunningN8n(child, url, options.port, logFile, () => output);
		const command = `n8n ${args.join(' ')}`;
		try {
			await new Promise<void>((resolveReady, reject) => {
				const timer = setInterval(() => {
					if (options.ready.test(output)) {
						clearInterval(timer);
						resolveReady();
					} else if (child.exitCode !== null || child.signalCode !== null) {
						clearInterval(timer);
						reject(
							new Error(
								`${command} exited (${child.exitCode ?? child.signalCode}) before "${options.readyText}"; log: ${logFile}`,
							),
						);
					} else if (Date.now() - started > 180_000) {
						clearInterval(timer);
						reject(
							new Error(
								`${command} did not report "${options.readyText}" within 180 s; log: ${logFile}`,
							),
						);
					}
				}, 200);
			});
		} catch (error) {
			await running.stop();
			throw error;
		}
		running.startupMs = Date.now() - started;
		return running;
	}
}

export interface ExecuteResult extends RunResult {
	run: IRunLike | undefined;
}

/** The parts of n8n's IRun the test reads. */
export interface IRunLike {
	finished?: boolean;
	status?: string;
	data: {
		resultData: {
			error?: { message?: string; description?: string; node?: { name?: string } };
			lastNodeExecuted?: string;
			runData: Record<
				string,
				Array<{
					executionStatus?: string;
					error?: { message?: string; description?: string };
					data?: {
						main: Array<Array<{
							json: Record<string, unknown>;
							binary?: Record<string, Record<string, unknown>>;
						}> | null>;
					};
				}>
			>;
		};
	};
}

/**
 * n8n prints log lines, then the run data as `JSON.stringify(data, null, 2)` in one write, and log lines may
 * follow (a task runner registering late): parse from the first line that is `{` to the first line that is `}`.
 */
export function parseRunOutput(stdout: string): IRunLike | undefined {
	const start = /^\{$/m.exec(stdout);
	if (!start) return undefined;
	const end = /^\}$/m.exec(stdout.slice(start.index));
	if (!end) return undefined;
	try {
		return JSON.parse(stdout.slice(start.index, start.index + end.index + 1)) as IRunLike;
	} catch {
		return undefined;
	}
}

/** The log lines n8n printed before the JSON (for error messages). */
function logLines(stdout: string): string {
	const start = /^\{$/m.exec(stdout);
	if (!start) return stdout.slice(0, 20_000);
	const end = /^\}$/m.exec(stdout.slice(start.index));
	return stdout.slice(0, start.index) + (end ? stdout.slice(start.index + end.index + 2) : '');
}

/** Output items of one node's first run, per output index. */
export function nodeOutput(
	runData: IRunLike | undefined,
	nodeName: string,
): Array<Array<Record<string, unknown>>> {
	const task = runData?.data.resultData.runData[nodeName]?.[0];
	return (task?.data?.main ?? []).map((items) => (items ?? []).map((i) => i.json));
}

/** The first output item's binary field `property` of one node's first run (n8n's metadata, no bytes). */
export function nodeBinary(
	runData: IRunLike | undefined,
	nodeName: string,
	property = 'data',
): Record<string, unknown> | undefined {
	return runData?.data.resultData.runData[nodeName]?.[0]?.data?.main[0]?.[0]?.binary?.[property];
}

export function runError(runData: IRunLike | undefined): string | undefined {
	const error = runData?.data.resultData.error;
	if (!error) return undefined;
	return [error.node?.name, error.message, error.description].filter(Boolean).join(': ');
}

export class RunningN8n {
	startupMs = 0;
	constructor(
		readonly child: ChildProcess,
		readonly url: string,
		readonly port: number,
		readonly logFile: string,
		readonly output: () => string,
	) {}

	async stop(): Promise<void> {
		await stopGroup(this.child, 15_000);
	}

	/**
	 * SIGTERM to n8n alone (as a service manager would), then waits for it to exit; reports how long that
	 * took and which processes of its group (task runners…) were still alive afterwards. Always ends with
	 * the whole group stopped.
	 */
	async stopGracefully(
		timeoutMs = 20_000,
	): Promise<{ exitMs: number; exited: boolean; leftovers: string[] }> {
		const started = Date.now();
		const pid = this.child.pid;
		let exited = this.child.exitCode !== null || this.child.signalCode !== null;
		if (!exited && pid !== undefined) {
			const done = waitForExit(this.child);
			process.kill(pid, 'SIGTERM');
			exited = await Promise.race([
				done.then(() => true),
				new Promise<boolean>((r) => setTimeout(() => r(false), timeoutMs)),
			]);
		}
		const exitMs = Date.now() - started;
		let leftovers: string[] = [];
		if (pid !== undefined) {
			for (let i = 0; i < 30; i++) {
				leftovers = leftoverProcesses(pid).map((p) => `${p.pid} ${p.command}`);
				if (leftovers.length === 0) break;
				await new Promise((r) => setTimeout(r, 100));
			}
		}
		await this.stop();
		return { exitMs, exited, leftovers };
	}
}

export async function freePort(): Promise<number> {
	return await new Promise((resolvePort, reject) => {
		const server = createServer();
		server.unref();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			const port = typeof address === 'object' && address ? address.port : 0;
			server.close(() => resolvePort(port));
		});
	});
}

async function waitForHttp(url: string, timeoutMs: number): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	let last = '';
	while (Date.now() < deadline) {
		try {
			const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
			if (response.ok) return;
			last = `HTTP ${response.status}`;
		} catch (error) {
			last = error instanceof Error ? error.message : String(error);
		}
		await new Promise((r) => setTimeout(r, 300));
	}
	throw new Error(`${url} did not answer within ${timeoutMs} ms (${last})`);
}

/** Minimal REST client for n8n's internal API with the owner's session cookie. */
export class N8nRest {
	private cookie = '';
	constructor(readonly baseUrl: string) {}

	async request<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
		const response = await fetch(`${this.baseUrl}${path}`, {
			method,
			headers: {
				'content-type': 'application/json',
				...(this.cookie ? { cookie: this.cookie } : {}),
				// n8n 1.x rejects state-changing requests without a browser-ish header on some routes.
				'browser-id': 'paqtana-e2e',
			},
			body: body === undefined ? undefined : JSON.stringify(body),
			signal: AbortSignal.timeout(60_000),
		});
		const setCookie = response.headers.getSetCookie?.() ?? [];
		for (const c of setCookie) {
			const pair = c.split(';')[0];
			if (pair.startsWith('n8n-auth=')) this.cookie = pair;
		}
		const text = await response.text();
		if (!response.ok)
			throw new Error(`${method} ${path} → HTTP ${response.status}: ${text.slice(0, 500)}`);
		const parsed = text ? (JSON.parse(text) as { data?: T }) : {};
		return (parsed && typeof parsed === 'object' && 'data' in parsed ? parsed.data : parsed) as T;
	}

	/** Creates the owner on a fresh instance (or logs in when it exists already). */
	async setupOwner(owner: {
		email: string;
		firstName: string;
		lastName: string;
		password: string;
	}): Promise<void> {
		try {
			await this.request('POST', '/rest/owner/setup', owner);
		} catch (error) {
			if (!/HTTP 400|HTTP 403/.test(String(error))) throw error;
			await this.login(owner.email, owner.password);
		}
	}

	async login(email: string, password: string): Promise<void> {
		await this.request('POST', '/rest/login', { emailOrLdapLoginId: email, email, password });
	}
}
