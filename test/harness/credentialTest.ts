import { ExecuteContext, RoutingNode } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	INode,
	INodeCredentialTestResult,
	INodeType,
	INodeTypes,
	IRunExecutionData,
} from 'n8n-workflow';
import { NodeHelpers, Workflow, createRunExecutionData } from 'n8n-workflow';

import type { Engine } from './engine';

const TEST_NODE_TYPE = 'n8n-nodes-base.noOp';

interface ErrorWithCause {
	message: string;
	cause?: { response?: { status?: number; statusText?: string }; code?: string };
}

/**
 * n8n's "Test" button for a credential, as n8n's CredentialsTester runs it: the credential's
 * `test.request` through n8n-core's RoutingNode on a temporary no-op node, with the same rules
 * for turning an HTTP failure into the message the user sees.
 */
export async function testCredential(engine: Engine, data: ICredentialDataDecryptedObject): Promise<INodeCredentialTestResult> {
	const credentialType = engine.credentialTypes.get('hereTrackingApi')!;
	const testRequest = credentialType.test!;
	const id = `credential-test-${Math.random().toString(36).slice(2)}`;
	engine.saveCredential(id, data);
	const node: INode = {
		id: 'temp',
		name: 'Temp-Node',
		type: TEST_NODE_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters: { temp: '' },
		credentials: { hereTrackingApi: { id, name: 'test' } },
	};
	const nodeType: INodeType = {
		description: {
			displayName: 'Temp',
			name: TEST_NODE_TYPE,
			group: ['transform'],
			version: 1,
			description: '',
			defaults: {},
			inputs: ['main'],
			outputs: ['main'],
			credentials: [{ name: 'hereTrackingApi', required: true }],
			properties: [{ displayName: 'Temp', name: 'temp', type: 'string', routing: { request: testRequest.request }, default: '' }],
		},
	};
	const nodeTypes: INodeTypes = {
		getByName: () => nodeType,
		getByNameAndVersion: () => NodeHelpers.getVersionedNodeType(nodeType),
		getKnownTypes: () => ({}),
	};
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
	const runExecutionData: IRunExecutionData = createRunExecutionData();
	const items = [{ json: {} }];
	const context = new ExecuteContext(
		workflow,
		node,
		engine.additionalData(),
		'internal',
		runExecutionData,
		0,
		[],
		{ main: [items] },
		{ node, data: {}, source: null },
		[],
	);
	const decrypted = await engine.credentials.getDecrypted(undefined, { id, name: 'test' }, 'hereTrackingApi');
	try {
		await new RoutingNode(context, nodeType, { id, name: 'test', type: 'hereTrackingApi', data: decrypted }).runNode();
	} catch (caught) {
		const error = caught as ErrorWithCause;
		const response = error.cause?.response;
		if (response?.status !== undefined) {
			for (const rule of testRequest.rules ?? []) {
				if (rule.type === 'responseCode' && rule.properties.value === response.status) {
					return { status: 'Error', message: rule.properties.message };
				}
			}
			return { status: 'Error', message: response.statusText || `Received HTTP status code: ${response.status}` };
		}
		if (error.cause?.code) return { status: 'Error', message: error.cause.code };
		return { status: 'Error', message: error.message };
	}
	return { status: 'OK', message: 'Connection successful!' };
}
