/**
 * The action-node runs both n8n lines get (2.x and 1.x): workflows imported with n8n's CLI and run
 * with `n8n execute --id`, checked against the run's output and the emulator's state.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { DEMO } from '../../../emulator';
import { ALREADY_ADDED, CREDENTIAL_IDS, RETIRED_VANS, seedDevices, type Example } from '../../../scripts/n8n/demoData';
import type { Execution } from '../../../scripts/n8n/execution';
import type { WorkflowFile } from '../../../scripts/n8n/instance';
import { deleteByExternalIdCsv, fleet, fleetCsv } from './csv';
import { byId, chain, disable, edit, example, HERE_NODE, type WfNode } from './workflows';
import type { World } from './world';

type CredentialRef = { hereTrackingApi: { id: string; name: string } };
const login: CredentialRef = { hereTrackingApi: { id: CREDENTIAL_IDS.login, name: 'HERE Tracking (emulator demo)' } };
const token: CredentialRef = { hereTrackingApi: { id: CREDENTIAL_IDS.token, name: 'HERE Tracking (emulator demo token)' } };

const ONBOARDING = fleet(2500, 'onb');
const DELETED = ONBOARDING.slice(0, 300);

export const IDS = {
	onboarding: 'e2eOnboarding2500',
	onboardingSample: 'e2eOnboardingSample',
	failedJob: 'e2eFailedJob',
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

/** Every workflow the action-node runs need, to import in one `n8n import:workflow`. */
export function actionWorkflows(examples: readonly Example[]): WorkflowFile[] {
	const onboarding = edit(example(examples, 'onboard-devices-from-csv'), {
		// The example's 5 sample rows become 2,500 devices; the e-mail needs an SMTP server.
		'Sample CSV': (node) => {
			const assignments = (node.parameters.assignments as { assignments: Array<{ value: string }> }).assignments;
			assignments[0].value = fleetCsv(ONBOARDING);
			return node;
		},
		'E-mail the results': disable,
	});
	return [
		...examples.map((e) => e.workflow),
		{ ...onboarding, id: IDS.onboarding, name: 'e2e: onboarding example with 2,500 devices' },
		{ ...example(examples, 'nightly-sync-from-spreadsheet').workflow, id: IDS.nightlySync },
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
		{ ...edit(example(examples, 'onboard-devices-from-csv'), { 'E-mail the results': disable }), id: IDS.onboardingSample, name: 'e2e: onboarding example with its sample CSV' },
		chain(IDS.invalidCsv, 'e2e: invalid CSV', [
			here('Upload invalid CSV', { operation: 'create', inputSource: 'csvText', csvText: INVALID_CSV }),
		]),
		chain(IDS.failedJob, 'e2e: the same devices added twice', [
			here('Add the same devices', {
				operation: 'create',
				inputSource: 'csvText',
				csvText: ['name,externalId', ...TWICE.map((device) => `${device.name},${device.externalId}`)].join('\n'),
				waitForCompletion: true,
				waitOptions: { pollInterval: 0.5, maxPollInterval: 2 },
			}),
		]),
	];
}

/** A CSV with several bad rows: a value with `<` and `>` (which n8n's editor must show as written), and a row with two problems. */
const INVALID_CSV = [
	'name,externalId,sendMs,sampleMs',
	'Good 1,good-1,600000,300000',
	',no-name-1,600000,300000',
	'Good 2,good-2,600000,300000',
	'Bad interval,bad-1,<every 5 min>,300000',
	'Good 3,good-3,600000,300000',
	'Many problems,bad-2,-5,often',
].join('\n');

/** Every problem of INVALID_CSV that the error must name: the row (line in the file), the column and the value. */
export const INVALID_CSV_PROBLEMS: ReadonlyArray<{ row: number; column: string; value?: string }> = [
	{ row: 3, column: 'name' },
	{ row: 5, column: 'sendMs', value: '<every 5 min>' },
	{ row: 7, column: 'sendMs', value: '-5' },
	{ row: 7, column: 'sampleMs', value: 'often' },
];

/** Devices added twice: the second job fails, each device refused by HERE because its name exists. */
export const TWICE = fleet(3, 'twice');

export function describeActionRuns(title: string, getWorld: () => World): void {
	let world: World;
	beforeAll(() => {
		world = getWorld();
	});
	describe(title, () => {
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
			for (const problem of INVALID_CSV_PROBLEMS) {
				expect(text).toMatch(new RegExp(`\\b${problem.row}\\b`));
				expect(text).toContain(problem.column);
			}
			const after = await controlApi<EmulatorState>(world, 'state');
			expect(after.counts.jobs).toBe(before.counts.jobs);
			const { requests } = await controlApi<{ requests: Array<{ method: string; path: string }> }>(world, 'requests');
			expect(requests.filter((r) => r.method === 'POST' && r.path.includes('deviceUploads'))).toEqual([]);
		});

		test('the onboarding example as shipped runs again and again: fresh names per run, one device refused on purpose', async () => {
			await seedDevices(world.emulator, ALREADY_ADDED);
			for (let run = 1; run <= 2; run++) {
				const execution = await world.n8n.execute(IDS.onboardingSample);
				expectSuccess(execution);
				const [job] = execution.json('Add devices and wait');
				expect(job).toMatchObject({ status: 'completed', succeededCount: 5, failedCount: 1 });
				const [refused] = job.failedDevices as Array<{ name: string; errorMessage: string }>;
				expect(refused.name).toBe(ALREADY_ADDED[0].name);
				expect(refused.errorMessage).toMatch(/already exists/);
			}
		});

		test('adding the same devices twice: the second job fails, and the error names each device', async () => {
			expectSuccess(await world.n8n.execute(IDS.failedJob));
			const second = await world.n8n.execute(IDS.failedJob);
			expect(second.status).toBe('error');
			const error = second.nodeError('Add the same devices') ?? second.error;
			const text = `${error?.message ?? ''}\n${error?.description ?? ''}`;
			expect(text).toMatch(/failed/);
			for (const device of TWICE) expect(text).toContain(device.name);
		});

		test('the nightly sync example plans in a dry run, then adds the listed vans and deletes the retired ones', async () => {
			await seedDevices(world.emulator, RETIRED_VANS);
			const run = await world.n8n.execute(IDS.nightlySync);
			expectSuccess(run);
			const plan = run.json('Plan the sync (dry run)');
			expect(plan[plan.length - 1]).toMatchObject({ summary: true, dryRun: true, planned: { add: 8, delete: 2 } });
			const applied = run.json('Apply the sync');
			const outcome = (action: string) => applied.filter((d) => d.action === action).map((d) => [d.externalId, d.outcome]);
			expect(outcome('delete').sort()).toEqual([
				['depot-n-0009', 'deleted'],
				['depot-n-0010', 'deleted'],
			]);
			expect(outcome('add')).toHaveLength(8);
			expect(outcome('add').every(([, result]) => result === 'added')).toBe(true);
			const vans = world.emulator.devices(DEMO.projectId).filter((d) => d.externalId?.startsWith('depot-n-'));
			expect(vans.map((d) => d.externalId).sort()).toEqual(Array.from({ length: 8 }, (_, i) => `depot-n-000${i + 1}`));
		});

		test('n8n reached for nothing but the emulator (no telemetry, version check, templates)', () => {
			expect(world.n8n.networkAttempts().map((attempt) => `${attempt.host}:${attempt.port ?? ''}`)).toEqual([]);
		});
	});
}
