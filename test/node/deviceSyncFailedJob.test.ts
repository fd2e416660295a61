import type { HereEmulator } from '../../emulator';
import type { Engine } from '../harness/engine';
import { runWorkflow } from '../harness/engine';
import { bulkJobsNode, CANARY, createJobDirectly, itemsThen, loginUser } from '../harness/fixtures';
import { withEmulatorAndEngine } from '../harness/suite';
import { startMisbehavingHere } from '../trigger/misbehavingHere';

// Manual processing: the test decides when HERE works on a job, and can make one fail half-way.
let emulator: HereEmulator;
let engine: Engine;
withEmulatorAndEngine({ processing: { mode: 'manual' }, seed: 89 }, (started) => ({ emulator, engine } = started));

const FAST_WAIT = { pollInterval: 0.02, maxPollInterval: 0.05, timeout: 1 };
const ids = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `fleet-${from + i}`);
const csvOf = (externalIds: string[]) => ['name,externalId', ...externalIds.map((id) => `${id},${id}`)].join('\n');
const pause = async () => await new Promise((resolve) => setTimeout(resolve, 10));

/** A real sync of the CSV text `csvText` with short waits; `parameters` add to or replace these. */
const syncNode = (credential: { id: string; name: string }, csvText: string, parameters: Record<string, unknown> = {}) =>
	bulkJobsNode(credential, { resource: 'device', operation: 'sync', dryRun: false, inputSource: 'csvText', csvText, waitOptions: FAST_WAIT, ...parameters } as never);
/** Sync the fleet-… devices, deleting those not in the list. */
const FLEET_SCOPE = { scope: 'prefix', externalIdPrefix: 'fleet-', deleteMissing: true };

/** Runs HERE's side while the sync runs: `onJob` is called once for each new job of the project. */
async function whileSyncing<T>(projectId: string, run: Promise<T>, onJob: (jobId: string, fileName: string) => void): Promise<T> {
	const seen = new Set(emulator.jobs(projectId).map((job) => job.jobId));
	let done = false;
	const watcher = (async () => {
		while (!done) {
			for (const job of emulator.jobs(projectId)) {
				if (seen.has(job.jobId)) continue;
				seen.add(job.jobId);
				onJob(job.jobId, job.fileName ?? '');
			}
			await pause();
		}
	})();
	try {
		return await run;
	} finally {
		done = true;
		await watcher;
	}
}

test('a delete job that fails half-way stops the sync before the adds; running it again finishes', async () => {
	const user = loginUser(emulator, engine);
	await createJobDirectly(emulator, user.email, [...ids(1, 10), 'other-1'].map((id) => ({ name: id, externalId: id })));
	emulator.process();
	const list = [...ids(1, 6), ...ids(20, 22)];
	const node = syncNode(user.credential, csvOf(list), FLEET_SCOPE);

	// Run 1: HERE deletes one device of the four, then the job fails.
	const first = await whileSyncing(user.projectId, runWorkflow(engine, itemsThen(node)), (jobId) => {
		emulator.process({ jobId, devices: 1 });
		emulator.setJobOutcome(jobId, 'failed');
	});
	const error = first.error() as Error & { description?: string };
	expect(error.message).toMatch(/^Sync stopped part-way: delete job BULK-\S+ ended failed$/);
	expect(error.description).toContain('<li>deleted: 1</li>');
	expect(error.description).toContain('<li>notProcessed: 3</li>');
	expect(error.description).toContain('<li>notSent: 3</li>');
	expect(emulator.jobs(user.projectId).filter((job) => job.type === 'create')).toHaveLength(1); // only the seeding job
	expect(emulator.devices(user.projectId)).toHaveLength(10);

	// Run 2: HERE works normally; the sync deletes the three left and adds the three new ones.
	const second = await whileSyncing(user.projectId, runWorkflow(engine, itemsThen(node)), (jobId) => emulator.process({ jobId }));
	expect(second.error()).toBeUndefined();
	const summary = second.output('HERE').at(-1)?.json;
	expect(summary).toMatchObject({ planned: { delete: 3, add: 3, unchanged: 6, outsideScope: 1 }, outcomes: { deleted: 3, added: 3 } });
	expect(emulator.devices(user.projectId).map((d) => d.externalId).sort()).toEqual([...list, 'other-1'].sort());
});

test('an add job that HERE refused and someone acknowledged at once (a trigger with Acknowledge Emitted Jobs) still stops the sync with HERE\'s reasons', async () => {
	const user = loginUser(emulator, engine);
	// A device outside the sync's scope holds the name the list gives fleet-9: HERE refuses that row, and the job ends failed.
	await createJobDirectly(emulator, user.email, [{ name: 'fleet-9', externalId: 'other-9' }]);
	emulator.process();
	// HERE's answers once every job is acknowledged as soon as it ends: the status says so, the figures still tell how it ended.
	const here = await startMisbehavingHere(emulator.url, async (request, forward) => {
		const answer = await forward();
		const body = answer.json as { status?: string } | undefined;
		const ended = body?.status === 'completed' || body?.status === 'failed' || body?.status === 'cancelled';
		return request.path.endsWith('/status') && ended ? { ...answer, json: { ...body, status: 'acknowledged' } } : answer;
	});
	try {
		const credential = engine.saveCredential('sync-acknowledged', { authentication: 'login', email: user.email, password: CANARY.password, host: 'custom', baseUrl: here.url });
		const node = syncNode(credential, csvOf(['fleet-9']), { scope: 'prefix', externalIdPrefix: 'fleet-' });

		const run = await whileSyncing(user.projectId, runWorkflow(engine, itemsThen(node)), (jobId) => emulator.process({ jobId }));

		const error = run.error() as Error & { description?: string };
		expect(error.message).toMatch(/^Sync stopped part-way: add job BULK-\S+ ended failed$/);
		expect(error.description).toMatch(/&quot;fleet-9&quot;: [^<]*already exists/);
	} finally {
		await here.close();
	}
});

test('a wait that runs out in the add phase: the deletes already done are reported device by device, the add jobs\' devices are notConfirmed', async () => {
	const user = loginUser(emulator, engine);
	await createJobDirectly(emulator, user.email, ids(1, 6).map((id) => ({ name: id, externalId: id })));
	emulator.process();
	const node = syncNode(user.credential, csvOf([...ids(1, 2), ...ids(20, 21)]), {
		...FLEET_SCOPE,
		maxDeletionPercent: 100,
		waitOptions: { ...FAST_WAIT, timeout: 0.005 }, // minutes: 300 ms
	});

	// HERE processes the delete job; the add job stays pending past the timeout.
	const run = await whileSyncing(user.projectId, runWorkflow(engine, itemsThen(node)), (jobId, fileName) => {
		if (fileName.startsWith('sync-delete')) emulator.process({ jobId });
	});

	const error = run.error() as Error & { description?: string };
	expect(error.message).toMatch(/^Sync stopped part-way: the wait for the add jobs ended: Job BULK-\S+ did not finish within 300 ms/);
	expect(error.description).toContain('<li>deleted: 4</li>');
	expect(error.description).toContain('<li>notConfirmed: 2</li>');
	const [deleteJob, addJob] = ['sync-delete', 'sync-add'].map((prefix) => emulator.jobs(user.projectId).find((job) => job.fileName?.startsWith(prefix))?.jobId);
	expect(error.description).toContain(`First wait until job ${addJob} has finished (the wait ended before it could confirm that; its devices are notConfirmed). Then run the same sync again`);
	expect(error.description).toContain('If HERE is just slow, raise Timeout (Minutes) under Wait Options.');
	// The timeout's own description speaks of the trigger, which cannot finish a sync.
	expect(error.description).not.toContain('Trigger');
	expect((error as Error & { context: { jobIds: string[] } }).context.jobIds).toEqual([deleteJob, addJob]);
	expect(emulator.devices(user.projectId).map((device) => device.externalId).sort()).toEqual(ids(1, 2));

	// Once HERE has processed the add job, the next run has nothing left to do.
	emulator.process();
	const again = await whileSyncing(user.projectId, runWorkflow(engine, itemsThen(node)), (jobId) => emulator.process({ jobId }));
	expect(again.output('HERE').at(-1)?.json).toMatchObject({ planned: { add: 0, delete: 0, unchanged: 4 } });
});

test('a device HERE adds without an unknown rule is addedWithErrors, with HERE\'s error, not failed: it exists, and the sync does not stop', async () => {
	const user = loginUser(emulator, engine);
	const unknownRule = '00000000-0000-4000-8000-000000000000';
	const node = syncNode(user.credential, `name,externalId,rules\nfleet-1,fleet-1,${unknownRule}\nfleet-2,fleet-2,`);

	const run = await whileSyncing(user.projectId, runWorkflow(engine, itemsThen(node)), (jobId) => emulator.process({ jobId }));

	expect(run.error()).toBeUndefined();
	const items = run.output('HERE').map((item) => item.json);
	expect(items[0]).toMatchObject({ externalId: 'fleet-1', outcome: 'addedWithErrors', trackingId: expect.any(String), errors: [expect.objectContaining({ code: 404 })] });
	expect(items[1]).toMatchObject({ externalId: 'fleet-2', outcome: 'added' });
	expect(items.at(-1)).toMatchObject({ outcomes: { added: 1, addedWithErrors: 1 } });
});

test('a delete whose result row names the device by trackingId alone (HERE\'s result fields are all optional) is deleted, not notProcessed', async () => {
	const user = loginUser(emulator, engine);
	await createJobDirectly(emulator, user.email, ids(1, 3).map((id) => ({ name: id, externalId: id })));
	emulator.process();
	const here = await startMisbehavingHere(emulator.url, async (request, forward) => {
		const answer = await forward();
		if (!request.path.endsWith('/results')) return answer;
		const page = answer.json as { items: Array<Record<string, unknown>> };
		return { ...answer, json: { ...page, items: page.items.map(({ externalId: _externalId, ...row }) => row) } };
	});
	try {
		const credential = engine.saveCredential('sync-tracking-ids', { authentication: 'login', email: user.email, password: CANARY.password, host: 'custom', baseUrl: here.url });
		const node = syncNode(credential, csvOf(ids(1, 1)), { ...FLEET_SCOPE, maxDeletionPercent: 100 });

		const run = await whileSyncing(user.projectId, runWorkflow(engine, itemsThen(node)), (jobId) => emulator.process({ jobId }));

		expect(run.error()).toBeUndefined();
		expect(run.output('HERE').at(-1)?.json).toMatchObject({ outcomes: { deleted: 2 } });
	} finally {
		await here.close();
	}
});

test('an upload refused, then the wait for the job created before it ending: the error says both, and to run again only once that job has finished', async () => {
	const user = loginUser(emulator, engine);
	const list = Array.from({ length: 1001 }, (_, i) => `fleet-${i}`);
	// The first add upload goes through; the second is refused with a wait of two hours.
	emulator.faults.script([
		{ method: 'POST', path: /deviceUploads$/, kind: 'slow', slowMs: 0 },
		{ method: 'POST', path: /deviceUploads$/, kind: '429', retryAfterSeconds: 7200 },
	]);
	const node = syncNode(user.credential, csvOf(list), { options: { concurrency: 1 }, waitOptions: { ...FAST_WAIT, timeout: 0.005 } });

	const run = await runWorkflow(engine, itemsThen(node));
	emulator.faults.clear();

	const error = run.error() as Error & { description?: string };
	// HERE's two hours hold the status checks back too, so the wait ends at once.
	expect(error.message).toMatch(/^Sync stopped part-way: the upload of add job 2 of 2 failed: .*HTTP 429.*; then the wait for the add jobs ended: Get the status of job BULK-\S+ was not sent/);
	expect(error.description).toContain('<li>notConfirmed: 1000</li>');
	expect(error.description).toContain('<li>notSent: 1</li>');
	expect(error.description).toMatch(
		/First do what the refused upload's error \(above\) says; wait until job BULK-\S+ has finished \(the wait ended before it could confirm that; its devices are notConfirmed\)\. Then run the same sync again/,
	);
	// The wait ended on a request held back, not on its timeout: that request's own hint comes too, and no word of the Timeout.
	expect(error.description).toContain('This request was not sent to HERE');
	expect(error.description).not.toContain('Timeout (Minutes)');
});
