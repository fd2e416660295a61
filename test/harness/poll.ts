import { PollContext, PollTriggerExecutor, TriggersAndPollers } from 'n8n-core';
import type { IDataObject, INode, INodeExecutionData, WorkflowActivateMode, WorkflowExecuteMode } from 'n8n-workflow';
import { Workflow } from 'n8n-workflow';

import type { Engine } from './engine';

/**
 * Drives a polling trigger the way an active n8n 2.x instance does, against n8n-core's own
 * PollContext and PollTriggerExecutor:
 *
 * - activation runs one poll as a "testing" poll (`execute(true)`): its error fails the
 *   activation, and when it returns nothing its static data is NOT committed;
 * - every later tick runs `execute()`: items are handed to `__emit`, nothing (null) leads to
 *   `__commitCursor`, an error to `__emitError`;
 * - `__runPoll` gives each poll a private copy of the stored static data (the CLI's durable
 *   poll cursor). The copy is stored only together with an emission (the CLI's
 *   runPolledWorkflow) or by `__commitCursor`; a poll that throws, or whose process dies before
 *   either, leaves the stored copy as it was.
 *
 * `TriggerStore` stands for n8n's database: it outlives a `PollDriver`, so a new driver on the
 * same store is an n8n restart (a fresh PollContext built from the stored static data).
 */
export class TriggerStore {
	/** The node's static data as n8n has stored it. */
	committed: IDataObject = {};
	/** Every hand-off n8n recorded, in order: the items of one poll each. */
	readonly emissions: INodeExecutionData[][] = [];
	/** Errors of scheduled polls (n8n records them as failed executions). */
	readonly errors: Error[] = [];
	commits = 0;

	/** The stored state, as a copy a test can keep and compare. */
	snapshot(): IDataObject {
		return structuredClone(this.committed);
	}

	emittedItems(): INodeExecutionData[] {
		return this.emissions.flat();
	}
}

export interface PollDriverOptions {
	/** `getPollBudgetMs()`; default n8n's 5 minutes. */
	budgetMs?: number;
	activation?: WorkflowActivateMode;
}

export interface PollOutcome {
	/** What this poll handed over (null: nothing). */
	items: INodeExecutionData[] | null;
	error?: Error;
	/** Whether the static data was stored by this poll. */
	committed: boolean;
}

const quietLogger = {
	scoped() {
		return quietLogger;
	},
	debug() {},
	info() {},
	warn() {},
	error() {},
};

const noTracing = {
	startSpan: async <T>(_options: unknown, fn: (span: { setStatus(): void }) => Promise<T>) => await fn({ setStatus() {} }),
	startNewTraceSpan: async <T>(_options: unknown, fn: (span: { setStatus(): void }) => Promise<T>) => await fn({ setStatus() {} }),
	pickWorkflowAttributes: () => ({}),
	pickNodeAttributes: () => ({}),
};

export class PollDriver {
	readonly workflow: Workflow;
	readonly context: PollContext;
	private readonly execute: (testingTrigger?: boolean) => Promise<void>;
	private staged: IDataObject | undefined;
	private seeded = '';
	/** Set by a test to make the next poll "crash": nothing it does reaches the store. */
	private crashNext = false;
	private outcome: PollOutcome = { items: null, committed: false };

	constructor(
		engine: Engine,
		readonly node: INode,
		readonly store: TriggerStore,
		options: PollDriverOptions = {},
	) {
		this.workflow = new Workflow({
			id: 'harness-trigger',
			name: 'harness trigger',
			nodes: [node],
			connections: {},
			active: true,
			nodeTypes: engine.nodeTypes,
			staticData: {},
		});
		const budgetMs = options.budgetMs ?? 5 * 60_000;
		this.context = new PollContext(
			this.workflow,
			node,
			engine.additionalData(),
			'trigger' satisfies WorkflowExecuteMode,
			options.activation ?? 'activate',
			(data) => this.handOver(data),
			(error) => {
				this.outcome.error = error;
				this.store.errors.push(error);
			},
			async () => this.commit(),
			async (poll) => await this.runStaged(poll),
			() => {
				if (this.staged === undefined) throw new Error('The node read its static data outside of a poll');
				return this.staged;
			},
			() => budgetMs,
		);
		const executor = new PollTriggerExecutor(
			quietLogger as never,
			new TriggersAndPollers(),
			noTracing as never,
			{ error() {} } as never,
		);
		this.execute = executor.create(this.workflow, node, this.context, () => true);
	}

	/** The activation poll (`execute(true)`): throws what the poll throws. */
	async activate(): Promise<PollOutcome> {
		return await this.run(true);
	}

	/** A scheduled poll. With `crash`, the process dies after the poll ran but before n8n stored anything. */
	async tick(options: { crash?: boolean } = {}): Promise<PollOutcome> {
		this.crashNext = options.crash === true;
		return await this.run(false);
	}

	private async run(testing: boolean): Promise<PollOutcome> {
		this.outcome = { items: null, committed: false };
		try {
			await this.execute(testing);
		} catch (error) {
			this.outcome.error = error as Error;
			if (testing) throw error;
		} finally {
			this.crashNext = false;
		}
		return this.outcome;
	}

	private async runStaged<T>(poll: () => Promise<T>): Promise<T> {
		this.staged = structuredClone(this.store.committed);
		this.seeded = JSON.stringify(this.staged);
		try {
			return await poll();
		} finally {
			this.staged = undefined;
		}
	}

	/** runPolledWorkflow: the items and the poll's static data are stored together. */
	private handOver(data: INodeExecutionData[][]): void {
		if (this.crashNext) return;
		const items = data[0] ?? [];
		this.outcome.items = items;
		this.store.emissions.push(items);
		this.commit();
	}

	private commit(): void {
		if (this.crashNext || this.staged === undefined) return;
		if (JSON.stringify(this.staged) === this.seeded) return;
		this.store.committed = structuredClone(this.staged);
		this.store.commits++;
		this.outcome.committed = true;
	}
}

/**
 * A poll context on the legacy path: the node's static data is the workflow's own object, kept
 * in memory between polls (n8n 1.x, and 2.x for a node whose cursor was never migrated). Like
 * engine.ts's `pollContext`, with a poll budget.
 */
export function legacyPollContext(engine: Engine, node: INode, staticData: IDataObject, budgetMs = 5 * 60_000) {
	const workflow = new Workflow({
		id: 'harness-trigger',
		nodes: [node],
		connections: {},
		active: true,
		nodeTypes: engine.nodeTypes,
		staticData,
	});
	const context = new PollContext(
		workflow,
		node,
		engine.additionalData(),
		'trigger',
		'activate',
		undefined,
		undefined,
		undefined,
		undefined,
		undefined,
		() => budgetMs,
	);
	return { context, workflow };
}
