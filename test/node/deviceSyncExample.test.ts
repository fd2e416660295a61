import * as fs from 'node:fs';
import * as path from 'node:path';

import type { IDataObject, INode } from 'n8n-workflow';

import type { HereEmulator } from '../../emulator';
import type { Engine } from '../harness/engine';
import { runWorkflow } from '../harness/engine';
import { createJobDirectly, loginUser } from '../harness/fixtures';
import { withEmulatorAndEngine } from '../harness/suite';

/**
 * The two Sync nodes of examples/nightly-sync-from-spreadsheet.json, with their parameters as
 * shipped, run in n8n-core behind a stand-in for the example's "Fleet list (sample rows)" node
 * (the Set, IF and Stop and Error nodes of n8n-nodes-base are not part of this harness: their
 * one-expression conditions and message are evaluated below; the real-n8n run is e2e).
 */

let emulator: HereEmulator;
let engine: Engine;
withEmulatorAndEngine({ processing: { mode: 'instant' }, seed: 97 }, (started) => ({ emulator, engine } = started));

const example = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'examples', 'nightly-sync-from-spreadsheet.json'), 'utf8')) as { nodes: INode[] };
const nodeNamed = (name: string): INode => {
	const node = example.nodes.find((n) => n.name === name);
	if (node === undefined) throw new Error(`The example has no node "${name}"`);
	return node;
};
const fleetList = nodeNamed('Fleet list (sample rows)');
const sampleRows = JSON.parse(fleetList.parameters.jsonOutput as string) as { rows: Array<{ assetId: string }> };

async function runExampleNode(name: string, credential: { id: string; name: string }) {
	const node = { ...nodeNamed(name), credentials: { hereTrackingApi: credential } };
	const source = { id: 'fleet', name: fleetList.name, type: 'harness.items', typeVersion: 1, position: [0, 0] as [number, number], parameters: { items: JSON.stringify([sampleRows]), files: '{}' } };
	return await runWorkflow(engine, { nodes: [source, node], connections: { [fleetList.name]: { main: [[{ node: node.name, type: 'main', index: 0 }]] } } });
}

test('the dry run plans the vans to add and the retired vans to delete; the real run carries it out', async () => {
	const user = loginUser(emulator, engine);
	// What `npm start` seeds: two retired vans the list no longer names, and a device outside the scope.
	await createJobDirectly(emulator, user.email, [
		{ name: 'Van 09', externalId: 'depot-n-0009', type: 'Truck' },
		{ name: 'Van 10', externalId: 'depot-n-0010', type: 'Truck' },
		{ name: 'Forklift', externalId: 'yard-0001' },
	]);
	emulator.clearRequests();

	const plan = await runExampleNode('Plan the sync (dry run)', user.credential);
	expect(plan.error()).toBeUndefined();
	const planned = plan.output('Plan the sync (dry run)').map((item) => item.json);
	const summary = planned[planned.length - 1];
	// What the example's "Anything to do?" IF node lets through.
	expect(summary).toMatchObject({ summary: true, dryRun: true, planned: { add: 8, delete: 2, outsideScope: 1 } });
	expect(summary).not.toHaveProperty('blockedBy');
	expect(emulator.requests.filter((r) => r.method === 'POST' && r.path.startsWith('/bulkjobs/'))).toEqual([]);

	const apply = await runExampleNode('Apply the sync', user.credential);
	expect(apply.error()).toBeUndefined();
	const vans = emulator.devices(user.projectId).map((d) => d.externalId).sort();
	expect(vans).toEqual([...sampleRows.rows.map((row) => row.assetId), 'yard-0001'].sort());
	expect(emulator.devices(user.projectId).find((d) => d.externalId === 'depot-n-0001')?.rate).toEqual({ sendMs: 600000, sampleMs: 300000 });
});

/**
 * The example's routing after the dry run, as n8n evaluates it: each IF node's condition (one
 * `{{ }}` expression over `$json`) and the Stop and Error node's message, for the items a dry run gives.
 */
const connection = (from: string, output: number) =>
	((example as unknown as { connections: Record<string, { main: Array<Array<{ node: string }>> }> }).connections[from]?.main[output] ?? []).map((c) => c.node);
const expressionOf = (text: string) => /^=\{\{(.*)\}\}$/s.exec(text)?.[1] ?? '';
function condition(name: string): (json: IDataObject) => boolean {
	const [only] = (nodeNamed(name).parameters.conditions as { conditions: Array<{ leftValue: string }> }).conditions;
	return new Function('$json', `return (${expressionOf(only.leftValue)});`) as (json: IDataObject) => boolean;
}
function stopMessage(name: string, json: IDataObject): string {
	const text = String(nodeNamed(name).parameters.errorMessage).replace(/^=/, '');
	return text.replace(/\{\{(.*?)\}\}/g, (_, expression: string) => String((new Function('$json', `return (${expression});`) as (j: IDataObject) => unknown)(json)));
}

/** Which node each dry-run item reaches: Apply the sync, the Stop and Error node, or none. */
function route(items: IDataObject[]) {
	const [apply] = connection('Anything to do?', 0);
	const [blockedCheck] = connection('Anything to do?', 1);
	const [stop] = connection(blockedCheck, 0);
	expect(nodeNamed(stop).type).toBe('n8n-nodes-base.stopAndError');
	const toApply = items.filter(condition('Anything to do?'));
	const toStop = items.filter((json) => !condition('Anything to do?')(json)).filter(condition(blockedCheck));
	return { apply, toApply, stop, toStop, messages: toStop.map((json) => stopMessage(stop, json)) };
}

test('a night a guard blocks stops the execution with an error naming blockedBy; a normal night goes on to Apply the sync', async () => {
	const user = loginUser(emulator, engine);
	// 25 retired vans in scope: more than the example's Max Deletions (20).
	await createJobDirectly(emulator, user.email, Array.from({ length: 25 }, (_, i) => ({ name: `Old van ${i}`, externalId: `depot-n-9${String(i).padStart(3, '0')}` })));
	const blocked = await runExampleNode('Plan the sync (dry run)', user.credential);
	expect(blocked.error()).toBeUndefined();
	const blockedRoute = route(blocked.output('Plan the sync (dry run)').map((item) => item.json));
	expect(blockedRoute.toApply).toEqual([]);
	expect(blockedRoute.toStop).toHaveLength(1);
	expect(blockedRoute.messages).toEqual([
		'The nightly sync sent nothing: a deletion guard blocked it (it would delete 25 devices, more than Max Deletions (20)). Check the fleet list first (a truncated export looks like many deletions), and open the output of "Plan the sync (dry run)" to see each planned device. If the deletions are intended, raise Max Deletions or Max Deletion Percentage in both Sync nodes.',
	]);

	const fresh = loginUser(emulator, engine);
	const normal = await runExampleNode('Plan the sync (dry run)', fresh.credential);
	const normalRoute = route(normal.output('Plan the sync (dry run)').map((item) => item.json));
	expect(normalRoute.apply).toBe('Apply the sync');
	expect(normalRoute.toApply).toHaveLength(1);
	expect(normalRoute.toStop).toEqual([]);
});
