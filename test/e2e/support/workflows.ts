/**
 * Workflow JSON for the e2e runs: small builders for the test-only workflows, and the changes the
 * tests make to the examples (test data instead of the sample rows, nodes that need an outside
 * service switched off, as a user without an SMTP server would do).
 */
import type { WorkflowFile } from '../../../scripts/n8n/instance';
import type { Example } from '../../../scripts/n8n/demoData';

export const HERE_NODE = 'n8n-nodes-here-tracking.hereBulkJobs';
export const HERE_TRIGGER = 'n8n-nodes-here-tracking.hereBulkJobsTrigger';

export interface WfNode {
	id: string;
	name: string;
	type: string;
	typeVersion: number;
	position: [number, number];
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id: string; name: string }>;
	disabled?: boolean;
	executeOnce?: boolean;
	webhookId?: string;
}

/** A chain: Manual Trigger → nodes[0] → nodes[1] → ... */
export function chain(id: string, name: string, nodes: ReadonlyArray<Omit<WfNode, 'id' | 'position' | 'typeVersion'> & { typeVersion?: number }>): WorkflowFile {
	const all: WfNode[] = [
		{ id: `${id}-start`, name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
		...nodes.map((node, i) => ({ typeVersion: 1, ...node, id: `${id}-${i}`, position: [220 * (i + 1), 0] as [number, number] })),
	];
	const connections: Record<string, unknown> = {};
	for (let i = 0; i + 1 < all.length; i++) connections[all[i].name] = { main: [[{ node: all[i + 1].name, type: 'main', index: 0 }]] };
	return { id, name, nodes: all, connections, settings: { executionOrder: 'v1' }, active: false };
}

export function byId(value: string): Record<string, unknown> {
	return { __rl: true, mode: 'id', value };
}

/** A copy of an example with some nodes changed. */
export function edit(example: Example, changes: Record<string, (node: WfNode) => WfNode>): WorkflowFile {
	const nodes = (example.workflow.nodes as WfNode[]).map((node) => {
		const change = changes[node.name];
		return change ? change(structuredClone(node)) : node;
	});
	for (const name of Object.keys(changes)) {
		if (!nodes.some((node) => node.name === name)) throw new Error(`example ${example.slug} has no node "${name}"`);
	}
	return { ...example.workflow, nodes };
}

export const disable = (node: WfNode): WfNode => ({ ...node, disabled: true });

export function example(examples: readonly Example[], slug: string): Example {
	const found = examples.find((e) => e.slug === slug);
	if (!found) throw new Error(`no example ${slug} in examples/`);
	return found;
}
