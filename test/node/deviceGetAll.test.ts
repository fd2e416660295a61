import type { IDataObject } from 'n8n-workflow';

import type { HereEmulator } from '../../emulator';
import type { Engine } from '../harness/engine';
import { runWorkflow } from '../harness/engine';
import { bulkJobsNode, byId, createJobDirectly, itemsThen, loginUser } from '../harness/fixtures';
import { withEmulatorAndEngine } from '../harness/suite';
import { startMisbehavingHere } from '../trigger/misbehavingHere';

let emulator: HereEmulator;
let engine: Engine;
withEmulatorAndEngine({ processing: { mode: 'instant' }, seed: 71 }, (started) => ({ emulator, engine } = started));

type User = ReturnType<typeof loginUser>;

async function getMany(user: User, parameters: Record<string, unknown>) {
	const node = bulkJobsNode(user.credential, { resource: 'device', operation: 'getAll', ...parameters } as never);
	return await runWorkflow(engine, itemsThen(node));
}

const listings = () => emulator.requests.filter((r) => r.path === '/users/v2/devices');

function virtualDevices(count: number, prefix: string): object[] {
	return Array.from({ length: count }, (_, i) => ({ name: `${prefix}-${i}`, externalId: `${prefix}-${i}`, sendMs: 600000 + i, sampleMs: 300000 }));
}

test('Return All pages over pageToken with count 100 and outputs identities and rates', async () => {
	const user = loginUser(emulator, engine);
	await createJobDirectly(emulator, user.email, virtualDevices(230, 'van'));
	await createJobDirectly(emulator, user.email, [{ name: 'physical one' }]);

	const run = await getMany(user, { returnAll: true });
	expect(run.error()).toBeUndefined();
	const out = run.output('HERE').map((item) => item.json);
	expect(out).toHaveLength(231);
	expect(new Set(out.map((d) => d.trackingId)).size).toBe(231);
	const van7 = out.find((d) => d.externalId === 'van-7') as IDataObject;
	const stored = emulator.devices(user.projectId).find((d) => d.externalId === 'van-7');
	expect(van7).toEqual({ trackingId: stored?.trackingId, externalId: 'van-7', appId: expect.any(String), sendMs: 600007, sampleMs: 300000 });
	expect(out.find((d) => d.externalId === undefined)).toEqual({ trackingId: expect.stringMatching(/^HERE-/) });

	// Three pages of at most 100, each after the first carrying the previous page's token.
	const requests = listings();
	expect(requests.map((r) => r.query.count)).toEqual(['100', '100', '100']);
	expect(requests[0].query.pageToken).toBeUndefined();
	expect(requests.slice(1).every((r) => typeof r.query.pageToken === 'string')).toBe(true);
});

test('Limit stops reading once enough devices came; Include Shadow adds the raw shadow', async () => {
	const user = loginUser(emulator, engine);
	await createJobDirectly(emulator, user.email, virtualDevices(150, 'crane'));

	const run = await getMany(user, { returnAll: false, limit: 30, options: { includeShadow: true } });
	expect(run.error()).toBeUndefined();
	const out = run.output('HERE').map((item) => item.json);
	expect(out).toHaveLength(30);
	expect(out[0].shadow).toMatchObject({ desired: { system: { rate: { sendMs: out[0].sendMs, sampleMs: 300000 } } } });
	expect(listings().map((r) => r.query.count)).toEqual(['30']);
});

test("a multi-project user's credential with a Default Project ID lists that project when the node names none", async () => {
	const [a, b] = [`default-a-${Date.now()}`, `default-b-${Date.now()}`];
	const user = loginUser(emulator, engine, { projects: [a, b], defaultProjectId: b });
	await createJobDirectly(emulator, user.email, virtualDevices(2, 'a'), a);
	await createJobDirectly(emulator, user.email, virtualDevices(3, 'b'), b);

	const run = await getMany(user, { returnAll: true });
	expect(run.error()).toBeUndefined();
	expect(run.output('HERE').map((item) => item.json.externalId).sort()).toEqual(['b-0', 'b-1', 'b-2']);
	expect(listings().map((r) => r.query.projectId)).toEqual([b]);
});

test('a named project of a multi-project user, and a retried 503 on a page', async () => {
	const user = loginUser(emulator, engine, { projects: [`multi-a-${Date.now()}`, `multi-b-${Date.now()}`] });
	const [a, b] = user.projects.map((p) => p.projectId);
	await createJobDirectly(emulator, user.email, virtualDevices(120, 'a'), a);
	await createJobDirectly(emulator, user.email, virtualDevices(3, 'b'), b);
	emulator.faults.script([{ method: 'GET', path: /^\/users\/v2\/devices$/, kind: '503' }]);

	const run = await getMany(user, { projectId: byId(b), returnAll: true });
	expect(run.error()).toBeUndefined();
	expect(run.output('HERE').map((item) => item.json.externalId).sort()).toEqual(['b-0', 'b-1', 'b-2']);
	expect(listings().map((r) => [r.query.projectId, r.status])).toEqual([
		[b, 503],
		[b, 200],
	]);
});

test('a page token that expired while the list was read: the error says so and to run again', async () => {
	const user = loginUser(emulator, engine);
	await createJobDirectly(emulator, user.email, virtualDevices(150, 'slow'));
	// HERE's clock moves 11 minutes before the second page is asked for: its token (valid 10 minutes) has expired.
	const here = await startMisbehavingHere(emulator.url, async (request, forward) => {
		if (request.path === '/users/v2/devices' && request.query.has('pageToken')) emulator.clock.advance(11 * 60 * 1000);
		return await forward();
	});
	try {
		const credential = engine.saveCredential('slow-listing', { ...engine.credentials.stored(user.credential.id), baseUrl: here.url });
		emulator.clearRequests();
		const run = await runWorkflow(engine, itemsThen(bulkJobsNode(credential, { resource: 'device', operation: 'getAll', returnAll: true } as never)));

		const error = run.error() as Error & { description?: string };
		expect(error.message).toMatch(/^List the devices of the project failed: HERE answered HTTP 400/);
		expect(error.description).toMatch(
			/^HERE refused the token of the next page: reading the list took too long \(HERE's page tokens expire; the device list's after 10 minutes\), or HERE dropped the token\. Run the node again \(a trigger does at its next poll\): the list is read again from the first page\./,
		);
		expect(error.description).not.toContain('Check the values named in the message');
		expect(listings().map((r) => r.status)).toEqual([200, 400]);
	} finally {
		await here.close();
	}
});
