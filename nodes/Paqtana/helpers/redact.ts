/** Keeps the API token out of everything that came back from the server or the network layer. */

/** Removes every occurrence of the token from text that came back from the server or the network layer. */
export function redact(text: string, token: string): string {
	return token.length > 0 ? text.split(token).join('***') : text;
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
