import { HERE_HOSTS, resolveBaseUrl } from '../../nodes/HereBulkJobs/transport/host';

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
