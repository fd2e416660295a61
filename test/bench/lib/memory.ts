import * as fs from 'node:fs';
import { Worker } from 'node:worker_threads';

/**
 * Peak resident memory of this process. Linux keeps the high-water mark (VmHWM) and lets a
 * process reset it (`echo 5 > /proc/self/clear_refs`), which catches a peak however short,
 * even inside one synchronous call. Where that is not possible, a worker thread samples
 * `process.memoryUsage.rss()` every few milliseconds (it runs while the main thread is busy).
 */

function statusKb(field: 'VmRSS' | 'VmHWM'): number | undefined {
	try {
		const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync('/proc/self/status', 'utf8'));
		return match ? Number(match[1]) * 1024 : undefined;
	} catch {
		return undefined;
	}
}

function resetHighWaterMark(): boolean {
	try {
		fs.writeFileSync('/proc/self/clear_refs', '5');
		return statusKb('VmHWM') !== undefined;
	} catch {
		return false;
	}
}

const SAMPLER = `
const { parentPort, workerData } = require('node:worker_threads');
const shared = new Float64Array(workerData);
const pause = new Int32Array(new SharedArrayBuffer(4));
for (;;) {
	const rss = process.memoryUsage.rss();
	if (rss > shared[0]) shared[0] = rss;
	Atomics.wait(pause, 0, 0, 5);
}
`;

export function rssNow(): number {
	return statusKb('VmRSS') ?? process.memoryUsage.rss();
}

/** Full collections until the heap stops shrinking (needs --expose-gc; a no-op without it). */
export async function settleHeap(): Promise<void> {
	const gc = (globalThis as { gc?: () => void }).gc;
	if (!gc) return;
	for (let i = 0; i < 3; i++) {
		gc();
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
}

export class PeakRss {
	private readonly useHwm: boolean;
	private readonly shared = new SharedArrayBuffer(8);
	private worker: Worker | undefined;

	private constructor(readonly method: 'VmHWM' | 'sampled') {
		this.useHwm = method === 'VmHWM';
	}

	/** Starts tracking from now: the peak is the highest RSS from this call on. */
	static start(): PeakRss {
		if (resetHighWaterMark()) return new PeakRss('VmHWM');
		const tracker = new PeakRss('sampled');
		new Float64Array(tracker.shared)[0] = rssNow();
		tracker.worker = new Worker(SAMPLER, { eval: true, workerData: tracker.shared });
		tracker.worker.unref();
		return tracker;
	}

	peak(): number {
		if (this.useHwm) return statusKb('VmHWM') ?? rssNow();
		return Math.max(new Float64Array(this.shared)[0], rssNow());
	}

	async stop(): Promise<number> {
		const peak = this.peak();
		await this.worker?.terminate();
		return peak;
	}
}
