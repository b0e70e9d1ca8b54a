/**
 * What the queue test does through n8n's REST API and webhooks, as a user or a caller would: create
 * credentials and workflows, activate them, call their production webhooks, start a manual run, and read
 * the execution records (status, error) back. Which worker ran an execution comes from the workers' own
 * log lines ("Worker started execution <id> (job <n>)"): n8n 2.41.1's execution records do not keep it.
 */
import { readFileSync } from 'node:fs';

import type { N8nRest } from '../e2e/n8n';
import type { Workflow } from '../e2e/examples';
import type { Member } from './cluster';

export const TERMINAL_STATUSES = ['success', 'error', 'crashed', 'canceled'];

export interface ExecutionRecord {
	id: string;
	workflowId: string;
	mode: string;
	status: string;
	startedAt?: string | null;
	stoppedAt?: string | null;
	/** The run data as n8n stores it (a flatted JSON string), on single-execution reads only. */
	data?: string;
}

export async function createCredential(
	rest: N8nRest,
	name: string,
	type: string,
	data: Record<string, unknown>,
): Promise<{ id: string; name: string }> {
	const created = await rest.request<{ id: string; name: string }>('POST', '/rest/credentials', {
		name,
		type,
		data,
	});
	return { id: created.id, name: created.name };
}

/** Saves `workflow` as a new, inactive workflow; n8n chooses its id. */
export async function createWorkflow(
	rest: N8nRest,
	workflow: Omit<Workflow, 'id'>,
): Promise<{ id: string; versionId: string }> {
	const body: Record<string, unknown> = { ...workflow };
	delete body.id;
	delete body.active;
	return await rest.request<{ id: string; versionId: string }>('POST', '/rest/workflows', body);
}

/** Activates (publishes) a workflow: its production webhooks start answering. */
export async function activate(
	rest: N8nRest,
	workflow: { id: string; versionId: string },
): Promise<void> {
	await rest.request('POST', `/rest/workflows/${workflow.id}/activate`, {
		versionId: workflow.versionId,
	});
}

/** POSTs `body` to a production webhook; the workflows answer as soon as the execution is queued. */
export async function callWebhook(baseUrl: string, path: string, body: unknown): Promise<void> {
	const response = await fetch(`${baseUrl}/webhook/${path}`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(body),
		signal: AbortSignal.timeout(60_000),
	});
	const text = await response.text();
	if (!response.ok)
		throw new Error(`webhook ${path} answered HTTP ${response.status}: ${text.slice(0, 300)}`);
}

export async function executionsOf(rest: N8nRest, workflowId: string): Promise<ExecutionRecord[]> {
	const filter = encodeURIComponent(JSON.stringify({ workflowId }));
	const page = await rest.request<{ results: ExecutionRecord[] }>(
		'GET',
		`/rest/executions?filter=${filter}&limit=100`,
	);
	return page.results.map((r) => ({ ...r, id: String(r.id) }));
}

export async function execution(rest: N8nRest, id: string): Promise<ExecutionRecord> {
	const record = await rest.request<ExecutionRecord>('GET', `/rest/executions/${id}`);
	return { ...record, id: String(record.id) };
}

async function poll<T>(
	what: string,
	timeoutMs: number,
	attempt: () => Promise<T | undefined>,
): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await attempt();
		if (value !== undefined) return value;
		if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
		await new Promise((r) => setTimeout(r, 500));
	}
}

/** Waits until `count` executions of the workflow exist and all have ended; returns them. */
export async function waitForExecutions(
	rest: N8nRest,
	workflowId: string,
	count: number,
	timeoutMs: number,
): Promise<ExecutionRecord[]> {
	let last: ExecutionRecord[] = [];
	try {
		return await poll(
			`${count} finished executions of workflow ${workflowId}`,
			timeoutMs,
			async () => {
				last = await executionsOf(rest, workflowId);
				const ended = last.filter((e) => TERMINAL_STATUSES.includes(e.status));
				return last.length >= count && ended.length === last.length ? last : undefined;
			},
		);
	} catch (error) {
		const states = last.map((e) => `${e.id}:${e.status}`).join(', ');
		throw new Error(`${(error as Error).message} (seen: ${states || 'none'})`);
	}
}

/**
 * Waits until execution `id` of `workflowId` has ended. Polls the list (no run data): reading a single
 * execution loads all of its run data, which for 300,000 rows took longer than a minute.
 */
export async function waitForExecution(
	rest: N8nRest,
	workflowId: string,
	id: string,
	timeoutMs: number,
): Promise<ExecutionRecord> {
	return await poll(`execution ${id} to end`, timeoutMs, async () => {
		const record = (await executionsOf(rest, workflowId)).find((e) => e.id === id);
		return record && TERMINAL_STATUSES.includes(record.status) ? record : undefined;
	});
}

/** The one execution of `workflowId` newer than `known` (ids are increasing numbers). */
export async function waitForNewExecution(
	rest: N8nRest,
	workflowId: string,
	known: ReadonlySet<string>,
	timeoutMs: number,
): Promise<ExecutionRecord> {
	return await poll(`a new execution of workflow ${workflowId}`, timeoutMs, async () =>
		(await executionsOf(rest, workflowId)).find((e) => !known.has(e.id)),
	);
}

/** Execution id → the worker whose log says it started it. */
export function executionsByWorker(workers: readonly Member[]): Map<string, string[]> {
	const byExecution = new Map<string, string[]>();
	for (const worker of workers) {
		for (const match of worker.logs().matchAll(/Worker started execution (\d+) \(job/g)) {
			const list = byExecution.get(match[1]) ?? [];
			list.push(worker.role);
			byExecution.set(match[1], list);
		}
	}
	return byExecution;
}

/** The worker that started execution `id` (exactly one must have). */
export function workerOf(workers: readonly Member[], id: string): string {
	const roles = executionsByWorker(workers).get(id) ?? [];
	if (roles.length !== 1)
		throw new Error(
			`execution ${id} was started by ${roles.length === 0 ? 'no worker' : roles.join(' and ')}`,
		);
	return roles[0];
}

/**
 * Decodes n8n's stored run data (the `flatted` format: a JSON array whose first entry is the value and
 * whose strings inside objects and arrays are indexes of further entries).
 */
export function parseFlatted(text: string): unknown {
	const entries = JSON.parse(text) as unknown[];
	const revived = new Map<number, unknown>();
	const revive = (index: number): unknown => {
		if (revived.has(index)) return revived.get(index);
		const entry = entries[index];
		if (entry === null || typeof entry !== 'object') return entry;
		const copy: Record<string, unknown> | unknown[] = Array.isArray(entry) ? [] : {};
		revived.set(index, copy);
		for (const [key, value] of Object.entries(entry))
			(copy as Record<string, unknown>)[key] =
				typeof value === 'string' ? revive(Number(value)) : value;
		return copy;
	};
	return revive(0);
}

/** The error n8n shows for an execution (the workflow-level error, else the first node error). */
export function executionError(record: ExecutionRecord): string | undefined {
	if (!record.data) return undefined;
	const run = parseFlatted(record.data) as {
		resultData?: {
			error?: { message?: string };
			runData?: Record<string, Array<{ error?: { message?: string } }>>;
		};
	};
	const nodeError = Object.values(run.resultData?.runData ?? {})
		.flat()
		.find((task) => task.error)?.error;
	return run.resultData?.error?.message ?? nodeError?.message;
}

/** The first output item of `nodeName`'s first run, as stored with the execution. */
export function firstOutputItem(
	record: ExecutionRecord,
	nodeName: string,
): Record<string, unknown> | undefined {
	if (!record.data) return undefined;
	const run = parseFlatted(record.data) as {
		resultData?: {
			runData?: Record<
				string,
				Array<{ data?: { main?: Array<Array<{ json: Record<string, unknown> }> | null> } }>
			>;
		};
	};
	return run.resultData?.runData?.[nodeName]?.[0]?.data?.main?.[0]?.[0]?.json;
}

/** Resident memory (kB) of a process, from /proc: current and peak. */
export function memoryOf(pid: number): { rssKb: number; peakKb: number } {
	const status = readFileSync(`/proc/${pid}/status`, 'utf8');
	const field = (name: string): number =>
		Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
	return { rssKb: field('VmRSS'), peakKb: field('VmHWM') };
}
