/**
 * The n8n releases the end-to-end tests and the demo run, and the Node.js each needs.
 *
 * n8n 2.x: the newest release whose whole dependency tree installs from the npm registry this
 * project can reach (2.41.3, the registry's `latest`, depends on a version of @n8n/agents that the
 * registry does not have). n8n 2.x requires Node.js >= 24, which comes from the npm registry as
 * the package `node-<platform>-<arch>`.
 * n8n 1.x: the last 1.x release, on the machine's own Node.js (20), as users still on 1.x run it.
 *
 * Override with N8N_E2E_N8N2_VERSION / N8N_E2E_N8N1_VERSION / N8N_E2E_NODE24_VERSION to try others.
 */
export type NodeSource = { source: 'registry'; version: string } | { source: 'system' };

export interface N8nLine {
	readonly id: 'v2' | 'v1';
	readonly n8nVersion: string;
	readonly node: NodeSource;
	/** npm `overrides` for the install folder's package.json, each with its reason. */
	readonly overrides?: Readonly<Record<string, string>>;
	/** Settings every n8n process of this line needs, each with its reason. */
	readonly env?: Readonly<Record<string, string>>;
}

export const N8N_2: N8nLine = {
	id: 'v2',
	n8nVersion: process.env.N8N_E2E_N8N2_VERSION ?? '2.41.1',
	node: { source: 'registry', version: process.env.N8N_E2E_NODE24_VERSION ?? '24.22.3' },
	// The MCP server registry refreshes its list from api.n8n.io every few minutes; nothing else
	// of n8n 2.x reaches out once telemetry, version checks and templates are off.
	env: { N8N_DISABLED_MODULES: 'mcp-registry' },
};

export const N8N_1: N8nLine = {
	id: 'v1',
	n8nVersion: process.env.N8N_E2E_N8N1_VERSION ?? '1.123.81',
	node: { source: 'system' },
	// n8n-nodes-base 1.x takes xlsx as a tarball from the SheetJS CDN, which only the npm
	// registry's copy (0.18.5, the Spreadsheet File node's parser) can replace here.
	overrides: { xlsx: '0.18.5' },
	// Late 1.x releases evaluate expressions in isolated-vm by default; isolated-vm 6 needs
	// Node.js >= 22 and ships no build for Node.js 20, so n8n 1.x on Node.js 20 must use its
	// legacy expression engine (n8n exits at start-up otherwise).
	env: { N8N_EXPRESSION_ENGINE: 'legacy' },
};

export function lineById(id: string): N8nLine {
	if (id === 'v2' || id === '2') return N8N_2;
	if (id === 'v1' || id === '1') return N8N_1;
	throw new Error(`unknown n8n line "${id}": use v2 or v1`);
}
