import type { IDataObject } from 'n8n-workflow';

import type { HereEmulator } from '../../emulator';
import { startEmulator } from '../../emulator';
import { editorView } from '../harness/editorView';
import type { Engine, WorkflowRun } from '../harness/engine';
import { createEngine, runWorkflow } from '../harness/engine';
import { bulkJobsNode, itemsThen, loginUser } from '../harness/fixtures';
import { csvOf, UPLOADS_PATH } from '../node/createFixtures';
import { recordFigures } from './figures';
import { judgeApiError } from './support/errors';
import { counts, injectFaults, pool, seedsFor, timing } from './support/runs';
import { compressRequestTimeouts, TRANSPORT_TIMEOUT_MS } from './support/timeouts';

/**
 * A chunked upload whose third chunk cannot be submitted after the transport's retries, under
 * 20% faults on everything else. The error says which rows went into which job and which were
 * not sent; the re-run with "Skip Devices Already in Jobs" (the created job IDs, plus any job
 * found under a file name the error says may exist) sends just the rest, until every device is
 * on HERE exactly once. 20 recoveries with different seeds.
 */
const DEVICES = 2500;
const RECOVERIES = 20;
const MAX_RERUNS = 5;
const TIMEOUT_DIVISOR = 40;
const SLOW_MS = Math.round((TRANSPORT_TIMEOUT_MS.upload / TIMEOUT_DIVISOR) * 1.2);

let engine: Engine;
let restoreTimeouts: () => void;

beforeAll(async () => {
	engine = await createEngine();
	restoreTimeouts = compressRequestTimeouts(TIMEOUT_DIVISOR);
});

afterAll(() => restoreTimeouts());

type Described = Error & { description?: string; context?: IDataObject };
type User = ReturnType<typeof loginUser>;

function create(user: User, seed: number, skipDevicesInJobs: string[]): Promise<WorkflowRun> {
	const node = bulkJobsNode(user.credential, {
		operation: 'create',
		jobType: 'create',
		inputSource: 'csvFile',
		options: { concurrency: 1, ...(skipDevicesInJobs.length > 0 ? { skipDevicesInJobs: skipDevicesInJobs.join(', ') } : {}) },
	} as never);
	return runWorkflow(engine, itemsThen(node, [{}], { data: { fileName: 'fleet.csv', content: csvOf(DEVICES, `r${seed}`) } }));
}

/** What a user learns from a failed run: the job IDs it created, and the file names of jobs that may exist. */
function learnFromError(error: Described, emulator: HereEmulator, projectId: string): { known: string[]; problems: string[] } {
	const problems: string[] = [];
	const verdict = judgeApiError(error);
	if (!verdict.clear) problems.push(`unclear error: ${verdict.message} (missing ${verdict.missing.join(', ')})`);
	const known = [...((error.context?.createdJobIds as string[] | undefined) ?? [])];
	for (const fileName of (error.context?.mayExistFileNames as string[] | undefined) ?? []) {
		// As a user would in Get Many: the job of that file name, if HERE has one.
		for (const job of emulator.jobs(projectId)) if (job.fileName === fileName) known.push(job.jobId);
	}
	return { known, problems };
}

interface Recovery {
	seed: number;
	runs: number;
	faults: number;
	jobs: number;
	duplicatedJobs: number;
	devicesOnHere: number;
	duplicateDevices: number;
	problems: string[];
	ms: number;
}

async function recover(seed: number): Promise<Recovery> {
	const started = Date.now();
	const emulator = await startEmulator({ processing: { mode: 'instant' }, seed });
	try {
		const user = loginUser(emulator, engine);
		const problems: string[] = [];
		injectFaults(emulator, seed, SLOW_MS);
		// The third upload is refused until the transport gives up (scripts go before the rate).
		const upload = { method: 'POST', path: UPLOADS_PATH };
		emulator.faults.script([
			{ ...upload, kind: 'slow', slowMs: 0, times: 2 },
			{ ...upload, kind: '429', retryAfterSeconds: 0, times: 5 },
		]);

		const first = await create(user, seed, []);
		const error = first.error() as Described | undefined;
		let runs = 1;
		const known = new Set<string>();
		if (error === undefined) {
			problems.push('the first run did not fail although its third upload was refused');
		} else {
			if (!/job 3 \(rows 2002 to 2501, 500 devices\) failed|then job [12] \(/.test(error.message)) problems.push(`first error: ${error.message}`);
			if (!/(Failed and not created|Not sent)[^\n]*\n(- [^\n]*\n?)*- job 3 of 3: rows 2002 to 2501 \(500 devices\)/.test(editorView(error.description))) {
				problems.push('the first error does not list rows 2002 to 2501 as not created');
			}
			const learned = learnFromError(error, emulator, user.projectId);
			learned.known.forEach((id) => known.add(id));
			problems.push(...learned.problems);
			// Re-runs with what the user knows, until one goes through.
			for (let rerun = 1; rerun <= MAX_RERUNS; rerun++) {
				runs++;
				const next = await create(user, seed, [...known]);
				const nextError = next.error() as Described | undefined;
				if (nextError === undefined) break;
				const more = learnFromError(nextError, emulator, user.projectId);
				more.known.forEach((id) => known.add(id));
				problems.push(...more.problems);
				if (rerun === MAX_RERUNS) problems.push(`still failing after ${MAX_RERUNS} re-runs: ${nextError.message}`);
			}
		}
		const faults = emulator.faults.injected;
		emulator.faults.clear();

		const jobs = emulator.jobs(user.projectId);
		const perFile = counts(jobs.map((job) => job.fileName ?? ''));
		const names = emulator.devices(user.projectId).map((device) => device.name);
		const duplicateDevices = jobs.reduce((sum, job) => sum + job.failed, 0);
		if (new Set(names).size !== DEVICES) problems.push(`${new Set(names).size} of ${DEVICES} devices on HERE`);
		if (duplicateDevices > 0) problems.push(`${duplicateDevices} rows were sent twice (refused by HERE as duplicates)`);
		return {
			seed,
			runs,
			faults,
			jobs: jobs.length,
			duplicatedJobs: Object.values(perFile).reduce((sum, n) => sum + Math.max(0, n - 1), 0),
			devicesOnHere: new Set(names).size,
			duplicateDevices,
			problems,
			ms: Date.now() - started,
		};
	} finally {
		await emulator.close();
	}
}

test('third chunk refused after the retries, then re-runs with Skip Devices Already in Jobs: every device once', async () => {
	const started = Date.now();
	const recoveries = await pool(seedsFor(6, RECOVERIES), 10, recover);
	recordFigures({
		suite: 'faults: partial upload + re-runs',
		ms: Date.now() - started,
		figures: {
			runs: recoveries.length,
			succeeded: recoveries.filter((r) => r.problems.length === 0).length,
			faultsInjected: recoveries.reduce((sum, r) => sum + r.faults, 0),
			jobsCreated: recoveries.reduce((sum, r) => sum + r.jobs, 0),
			jobsDuplicated: recoveries.reduce((sum, r) => sum + r.duplicatedJobs, 0),
			rowsExpected: RECOVERIES * DEVICES,
			rowsReturned: recoveries.reduce((sum, r) => sum + r.devicesOnHere, 0),
			rowsLost: recoveries.reduce((sum, r) => sum + (DEVICES - r.devicesOnHere), 0),
		},
		note: `${RECOVERIES} recoveries in ${recoveries.reduce((sum, r) => sum + r.runs, 0)} workflow runs (${timing(recoveries.map((r) => r.ms))}); runs per recovery: ${JSON.stringify(counts(recoveries.map((r) => String(r.runs))))}; rows = devices on HERE after the re-runs`,
	});
	expect(recoveries.filter((r) => r.problems.length > 0).map((r) => ({ seed: r.seed, problems: r.problems }))).toEqual([]);
});
