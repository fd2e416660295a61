/**
 * A virtual clock for tests of waiting code: `setTimeout` and `Date` are jest's fakes while I/O
 * (real HTTP to the in-process emulator) runs for real. Whenever the code under test has nothing
 * left to do but wait for a timer (no HTTP request open), the clock jumps to that timer. Pauses
 * are then exact, and a busy machine cannot stretch them: tests assert the schedule itself,
 * never the wall clock.
 */
import { countOpenRequests } from './openRequests';

export interface VirtualClockOptions {
	/**
	 * Called each time the clock has jumped to the end of a pause, before the code under test goes
	 * on: a test moves the emulator's jobs here (`pause` counts from 1; `Date.now()` is the new time).
	 */
	afterPause?: (pause: number) => void;
}

/** Pauses after which the run is given up: a guard against a wait that never ends. */
const MAX_PAUSES = 1000;

const realTurn = async (): Promise<void> => await new Promise((resolve) => setImmediate(resolve));

/** Real event-loop turns with nothing open before the clock moves: a reply being read gets them. */
const QUIET_TURNS = 3;

export async function onVirtualClock<T>(run: () => Promise<T>, options: VirtualClockOptions = {}): Promise<T> {
	const requests = countOpenRequests('client');
	jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask', 'hrtime', 'performance'] });
	try {
		let settled = false;
		const result = run().finally(() => {
			settled = true;
		});
		result.catch(() => undefined); // awaited below; keeps Node from reporting it as unhandled meanwhile
		let pauses = 0;
		let quiet = 0;
		while (!settled) {
			await realTurn();
			if (jest.getTimerCount() === 0 || requests.open() > 0) {
				quiet = 0;
				continue;
			}
			if (++quiet < QUIET_TURNS) continue;
			quiet = 0;
			if (++pauses > MAX_PAUSES) throw new Error(`onVirtualClock: still running after ${MAX_PAUSES} pauses`);
			jest.advanceTimersToNextTimer();
			options.afterPause?.(pauses);
		}
		return await result;
	} finally {
		jest.useRealTimers();
		requests.stop();
	}
}
