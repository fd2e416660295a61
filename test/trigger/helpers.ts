import type { IDataObject, INode, INodeExecutionData } from 'n8n-workflow';

import type { HereEmulator } from '../../emulator';
import type { JobRecord } from '../../nodes/HereBulkJobs/trigger/state';
import { readState } from '../../nodes/HereBulkJobs/trigger/state';
import { NODE_TYPES } from '../harness/engine';

export const TRIGGER_NAME = 'HERE Trigger';

/** A HERE Bulk Jobs Trigger node with the given parameters (the project typed by id). */
export function triggerNode(credential: { id: string; name: string }, projectId: string, parameters: INode['parameters'] = {}): INode {
	return {
		id: 'trigger-node',
		name: TRIGGER_NAME,
		type: NODE_TYPES.trigger,
		typeVersion: 1,
		position: [0, 0],
		parameters: { projectId: { __rl: true, mode: 'id', value: projectId }, ...parameters },
		credentials: { hereTrackingApi: credential },
	};
}

/**
 * A request straight to the emulator's API, as another HERE client would make it. Faults the
 * test injected can hit it too: a refused (not processed) request is sent again.
 */
async function api(emulator: HereEmulator, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
	for (let attempt = 1; ; attempt++) {
		try {
			const response = await fetch(`${emulator.url}${path}`, {
				method,
				headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'X-Request-Id': crypto.randomUUID() },
				body: body === undefined ? undefined : JSON.stringify(body),
			});
			const text = await response.text();
			let json: unknown;
			try {
				json = JSON.parse(text);
			} catch {
				json = undefined;
			}
			const faulted = response.status === 429 || response.status >= 500 || (response.ok && json === undefined && text !== '');
			if (faulted && attempt < 20) continue;
			return { status: response.status, json };
		} catch (error) {
			// A dropped connection (fault "drop"): the emulator did nothing, so sending again is safe.
			if (attempt >= 20) throw error;
		}
	}
}

export interface JobOptions {
	fileName?: string;
	projectId?: string;
}

/** Uploads a job through HERE's API; returns its id. */
export async function createJob(emulator: HereEmulator, email: string, devices: object[], options: JobOptions = {}): Promise<string> {
	const query = new URLSearchParams();
	if (options.projectId) query.set('projectId', options.projectId);
	if (options.fileName) query.set('fileName', options.fileName);
	const { status, json } = await api(emulator, emulator.issueToken(email), 'POST', `/bulkjobs/v4/deviceUploads?${query}`, devices);
	if (status !== 202) throw new Error(`The emulator refused the job: ${status} ${JSON.stringify(json)}`);
	return (json as { jobId: string }).jobId;
}

export async function patchJob(emulator: HereEmulator, email: string, jobId: string, action: 'cancel' | 'acknowledge'): Promise<number> {
	const { status } = await api(emulator, emulator.issueToken(email), 'PATCH', `/bulkjobs/v4/deviceUploads/${jobId}`, { action });
	return status;
}

/** The emulator's status of a job (without going through the node). */
export function statusOf(emulator: HereEmulator, jobId: string): string | undefined {
	return emulator.jobs().find((job) => job.jobId === jobId)?.status;
}

/** The job ids of emitted items, once per item. */
export function jobIdsOf(items: INodeExecutionData[] | null | undefined): string[] {
	return (items ?? []).map((item) => String(item.json.jobId));
}

/** The distinct job ids of emitted items, in order. */
export function distinctJobIds(items: INodeExecutionData[] | null | undefined): string[] {
	return [...new Set(jobIdsOf(items))];
}

/** The records of the stored trigger state, read the way the trigger reads them. */
export function records(staticData: IDataObject): Record<string, JobRecord> {
	return Object.fromEntries(readState(staticData)?.jobs ?? []);
}

export function marks(staticData: IDataObject): Record<string, string> {
	return Object.fromEntries(Object.entries(records(staticData)).map(([jobId, record]) => [jobId, record.mark]));
}

/** Requests the emulator saw on a path, e.g. `/results$`. */
export function requestsTo(emulator: HereEmulator, method: string, path: RegExp) {
	return emulator.requests.filter((request) => request.method === method && path.test(request.path));
}
