/**
 * Virtual time: real time plus an offset that tests move forward, so token expiry and the
 * one-week job retention can be tested without waiting. Only forward, so anything ordered by
 * creation time stays ordered.
 */
export class Clock {
	private offsetMs = 0;

	now(): number {
		return Date.now() + this.offsetMs;
	}

	advance(ms: number): void {
		if (!Number.isFinite(ms) || ms < 0) throw new RangeError('clock.advance needs a finite, non-negative number of milliseconds');
		this.offsetMs += ms;
	}

	reset(): void {
		this.offsetMs = 0;
	}
}
