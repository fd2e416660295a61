/** The shapes HERE's Bulk Jobs v4 and registry answers take (see the OpenAPI document). */

export const JOB_STATUSES = ['pending', 'ongoing', 'completed', 'failed', 'cancelled', 'acknowledged'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** A job in one of these will not change by itself any more. */
export const TERMINAL_STATUSES: readonly JobStatus[] = ['completed', 'failed', 'cancelled', 'acknowledged'];

export function isTerminal(status: JobStatus): boolean {
	return TERMINAL_STATUSES.includes(status);
}

/** `create` adds devices, `delete` removes them; HERE infers it from the rows. */
export type JobType = 'create' | 'delete';

/** A job type as the editor names it (Job Type options). */
export const JOB_TYPE_NAMES: Record<JobType, string> = { create: 'Add Devices', delete: 'Delete Devices' };

export const JOB_ID_PATTERN = /^BULK-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export interface CreateJobAnswer {
	jobId: string;
}

export interface JobListItem {
	jobId: string;
	status: JobStatus;
	type?: JobType;
}

export interface JobStatusAnswer {
	status: JobStatus;
	progress: number;
	total: number;
	succeeded: number;
	failed: number;
	partiallySucceeded: number;
	pending: number;
	fileName?: string;
	type?: JobType;
}

/** A job the wait saw reach a final status, with what the wait spent on it. */
export interface FinishedJob extends JobStatusAnswer {
	jobId: string;
	/** Status requests made for this job. */
	statusCalls: number;
	/** Milliseconds from when the wait got the job until it was seen finished. */
	waitedMs: number;
}

export interface ResultRowError {
	code?: number;
	message?: string;
	details?: string;
}

export interface ResultRow {
	name?: string;
	deviceId?: string;
	deviceSecret?: string;
	externalId?: string;
	externalDeviceId?: string;
	connectorId?: string;
	trackingId?: string;
	errors?: ResultRowError[];
}

export interface ResultsPage {
	status?: JobStatus;
	type?: JobType;
	limit?: number;
	count?: number;
	items: ResultRow[];
	nextPageToken?: string;
}

export interface PatchJobAnswer {
	status: JobStatus;
}

export interface License {
	appId?: string;
	projectId?: string;
	projectName?: string;
	projectHrn?: string;
	projectDescription?: string;
	type?: string;
	expired?: boolean;
}

export interface LicensesAnswer {
	licenses?: License[];
	start?: number;
	end?: number;
	total?: number;
}
