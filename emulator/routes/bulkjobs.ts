import type { EmulatorCore } from '../core';
import { badRequest, notFound } from '../errors';
import { integer, jsonBody, multi, oneOf, ok, single, type ApiRequest, type Route } from '../http';
import { JOB_ID } from '../ids';
import { pendingRows, type Job } from '../jobs';
import type { Project } from '../projects';
import { JOB_STATUSES, JOB_TYPES, type JobStatus, type JobType, type ListBody, type ResultsBody, type StatusBody } from '../types';
import { parseUpload } from '../upload';
import { tooLong } from '../validation';

const BASE = '/bulkjobs/v4/deviceUploads';
const JOB_PATH = '([^/]+)';

/** The bulk-jobs paths: create, list, status, results, cancel/acknowledge. */
export function bulkJobRoutes(core: EmulatorCore): Route[] {
	/** Token first (401), then the project (400/403/404): the order a gateway checks them. */
	const projectOf = (req: ApiRequest): Project =>
		core.accounts.resolveProject(core.accounts.authenticate(req.headers.authorization), single(req.query, 'projectId'));

	const jobOf = (req: ApiRequest, jobId: string): Job => {
		const principal = core.accounts.authenticate(req.headers.authorization);
		if (!JOB_ID.test(jobId)) throw badRequest('The jobId must look like BULK-<UUIDv4>.', { field: 'jobId' });
		const project = core.accounts.resolveProject(principal, single(req.query, 'projectId'));
		const job = core.jobs.get(jobId);
		// Another project's job is as unknown as a job that never existed.
		if (!job || job.projectId !== project.projectId) throw notFound(`Bulk job ${jobId} was not found.`);
		return job;
	};

	return [
		{
			method: 'POST',
			pattern: new RegExp(`^${BASE}$`),
			handle: (req) => {
				const project = projectOf(req);
				const fileName = single(req.query, 'fileName');
				if (fileName !== undefined && (fileName.length < 1 || tooLong(fileName, 50))) {
					throw badRequest('fileName must be 1-50 characters.', { field: 'fileName' });
				}
				const upload = parseUpload(req.body, req.headers['content-type']);
				const job = core.jobs.create(project.projectId, upload.type, upload.rows, fileName);
				core.processor.enqueue(job);
				return ok({ jobId: job.id }, 202);
			},
		},
		{
			method: 'GET',
			pattern: new RegExp(`^${BASE}$`),
			handle: (req) => {
				const project = projectOf(req);
				const limit = integer(req.query, 'limit', 1, 100, 100);
				const type = oneOf(req.query, 'type', JOB_TYPES);
				const statuses = multi(req.query, 'status');
				const unknown = statuses?.find((s) => !(JOB_STATUSES as readonly string[]).includes(s));
				if (unknown !== undefined) {
					throw badRequest(
						`status "${unknown}" is not one of ${JOB_STATUSES.join(', ')}; ask for several statuses with one status parameter each (status=completed&status=failed).`,
						{ field: 'status' },
					);
				}
				const wanted = statuses ? new Set(statuses as JobStatus[]) : undefined;
				const matches = (job: Job): boolean => (type === undefined || job.type === type) && (wanted === undefined || wanted.has(job.status));
				const query = describeFilters(type, wanted);
				const token = single(req.query, 'pageToken');
				let ids: string[];
				let offset = 0;
				let snapshotId: string | undefined;
				if (token) {
					({ ids, offset, snapshotId } = core.pages.readListToken(token, project.projectId, query));
				} else {
					ids = core.jobs
						.forProject(project.projectId)
						.filter(matches)
						.map((j) => j.id);
					core.listRng.shuffle(ids);
				}
				// A job of the snapshot that no longer matches the filters (its status moved on) or no
				// longer exists is left out, and the page is filled from the jobs after it: later pages
				// hold only matching jobs, and none of them is skipped or repeated. Over a whole listing
				// each snapshot id is looked at once.
				const matchingNow = (id: string): Job | undefined => {
					const job = core.jobs.get(id);
					return job !== undefined && matches(job) ? job : undefined;
				};
				const items: ListBody['items'] = [];
				let next = offset;
				while (items.length < limit && next < ids.length) {
					const job = matchingNow(ids[next++]);
					if (job !== undefined) items.push({ jobId: job.id, status: job.status, type: job.type });
				}
				// A token means a further page with jobs ("no token = last page"): skip what no longer matches (statuses only move on).
				while (next < ids.length && matchingNow(ids[next]) === undefined) next++;
				const body: ListBody = { count: items.length, limit, items };
				if (next < ids.length) {
					body.nextPageToken = snapshotId !== undefined ? core.pages.listToken(snapshotId, next) : core.pages.startListing(project.projectId, ids, next, query);
				}
				return ok(body);
			},
		},
		{
			method: 'GET',
			pattern: new RegExp(`^${BASE}/${JOB_PATH}/status$`),
			handle: (req, [jobId]) => {
				const job = jobOf(req, jobId);
				const rows = job.rows.length;
				const processed = job.results.length;
				const body: StatusBody = {
					status: job.status,
					// Floor: 100 only once every row is done.
					progress: rows === 0 ? 0 : Math.floor((processed * 100) / rows),
					// As in HERE's tutorial: a job that has not started yet reports total 0 and every row pending.
					total: job.status === 'pending' ? 0 : rows,
					succeeded: job.succeeded,
					failed: job.failed,
					partiallySucceeded: job.partiallySucceeded,
					pending: pendingRows(job),
					type: job.type,
				};
				if (job.fileName !== undefined) body.fileName = job.fileName;
				return ok(body);
			},
		},
		{
			method: 'GET',
			pattern: new RegExp(`^${BASE}/${JOB_PATH}/results$`),
			handle: (req, [jobId]) => {
				const job = jobOf(req, jobId);
				const limit = integer(req.query, 'limit', 1, 100, 100);
				const token = single(req.query, 'pageToken');
				const available = job.results.length;
				const offset = token ? core.pages.readResultsToken(token, job.id, available) : 0;
				const items = job.results.slice(offset, offset + limit);
				const body: ResultsBody = { status: job.status, type: job.type, limit, count: items.length, items };
				// Only rows that exist now: while the job runs, the last page is "last so far".
				if (offset + limit < available) body.nextPageToken = core.pages.resultsToken(job.id, offset + limit);
				return ok(body);
			},
		},
		{
			method: 'PATCH',
			pattern: new RegExp(`^${BASE}/${JOB_PATH}$`),
			handle: (req, [jobId]) => {
				const job = jobOf(req, jobId);
				const body = jsonBody(req);
				if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('The body must be a JSON object {"action": ...}.');
				const { action, ...rest } = body as Record<string, unknown>;
				const extra = Object.keys(rest);
				if (extra.length > 0) throw badRequest(`Unknown field ${extra[0]}: the body takes only "action".`, { field: extra[0] });
				if (action === 'cancel') core.jobs.cancel(job);
				else if (action === 'acknowledge') core.jobs.acknowledge(job);
				else throw badRequest('action must be "cancel" or "acknowledge".', { field: 'action' });
				return ok({ status: job.status });
			},
		},
	];
}

/** A job listing's filters in one canonical text (status order and repeats change nothing), to tie its page tokens to them. */
function describeFilters(type: JobType | undefined, statuses: ReadonlySet<JobStatus> | undefined): string {
	const parts: string[] = [];
	if (type !== undefined) parts.push(`type=${type}`);
	if (statuses !== undefined) parts.push(...[...statuses].sort().map((status) => `status=${status}`));
	return parts.length > 0 ? parts.join('&') : 'no type or status filter';
}
