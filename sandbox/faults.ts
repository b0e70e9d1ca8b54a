/**
 * Fault injection for the sandbox: decides, request by request, whether an API request is answered
 * normally or gets a fault. Deterministic (seeded PRNG) so a failing test run can be replayed.
 */

export const FAULT_KINDS = [
	'status429',
	'status500',
	'status502',
	'status503',
	'status504',
	'hang',
	'reset',
	'dropAfterWrite',
] as const;

export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultOptions {
	/** Value of the `Retry-After` header sent with `status429` (whole seconds). Default 1. */
	retryAfterSeconds?: number;
	/**
	 * How long a `hang` holds the connection before closing it without a response.
	 * Default: forever, until the client gives up or the sandbox is closed.
	 */
	hangMs?: number;
}

export interface NextFaultsPlan extends FaultOptions {
	mode: 'next';
	/** The next `kinds.length` API requests get these faults, in order. */
	kinds: FaultKind[];
}

export interface RandomFaultsPlan extends FaultOptions {
	mode: 'random';
	/** Probability (0..1) that an API request gets a fault. */
	rate: number;
	seed: number;
	kinds: FaultKind[];
	/** Cap on consecutive faults, so a client that retries always gets through. Default 3. */
	maxConsecutive?: number;
}

export interface NoFaultsPlan {
	mode: 'off';
}

export type FaultPlan = NextFaultsPlan | RandomFaultsPlan | NoFaultsPlan;

export interface FaultDecision {
	kind: FaultKind;
	retryAfterSeconds: number;
	/** `null` = hang until the client or the sandbox closes the connection. */
	hangMs: number | null;
}

export interface FaultStats {
	injected: number;
	byKind: Record<string, number>;
}

export const DEFAULT_RETRY_AFTER_SECONDS = 1;
export const DEFAULT_MAX_CONSECUTIVE_FAULTS = 3;

/** mulberry32: tiny, fast, good enough for reproducible test noise. Returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let mixed = state;
		mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
		mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
		return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
	};
}

export function isFaultKind(value: unknown): value is FaultKind {
	return typeof value === 'string' && (FAULT_KINDS as readonly string[]).includes(value);
}

/** Checks a plan that arrived as JSON (or from a caller); throws an Error with a readable message. */
export function parseFaultPlan(input: unknown): FaultPlan {
	if (typeof input !== 'object' || input === null || Array.isArray(input)) {
		throw new Error('fault plan must be a JSON object');
	}
	const plan = input as Record<string, unknown>;
	if (plan.mode === 'off') return { mode: 'off' };
	if (plan.mode !== 'next' && plan.mode !== 'random') {
		throw new Error('mode must be "next", "random" or "off"');
	}

	const kinds = plan.kinds;
	if (!Array.isArray(kinds) || !kinds.every(isFaultKind)) {
		throw new Error(`kinds must be an array of: ${FAULT_KINDS.join(', ')}`);
	}
	const options: FaultOptions = {};
	if (plan.retryAfterSeconds !== undefined) {
		if (!isNonNegativeInteger(plan.retryAfterSeconds)) {
			throw new Error('retryAfterSeconds must be a non-negative integer');
		}
		options.retryAfterSeconds = plan.retryAfterSeconds;
	}
	if (plan.hangMs !== undefined) {
		if (!isNonNegativeInteger(plan.hangMs))
			throw new Error('hangMs must be a non-negative integer');
		options.hangMs = plan.hangMs;
	}

	if (plan.mode === 'next') return { mode: 'next', kinds: [...kinds], ...options };

	if (kinds.length === 0) throw new Error('random mode needs at least one kind');
	const { rate, seed, maxConsecutive } = plan;
	if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1)) {
		throw new Error('rate must be a number between 0 and 1');
	}
	if (typeof seed !== 'number' || !Number.isInteger(seed))
		throw new Error('seed must be an integer');
	if (
		maxConsecutive !== undefined &&
		!(isNonNegativeInteger(maxConsecutive) && maxConsecutive >= 1)
	) {
		throw new Error('maxConsecutive must be an integer >= 1');
	}
	return {
		mode: 'random',
		rate,
		seed,
		kinds: [...kinds],
		...(maxConsecutive === undefined ? {} : { maxConsecutive }),
		...options,
	};
}

function isNonNegativeInteger(value: unknown): value is number {
	return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

/** Holds the active plan and hands out one decision per API request. */
export class FaultInjector {
	private plan: FaultPlan = { mode: 'off' };
	private pendingKinds: FaultKind[] = [];
	private random: () => number = () => 1;
	private consecutiveFaults = 0;
	private injected = 0;
	private byKind: Record<string, number> = {};

	/** Replaces the active plan (validated). Statistics are kept until `reset()`. */
	setPlan(plan: FaultPlan): void {
		this.plan = parseFaultPlan(plan);
		this.pendingKinds = this.plan.mode === 'next' ? [...this.plan.kinds] : [];
		this.random = this.plan.mode === 'random' ? mulberry32(this.plan.seed) : () => 1;
		this.consecutiveFaults = 0;
	}

	/** Decides the fate of the next API request: a fault, or `null` for a normal answer. */
	next(): FaultDecision | null {
		const kind = this.pickKind();
		if (kind === null) return null;
		this.injected += 1;
		this.byKind[kind] = (this.byKind[kind] ?? 0) + 1;
		const options: FaultOptions = this.plan.mode === 'off' ? {} : this.plan;
		return {
			kind,
			retryAfterSeconds: options.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS,
			hangMs: options.hangMs ?? null,
		};
	}

	stats(): FaultStats {
		return { injected: this.injected, byKind: { ...this.byKind } };
	}

	reset(): void {
		this.setPlan({ mode: 'off' });
		this.injected = 0;
		this.byKind = {};
	}

	private pickKind(): FaultKind | null {
		switch (this.plan.mode) {
			case 'off':
				return null;
			case 'next':
				return this.pendingKinds.shift() ?? null;
			case 'random': {
				const { rate, kinds } = this.plan;
				const maxConsecutive = this.plan.maxConsecutive ?? DEFAULT_MAX_CONSECUTIVE_FAULTS;
				const roll = this.random();
				if (roll >= rate || this.consecutiveFaults >= maxConsecutive) {
					this.consecutiveFaults = 0;
					return null;
				}
				this.consecutiveFaults += 1;
				return kinds[Math.floor(this.random() * kinds.length)] ?? null;
			}
		}
	}
}

const FAULT_STATUS: Partial<Record<FaultKind, { status: number; error: string }>> = {
	status429: { status: 429, error: 'too many requests' },
	status500: { status: 500, error: 'internal server error' },
	status502: { status: 502, error: 'bad gateway' },
	status503: { status: 503, error: 'service unavailable' },
	status504: { status: 504, error: 'gateway timeout' },
};

/** The HTTP answer for a status fault, or `null` for connection-level faults. */
export function faultResponse(kind: FaultKind): { status: number; error: string } | null {
	return FAULT_STATUS[kind] ?? null;
}
