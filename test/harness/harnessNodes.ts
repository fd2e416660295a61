import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';

/**
 * Test-only nodes that stand where a user's earlier nodes would (Manual Trigger, Read File,
 * Set): they hand the HERE node items and binary files through n8n's real helpers.
 */
class HarnessItems implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Harness Items',
		name: 'harnessItems',
		group: ['input'],
		version: 1,
		description: 'Emits the items of its "items" parameter; "files" become binary properties',
		defaults: { name: 'Items' },
		inputs: [],
		outputs: ['main'],
		properties: [
			{ displayName: 'Items', name: 'items', type: 'json', default: '[{}]' },
			{ displayName: 'Files', name: 'files', type: 'json', default: '{}' },
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getNodeParameter('items', 0) as unknown;
		const list = (typeof items === 'string' ? JSON.parse(items) : items) as Array<Record<string, unknown>>;
		const filesParam = this.getNodeParameter('files', 0) as unknown;
		const files = (typeof filesParam === 'string' ? JSON.parse(filesParam) : filesParam) as Record<
			string,
			{ fileName: string; content: string; mimeType?: string }
		>;
		const out: INodeExecutionData[] = [];
		for (const json of list) {
			const item: INodeExecutionData = { json: json as INodeExecutionData['json'] };
			for (const [property, file] of Object.entries(files)) {
				item.binary ??= {};
				item.binary[property] = await this.helpers.prepareBinaryData(
					Buffer.from(file.content, 'utf8'),
					file.fileName,
					file.mimeType ?? 'text/csv',
				);
			}
			out.push(item);
		}
		return [out];
	}
}

export function harnessNodeTypes(): Record<string, INodeType> {
	return { 'harness.items': new HarnessItems() };
}
