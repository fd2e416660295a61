/**
 * The package in a real n8n 2.x on Node.js 24, installed as a community package, driven only
 * through n8n's own CLI (`import:credentials`, `import:workflow`, `execute --id`) and server
 * (owner setup, public API, polling trigger). The emulator plays HERE, in this process.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { DEMO } from '../../emulator';
import { CREDENTIAL_IDS, RETIRED_VANS, seedDevices } from '../../scripts/n8n/demoData';
import type { Execution } from '../../scripts/n8n/execution';
import type { N8nServer } from '../../scripts/n8n/instance';
import { say } from '../../scripts/n8n/log';
import { DEMO_OWNER, N8nApi, type PublicExecution } from '../../scripts/n8n/rest';
import { N8N_2 } from '../../scripts/n8n/versions';
import { deleteByExternalIdCsv, fleet, fleetCsv } from './support/csv';
import { byId, chain, disable, edit, example, HERE_NODE, HERE_TRIGGER, type WfNode } from './support/workflows';
import { createWorld, type World } from './support/world';

type CredentialRef = { hereTrackingApi: { id: string; name: string } };
const login: CredentialRef = { hereTrackingApi: { id: CREDENTIAL_IDS.login, name: 'HERE Tracking (emulator demo)' } };
const token: CredentialRef = { hereTrackingApi: { id: CREDENTIAL_IDS.token, name: 'HERE Tracking (emulator demo token)' } };

const ONBOARDING = fleet(2500, 'onb');
const DELETED = ONBOARDING.slice(0, 300);

const IDS = {
	onboarding: 'e2eOnboarding2500',
	deleteSome: 'e2eDeleteSome',
	lifecycle: 'e2eLifecycle',
	invalidCsv: 'e2eInvalidCsv',
	nightlySync: 'e2eNightlySync',
} as const;

function here(name: string, parameters: Record<string, unknown>, credentials: CredentialRef = login, extra: Partial<WfNode> = {}) {
	return { name, type: HERE_NODE, parameters: { resource: 'bulkJob', ...parameters }, credentials, ...extra };
}

/** Fails with n8n's own words when a run did not succeed. */
function expectSuccess(run: Execution): void {
	if (run.status !== 'success' || run.exitCode !== 0) {
		throw new Error(`expected a successful run, got ${run.status} (exit ${run.exitCode}): ${JSON.stringify(run.error)?.slice(0, 2000)}\n${run.log.slice(-3000)}`);
	}
}

function numberOf(value: unknown): number {
	if (typeof value !== 'number') throw new Error(`expected a number, got ${JSON.stringify(value)}`);
	return value;
}

async function controlApi<T>(world: World, path: string): Promise<T> {
	const response = await fetch(`${world.emulator.url}/_emulator/${path}`);
	return (await response.json()) as T;
}

interface EmulatorState {
	counts: { jobs: number; devices: Record<string, number> };
	jobs: Array<{ jobId: string; status: string; type: string; fileName?: string }>;
}

let world: World;

beforeAll(async () => {
	world = await createWorld(N8N_2, 'e2e-n8n2');
	const onboarding = edit(example(world.examples, 'onboard-devices-from-csv'), {
		// The example's 5 sample rows become 2,500 devices; the e-mail needs an SMTP server.
		'Sample CSV': (node) => {
			const assignments = (node.parameters.assignments as { assignments: Array<{ value: string }> }).assignments;
			assignments[0].value = fleetCsv(ONBOARDING);
			return node;
		},
		'E-mail the results': disable,
	});
	await world.n8n.importWorkflows([
		...world.examples.map((e) => e.workflow),
		{ ...onboarding, id: IDS.onboarding, name: 'e2e: onboarding example with 2,500 devices' },
		{ ...example(world.examples, 'nightly-sync-from-spreadsheet').workflow, id: IDS.nightlySync },
		chain(IDS.deleteSome, 'e2e: delete 300 devices', [
			here('Delete 300 devices', {
				operation: 'create',
				jobType: 'delete',
				inputSource: 'csvText',
				csvText: deleteByExternalIdCsv(DELETED),
				waitForCompletion: true,
				output: 'summary',
				waitOptions: { pollInterval: 0.5, maxPollInterval: 2 },
				options: { fileName: 'retire-300.csv' },
			}),
		]),
		chain(IDS.lifecycle, 'e2e: list, status, results, cancel, acknowledge (token credential)', [
			here('Big job', { operation: 'create', inputSource: 'csvText', csvText: fleetCsv(fleet(1000, 'big')), options: { fileName: 'big.csv' } }, token),
			here('Small job', { operation: 'create', inputSource: 'csvText', csvText: fleetCsv(fleet(3, 'small')), options: { fileName: 'small.csv' } }, token),
			// The small job waits behind the big one (HERE works first come, first served): cancel it.
			here('Cancel small job', { operation: 'cancel', jobId: byId('={{ $json.jobId }}') }, token),
			here(
				'Wait for big job',
				{
					operation: 'waitForCompletion',
					jobIds: "={{ $('Big job').first().json.jobId }}",
					output: 'summary',
					resultOptions: { includeResults: false },
					waitOptions: { pollInterval: 0.5, maxPollInterval: 2 },
				},
				token,
			),
			here('Acknowledge big job', { operation: 'acknowledge', jobId: byId("={{ $('Big job').first().json.jobId }}") }, token),
			here('Status of big job', { operation: 'getStatus', jobId: byId("={{ $('Big job').first().json.jobId }}") }, token),
			here('Status of small job', { operation: 'getStatus', jobId: byId("={{ $('Small job').first().json.jobId }}") }, token),
			here('List jobs', { operation: 'getAll', returnAll: true, filters: {}, options: { includeStatus: true } }, token),
			here('Results of big job', { operation: 'getResults', jobId: byId("={{ $('Big job').first().json.jobId }}"), returnAll: true, output: 'perDevice' }, token, {
				executeOnce: true,
			}),
		]),
		chain(IDS.invalidCsv, 'e2e: invalid CSV', [
			here('Upload invalid CSV', {
				operation: 'create',
				inputSource: 'csvText',
				csvText: ['name,externalId,sendMs', 'Good 1,good-1,600000', ',no-name-1,600000', 'Good 2,good-2,600000', 'Bad interval,bad-1,often', 'Good 3,good-3,600000'].join('\n'),
			}),
		]),
	]);
});

afterAll(async () => {
	await world?.close();
});

describe('n8n 2.x on Node.js 24: action node runs through `n8n execute --id`', () => {
	test('the onboarding example uploads 2,500 devices from a CSV file, waits, and outputs every result', async () => {
		const run = await world.n8n.execute(IDS.onboarding);
		expectSuccess(run);
		const jobs = run.json('Add devices and wait');
		expect(jobs).toHaveLength(3); // 1000 + 1000 + 500: split by the node
		expect(jobs.map((job) => job.status)).toEqual(['completed', 'completed', 'completed']);
		expect(jobs.reduce((sum, job) => sum + numberOf(job.succeededCount), 0)).toBe(2500);
		expect(jobs.flatMap((job) => job.failedDevices as unknown[])).toEqual([]);
		const results = jobs.flatMap((job) => job.results as Array<{ outcome: string; externalId: string; trackingId: string }>);
		expect(results).toHaveLength(2500);
		expect(new Set(results.map((r) => r.externalId))).toEqual(new Set(ONBOARDING.map((d) => d.externalId)));
		expect(results.every((r) => r.outcome === 'succeeded' && /^HERE-/.test(r.trackingId))).toBe(true);

		// The results file rides on the first item, ready for the (here disabled) e-mail node.
		const file = run.output('Add devices and wait')[0].binary?.data;
		expect(file?.fileName).toBe('onboarding-results.csv');
		const stored = file?.id?.startsWith('filesystem') ? join(world.n8n.n8nFolder, 'binaryData', file.id.split(':').slice(1).join(':')) : undefined;
		if (stored && existsSync(stored)) expect(readFileSync(stored, 'utf8').trim().split(/\r?\n/)).toHaveLength(2501);

		const devices = world.emulator.devices(DEMO.projectId).filter((d) => d.externalId?.startsWith('onb-'));
		expect(devices).toHaveLength(2500);
		const state = await controlApi<EmulatorState>(world, 'state');
		expect(state.jobs.filter((j) => j.fileName?.startsWith('sample-devices.csv')).map((j) => j.status)).toEqual(['completed', 'completed', 'completed']);
	});

	test('a delete job removes 300 of them', async () => {
		const run = await world.n8n.execute(IDS.deleteSome);
		expectSuccess(run);
		const [job] = run.json('Delete 300 devices');
		expect(job).toMatchObject({ status: 'completed', succeededCount: 300 });
		const left = world.emulator.devices(DEMO.projectId).filter((d) => d.externalId?.startsWith('onb-'));
		expect(left).toHaveLength(2200);
		expect(left.some((d) => DELETED.some((gone) => gone.externalId === d.externalId))).toBe(false);
	});

	test('list, status, results, cancel and acknowledge, with the token credential', async () => {
		const run = await world.n8n.execute(IDS.lifecycle);
		expectSuccess(run);
		const [big] = run.json('Big job');
		const [small] = run.json('Small job');
		expect(big.jobId).toMatch(/^BULK-/);
		expect(run.json('Cancel small job')[0]).toMatchObject({ jobId: small.jobId });
		expect(run.json('Wait for big job')[0]).toMatchObject({ jobId: big.jobId, status: 'completed', succeededCount: 1000 });
		expect(run.json('Acknowledge big job')[0]).toMatchObject({ jobId: big.jobId });
		expect(run.json('Status of big job')[0]).toMatchObject({ jobId: big.jobId, status: 'acknowledged' });
		expect(run.json('Status of small job')[0]).toMatchObject({ jobId: small.jobId, status: 'cancelled' });
		const listed = run.json('List jobs');
		expect(listed.find((j) => j.jobId === big.jobId)).toMatchObject({ status: 'acknowledged' });
		expect(listed.find((j) => j.jobId === small.jobId)).toMatchObject({ status: 'cancelled' });
		const results = run.json('Results of big job');
		expect(results).toHaveLength(1000);
		expect(results.every((r) => r.jobId === big.jobId && r.outcome === 'succeeded')).toBe(true);
		// The small job's devices were never created.
		expect(world.emulator.devices(DEMO.projectId).filter((d) => d.externalId?.startsWith('small-'))).toHaveLength(0);
	});

	test('an invalid CSV fails with every bad row and uploads nothing', async () => {
		const before = await controlApi<EmulatorState>(world, 'state');
		await fetch(`${world.emulator.url}/_emulator/requests`, { method: 'DELETE' });
		const run = await world.n8n.execute(IDS.invalidCsv);
		expect(run.exitCode).not.toBe(0);
		expect(run.status).toBe('error');
		const error = run.nodeError('Upload invalid CSV') ?? run.error;
		const text = `${error?.message ?? ''}\n${error?.description ?? ''}`;
		expect(text).toMatch(/row 3\b/);
		expect(text).toMatch(/row 5\b/);
		expect(text).toMatch(/name/);
		expect(text).toMatch(/sendMs/);
		const after = await controlApi<EmulatorState>(world, 'state');
		expect(after.counts.jobs).toBe(before.counts.jobs);
		const { requests } = await controlApi<{ requests: Array<{ method: string; path: string }> }>(world, 'requests');
		expect(requests.filter((r) => r.method === 'POST' && r.path.includes('deviceUploads'))).toEqual([]);
	});

	test('the nightly sync example adds the active vans and deletes the retired ones', async () => {
		await seedDevices(world.emulator, RETIRED_VANS);
		const run = await world.n8n.execute(IDS.nightlySync);
		expectSuccess(run);
		const deleted = run.json('Delete retired devices');
		expect(deleted.map((d) => [d.externalId, d.outcome])).toEqual([
			['depot-n-0009', 'succeeded'],
			['depot-n-0010', 'succeeded'],
		]);
		const added = run.json('Add active devices');
		expect(added).toHaveLength(8);
		expect(added.every((d) => d.outcome === 'succeeded')).toBe(true);
		const vans = world.emulator.devices(DEMO.projectId).filter((d) => d.externalId?.startsWith('depot-n-'));
		expect(vans.map((d) => d.externalId).sort()).toEqual(Array.from({ length: 8 }, (_, i) => `depot-n-000${i + 1}`));
	});
});

/** Creates a bulk job the way another HERE client would (not through n8n), returns its id. */
async function uploadJob(devices: ReadonlyArray<Record<string, unknown>>, fileName: string): Promise<string> {
	const qs = new URLSearchParams({ projectId: DEMO.projectId, fileName });
	const response = await fetch(`${world.emulator.url}/bulkjobs/v4/deviceUploads?${qs}`, {
		method: 'POST',
		headers: { authorization: `Bearer ${DEMO.accessToken}`, 'content-type': 'application/json' },
		body: JSON.stringify(devices),
	});
	if (response.status !== 202) throw new Error(`upload: HTTP ${response.status} ${await response.text()}`);
	return ((await response.json()) as { jobId: string }).jobId;
}

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>, explain: () => string = () => ''): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await probe();
		if (value !== undefined) return value;
		if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}\n${explain()}`);
		await new Promise((resolvePromise) => setTimeout(resolvePromise, 1000));
	}
}

/** The job ids of the items the trigger emitted in one execution. */
function triggeredJobs(execution: PublicExecution, triggerName: string): Map<string, Array<Record<string, unknown>>> {
	const runs = execution.data?.resultData.runData[triggerName] ?? [];
	const items = runs.flatMap((run) => run.data?.main?.[0] ?? []).map((item) => item.json);
	const byJob = new Map<string, Array<Record<string, unknown>>>();
	for (const item of items) byJob.set(String(item.jobId), [...(byJob.get(String(item.jobId)) ?? []), item]);
	return byJob;
}

describe('n8n 2.x server: the package in the editor and the polling trigger', () => {
	let server: N8nServer;
	let api: N8nApi;

	beforeAll(async () => {
		say('starting the n8n server');
		// Debug level: the log (in the instance folder) then shows every publication and poll.
		server = await world.n8n.start({ env: { N8N_LOG_LEVEL: 'debug' } });
		api = new N8nApi(server.url);
		await api.setupOwner(DEMO_OWNER);
		await api.createApiKey();
	});

	afterAll(async () => {
		await server?.stop();
	});

	test('n8n loads the package from its package.json "n8n" field, with icons, codex and the AI-tool variant', async () => {
		const types = await api.nodeTypes();
		const ours = types.filter((type) => type.name.startsWith('n8n-nodes-here-tracking.'));
		expect(ours.map((type) => type.name).sort()).toEqual([
			'n8n-nodes-here-tracking.hereBulkJobs',
			'n8n-nodes-here-tracking.hereBulkJobsTool',
			'n8n-nodes-here-tracking.hereBulkJobsTrigger',
		]);
		for (const type of ours) {
			expect(type.iconUrl).toEqual({
				light: 'icons/n8n-nodes-here-tracking/dist/nodes/HereBulkJobs/here.svg',
				dark: 'icons/n8n-nodes-here-tracking/dist/nodes/HereBulkJobs/here.dark.svg',
			});
			expect(type.codex?.categories?.length).toBeGreaterThan(0);
		}
		for (const variant of ['here.svg', 'here.dark.svg']) {
			const icon = await fetch(`${server.url}/icons/n8n-nodes-here-tracking/dist/nodes/HereBulkJobs/${variant}`);
			expect(icon.status).toBe(200);
			expect(await icon.text()).toContain('<svg');
		}
	});

	/** What to look at when the trigger did not fire: the last requests HERE saw, and n8n's log. */
	const explain = (): string =>
		[
			'emulator requests:',
			...world.emulator.requests.slice(-15).map((r) => `  ${r.method} ${r.path} -> ${r.status}`),
			`n8n log (${server.logFile}):`,
			server.logTail(30).replace(/\x1b\[[0-9;]*m/g, ''),
		].join('\n');

	test('the trigger example, published: each job that finishes starts exactly one execution, with its results', async () => {
		const triggerExample = example(world.examples, 'notify-failed-devices-trigger');
		const triggerNode = (triggerExample.workflow.nodes as WfNode[]).find((node) => node.type === HERE_TRIGGER);
		if (!triggerNode) throw new Error('the trigger example has no HERE Bulk Jobs Trigger');
		// n8n polls at most once a minute; pick the second so that the first poll comes ~25 s after publishing.
		const second = (new Date().getSeconds() + 25) % 60;
		const workflow = edit(triggerExample, {
			[triggerNode.name]: (node) => ({ ...node, parameters: { ...node.parameters, pollTimes: { item: [{ mode: 'custom', cronExpression: `${second} * * * * *` }] } } }),
			'Notify about failed devices': disable, // needs an SMTP server
		});
		await api.updateWorkflow({ ...workflow, id: triggerExample.workflow.id });
		const jobsBefore = world.emulator.jobs(DEMO.projectId).map((job) => job.jobId);
		// Publishing runs a first poll: it records the jobs that already finished (earlier tests) and
		// emits nothing. n8n 2.x publishes in the background, so wait until that poll has listed the jobs.
		const mark = world.emulator.requests.length;
		await api.activateWorkflow(triggerExample.workflow.id);
		const started = Date.now();
		await waitFor(
			'the first (activation) poll',
			60_000,
			async () => (world.emulator.requests.slice(mark).some((r) => r.method === 'GET' && r.path === '/bulkjobs/v4/deviceUploads') ? true : undefined),
			explain,
		);
		await new Promise((resolvePromise) => setTimeout(resolvePromise, 1000)); // let that poll finish

		// Wave 1, before the first scheduled poll: a job that completes, one with some failed rows, one where every row fails.
		const clean = await uploadJob(fleet(5, 'trg-a').map((d) => ({ name: d.name, externalId: d.externalId })), 'trigger-clean.json');
		const mixed = await uploadJob(
			// Two rows repeat the first job's external ids: HERE refuses those devices (409), the job still completes.
			[{ name: 'trg-b new', externalId: 'trg-b-new' }, { name: 'dup 1', externalId: 'trg-a-0001' }, { name: 'dup 2', externalId: 'trg-a-0002' }],
			'trigger-mixed.json',
		);
		const allFail = await uploadJob([{ externalId: 'no-such-device-1' }, { externalId: 'no-such-device-2' }], 'trigger-fail.json');
		await world.emulator.settle();
		const first = await waitFor('the first trigger execution', 120_000, async () => {
			const executions = await api.executions(triggerExample.workflow.id);
			return executions.length >= 1 ? executions : undefined;
		}, explain);
		say(`first trigger execution after ${Math.round((Date.now() - started) / 1000)} s`);

		// Wave 2, between the polls: the next poll emits only this job.
		const late = await uploadJob(fleet(2, 'trg-d').map((d) => ({ name: d.name, externalId: d.externalId })), 'trigger-late.json');
		await world.emulator.settle();
		const executions = await waitFor('the second trigger execution', 120_000, async () => {
			const all = await api.executions(triggerExample.workflow.id);
			return all.length >= 2 ? all : undefined;
		}, explain);
		say(`second trigger execution after ${Math.round((Date.now() - started) / 1000)} s`);
		await api.deactivateWorkflow(triggerExample.workflow.id);

		expect(first).toHaveLength(1);
		expect(executions).toHaveLength(2);
		expect(executions.every((execution) => execution.mode === 'trigger' && execution.status === 'success')).toBe(true);
		const [newer, older] = executions; // newest first
		const olderJobs = triggeredJobs(older, triggerNode.name);
		const newerJobs = triggeredJobs(newer, triggerNode.name);
		expect([...olderJobs.keys()].sort()).toEqual([clean, mixed, allFail].sort());
		expect([...newerJobs.keys()]).toEqual([late]);
		for (const jobId of jobsBefore) expect(olderJobs.has(jobId) || newerJobs.has(jobId)).toBe(false);

		// Each job's items are its devices' results.
		expect(olderJobs.get(clean)?.map((item) => item.outcome)).toEqual(Array(5).fill('succeeded'));
		expect(olderJobs.get(mixed)?.map((item) => item.outcome).sort()).toEqual(['failed', 'failed', 'succeeded']);
		expect(olderJobs.get(allFail)?.map((item) => item.outcome)).toEqual(['failed', 'failed']);
		expect(newerJobs.get(late)?.map((item) => item.outcome)).toEqual(['succeeded', 'succeeded']);

		// The failed rows went down the "failed" branch, one list for the notification.
		const collected = older.data?.resultData.runData['Collect failed devices']?.[0]?.data?.main?.[0]?.[0]?.json as { failed: unknown[] } | undefined;
		expect(collected?.failed).toHaveLength(4);

		// "Acknowledge Emitted Jobs" is on in the example: the poll after an emission was committed
		// marks those jobs as handled on HERE; the last job's turn comes with the next poll.
		const statuses = new Map(world.emulator.jobs(DEMO.projectId).map((job) => [job.jobId, job.status]));
		expect([clean, mixed, allFail].map((jobId) => statuses.get(jobId))).toEqual(['acknowledged', 'acknowledged', 'acknowledged']);
		expect(statuses.get(late)).toBe('completed');
	});
});
