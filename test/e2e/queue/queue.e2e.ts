/**
 * Queue mode (`npm run test:e2e:queue`): an n8n main and a separate worker over a local Redis,
 * sharing nothing but the database and Redis (binary data in the database too). The onboarding
 * example's form is submitted to the main with examples/sample-devices.csv, as the README tells a
 * newcomer to do; the worker runs the execution. Proves that the package keeps nothing in process
 * memory between the main and the worker.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { DEMO } from '../../../emulator';
import type { N8nServer } from '../../../scripts/n8n/instance';
import { say } from '../../../scripts/n8n/log';
import { startRedis, type RedisServer } from '../../../scripts/n8n/redis';
import { DEMO_OWNER, N8nApi } from '../../../scripts/n8n/rest';
import { N8N_2 } from '../../../scripts/n8n/versions';
import { EXAMPLES_DIR } from '../../../scripts/n8n/demoData';
import { disable, edit, example, type WfNode } from '../support/workflows';
import { createWorld, type World } from '../support/world';

const SAMPLE_CSV = readFileSync(join(EXAMPLES_DIR, 'sample-devices.csv'), 'utf8');
const SAMPLE_DEVICES = SAMPLE_CSV.trim().split('\n').length - 1;

let world: World;
let redis: RedisServer | undefined;
let main: N8nServer | undefined;
let worker: N8nServer | undefined;
let api: N8nApi;

beforeAll(async () => {
	world = await createWorld(N8N_2, 'e2e-queue');
	redis = await startRedis();
	const onboarding = example(world.examples, 'onboard-devices-from-csv');
	await world.n8n.importWorkflows([edit(onboarding, { 'E-mail the results': disable })]);
	const queue = {
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: '127.0.0.1',
		QUEUE_BULL_REDIS_PORT: String(redis.port),
		// Nothing shared through the file system either: binary data (the uploaded CSV, the results file) goes to the database.
		N8N_DEFAULT_BINARY_DATA_MODE: 'database',
		N8N_LOG_LEVEL: 'debug',
	};
	say('starting the n8n main and a worker (queue mode)');
	[main, worker] = await Promise.all([world.n8n.start({ env: queue, logName: 'main' }), world.n8n.start({ command: 'worker', env: queue, logName: 'worker' })]);
	api = new N8nApi(main.url);
	await api.setupOwner(DEMO_OWNER);
	await api.activateWorkflow(onboarding.workflow.id);
});

afterAll(async () => {
	await Promise.all([main?.stop(), worker?.stop()]);
	await redis?.stop();
	await world?.close();
});

test('a CSV uploaded through the example form on the main is processed by the worker', async () => {
	const onboarding = example(world.examples, 'onboard-devices-from-csv');
	const form = (onboarding.workflow.nodes as WfNode[]).find((node) => node.type === 'n8n-nodes-base.formTrigger');
	if (!form?.webhookId) throw new Error('the onboarding example has no form trigger with a webhookId');
	// n8n 2.x publishes in the background: the form answers 404 until its webhook is registered.
	let posted: Response | undefined;
	for (let attempt = 0; attempt < 60 && (!posted || posted.status === 404); attempt++) {
		if (posted) await new Promise((resolvePromise) => setTimeout(resolvePromise, 1000));
		const body = new FormData();
		body.append('field-0', new Blob([SAMPLE_CSV], { type: 'text/csv' }), 'sample-devices.csv');
		posted = await fetch(`${main?.url}/form/${form.webhookId}`, { method: 'POST', body });
	}
	expect(posted?.status).toBe(200);

	const deadline = Date.now() + 120_000;
	let finished;
	while (!finished && Date.now() < deadline) {
		const [latest] = await api.executions(onboarding.workflow.id);
		if (latest && latest.status !== 'running' && latest.status !== 'new' && latest.status !== 'waiting') finished = latest;
		else await new Promise((resolvePromise) => setTimeout(resolvePromise, 1000));
	}
	if (!finished) throw new Error(`no finished execution within 120 s\nmain:\n${main?.logTail(20)}\nworker:\n${worker?.logTail(20)}`);
	expect(finished.status).toBe('success');
	const jobs = (finished.data?.resultData.runData['Add devices and wait']?.[0]?.data?.main?.[0] ?? []).map((item) => item.json);
	expect(SAMPLE_DEVICES).toBe(26);
	expect(jobs.map((job) => job.status)).toEqual(['completed']);
	expect(jobs.flatMap((job) => job.results as Array<{ outcome: string }>).map((r) => r.outcome)).toEqual(Array(SAMPLE_DEVICES).fill('succeeded'));
	expect(world.emulator.devices(DEMO.projectId).filter((d) => d.externalId && /^(reefer|forklift)-/.test(d.externalId))).toHaveLength(SAMPLE_DEVICES);

	// The worker ran it (the main only received the form and queued the execution).
	const workerLog = readFileSync(worker?.logFile ?? '', 'utf8');
	expect(workerLog).toMatch(new RegExp(`Worker started execution ${finished.id}\\b`));
	expect(workerLog).toMatch(new RegExp(`Worker finished execution ${finished.id}\\b`));
});

test('n8n reached for nothing but the emulator and Redis', () => {
	expect(world.n8n.networkAttempts().map((attempt) => `${attempt.host}:${attempt.port ?? ''}`)).toEqual([]);
});
