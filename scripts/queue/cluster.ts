/**
 * n8n in queue mode: one main (`n8n start`: editor, REST API, webhooks, enqueues executions) and workers
 * (`n8n worker`: run them), sharing Redis and Postgres. Each process has its own N8N_USER_FOLDER, as each
 * container has its own ~/.n8n, so each needs the community package installed there.
 */
import { join } from 'node:path';

import type { N8nInstall } from '../e2e/install-n8n';
import { N8nInstance, type RunningN8n } from '../e2e/n8n';
import type { PostgresLogin } from './services';

export const N8N_DATABASE = 'n8n';

/**
 * Every variable queue mode needs, the same for main and workers (the README lists them). Lock and
 * stalled-check intervals are shortened so that a killed worker's job is noticed within seconds.
 */
export function queueEnv(redisPort: number, postgres: PostgresLogin): Record<string, string> {
	return {
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: '127.0.0.1',
		QUEUE_BULL_REDIS_PORT: String(redisPort),
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: postgres.host,
		DB_POSTGRESDB_PORT: String(postgres.port),
		DB_POSTGRESDB_DATABASE: N8N_DATABASE,
		DB_POSTGRESDB_USER: postgres.user,
		DB_POSTGRESDB_PASSWORD: postgres.password,
		// Workers decrypt the credentials the main stored: all processes need the same key.
		N8N_ENCRYPTION_KEY: 'paqtana-queue-test-encryption-key',
		// Manual runs (the example, started through the REST API) go to the workers too.
		OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
		QUEUE_WORKER_LOCK_DURATION: '10000',
		QUEUE_WORKER_LOCK_RENEW_TIME: '2000',
		QUEUE_WORKER_STALLED_INTERVAL: '5000',
	};
}

export type Role = 'main' | `worker${number}`;

export interface ClusterOptions {
	install: N8nInstall;
	runRoot: string;
	logDir: string;
	env: Record<string, string>;
}

/** One n8n process of the cluster: its instance (user folder) and, while it runs, the process. */
export class Member {
	running: RunningN8n | undefined;
	private starts = 0;
	/** Output of earlier runs of this member (before a stop or a kill). */
	private earlier: string[] = [];

	constructor(
		readonly role: Role,
		readonly instance: N8nInstance,
	) {}

	get pid(): number | undefined {
		return this.running?.child.pid;
	}

	async start(): Promise<RunningN8n> {
		const log = this.starts++ === 0 ? this.role : `${this.role}-${this.starts}`;
		this.running =
			this.role === 'main' ? await this.instance.start(log) : await this.instance.startWorker(log);
		return this.running;
	}

	/** SIGTERM (n8n's graceful shutdown), SIGKILL after the grace time. */
	async stop(): Promise<void> {
		await this.running?.stop();
		this.forget();
	}

	/** SIGKILL to the whole process group at once, as when a container dies. */
	async kill(): Promise<void> {
		const child = this.running?.child;
		if (child?.pid === undefined) return;
		const exited = new Promise((r) => child.once('exit', r));
		process.kill(-child.pid, 'SIGKILL');
		await exited;
		this.forget();
	}

	private forget(): void {
		if (this.running) this.earlier.push(this.running.output());
		this.running = undefined;
	}

	/** Everything this member logged, over all its starts. */
	logs(): string {
		return [...this.earlier, this.running?.output() ?? ''].join('\n');
	}
}

export function member(role: Role, options: ClusterOptions): Member {
	return new Member(
		role,
		new N8nInstance(options.install, {
			root: join(options.runRoot, role),
			filesDir: join(options.runRoot, role, 'files'),
			logDir: options.logDir,
			extraEnv: options.env,
		}),
	);
}
