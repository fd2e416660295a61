import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { escapeHtml } from '../editorText';
import type { JobResults } from '../jobs/collectResults';
import type { ResultOutputOptions } from '../jobs/resultItems';
import { deviceResultItems, jobSummary, noDeviceItem, resultsCsv } from '../jobs/resultItems';
import type { WaitSettings } from '../jobs/waitForJob';
import { DEFAULT_WAIT } from '../jobs/waitForJob';

/**
 * The output and waiting parameters that Get Results, Wait for Completion and Create's "Wait for
 * Completion" option share, with their readers and the function that turns results into items.
 * The arrays carry no displayOptions: each operation wraps them in its own `updateDisplayOptions`.
 * Their names (`output`, `resultOptions`, `waitOptions`) are saved in workflows: never rename.
 */

export type ResultShape = 'perDevice' | 'summary';

export const resultOutputProperties: INodeProperties[] = [
	{
		displayName: 'Output',
		name: 'output',
		type: 'options',
		default: 'perDevice',
		options: [
			{
				name: 'One Item per Device',
				value: 'perDevice',
				description:
					'Each device\'s result as its own item: jobId, outcome ("succeeded" or "failed"), the device fields, errors and errorMessage. A job without any device result gives one item with outcome "none". Create also outputs "notProcessed" (devices a failed or cancelled job never reached), "invalid" (rows skipped by Skip Invalid Rows) and "alreadySent" (rows left out by Skip Devices Already in Jobs).',
			},
			{
				name: 'One Summary Item per Job',
				value: 'summary',
				description:
					'One item per job with its status and counts, the list of failed devices and every device\'s result under "results"',
			},
		],
		description: 'How the results come out of the node',
		hint: 'Per device suits IF, Switch and spreadsheet nodes; the summary suits reports and AI agents',
	},
	{
		displayName: 'Result Options',
		name: 'resultOptions',
		type: 'collection',
		placeholder: 'Add Result Option',
		default: {},
		description: 'Extra settings for the results output',
		options: [
			{
				displayName: 'Attach CSV File',
				name: 'attachCsv',
				type: 'boolean',
				default: false,
				description:
					'Whether to also attach all results as one CSV file (columns jobId, name, deviceId, externalId, externalDeviceId, connectorId, trackingId, outcome, errors) on the first output item, e.g. to e-mail or store it',
				hint: 'The file rides on the first output item only',
			},
			{
				displayName: 'CSV File Name',
				name: 'csvFileName',
				type: 'string',
				default: '',
				placeholder: 'e.g. device-upload-results.csv',
				description: 'File name of the attached CSV file. Empty: here-results-JOBID.csv for one job, here-results.csv for several.',
				hint: 'Used with Attach CSV File',
			},
			{
				displayName: 'Device Results in Summary',
				name: 'includeResults',
				type: 'boolean',
				default: true,
				description:
					'Whether a summary item lists every device\'s result under "results". Turn off for large jobs when the counts and failed devices are enough.',
				hint: 'Used with the summary output',
			},
			{
				displayName: 'Include Device Secret',
				name: 'includeDeviceSecret',
				type: 'boolean',
				default: false,
				description:
					'Whether to output the deviceSecret that HERE returns for newly provisioned devices. It is a credential: it then appears in the execution data and the CSV file, so only turn this on when the next node stores it safely.',
				hint: 'Off by default; HERE keeps results for a week, so Get Results can fetch the secrets later',
			},
			{
				displayName: 'Put CSV File in Field',
				name: 'binaryPropertyName',
				type: 'string',
				default: 'data',
				placeholder: 'e.g. data',
				description: 'The binary field of the first output item that gets the CSV file',
				hint: 'Used with Attach CSV File',
			},
		],
	},
];

export const waitProperties: INodeProperties[] = [
	{
		displayName: 'Wait Options',
		name: 'waitOptions',
		type: 'collection',
		placeholder: 'Add Wait Option',
		default: {},
		description: 'How often and how long to check the jobs\' status',
		options: [
			{
				displayName: 'Poll Interval (Seconds)',
				name: 'pollInterval',
				type: 'number',
				typeOptions: { minValue: 0.01 },
				default: 1, // DEFAULT_WAIT.pollIntervalMs in seconds
				placeholder: 'e.g. 1',
				description: 'Seconds before the second status check; later pauses double up to Max Poll Interval',
				hint: 'Small jobs finish in seconds; the pause grows by itself on long ones',
			},
			{
				displayName: 'Max Poll Interval (Seconds)',
				name: 'maxPollInterval',
				type: 'number',
				typeOptions: { minValue: 0.01 },
				default: 30, // DEFAULT_WAIT.maxPollIntervalMs in seconds (a literal for the linter; a test keeps them equal)
				placeholder: 'e.g. 30',
				description: 'The pause between status checks doubles after each check up to this many seconds',
				hint: 'Higher values make fewer requests on long jobs',
			},
			{
				displayName: 'Output Unsuccessful Jobs',
				name: 'outputUnsuccessfulJobs',
				type: 'boolean',
				default: false,
				description:
					'Whether a job that ends "failed" or "cancelled" is output with its status and results instead of stopping the workflow with an error',
				hint: 'When this is on, check jobStatus (per device) or status (summary) downstream. A job acknowledged since reads "acknowledged".',
			},
			{
				displayName: 'Timeout (Minutes)',
				name: 'timeout',
				type: 'number',
				typeOptions: { minValue: 0.01 },
				default: 10, // DEFAULT_WAIT.timeoutMs in minutes
				placeholder: 'e.g. 10',
				description:
					'Stop waiting with an error after this many minutes (the jobs keep running on HERE). For jobs that take long, use the HERE Bulk Jobs Trigger instead.',
				hint: 'About 1000 devices take a few minutes on HERE',
			},
		],
	},
];

export interface ResultOutput extends ResultOutputOptions {
	shape: ResultShape;
	includeResults: boolean;
	/** Set when a CSV file is to be attached. */
	csv?: { binaryPropertyName: string; fileName?: string };
}

interface ResultOptionsValue {
	attachCsv?: boolean;
	binaryPropertyName?: string;
	csvFileName?: string;
	includeDeviceSecret?: boolean;
	includeResults?: boolean;
}

export function readResultOutput(context: IExecuteFunctions, itemIndex: number): ResultOutput {
	const shape = context.getNodeParameter('output', itemIndex, 'perDevice') as string;
	if (shape !== 'perDevice' && shape !== 'summary') {
		throw new NodeOperationError(context.getNode(), `"${String(shape).slice(0, 40)}" is not a known Output`, {
			itemIndex,
			description: 'Output takes "perDevice" (one item per device) or "summary" (one item per job).',
		});
	}
	const options = context.getNodeParameter('resultOptions', itemIndex, {}) as ResultOptionsValue;
	const output: ResultOutput = {
		shape,
		omitDeviceSecret: options.includeDeviceSecret !== true,
		includeResults: options.includeResults !== false,
	};
	if (options.attachCsv === true) {
		const binaryPropertyName = String(options.binaryPropertyName ?? '').trim() || 'data';
		const fileName = String(options.csvFileName ?? '').trim();
		output.csv = { binaryPropertyName, fileName: fileName === '' ? undefined : fileName };
	}
	return output;
}

interface WaitOptionsValue {
	pollInterval?: number;
	maxPollInterval?: number;
	timeout?: number;
	outputUnsuccessfulJobs?: boolean;
}

/** The wait settings of item `itemIndex`, in milliseconds; a value that is not a positive number is an error. */
export function readWaitSettings(context: IExecuteFunctions, itemIndex: number): WaitSettings {
	const options = context.getNodeParameter('waitOptions', itemIndex, {}) as WaitOptionsValue;
	const positive = (value: unknown, fallback: number, label: string, unit: string): number => {
		if (value === undefined || value === '') return fallback;
		const number = Number(value);
		if (!Number.isFinite(number) || number <= 0) {
			throw new NodeOperationError(context.getNode(), `${label} must be a positive number of ${unit}`, {
				itemIndex,
				description: `It is "${escapeHtml(String(value).slice(0, 40))}". Set it under Wait Options, or remove the option to use the default.`,
			});
		}
		return number;
	};
	const pollIntervalMs = positive(options.pollInterval, DEFAULT_WAIT.pollIntervalMs / 1000, 'Poll Interval', 'seconds') * 1000;
	const maxPollIntervalMs = positive(options.maxPollInterval, DEFAULT_WAIT.maxPollIntervalMs / 1000, 'Max Poll Interval', 'seconds') * 1000;
	const timeoutMs = positive(options.timeout, DEFAULT_WAIT.timeoutMs / 60_000, 'Timeout', 'minutes') * 60_000;
	return {
		pollIntervalMs: Math.round(pollIntervalMs),
		// A cap below the first interval is raised to it: the pause then stays at the first interval.
		maxPollIntervalMs: Math.round(Math.max(pollIntervalMs, maxPollIntervalMs)),
		timeoutMs: Math.round(timeoutMs),
		failOnUnsuccessful: options.outputUnsuccessfulJobs !== true,
	};
}

function defaultCsvFileName(results: JobResults[]): string {
	if (results.length === 1) return `here-results-${results[0].job.jobId}.csv`;
	return 'here-results.csv';
}

/**
 * The output items for the results of one or more jobs, in the chosen shape. With a CSV file
 * asked for, one file of all devices (with a jobId column) is attached to the first item,
 * stored through n8n's binary data helpers so it works in every binary data mode.
 * Per device, a job without any device result gives one item with `outcome` "none" (as the
 * trigger does), so that a job that ended before HERE processed a device is not lost.
 */
export async function resultOutputItems(
	context: IExecuteFunctions,
	results: JobResults[],
	output: ResultOutput,
): Promise<INodeExecutionData[]> {
	const items: INodeExecutionData[] = [];
	for (const { job, rows } of results) {
		if (output.shape === 'summary') {
			items.push({ json: jobSummary(job, rows, output) });
		} else if (rows.length === 0) {
			items.push({ json: noDeviceItem(job) });
		} else {
			for (const json of deviceResultItems(rows, job, output)) items.push({ json });
		}
	}
	if (output.csv && items.length > 0) {
		const taggedRows = results.flatMap(({ job, rows }) => rows.map((row) => ({ jobId: job.jobId, ...row })));
		const text = resultsCsv(taggedRows, output);
		const binary = await context.helpers.prepareBinaryData(
			Buffer.from(text, 'utf8'),
			output.csv.fileName ?? defaultCsvFileName(results),
			'text/csv',
		);
		items[0] = { ...items[0], binary: { ...(items[0].binary ?? {}), [output.csv.binaryPropertyName]: binary } };
	}
	return items;
}
