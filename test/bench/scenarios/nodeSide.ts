/**
 * The node side of every scenario: the built package (dist/) loaded by n8n-core's package
 * loader and run through n8n-core's WorkflowExecute (test/harness), against the emulator over
 * real HTTP, as a workflow "Items → HERE Bulk Jobs" in n8n would run.
 */
import type { IDataObject, IHttpRequestMethods, INode, INodeExecutionData } from 'n8n-workflow';

import type { Engine } from '../../harness/engine';
import { createEngine, executeContext, NODE_TYPES, runWorkflow } from '../../harness/engine';
import { itemsThen } from '../../harness/fixtures';
import type { Limit } from '../../../nodes/HereBulkJobs/transport';
import type { Transport } from '../reference/client';

let engine: Engine | undefined;
let credentials = 0;

export async function nodeEngine(): Promise<Engine> {
	engine ??= await createEngine();
	return engine;
}

/** A login credential (e-mail and password) for the emulator user, as a user would set it up. */
export async function loginCredential(baseUrl: string, email: string, password: string) {
	const e = await nodeEngine();
	credentials++;
	return e.saveCredential(`bench-${credentials}`, { authentication: 'login', email, password, host: 'custom', baseUrl });
}

export function hereNode(credential: { id: string; name: string }, parameters: INode['parameters']): INode {
	return {
		id: 'HERE',
		name: 'HERE',
		type: NODE_TYPES.bulkJobs,
		typeVersion: 1,
		position: [200, 0],
		parameters: { resource: 'bulkJob', ...parameters },
		credentials: { hereTrackingApi: credential },
	};
}

export interface NodeRun {
	/** Wall time of the workflow without the Items node, which only stands for the user's earlier nodes. */
	ms: number;
	/** When n8n started the HERE node (epoch ms). */
	startedAt: number;
	items: INodeExecutionData[];
}

/** Runs Items → HERE and times it; throws what the HERE node threw. */
export async function runHereNode(
	node: INode,
	items: unknown[],
	files?: Record<string, { fileName: string; content: string }>,
): Promise<NodeRun> {
	const e = await nodeEngine();
	const started = performance.now();
	const run = await runWorkflow(e, itemsThen(node, items, files));
	const wall = performance.now() - started;
	const error = run.error();
	if (error) throw error;
	const itemsTask = run.run.data.resultData.runData.Items?.[0];
	const hereTask = run.run.data.resultData.runData.HERE?.[0];
	return { ms: wall - (itemsTask?.executionTime ?? 0), startedAt: hereTask?.startTime ?? Date.now(), items: run.output('HERE') };
}

export { NODE_TYPES };

/**
 * The reference client's requests through n8n's own HTTP helper, with the same credential (so
 * n8n logs in through the credential's preAuthentication, as for the node): the "n8n floor".
 */
export async function n8nTransport(baseUrl: string, email: string, password: string): Promise<Transport> {
	const e = await nodeEngine();
	const credential = await loginCredential(baseUrl, email, password);
	const context = executeContext(e, hereNode(credential, { operation: 'getStatus' }));
	return {
		async login() {
			// The credential logs in on the first request (preAuthentication), as it does for the node.
		},
		async call<T>(inFlight: Limit, method: string, path: string, body?: unknown): Promise<T> {
			return await inFlight(
				async () =>
					(await context.helpers.httpRequestWithAuthentication.call(context, 'hereTrackingApi', {
						method: method as IHttpRequestMethods,
						url: path,
						body: body as IDataObject | undefined,
						json: true,
						headers: { 'X-Request-Id': crypto.randomUUID(), Accept: 'application/json' },
					})) as T,
			);
		},
	};
}
