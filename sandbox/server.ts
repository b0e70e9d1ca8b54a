/**
 * Local Paqtana sandbox: a dependency-free HTTP server that imitates the documented semantics of
 * Paqtana's Integration API v2 (replace master inventory, upsert historical demand), plus inspection
 * routes and fault injection for tests and demos.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import {
	FaultInjector,
	faultResponse,
	parseFaultPlan,
	type FaultKind,
	type FaultPlan,
	type FaultStats,
} from './faults';
import { SandboxStore, type CalculationRun, type DemandRow, type InventoryRow } from './store';
import { checkDemandRows, checkInventoryRows, type RowsRejected } from './validate';

export type { FaultKind, FaultPlan, FaultStats } from './faults';
export type { CalculationRun, DemandRow, InventoryRow } from './store';
export type { RowProblem } from './validate';

export interface SandboxOptions {
	/** Default '127.0.0.1'. */
	host?: string;
	/** Default 0: any free port. */
	port?: number;
	/** Organization code -> its API token. Default { DEMO: 'sandbox-token' }. */
	orgs?: Record<string, string>;
	/** Largest accepted request body in bytes. Default 32,000,000. */
	maxBodyBytes?: number;
	/** Called with each API request once it is logged (the CLI prints them). */
	onRequest?: (entry: LoggedRequest) => void;
}

/** What the log keeps of the Authorization header: never the token itself. */
export type AuthorizationSummary = 'Bearer ***' | 'missing' | 'malformed';

export interface LoggedRequest {
	seq: number;
	/** Arrival time, ISO 8601. */
	at: string;
	method: string;
	/** Path as received (still percent-encoded), without the query string. */
	path: string;
	query: Record<string, string>;
	/** `null` when no response was sent (hang, reset, dropAfterWrite, or the client went away). */
	status: number | null;
	bodyBytes: number;
	/** Rows in the body when it was parsed as a JSON array, otherwise `null`. */
	rows: number | null;
	fault: FaultKind | null;
	authorization: AuthorizationSummary;
}

export interface Sandbox {
	/** e.g. http://127.0.0.1:43123 (no trailing slash). */
	url: string;
	port: number;
	/** Stored master inventory, in stored order. Throws for an org the sandbox does not know. */
	inventory(org: string): InventoryRow[];
	/** Stored demand rows sorted by workspaceCode, location, code, date. Throws for an unknown org. */
	demand(org: string): DemandRow[];
	/** One run per request with auto_calculate=True. Throws for an unknown org. */
	calculations(org: string): CalculationRun[];
	/** API requests (not /__sandbox ones), oldest first. */
	requests(): LoggedRequest[];
	/** Replaces the active fault plan; throws on an invalid plan. */
	injectFaults(plan: FaultPlan): void;
	faultStats(): FaultStats;
	/** Clears stored data, the request log and faults; keeps organizations and tokens. */
	reset(): void;
	/** Stops listening and destroys every open connection, hanging ones included. */
	close(): Promise<void>;
}

export const DEFAULT_ORGS: Readonly<Record<string, string>> = { DEMO: 'sandbox-token' };
export const DEFAULT_MAX_BODY_BYTES = 32_000_000;
const MAX_FAULT_PLAN_BYTES = 64_000;

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
	const sandbox = new SandboxServer(options);
	await sandbox.listen(options.host ?? '127.0.0.1', options.port ?? 0);
	return sandbox;
}

interface Reply {
	status: number;
	body: unknown;
	headers?: Record<string, string>;
}

interface ApiOutcome extends Reply {
	rows: number | null;
}

interface ReceivedBody {
	/** False when the client went away before sending the whole body. */
	complete: boolean;
	bytes: number;
	/** `null` when the body exceeded the limit (it was counted and drained, not kept). */
	buffer: Buffer | null;
}

interface RequestTarget {
	/** Raw path, without the query string. */
	path: string;
	/** Percent-decoded path segments; `null` when the encoding is broken. */
	segments: string[] | null;
	query: Record<string, string>;
}

type Endpoint = 'master_inventory' | 'historical_demand';
const ENDPOINT_METHODS: Record<Endpoint, string> = {
	master_inventory: 'PUT',
	historical_demand: 'POST',
};

type InspectionHandler = (req: IncomingMessage) => Reply | Promise<Reply>;
type InspectionRoute = Partial<Record<'GET' | 'POST', InspectionHandler>>;

const NOT_FOUND: Reply = { status: 404, body: { error: 'not found' } };

class SandboxServer implements Sandbox {
	url = '';
	port = 0;

	private readonly store = new SandboxStore();
	private readonly faults = new FaultInjector();
	private readonly orgTokens: ReadonlyMap<string, string>;
	private readonly maxBodyBytes: number;
	private readonly onRequest: ((entry: LoggedRequest) => void) | undefined;
	private readonly server: Server;
	private readonly sockets = new Set<Socket>();
	private log: LoggedRequest[] = [];
	private nextSeq = 1;
	private closing: Promise<void> | null = null;

	constructor(options: SandboxOptions) {
		this.orgTokens = new Map(Object.entries(options.orgs ?? DEFAULT_ORGS));
		this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
		this.onRequest = options.onRequest;
		this.server = createServer((req, res) => {
			this.handle(req, res).catch((error: unknown) => replyToUnexpectedError(res, error));
		});
		// Idle keep-alive sockets are left for the client to close (undici closes its own after 4 s). With
		// Node's 5 s server default, a client that stalled its event loop (building a large body in the same
		// process, as tests do) could send on a socket the server was closing that moment: ECONNRESET.
		this.server.keepAliveTimeout = 65_000;
		this.server.on('connection', (socket: Socket) => {
			this.sockets.add(socket);
			socket.once('close', () => this.sockets.delete(socket));
		});
	}

	listen(host: string, port: number): Promise<void> {
		return new Promise((resolve, reject) => {
			this.server.once('error', reject);
			this.server.listen(port, host, () => {
				this.server.off('error', reject);
				this.port = (this.server.address() as AddressInfo).port;
				this.url = `http://${host.includes(':') ? `[${host}]` : host}:${this.port}`;
				resolve();
			});
		});
	}

	inventory(org: string): InventoryRow[] {
		return this.store.inventory(this.knownOrg(org));
	}

	demand(org: string): DemandRow[] {
		return this.store.demand(this.knownOrg(org));
	}

	calculations(org: string): CalculationRun[] {
		return this.store.calculations(this.knownOrg(org));
	}

	requests(): LoggedRequest[] {
		// Entries are recorded when a request finishes, so concurrent requests may land out of arrival order.
		return [...this.log]
			.sort((a, b) => a.seq - b.seq)
			.map((entry) => ({ ...entry, query: { ...entry.query } }));
	}

	injectFaults(plan: FaultPlan): void {
		this.faults.setPlan(plan);
	}

	faultStats(): FaultStats {
		return this.faults.stats();
	}

	reset(): void {
		this.store.clear();
		this.faults.reset();
		this.log = [];
		this.nextSeq = 1;
	}

	close(): Promise<void> {
		this.closing ??= new Promise<void>((resolve, reject) => {
			this.server.close((error) => (error ? reject(error) : resolve()));
			for (const socket of this.sockets) socket.destroy();
		});
		return this.closing;
	}

	private knownOrg(org: string): string {
		if (!this.orgTokens.has(org)) throw new Error(`The sandbox has no organization "${org}".`);
		return org;
	}

	private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const target = parseTarget(req.url ?? '/');
		if (target.segments?.[0] === '__sandbox') {
			send(res, await this.inspect(req, target.segments.slice(1)));
		} else {
			await this.handleApi(req, res, target);
		}
	}

	private async handleApi(
		req: IncomingMessage,
		res: ServerResponse,
		target: RequestTarget,
	): Promise<void> {
		const fault = this.faults.next();
		const header = req.headers.authorization;
		const entry: LoggedRequest = {
			seq: this.nextSeq++,
			at: new Date().toISOString(),
			method: req.method ?? '',
			path: target.path,
			query: this.withoutTokens(target.query),
			status: null,
			bodyBytes: 0,
			rows: null,
			fault: fault?.kind ?? null,
			authorization:
				header === undefined
					? 'missing'
					: bearerToken(header) === null
						? 'malformed'
						: 'Bearer ***',
		};

		// The whole body is read (or drained past the limit) before answering anything, so clients that are
		// still uploading never see the connection torn down under them.
		const body = await receiveBody(req, this.maxBodyBytes);
		entry.bodyBytes = body.bytes;
		if (!body.complete) return this.record(entry);

		const faultStatus = fault && faultResponse(fault.kind);
		if (fault && faultStatus) {
			const headers: Record<string, string> =
				fault.kind === 'status429' ? { 'retry-after': String(fault.retryAfterSeconds) } : {};
			const message = `Sandbox fault injection (${fault.kind}); nothing was stored.`;
			entry.status = send(res, {
				status: faultStatus.status,
				body: { error: faultStatus.error, message },
				headers,
			});
			return this.record(entry);
		}
		if (fault?.kind === 'hang') {
			holdOpen(req.socket, fault.hangMs);
			return this.record(entry);
		}
		if (fault?.kind === 'reset') {
			req.socket.resetAndDestroy();
			return this.record(entry);
		}

		const outcome = this.answerApi(req, target, body);
		entry.rows = outcome.rows;
		if (fault?.kind === 'dropAfterWrite') {
			// The write above is applied; the client just never learns it, as after a lost response.
			req.socket.resetAndDestroy();
		} else {
			entry.status = send(res, outcome);
		}
		this.record(entry);
	}

	/** Applies the vendor's checks in order; stores the rows only when every check passes. */
	private answerApi(req: IncomingMessage, target: RequestTarget, body: ReceivedBody): ApiOutcome {
		const fail = (
			status: number,
			error: string,
			message?: string,
			headers?: Record<string, string>,
		): ApiOutcome => ({
			status,
			body: message === undefined ? { error } : { error, message },
			headers,
			rows: null,
		});

		const segments = target.segments;
		if (segments === null) return fail(400, 'bad request', 'The path has broken percent-encoding.');
		const [version, orgWord, org, endpoint] = segments;
		if (
			segments.length !== 4 ||
			version !== 'v2' ||
			orgWord !== 'org' ||
			!org ||
			!isEndpoint(endpoint)
		) {
			return { ...NOT_FOUND, rows: null };
		}
		const allowedMethod = ENDPOINT_METHODS[endpoint];
		if (req.method !== allowedMethod) {
			return fail(405, 'method not allowed', `Use ${allowedMethod} for ${endpoint}.`, {
				allow: allowedMethod,
			});
		}

		const header = req.headers.authorization;
		if (header === undefined) {
			return fail(
				401,
				'unauthorized',
				'Missing Authorization header; send "Authorization: Bearer <token>".',
			);
		}
		const token = bearerToken(header);
		if (token === null)
			return fail(
				401,
				'unauthorized',
				'Malformed Authorization header; expected "Bearer <token>".',
			);
		const tokenOrgs = this.orgsOfToken(token);
		if (tokenOrgs.length === 0) return fail(401, 'unauthorized', 'The token is not valid.');
		if (!this.orgTokens.has(org)) return fail(404, 'not found', `Unknown organization "${org}".`);
		if (!tokenOrgs.includes(org)) {
			return fail(
				403,
				'forbidden',
				`The token is valid but does not belong to organization "${org}".`,
			);
		}

		if (body.buffer === null) {
			return fail(413, 'payload too large', `The body exceeds ${this.maxBodyBytes} bytes.`, {
				connection: 'close',
			});
		}
		const autoCalculate = parseAutoCalculate(target.query.auto_calculate);
		if (endpoint === 'historical_demand' && autoCalculate === null) {
			return fail(400, 'invalid query', 'auto_calculate must be True or False.');
		}
		let parsed: unknown;
		try {
			parsed = JSON.parse(body.buffer.toString('utf8'));
		} catch (error) {
			return fail(400, 'invalid json', error instanceof Error ? error.message : String(error));
		}
		if (!Array.isArray(parsed))
			return fail(400, 'invalid body', 'The body must be a JSON array of rows.');
		const rows = parsed.length;

		if (endpoint === 'master_inventory') {
			const check = checkInventoryRows(parsed);
			if (!check.ok) return invalidRows(check, rows);
			return { status: 200, body: { stored: this.store.replaceInventory(org, check.rows) }, rows };
		}
		const check = checkDemandRows(parsed);
		if (!check.ok) return invalidRows(check, rows);
		const counts = this.store.upsertDemand(org, check.rows);
		const calculation = autoCalculate ? this.store.recordCalculation(org, new Date()) : null;
		return { status: 200, body: { received: rows, ...counts, calculation }, rows };
	}

	private orgsOfToken(token: string): string[] {
		return [...this.orgTokens].filter(([, orgToken]) => orgToken === token).map(([org]) => org);
	}

	/** A token pasted into the query string must not end up in the log either. */
	private withoutTokens(query: Record<string, string>): Record<string, string> {
		const tokens = new Set(this.orgTokens.values());
		return Object.fromEntries(
			Object.entries(query).map(([name, value]) => [name, tokens.has(value) ? '***' : value]),
		);
	}

	private record(entry: LoggedRequest): void {
		this.log.push(entry);
		this.onRequest?.({ ...entry, query: { ...entry.query } });
	}

	private async inspect(req: IncomingMessage, route: string[]): Promise<Reply> {
		if (!isLoopback(req.socket.remoteAddress)) {
			return {
				status: 403,
				body: { error: 'forbidden', message: 'Inspection routes answer loopback clients only.' },
			};
		}
		const handlers = this.inspectionRoute(route);
		if (handlers === null) return NOT_FOUND;
		const handler =
			req.method === 'GET' || req.method === 'POST' ? handlers[req.method] : undefined;
		if (handler === undefined) {
			const allow = Object.keys(handlers).join(', ');
			return {
				status: 405,
				body: { error: 'method not allowed', message: `Use ${allow}.` },
				headers: { allow },
			};
		}
		return handler(req);
	}

	private inspectionRoute(route: string[]): InspectionRoute | null {
		if (route.length === 3 && route[0] === 'orgs') {
			const [, org, view] = route;
			const read = this.orgView(view);
			if (read === null) return null;
			return {
				GET: () =>
					this.orgTokens.has(org)
						? { status: 200, body: read(org) }
						: {
								status: 404,
								body: { error: 'not found', message: `Unknown organization "${org}".` },
							},
			};
		}
		if (route.length !== 1) return null;
		switch (route[0]) {
			case 'requests':
				return { GET: () => ({ status: 200, body: this.requests() }) };
			case 'reset':
				return {
					POST: () => {
						this.reset();
						return { status: 200, body: { reset: true } };
					},
				};
			case 'faults':
				return {
					GET: () => ({ status: 200, body: this.faultStats() }),
					POST: (req) => this.acceptFaultPlan(req),
				};
			default:
				return null;
		}
	}

	private orgView(view: string): ((org: string) => unknown[]) | null {
		switch (view) {
			case 'master_inventory':
				return (org) => this.inventory(org);
			case 'historical_demand':
				return (org) => this.demand(org);
			case 'calculations':
				return (org) => this.calculations(org);
			default:
				return null;
		}
	}

	private async acceptFaultPlan(req: IncomingMessage): Promise<Reply> {
		const body = await receiveBody(req, MAX_FAULT_PLAN_BYTES);
		if (body.buffer === null) return { status: 413, body: { error: 'payload too large' } };
		try {
			const plan = parseFaultPlan(JSON.parse(body.buffer.toString('utf8')));
			this.faults.setPlan(plan);
			return { status: 200, body: { plan } };
		} catch (error) {
			return {
				status: 400,
				body: { error: 'invalid fault plan', message: (error as Error).message },
			};
		}
	}
}

function invalidRows(check: RowsRejected, rows: number): ApiOutcome {
	const listed =
		check.problemCount > check.details.length ? ` (first ${check.details.length} listed)` : '';
	return {
		status: 400,
		body: {
			error: 'invalid rows',
			message: `${check.problemCount} problem(s) found${listed}; nothing was stored.`,
			details: check.details,
		},
		rows,
	};
}

function isEndpoint(segment: string | undefined): segment is Endpoint {
	return segment === 'master_inventory' || segment === 'historical_demand';
}

/** The token of a well-formed `Bearer <token>` header, else `null`. */
function bearerToken(header: string): string | null {
	return /^Bearer (\S+)$/.exec(header)?.[1] ?? null;
}

/** `true`/`false` for True/False in any letter case, absent = false, anything else = `null` (invalid). */
function parseAutoCalculate(value: string | undefined): boolean | null {
	if (value === undefined) return false;
	const lower = value.toLowerCase();
	if (lower === 'true') return true;
	return lower === 'false' ? false : null;
}

function parseTarget(url: string): RequestTarget {
	const queryStart = url.indexOf('?');
	const path = queryStart === -1 ? url : url.slice(0, queryStart);
	const query = Object.fromEntries(
		new URLSearchParams(queryStart === -1 ? '' : url.slice(queryStart + 1)),
	);
	let segments: string[] | null;
	try {
		segments = path.split('/').slice(1).map(decodeURIComponent);
	} catch {
		segments = null;
	}
	return { path, segments, query };
}

/** Buffers the body up to `limit` bytes; past it keeps counting and discarding so the client can finish. */
function receiveBody(req: IncomingMessage, limit: number): Promise<ReceivedBody> {
	return new Promise((resolve) => {
		let chunks: Buffer[] = [];
		let bytes = 0;
		req.on('data', (chunk: Buffer) => {
			bytes += chunk.length;
			if (bytes <= limit) chunks.push(chunk);
			else chunks = [];
		});
		req.on('end', () =>
			resolve({
				complete: true,
				bytes,
				buffer: bytes <= limit ? Buffer.concat(chunks, bytes) : null,
			}),
		);
		const giveUp = () => resolve({ complete: false, bytes, buffer: null });
		req.on('error', giveUp);
		req.on('close', giveUp); // after 'end' this is a no-op: the promise is already settled
	});
}

/** A `hang` fault: never answer; optionally drop the connection after `hangMs`. */
function holdOpen(socket: Socket, hangMs: number | null): void {
	if (hangMs === null) return;
	const timer = setTimeout(() => socket.destroy(), hangMs);
	socket.once('close', () => clearTimeout(timer));
}

/** Returns the status it sent, for the log. */
function send(res: ServerResponse, reply: Reply): number {
	const text = JSON.stringify(reply.body);
	res.writeHead(reply.status, {
		'content-type': 'application/json',
		'content-length': String(Buffer.byteLength(text)),
		...reply.headers,
	});
	res.end(text);
	return reply.status;
}

function replyToUnexpectedError(res: ServerResponse, error: unknown): void {
	if (res.headersSent) {
		res.destroy();
		return;
	}
	const message = error instanceof Error ? error.message : String(error);
	send(res, { status: 500, body: { error: 'internal sandbox error', message } });
}

function isLoopback(address: string | undefined): boolean {
	if (address === undefined) return false;
	return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}
