import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { ClientRequest, IncomingMessage, ServerResponse } from 'node:http';

export interface OpenRequests {
	/** HTTP requests started and not yet closed. */
	open(): number;
	/** The most that were open at once. */
	max(): number;
	stop(): void;
}

/**
 * Counts the open HTTP requests of this process, from Node's own http diagnostics channels: as
 * the client sees them (sent, until the request closes) or as the server does (received, until
 * its answer closes). A count, not a clock, so a busy machine cannot change it.
 */
export function countOpenRequests(
	side: 'client' | 'server',
	which: (method: string, path: string) => boolean = () => true,
): OpenRequests {
	let open = 0;
	let max = 0;
	const channel = side === 'client' ? 'http.client.request.start' : 'http.server.request.start';
	const onStart = (message: unknown): void => {
		const { request, response } = message as { request: ClientRequest | IncomingMessage; response?: ServerResponse };
		const method = request.method ?? '';
		const path = ('path' in request ? request.path : (request.url ?? '')).split('?')[0];
		if (!which(method, path)) return;
		open++;
		max = Math.max(max, open);
		(response ?? request).once('close', () => open--);
	};
	subscribe(channel, onStart);
	return { open: () => open, max: () => max, stop: () => unsubscribe(channel, onStart) };
}
