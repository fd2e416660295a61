import type { IHttpRequestOptions } from 'n8n-workflow';

import { HereTrackingApi } from '../../credentials/HereTrackingApi.credentials';
import { HERE_HOSTS, resolveBaseUrl } from '../../nodes/HereBulkJobs/transport/host';
import { sessionIdentity } from '../../nodes/HereBulkJobs/transport/storedSession';

describe('resolveBaseUrl: where the token may go', () => {
	test.each([
		[{ host: HERE_HOSTS.legacy }, 'https://tracking.api.here.com'],
		[{ host: HERE_HOSTS.platform }, 'https://tracking.hereapi.com'],
		[{}, 'https://tracking.api.here.com'],
		[{ host: 'custom', baseUrl: 'http://127.0.0.1:8480' }, 'http://127.0.0.1:8480'],
		[{ host: 'custom', baseUrl: 'http://localhost:8480/' }, 'http://localhost:8480'],
		[{ host: 'custom', baseUrl: 'http://[::1]:8480' }, 'http://[::1]:8480'],
		[{ host: 'custom', baseUrl: 'http://127.1.2.3:1' }, 'http://127.1.2.3:1'],
		[{ host: 'custom', baseUrl: ' https://proxy.example.com/here/ ' }, 'https://proxy.example.com/here'],
	])('accepts %j as %s', (credentials, expected) => {
		expect(resolveBaseUrl(credentials)).toBe(expected);
	});

	test.each([
		[{ host: 'custom', baseUrl: 'http://example.com' }, /plain http:\/\/ is only allowed for this machine/],
		[{ host: 'custom', baseUrl: 'http://10.0.0.5:8480' }, /plain http:\/\/ is only allowed/],
		[{ host: 'custom', baseUrl: 'http://127.0.0.1.example.com' }, /plain http:\/\/ is only allowed/],
		[{ host: 'custom', baseUrl: 'http://localhost@example.com' }, /plain http:\/\/ is only allowed|user name or password/],
		[{ host: 'custom', baseUrl: 'https://user:secret@example.com' }, /must not contain a user name or password/],
		[{ host: 'custom', baseUrl: 'https://example.com/?next=https://evil.example' }, /must not contain "\?" or "#"/],
		[{ host: 'custom', baseUrl: 'ftp://example.com' }, /must start with https:\/\//],
		[{ host: 'custom', baseUrl: 'not a url' }, /is not a valid URL/],
		[{ host: 'custom', baseUrl: '' }, /"Base URL" is empty/],
		[{ host: 'https://evil.example' }, /unknown host/],
	])('refuses %j', (credentials, message) => {
		expect(() => resolveBaseUrl(credentials)).toThrow(message);
	});

	test('the refusal never echoes a password from the URL', () => {
		expect(() => resolveBaseUrl({ host: 'custom', baseUrl: 'https://user:canary-pw-1234@example.com' })).toThrow(
			expect.objectContaining({ message: expect.not.stringContaining('canary-pw-1234') }),
		);
	});
});

describe('the credential sends its token only under the base URL', () => {
	const credential = new HereTrackingApi();
	const token = 'canary-session-token-5521';
	/** The credential with a session token obtained for it (as preAuthentication stores it). */
	const signedIn = (credentials: Record<string, string>) => ({ ...credentials, sessionToken: token, sessionFor: sessionIdentity(credentials) });
	const authenticate = async (credentials: Record<string, string>, url: string) => await credential.authenticate(signedIn(credentials), { url });
	const here = { host: HERE_HOSTS.legacy };
	const proxy = { host: 'custom', baseUrl: 'https://proxy.example.com/here' };
	const loopbackV6 = { host: 'custom', baseUrl: 'http://[::1]:8480' };

	test.each([
		[here, '/bulkjobs/v4/deviceUploads', 'https://tracking.api.here.com/bulkjobs/v4/deviceUploads'],
		[here, 'bulkjobs/v4/deviceUploads', 'https://tracking.api.here.com/bulkjobs/v4/deviceUploads'],
		[here, 'https://tracking.api.here.com/bulkjobs/v4/health', 'https://tracking.api.here.com/bulkjobs/v4/health'],
		[here, 'HTTPS://TRACKING.API.HERE.COM:443/bulkjobs/v4/health', 'https://tracking.api.here.com/bulkjobs/v4/health'],
		[proxy, '/bulkjobs/v4/deviceUploads', 'https://proxy.example.com/here/bulkjobs/v4/deviceUploads'],
		[proxy, 'https://proxy.example.com/here/users/v2/login', 'https://proxy.example.com/here/users/v2/login'],
		[loopbackV6, '/bulkjobs/v4/health', 'http://[::1]:8480/bulkjobs/v4/health'],
		[loopbackV6, 'http://[0:0:0:0:0:0:0:1]:8480/bulkjobs/v4/health', 'http://[::1]:8480/bulkjobs/v4/health'],
	])('%j: %s goes to %s with the token', async (credentials, url, expected) => {
		const options = await authenticate(credentials, url);
		expect(options.url).toBe(expected);
		expect(options.baseURL).toBeUndefined();
		expect(options.headers?.Authorization).toBe(`Bearer ${token}`);
	});

	test.each([
		[here, '//evil.example/bulkjobs/v4/deviceUploads', /goes to evil\.example/],
		[here, '\\\\evil.example\\bulkjobs', /goes to evil\.example/],
		[here, '/\\evil.example/bulkjobs', /goes to evil\.example/],
		[here, '/\t/evil.example/bulkjobs', /goes to evil\.example/],
		[here, 'http:/evil.example/bulkjobs', /goes to evil\.example/],
		[here, 'HTTPS://EVIL.EXAMPLE/bulkjobs', /goes to evil\.example/],
		[here, 'http://tracking.api.here.com/bulkjobs', /goes to tracking\.api\.here\.com/],
		[here, 'https://tracking.api.here.com.evil.example/bulkjobs', /goes to tracking\.api\.here\.com\.evil\.example/],
		[here, 'https://tracking.api.here.com@evil.example/bulkjobs', /goes to evil\.example/],
		[here, 'https://user:canary-pw-77@tracking.api.here.com/bulkjobs', /carries a user name or password/],
		[here, 'javascript:alert(1)', /goes to a javascript: URL/],
		[proxy, '/../bulkjobs/v4/deviceUploads', /its path leaves \/here\//],
		[proxy, '/%2e%2e/bulkjobs/v4/deviceUploads', /its path leaves \/here\//],
		[proxy, 'https://proxy.example.com/other/bulkjobs', /its path leaves \/here\//],
		[proxy, 'https://proxy.example.com/herebulkjobs', /its path leaves \/here\//],
		[loopbackV6, 'http://[::2]:8480/bulkjobs/v4/health', /goes to \[::2\]:8480/],
		[loopbackV6, 'http://[::1]:8481/bulkjobs/v4/health', /goes to \[::1\]:8481/],
		[loopbackV6, '//[::1]:9999/bulkjobs/v4/health', /goes to \[::1\]:9999/],
		[here, 'https://[::1/bulkjobs', /is not a valid URL/],
	])('%j: refuses %s', async (credentials, url, reason) => {
		const refusal = authenticate(credentials, url);
		await expect(refusal).rejects.toThrow(/refusing to send the token to a URL outside the Base URL/);
		await expect(refusal).rejects.toThrow(reason);
		await expect(refusal).rejects.toThrow(expect.objectContaining({ message: expect.not.stringContaining('canary') }));
	});

	test("the older request helper's uri is checked and rewritten too", async () => {
		const options = { uri: '//evil.example/x' } as unknown as IHttpRequestOptions;
		await expect(credential.authenticate(signedIn(here), options)).rejects.toThrow(/goes to evil\.example/);
		const allowed = (await credential.authenticate(signedIn(here), { uri: '/bulkjobs/v4/health' } as unknown as IHttpRequestOptions)) as IHttpRequestOptions & { uri?: string };
		expect(allowed.uri).toBe('https://tracking.api.here.com/bulkjobs/v4/health');
	});
});
