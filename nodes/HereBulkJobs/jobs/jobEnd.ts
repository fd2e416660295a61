import type { JobStatusAnswer } from './wire';

/** How a finished job ended: `acknowledged` only says that someone has handled it since. */
export type JobEnd = 'completed' | 'failed' | 'cancelled';

/** Devices HERE has processed: succeeded, failed or partially succeeded. */
export function processedCount(status: JobStatusAnswer): number {
	return (Number(status.succeeded) || 0) + (Number(status.failed) || 0) + (Number(status.partiallySucceeded) || 0);
}

/**
 * How a job in a final status ended. Acknowledging (the trigger's Acknowledge Emitted Jobs,
 * another client) hides whether a job had completed, failed or been cancelled; its figures tell
 * part of it: devices left unprocessed mean it was cancelled, and every device failed means it
 * failed. Otherwise they cannot tell a job that failed part-way from a completed one with some
 * failed devices: it counts as completed, and its failed devices still come out as failed.
 */
export function jobEnd(status: JobStatusAnswer): JobEnd {
	if (status.status !== 'acknowledged') return status.status === 'failed' || status.status === 'cancelled' ? status.status : 'completed';
	const total = Number(status.total) || 0;
	if (processedCount(status) < total) return 'cancelled';
	return total > 0 && (Number(status.failed) || 0) === total ? 'failed' : 'completed';
}

/** A job that ended failed or cancelled (also when acknowledged since). */
export function isUnsuccessful(status: JobStatusAnswer): boolean {
	return jobEnd(status) !== 'completed';
}

/**
 * `"ongoing" at 40% (400 of 1000 devices processed: 390 succeeded, 10 failed)`, and for an
 * acknowledged job how it had ended (`"acknowledged", after it was cancelled, at 40% ...`).
 */
export function describeFigures(status: JobStatusAnswer): string {
	const total = Number(status.total) || 0;
	const succeeded = Number(status.succeeded) || 0;
	const failed = Number(status.failed) || 0;
	const partly = Number(status.partiallySucceeded) || 0;
	const done = processedCount(status);
	const counts = [`${succeeded} succeeded`, `${failed} failed`];
	if (partly > 0) counts.push(`${partly} partially succeeded`);
	const of = total > 0 ? ` of ${total}` : '';
	const end = jobEnd(status);
	const since = status.status === 'acknowledged' && end !== 'completed' ? `, after it ${end === 'failed' ? 'failed' : 'was cancelled'},` : '';
	return `"${status.status}"${since} at ${Number(status.progress) || 0}% (${done}${of} devices processed: ${counts.join(', ')})`;
}

/** What happened to a job that ended failed or cancelled, in a sentence: it has ended, nothing of it runs on. */
export function describeJobEnd(job: JobStatusAnswer): string {
	return jobEnd(job) === 'cancelled'
		? 'The job was cancelled: it has ended, and nothing of it keeps running on HERE.'
		: 'The job has ended: nothing of it keeps running on HERE.';
}
