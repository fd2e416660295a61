/**
 * Progress lines for the scripts that provision and run a real n8n. Installing n8n takes minutes
 * on a cold cache, so every long step says what it is doing, and repeats a heartbeat while it
 * waits, instead of staying silent.
 */

const started = Date.now();

export function elapsed(fromMs: number = started): string {
	const seconds = Math.round((Date.now() - fromMs) / 1000);
	return seconds < 60 ? `${seconds}s` : `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
}

export function say(message: string): void {
	process.stdout.write(`[n8n-e2e +${elapsed()}] ${message}\n`);
}

/** Calls `describe()` every `everyMs` and prints it, until the returned function is called. */
export function heartbeat(describe: () => string, everyMs = 15_000): () => void {
	const timer = setInterval(() => say(describe()), everyMs);
	timer.unref();
	return () => clearInterval(timer);
}
