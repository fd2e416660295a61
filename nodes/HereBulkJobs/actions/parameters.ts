import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { escapeHtml, htmlParagraphs } from '../editorText';
import { JOB_ID_PATTERN } from '../jobs/wire';

/** The project ID of item `itemIndex`, or undefined to let the credential / HERE decide. */
export function readProjectId(context: IExecuteFunctions, itemIndex: number): string | undefined {
	const value = context.getNodeParameter('projectId', itemIndex, '', { extractValue: true }) as string;
	const projectId = String(value ?? '').trim();
	return projectId === '' ? undefined : projectId;
}

/**
 * What to do about items of several projects. Create can take the items in parts; Sync must not:
 * a sync that gets only part of a project's list plans the rest of the list as deletions.
 */
const SPLIT_ADVICE = {
	create:
		'Split the items by project (for example with Loop Over Items, one project per batch, or one branch per project), or give every item the same Project. One Job per Input Item does not lift this: the jobs of one run all go to one project.',
	sync: "Give every item the same Project, and sync each project in its own run (one Sync node or branch per project) that gets the whole list of that project. Never split one project's list into batches (for example with Loop Over Items): with Delete Devices Not in List on, each run would plan the rest of the list as deletions.",
} as const;

const projectName = (projectId: string | undefined) =>
	projectId === undefined ? 'none (the credential\'s Default Project ID, or the user\'s only project)' : `"${projectId.slice(0, 50)}"`;

/**
 * The project of an operation that works on all its input items in one run (Create, Sync): the
 * Project of item 0, which every item must share. The Project takes expressions, so each item's
 * is read: an item whose devices would otherwise go to (or be deleted from) item 0's project
 * stops the run before any row is read. `runName` names the run in the error ("Add Devices");
 * `run` picks the advice, since a sync list must never be split.
 */
export function readRunProjectId(context: IExecuteFunctions, itemCount: number, runName: string, run: keyof typeof SPLIT_ADVICE): string | undefined {
	const projectId = readProjectId(context, 0);
	for (let itemIndex = 1; itemIndex < itemCount; itemIndex++) {
		const itemProject = readProjectId(context, itemIndex);
		if (itemProject === projectId) continue;
		const [first, other] = [projectName(projectId), projectName(itemProject)];
		throw new NodeOperationError(context.getNode(), `Item ${itemIndex}'s Project is ${other}, but item 0's is ${first}: one run works on one project`, {
			itemIndex,
			description: htmlParagraphs([
				escapeHtml(`${runName} works on the project of item 0 for all input items, and item ${itemIndex}'s Project expression gives another one (${other}, not ${first}). Nothing was read or sent.`),
				SPLIT_ADVICE[run],
			]),
		});
	}
	return projectId;
}

/** A job ID, checked before any request so a typo gets a clear error instead of HERE's 400. */
export function readJobId(context: IExecuteFunctions, itemIndex: number, parameter = 'jobId'): string {
	const value = context.getNodeParameter(parameter, itemIndex, '', { extractValue: true }) as string;
	return checkJobId(context, String(value ?? '').trim(), itemIndex);
}

export function checkJobId(context: IExecuteFunctions, jobId: string, itemIndex: number): string {
	if (!JOB_ID_PATTERN.test(jobId)) {
		throw new NodeOperationError(context.getNode(), `"${jobId.slice(0, 80)}" is not a HERE bulk job ID`, {
			itemIndex,
			description: 'A job ID looks like BULK-6279286f-a09a-4521-9d3a-af7559e84836 (as returned by Create or Get Many).',
		});
	}
	return jobId;
}
