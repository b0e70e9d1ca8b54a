/** Keeps the API token out of everything that came back from the server or the network layer. */

/** Base64 of `token` as it appears inside any longer base64 text (three alignments), standard and URL-safe. */
function base64Forms(token: string): string[] {
	const forms: string[] = [];
	const bytes = Buffer.from(token, 'utf8');
	for (let offset = 0; offset < 3; offset++) {
		const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
		// Characters that depend only on the token's bytes: skip the group mixed with the prefix and the tail.
		const start = offset === 0 ? 0 : 4;
		const end = Math.floor((offset + bytes.length) / 3) * 4;
		const core = encoded.slice(start, end);
		if (core.length >= 8) forms.push(core, core.replace(/\+/g, '-').replace(/\//g, '_'));
	}
	return forms;
}

function escapeRegExp(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const patterns = new Map<string, RegExp>();

/**
 * The token in any spelling a server might echo: as is, in any letter case, URL-encoded (either case of
 * hex digits) and base64-encoded (alone, as `Bearer <token>` or inside a longer base64 text).
 */
function tokenPattern(token: string): RegExp {
	let pattern = patterns.get(token);
	if (pattern === undefined) {
		const forms = new Set([
			token,
			encodeURIComponent(token),
			encodeURIComponent(token).replace(/%20/g, '+'),
			...base64Forms(token),
			...base64Forms(`Bearer ${token}`),
		]);
		const sorted = [...forms].sort((a, b) => b.length - a.length).map(escapeRegExp);
		pattern = new RegExp(sorted.join('|'), 'gi');
		patterns.clear(); // one token per execution: keep only the latest
		patterns.set(token, pattern);
	}
	return pattern;
}

/** Removes every occurrence of the token from text that came back from the server or the network layer. */
export function redact(text: string, token: string): string {
	return token.length > 0 ? text.replace(tokenPattern(token), '***') : text;
}

/** The same value with the token removed from every string in it, keys included. */
export function redactJson(value: unknown, token: string, depth = 0): unknown {
	if (token === '') return value;
	if (typeof value === 'string') return redact(value, token);
	if (typeof value !== 'object' || value === null) return value;
	if (depth > 100) return '[too deeply nested]';
	if (Array.isArray(value)) return value.map((entry) => redactJson(entry, token, depth + 1));
	const clean: Record<string, unknown> = {};
	for (const [key, entry] of Object.entries(value)) {
		Object.defineProperty(clean, redact(key, token), {
			value: redactJson(entry, token, depth + 1),
			enumerable: true,
			writable: true,
			configurable: true,
		});
	}
	return clean;
}
