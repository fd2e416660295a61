import type { INode } from 'n8n-workflow';

import type { HereEmulator } from '../../../emulator';
import type { Engine, WorkflowJson, WorkflowRun } from '../../harness/engine';
import { runWorkflow } from '../../harness/engine';
import { editorView } from '../../harness/editorView';
import { bulkJobsNode, itemsThen } from '../../harness/fixtures';
import type { BadInput } from '../corpus/cases';
import { BYTES_NODE_TYPE } from './bytesNode';
import { errorKind, errorText } from './errors';

/** The Create node for a corpus input, fed the way a user would feed it. */
export function createWorkflow(credential: { id: string; name: string }, input: BadInput): WorkflowJson {
	const base = { operation: 'create', jobType: input.jobType ?? 'create' };
	if (input.source === 'csvText') return itemsThen(bulkJobsNode(credential, { ...base, inputSource: 'csvText', csvText: input.input as string }));
	if (input.source === 'json') return itemsThen(bulkJobsNode(credential, { ...base, inputSource: 'json', devicesJson: input.input as string }));
	if (input.source === 'items') return itemsThen(bulkJobsNode(credential, { ...base, inputSource: 'items', fieldMapping: 'auto' }), input.input as unknown[]);
	const node = bulkJobsNode(credential, { ...base, inputSource: 'csvFile', binaryPropertyName: 'data' });
	const bytes = Buffer.isBuffer(input.input) ? input.input : Buffer.from(input.input as string, 'utf8');
	const source: INode = {
		id: 'bytes',
		name: 'Bytes',
		type: BYTES_NODE_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters: { base64: bytes.toString('base64'), fileName: 'devices.csv' },
	};
	return { nodes: [source, node], connections: { Bytes: { main: [[{ node: node.name, type: 'main', index: 0 }]] } } };
}

/** "row 2" but not "row 20". */
function named(text: string, name: string): boolean {
	return new RegExp(`(^|[^\\w])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w])`).test(text);
}

/**
 * What a refusal must do: be a NodeOperationError, say nothing was sent, name the row and the
 * column on one line with the reason (or, for a problem of the whole input, state the reason),
 * and say what to do. Returns what is missing.
 */
export function judgeRefusal(error: unknown, input: BadInput): string[] {
	if (error === undefined) return ['the input was accepted'];
	const missing: string[] = [];
	if (errorKind(error) !== 'NodeOperationError') missing.push(`a NodeOperationError (got ${errorKind(error)})`);
	// The description is HTML: read it as n8n's editor shows it, one problem per line.
	const text = editorView(errorText(error));
	if (!/nothing was sent to HERE/.test(text)) missing.push('"nothing was sent"');
	const lines = text.split('\n');
	const located = lines.some(
		(line) => (input.row === undefined || named(line, input.row)) && (input.column === undefined || named(line, input.column)) && input.reason.test(line),
	);
	if (!located) missing.push(`a line naming ${[input.row, input.column].filter(Boolean).join(', ') || 'the input'} with ${input.reason}`);
	if (!/\b(Fix|fix|save or export|split|unpack|turn on)\b/.test(text)) missing.push('what to do');
	return missing;
}

export interface RefusalOutcome {
	id: string;
	missing: string[];
	uploads: number;
	requests: number;
	ms: number;
	message: string;
}

/** Runs one corpus input through Create; counts what reached HERE. */
export async function tryInput(engine: Engine, emulator: HereEmulator, credential: { id: string; name: string }, input: BadInput): Promise<RefusalOutcome & { run: WorkflowRun }> {
	const before = emulator.requests.length;
	const started = Date.now();
	const run = await runWorkflow(engine, createWorkflow(credential, input));
	const ms = Date.now() - started;
	const seen = emulator.requests.slice(before).filter((r) => r.path.startsWith('/bulkjobs/'));
	const error = run.error();
	return {
		id: input.id,
		missing: judgeRefusal(error, input),
		// Uploads after a refusal; an input wrongly accepted is already a finding of its own.
		uploads: error === undefined ? 0 : seen.filter((r) => r.method === 'POST').length,
		requests: seen.length,
		ms,
		message: error?.message ?? '(accepted)',
		run,
	};
}
