/**
 * The package in a real n8n 2.x on Node.js 24, installed as a community package, driven only
 * through n8n's own CLI (`import:credentials`, `import:workflow`, `execute --id`) and server
 * (owner setup, public API, polling trigger). The emulator plays HERE, in this process.
 */
import { DEMO } from '../../emulator';
import type { N8nServer } from '../../scripts/n8n/instance';
import { say } from '../../scripts/n8n/log';
import { DEMO_OWNER, N8nApi, type PublicExecution } from '../../scripts/n8n/rest';
import { N8N_2 } from '../../scripts/n8n/versions';
import { actionWorkflows, describeActionRuns, IDS, INVALID_CSV_PROBLEMS, TWICE } from './support/actionRuns';
import { Editor, type ShownError } from './support/editor';
import { FAKE_ANSWER_PREFIX, startFakeChatModel, type FakeChatModel } from './support/fakeChatModel';
import { fleet } from './support/csv';
import { disable, edit, example, HERE_TRIGGER, type WfNode } from './support/workflows';
import { createWorld, type World } from './support/world';

let world: World;

beforeAll(async () => {
	world = await createWorld(N8N_2, 'e2e-n8n2');
	await world.n8n.importWorkflows(actionWorkflows(world.examples));
});

afterAll(async () => {
	await world?.close();
});

describeActionRuns('n8n 2.x on Node.js 24: action node runs through `n8n execute --id`', () => world);

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
	let model: FakeChatModel;

	beforeAll(async () => {
		// The AI-agent example's model credential, pointing at a scripted stand-in for OpenAI.
		model = await startFakeChatModel(/list/i);
		await world.n8n.importCredentials([{ id: 'exampleOpenAi', name: 'OpenAI account', type: 'openAiApi', data: { apiKey: 'sk-e2e-fake-key', url: model.url } }]);
		say('starting the n8n server');
		// Debug level: the log (in the instance folder) then shows every publication and poll.
		server = await world.n8n.start({ env: { N8N_LOG_LEVEL: 'debug' } });
		api = new N8nApi(server.url);
		await api.setupOwner(DEMO_OWNER);
		await api.createApiKey();
	});

	afterAll(async () => {
		await server?.stop();
		await model?.close();
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

	test('the AI-agent example: the agent calls HERE Bulk Jobs as a tool (a scripted model stands in for OpenAI)', async () => {
		const agentExample = example(world.examples, 'ai-agent-bulk-jobs-tool');
		const chatTrigger = (agentExample.workflow.nodes as WfNode[]).find((node) => node.type === '@n8n/n8n-nodes-langchain.chatTrigger');
		if (!chatTrigger?.webhookId) throw new Error('the AI example has no chat trigger with a webhookId');
		// Reachable over HTTP (as when the chat is embedded in a web page) instead of only in the editor.
		const workflow = edit(agentExample, {
			[chatTrigger.name]: (node) => ({ ...node, parameters: { ...node.parameters, public: true, mode: 'webhook', options: {} } }),
		});
		await api.updateWorkflow({ ...workflow, id: agentExample.workflow.id });
		await api.activateWorkflow(agentExample.workflow.id);
		const jobs = world.emulator.jobs(DEMO.projectId).length;
		const answer = await waitFor(
			'the chat answer',
			60_000,
			async () => {
				const response = await fetch(`${server.url}/webhook/${chatTrigger.webhookId}/chat`, {
					method: 'POST',
					headers: { 'content-type': 'application/json' },
					body: JSON.stringify({ action: 'sendMessage', sessionId: 'e2e-session', chatInput: 'Which bulk jobs are there?' }),
				});
				if (response.status === 404) return undefined; // published in the background: not registered yet
				return { status: response.status, body: await response.text() };
			},
			explain,
		);
		await api.deactivateWorkflow(agentExample.workflow.id);
		expect(answer.status).toBe(200);
		// The model saw the four HERE tools, called "List bulk jobs", and got the jobs back (at most 20).
		const toolNames = model.requests[0]?.tools?.map((tool) => tool.function.name) ?? [];
		expect(toolNames.sort()).toEqual(['Add_devices', 'Get_job_results', 'Get_job_status', 'List_bulk_jobs']);
		expect(JSON.parse(answer.body)).toMatchObject({ output: `${FAKE_ANSWER_PREFIX}: ${Math.min(jobs, 20)} jobs` });
	});

	describe('the error text in the editor (headless Chromium)', () => {
		let editor: Editor;
		beforeAll(async () => {
			editor = await Editor.open(server.url, DEMO_OWNER);
		});
		afterAll(async () => {
			await editor?.close();
		});

		/** The list item (one problem per line) that holds every one of the facts, or undefined. */
		const lineWith = (shown: ShownError, facts: ReadonlyArray<string | RegExp>): string | undefined =>
			shown.items.find((item) => facts.every((fact) => (typeof fact === 'string' ? item.includes(fact) : fact.test(item))));

		test('an invalid CSV: each bad row on a line of its own, with its row number, column and value as written', async () => {
			const [execution] = await api.executions(IDS.invalidCsv, { includeData: false });
			const shown = await editor.nodeErrorInExecution(IDS.invalidCsv, execution.id, 'Upload invalid CSV', 'invalid-csv');
			say(`screenshot: ${shown.screenshot}`);
			expect(shown.message).not.toBe('');
			for (const problem of INVALID_CSV_PROBLEMS) {
				const facts = [new RegExp(`\\b${problem.row}\\b`), problem.column, ...(problem.value === undefined ? [] : [problem.value])];
				expect({ problem, line: lineWith(shown, facts) }).toEqual({ problem, line: expect.any(String) });
			}
		});

		test('a job whose devices all failed: each device on a line of its own, with HERE\'s reason', async () => {
			const [execution] = await api.executions(IDS.failedJob, { includeData: false }); // newest first: the second run
			const shown = await editor.nodeErrorInExecution(IDS.failedJob, execution.id, 'Add the same devices', 'failed-job');
			say(`screenshot: ${shown.screenshot}`);
			expect(shown.message).toMatch(/failed/);
			for (const device of TWICE) {
				expect({ device: device.name, line: lineWith(shown, [device.name, /already exists/]) }).toEqual({ device: device.name, line: expect.any(String) });
			}
		});
	});

	test('n8n reached for nothing but the emulator, also as a server', () => {
		expect(world.n8n.networkAttempts().map((attempt) => `${attempt.host}:${attempt.port ?? ''}`)).toEqual([]);
	});
});
