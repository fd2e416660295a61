import type { IDataObject } from 'n8n-workflow';

import type { HereContext, HereRequestOptions } from '../transport';
import { herePages, hereRequest } from '../transport';
import type {
	CreateJobAnswer,
	JobListItem,
	JobStatus,
	JobStatusAnswer,
	JobType,
	License,
	LicensesAnswer,
	PatchJobAnswer,
	ResultRow,
} from './wire';

/** Typed calls of the Bulk Jobs API; every one goes through the transport. */

const UPLOADS = '/bulkjobs/v4/deviceUploads';

export interface Scope {
	projectId?: string;
	itemIndex?: number;
}

export async function createJob(
	context: HereContext,
	devices: IDataObject[],
	scope: Scope & { fileName?: string },
	options?: HereRequestOptions,
): Promise<CreateJobAnswer> {
	return await hereRequest<CreateJobAnswer>(
		context,
		{
			method: 'POST',
			path: UPLOADS,
			qs: { fileName: scope.fileName },
			body: devices,
			projectId: scope.projectId,
			kind: 'create',
			timeoutMs: 120_000,
			action: `Upload of ${devices.length} devices`,
			itemIndex: scope.itemIndex,
		},
		options,
	);
}

export async function getJobStatus(context: HereContext, jobId: string, scope: Scope, options?: HereRequestOptions): Promise<JobStatusAnswer> {
	return await hereRequest<JobStatusAnswer>(
		context,
		{
			method: 'GET',
			path: `${UPLOADS}/${encodeURIComponent(jobId)}/status`,
			projectId: scope.projectId,
			action: `Get the status of job ${jobId}`,
			itemIndex: scope.itemIndex,
		},
		options,
	);
}

export async function patchJob(
	context: HereContext,
	jobId: string,
	action: 'cancel' | 'acknowledge',
	scope: Scope,
	options?: HereRequestOptions,
): Promise<PatchJobAnswer> {
	return await hereRequest<PatchJobAnswer>(
		context,
		{
			method: 'PATCH',
			path: `${UPLOADS}/${encodeURIComponent(jobId)}`,
			body: { action },
			projectId: scope.projectId,
			action: `${action === 'cancel' ? 'Cancel' : 'Acknowledge'} job ${jobId}`,
			itemIndex: scope.itemIndex,
		},
		options,
	);
}

export interface ListFilter {
	type?: JobType;
	statuses?: JobStatus[];
}

export function listJobPages(
	context: HereContext,
	filter: ListFilter,
	scope: Scope,
	options?: HereRequestOptions & { maxItems?: number },
): AsyncGenerator<JobListItem[]> {
	return herePages<JobListItem>(
		context,
		{
			method: 'GET',
			path: UPLOADS,
			qs: { type: filter.type, status: filter.statuses?.length ? filter.statuses : undefined },
			projectId: scope.projectId,
			action: 'List bulk jobs',
			itemIndex: scope.itemIndex,
		},
		options,
	);
}

export function resultPages(
	context: HereContext,
	jobId: string,
	scope: Scope,
	options?: HereRequestOptions & { maxItems?: number },
): AsyncGenerator<ResultRow[]> {
	return herePages<ResultRow>(
		context,
		{
			method: 'GET',
			path: `${UPLOADS}/${encodeURIComponent(jobId)}/results`,
			projectId: scope.projectId,
			action: `Get the results of job ${jobId}`,
			itemIndex: scope.itemIndex,
		},
		options,
	);
}

export async function listProjects(context: HereContext): Promise<License[]> {
	const answer = await hereRequest<LicensesAnswer>(context, {
		method: 'GET',
		path: '/registry/v2/licenses',
		qs: { startIndex: 0, endIndex: 100 },
		action: 'List HERE Tracking projects',
	});
	return Array.isArray(answer.licenses) ? answer.licenses : [];
}

