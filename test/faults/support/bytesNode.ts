import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeType, INodeTypes, IVersionedNodeType } from 'n8n-workflow';
import { NodeHelpers } from 'n8n-workflow';

import type { Engine } from '../../harness/engine';

/**
 * A test-only node that hands the HERE node a file of arbitrary bytes (the harness's Items node
 * takes UTF-8 text only): UTF-16, an Excel workbook, binary garbage. Its `base64` parameter
 * becomes the binary property `data` through n8n's own prepareBinaryData.
 */
export const BYTES_NODE_TYPE = 'faults.bytes';

class FaultsBytes implements INodeType {
	description = {
		displayName: 'Faults Bytes',
		name: 'faultsBytes',
		group: ['input'],
		version: 1,
		description: 'Emits one item with a binary file made of the given bytes',
		defaults: { name: 'Bytes' },
		inputs: [],
		outputs: ['main'],
		properties: [
			{ displayName: 'Base64', name: 'base64', type: 'string' as const, default: '' },
			{ displayName: 'File Name', name: 'fileName', type: 'string' as const, default: 'devices.csv' },
		],
	} as INodeType['description'];

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const bytes = Buffer.from(this.getNodeParameter('base64', 0) as string, 'base64');
		const fileName = this.getNodeParameter('fileName', 0) as string;
		return [[{ json: {} as IDataObject, binary: { data: await this.helpers.prepareBinaryData(bytes, fileName, 'text/csv') } }]];
	}
}

/** The engine with the bytes node added to the node types it knows. */
export function withBytesNode(engine: Engine): Engine {
	const bytes = new FaultsBytes();
	const nodeTypes: INodeTypes = {
		getByName: (name: string): INodeType | IVersionedNodeType => (name === BYTES_NODE_TYPE ? bytes : engine.nodeTypes.getByName(name)),
		getByNameAndVersion: (name: string, version?: number): INodeType =>
			name === BYTES_NODE_TYPE ? NodeHelpers.getVersionedNodeType(bytes, version) : engine.nodeTypes.getByNameAndVersion(name, version),
		getKnownTypes: () => engine.nodeTypes.getKnownTypes(),
	};
	return { ...engine, nodeTypes };
}
