/**
 * The package in the last n8n 1.x, on the machine's Node.js 20, as users still on 1.x run it:
 * the same action-node runs as on 2.x (examples and test workflows through `n8n execute --id`).
 * n8n 1.x on Node.js 20 runs with its legacy expression engine (see scripts/n8n/versions.ts).
 */
import { N8N_1 } from '../../scripts/n8n/versions';
import { actionWorkflows, describeActionRuns } from './support/actionRuns';
import { createWorld, type World } from './support/world';

let world: World;

beforeAll(async () => {
	world = await createWorld(N8N_1, 'e2e-n8n1');
	await world.n8n.importWorkflows(actionWorkflows(world.examples));
});

afterAll(async () => {
	await world?.close();
});

describeActionRuns(`n8n 1.x (${N8N_1.n8nVersion}) on Node.js ${process.versions.node}: action node runs through \`n8n execute --id\``, () => world);
