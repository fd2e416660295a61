import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { getJobStatus } from '../../jobs/api';
import { collectResults, RESULTS_CONCURRENCY } from '../../jobs/collectResults';
import { jobLocator, projectLocator } from '../common.descriptions';
import { readJobId, readProjectId } from '../parameters';
import { readResultOutput, resultOutputItems, resultOutputProperties } from '../results.descriptions';

const properties: INodeProperties[] = [
	{ ...jobLocator, hint: 'While the job still runs, the results are partial: each item says resultsComplete, and jobStatus (per device) or status (summary)' },
	projectLocator,
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
		hint: 'HERE returns results 100 devices per request',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		placeholder: 'e.g. 50',
		description: 'Max number of results to return',
		hint: 'Counts devices, not jobs. When the job has more, the output (summary and CSV file too) holds only these, with resultsComplete false and limitReached true.',
		displayOptions: { show: { returnAll: [false] } },
	},
	...resultOutputProperties,
];

export const description = updateDisplayOptions({ show: { resource: ['bulkJob'], operation: ['getResults'] } }, properties);

export const mode = 'perItem';

/** Items whose jobs are read at once: each job's pages come one after another, so jobs overlap. */
export const concurrency = RESULTS_CONCURRENCY;

/**
 * The per-device results of one job, as they are now. The status is read first: when it is
 * terminal, every row is already there, so `resultsComplete` is true only when it is.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const jobId = readJobId(this, itemIndex);
	const scope = { projectId: readProjectId(this, itemIndex), itemIndex };
	const returnAll = this.getNodeParameter('returnAll', itemIndex, false) as boolean;
	const maxItems = returnAll ? undefined : Math.max(1, Math.floor(Number(this.getNodeParameter('limit', itemIndex, 50)) || 1));
	const output = readResultOutput(this, itemIndex);

	const status = await getJobStatus(this, jobId, scope);
	// One row past the Limit tells whether HERE holds more than the Limit lets out.
	const rows = await collectResults(this, jobId, scope, { maxItems: maxItems === undefined ? undefined : maxItems + 1 });
	const limitReached = maxItems !== undefined && rows.length > maxItems;
	const job = { ...status, jobId, ...(limitReached ? { limitReached } : {}) };
	return await resultOutputItems(this, [{ job, rows: rows.slice(0, maxItems) }], output);
}
