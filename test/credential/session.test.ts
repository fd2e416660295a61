import type { ICredentialDataDecryptedObject, IHttpRequestHelper, IHttpRequestOptions } from 'n8n-workflow';

import { HereTrackingApi } from '../../credentials/HereTrackingApi.credentials';
import { HERE_HOSTS } from '../../nodes/HereBulkJobs/transport/host';
import { needsNewSession, sessionFields } from '../../nodes/HereBulkJobs/transport/storedSession';

/**
 * The stored session token is sent only while the credential still says what it was obtained
 * for. n8n keeps hidden fields when a credential is edited, so without this check the old token
 * would go on being sent (to a new host too) until HERE refused it.
 */
const credential = new HereTrackingApi();
const TOKEN = 'canary-session-token-3141';

/** HERE's answers to a login, a token exchange and a health check. */
const helpers = {
	helpers: {
		httpRequest: async (options: IHttpRequestOptions) => {
			if (String(options.url).endsWith('/bulkjobs/v4/health')) return {};
			return { accessToken: TOKEN, expiresIn: 86400 };
		},
	},
} as unknown as IHttpRequestHelper;

/** What n8n stores after preAuthentication: the credential plus the fields it returned. */
async function signIn(fields: ICredentialDataDecryptedObject): Promise<ICredentialDataDecryptedObject> {
	return { ...fields, ...((await credential.preAuthentication!.call(helpers, fields)) as ICredentialDataDecryptedObject) };
}

async function authorization(stored: ICredentialDataDecryptedObject): Promise<unknown> {
	const options = await credential.authenticate(stored, { url: '/bulkjobs/v4/deviceUploads', headers: { Authorization: 'Bearer from-the-caller' } });
	return options.headers?.Authorization;
}

const login: ICredentialDataDecryptedObject = {
	authentication: 'login',
	email: 'alice@example.com',
	password: 'canary-password-1',
	realm: '',
	host: HERE_HOSTS.legacy,
	baseUrl: 'http://127.0.0.1:8480',
	projectHrn: '',
	projectId: '',
};

const pasted: ICredentialDataDecryptedObject = { ...login, authentication: 'accessToken', accessToken: 'canary-pasted-token-1' };

describe('E-Mail and Password', () => {
	test('the token is sent while the credential says what it was obtained for', async () => {
		const stored = await signIn(login);
		expect(stored.sessionToken).toBe(TOKEN);
		expect(String(stored.sessionFor)).not.toContain('canary');
		expect(await authorization(stored)).toBe(`Bearer ${TOKEN}`);
	});

	test.each([
		['the e-mail', { email: 'bob@example.com' }],
		['the realm', { realm: 'realm-2' }],
		['the host', { host: HERE_HOSTS.platform }],
		['the base URL', { host: 'custom', baseUrl: 'https://proxy.example.com/here' }],
		['the platform project HRN', { projectHrn: 'hrn:here:authorization::org1:project/other' }],
		['the authentication', { authentication: 'accessToken', accessToken: 'canary-pasted-token-2' }],
	])('after a change of %s, no token is sent (HERE answers 401 and n8n logs in again)', async (_what, change) => {
		const stored = await signIn(login);
		expect(await authorization({ ...stored, ...change })).toBeUndefined();
	});

	test.each([
		['the password', { password: 'canary-password-2' }],
		['the Default Project ID', { projectId: 'project-2' }],
	])('a change of %s keeps the token: it is still the same user on the same host', async (_what, change) => {
		const stored = await signIn(login);
		expect(await authorization({ ...stored, ...change })).toBe(`Bearer ${TOKEN}`);
	});

	test('a credential saved before the session was tied to what it was obtained for logs in again once', async () => {
		expect(await authorization({ ...login, sessionToken: TOKEN })).toBeUndefined();
		expect(await authorization({ ...login, sessionToken: TOKEN, sessionFor: '' })).toBeUndefined();
	});
});

describe('Access Token', () => {
	test('the session holds the pasted token; a newly pasted token replaces it at once', async () => {
		const stored = await signIn(pasted);
		expect(stored.sessionToken).toBe('canary-pasted-token-1');
		expect(String(stored.sessionFor)).not.toContain('canary');
		expect(await authorization(stored)).toBe('Bearer canary-pasted-token-1');
		expect(await authorization({ ...stored, accessToken: 'canary-pasted-token-2' })).toBeUndefined();
		expect(await authorization({ ...stored, authentication: 'login' })).toBeUndefined();
	});
});

describe("the token's expiry", () => {
	const now = Date.parse('2026-01-10T12:00:00Z');
	const obtained = (expiresIn: unknown, at: number) => ({ ...login, ...sessionFields(login, TOKEN, expiresIn, at) });

	test("is stored from HERE's expiresIn, or left empty when HERE gave none", async () => {
		expect(sessionFields(login, TOKEN, 86400, now).sessionExpiresAt).toBe('2026-01-11T12:00:00.000Z');
		expect(sessionFields(login, TOKEN, undefined, now).sessionExpiresAt).toBe('');
		expect(sessionFields(login, TOKEN, 'soon', now).sessionExpiresAt).toBe('');
		// A lifetime within twice the one-minute margin is not stored: the token just obtained would never be sent.
		expect(sessionFields(login, TOKEN, 120, now).sessionExpiresAt).toBe('');
		expect(needsNewSession(obtained(120, now), now)).toBe(false);
		expect(sessionFields(login, TOKEN, 121, now).sessionExpiresAt).toBe('2026-01-10T12:02:01.000Z');
		expect((await signIn(login)).sessionExpiresAt).toEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT/));
		expect((await signIn(pasted)).sessionExpiresAt).toBe('');
	});

	test.each([
		['valid for an hour', 3600, false],
		['valid for two more minutes', 120, false],
		['valid for less than a minute', 50, true],
		['expired', -10, true],
	])('a token %s: a new session first? %s', (_what, secondsLeft, expected) => {
		expect(needsNewSession(obtained(86400, now - 86400_000 + secondsLeft * 1000), now)).toBe(expected);
	});

	test('a token without a known expiry is taken as valid; one obtained for something else is not', () => {
		expect(needsNewSession(obtained(undefined, now - 10 * 86400_000), now)).toBe(false);
		expect(needsNewSession({ ...obtained(86400, now), email: 'bob@example.com' }, now)).toBe(true);
		expect(needsNewSession({ ...login, sessionToken: '' }, now)).toBe(true);
	});
});
