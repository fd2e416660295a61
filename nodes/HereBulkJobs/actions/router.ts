import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { mapWithConcurrency } from '../jobs/mapWithConcurrency';
import { plainText } from '../editorText';
import { ensureNodeError } from '../transport';
import * as bulkJob from './bulkJob';
import * as device from './device';
import type { HereBulkJobsType } from './node.type';
import type { OperationModule } from './operation';

const operationsByResource: Record<HereBulkJobsType['resource'], Record<string, OperationModule>> = {
	bulkJob: bulkJob.operations,
	device: device.operations,
};

/** The jobs an error is about (see where the errors are made), for a next node to act on without reading the text. */
const JOB_FACTS = ['jobId', 'jobStatus', 'jobIds', 'createdJobIds', 'jobStatuses'] as const;

/**
 * Continue On Fail: the error's message, its description as plain text (the next node is no
 * HTML view), and the jobs it is about.
 */
function errorItem(error: Error, pairedItem: INodeExecutionData['pairedItem']): INodeExecutionData {
	const description = (error as { description?: string }).description;
	const context: IDataObject = (error as { context?: IDataObject }).context ?? {};
	const jobs = Object.fromEntries(JOB_FACTS.filter((key) => context[key] !== undefined).map((key) => [key, context[key]]));
	return { json: { error: error.message, ...(description ? { description: plainText(description) } : {}), ...jobs }, pairedItem };
}

/** Resolves the operation once, runs it over the input, and applies continueOnFail in one place. */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const resource = this.getNodeParameter('resource', 0) as HereBulkJobsType['resource'];
	const operation = this.getNodeParameter('operation', 0) as string;
	const module = operationsByResource[resource]?.[operation];
	if (!module) {
		throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not known for "${resource}"`);
	}

	if (module.mode === 'batch') {
		try {
			return [await module.execute.call(this, items)];
		} catch (error) {
			if (!this.continueOnFail()) throw ensureNodeError(this.getNode(), error);
			return [[errorItem(error as Error, items.map((_, index) => ({ item: index })))]];
		}
	}

	const continueOnFail = this.continueOnFail();
	const refused = module.checkInput?.call(this, items) ?? new Map<number, Error>();
	const [firstRefusal] = refused.entries();
	if (firstRefusal !== undefined && !continueOnFail) throw ensureNodeError(this.getNode(), firstRefusal[1], firstRefusal[0]);

	// Items run `concurrency` at a time; their outputs, and the first error, come in item order.
	const outcomes = await mapWithConcurrency(
		items,
		module.concurrency ?? 1,
		async (_, itemIndex) => {
			const refusal = refused.get(itemIndex);
			if (refusal !== undefined) throw refusal;
			return await module.execute.call(this, itemIndex);
		},
		{ stopOnFailure: !continueOnFail },
	);
	const returnData: INodeExecutionData[] = [];
	for (const [itemIndex, outcome] of outcomes.entries()) {
		if (outcome.ok) {
			// The items are the operation's own, made for this call, so they are paired in place:
			// Get Results can hand out 100,000 items, and a copy of each is time and garbage.
			for (const item of outcome.value) {
				item.pairedItem = { item: itemIndex };
				returnData.push(item);
			}
		} else if ('error' in outcome) {
			if (!continueOnFail) throw ensureNodeError(this.getNode(), outcome.error, itemIndex);
			returnData.push(errorItem(outcome.error as Error, { item: itemIndex }));
		}
		// A skipped item only follows a failed one, whose error was thrown above.
	}
	return [returnData];
}
