/**
 * Request URLs built from the credential. The token may only travel over https (plain http is allowed to
 * loopback hosts, for the local sandbox), and the org code can never change the request path.
 */
export const DEFAULT_BASE_URL = 'https://api.paqtana.com';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Why the credential cannot be used; returned, not thrown, so the node can wrap it. */
export class EndpointError extends Error {}

export function isLoopbackHost(hostname: string): boolean {
	return LOOPBACK_HOSTS.has(hostname.toLowerCase());
}

/** The credential's base URL without a trailing slash (a path prefix is kept), or why it cannot be used. */
export function checkBaseUrl(baseUrl: string): string | EndpointError {
	if (!URL.canParse(baseUrl.trim())) {
		return new EndpointError(
			`The Base URL "${baseUrl}" is not a valid URL (expected e.g. https://api.paqtana.com)`,
		);
	}
	const url = new URL(baseUrl.trim());
	if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
		return new EndpointError(
			`The Base URL must start with https:// (plain http:// is only allowed for localhost): the token must not travel unencrypted. Got "${url.protocol}//${url.host}"`,
		);
	}
	if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
		return new EndpointError(
			'The Base URL must not contain a user name, password, query string or fragment',
		);
	}
	return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** The org code as one URL path segment. `.` and `..` would be resolved away by URL parsing, so they are refused. */
export function orgPathSegment(orgCode: string): string | EndpointError {
	const code = orgCode.trim();
	if (code === '')
		return new EndpointError(
			'The credential has no Organization Code (Admin Console → Manage Workspaces)',
		);
	if (/^\.+$/.test(code)) return new EndpointError(`"${code}" is not a valid Organization Code`);
	return encodeURIComponent(code);
}

/** The endpoint URL, or the reason the credential cannot be used. */
export function endpointUrl(
	baseUrl: string,
	orgCode: string,
	path: string,
): string | EndpointError {
	const base = checkBaseUrl(baseUrl);
	if (base instanceof EndpointError) return base;
	const org = orgPathSegment(orgCode);
	return org instanceof EndpointError ? org : `${base}/v2/org/${org}/${path}`;
}
