import type { EmulatorCore } from '../core';
import { jsonBody, ok, type Route } from '../http';

/** Login, refresh and token exchange: no bearer token, the body carries the credentials. */
export function userRoutes(core: EmulatorCore): Route[] {
	return [
		{ method: 'POST', pattern: /^\/users\/v2\/login$/, handle: (req) => ok(core.accounts.login(jsonBody(req))) },
		{ method: 'POST', pattern: /^\/users\/v2\/refresh$/, handle: (req) => ok(core.accounts.refresh(jsonBody(req))) },
		{ method: 'POST', pattern: /^\/users\/v2\/tokenExchange$/, handle: (req) => ok(core.accounts.exchange(jsonBody(req))) },
	];
}
