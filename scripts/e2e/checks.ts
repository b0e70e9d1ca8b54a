/** A tiny check runner: named checks, timings, a failure list, and the `N passed, N failed` closing line. */
import { formatMs } from './proc';

export interface CheckResult {
	name: string;
	ok: boolean;
	skipped: boolean;
	ms: number;
	error?: string;
}

/** Thrown by `Checks.need` when a prerequisite failed: the rest of that group is skipped. */
export class Blocked extends Error {}

export class Checks {
	readonly results: CheckResult[] = [];

	/** Runs one check; a failure is recorded and returns undefined. */
	async check<T>(name: string, fn: () => Promise<T> | T): Promise<T | undefined> {
		const started = Date.now();
		try {
			const value = await fn();
			const ms = Date.now() - started;
			this.results.push({ name, ok: true, skipped: false, ms });
			process.stdout.write(`  ✔ ${name} (${formatMs(ms)})\n`);
			return value;
		} catch (error) {
			const ms = Date.now() - started;
			const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
			this.results.push({ name, ok: false, skipped: false, ms, error: message });
			process.stdout.write(`  ✘ ${name} (${formatMs(ms)})\n${indent(message)}\n`);
			return undefined;
		}
	}

	/** Like check(), but a failure throws Blocked so the caller can skip what depends on it. */
	async need<T>(name: string, fn: () => Promise<T> | T): Promise<T> {
		const before = this.results.length;
		const value = await this.check(name, fn);
		if (!this.results[before]?.ok) throw new Blocked(name);
		return value as T;
	}

	skip(name: string, reason: string): void {
		this.results.push({ name, ok: false, skipped: true, ms: 0, error: reason });
		process.stdout.write(`  - ${name} (skipped: ${reason})\n`);
	}

	get passed(): number {
		return this.results.filter((r) => r.ok).length;
	}

	get failed(): number {
		return this.results.filter((r) => !r.ok && !r.skipped).length;
	}

	get skipped(): number {
		return this.results.filter((r) => r.skipped).length;
	}

	/** `label` names the test in the closing lines (`<label>: N passed, N failed`). */
	summary(totalMs: number, label = 'e2e'): string {
		const lines = ['', `${label} finished in ${formatMs(totalMs)}`];
		const failures = this.results.filter((r) => !r.ok && !r.skipped);
		if (failures.length > 0) {
			lines.push('Failed checks:');
			for (const f of failures) lines.push(`  ✘ ${f.name}`);
		}
		const skipped = this.skipped > 0 ? `, ${this.skipped} skipped` : '';
		lines.push(`${label}: ${this.passed} passed, ${this.failed} failed${skipped}`);
		return lines.join('\n');
	}
}

export function assert(condition: unknown, message: string): asserts condition {
	if (!condition) throw new Error(message);
}

export function assertEqual<T>(actual: T, expected: T, what: string): void {
	if (actual !== expected)
		throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

function indent(text: string): string {
	return text
		.split('\n')
		.slice(0, 30)
		.map((l) => `      ${l}`)
		.join('\n');
}
