import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { ensureNodeError } from '../transport';
import * as bulkJob from './bulkJob';
import * as device from './device';
import type { HereBulkJobsType } from './node.type';
import type { OperationModule } from './operation';

const operationsByResource: Record<HereBulkJobsType['resource'], Record<string, OperationModule>> = {
	bulkJob: bulkJob.operations,
	device: device.operations,
};

function errorItem(error: Error, pairedItem: INodeExecutionData['pairedItem']): INodeExecutionData {
	const description = (error as { description?: string }).description;
	return { json: { error: error.message, ...(description ? { description } : {}) }, pairedItem };
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

	const returnData: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const output = await module.execute.call(this, itemIndex);
			// The items are the operation's own, made for this call, so they are paired in place:
			// Get Results can hand out 100,000 items, and a copy of each is time and garbage.
			for (const item of output) {
				item.pairedItem = { item: itemIndex };
				returnData.push(item);
			}
		} catch (error) {
			if (this.continueOnFail()) {
				returnData.push(errorItem(error as Error, { item: itemIndex }));
				continue;
			}
			throw ensureNodeError(this.getNode(), error, itemIndex);
		}
	}
	return [returnData];
}
