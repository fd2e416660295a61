import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

import { say } from './log';

function alive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}

/**
 * Runs `fn` while holding `<path>.lock`, so that two runs (an e2e run and `npm start`, or two
 * engineers in one checkout) never install into the same folder at once. A lock whose process has
 * died is taken over.
 */
export async function withLock<T>(path: string, fn: () => Promise<T>): Promise<T> {
	const lock = `${path}.lock`;
	mkdirSync(dirname(lock), { recursive: true });
	let waitingSince: number | undefined;
	for (;;) {
		try {
			mkdirSync(lock);
			writeFileSync(join(lock, 'pid'), String(process.pid));
			break;
		} catch {
			let owner = NaN;
			try {
				owner = Number(readFileSync(join(lock, 'pid'), 'utf8'));
			} catch {
				// The owner is between mkdir and writing its pid: wait a moment.
			}
			if (Number.isInteger(owner) && !alive(owner)) {
				rmSync(lock, { recursive: true, force: true });
				continue;
			}
			if (waitingSince === undefined || Date.now() - waitingSince > 15_000) {
				say(`waiting for another run (pid ${Number.isNaN(owner) ? '?' : owner}) that is installing into ${path}`);
				waitingSince = Date.now();
			}
			await delay(1000);
		}
	}
	try {
		return await fn();
	} finally {
		rmSync(lock, { recursive: true, force: true });
	}
}
