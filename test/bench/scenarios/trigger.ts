/**
 * 4: the trigger's poll cost, through n8n-core's PollTriggerExecutor (test/harness/poll.ts) as an
 * active n8n instance runs it. A driver lives across calls: activation (first poll, records
 * what exists), then timed polls after new jobs finished and when nothing is new.
 */
import type { INode } from 'n8n-workflow';

import { readState } from '../../../nodes/HereBulkJobs/trigger/state';
import { PollDriver, TriggerStore } from '../../harness/poll';
import type { Account, Outcome } from './scenarios';

let driver: PollDriver | undefined;

export async function triggerActivate(account: Account & { projectId: string; acknowledge: boolean }): Promise<{ ms: number; records: number }> {
	const { loginCredential, nodeEngine, NODE_TYPES } = await import('./nodeSide');
	const engine = await nodeEngine();
	const credential = await loginCredential(account.baseUrl, account.email, account.password);
	const node: INode = {
		id: 'trigger',
		name: 'HERE Trigger',
		type: NODE_TYPES.trigger,
		typeVersion: 1,
		position: [0, 0],
		parameters: {
			projectId: { __rl: true, mode: 'id', value: account.projectId },
			statuses: ['completed', 'failed', 'cancelled'],
			output: 'perDevice',
			acknowledge: account.acknowledge,
		},
		credentials: { hereTrackingApi: credential },
	};
	const store = new TriggerStore();
	driver = new PollDriver(engine, node, store);
	const started = performance.now();
	const outcome = await driver.activate();
	const ms = performance.now() - started;
	if (outcome.error) throw outcome.error;
	return { ms, records: records(store) };
}

/** Job records in the stored state (baseline, emitted, acknowledged, ...). */
function records(store: TriggerStore): number {
	return readState(store.committed)?.jobs.size ?? 0;
}

export async function triggerTick(): Promise<{ ms: number; count: number; records: number }> {
	if (!driver) throw new Error('trigger not activated');
	const started = performance.now();
	const outcome = await driver.tick();
	const ms = performance.now() - started;
	if (outcome.error) throw outcome.error;
	return { ms, count: outcome.items?.length ?? 0, records: records(driver.store) };
}

/** The latency bench: one poll of the activated trigger, as a timed run that must emit `expected` items. */
export async function nodeTriggerPoll({ expected }: { expected: number }): Promise<Outcome & { ms: number }> {
	const outcome = await triggerTick();
	if (outcome.count !== expected) throw new Error(`node trigger: ${outcome.count} of ${expected} items emitted`);
	return { ms: outcome.ms, count: outcome.count };
}
