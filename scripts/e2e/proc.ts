/**
 * Child processes that never outlive the script: every child gets its own process group, is tracked,
 * and the whole group (n8n's task runners included) is stopped on completion, timeout, Ctrl-C or exit.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import {
	closeSync,
	createWriteStream,
	mkdirSync,
	openSync,
	readdirSync,
	readFileSync,
	type WriteStream,
} from 'node:fs';
import { dirname } from 'node:path';

const live = new Set<ChildProcess>();
/** Every process group this script started (leader pid = group id). */
const groups = new Set<number>();
let handlersInstalled = false;

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
	if (child.pid === undefined) return;
	try {
		process.kill(-child.pid, signal);
	} catch {
		// group already gone
	}
}

function exited(child: ChildProcess): boolean {
	return child.exitCode !== null || child.signalCode !== null;
}

/** Spawns `command` in a new process group and tracks it until the group is stopped. */
export function spawnTracked(
	command: string,
	args: readonly string[],
	options: SpawnOptions & { keepGroupOnExit?: boolean } = {},
): ChildProcess {
	installExitHandlers();
	const { keepGroupOnExit, ...spawnOptions } = options;
	const child = spawn(command, args, { ...spawnOptions, detached: true });
	live.add(child);
	if (child.pid !== undefined) groups.add(child.pid);
	child.on('exit', () => {
		// A finished leader can leave grandchildren (task runners) behind in its group; unless the caller
		// wants to see whether it does (and stops the group itself), they go now.
		if (!keepGroupOnExit) {
			signalGroup(child, 'SIGKILL');
			live.delete(child);
		}
	});
	child.on('error', () => live.delete(child));
	return child;
}

export function waitForExit(
	child: ChildProcess,
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
	if (exited(child))
		return Promise.resolve({
			code: child.exitCode,
			signal: child.signalCode as NodeJS.Signals | null,
		});
	return new Promise((resolvePromise) => {
		child.once('exit', (code, signal) => resolvePromise({ code, signal }));
	});
}

/** SIGTERM to the group, SIGKILL after `graceMs`; resolves once the leader has exited. */
export async function stopGroup(child: ChildProcess, graceMs = 8000): Promise<void> {
	if (child.pid === undefined) return;
	if (exited(child)) {
		signalGroup(child, 'SIGKILL');
		return;
	}
	const done = waitForExit(child);
	signalGroup(child, 'SIGTERM');
	let timer: NodeJS.Timeout | undefined;
	const timedOut = await Promise.race([
		done.then(() => false),
		new Promise<boolean>((r) => {
			timer = setTimeout(() => r(true), graceMs);
		}),
	]);
	if (timer) clearTimeout(timer);
	if (timedOut) signalGroup(child, 'SIGKILL');
	await done;
	signalGroup(child, 'SIGKILL');
}

export async function stopAll(): Promise<void> {
	await Promise.all([...live].map((c) => stopGroup(c, 5000)));
	live.clear();
}

/**
 * Processes still alive (Linux /proc) in `pgid`'s group, or, without `pgid`, in any group this script
 * started or anywhere below this process (Chromium started by playwright included).
 */
export function leftoverProcesses(pgid?: number): Array<{ pid: number; command: string }> {
	const wanted = pgid === undefined ? groups : new Set([pgid]);
	const table = new Map<number, { ppid: number; pgrp: number }>();
	let entries: string[] = [];
	try {
		entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
	} catch {
		return [];
	}
	for (const entry of entries) {
		try {
			const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
			// pid (comm) state ppid pgrp …; comm may contain spaces and parentheses.
			const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
			if (fields[0] === 'Z') continue;
			table.set(Number(entry), { ppid: Number(fields[1]), pgrp: Number(fields[2]) });
		} catch {
			// process ended meanwhile
		}
	}
	const below = (pid: number): boolean => {
		for (
			let p = table.get(pid)?.ppid, hops = 0;
			p !== undefined && p > 1 && hops < 64;
			p = table.get(p)?.ppid, hops++
		) {
			if (p === process.pid) return true;
		}
		return false;
	};
	const found: Array<{ pid: number; command: string }> = [];
	for (const [pid, info] of table) {
		if (pid === process.pid) continue;
		if (wanted.has(info.pgrp) || (pgid === undefined && below(pid))) {
			let command = '';
			try {
				command = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
					.replace(/\0/g, ' ')
					.trim()
					.slice(0, 160);
			} catch {
				continue;
			}
			found.push({ pid, command });
		}
	}
	return found;
}

function killAllNow(): void {
	for (const child of live) signalGroup(child, 'SIGKILL');
	live.clear();
}

/** Cleanup hooks for the whole script: Ctrl-C/SIGTERM stop every group; any exit kills what is left. */
export function installExitHandlers(onSignal?: () => Promise<void>): void {
	if (handlersInstalled) return;
	handlersInstalled = true;
	process.on('exit', killAllNow);
	let stopping = false;
	const handle = (signal: NodeJS.Signals): void => {
		if (stopping) {
			killAllNow();
			process.exit(130);
		}
		stopping = true;
		process.stderr.write(`\n${signal}: stopping…\n`);
		void (async () => {
			try {
				if (onSignal) await onSignal();
			} finally {
				await stopAll();
				process.exit(signal === 'SIGINT' ? 130 : 143);
			}
		})();
	};
	process.on('SIGINT', handle);
	process.on('SIGTERM', handle);
	process.on('SIGHUP', handle);
}

export interface RunOptions {
	cwd?: string;
	env?: NodeJS.ProcessEnv;
	timeoutMs: number;
	/** Output (stdout and stderr) is also appended to this file. */
	logFile?: string;
	/** Keep stdout in memory (default true). */
	captureStdout?: boolean;
	/**
	 * Send stdout to this file instead of a pipe, and read it back at the end. Use it for big outputs of
	 * programs that call process.exit() right after writing (n8n execute): pipe writes still pending at
	 * exit are lost, file writes are synchronous.
	 */
	stdoutFile?: string;
	/** Sample the process's peak resident memory (Linux VmHWM) while it runs. */
	measurePeakRss?: boolean;
}

export interface RunResult {
	code: number | null;
	signal: NodeJS.Signals | null;
	stdout: string;
	stderr: string;
	durationMs: number;
	timedOut: boolean;
	/** Peak resident memory of the command's own process in bytes (with measurePeakRss; last sample). */
	peakRssBytes?: number;
}

/** VmHWM (the kernel's high-water mark of resident memory) of `pid` in bytes, if readable. */
function peakRss(pid: number): number | undefined {
	try {
		const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
		return match ? Number(match[1]) * 1024 : undefined;
	} catch {
		return undefined;
	}
}

export function openLog(file: string): WriteStream {
	mkdirSync(dirname(file), { recursive: true });
	return createWriteStream(file, { flags: 'a' });
}

/** Runs a command to completion (or kills its group at the timeout) and returns its output. */
export async function run(
	command: string,
	args: readonly string[],
	options: RunOptions,
): Promise<RunResult> {
	const started = Date.now();
	const log = options.logFile ? openLog(options.logFile) : undefined;
	log?.write(`\n$ ${command} ${args.join(' ')}\n`);
	let stdoutFd: number | undefined;
	if (options.stdoutFile) {
		mkdirSync(dirname(options.stdoutFile), { recursive: true });
		stdoutFd = openSync(options.stdoutFile, 'w');
	}
	const child = spawnTracked(command, args, {
		cwd: options.cwd,
		env: options.env,
		stdio: ['ignore', stdoutFd ?? 'pipe', 'pipe'],
	});
	if (stdoutFd !== undefined) closeSync(stdoutFd);
	const out: Buffer[] = [];
	const err: Buffer[] = [];
	child.stdout?.on('data', (b: Buffer) => {
		if (options.captureStdout !== false) out.push(b);
		log?.write(b);
	});
	child.stderr?.on('data', (b: Buffer) => {
		err.push(b);
		log?.write(b);
	});
	let timedOut = false;
	const timer = setTimeout(() => {
		timedOut = true;
		void stopGroup(child, 3000);
	}, options.timeoutMs);
	// A high-water mark: sampling it often enough only risks missing growth in the last interval.
	let peakRssBytes: number | undefined;
	const sampler =
		options.measurePeakRss && child.pid !== undefined
			? setInterval(() => {
					peakRssBytes = peakRss(child.pid as number) ?? peakRssBytes;
				}, 100)
			: undefined;
	const spawnError = new Promise<Error>((r) => child.once('error', r));
	const outcome = await Promise.race([waitForExit(child), spawnError]);
	clearTimeout(timer);
	if (sampler) clearInterval(sampler);
	if (outcome instanceof Error) {
		log?.end();
		throw new Error(`Could not start ${command}: ${outcome.message}`);
	}
	// Let the pipes drain.
	await Promise.all([
		new Promise((r) =>
			child.stdout && !child.stdout.readableEnded ? child.stdout.once('close', r) : r(null),
		),
		new Promise((r) =>
			child.stderr && !child.stderr.readableEnded ? child.stderr.once('close', r) : r(null),
		),
	]);
	await new Promise((r) => (log ? log.end(r) : r(null)));
	const stdout = options.stdoutFile
		? options.captureStdout === false
			? ''
			: readFileSync(options.stdoutFile, 'utf8')
		: Buffer.concat(out).toString('utf8');
	return {
		code: outcome.code,
		signal: outcome.signal,
		stdout,
		stderr: Buffer.concat(err).toString('utf8'),
		durationMs: Date.now() - started,
		timedOut,
		peakRssBytes,
	};
}

/** Like run() but throws with the output tail when the command fails or times out. */
export async function runOk(
	command: string,
	args: readonly string[],
	options: RunOptions,
): Promise<RunResult> {
	const result = await run(command, args, options);
	if (result.timedOut || result.code !== 0) {
		const why = result.timedOut
			? `timed out after ${options.timeoutMs} ms`
			: `exited with ${result.code ?? result.signal}`;
		throw new Error(
			`${command} ${args.join(' ')} ${why}\n${tail(result.stderr || result.stdout, 40)}`,
		);
	}
	return result;
}

export function tail(text: string, lines: number): string {
	return text.split('\n').slice(-lines).join('\n');
}

export function formatMs(ms: number): string {
	return ms >= 60_000
		? `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`
		: `${(ms / 1000).toFixed(1)}s`;
}
