/**
 * The two services n8n's queue mode needs, as throwaway processes: Redis (the job queue) and a Postgres
 * cluster (n8n's database and the ERP database the example reads), each on a free loopback port of its
 * own, with its data in a folder under the run's temp folder. Debian's packages are installed with
 * apt-get when missing (that needs root, as in CI). Postgres refuses to run as root: as root, the
 * cluster runs as the `postgres` system user (created by the Debian package) through `runuser`.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { freePort } from '../e2e/n8n';
import { openLog, runOk, spawnTracked, stopGroup, waitForExit } from '../e2e/proc';
import type { ChildProcess } from 'node:child_process';

const POSTGRES_ROOT = '/usr/lib/postgresql';

export interface ServiceOptions {
	/** Parent folder of the data folders (removed by the caller). */
	root: string;
	logDir: string;
}

/** The newest `/usr/lib/postgresql/<major>/bin`, or undefined when Postgres is not installed. */
export function postgresBinDir(): string | undefined {
	if (!existsSync(POSTGRES_ROOT)) return undefined;
	const majors = readdirSync(POSTGRES_ROOT)
		.filter((entry) => existsSync(join(POSTGRES_ROOT, entry, 'bin', 'initdb')))
		.sort((a, b) => Number(b) - Number(a));
	return majors.length > 0 ? join(POSTGRES_ROOT, majors[0], 'bin') : undefined;
}

function onPath(command: string): boolean {
	return (process.env.PATH ?? '')
		.split(':')
		.some((dir) => dir !== '' && existsSync(join(dir, command)));
}

const isRoot = (): boolean => process.getuid?.() === 0;

/**
 * Installs Debian's redis-server and postgresql when their programs are missing. Without root there is
 * no apt-get: the error says what to install.
 */
export async function ensureServicePackages(logFile: string): Promise<string[]> {
	const missing: string[] = [];
	if (!onPath('redis-server') && !existsSync('/usr/bin/redis-server')) missing.push('redis-server');
	if (postgresBinDir() === undefined || !onPath('psql')) missing.push('postgresql');
	if (missing.length === 0) return [];
	if (!isRoot())
		throw new Error(
			`${missing.join(' and ')} missing and this is not root: run ` +
				`"apt-get install -y ${missing.join(' ')}" as root first`,
		);
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	await runOk('apt-get', ['update', '-q'], { env, timeoutMs: 600_000, logFile });
	await runOk('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...missing], {
		env,
		timeoutMs: 900_000,
		logFile,
	});
	return missing;
}

/** A long-running service process with its log, stopped (whole process group) by stop(). */
abstract class Service {
	protected output = '';

	constructor(
		protected readonly child: ChildProcess,
		readonly port: number,
		readonly logFile: string,
	) {
		const log = openLog(logFile);
		const collect = (chunk: Buffer): void => {
			log.write(chunk);
			if (this.output.length < 1_000_000) this.output += chunk.toString('utf8');
		};
		child.stdout?.on('data', collect);
		child.stderr?.on('data', collect);
	}

	protected async waitForLog(pattern: RegExp, what: string, timeoutMs = 60_000): Promise<void> {
		const deadline = Date.now() + timeoutMs;
		while (!pattern.test(this.output)) {
			if (this.child.exitCode !== null || this.child.signalCode !== null)
				throw new Error(`${what} exited before it was ready; log: ${this.logFile}`);
			if (Date.now() > deadline)
				throw new Error(`${what} not ready within ${timeoutMs / 1000} s; log: ${this.logFile}`);
			await new Promise((r) => setTimeout(r, 100));
		}
	}

	async stop(): Promise<void> {
		await stopGroup(this.child, 15_000);
	}
}

export class Redis extends Service {
	static async start(options: ServiceOptions): Promise<Redis> {
		const port = await freePort();
		const dir = join(options.root, 'redis');
		mkdirSync(dir, { recursive: true });
		// No persistence: the queue only has to live as long as the test.
		const child = spawnTracked(
			'redis-server',
			[
				'--port',
				String(port),
				'--bind',
				'127.0.0.1',
				'--dir',
				dir,
				'--save',
				'',
				'--appendonly',
				'no',
				'--daemonize',
				'no',
			],
			{ stdio: ['ignore', 'pipe', 'pipe'] },
		);
		const redis = new Redis(child, port, join(options.logDir, 'redis.log'));
		await redis.waitForLog(/Ready to accept connections/, 'redis-server');
		return redis;
	}
}

export interface PostgresLogin {
	host: string;
	port: number;
	user: string;
	password: string;
}

export class Postgres extends Service {
	static readonly user = 'postgres';
	static readonly password = 'paqtana-queue-test';
	private scripts = 0;

	private constructor(
		child: ChildProcess,
		port: number,
		logFile: string,
		private readonly binDir: string,
		private readonly scratchDir: string,
	) {
		super(child, port, logFile);
	}

	get login(): PostgresLogin {
		return { host: '127.0.0.1', port: this.port, user: Postgres.user, password: Postgres.password };
	}

	/**
	 * initdb into `<root>/postgres` (password login on loopback TCP only, no Unix socket outside the data
	 * folder), then runs `postgres` in the foreground so that it belongs to this script's process groups.
	 */
	static async start(options: ServiceOptions): Promise<Postgres> {
		const binDir = postgresBinDir();
		if (binDir === undefined) throw new Error(`no Postgres under ${POSTGRES_ROOT}`);
		const dataDir = join(options.root, 'postgres');
		const logFile = join(options.logDir, 'postgres.log');
		mkdirSync(dataDir, { recursive: true, mode: 0o700 });
		const passwordFile = join(options.root, 'postgres-password');
		writeFileSync(passwordFile, `${Postgres.password}\n`, { mode: 0o644 });
		if (isRoot()) {
			// The run folder is root's (0700): the postgres user may pass through it, and owns its own folder.
			await runOk('chmod', ['0711', options.root], { timeoutMs: 10_000 });
			await runOk('chown', ['postgres:postgres', dataDir], { timeoutMs: 10_000 });
		}
		await runOk(
			...asPostgresUser(join(binDir, 'initdb'), [
				'-D',
				dataDir,
				'-U',
				Postgres.user,
				`--pwfile=${passwordFile}`,
				'--auth=scram-sha-256',
				'--encoding=UTF8',
				'--locale=C',
				'--no-sync',
			]),
			{ timeoutMs: 120_000, logFile },
		);
		const port = await freePort();
		const child = spawnTracked(
			...asPostgresUser(join(binDir, 'postgres'), [
				'-D',
				dataDir,
				'-p',
				String(port),
				'-c',
				'listen_addresses=127.0.0.1',
				'-c',
				`unix_socket_directories=${dataDir}`,
				'-c',
				'fsync=off',
				'-c',
				'timezone=UTC',
				'-c',
				'max_connections=100',
			]),
			{ stdio: ['ignore', 'pipe', 'pipe'] },
		);
		const postgres = new Postgres(child, port, logFile, binDir, options.root);
		await postgres.waitForLog(/database system is ready to accept connections/, 'postgres');
		return postgres;
	}

	/**
	 * Runs SQL with psql (stops at the first error; `\\copy` works, files are read by psql) and returns its
	 * unaligned, tuples-only output.
	 */
	async sql(database: string, sql: string): Promise<string> {
		const file = join(this.scratchDir, `psql-${++this.scripts}.sql`);
		writeFileSync(file, sql);
		const result = await runOk(
			join(this.binDir, 'psql'),
			[
				...['-h', '127.0.0.1', '-p', String(this.port), '-U', Postgres.user, '-d', database],
				...['-v', 'ON_ERROR_STOP=1', '-X', '-q', '-A', '-t', '-f', file],
			],
			{
				env: {
					...process.env,
					PGPASSWORD: Postgres.password,
					PGOPTIONS: '--client-min-messages=warning',
				},
				timeoutMs: 300_000,
			},
		);
		return result.stdout.trim();
	}

	async createDatabase(name: string): Promise<void> {
		await this.sql('postgres', `CREATE DATABASE ${name};`);
	}

	/** Fast shutdown (SIGINT: sessions are cut, no waiting for clients), then the whole group. */
	override async stop(): Promise<void> {
		if (this.child.pid !== undefined && this.child.exitCode === null) {
			try {
				process.kill(-this.child.pid, 'SIGINT');
			} catch {
				// already gone
			}
			await Promise.race([waitForExit(this.child), new Promise((r) => setTimeout(r, 10_000))]);
		}
		await super.stop();
	}
}

/** The command line running `bin` as the postgres system user when this script is root. */
function asPostgresUser(bin: string, args: string[]): [string, string[]] {
	return isRoot() ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
}
