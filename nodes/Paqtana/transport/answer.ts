/**
 * Whether a 2xx answer really is Paqtana confirming the rows: a JSON object that does not say it failed and,
 * where it counts the rows it received, counts the rows sent. A login page, an empty or cut-off body, or any
 * other answer from something that is not Paqtana's API must not be reported as "stored".
 */

/** Why a 2xx answer does not confirm that the rows were stored; undefined when it does. */
export function unconfirmedAnswer(body: unknown, rowsSent: number): string | undefined {
	if (body === undefined || body === null || (typeof body === 'string' && body.trim() === '')) {
		return 'The answer was empty';
	}
	if (typeof body === 'string') {
		return /^\s*</.test(body)
			? "The answer was an HTML or XML page (a login page or a proxy's page?), not Paqtana's JSON"
			: "The answer was text, not Paqtana's JSON object (cut off on the way, or from something else)";
	}
	if (typeof body !== 'object' || Array.isArray(body)) {
		return `The answer was JSON ${Array.isArray(body) ? 'array' : typeof body}, not the object Paqtana sends`;
	}
	const answer = body as Record<string, unknown>;
	if (answer.success === false) return 'The answer said "success": false';
	if (typeof answer.received === 'number' && answer.received !== rowsSent) {
		return `Paqtana says it received ${answer.received} rows, but ${rowsSent} were sent`;
	}
	return undefined;
}
