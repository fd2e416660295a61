import type { IPollFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { uploadFileName } from '../actions/bulkJob/create/fileName';
import type { JobType } from '../jobs/wire';
import { JOB_ID_PATTERN } from '../jobs/wire';
import type { WatchableStatus } from './trigger.descriptions';
import { WATCHABLE_STATUSES } from './trigger.descriptions';
import type { Watching } from './state';

/** The trigger's parameters, read and checked once per poll. */
export interface TriggerSettings {
	/** Undefined: the credential's default project (or the user's only one). */
	projectId?: string;
	statuses: WatchableStatus[];
	/** Undefined: both types. */
	jobType?: JobType;
	output: 'perDevice' | 'summary';
	acknowledge: boolean;
	/** Empty: any job. */
	jobIds: Set<string>;
	/** Empty: any file name. */
	fileNamePatterns: RegExp[];
	/** deviceSecret stays out of the output unless the user asks for it (as in the action node). */
	omitDeviceSecret: boolean;
	/** Summary output: list every device's result under `results`. */
	includeResults: boolean;
	firstPoll: 'recordExisting' | 'emitExisting';
}

interface RawOptions {
	fileNames?: string;
	jobIds?: string;
	includeDeviceSecret?: boolean;
	includeResults?: boolean;
	firstPoll?: 'recordExisting' | 'emitExisting';
}

function splitList(text: string | undefined): string[] {
	return String(text ?? '')
		.split(/[,\n]/)
		.map((part) => part.trim())
		.filter((part) => part !== '');
}

/** `*` matches any characters; everything else is literal. */
export function fileNamePattern(glob: string): RegExp {
	const escaped = glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
	return new RegExp(`^${escaped}$`);
}

export function readSettings(context: IPollFunctions): TriggerSettings {
	const node = context.getNode();
	const projectValue = context.getNodeParameter('projectId', '', { extractValue: true }) as string;
	const projectId = String(projectValue ?? '').trim() || undefined;

	const chosen = (context.getNodeParameter('statuses', []) as string[]).filter((status): status is WatchableStatus =>
		(WATCHABLE_STATUSES as readonly string[]).includes(status),
	);
	if (chosen.length === 0) {
		throw new NodeOperationError(node, 'Select at least one status to watch', {
			description: 'Under "Statuses", pick Completed, Failed and/or Cancelled.',
		});
	}
	const statuses = WATCHABLE_STATUSES.filter((status) => chosen.includes(status));

	const jobTypeValue = context.getNodeParameter('jobType', 'any') as string;
	const jobType: JobType | undefined = jobTypeValue === 'create' || jobTypeValue === 'delete' ? jobTypeValue : undefined;
	const output = context.getNodeParameter('output', 'perDevice') === 'summary' ? 'summary' : 'perDevice';
	const acknowledge = context.getNodeParameter('acknowledge', false) === true;
	const options = context.getNodeParameter('options', {}) as RawOptions;

	const jobIds = splitList(options.jobIds);
	const invalid = jobIds.filter((jobId) => !JOB_ID_PATTERN.test(jobId));
	if (invalid.length > 0) {
		throw new NodeOperationError(node, `"${invalid[0].slice(0, 80)}" under "Only Job IDs" is not a HERE bulk job ID`, {
			description: 'A job ID looks like BULK-6279286f-a09a-4521-9d3a-af7559e84836; separate several with commas.',
		});
	}

	return {
		projectId,
		statuses,
		jobType,
		output,
		acknowledge,
		jobIds: new Set(jobIds),
		fileNamePatterns: splitList(options.fileNames).map(fileNamePattern),
		omitDeviceSecret: options.includeDeviceSecret !== true,
		includeResults: options.includeResults !== false,
		firstPoll: options.firstPoll === 'emitExisting' ? 'emitExisting' : 'recordExisting',
	};
}

/** Whether a job passes the optional job id filter (known from the listing alone). */
export function wantsJobId(settings: TriggerSettings, jobId: string): boolean {
	return settings.jobIds.size === 0 || settings.jobIds.has(jobId);
}

/**
 * Whether a job passes the optional file name filter (known only from its status). The parts of
 * a split upload (`erp.csv (2/3)`) pass under the upload's own name, as the user knows it.
 */
export function wantsFileName(settings: TriggerSettings, fileName: string | undefined): boolean {
	if (settings.fileNamePatterns.length === 0) return true;
	if (fileName === undefined) return false;
	const names = [fileName, uploadFileName(fileName)];
	return settings.fileNamePatterns.some((pattern) => names.some((name) => pattern.test(name)));
}

/** The statuses and job type this configuration lists. */
export function watchingOf(settings: TriggerSettings): Watching {
	return { statuses: [...settings.statuses], jobType: settings.jobType ?? 'any' };
}
