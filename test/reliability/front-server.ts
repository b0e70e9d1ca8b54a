/**
 * A tiny scriptable HTTP front on 127.0.0.1 for tests: it answers requests itself (any status, headers and
 * body), forwards them to a target (the sandbox) like a reverse proxy, optionally under a path prefix, or
 * forwards and then drops the connection so the answer is lost. It records every request it receives.
 */
import {
	createServer,
	request as httpRequest,
	type IncomingHttpHeaders,
	type IncomingMessage,
	type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface FrontRequest {
	/** Arrival order, from 1. */
	seq: number;
	/** Date.now() when the request (head) arrived. */
	at: number;
	method: string;
	/** As received, with the query string. */
	url: string;
	headers: IncomingHttpHeaders;
	body: string;
	/** Set when the client closed the connection before the front finished answering. */
	abandoned: boolean;
}

export type FrontAction =
	| 'forward'
	/** Forward, let the target apply it, then destroy the client connection: the answer is lost. */
	| 'forwardThenDrop'
	/** Destroy the connection without forwarding or answering. */
	| 'reset'
	/** Never answer; the connection stays open until the client gives up. */
	| 'hang'
	/** Send the head and then the body one byte every `everyMs` (a stalled or very slow server). */
	| { trickle: { status: number; body: string; everyMs: number } }
	/** Send the head and the first half of the body, then stall or close the connection. */
	| { partial: { status: number; body: string; then: 'stall' | 'close' } }
	| { status: number; headers?: Record<string, string>; body?: unknown };

export interface Front {
	url: string;
	requests: FrontRequest[];
	close(): Promise<void>;
}

export interface FrontOptions {
	/** Where 'forward' sends requests, e.g. the sandbox URL. */
	target?: string;
	/** Only paths starting with this prefix are served (others get 404); the prefix is removed before forwarding. */
	stripPrefix?: string;
	/** Decides each request; default: forward everything. */
	decide?: (request: FrontRequest) => FrontAction;
}

function readBody(req: IncomingMessage): Promise<string> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
		req.on('error', reject);
	});
}

function forward(
	target: string,
	path: string,
	incoming: FrontRequest,
): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
	const url = new URL(path, target);
	const headers = { ...incoming.headers, host: url.host };
	delete headers['content-length'];
	const body = Buffer.from(incoming.body, 'utf8');
	return new Promise((resolve, reject) => {
		const outgoing = httpRequest(
			url,
			{
				method: incoming.method,
				headers: { ...headers, 'content-length': String(body.length) },
				agent: false,
			},
			(res) => {
				const chunks: Buffer[] = [];
				res.on('data', (chunk: Buffer) => chunks.push(chunk));
				res.on('end', () =>
					resolve({
						status: res.statusCode ?? 502,
						headers: res.headers,
						body: Buffer.concat(chunks),
					}),
				);
				res.on('error', reject);
			},
		);
		outgoing.on('error', reject);
		outgoing.end(body);
	});
}

export async function startFront(options: FrontOptions = {}): Promise<Front> {
	const requests: FrontRequest[] = [];
	const sockets = new Set<Socket>();
	const decide = options.decide ?? (() => 'forward' as const);

	const handle = async (req: IncomingMessage, res: ServerResponse) => {
		const at = Date.now();
		const body = await readBody(req);
		const entry: FrontRequest = {
			seq: requests.length + 1,
			at,
			method: req.method ?? '',
			url: req.url ?? '/',
			headers: req.headers,
			body,
			abandoned: false,
		};
		res.once('close', () => {
			if (!res.writableFinished) entry.abandoned = true;
		});
		requests.push(entry);
		let path = entry.url;
		if (options.stripPrefix !== undefined) {
			if (!path.startsWith(options.stripPrefix + '/')) {
				res.writeHead(404, { 'content-type': 'application/json' });
				res.end(
					JSON.stringify({
						error: 'not found',
						message: `front only serves ${options.stripPrefix}/…`,
					}),
				);
				return;
			}
			path = path.slice(options.stripPrefix.length);
		}
		const action = decide(entry);
		if (action === 'reset') {
			req.socket.resetAndDestroy();
			return;
		}
		if (action === 'hang') return;
		if (typeof action === 'object' && 'trickle' in action) {
			const { status, body: text, everyMs } = action.trickle;
			res.writeHead(status, {
				'content-type': 'application/json',
				'content-length': String(Buffer.byteLength(text)),
			});
			let sent = 0;
			const timer = setInterval(() => {
				if (sent < text.length) res.write(text[sent++]);
				else {
					clearInterval(timer);
					res.end();
				}
			}, everyMs);
			res.once('close', () => clearInterval(timer));
			return;
		}
		if (typeof action === 'object' && 'partial' in action) {
			const { status, body: text, then } = action.partial;
			res.writeHead(status, {
				'content-type': 'application/json',
				'content-length': String(Buffer.byteLength(text)),
			});
			res.write(text.slice(0, Math.floor(text.length / 2)));
			if (then === 'close') setTimeout(() => req.socket.destroy(), 20);
			return;
		}
		if (action === 'forward' || action === 'forwardThenDrop') {
			if (options.target === undefined) throw new Error('front has no target to forward to');
			const answer = await forward(options.target, path, entry);
			if (action === 'forwardThenDrop') {
				req.socket.resetAndDestroy();
				return;
			}
			const headers = { ...answer.headers };
			delete headers['transfer-encoding'];
			delete headers.connection;
			delete headers['keep-alive'];
			res.writeHead(answer.status, headers);
			res.end(answer.body);
			return;
		}
		const text =
			action.body === undefined
				? ''
				: typeof action.body === 'string'
					? action.body
					: JSON.stringify(action.body);
		res.writeHead(action.status, { 'content-type': 'application/json', ...action.headers });
		res.end(text);
	};

	const server = createServer((req, res) => {
		handle(req, res).catch((error: unknown) => {
			if (!res.headersSent) {
				res.writeHead(500, { 'content-type': 'application/json' });
				res.end(JSON.stringify({ error: 'front failed', message: String(error) }));
			} else res.destroy();
		});
	});
	server.on('connection', (socket: Socket) => {
		sockets.add(socket);
		socket.once('close', () => sockets.delete(socket));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		requests,
		close: () =>
			new Promise<void>((resolve) => {
				for (const socket of sockets) socket.destroy();
				server.close(() => resolve());
			}),
	};
}
