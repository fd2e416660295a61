import type { ILoadOptionsFunctions, INodeListSearchItems, INodeListSearchResult } from 'n8n-workflow';

import { listJobPages, listProjects } from '../jobs/api';

/** How many jobs the job picker reads (HERE lists them in no particular order); HERE keeps a week of jobs, a picker needs few. */
const JOB_PICKER_LIMIT = 200;

function matches(filter: string | undefined, ...texts: Array<string | undefined>): boolean {
	if (!filter) return true;
	const needle = filter.toLowerCase();
	return texts.some((text) => text?.toLowerCase().includes(needle));
}

export async function searchProjects(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const projects = await listProjects(this);
	const results: INodeListSearchItems[] = projects
		.filter((project) => project.projectId && matches(filter, project.projectName, project.projectId))
		.map((project) => ({
			name: project.projectName ? `${project.projectName} (${project.projectId})` : String(project.projectId),
			value: String(project.projectId),
		}));
	return { results };
}

export async function searchJobs(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const projectId = String(this.getCurrentNodeParameter('projectId', { extractValue: true }) ?? '').trim() || undefined;
	const results: INodeListSearchItems[] = [];
	for await (const page of listJobPages(this, {}, { projectId }, { maxItems: JOB_PICKER_LIMIT })) {
		for (const job of page) {
			if (matches(filter, job.jobId, job.status, job.type)) {
				results.push({ name: `${job.jobId} (${job.type ? `${job.type}, ` : ''}${job.status})`, value: job.jobId });
			}
		}
	}
	return { results };
}
