import type { IDataObject } from 'n8n-workflow';

import type { HereEmulator } from '../../emulator';
import { HereBulkJobs } from '../../nodes/HereBulkJobs/HereBulkJobs.node';
import type { Engine } from '../harness/engine';
import { runWorkflow } from '../harness/engine';
import { bulkJobsNode, createJobDirectly, itemsThen, loginUser } from '../harness/fixtures';
import { withEmulatorAndEngine } from '../harness/suite';

// Instant processing: a job is done when its upload returns, so waits end at the first check.
let emulator: HereEmulator;
let engine: Engine;
withEmulatorAndEngine({ processing: { mode: 'instant' }, seed: 83 }, (started) => ({ emulator, engine } = started));

type User = ReturnType<typeof loginUser>;
type Described = Error & { description?: string };

const FAST_WAIT = { pollInterval: 0.02, maxPollInterval: 0.1, timeout: 0.5 };
const LISTING = '/users/v2/devices';
const UPLOADS = '/bulkjobs/v4/deviceUploads';

interface Wanted {
	externalId: string;
	sendMs?: number;
}

/** The list as CSV text: name = externalId, rates when given. */
function csvList(devices: Wanted[]): string {
	return ['name,externalId,sendMs', ...devices.map((d) => `${d.externalId},${d.externalId},${d.sendMs ?? ''}`)].join('\n');
}

const fleet = (count: number, prefix = 'fleet', from = 0): Wanted[] => Array.from({ length: count }, (_, i) => ({ externalId: `${prefix}-${from + i}` }));

async function seed(user: User, devices: Array<Wanted | { name: string }>): Promise<void> {
	for (let start = 0; start < devices.length; start += 1000) {
		const rows = devices.slice(start, start + 1000).map((d) => ('name' in d ? d : { name: d.externalId, ...d }));
		await createJobDirectly(emulator, user.email, rows);
	}
}

async function sync(user: User, parameters: Record<string, unknown>, items: unknown[] = [{}], nodeSettings: Record<string, unknown> = {}) {
	const node = { ...bulkJobsNode(user.credential, { resource: 'device', operation: 'sync', waitOptions: FAST_WAIT, ...parameters } as never), ...nodeSettings };
	return await runWorkflow(engine, itemsThen(node, items));
}

const syncCsv = (user: User, devices: Wanted[], parameters: Record<string, unknown> = {}) =>
	sync(user, { inputSource: 'csvText', csvText: csvList(devices), ...parameters });

function split(items: Array<{ json: IDataObject }>): { devices: IDataObject[]; summary: IDataObject } {
	const all = items.map((item) => item.json);
	const summary = all[all.length - 1];
	expect(summary.summary).toBe(true);
	return { devices: all.slice(0, -1), summary };
}

const externalIds = (user: User) => emulator.devices(user.projectId).map((d) => d.externalId ?? `(${d.name})`).sort();
/** Requests other than logging in. */
const hereCalls = () => emulator.requests.filter((r) => r.path !== '/users/v2/login');
const uploads = () => emulator.requests.filter((r) => r.method === 'POST' && r.path === UPLOADS);
const actionsOf = (devices: IDataObject[]) => Object.fromEntries(devices.map((d) => [d.externalId ?? d.trackingId, d.action]));

describe('dry run', () => {
	test('is the default: one item per device with action and reason, then the counts; nothing is sent', async () => {
		const user = loginUser(emulator, engine);
		await seed(user, [{ externalId: 'fleet-1', sendMs: 600000 }, { externalId: 'fleet-2', sendMs: 600000 }, { externalId: 'fleet-3' }, { externalId: 'other-1' }, { name: 'a physical tracker' }]);
		const before = emulator.devices(user.projectId);
		emulator.clearRequests();

		const run = await syncCsv(user, [{ externalId: 'fleet-1', sendMs: 600000 }, { externalId: 'fleet-2', sendMs: 900000 }, { externalId: 'fleet-4' }], {
			scope: 'prefix',
			externalIdPrefix: 'fleet-',
			deleteMissing: true,
			maxDeletionPercent: 100,
			options: { includeOutsideScope: true },
		});
		expect(run.error()).toBeUndefined();
		const { devices, summary } = split(run.output('HERE'));
		const physical = before.find((d) => d.name === 'a physical tracker')?.trackingId as string;
		expect(actionsOf(devices)).toEqual({
			'fleet-1': 'unchanged',
			'fleet-2': 'drift',
			'fleet-3': 'delete',
			'fleet-4': 'add',
			'other-1': 'outsideScope',
			[physical]: 'outsideScope',
		});
		for (const device of devices) {
			expect(device.reason).toEqual(expect.any(String));
			expect(device).not.toHaveProperty('outcome');
		}
		const drift = devices.find((d) => d.externalId === 'fleet-2');
		expect(drift?.drift).toEqual([{ field: 'sendMs', inList: 900000, inHere: 600000 }]);
		expect(drift?.reason).toMatch(/sendMs is 600000 in HERE, 900000 in the list/);
		expect(devices.find((d) => d.externalId === 'fleet-3')?.trackingId).toBe(before.find((d) => d.externalId === 'fleet-3')?.trackingId);
		expect(summary).toMatchObject({
			dryRun: true,
			planned: { add: 1, delete: 1, drift: 1, unchanged: 1, notInList: 0, outsideScope: 2 },
			listedInHere: 5,
			inScopeInHere: 3,
		});
		expect(hereCalls().map((r) => `${r.method} ${r.path}`)).toEqual([`GET ${LISTING}`]);
		expect(emulator.devices(user.projectId)).toEqual(before);
	});

	test('devices the sync never touches are counted in the summary, and itemized only when asked', async () => {
		const user = loginUser(emulator, engine);
		await seed(user, [{ externalId: 'fleet-1' }, { externalId: 'other-1' }, { externalId: 'other-2' }, { name: 'a physical tracker' }]);

		const run = await syncCsv(user, [{ externalId: 'fleet-1' }], { scope: 'prefix', externalIdPrefix: 'fleet-' });
		expect(run.error()).toBeUndefined();
		const { devices, summary } = split(run.output('HERE'));
		expect(actionsOf(devices)).toEqual({ 'fleet-1': 'unchanged' });
		expect(summary).toMatchObject({ planned: { unchanged: 1, outsideScope: 3 }, listedInHere: 4 });
	});

	test('over a guard, the dry run still shows the plan and says what would stop the real run', async () => {
		const user = loginUser(emulator, engine);
		await seed(user, fleet(10));
		emulator.clearRequests();
		const run = await syncCsv(user, fleet(2), { scope: 'prefix', externalIdPrefix: 'fleet-', deleteMissing: true, maxDeletions: 5 });
		expect(run.error()).toBeUndefined();
		const { summary } = split(run.output('HERE'));
		expect(summary.planned).toMatchObject({ delete: 8, unchanged: 2 });
		expect(summary.blockedBy).toBe('it would delete 8 devices, more than Max Deletions (5)');
		expect(uploads()).toHaveLength(0);
	});
});

describe('real runs', () => {
	test('add-only: without a scope nothing is deleted; devices not in the list are reported and kept', async () => {
		const user = loginUser(emulator, engine);
		await seed(user, [{ externalId: 'keep-me' }]);
		emulator.clearRequests();

		const run = await syncCsv(user, fleet(3), { dryRun: false });
		expect(run.error()).toBeUndefined();
		const { devices, summary } = split(run.output('HERE'));
		const stored = new Map(emulator.devices(user.projectId).map((d) => [d.externalId, d.trackingId]));
		for (const id of ['fleet-0', 'fleet-1', 'fleet-2']) {
			expect(devices.find((d) => d.externalId === id)).toMatchObject({ action: 'add', outcome: 'added', trackingId: stored.get(id), jobId: expect.stringMatching(/^BULK-/) });
		}
		expect(devices.find((d) => d.externalId === 'keep-me')).toMatchObject({ action: 'notInList', outcome: 'noChange' });
		expect(summary).toMatchObject({ dryRun: false, outcomes: { added: 3 }, jobIds: { delete: [], add: [expect.any(String)] } });
		expect(externalIds(user)).toEqual(['fleet-0', 'fleet-1', 'fleet-2', 'keep-me']);
		expect(emulator.jobs(user.projectId).filter((j) => j.type === 'delete')).toEqual([]);
	});

	test('an externalId HERE holds with surrounding spaces is the list\'s device: not deleted and added anew; one not in the list is deleted by HERE\'s own value', async () => {
		const user = loginUser(emulator, engine);
		// Added by another client: the node itself trims what it sends.
		await createJobDirectly(emulator, user.email, [
			{ name: 'Van 1', externalId: 'fleet-1 ' },
			{ name: 'Van 2', externalId: ' fleet-2' },
		]);
		const before = new Map(emulator.devices(user.projectId).map((d) => [d.externalId, d.trackingId]));

		const run = await syncCsv(user, [{ externalId: 'fleet-1' }], { dryRun: false, scope: 'prefix', externalIdPrefix: 'fleet-', deleteMissing: true, maxDeletionPercent: 100 });

		expect(run.error()).toBeUndefined();
		const { devices, summary } = split(run.output('HERE'));
		expect(devices.map((d) => [d.externalId, d.action, d.outcome, d.trackingId])).toEqual(
			expect.arrayContaining([
				['fleet-1', 'unchanged', 'noChange', before.get('fleet-1 ')],
				[' fleet-2', 'delete', 'deleted', before.get(' fleet-2')],
			]),
		);
		expect(summary).toMatchObject({ planned: { add: 0, delete: 1, unchanged: 1 } });
		expect(emulator.devices(user.projectId).map((d) => [d.externalId, d.trackingId])).toEqual([['fleet-1 ', before.get('fleet-1 ')]]);
	});

	test('delete-only with the guards: over Max Deletions or the percentage, an error with the counts and nothing sent', async () => {
		const user = loginUser(emulator, engine);
		await seed(user, [...fleet(10), { externalId: 'other-1' }]);
		const scoped = { dryRun: false, scope: 'regex', externalIdPattern: 'fleet-\\d+', deleteMissing: true };
		emulator.clearRequests();

		const capped = await syncCsv(user, fleet(8), { ...scoped, maxDeletions: 1 });
		const capError = capped.error() as Described;
		expect(capError.message).toBe('Sync stopped before sending anything: it would delete 2 devices, more than Max Deletions (1)');
		expect(capError.description).toContain('<li>delete: 2</li>');
		expect(capError.description).toContain('<li>unchanged: 8</li>');

		const share = await syncCsv(user, fleet(4), scoped);
		expect((share.error() as Error).message).toBe(
			'Sync stopped before sending anything: it would delete 6 of the 10 devices in scope (60.0%), more than Max Deletion Percentage (50%)',
		);
		expect(uploads()).toHaveLength(0);
		expect(emulator.devices(user.projectId)).toHaveLength(11);

		const run = await syncCsv(user, fleet(8), { ...scoped, unclaimOnly: true });
		expect(run.error()).toBeUndefined();
		const { devices, summary } = split(run.output('HERE'));
		expect(devices.filter((d) => d.action === 'delete').map((d) => [d.externalId, d.outcome]).sort()).toEqual([
			['fleet-8', 'deleted'],
			['fleet-9', 'deleted'],
		]);
		expect(summary).toMatchObject({ outcomes: { deleted: 2 }, jobIds: { add: [], delete: [expect.any(String)] } });
		expect(externalIds(user)).toEqual([...fleet(8).map((d) => d.externalId), 'other-1'].sort());
		expect(emulator.jobs(user.projectId).filter((j) => j.type === 'delete')).toHaveLength(1);
	});

	test('mixed: deletes are sent and finished before the adds; drift is reported, never replaced; a re-run plans nothing', async () => {
		const user = loginUser(emulator, engine);
		await seed(user, [...fleet(1200), { externalId: 'fleet-drift', sendMs: 600000 }, { externalId: 'other-1' }]);
		const driftTrackingId = emulator.devices(user.projectId).find((d) => d.externalId === 'fleet-drift')?.trackingId;
		// Keep 100, drop 1100 (two delete jobs), add 1500 (two add jobs).
		const list = [...fleet(100), { externalId: 'fleet-drift', sendMs: 900000 }, ...fleet(1500, 'fleet-new')];
		const parameters = { dryRun: false, scope: 'prefix', externalIdPrefix: 'fleet-', deleteMissing: true, maxDeletions: 2000, maxDeletionPercent: 100 };
		emulator.clearRequests();

		const run = await syncCsv(user, list, parameters);
		expect(run.error()).toBeUndefined();
		const { devices, summary } = split(run.output('HERE'));
		expect(summary).toMatchObject({
			planned: { add: 1500, delete: 1100, drift: 1, unchanged: 100, outsideScope: 1 },
			outcomes: { added: 1500, deleted: 1100 },
		});
		expect(devices.find((d) => d.externalId === 'fleet-drift')).toMatchObject({ action: 'drift', outcome: 'noChange', trackingId: driftTrackingId });

		// Two delete jobs, then two add jobs; every delete job was seen finished before the first add upload.
		expect(emulator.jobs(user.projectId).slice(-4).map((j) => [j.type, j.status])).toEqual([
			['delete', 'completed'],
			['delete', 'completed'],
			['create', 'completed'],
			['create', 'completed'],
		]);
		const requests = emulator.requests;
		const posts = requests.flatMap((r, index) => (r.method === 'POST' && r.path === UPLOADS ? [index] : []));
		expect(posts).toHaveLength(4);
		for (const jobId of (summary.jobIds as { delete: string[] }).delete) {
			const checks = requests.flatMap((r, index) => (r.path === `${UPLOADS}/${jobId}/status` ? [index] : []));
			expect(checks.length).toBeGreaterThan(0);
			expect(Math.max(...checks)).toBeLessThan(posts[2]);
		}
		expect(externalIds(user)).toEqual([...fleet(100), { externalId: 'fleet-drift' }, ...fleet(1500, 'fleet-new'), { externalId: 'other-1' }].map((d) => d.externalId).sort());
		expect(emulator.devices(user.projectId).find((d) => d.externalId === 'fleet-drift')?.trackingId).toBe(driftTrackingId);

		emulator.clearRequests();
		const again = await syncCsv(user, list, parameters);
		expect(again.error()).toBeUndefined();
		expect(split(again.output('HERE')).summary).toMatchObject({ planned: { add: 0, delete: 0, drift: 1, unchanged: 1600 }, outcomes: {} });
		expect(uploads()).toHaveLength(0);
	});

	test("an add job whose every row HERE refuses: the error names HERE's reasons and says to fix them, not that a re-run finishes", async () => {
		const user = loginUser(emulator, engine);
		// A physical tracker already named "Van 7": names are unique in a project, so HERE refuses the row.
		await seed(user, [{ name: 'Van 7' }]);
		const list = { dryRun: false, inputSource: 'csvText' };
		// One of the two rows refused: the job completes, the device comes out failed with HERE's errors, no error.
		const partly = await sync(user, { ...list, csvText: 'name,externalId\nVan 7,fleet-7\nVan 8,fleet-8' });
		expect(partly.error()).toBeUndefined();
		expect(split(partly.output('HERE')).devices.find((d) => d.externalId === 'fleet-7')).toMatchObject({ outcome: 'failed', errors: [expect.objectContaining({ code: 409 })] });

		// Every row refused: the job ends failed, and re-running fails the same way until the name is changed.
		for (let run = 0; run < 2; run++) {
			const error = (await sync(user, { ...list, csvText: 'name,externalId\nVan 7,fleet-7' })).error() as Described;
			expect(error.message).toMatch(/^Sync stopped part-way: add job BULK-\S+ ended failed$/);
			expect(error.description).toMatch(/^HERE's reasons for the failed devices:<ul><li>&quot;Van 7&quot;: [^<]*already exists[^<]*\(code 409[^<]*<\/li><\/ul>/);
			expect(error.description).toContain('<li>failed: 1</li>');
			expect(error.description).toContain('HERE refused 1 device for the reasons above. Running the same sync again sends it again');
			expect(error.description).not.toContain('Run the same sync again to finish');
		}
		expect(externalIds(user)).toEqual(['(Van 7)', 'fleet-8']);
	});
});

describe('uploads', () => {
	test('devices with long tags go in jobs that stay within 10 MiB: 600 devices of 18 KB in two add jobs, every one added', async () => {
		const user = loginUser(emulator, engine);
		// Tags are the only field without a length limit: 600 such devices are over 10 MiB as one job.
		const items = Array.from({ length: 600 }, (_, i) => ({ name: `fleet-${i}`, externalId: `fleet-${i}`, tags: [`${i}-${'t'.repeat(18_000)}`] }));
		emulator.clearRequests();
		const run = await sync(user, { inputSource: 'items', dryRun: false }, items);

		expect(run.error()).toBeUndefined();
		expect(split(run.output('HERE')).summary).toMatchObject({ outcomes: { added: 600 } });
		expect(uploads().map((upload) => upload.status)).toEqual([202, 202]);
		expect(emulator.devices(user.projectId)).toHaveLength(600);
	});

	test('a device no upload can carry (over 10 MiB of tags) is refused before anything is sent, also by a dry run', async () => {
		const user = loginUser(emulator, engine);
		const huge = { name: 'fleet-huge', externalId: 'fleet-huge', tags: Array.from({ length: 10 }, (_, t) => `${t}`.padEnd(1_100_000, 'x')) };
		emulator.clearRequests();
		for (const dryRun of [true, false]) {
			const run = await sync(user, { inputSource: 'items', dryRun }, [{ name: 'fleet-1', externalId: 'fleet-1' }, huge]);
			const error = run.error() as Described;
			expect(error.message).toBe('The device with externalId "fleet-huge" (list row 1) is too large: 10.5 MiB as JSON, and an upload to HERE may be at most 10 MiB');
			expect(error.description).toBe('Tags are the only field without a length limit: shorten its tags. Nothing was sent to HERE.');
		}
		expect(uploads()).toHaveLength(0);
	});

	test('an upload HERE refuses stops the sync with that upload\'s own advice (here: when to try again), not "run it again to finish"', async () => {
		const user = loginUser(emulator, engine);
		// HERE refuses the upload and asks for two hours, longer than a request waits: nothing was taken.
		emulator.faults.setRate({ rate: 1, kinds: ['429'], retryAfterSeconds: 7200, match: { method: 'POST', path: /deviceUploads$/ } });
		const run = await syncCsv(user, fleet(3), { dryRun: false });
		emulator.faults.clear();

		const error = run.error() as Described;
		expect(error.message).toMatch(/^Sync stopped part-way: the upload of add job 1 of 1 failed: .*HTTP 429/);
		expect(error.description).toMatch(/^HERE is rate-limiting this user, for longer than n8n waits for a request\. HERE asked to wait 7200 s \(Retry-After\): try again after /);
		expect(error.description).toContain("First do what the refused upload's error (above) says. Then run the same sync again");
		expect(error.description).toContain('<li>notSent: 3</li>');
		expect(emulator.devices(user.projectId)).toEqual([]);
	});
});

describe('On Error "Continue (using error output)"', () => {
	const errorOutput = { onError: 'continueErrorOutput' };

	test('a sync the guards stop comes out on the error output, not as a success', async () => {
		const user = loginUser(emulator, engine);
		await seed(user, fleet(8));
		emulator.clearRequests();
		const run = await sync(user, { inputSource: 'csvText', csvText: csvList(fleet(1)), dryRun: false, scope: 'prefix', externalIdPrefix: 'fleet-', deleteMissing: true, maxDeletions: 5 }, [{}], errorOutput);

		expect(run.error()).toBeUndefined();
		expect(run.output('HERE', 0)).toEqual([]);
		const [failed] = run.output('HERE', 1);
		expect(failed.json).toMatchObject({ error: expect.stringMatching(/^Sync stopped before sending anything: .*Max Deletions/), details: { description: expect.stringContaining('raise Max Deletions') } });
		expect(uploads()).toHaveLength(0);
	});

	test('a sync that stopped part-way: each device with its outcome and the summary on the success output, the error on the error output', async () => {
		const user = loginUser(emulator, engine);
		emulator.faults.setRate({ rate: 1, kinds: ['429'], retryAfterSeconds: 7200, match: { method: 'POST', path: /deviceUploads$/ } });
		const run = await sync(user, { inputSource: 'csvText', csvText: csvList(fleet(2)), dryRun: false }, [{}], errorOutput).finally(() => emulator.faults.clear());

		expect(run.error()).toBeUndefined();
		const { devices, summary } = split(run.output('HERE', 0));
		expect(devices.map((device) => [device.externalId, device.outcome])).toEqual([
			['fleet-0', 'notSent'],
			['fleet-1', 'notSent'],
		]);
		expect(summary).toMatchObject({ outcomes: { notSent: 2 }, stoppedBy: expect.stringMatching(/^the upload of add job 1 of 1 failed/) });
		const [failed] = run.output('HERE', 1);
		expect(failed.json).toMatchObject({
			error: expect.stringMatching(/^Sync stopped part-way: the upload of add job 1 of 1 failed/),
			details: { outcomes: { notSent: 2 }, jobIds: [], description: expect.stringContaining('HERE is rate-limiting this user') },
		});
	});
});

describe('an interrupted sync is finished by running it again', () => {
	test('under injected faults: 0 devices deleted outside scope, 0 duplicates, 0 lost', async () => {
		const user = loginUser(emulator, engine);
		await seed(user, [...fleet(1500), ...fleet(50, 'other'), { name: 'a physical tracker' }]);
		const outsideBefore = emulator.devices(user.projectId).filter((d) => !d.externalId?.startsWith('fleet-'));
		const list = [...fleet(300), ...fleet(2500, 'fleet-new')];
		const parameters = { dryRun: false, scope: 'prefix', externalIdPrefix: 'fleet-', deleteMissing: true, maxDeletions: 2000, maxDeletionPercent: 100 };
		// Status checks and listing pages fail now and then; the transport retries them.
		emulator.faults.setRate({ rate: 0.15, kinds: ['503', '429'], match: { method: 'GET' }, retryAfterSeconds: 0, seed: 5 });

		// Run 1: the first delete upload is taken by HERE, but the connection drops before the answer.
		emulator.faults.script([{ method: 'POST', path: /deviceUploads$/, kind: 'drop', afterEffect: true }]);
		const first = await syncCsv(user, list, parameters);
		expect((first.error() as Error).message).toMatch(/^Sync stopped part-way: the upload of delete job 1 of 2 failed/);
		expect((first.error() as Described).description).toContain('First look in Get Many (Include Status Figures on) for the uploads that may have gone through');
		expect((first.error() as Described).description).toContain('Then run the same sync again');
		expect(emulator.jobs(user.projectId).filter((j) => j.type === 'create' && j.fileName?.startsWith('sync-'))).toEqual([]);

		// Run 2: one add upload gets a 500 (not taken); the others go through.
		emulator.faults.script([{ method: 'POST', path: /deviceUploads$/, kind: '500' }]);
		const second = await syncCsv(user, list, parameters);
		expect((second.error() as Error).message).toMatch(/^Sync stopped part-way: the upload of add job \d of 3 failed/);

		// Run 3 finishes; run 4 has nothing left to do.
		const third = await syncCsv(user, list, parameters);
		expect(third.error()).toBeUndefined();
		expect(split(third.output('HERE')).summary).toMatchObject({ planned: { add: 1000, delete: 0 }, outcomes: { added: 1000 } });
		const fourth = await syncCsv(user, list, parameters);
		expect(split(fourth.output('HERE')).summary).toMatchObject({ planned: { add: 0, delete: 0, unchanged: 2800 } });

		const after = emulator.devices(user.projectId);
		const outsideAfter = after.filter((d) => !d.externalId?.startsWith('fleet-'));
		expect(outsideAfter.map((d) => d.trackingId).sort()).toEqual(outsideBefore.map((d) => d.trackingId).sort());
		const managed = after.filter((d) => d.externalId?.startsWith('fleet-')).map((d) => d.externalId as string);
		expect(managed).toHaveLength(new Set(managed).size);
		expect(managed.sort()).toEqual(list.map((d) => d.externalId).sort());
		expect(emulator.faults.injected).toBeGreaterThan(2);
	});
});

describe('input', () => {
	test('an invalid list stops the sync with every bad row named; nothing is listed or sent', async () => {
		const user = loginUser(emulator, engine);
		const csv = ['name,externalId,sendMs', 'ok,fleet-1,', 'no key,,', 'stranger,truck-1,', 'twice,fleet-1,', 'bad rate,fleet-2,fast'].join('\n');
		const run = await sync(user, { inputSource: 'csvText', csvText: csv, scope: 'prefix', externalIdPrefix: 'fleet-', deleteMissing: true, dryRun: false });
		const error = run.error() as Described;
		expect(error.message).toBe('4 of 5 rows of the list are invalid; nothing was listed or sent');
		expect(error.description).toContain('row 3');
		expect(error.description).toContain('is required: Sync matches devices by externalId');
		expect(error.description).toContain('is outside the Scope (externalId starting with &quot;fleet-&quot;)');
		expect(error.description).toContain('<li>externalId: names the same device as row 2');
		expect(error.description).toContain('row 6');
		expect(hereCalls()).toEqual([]);
	});

	test("a list with a trackingId column is told that Sync takes the devices to keep by externalId, not to use a delete devices job", async () => {
		const user = loginUser(emulator, engine);
		const csv = 'name,externalId,trackingId\nA,fleet-1,HERE-5cb2b777-7389-472b-81f0-9ab89a9c7fed';
		const run = await sync(user, { inputSource: 'csvText', csvText: csv });
		const error = run.error() as Described;
		expect(error.message).toBe('1 of 1 rows of the list is invalid; nothing was listed or sent');
		expect(error.description).toContain(
			'trackingId: is not taken by Sync: the list holds the devices to keep, by externalId, and Sync finds the devices to delete itself. Remove the delete-only columns trackingId, unclaimOnly, removeFromConnectorOnly (to unclaim devices rather than delete them, turn on Delete Devices Not in List, then Unclaim Only) (row 2)',
		);
		expect(error.description).not.toMatch(/delete devices job/);
		const items = await sync(user, { inputSource: 'items' }, [{ name: 'B', externalId: 'fleet-2', unclaimOnly: true }]);
		expect((items.error() as Described).description).toContain('Remove the delete-only fields trackingId, unclaimOnly, removeFromConnectorOnly (to unclaim');
		expect(hereCalls()).toEqual([]);
	});

	test("every column Sync's Input Binary Field hint names is taken by Sync, and it names no delete or other identity column", async () => {
		const hint = new HereBulkJobs().description.properties.find((p) => p.name === 'binaryPropertyName' && p.displayOptions?.show?.operation?.includes('sync'))?.hint ?? '';
		const listed = /Columns: (.*?)\. Each row/.exec(hint)?.[1] ?? '';
		const columns = listed.replace('name and externalId (both required), and optionally ', 'name, externalId, ').split(', ');
		expect(columns).toHaveLength(13);
		for (const other of ['trackingId', 'deviceId', 'externalDeviceId', 'connectorId', 'unclaimOnly', 'removeFromConnectorOnly']) expect(hint).not.toContain(other);

		const uuid = 'a19b2648-60c1-49fc-896c-ea450a07e98d';
		const sample: Record<string, string> = {
			name: 'Hinted', externalId: 'hint-1', sendMs: '600000', sampleMs: '300000', distanceM: '100', areaBased: 'false', type: 'Tracker',
			tags: 'a|b', rules: uuid, geofences: uuid, 'tag:NAME': '1', 'rule:UUID': '1', 'geofence:UUID': '1',
		};
		const header = columns.map((column) => column.replace('NAME', 'fragile').replace('UUID', uuid));
		const file = `${header.join(',')}\n${columns.map((column) => sample[column]).join(',')}`;
		const user = loginUser(emulator, engine);
		const node = bulkJobsNode(user.credential, { resource: 'device', operation: 'sync', inputSource: 'csvFile', binaryPropertyName: 'list' } as never);
		const run = await runWorkflow(engine, itemsThen(node, [{}], { list: { fileName: 'list.csv', content: file } }));
		expect(run.error()).toBeUndefined();
		expect(split(run.output('HERE')).summary).toMatchObject({ planned: { add: 1 } });
	});

	test('deleting without a scope, or with a broken pattern, is refused before any request', async () => {
		const user = loginUser(emulator, engine);
		const noScope = await syncCsv(user, fleet(2), { deleteMissing: true });
		expect((noScope.error() as Error).message).toBe('Delete Devices Not in List needs a Scope');
		const broken = await syncCsv(user, fleet(2), { scope: 'regex', externalIdPattern: 'fleet-(' });
		expect((broken.error() as Error).message).toMatch(/^External ID Pattern is not a valid regular expression/);
		expect(hereCalls()).toEqual([]);
	});

	test('the pattern is a plain JavaScript regular expression: fleet\\-\\d+ works; a pattern that would escape the whole-externalId match is refused', async () => {
		const user = loginUser(emulator, engine);
		await seed(user, [...fleet(2), { externalId: 'other-1' }]);
		emulator.clearRequests();
		const run = await syncCsv(user, fleet(1), { scope: 'regex', externalIdPattern: 'fleet\\-\\d+' });
		expect(run.error()).toBeUndefined();
		expect(split(run.output('HERE')).summary).toMatchObject({ planned: { unchanged: 1, notInList: 1, outsideScope: 1 }, inScopeInHere: 2 });
		// Where the pattern is valid in Unicode mode, it means what it means there: \p{Lu} is a capital letter.
		await seed(user, [{ externalId: 'fleet-ABC' }]);
		const unicode = await syncCsv(user, [{ externalId: 'fleet-ABC' }], { scope: 'regex', externalIdPattern: 'fleet-\\p{Lu}+' });
		expect(split(unicode.output('HERE')).summary).toMatchObject({ inScopeInHere: 1, planned: { unchanged: 1 } });

		emulator.clearRequests();
		// Wrapped as ^(?:x)|(.*)$ it would compile, and match every externalId.
		const escaping = await syncCsv(user, fleet(1), { scope: 'regex', externalIdPattern: 'x)|(.*', deleteMissing: true });
		expect((escaping.error() as Error).message).toBe("External ID Pattern is not a valid regular expression: Invalid regular expression: /x)|(.*/: Unmatched ')'");
		expect(hereCalls()).toEqual([]);
	});

	test('a Project expression is read for every item: items of two projects stop the sync before anything is read, listed or sent', async () => {
		const user = loginUser(emulator, engine, { projects: ['sync-north', 'sync-south'] });
		const parameters = {
			inputSource: 'items',
			fieldMapping: 'define',
			projectId: { __rl: true, mode: 'id', value: '={{ $json.project }}' },
			deviceName: '={{ $json.asset }}',
			externalId: '={{ $json.asset }}',
			scope: 'prefix',
			externalIdPrefix: 'asset-',
			deleteMissing: true,
		};
		const same = await sync(user, parameters, [{ project: 'sync-south', asset: 'asset-1' }, { project: 'sync-south', asset: 'asset-2' }]);
		expect(same.error()).toBeUndefined();
		expect(split(same.output('HERE')).summary).toMatchObject({ projectId: 'sync-south', planned: { add: 2 } });

		emulator.clearRequests();
		const mixed = await sync(user, parameters, [{ project: 'sync-north', asset: 'asset-1' }, { project: 'sync-south', asset: 'asset-2' }]);
		const error = mixed.error() as Described;
		expect(error.message).toBe('Item 1\'s Project is "sync-south", but item 0\'s is "sync-north": one run works on one project');
		expect(error.description).toContain('Sync works on the project of item 0 for all input items');
		expect(error.description).toContain('one Sync node or branch per project');
		expect(error.description).toContain('Never split one project\'s list into batches');
		expect(error.description).not.toContain('One Job per Input Item');
		expect(hereCalls()).toEqual([]);
	});

	test('Input Items with Define Below, and JSON: the same list gives the same plan', async () => {
		const user = loginUser(emulator, engine);
		await seed(user, [{ externalId: 'asset-1', sendMs: 600000 }]);
		const assets = [
			{ asset: 'asset-1', every: 600000 },
			{ asset: 'asset-2', every: 900000 },
		];
		const defined = await sync(
			user,
			{
				inputSource: 'items',
				fieldMapping: 'define',
				deviceName: '={{ $json.asset }}',
				externalId: '={{ $json.asset }}',
				addFields: { sendMs: '={{ $json.every }}' },
			},
			assets,
		);
		expect(defined.error()).toBeUndefined();
		const fromItems = split(defined.output('HERE'));
		expect(actionsOf(fromItems.devices)).toEqual({ 'asset-1': 'unchanged', 'asset-2': 'add' });
		expect(defined.output('HERE').find((item) => item.json.externalId === 'asset-2')?.pairedItem).toEqual({ item: 1 });

		const json = JSON.stringify(assets.map((a) => ({ name: a.asset, externalId: a.asset, sendMs: a.every })));
		const fromJson = split((await sync(user, { inputSource: 'json', devicesJson: json })).output('HERE'));
		expect(fromJson.devices).toEqual(fromItems.devices.map((d) => ({ ...d, listRow: d.externalId === 'asset-1' ? 0 : 1 })));
	});
});
