import type { INodeExecutionData } from 'n8n-workflow';

import type { EmulatorOptions, HereEmulator } from '../../../emulator';
import { startEmulator } from '../../../emulator';
import type { Engine, WorkflowJson, WorkflowRun } from '../../harness/engine';
import { runWorkflow } from '../../harness/engine';
import { CANARY, loginUser } from '../../harness/fixtures';
import type { Figures } from '../figures';
import { recordFigures } from '../figures';
import type { Verdict } from './errors';
import { judgeApiError } from './errors';
import { LeakScanner } from './leaks';
import { counts, injectFaults, pool, PARALLEL_RUNS, timing } from './runs';

/**
 * One flow run under faults, the same way for every flow: a fresh emulator seeded with the run's
 * seed, a user with a login credential, the flow's own preparation (fault-free), then the
 * workflow with 20% faults on every endpoint, then the checks against HERE's state. A run
 * passes when it returns what it should, or ends with a clear NodeApiError; and in both cases
 * HERE's state is what the run says, and no secret shows up anywhere.
 */
export type User = ReturnType<typeof loginUser>;

export interface FlowCheck {
	/** Problems found (wrong or missing output, HERE's state not what the run says). */
	problems: string[];
	/** Expected and returned entries of a successful run (result rows, jobs listed, statuses read, jobs changed). */
	rowsExpected?: number;
	rowsReturned?: number;
	/** Jobs the run was to create, jobs HERE holds afterwards, and jobs made twice for the same rows. */
	jobsExpected?: number;
	jobsCreated?: number;
	jobsDuplicated?: number;
}

export interface Flow<P> {
	name: string;
	emulator: EmulatorOptions;
	/** Fault-free preparation: the jobs the flow works on. */
	prepare(emulator: HereEmulator, user: User, seed: number): Promise<P>;
	workflow(user: User, prepared: P): WorkflowJson;
	/** Checks a successful run's output against what HERE holds. */
	check(output: INodeExecutionData[], prepared: P, emulator: HereEmulator, user: User): Promise<FlowCheck> | FlowCheck;
	/** Checks HERE's state after a failed run (e.g. nothing exists that the error does not name). */
	checkAfterError?(error: Error, prepared: P, emulator: HereEmulator, user: User): Promise<FlowCheck> | FlowCheck;
	/** More secrets to look for than the password and the session token (e.g. device secrets). */
	canaries?(emulator: HereEmulator, user: User): Promise<Array<[string, string]>>;
}

export interface RunOutcome extends Required<Omit<FlowCheck, 'problems'>> {
	seed: number;
	ok: boolean;
	verdict?: Verdict;
	faults: number;
	leaks: number;
	problems: string[];
	ms: number;
}

export async function runFlowOnce<P>(engine: Engine, flow: Flow<P>, seed: number, slowMs: number): Promise<RunOutcome> {
	const started = Date.now();
	const emulator = await startEmulator({ ...flow.emulator, seed });
	try {
		const user = loginUser(emulator, engine);
		const prepared = await flow.prepare(emulator, user, seed);
		injectFaults(emulator, seed, slowMs);
		const run: WorkflowRun = await runWorkflow(engine, flow.workflow(user, prepared));
		const faults = emulator.faults.injected;
		emulator.faults.clear();

		const error = run.error();
		const leaks = new LeakScanner();
		leaks.add('password', CANARY.password);
		leaks.add('session token', engine.credentials.stored(user.credential.id).sessionToken);
		for (const [label, value] of (await flow.canaries?.(emulator, user)) ?? []) leaks.add(label, value);
		const found = leaks.scan(`${flow.name} seed ${seed}`, { run: run.run, error });

		const check =
			error === undefined
				? await flow.check(run.output('HERE'), prepared, emulator, user)
				: ((await flow.checkAfterError?.(error, prepared, emulator, user)) ?? { problems: [] });
		const outcome: RunOutcome = {
			seed,
			ok: error === undefined,
			faults,
			rowsExpected: check.rowsExpected ?? 0,
			rowsReturned: check.rowsReturned ?? 0,
			jobsExpected: check.jobsExpected ?? 0,
			jobsCreated: check.jobsCreated ?? 0,
			jobsDuplicated: check.jobsDuplicated ?? 0,
			leaks: found.length,
			problems: [...check.problems],
			ms: 0,
		};
		if (error !== undefined) {
			outcome.verdict = judgeApiError(error);
			if (!outcome.verdict.clear) {
				outcome.problems.push(`unclear error (${outcome.verdict.kind}: ${outcome.verdict.message}), missing ${outcome.verdict.missing.join(', ')}`);
			}
		}
		if (found.length > 0) outcome.problems.push(`leaks: ${found.map((leak) => `${leak.canary} at ${leak.path}`).join('; ')}`);
		outcome.ms = Date.now() - started;
		return outcome;
	} finally {
		await emulator.close();
	}
}

/** All runs of a flow, `PARALLEL_RUNS` at once, and the figures of its table row. */
export async function runFlow<P>(engine: Engine, flow: Flow<P>, seeds: number[], slowMs: number) {
	const started = Date.now();
	const outcomes = await pool(seeds, PARALLEL_RUNS, (seed) => runFlowOnce(engine, flow, seed, slowMs));
	const succeeded = outcomes.filter((o) => o.ok);
	const figures: Partial<Figures> = {
		runs: outcomes.length,
		succeeded: succeeded.length,
		failedClearly: outcomes.filter((o) => o.verdict?.clear).length,
		failedUnclearly: outcomes.filter((o) => o.verdict && !o.verdict.clear).length,
		faultsInjected: outcomes.reduce((sum, o) => sum + o.faults, 0),
		...(outcomes.some((o) => o.jobsExpected > 0)
			? {
					jobsExpected: outcomes.reduce((sum, o) => sum + o.jobsExpected, 0),
					jobsCreated: outcomes.reduce((sum, o) => sum + o.jobsCreated, 0),
					jobsDuplicated: outcomes.reduce((sum, o) => sum + o.jobsDuplicated, 0),
				}
			: {}),
		rowsExpected: succeeded.reduce((sum, o) => sum + o.rowsExpected, 0),
		rowsReturned: succeeded.reduce((sum, o) => sum + o.rowsReturned, 0),
		rowsLost: succeeded.reduce((sum, o) => sum + Math.max(0, o.rowsExpected - o.rowsReturned), 0),
		leaksFound: outcomes.reduce((sum, o) => sum + o.leaks, 0),
	};
	const failures = counts(outcomes.filter((o) => !o.ok).map((o) => shortCause(o.verdict?.message ?? '')));
	recordFigures({
		suite: flow.name,
		ms: Date.now() - started,
		figures,
		note: `run time ${timing(outcomes.map((o) => o.ms))}; failed runs by cause: ${Object.keys(failures).length === 0 ? 'none' : JSON.stringify(failures)}`,
	});
	return {
		outcomes,
		succeeded: succeeded.length,
		problems: outcomes.filter((o) => o.problems.length > 0).map((o) => ({ seed: o.seed, problems: o.problems })),
	};
}

/** An error message without ids, counts and hosts, short enough to group runs by cause. */
export function shortCause(message: string): string {
	return message
		.replace(/^\d+ of \d+ jobs were created, then job \d+ \([^)]*\) failed: /, '')
		.replace(/Upload of \d+ devices failed/, 'Upload failed')
		.replace(/(Get the status|Get the results|Cancel|Acknowledge) (of )?job BULK-[0-9a-f-]{36}/, '$1 $2job')
		.replace(/BULK-[0-9a-f-]{36}/g, 'BULK-…')
		.replace(/could not reach http:\/\/127\.0\.0\.1:\d+ /, '')
		.replace(/: HERE answered HTTP (\d+).*/, ': HTTP $1')
		.replace(/ failed with HTTP (\d+).*/, ': HTTP $1')
		.replace(/\.? Tried .*/, '')
		.replace(/\)\..*$/, ')')
		.slice(0, 80);
}
