import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

/** The hosts HERE documents; anything else is a custom base URL (the emulator, a proxy). */
export const HERE_HOSTS = {
	legacy: 'https://tracking.api.here.com',
	platform: 'https://tracking.hereapi.com',
} as const;

export const CUSTOM_HOST = 'custom';

/** Thrown before any request leaves n8n, so no token or password travels to a refused host. */
export class HostRefusedError extends Error {
	constructor(reason: string) {
		super(`HERE Tracking credential: ${reason}`);
		this.name = 'HostRefusedError';
	}
}

function parseUrl(text: string, base?: string): URL | undefined {
	try {
		return new URL(text, base);
	} catch {
		return undefined;
	}
}

/**
 * Only names that cannot leave this machine: `localhost`, 127.x.x.x and ::1. Not `*.localhost`:
 * RFC 6761 reserves it, but Node asks the system resolver, which may send it to a DNS server
 * (here it did), and a token in plain http would then go wherever that server says.
 */
function isLoopback(hostname: string): boolean {
	const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
	if (host === 'localhost' || host === '::1') return true;
	return /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * The base URL every request of this credential goes to, without a trailing slash.
 * Refuses what would leak the token: plain http to anything but this machine, user-info in
 * the URL, and query strings or fragments that a path could be glued onto.
 */
export function resolveBaseUrl(credentials: ICredentialDataDecryptedObject): string {
	const host = typeof credentials.host === 'string' ? credentials.host : HERE_HOSTS.legacy;
	if (host !== CUSTOM_HOST) {
		if (host === HERE_HOSTS.legacy || host === HERE_HOSTS.platform) return host;
		throw new HostRefusedError(`unknown host "${host}". Choose one of the listed hosts or "Custom Base URL".`);
	}

	const raw = typeof credentials.baseUrl === 'string' ? credentials.baseUrl.trim() : '';
	if (raw === '') throw new HostRefusedError('"Base URL" is empty. Enter e.g. http://127.0.0.1:8480.');
	const url = parseUrl(raw);
	if (url === undefined) throw new HostRefusedError('"Base URL" is not a valid URL. Enter e.g. https://proxy.example.com.');
	if (url.protocol !== 'https:' && url.protocol !== 'http:') {
		throw new HostRefusedError(`"Base URL" must start with https:// (got ${url.protocol}).`);
	}
	if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
		throw new HostRefusedError(
			`plain http:// is only allowed for this machine (localhost, 127.0.0.1, ::1); "${url.hostname}" must use https:// so the token is not sent unencrypted.`,
		);
	}
	if (url.username !== '' || url.password !== '') {
		throw new HostRefusedError('"Base URL" must not contain a user name or password; remove the part before "@".');
	}
	if (url.search !== '' || url.hash !== '') {
		throw new HostRefusedError('"Base URL" must not contain "?" or "#"; enter only the scheme, host, port and path.');
	}
	return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/**
 * Whether a request URL names its own scheme or host (`https://x`, `//x`, `\\x`, `http:/x`):
 * resolved against two bases of different schemes, such a URL keeps the origin of neither.
 * Anything else is a path, which n8n (axios) appends to the base URL.
 */
function namesItsOwnHost(requestUrl: string): boolean {
	const againstHttps = parseUrl(requestUrl, 'https://a.invalid/');
	const againstHttp = parseUrl(requestUrl, 'http://b.invalid/');
	return againstHttps?.origin !== 'https://a.invalid' || againstHttp?.origin !== 'http://b.invalid';
}

/**
 * The URL a request of this credential goes to, checked before the token is added: a path is
 * appended to the base URL (`/bulkjobs/...`), a URL that names its own host is resolved against
 * it with `new URL()`. Either way it must keep the base URL's origin, carry no user-info, and
 * stay under the base URL's path once `..` and the like are resolved; anything else is refused.
 */
export function requestUrlWithinBase(baseUrl: string, requestUrl: string): URL {
	const base = new URL(`${baseUrl}/`);
	const target = namesItsOwnHost(requestUrl)
		? parseUrl(requestUrl, base.href)
		: parseUrl(`${baseUrl}/${requestUrl.replace(/^\//, '')}`);
	const refusal = `refusing to send the token to a URL outside the Base URL ${baseUrl}`;
	const advice = 'Use a path such as /bulkjobs/v4/deviceUploads, or a URL that starts with the Base URL.';
	if (target === undefined) throw new HostRefusedError(`${refusal}: the request URL is not a valid URL. ${advice}`);
	if (target.origin !== base.origin) {
		const where = target.origin === 'null' ? `a ${target.protocol} URL` : target.host;
		throw new HostRefusedError(`${refusal} (the request goes to ${where}). ${advice}`);
	}
	if (target.username !== '' || target.password !== '') {
		throw new HostRefusedError(`${refusal} (the request URL carries a user name or password). ${advice}`);
	}
	if (!target.pathname.startsWith(base.pathname)) {
		throw new HostRefusedError(`${refusal} (its path leaves ${base.pathname}). ${advice}`);
	}
	return target;
}
