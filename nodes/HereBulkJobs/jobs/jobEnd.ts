import type { JobStatusAnswer } from './wire';

/** How a finished job ended: `acknowledged` only says that someone has handled it since. */
export type JobEnd = 'completed' | 'failed' | 'cancelled';

/**
 * How a job in a final status ended. Acknowledging hides whether a job had completed, failed
 * or been cancelled, but its figures still tell: a cancelled job left devices unprocessed, and
 * a failed one failed every device (HERE ends a job `failed` only then; a job with some failed
 * devices ends `completed`). A job that is acknowledged after it failed is still a failed job
 * for a wait, whoever acknowledged it (the trigger's Acknowledge Emitted Jobs, another client).
 */
export function jobEnd(status: JobStatusAnswer): JobEnd {
	if (status.status !== 'acknowledged') return status.status === 'failed' || status.status === 'cancelled' ? status.status : 'completed';
	const total = Number(status.total) || 0;
	const failed = Number(status.failed) || 0;
	const processed = (Number(status.succeeded) || 0) + failed + (Number(status.partiallySucceeded) || 0);
	if (processed < total) return 'cancelled';
	return total > 0 && failed === total ? 'failed' : 'completed';
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
	const done = succeeded + failed + partly;
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
