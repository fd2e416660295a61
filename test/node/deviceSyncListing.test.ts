import type { HereEmulator } from '../../emulator';
import type { Engine } from '../harness/engine';
import { runWorkflow } from '../harness/engine';
import { bulkJobsNode, CANARY, createJobDirectly, itemsThen, loginUser } from '../harness/fixtures';
import { withEmulatorAndEngine } from '../harness/suite';
import type { MisbehavingHere } from '../trigger/misbehavingHere';
import { startMisbehavingHere } from '../trigger/misbehavingHere';

// Sync over device listings that HERE may give but the emulator does not: pages that shift
// between requests, and an externalId listed under two trackingIds.
let emulator: HereEmulator;
let engine: Engine;
withEmulatorAndEngine({ processing: { mode: 'instant' }, seed: 11 }, (started) => ({ emulator, engine } = started));

type Described = Error & { description?: string };
type Listed = Record<string, unknown>;

const LISTING = '/users/v2/devices';
const UPLOADS = '/bulkjobs/v4/deviceUploads';
const FAST_WAIT = { pollInterval: 0.02, maxPollInterval: 0.1, timeout: 0.5 };
const fleet = (count: number) => Array.from({ length: count }, (_, i) => `fleet-${i}`);
const csvOf = (externalIds: string[]) => ['name,externalId', ...externalIds.map((id) => `${id},${id}`)].join('\n');

/**
 * Every device the emulator lists for the user's project, read through all its pages, in
 * trackingId order (the emulator's own order changes from one listing to the next).
 */
async function wholeListing(email: string): Promise<Listed[]> {
	const all: Listed[] = [];
	let token: string | undefined;
	do {
		const page = new URL(`${emulator.url}${LISTING}`);
		if (token) page.searchParams.set('pageToken', token);
		const answer = (await (await fetch(page, { headers: { Authorization: `Bearer ${emulator.issueToken(email)}` } })).json()) as { data: Listed[]; pageToken?: string };
		all.push(...answer.data);
		token = answer.pageToken;
	} while (token);
	return all.sort((a, b) => String(a.trackingId).localeCompare(String(b.trackingId)));
}

/**
 * HERE behind a proxy whose `GET /users/v2/devices` pages by offset (`o:<n>` tokens) over the
 * order `arrange` gives for each page request (`call` counts them); everything else is the emulator's.
 */
async function listingProxy(email: string, arrange: (all: Listed[], call: number) => Listed[]): Promise<MisbehavingHere> {
	let calls = 0;
	return await startMisbehavingHere(emulator.url, async (request, forward) => {
		if (request.method !== 'GET' || request.path !== LISTING) return await forward();
		const order = arrange(await wholeListing(email), ++calls);
		const count = Number(request.query.get('count') ?? 100);
		const offset = Number((request.query.get('pageToken') ?? 'o:0').slice(2));
		const data = order.slice(offset, offset + count);
		const json: Listed = { count: data.length, data };
		if (offset + count < order.length) json.pageToken = `o:${offset + count}`;
		return { status: 200, json };
	});
}

let proxied = 0;
async function syncThrough(proxyUrl: string, email: string, list: string[], dryRun: boolean) {
	const credential = engine.saveCredential(`via-proxy-${++proxied}`, {
		authentication: 'login',
		email,
		password: CANARY.password,
		host: 'custom',
		baseUrl: proxyUrl,
	});
	const node = bulkJobsNode(credential, {
		resource: 'device',
		operation: 'sync',
		dryRun,
		inputSource: 'csvText',
		csvText: csvOf(list),
		scope: 'prefix',
		externalIdPrefix: 'fleet-',
		deleteMissing: true,
		maxDeletionPercent: 100,
		waitOptions: FAST_WAIT,
	} as never);
	return await runWorkflow(engine, itemsThen(node));
}

describe('a device listing that shifts between pages', () => {
	// The order turns by a different amount on every page request: some devices come twice, others never.
	const shifting = (all: Listed[], call: number) => {
		const shift = (call * 37) % all.length;
		return [...all.slice(shift), ...all.slice(0, shift)];
	};

	test.each([true, false])('stops before anything is sent, with an error that says to run again (Dry Run %s)', async (dryRun) => {
		const user = loginUser(emulator, engine);
		await createJobDirectly(emulator, user.email, fleet(250).map((id) => ({ name: id, externalId: id })));
		const proxy = await listingProxy(user.email, shifting);
		try {
			emulator.clearRequests();
			const run = await syncThrough(proxy.url, user.email, fleet(250).slice(10), dryRun);

			const error = run.error() as Described;
			expect(error.message).toBe("Sync stopped before sending anything: HERE's device list changed while it was being read. Run the sync again.");
			expect(error.description).toMatch(/^HERE listed the device HERE-\S+ twice \(after \d+ devices\)/);
			expect(error.description).not.toContain('nothing was sent to HERE');
			expect(emulator.requests.filter((r) => r.method !== 'GET' && r.path !== '/users/v2/login')).toEqual([]);
			expect(emulator.devices(user.projectId)).toHaveLength(250);
		} finally {
			await proxy.close();
		}
	});

	test('a listing that holds still gives the right plan through the same proxy', async () => {
		const user = loginUser(emulator, engine);
		await createJobDirectly(emulator, user.email, fleet(250).map((id) => ({ name: id, externalId: id })));
		const proxy = await listingProxy(user.email, (all) => all);
		try {
			const run = await syncThrough(proxy.url, user.email, fleet(250).slice(10), true);
			expect(run.error()).toBeUndefined();
			expect(run.output('HERE').at(-1)?.json).toMatchObject({ planned: { add: 0, delete: 10, unchanged: 240 }, listedInHere: 250 });
		} finally {
			await proxy.close();
		}
	});
});

test('an externalId listed under two trackingIds is still synced once, the second device left alone', async () => {
	const user = loginUser(emulator, engine);
	await createJobDirectly(emulator, user.email, fleet(3).map((id) => ({ name: id, externalId: id })));
	const proxy = await listingProxy(user.email, (all) => [...all, { trackingId: 'HERE-second-of-fleet-1', externalId: 'fleet-1' }]);
	try {
		emulator.clearRequests();
		const run = await syncThrough(proxy.url, user.email, fleet(3), false);
		expect(run.error()).toBeUndefined();
		const devices = run.output('HERE').map((item) => item.json);
		expect(devices.at(-1)).toMatchObject({ planned: { add: 0, delete: 0, unchanged: 3, outsideScope: 1 }, listedInHere: 4 });
		expect(emulator.requests.filter((r) => r.method === 'POST' && r.path === UPLOADS)).toEqual([]);
	} finally {
		await proxy.close();
	}
});

test('a page token that expired while the project was listed: the sync stops, says to run again, and nothing was sent', async () => {
	const user = loginUser(emulator, engine);
	await createJobDirectly(emulator, user.email, fleet(150).map((id) => ({ name: id, externalId: id })));
	// HERE's clock moves 11 minutes before the second page is asked for: its token (valid 10 minutes) has expired.
	const here = await startMisbehavingHere(emulator.url, async (request, forward) => {
		if (request.path === LISTING && request.query.has('pageToken')) emulator.clock.advance(11 * 60 * 1000);
		return await forward();
	});
	try {
		emulator.clearRequests();
		const run = await syncThrough(here.url, user.email, fleet(140), false);

		const error = run.error() as Described;
		expect(error.message).toMatch(/^List the devices of the project failed: HERE answered HTTP 400/);
		expect(error.description).toMatch(/^HERE refused the token of the next page: reading the list took too long .* Run the node again/);
		expect(error.description).toMatch(/Sync stopped while reading the project's devices: nothing was sent to HERE\.$/);
		expect(emulator.requests.filter((r) => r.method !== 'GET' && r.path !== '/users/v2/login')).toEqual([]);
	} finally {
		await here.close();
	}
});
