/** Jest hooks that give the tests of a file (or describe block) servers started once and cleared before each test. */
import dns from 'node:dns';

import type { Sandbox, SandboxOptions } from '../sandbox/server';
import { startFront, type Front, type FrontOptions } from './reliability/front-server';
import { startTestSandbox } from './support';

/**
 * Registers the hooks that start a server before the tests of the file (or describe block) it is
 * called in, `clear` it before each test and close it after them all. What it returns stands in
 * for the server, so tests use it as they would the server itself although it starts later.
 */
function useServer<T extends object>(
	start: () => Promise<T>,
	clear: (server: T) => void,
	close: (server: T) => Promise<void>,
): T {
	let server: T | undefined;
	const started = (): T => {
		if (server === undefined) throw new Error('the server is used before beforeAll started it');
		return server;
	};
	beforeAll(async () => {
		server = await start();
	});
	afterAll(async () => {
		if (server !== undefined) await close(server);
	});
	beforeEach(() => clear(started()));
	return new Proxy({} as T, {
		get: (_target, key) => {
			const value: unknown = Reflect.get(started(), key);
			// Bound, so a method called through the stand-in runs on the server itself.
			return typeof value === 'function' ? value.bind(started()) : value;
		},
	});
}

/** A test sandbox for the tests of this file or describe block, emptied before each test. */
export function useSandbox(options: SandboxOptions = {}): Sandbox {
	return useServer(
		() => startTestSandbox(options),
		(sandbox) => sandbox.reset(),
		(sandbox) => sandbox.close(),
	);
}

/**
 * A front for the tests of this file or describe block, its request log emptied before each test. The
 * options are read when it starts, after the sandbox it may forward to has started.
 */
export function useFront(options: () => FrontOptions): Front {
	return useServer(
		() => startFront(options()),
		(front) => {
			front.requests.length = 0;
		},
		(front) => front.close(),
	);
}

/**
 * Every DNS lookup fails as for a name that does not exist (ENOTFOUND), so no real query leaves the
 * machine; jest.restoreAllMocks() ends it.
 */
export function failDnsLookups(): void {
	jest.spyOn(dns, 'lookup').mockImplementation(((
		hostname: string,
		_options: unknown,
		callback: (error: Error) => void,
	) => {
		callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }));
	}) as unknown as typeof dns.lookup);
}
