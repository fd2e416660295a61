import { createHash } from 'node:crypto';

import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { resolveBaseUrl } from './host';

/**
 * What the credential's hidden session fields say about the stored token. n8n keeps hidden
 * fields when a user edits a credential, so after a change of e-mail, realm, host, project HRN
 * or pasted token the old token would still be sent (to the new host too) until HERE refused
 * it. The token is therefore stored with what it was obtained for, and a token obtained for
 * something else is not used: the request goes without one, HERE answers 401, and n8n logs in
 * again (its own path for an expired token).
 */

/** The fields preAuthentication stores; n8n saves them with the credential. */
export interface SessionFields {
	sessionToken: string;
	/** What the token was obtained for (see sessionIdentity): never a secret. */
	sessionFor: string;
	/** When HERE said the token expires (ISO 8601), or '' when HERE did not say. */
	sessionExpiresAt: string;
}

/** A token this close to its expiry counts as expired: the clocks of n8n and HERE may differ, and the request takes time. */
const EXPIRY_MARGIN_MS = 60_000;

const text = (value: unknown) => String(value ?? '').trim();

/**
 * Which HERE account the credential stands for, without any secret: the base URL, the project
 * HRN, and for E-Mail and Password the e-mail and realm (HERE compares both without regard to
 * case). Throws as resolveBaseUrl does for a refused Base URL.
 */
export function credentialAccount(credentials: ICredentialDataDecryptedObject): string[] {
	const account = [resolveBaseUrl(credentials), text(credentials.projectHrn)];
	if (credentials.authentication !== 'login') return ['accessToken', ...account];
	return ['login', ...account, text(credentials.email).toLowerCase(), text(credentials.realm).toLowerCase()];
}

/**
 * The identity a session token is obtained for: the account, and for a pasted token its SHA-256
 * (the stored session holds the pasted token, or the one it was exchanged for), never the token.
 */
export function sessionIdentity(credentials: ICredentialDataDecryptedObject): string {
	const account = credentialAccount(credentials);
	if (credentials.authentication === 'login') return JSON.stringify(account);
	const pasted = createHash('sha256').update(text(credentials.accessToken)).digest('hex');
	return JSON.stringify([...account, `sha256:${pasted}`]);
}

/**
 * The fields to store for a token just obtained for these credentials; `expiresIn` in seconds, as
 * HERE gives it. A lifetime too short for the margin is not stored (HERE's 401 then decides):
 * otherwise the token n8n has just obtained would never be sent.
 */
export function sessionFields(credentials: ICredentialDataDecryptedObject, token: string, expiresIn?: unknown, now = Date.now()): SessionFields {
	const lifetime = typeof expiresIn === 'number' && Number.isFinite(expiresIn) && expiresIn * 1000 > 2 * EXPIRY_MARGIN_MS ? expiresIn : undefined;
	return {
		sessionToken: token,
		sessionFor: sessionIdentity(credentials),
		sessionExpiresAt: lifetime === undefined ? '' : new Date(now + lifetime * 1000).toISOString(),
	};
}

/**
 * The stored token if it was obtained for what the credential says now and does not expire
 * within a minute; otherwise undefined, and the request goes without one: HERE answers 401 and
 * n8n logs in. A credential saved before the identity was stored has none: it logs in once. A
 * token whose expiry HERE did not give is taken as valid (HERE's 401 says otherwise).
 */
export function storedSessionToken(credentials: ICredentialDataDecryptedObject, now = Date.now()): string | undefined {
	const token = credentials.sessionToken;
	if (typeof token !== 'string' || token === '' || credentials.sessionFor !== sessionIdentity(credentials)) return undefined;
	const expiresAt = Date.parse(String(credentials.sessionExpiresAt ?? ''));
	return !Number.isNaN(expiresAt) && expiresAt - EXPIRY_MARGIN_MS <= now ? undefined : token;
}

/** True when a request will have to log in first (no usable stored token: see storedSessionToken). */
export function needsNewSession(credentials: ICredentialDataDecryptedObject, now = Date.now()): boolean {
	return storedSessionToken(credentials, now) === undefined;
}
