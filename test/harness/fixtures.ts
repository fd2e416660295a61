import type { INode } from 'n8n-workflow';

import type { HereEmulator } from '../../emulator';
import { sessionFields } from '../../nodes/HereBulkJobs/transport/storedSession';
import type { Engine } from './engine';
import { NODE_TYPES } from './engine';

/** Obviously fake secrets; the secret-leak checks look for exactly these strings. */
export const CANARY = {
	password: 'canary-password-7f3a91',
	email: 'fleet.ops@example.com',
} as const;

let userCounter = 0;

/**
 * A fresh user with one project on the emulator, and a login credential for it. `signedIn`: the
 * credential already holds a session token, as after an earlier run (n8n then makes no login).
 * `defaultProjectId`: the credential's Default Project ID.
 */
export function loginUser(emulator: HereEmulator, engine: Engine, options: { projects?: string[]; signedIn?: boolean; defaultProjectId?: string } = {}) {
	userCounter += 1;
	const email = `user${userCounter}.${Date.now()}@example.com`;
	const projects = (options.projects ?? [`project-${userCounter}`]).map((projectId) => ({
		projectId,
		projectName: `Project ${projectId}`,
		projectHrn: `hrn:here:authorization::org1:project/${projectId}`,
	}));
	emulator.addUser({ email, password: CANARY.password, projects });
	const fields = {
		authentication: 'login',
		email,
		password: CANARY.password,
		host: 'custom',
		baseUrl: emulator.url,
		...(options.defaultProjectId ? { projectId: options.defaultProjectId } : {}),
	};
	// Signed in: the session fields as preAuthentication stores them.
	const credential = engine.saveCredential(`login-${userCounter}`, { ...fields, ...(options.signedIn ? sessionFields(fields, emulator.issueToken(email)) : {}) });
	return { email, projects, credential, projectId: projects[0].projectId };
}

/** A HERE Bulk Jobs node with the given operation parameters. */
export function bulkJobsNode(credential: { id: string; name: string }, parameters: INode['parameters'], name = 'HERE'): INode {
	return {
		id: name,
		name,
		type: NODE_TYPES.bulkJobs,
		typeVersion: 1,
		position: [200, 0],
		parameters: { resource: 'bulkJob', ...parameters },
		credentials: { hereTrackingApi: credential },
	};
}

/** A resource locator value for a job or project id typed by the user. */
export function byId(value: string) {
	return { __rl: true, mode: 'id', value };
}

/** Items → HERE node, as a user wires a Manual Trigger (or any source) to the node. */
export function itemsThen(node: INode, items: unknown[] = [{}], files?: Record<string, { fileName: string; content: string }>) {
	return {
		nodes: [
			{
				id: 'items',
				name: 'Items',
				type: 'harness.items',
				typeVersion: 1,
				position: [0, 0] as [number, number],
				parameters: { items: JSON.stringify(items), files: JSON.stringify(files ?? {}) },
			},
			node,
		],
		connections: { Items: { main: [[{ node: node.name, type: 'main' as const, index: 0 }]] } },
	};
}

/** Creates a job straight on the emulator's API, for tests of operations other than Create. */
export async function createJobDirectly(emulator: HereEmulator, email: string, devices: object[], projectId?: string): Promise<string> {
	const token = emulator.issueToken(email);
	const query = projectId ? `?projectId=${encodeURIComponent(projectId)}` : '';
	const response = await fetch(`${emulator.url}/bulkjobs/v4/deviceUploads${query}`, {
		method: 'POST',
		headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
		body: JSON.stringify(devices),
	});
	if (response.status !== 202) throw new Error(`Emulator refused the job: ${response.status} ${await response.text()}`);
	return ((await response.json()) as { jobId: string }).jobId;
}

let batchCounter = 0;

/** Devices with names unique across the test run (HERE refuses a name twice in a project). */
export function newDevices(count: number, prefix = `device-${++batchCounter}-${Date.now().toString(36)}`): Array<{ name: string }> {
	return Array.from({ length: count }, (_, index) => ({ name: `${prefix}-${index + 1}` }));
}
