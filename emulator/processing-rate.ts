/**
 * HERE's pace when it works on several jobs at once: each of the first `parallelJobs` waiting
 * jobs advances at `devicesPerSecond`; later jobs stay pending until one of them ends. The
 * fraction of a device a job earned in one tick carries over to the next.
 */
export interface ProcessingRate {
	devicesPerSecond: number;
	parallelJobs?: number;
}

export class ParallelBudget {
	private readonly credit = new WeakMap<object, number>();

	/** Whole devices each running job may process after `elapsedMs`, first `parallelJobs` jobs only. */
	grant<J extends object>(queue: readonly J[], rate: ProcessingRate, elapsedMs: number): Array<[J, number]> {
		return queue.slice(0, rate.parallelJobs ?? 1).map((job) => {
			const earned = (this.credit.get(job) ?? 0) + (rate.devicesPerSecond * elapsedMs) / 1000;
			const whole = Math.floor(earned);
			this.credit.set(job, earned - whole);
			return [job, whole];
		});
	}
}
