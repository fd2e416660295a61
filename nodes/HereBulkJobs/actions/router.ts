import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { mapWithConcurrency } from '../jobs/mapWithConcurrency';
import { ensureNodeError } from '../transport';
import * as bulkJob from './bulkJob';
import * as device from './device';
import { nodeErrorItem } from './errorItems';
import type { HereBulkJobsType } from './node.type';
import type { OperationModule } from './operation';

const operationsByResource: Record<HereBulkJobsType['resource'], Record<string, OperationModule>> = {
	bulkJob: bulkJob.operations,
	device: device.operations,
};

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
			const nodeError = ensureNodeError(this.getNode(), error);
			if (!this.continueOnFail()) throw nodeError;
			return [[nodeErrorItem(this, nodeError, items.map((_, index) => ({ item: index })))]];
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
			const nodeError = ensureNodeError(this.getNode(), outcome.error, itemIndex);
			if (!continueOnFail) throw nodeError;
			returnData.push(nodeErrorItem(this, nodeError, { item: itemIndex }));
		}
		// A skipped item only follows a failed one, whose error was thrown above.
	}
	return [returnData];
}
