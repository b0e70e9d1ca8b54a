/**
 * Runs the local Paqtana sandbox until Ctrl+C.
 * Usage: node build/sandbox/cli.js [--port 5680] [--host 127.0.0.1] [--token T] [--org O]
 */
import { parseArgs } from 'node:util';
import { startSandbox, type LoggedRequest } from './server';

const USAGE =
	'Usage: node build/sandbox/cli.js [--port 5680] [--host 127.0.0.1] [--token T] [--org O]';

interface CliSettings {
	host: string;
	port: number;
	token: string;
	org: string;
}

function readSettings(args: string[]): CliSettings {
	const { values } = parseArgs({
		args,
		strict: true,
		options: {
			port: { type: 'string', default: '5680' },
			host: { type: 'string', default: '127.0.0.1' },
			token: { type: 'string', default: 'sandbox-token' },
			org: { type: 'string', default: 'DEMO' },
			help: { type: 'boolean', short: 'h', default: false },
		},
	});
	if (values.help) {
		console.log(USAGE);
		process.exit(0);
	}
	const port = Number(values.port);
	if (!/^\d+$/.test(values.port) || port > 65535)
		throw new Error(`--port must be 0..65535, got "${values.port}"`);
	if (values.token.trim() === '' || /\s/.test(values.token))
		throw new Error('--token must be non-empty, without spaces');
	if (values.org === '') throw new Error('--org must not be empty');
	return { host: values.host, port, token: values.token, org: values.org };
}

function describeRequest(entry: LoggedRequest): string {
	const query = new URLSearchParams(entry.query).toString();
	const outcome =
		entry.fault === null ? String(entry.status ?? 'no response') : `fault ${entry.fault}`;
	const rows = entry.rows === null ? '' : ` rows=${entry.rows}`;
	return `${entry.at} ${entry.method} ${entry.path}${query ? `?${query}` : ''} -> ${outcome} bytes=${entry.bodyBytes}${rows}`;
}

async function main(): Promise<void> {
	let settings: CliSettings;
	try {
		settings = readSettings(process.argv.slice(2));
	} catch (error) {
		console.error(`${(error as Error).message}\n${USAGE}`);
		process.exitCode = 2;
		return;
	}

	const sandbox = await startSandbox({
		host: settings.host,
		port: settings.port,
		orgs: { [settings.org]: settings.token },
		onRequest: (entry) => console.log(describeRequest(entry)),
	});
	const inspect = `${sandbox.url}/__sandbox`;
	const org = encodeURIComponent(settings.org);
	console.log(
		[
			'Paqtana sandbox running (Ctrl+C to stop)',
			`  Base URL:  ${sandbox.url}`,
			`  Org code:  ${settings.org}`,
			`  Token:     ${settings.token}`,
			'  Inspect:',
			`    ${inspect}/orgs/${org}/master_inventory`,
			`    ${inspect}/orgs/${org}/historical_demand`,
			`    ${inspect}/orgs/${org}/calculations`,
			`    ${inspect}/requests`,
			`    ${inspect}/faults  (GET stats, POST a fault plan)`,
			`    ${inspect}/reset   (POST)`,
		].join('\n'),
	);

	const stop = (signal: NodeJS.Signals) => {
		console.log(`\n${signal} received, stopping the sandbox.`);
		// Once the server and its connections are closed nothing keeps the process alive: it exits by itself.
		sandbox.close().catch((error: unknown) => {
			console.error(error);
			process.exitCode = 1;
		});
	};
	process.once('SIGINT', stop);
	process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
	console.error(error instanceof Error ? error.message : error);
	process.exitCode = 1;
});
