/**
 * Job IDs handed to a wait while it runs: Create adds each job as soon as HERE answers its
 * upload, and closes the hand-off once every upload has answered; the wait checks each job as
 * soon as it arrives and ends only after the close. `stop` ends the wait: its own first failure
 * aborts it (with that failure as the reason), and so does `cancel` when the caller's side failed.
 */
export class ArrivingJobs {
	readonly stop = new AbortController();
	private readonly arrived: string[] = [];
	private taken = 0;
	private closedAtMs: number | undefined;
	private wake: (() => void) | undefined;
	private cancelledFirst = false;

	/** A hand-off that holds every job from the start: the wait for a fixed list. */
	static of(jobIds: readonly string[]): ArrivingJobs {
		const arriving = new ArrivingJobs();
		for (const jobId of jobIds) arriving.add(jobId);
		arriving.close();
		return arriving;
	}

	add(jobId: string): void {
		this.arrived.push(jobId);
		this.notify();
	}

	/** No further job will come. */
	close(): void {
		this.closedAtMs ??= Date.now();
		this.notify();
	}

	/** When the hand-off was closed; undefined while jobs may still come. The wait's deadline counts from it. */
	get closedAt(): number | undefined {
		return this.closedAtMs;
	}

	/** The caller's side failed: the wait stops and ends with no answer anyone needs. No-op after a failure of the wait. */
	cancel(): void {
		if (this.stop.signal.aborted) return;
		this.cancelledFirst = true;
		this.stop.abort(new Error('The wait was cancelled by its caller'));
	}

	/** Whether `cancel` came before any failure of the wait: then the caller's failure is the one to report. */
	get cancelled(): boolean {
		return this.cancelledFirst;
	}

	/** The jobs added since the last call. */
	takeNew(): string[] {
		const fresh = this.arrived.slice(this.taken);
		this.taken = this.arrived.length;
		return fresh;
	}

	/** Resolves once a job has arrived that `takeNew` has not given yet, or the hand-off is closed. */
	async next(): Promise<void> {
		if (this.taken < this.arrived.length || this.closedAtMs !== undefined) return;
		await new Promise<void>((resolve) => (this.wake = resolve));
	}

	private notify(): void {
		const wake = this.wake;
		this.wake = undefined;
		wake?.();
	}
}
