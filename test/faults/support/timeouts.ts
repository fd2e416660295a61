import * as path from 'node:path';

/**
 * Time compression for "a slow answer past the request timeout". The transport gives HERE 30 s
 * per request (120 s for an upload); waiting that long for each injected `slow` fault would make
 * the suite take hours. Dividing every request timeout by `divisor` in the HTTP client n8n itself
 * uses (the axios of n8n-core's @n8n/backend-network) keeps the behaviour (the client gives up,
 * the transport decides whether to retry) and makes it fast. Nothing in the package changes.
 */
type Axios = { interceptors: { request: { use(fn: (config: { timeout?: number }) => unknown): number; eject(id: number): void } } };

function n8nAxios(): Axios {
	const core = path.dirname(require.resolve('n8n-core'));
	const network = path.dirname(require.resolve('@n8n/backend-network', { paths: [core] }));
	return require(require.resolve('axios', { paths: [network] })) as Axios;
}

/** Timeouts as the transport sets them, scaled; returns the function that undoes it. */
export function compressRequestTimeouts(divisor: number): () => void {
	const axios = n8nAxios();
	const id = axios.interceptors.request.use((config) => {
		if (typeof config.timeout === 'number' && config.timeout > 0) config.timeout = Math.max(50, Math.round(config.timeout / divisor));
		return config;
	});
	return () => axios.interceptors.request.eject(id);
}

/** The transport's request timeouts (transport/index.ts, jobs/api.ts). */
export const TRANSPORT_TIMEOUT_MS = { request: 30_000, upload: 120_000 } as const;
