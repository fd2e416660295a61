import type { IDataObject } from 'n8n-workflow';

import type { HereEmulator } from '../../emulator';
import { startEmulator } from '../../emulator';
import { editorView } from '../harness/editorView';
import type { Engine } from '../harness/engine';
import { runWorkflow } from '../harness/engine';
import { withEmulatorAndEngine } from '../harness/suite';
import { bulkJobsNode, createJobDirectly, itemsThen, loginUser } from '../harness/fixtures';
import { cancelDirectly, until } from '../jobs/helpers';
import { UPLOADS_PATH, csvOf, uploads } from './createFixtures';

// Create's "Skip Devices Already in Jobs": the re-run after an upload that stopped part-way sends just the rest.
let emulator: HereEmulator;
let engine: Engine;
withEmulatorAndEngine({ processing: { mode: 'instant' }, seed: 64 }, (started) => ({ emulator, engine } = started));

type User = ReturnType<typeof loginUser>;
type Described = Error & { description?: string; context?: IDataObject };

const CSV = { data: { fileName: 'fleet.csv', content: csvOf(2500, 'fleet') } };

async function create(user: User, options: IDataObject = {}, parameters: IDataObject = {}) {
	const node = bulkJobsNode(user.credential, {
		operation: 'create',
		jobType: 'create',
		inputSource: 'csvFile',
		options: { concurrency: 1, ...options },
		...parameters,
	} as never);
	return await runWorkflow(engine, itemsThen(node, [{}], CSV));
}

/** The third upload meets 429s until the transport's retries are spent: HERE took none of them. */
function refuseThirdUpload() {
	const match = { method: 'POST', path: UPLOADS_PATH };
	emulator.faults.script([
		{ ...match, kind: 'slow', slowMs: 0, times: 2 },
		{ ...match, kind: '429', retryAfterSeconds: 0, times: 5 },
	]);
}

test('after a third chunk that failed, the re-run with the created job IDs sends just rows 2002 to 2501', async () => {
	const user = loginUser(emulator, engine);
	refuseThirdUpload();
	const first = await create(user);

	const error = first.error() as Described;
	expect(error.message).toMatch(/^2 of 3 jobs were created, then job 3 \(rows 2002 to 2501, 500 devices\) failed: .*HTTP 429/);
	expect(editorView(error.description)).toMatch(/Failed and not created \(HERE refused the upload\).*\n- job 3 of 3: rows 2002 to 2501 \(500 devices\), file "fleet.csv \(3\/3\)"/);
	const createdJobIds = error.context?.createdJobIds as string[];
	expect(createdJobIds).toHaveLength(2);
	expect(editorView(error.description)).toContain(`To send just the rest, run the node again with Options > Skip Devices Already in Jobs set to: ${createdJobIds.join(', ')}.`);

	emulator.clearRequests();
	const rerun = await create(user, { skipDevicesInJobs: createdJobIds.join(', ') });

	expect(rerun.error()).toBeUndefined();
	const [job, skipped] = rerun.output('HERE');
	expect(job.json).toMatchObject({ outcome: 'created', deviceCount: 500, firstRow: 2002, lastRow: 2501, fileName: 'fleet.csv' });
	expect(skipped.json).toEqual({
		outcome: 'alreadySent',
		jobType: 'create',
		deviceCount: 2000,
		alreadySentCount: 2000,
		alreadySentRows: 'rows 2 to 2001',
		alreadySentInJobIds: createdJobIds,
	});
	expect(uploads(emulator)).toHaveLength(1);
	// Every device once on HERE, none refused as a duplicate.
	const devices = emulator.devices(user.projectId).map((device) => device.name);
	expect(devices).toHaveLength(2500);
	expect(new Set(devices).size).toBe(2500);
	expect(emulator.jobs(user.projectId).every((j) => j.failed === 0)).toBe(true);
});

test('a job that may exist, found by its file name, is named too: then nothing is left to send', async () => {
	const user = loginUser(emulator, engine);
	const match = { method: 'POST', path: UPLOADS_PATH };
	emulator.faults.script([{ ...match, kind: 'slow', slowMs: 0, times: 2 }, { ...match, kind: '500', afterEffect: true }]);
	const first = await create(user);
	expect((first.error() as Described).description).toContain('plus the ID of any job you find under a file name listed above');

	emulator.clearRequests();
	const allJobs = emulator.jobs(user.projectId).map((job) => job.jobId);
	const rerun = await create(user, { skipDevicesInJobs: allJobs }, { waitForCompletion: true, waitOptions: { pollInterval: 0.01 } });

	expect(rerun.error()).toBeUndefined();
	expect(rerun.output('HERE').map((item) => item.json)).toEqual([
		expect.objectContaining({ outcome: 'alreadySent', deviceCount: 2500, alreadySentRows: 'rows 2 to 2501' }),
	]);
	expect(uploads(emulator)).toHaveLength(0);
});

test('with Wait for Completion the results of the new job come out, then the item for the rows left out', async () => {
	const user = loginUser(emulator, engine);
	const earlier = await createJobDirectly(emulator, user.email, [{ name: 'fleet-2' }, { name: 'fleet-4' }]);
	const node = bulkJobsNode(user.credential, {
		operation: 'create',
		jobType: 'create',
		inputSource: 'csvText',
		csvText: csvOf(5, 'fleet'),
		options: { skipDevicesInJobs: `={{ ["${earlier}"] }}` },
		waitForCompletion: true,
		waitOptions: { pollInterval: 0.01 },
	} as never);
	const run = await runWorkflow(engine, itemsThen(node));

	expect(run.error()).toBeUndefined();
	const output = run.output('HERE').map((item) => item.json);
	expect(output.map((json) => [json.outcome, json.name ?? json.alreadySentRows])).toEqual([
		['succeeded', 'fleet-1'],
		['succeeded', 'fleet-3'],
		['succeeded', 'fleet-5'],
		['alreadySent', 'rows 3, 5'],
	]);
});

test('a job that has not finished is refused before anything is sent', async () => {
	const manual = await startEmulator({ processing: { mode: 'manual' }, seed: 65 });
	try {
		const user = loginUser(manual, engine);
		const running = await createJobDirectly(manual, user.email, [{ name: 'fleet-1' }]);
		const node = bulkJobsNode(user.credential, {
			operation: 'create',
			jobType: 'create',
			inputSource: 'csvText',
			csvText: csvOf(3, 'fleet'),
			options: { skipDevicesInJobs: running },
		} as never);
		manual.clearRequests();
		const run = await runWorkflow(engine, itemsThen(node));

		expect(run.error()?.message).toBe(`Job ${running} in Skip Devices Already in Jobs is still "pending"; nothing was sent`);
		expect(manual.requests.filter((r) => r.method === 'POST' && UPLOADS_PATH.test(r.path))).toHaveLength(0);
	} finally {
		await manual.close();
	}
});

test('an entry that is not a job ID is refused before any request', async () => {
	const user = loginUser(emulator, engine);
	const run = await create(user, { skipDevicesInJobs: 'BULK-6279286f-a09a-4521-9d3a-af7559e84836, fleet.csv (1/3)' });
	expect(run.error()?.message).toMatch(/^Skip Devices Already in Jobs holds 2 entries that are not a HERE bulk job ID: "fleet.csv", "\(1\/3\)"/);
	expect(emulator.requests.filter((r) => r.path.startsWith('/bulkjobs/'))).toHaveLength(0);
});

test('delete jobs: a device deleted by the earlier job (by tracking ID) is not sent again', async () => {
	const user = loginUser(emulator, engine);
	await createJobDirectly(emulator, user.email, [{ name: 'del-1' }, { name: 'del-2' }, { name: 'del-3' }]);
	const [one, two, three] = emulator.devices(user.projectId).map((device) => device.trackingId);
	const earlier = await createJobDirectly(emulator, user.email, [{ trackingId: one }]);
	const node = bulkJobsNode(user.credential, {
		operation: 'create',
		jobType: 'delete',
		inputSource: 'csvText',
		csvText: ['trackingId', one, two, three].join('\n'),
		options: { skipDevicesInJobs: earlier },
	} as never);
	emulator.clearRequests();
	const run = await runWorkflow(engine, itemsThen(node));

	expect(run.error()).toBeUndefined();
	expect(run.output('HERE').map((item) => [item.json.outcome, item.json.deviceCount])).toEqual([
		['created', 2],
		['alreadySent', 1],
	]);
	expect(emulator.devices(user.projectId)).toEqual([]);
});

test('an earlier job of the other type is refused', async () => {
	const user = loginUser(emulator, engine);
	const addJob = await createJobDirectly(emulator, user.email, [{ name: 'x-1' }]);
	const node = bulkJobsNode(user.credential, {
		operation: 'create',
		jobType: 'delete',
		inputSource: 'csvText',
		csvText: 'externalId\next-1',
		options: { skipDevicesInJobs: addJob },
	} as never);
	const run = await runWorkflow(engine, itemsThen(node));
	expect(run.error()?.message).toBe(`Job ${addJob} in Skip Devices Already in Jobs adds devices, but this node deletes them; nothing was sent`);
});

describe('devices that failed in an earlier job', () => {
	/** A first run whose job fails one row: "fleet-3" is a name the project already holds. */
	async function firstRunWithAFailedRow(user: User, parameters: IDataObject) {
		await createJobDirectly(emulator, user.email, [{ name: 'fleet-3' }]);
		const run = await runWorkflow(engine, itemsThen(rerunNode(user, {}, parameters)));
		expect(run.error()).toBeUndefined();
		const [earlier] = emulator.jobs(user.projectId).filter((job) => job.total === 4);
		expect(earlier).toMatchObject({ succeeded: 3, failed: 1 });
		// The cause is fixed: the device that held the name is deleted.
		const holder = emulator.devices(user.projectId).find((device) => device.name === 'fleet-3' && device.trackingId !== undefined);
		await createJobDirectly(emulator, user.email, [{ trackingId: holder?.trackingId }]);
		emulator.clearRequests();
		return earlier.jobId;
	}

	function rerunNode(user: User, options: IDataObject, parameters: IDataObject = {}) {
		return bulkJobsNode(user.credential, {
			operation: 'create',
			jobType: 'create',
			inputSource: 'csvText',
			csvText: csvOf(4, 'fleet'),
			options,
			...parameters,
		} as never);
	}

	test('the re-run sends exactly the failed device again, reported as resent with the earlier error', async () => {
		const user = loginUser(emulator, engine);
		const earlier = await firstRunWithAFailedRow(user, {});

		const rerun = await runWorkflow(engine, itemsThen(rerunNode(user, { skipDevicesInJobs: earlier })));
		expect(rerun.error()).toBeUndefined();
		const [job, resent, alreadySent] = rerun.output('HERE').map((item) => item.json);
		expect(job).toMatchObject({ outcome: 'created', deviceCount: 1, rows: 'row 4' });
		expect(resent).toMatchObject({ outcome: 'resent', deviceCount: 1, resentCount: 1, resentRows: 'row 4', resentFromJobIds: [earlier] });
		expect(resent.resentDevices).toEqual([
			{
				inputItem: 0,
				row: 4,
				name: 'fleet-3',
				earlierJobId: earlier,
				earlierErrors: [expect.objectContaining({ code: 409 })],
				earlierErrorMessage: expect.stringContaining('A device with this name already exists'),
			},
		]);
		expect(alreadySent).toMatchObject({ outcome: 'alreadySent', deviceCount: 3, alreadySentRows: 'rows 2 to 3, 5' });
		expect(uploads(emulator)).toHaveLength(1);
		const newJob = emulator.jobs(user.projectId).find((candidate) => candidate.jobId === job.jobId);
		expect(newJob).toMatchObject({ total: 1, succeeded: 1, failed: 0 });

		// Once: a further re-run that names both jobs has nothing left to send.
		emulator.clearRequests();
		const again = await runWorkflow(engine, itemsThen(rerunNode(user, { skipDevicesInJobs: [earlier, job.jobId] })));
		expect(again.output('HERE').map((item) => [item.json.outcome, item.json.deviceCount])).toEqual([['alreadySent', 4]]);
		expect(uploads(emulator)).toHaveLength(0);
		expect(emulator.devices(user.projectId).map((device) => device.name).sort()).toEqual(['fleet-1', 'fleet-2', 'fleet-3', 'fleet-4']);
	});

	test('an upload that fails in the re-run: the error still counts the rows left out and those sent again', async () => {
		const user = loginUser(emulator, engine);
		const earlier = await firstRunWithAFailedRow(user, {});
		emulator.faults.script([{ method: 'POST', path: UPLOADS_PATH, kind: '500', afterEffect: false }]);

		const rerun = await runWorkflow(engine, itemsThen(rerunNode(user, { skipDevicesInJobs: earlier })));
		const error = rerun.error() as Described;
		expect(error.message).toMatch(/HTTP 500.*\(row 4, 1 device\)$/);
		const text = editorView(error.description);
		expect(text).toContain('Left out: 3 rows whose devices HERE took in the jobs named in Options > Skip Devices Already in Jobs.');
		expect(text).toContain('Sent again in the jobs above: 1 row whose device failed in the jobs named in Options > Skip Devices Already in Jobs.');
	});

	test('One Summary Item reports the resent and the left-out rows', async () => {
		const user = loginUser(emulator, engine);
		const earlier = await firstRunWithAFailedRow(user, {});

		const rerun = await runWorkflow(engine, itemsThen(rerunNode(user, { skipDevicesInJobs: earlier }, { jobOutput: 'summary' })));
		expect(rerun.error()).toBeUndefined();
		const [summary] = rerun.output('HERE').map((item) => item.json);
		expect(summary).toMatchObject({
			jobCount: 1,
			deviceCount: 1,
			alreadySentCount: 3,
			alreadySentRows: 'rows 2 to 3, 5',
			resentCount: 1,
			resentRows: 'row 4',
			resentDevices: [expect.objectContaining({ name: 'fleet-3', earlierJobId: earlier })],
		});
	});

	test('with Wait for Completion the resent device\'s result carries the earlier error', async () => {
		const user = loginUser(emulator, engine);
		const wait = { waitForCompletion: true, waitOptions: { pollInterval: 0.01 } };
		const earlier = await firstRunWithAFailedRow(user, wait);

		const rerun = await runWorkflow(engine, itemsThen(rerunNode(user, { skipDevicesInJobs: earlier }, wait)));
		expect(rerun.error()).toBeUndefined();
		const output = rerun.output('HERE');
		expect(output.map((item) => [item.json.outcome, item.json.name ?? item.json.alreadySentRows])).toEqual([
			['succeeded', 'fleet-3'],
			['alreadySent', 'rows 2 to 3, 5'],
		]);
		expect(output[0].json).toMatchObject({ resent: true, row: 4, earlierJobId: earlier, earlierErrorMessage: expect.stringContaining('already exists') });
		expect(output[0].pairedItem).toEqual({ item: 0 });
		expect(uploads(emulator)).toHaveLength(1);
	});

	test('with Output Unsuccessful Jobs, a resent device whose new job is cancelled first comes out notProcessed, with the earlier error', async () => {
		const user = loginUser(emulator, engine);
		const wait = { waitForCompletion: true, waitOptions: { pollInterval: 0.01, outputUnsuccessfulJobs: true } };
		const earlier = await firstRunWithAFailedRow(user, wait);
		emulator.setProcessing({ mode: 'manual' });
		try {
			const running = runWorkflow(engine, itemsThen(rerunNode(user, { skipDevicesInJobs: earlier }, wait)));
			await until(() => emulator.jobs(user.projectId).some((job) => job.status === 'pending'), 5000, 'the re-run job');
			const resentJob = emulator.jobs(user.projectId).find((job) => job.status === 'pending');
			await cancelDirectly(emulator, user.email, resentJob?.jobId as string);
			const output = (await running).output('HERE');

			expect(output.map((item) => [item.json.outcome, item.json.name ?? item.json.alreadySentRows])).toEqual([
				['notProcessed', 'fleet-3'],
				['alreadySent', 'rows 2 to 3, 5'],
			]);
			expect(output[0].json).toMatchObject({ jobStatus: 'cancelled', errors: [], resent: true, row: 4, earlierJobId: earlier });
			expect(output[0].pairedItem).toEqual({ item: 0 });
		} finally {
			emulator.setProcessing({ mode: 'instant' });
		}
	});
});
