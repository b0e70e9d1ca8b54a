import { AsyncLocalStorage } from 'node:async_hooks';
import { createRequire } from 'node:module';

import { InstanceSettings } from 'n8n-core';
import { LoggerProxy, type Logger, type LogMetadata } from 'n8n-workflow';

type Token = abstract new (...args: never[]) => unknown;
interface DiContainer {
	set(token: Token, value: unknown): void;
	get<T>(token: abstract new (...args: never[]) => T): T;
}

// n8n-core ships its own @n8n/di and @n8n/backend-common (other versions than the hoisted
// copies), so the container and the Logger token must be the ones n8n-core itself loads.
const coreRequire = createRequire(require.resolve('n8n-core'));
const { Container } = coreRequire('@n8n/di') as { Container: DiContainer };
const { Logger } = coreRequire('@n8n/backend-common') as { Logger: Token };

const logSink = new AsyncLocalStorage<string[]>();

function serialize(metadata: LogMetadata | undefined): string {
	if (metadata === undefined) return '';
	const seen = new WeakSet<object>();
	return ` ${JSON.stringify(metadata, (_key, value: unknown) => {
		if (value instanceof Error) {
			// message/stack are not enumerable: spell them out so secrets inside them are caught too
			return { ...value, name: value.name, message: value.message, stack: value.stack };
		}
		if (typeof value === 'object' && value !== null) {
			if (seen.has(value)) return '[Circular]';
			seen.add(value);
		}
		return typeof value === 'bigint' ? value.toString() : value;
	})}`;
}

function record(level: string, message: string, metadata?: LogMetadata): void {
	logSink.getStore()?.push(`${level}: ${message}${serialize(metadata)}`);
}

/** One logger for LoggerProxy (engine) and the DI Logger (`this.logger` in nodes, ErrorReporter). */
const capturingLogger: Logger & { scoped(): Logger } = {
	error: (message, metadata) => record('error', message, metadata),
	warn: (message, metadata) => record('warn', message, metadata),
	info: (message, metadata) => record('info', message, metadata),
	debug: (message, metadata) => record('debug', message, metadata),
	scoped: () => capturingLogger,
};

let ready = false;

/** Registers the few services n8n-core pulls from the container during an execution. Idempotent. */
export function ensureEnvironment(): void {
	if (ready) return;
	LoggerProxy.init(capturingLogger);
	Container.set(Logger, capturingLogger);
	// The real InstanceSettings reads/creates ~/.n8n/config; executions only read these fields.
	Container.set(InstanceSettings, {
		instanceId: 'harness-instance',
		hmacSignatureSecret: 'harness-hmac-secret',
		n8nFolder: '/nonexistent/n8n-harness',
	});
	// Everything else (ErrorReporter, OutboundHttp, configs) is n8n's own, built by the container
	// on first use; without Sentry the ErrorReporter logs node failures through the Logger above.
	ready = true;
}

/** Runs `fn` collecting every log line emitted in its async context (runs may overlap). */
export async function withLogCapture<T>(
	fn: () => Promise<T>,
): Promise<{ value: T; logs: string[] }> {
	const logs: string[] = [];
	const value = await logSink.run(logs, fn);
	return { value, logs };
}
