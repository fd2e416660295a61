import type { IHttpRequestOptions, IRequestOptions } from 'n8n-workflow';

import type { HereEmulator } from '../../emulator';
import { startEmulator } from '../../emulator';
import type { Engine } from '../harness/engine';
import { createEngine, executeContext } from '../harness/engine';
import { bulkJobsNode, CANARY, loginUser } from '../harness/fixtures';

/**
 * The credential used from another node (HTTP Request with "HERE Tracking API" as predefined
 * credential): a URL outside the Base URL must not get the token. A second emulator plays the
 * other host and records every request that reaches it.
 */
let here: HereEmulator;
let elsewhere: HereEmulator;
let engine: Engine;

beforeAll(async () => {
	here = await startEmulator({ processing: { mode: 'instant' }, seed: 12 });
	elsewhere = await startEmulator({ seed: 13 });
	engine = await createEngine();
});

afterAll(async () => {
	await here.close();
	await elsewhere.close();
});

beforeEach(() => elsewhere.clearRequests());

function context() {
	const user = loginUser(here, engine);
	return executeContext(engine, bulkJobsNode(user.credential, {}));
}

const elsewhereHost = () => new URL(elsewhere.url).host;

test.each([
	['protocol-relative //host', () => `//${elsewhereHost()}/bulkjobs/v4/health`],
	['backslashes \\\\host', () => `\\\\${elsewhereHost()}/bulkjobs/v4/health`],
	['upper-case scheme', () => `HTTP://${elsewhereHost()}/bulkjobs/v4/health`],
	['user-info before the host', () => `http://127.0.0.1@${elsewhereHost()}/bulkjobs/v4/health`],
])('httpRequestWithAuthentication to %s is refused; nothing reaches the other host', async (_form, url) => {
	const ctx = context();
	const request: IHttpRequestOptions = { method: 'GET', url: url() };
	const failure = await ctx.helpers.httpRequestWithAuthentication.call(ctx, 'hereTrackingApi', request).then(
		() => undefined,
		(error: Error) => error,
	);
	expect(failure?.message).toMatch(/refusing to send the token to a URL outside the Base URL/);
	expect(elsewhere.requests).toEqual([]);
});

test('one slash after the scheme of the Base URL (http:/host) is a path on the Base URL host', async () => {
	const ctx = context();
	const failure = await ctx.helpers.httpRequestWithAuthentication
		.call(ctx, 'hereTrackingApi', { method: 'GET', url: `http:/${elsewhereHost()}/bulkjobs/v4/health` })
		.then(
			() => undefined,
			(error: Error & { httpCode?: string }) => error,
		);
	expect(failure?.httpCode).toBe('404');
	expect(here.requests.map((request) => request.path)).toContain(`/${elsewhereHost()}/bulkjobs/v4/health`);
	expect(elsewhere.requests).toEqual([]);
});

test("the older request helper's uri to another host is refused; nothing reaches it", async () => {
	const ctx = context();
	const request: IRequestOptions = { method: 'GET', uri: `${elsewhere.url}/bulkjobs/v4/health`, json: true };
	const failure = await ctx.helpers.requestWithAuthentication.call(ctx, 'hereTrackingApi', request).then(
		() => undefined,
		(error: Error) => error,
	);
	expect(failure?.message).toMatch(/refusing to send the token to a URL outside the Base URL/);
	expect(JSON.stringify(elsewhere.requests)).not.toContain('Bearer');
	expect(elsewhere.requests).toEqual([]);
	expect(failure?.message).not.toContain(CANARY.password);
});

test('a full URL under the Base URL works, with the token', async () => {
	const ctx = context();
	const answer = await ctx.helpers.httpRequestWithAuthentication.call(ctx, 'hereTrackingApi', {
		method: 'GET',
		url: `${here.url.toUpperCase()}/registry/v2/licenses`,
		json: true,
	});
	expect(answer).toMatchObject({ licenses: [expect.objectContaining({ projectId: expect.any(String) })] });
});
