import type { HereEmulator, RequestLogEntry } from '../../emulator';

/** Test helpers shared by the job-following tests (test/jobs, test/node Get Results and Wait for Completion). */

export const statusPath = (jobId: string) => `/bulkjobs/v4/deviceUploads/${jobId}/status`;
export const resultsPath = (jobId: string) => `/bulkjobs/v4/deviceUploads/${jobId}/results`;

export function statusCalls(emulator: HereEmulator, jobId?: string): RequestLogEntry[] {
	return emulator.requests.filter((r) => r.method === 'GET' && (jobId ? r.path === statusPath(jobId) : r.path.endsWith('/status')));
}

export function resultCalls(emulator: HereEmulator, jobId: string): RequestLogEntry[] {
	return emulator.requests.filter((r) => r.method === 'GET' && r.path === resultsPath(jobId));
}

/** Resolves once `predicate` holds, checking every few milliseconds; fails after `timeoutMs`. */
export async function until(predicate: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
	const start = Date.now();
	while (!predicate()) {
		if (Date.now() - start > timeoutMs) throw new Error(`Timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 5));
	}
}

/** Milliseconds between consecutive log entries. */
export function gaps(entries: RequestLogEntry[]): number[] {
	return entries.slice(1).map((entry, index) => entry.at - entries[index].at);
}

/** Cancels a job straight on the emulator's API. */
export async function cancelDirectly(emulator: HereEmulator, email: string, jobId: string): Promise<void> {
	const response = await fetch(`${emulator.url}/bulkjobs/v4/deviceUploads/${jobId}`, {
		method: 'PATCH',
		headers: { Authorization: `Bearer ${emulator.issueToken(email)}`, 'Content-Type': 'application/json' },
		body: JSON.stringify({ action: 'cancel' }),
	});
	if (response.status !== 200) throw new Error(`Emulator refused the cancel: ${response.status}`);
}

export async function acknowledgeDirectly(emulator: HereEmulator, email: string, jobId: string): Promise<void> {
	const response = await fetch(`${emulator.url}/bulkjobs/v4/deviceUploads/${jobId}`, {
		method: 'PATCH',
		headers: { Authorization: `Bearer ${emulator.issueToken(email)}`, 'Content-Type': 'application/json' },
		body: JSON.stringify({ action: 'acknowledge' }),
	});
	if (response.status !== 200) throw new Error(`Emulator refused the acknowledge: ${response.status}`);
}
