import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { DeviceTooLargeError, deviceTooLargeError, MAX_CHUNK_SIZE } from '../../devices/chunk';
import { ArrivingJobs } from '../../jobs/arrivingJobs';
import type { JobResults } from '../../jobs/collectResults';
import { waitAndCollectResults } from '../../jobs/collectResults';
import type { JobType } from '../../jobs/wire';
import { JOB_TYPE_NAMES } from '../../jobs/wire';
import { errorItem, nodeErrorItem, usesErrorOutput } from '../errorItems';
import { readRunProjectId } from '../parameters';
import { readResultOutput, readWaitSettings, resultOutputItems, resultOutputProperties, waitProperties } from '../results.descriptions';
import { checkInput } from './create/checkInput';
import { createProperties, DEFAULT_CONCURRENCY, MAX_CONCURRENCY } from './create/create.descriptions';
import type { InputSource } from './create/deviceSource';
import { readDeviceBlocks } from './create/deviceSource';
import { readEarlierJobIds, readEarlierResults, sortOutEarlier } from './create/earlierJobs';
import type { CreateRun } from './create/output';
import { invalidInputOutput, resultsOutput, uploadOutput } from './create/output';
import type { LocatedDevice, UploadPlan } from './create/plan';
import { planUploads } from './create/plan';
import type { RowContext } from './create/rows';
import { describeRows } from './create/rows';
import type { OtherRows, Submission } from './create/submitChunks';
import { submissionError, submitJobs } from './create/submitChunks';
import { ensureNodeError } from '../../transport';
import { withCreatedJobs } from './create/waitError';

const waitOnly = { show: { waitForCompletion: [true] } };

export const description = updateDisplayOptions({ show: { resource: ['bulkJob'], operation: ['create'] } }, [
	...createProperties,
	...resultOutputProperties.map((property) => ({ ...property, displayOptions: waitOnly })),
	...waitProperties.map((property) => ({ ...property, displayOptions: waitOnly })),
]);

/** Rows of all input items go into the same job(s), so Create sees the whole input at once. */
export const mode = 'batch';

interface CreateOptions {
	chunkSize?: number;
	concurrency?: number;
	fileName?: string;
	ignoreUnknownFields?: boolean;
	jobPerItem?: boolean;
	skipDevicesInJobs?: unknown;
	skipInvalidRows?: boolean;
}

interface CreateSettings {
	jobType: JobType;
	source: InputSource;
	projectId?: string;
	chunkSize: number;
	concurrency: number;
	jobPerItem: boolean;
	skipInvalidRows: boolean;
	ignoreUnknownFields: boolean;
	waitForCompletion: boolean;
	output: 'perJob' | 'summary';
	/** Earlier jobs whose devices are not sent again (a re-run after a partial upload). */
	earlierJobIds: string[];
}

const SOURCES: readonly InputSource[] = ['csvFile', 'csvText', 'items', 'json'];

/** The run's settings, from the first item: one run, one set of jobs (and one project, which every item must share). */
function readSettings(context: IExecuteFunctions, itemCount: number): CreateSettings {
	const node = context.getNode();
	const jobType = context.getNodeParameter('jobType', 0, 'create') as string;
	if (jobType !== 'create' && jobType !== 'delete') {
		throw new NodeOperationError(node, `"${jobType.slice(0, 40)}" is not a known Job Type`, {
			description: 'Job Type takes "create" (add devices) or "delete" (delete devices).',
		});
	}
	const source = context.getNodeParameter('inputSource', 0, 'csvFile') as InputSource;
	if (!SOURCES.includes(source)) {
		throw new NodeOperationError(node, `"${String(source).slice(0, 40)}" is not a known device source`, {
			description: `Devices From takes one of: ${SOURCES.join(', ')}.`,
		});
	}
	const options = context.getNodeParameter('options', 0, {}) as CreateOptions;
	const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
	if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_CONCURRENCY) {
		throw new NodeOperationError(node, `Parallel Uploads must be a whole number from 1 to ${MAX_CONCURRENCY} (got ${String(concurrency)})`);
	}
	// Checked with the other settings, before any row is read (an expression can give any value).
	const chunkSize = options.chunkSize ?? MAX_CHUNK_SIZE;
	if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > MAX_CHUNK_SIZE) {
		throw new NodeOperationError(
			node,
			`Devices per Job must be a whole number from 1 to ${MAX_CHUNK_SIZE} (got ${String(chunkSize)}): HERE accepts at most ${MAX_CHUNK_SIZE} devices per job`,
		);
	}
	const output = context.getNodeParameter('jobOutput', 0, 'perJob') as string;
	const projectId = readRunProjectId(context, itemCount, JOB_TYPE_NAMES[jobType], 'create');
	return {
		jobType,
		source,
		projectId,
		chunkSize,
		concurrency,
		jobPerItem: options.jobPerItem === true,
		skipInvalidRows: options.skipInvalidRows === true,
		ignoreUnknownFields: options.ignoreUnknownFields === true,
		waitForCompletion: context.getNodeParameter('waitForCompletion', 0, false) === true,
		output: output === 'summary' ? 'summary' : 'perJob',
		earlierJobIds: readEarlierJobIds(context, options.skipDevicesInJobs),
	};
}

function defaultFileName(source: InputSource): string {
	return source === 'csvFile' || source === 'csvText' ? 'devices.csv' : 'devices.json';
}

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const settings = readSettings(this, items.length);
	const node = this.getNode();
	const scope = { projectId: settings.projectId, itemIndex: 0 };

	// 1. Read and validate every input item's devices (one row limit for the run); nothing is sent yet.
	const read = await readDeviceBlocks(this, items, {
		run: 'create',
		source: settings.source,
		kind: settings.jobType === 'create' ? 'add' : 'delete',
		ignoreUnknownFields: settings.ignoreUnknownFields,
	});
	const rowsPerItem = settings.source !== 'items';
	const rowContext: RowContext = { rowsPerItem, severalSources: rowsPerItem && read.length > 1 };
	const problem = checkInput(node, read, settings.skipInvalidRows, rowContext);
	if (problem !== undefined) {
		if (!this.continueOnFail()) throw problem.error;
		return invalidInputOutput(problem, { rowContext, inputCount: items.length }).map((item) => errorItem(this, item.json, item.pairedItem));
	}

	// The wait's settings are checked now: a mistake in them must not surface after the upload.
	const waitSettings = settings.waitForCompletion ? readWaitSettings(this, 0) : undefined;
	const resultOutput = settings.waitForCompletion ? readResultOutput(this, 0) : undefined;

	// 2. A re-run: leave out the devices HERE took in the earlier jobs; those that failed there go again.
	const earlier = await readEarlierResults(this, settings.earlierJobIds, settings.jobType, scope);
	const { blocks, alreadySent, resent } = sortOutEarlier(read, earlier, settings.jobType);

	// 3. Plan the jobs (at most chunkSize devices and 10 MiB each) and upload them.
	let plan: UploadPlan;
	try {
		plan = planUploads(blocks, {
			chunkSize: settings.chunkSize,
			jobPerItem: settings.jobPerItem,
			fileNameFor: (item) => String(this.getNodeParameter('options.fileName', item, '') ?? ''),
			defaultFileName: defaultFileName(settings.source),
		});
	} catch (error) {
		if (!(error instanceof DeviceTooLargeError)) throw ensureNodeError(node, error);
		const located = error.device as LocatedDevice;
		throw deviceTooLargeError(node, `The device of ${describeRows([located], read[0]?.prepared.label ?? 'row', rowContext)}`, error, located.item);
	}
	const run: CreateRun = {
		jobType: settings.jobType,
		projectId: settings.projectId,
		skipInvalidRows: settings.skipInvalidRows,
		rowContext,
		inputCount: items.length,
		label: read[0]?.prepared.label ?? 'row',
		plan,
		alreadySent,
		resent,
	};
	const upload = { projectId: settings.projectId, concurrency: settings.concurrency, rowContext };
	// An error after the upload began still names the rows no job holds (skipped, left out) and those sent again.
	const otherRows: OtherRows = { read, alreadySent: alreadySent.length, resent: resent.length };
	const shape = settings.waitForCompletion ? 'perJob' : settings.output;
	// Continue on fail after a failed upload: every job with its fate, so the next node can resend exactly the rest.
	const uploadFailure = (submissions: Submission[]) => {
		const error = submissionError(this, submissions, rowContext, otherRows);
		if (!this.continueOnFail()) throw error;
		if (!usesErrorOutput(this)) return uploadOutput(run, submissions, shape, { message: error.message, description: error.description ?? undefined });
		// The jobs (created or not) on the success output, the error on the error output.
		const { failedJobs, mayExistFileNames, notSentJobs } = error.context;
		const allInputs = items.map((_, item) => ({ item }));
		return [...uploadOutput(run, submissions, shape), nodeErrorItem(this, error, allInputs, { failedJobs, mayExistFileNames, notSentJobs })];
	};
	const failed = (submissions: Submission[]) => submissions.some((submission) => submission.state !== 'created');
	if (waitSettings === undefined || resultOutput === undefined || plan.jobs.length === 0) {
		const submissions = await submitJobs(this, plan.jobs, upload);
		return failed(submissions) ? uploadFailure(submissions) : uploadOutput(run, submissions, shape);
	}

	// 4. Wait for Completion: each job is followed as soon as HERE answers its upload, while the
	// other uploads go on; one shared deadline, counted from the last upload's answer. A failed
	// upload stops the uploads and the wait, and is the error; a failed wait is the error once
	// every upload has answered (the uploads go on, as without the wait).
	const arriving = new ArrivingJobs();
	const waiting = waitAndCollectResults(this, arriving, scope, waitSettings);
	waiting.catch(() => undefined); // weighed below, once every upload has answered
	let submissions: Submission[];
	try {
		submissions = await submitJobs(this, plan.jobs, { ...upload, arriving });
	} finally {
		arriving.close(); // without it the wait would have no deadline
	}
	if (arriving.cancelled) {
		await waiting.catch(() => undefined); // the status checks and reads under way end first
		return uploadFailure(submissions);
	}
	try {
		const answered = await waiting;
		// Every upload was created here (a failed one cancels the wait). The jobs came in the order
		// HERE answered their uploads; the output keeps the job order.
		const created = submissions as Array<Extract<Submission, { state: 'created' }>>;
		const byJobId = new Map(answered.map((result) => [result.job.jobId, result]));
		const results = created.map((s) => byJobId.get(s.jobId) as JobResults);
		return resultsOutput(run, created, results, await resultOutputItems(this, results, resultOutput), resultOutput.shape);
	} catch (error) {
		throw withCreatedJobs(error, submissions, rowContext, otherRows);
	}
}
