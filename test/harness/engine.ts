import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import {
	ExecuteContext,
	ExecutionLifecycleHooks,
	PackageDirectoryLoader,
	PollContext,
	WorkflowExecute,
} from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IDataObject,
	INode,
	INodeExecutionData,
	INodeType,
	INodeTypes,
	IRun,
	IRunExecutionData,
	IVersionedNodeType,
	IWorkflowBase,
	IWorkflowExecuteAdditionalData,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import { NodeHelpers, Workflow, createRunExecutionData } from 'n8n-workflow';

import { InMemoryCredentialsHelper } from './credentialsHelper';
import { harnessNodeTypes } from './harnessNodes';

const PACKAGE_ROOT = path.resolve(__dirname, '..', '..');
export const PACKAGE_NAME = 'n8n-nodes-here-tracking';

/** Node type names as n8n knows them once the package is installed. */
export const NODE_TYPES = {
	bulkJobs: `${PACKAGE_NAME}.hereBulkJobs`,
	trigger: `${PACKAGE_NAME}.hereBulkJobsTrigger`,
} as const;

let loaderPromise: Promise<PackageDirectoryLoader> | undefined;

/** Loads dist/ through n8n's own package loader, from package.json's `n8n` field, as n8n does. */
export async function loadPackage(): Promise<PackageDirectoryLoader> {
	loaderPromise ??= (async () => {
		if (!fs.existsSync(path.join(PACKAGE_ROOT, 'dist'))) {
			throw new Error('dist/ is missing: run `npm run build` (npm test does it) before the tests.');
		}
		const loader = new PackageDirectoryLoader(PACKAGE_ROOT);
		await loader.loadAll();
		return loader;
	})();
	return await loaderPromise;
}

class HarnessNodeTypes implements INodeTypes {
	constructor(private readonly types: Record<string, INodeType | IVersionedNodeType>) {}

	getByName(nodeType: string): INodeType | IVersionedNodeType {
		const type = this.types[nodeType];
		if (!type) throw new Error(`Unknown node type ${nodeType}`);
		return type;
	}

	getByNameAndVersion(nodeType: string, version?: number): INodeType {
		return NodeHelpers.getVersionedNodeType(this.getByName(nodeType), version);
	}

	getKnownTypes(): IDataObject {
		return {};
	}
}

export interface Engine {
	nodeTypes: INodeTypes;
	credentialTypes: Map<string, ICredentialType>;
	credentials: InMemoryCredentialsHelper;
	/** A stored credential that workflow nodes can name by id. */
	saveCredential(id: string, data: ICredentialDataDecryptedObject): { id: string; name: string };
	additionalData(): IWorkflowExecuteAdditionalData;
}

export async function createEngine(): Promise<Engine> {
	const loader = await loadPackage();
	const types: Record<string, INodeType | IVersionedNodeType> = { ...harnessNodeTypes() };
	for (const [name, data] of Object.entries(loader.nodeTypes)) types[`${PACKAGE_NAME}.${name}`] = data.type;
	const credentialTypes = new Map<string, ICredentialType>();
	for (const [name, data] of Object.entries(loader.credentialTypes)) credentialTypes.set(name, data.type);
	const credentials = new InMemoryCredentialsHelper(credentialTypes);
	const nodeTypes = new HarnessNodeTypes(types);
	return {
		nodeTypes,
		credentialTypes,
		credentials,
		saveCredential(id, data) {
			credentials.save(id, 'hereTrackingApi', data);
			return { id, name: `HERE ${id}` };
		},
		additionalData() {
			return {
				credentialsHelper: credentials,
				executeWorkflow: async () => {
					throw new Error('Sub-workflows are not part of these tests');
				},
				getRunExecutionData: async () => undefined,
				getRuntimeCredential: async () => undefined,
				currentNodeExecutionIndex: 0,
				restApiUrl: 'http://127.0.0.1/rest',
				instanceBaseUrl: 'http://127.0.0.1/',
				formBaseUrl: 'http://127.0.0.1/form',
				formWaitingBaseUrl: 'http://127.0.0.1/form-waiting',
				formTestBaseUrl: 'http://127.0.0.1/form-test',
				webhookBaseUrl: 'http://127.0.0.1/webhook',
				webhookWaitingBaseUrl: 'http://127.0.0.1/webhook-waiting',
				webhookTestBaseUrl: 'http://127.0.0.1/webhook-test',
				mcpBaseUrl: 'http://127.0.0.1/mcp',
				mcpTestBaseUrl: 'http://127.0.0.1/mcp-test',
				variables: {},
				logAiEvent: () => {},
				startRunnerTask: async () => {
					throw new Error('Task runners are not part of these tests');
				},
				userId: 'harness-user',
			} as unknown as IWorkflowExecuteAdditionalData;
		},
	};
}

export interface WorkflowJson {
	name?: string;
	nodes: INode[];
	connections: IWorkflowBase['connections'];
	staticData?: IDataObject;
}

export interface WorkflowRun {
	run: IRun;
	/** The main output items of a node's last run. */
	output(nodeName: string, outputIndex?: number): INodeExecutionData[];
	/** The error of the run, if a node failed. */
	error(): Error | undefined;
	workflow: Workflow;
}

/** Runs workflow JSON through n8n's WorkflowExecute, as `n8n execute` does. */
export async function runWorkflow(engine: Engine, json: WorkflowJson, mode: WorkflowExecuteMode = 'manual'): Promise<WorkflowRun> {
	const workflowData: IWorkflowBase = {
		id: 'harness',
		name: json.name ?? 'harness',
		active: false,
		isArchived: false,
		nodes: json.nodes,
		connections: json.connections,
		createdAt: new Date(),
		updatedAt: new Date(),
		settings: {},
		staticData: json.staticData,
	} as IWorkflowBase;
	const workflow = new Workflow({
		id: workflowData.id,
		name: workflowData.name,
		nodes: json.nodes,
		connections: json.connections,
		active: false,
		nodeTypes: engine.nodeTypes,
		staticData: json.staticData,
		settings: {},
	});
	const additionalData = engine.additionalData();
	additionalData.hooks = new ExecutionLifecycleHooks(mode, 'harness-execution', workflowData);
	// The start node is the one nothing feeds into, as with a Manual Trigger.
	const fed = new Set(Object.values(json.connections).flatMap((c) => (c.main ?? []).flat().map((t) => t?.node)));
	const startNode = json.nodes.find((node) => !fed.has(node.name) && !node.disabled);
	const run = await new WorkflowExecute(additionalData, mode).run({ workflow, startNode: startNode && workflow.getNode(startNode.name) ? workflow.getNode(startNode.name)! : undefined });
	return {
		run,
		workflow,
		output(nodeName, outputIndex = 0) {
			const taskData = run.data.resultData.runData[nodeName];
			if (!taskData?.length) throw new Error(`Node "${nodeName}" did not run`);
			return taskData[taskData.length - 1].data?.main?.[outputIndex] ?? [];
		},
		error() {
			return run.data.resultData.error as Error | undefined;
		},
	};
}

/** A node execution context of n8n-core itself, for code that needs `this` without a workflow. */
export function executeContext(engine: Engine, node: INode, items: INodeExecutionData[] = [{ json: {} }], cancelSignal?: AbortSignal): ExecuteContext {
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes: engine.nodeTypes });
	const runExecutionData: IRunExecutionData = createRunExecutionData();
	return new ExecuteContext(
		workflow,
		node,
		engine.additionalData(),
		'manual',
		runExecutionData,
		0,
		items,
		{ main: [items] },
		{ node, data: { main: [items] }, source: null },
		[],
		cancelSignal,
	);
}

/** A poll context of n8n-core, on a workflow whose static data the test keeps between polls. */
export function pollContext(engine: Engine, node: INode, staticData: IDataObject, mode: WorkflowExecuteMode = 'trigger'): { context: PollContext; workflow: Workflow } {
	const workflow = new Workflow({
		id: 'harness-trigger',
		nodes: [node],
		connections: {},
		active: true,
		nodeTypes: engine.nodeTypes,
		staticData,
	});
	const context = new PollContext(workflow, node, engine.additionalData(), mode, 'activate');
	return { context, workflow };
}

/** A scratch folder for n8n's user folder and binary data, one per test process. */
export function scratchFolder(): string {
	return fs.mkdtempSync(path.join(os.tmpdir(), 'here-n8n-'));
}
