import { NodeOperationError } from 'n8n-workflow';
import type { INodeExecutionData } from 'n8n-workflow';

import type { HereEmulator } from '../../emulator';
import type { SourceSettings } from '../../nodes/HereBulkJobs/actions/bulkJob/create/deviceSource';
import { readDeviceBlocks } from '../../nodes/HereBulkJobs/actions/bulkJob/create/deviceSource';
import { editorView } from '../harness/editorView';
import type { Engine } from '../harness/engine';
import { executeContext, runWorkflow } from '../harness/engine';
import { withEmulatorAndEngine } from '../harness/suite';
import { bulkJobsNode, itemsThen, loginUser } from '../harness/fixtures';
import { csvOf, uploads } from './createFixtures';

// Several input items: CSV Text, CSV File and JSON are read once per input item (n8n's convention).
let emulator: HereEmulator;
let engine: Engine;
withEmulatorAndEngine({ processing: { mode: 'instant' }, seed: 66 }, (started) => ({ emulator, engine } = started));

type Described = Error & { description?: string };

function createFromCsvText(user: ReturnType<typeof loginUser>, csvText: string, items: unknown[]) {
	const node = bulkJobsNode(user.credential, { operation: 'create', jobType: 'create', inputSource: 'csvText', csvText } as never);
	return runWorkflow(engine, itemsThen(node, items));
}

describe('messages count per input item', () => {
	test('a fixed CSV Text with 2 input items: each item is counted on its own, not added up', async () => {
		const user = loginUser(emulator, engine);
		const run = await createFromCsvText(user, 'name,sendMs\nA,x\nB,x\nC,x', [{}, {}]);

		expect(run.error()?.message).toBe('Input item 0: all 3 rows are invalid; input item 1: all 3 rows are invalid; nothing was sent to HERE');
		const text = editorView((run.error() as Described).description);
		expect(text).toContain('Input item 0:');
		expect(text).toContain('Input item 1:');
		expect(uploads(emulator)).toHaveLength(0);
	});

	test('only the input item with invalid rows is named', async () => {
		const user = loginUser(emulator, engine);
		const run = await createFromCsvText(user, '={{ $json.csv }}', [{ csv: 'name\nGood 1' }, { csv: 'name,sendMs\nA,x\nB,x\nC,x' }]);
		expect(run.error()?.message).toBe('Input item 1: all 3 rows are invalid; nothing was sent to HERE');
		expect(uploads(emulator)).toHaveLength(0);
	});
});

test('a fixed CSV Text with 2 input items: the second copy is reported as repeated and nothing is sent', async () => {
	const user = loginUser(emulator, engine);
	const run = await createFromCsvText(user, csvOf(3, 'twice'), [{}, {}]);

	expect(run.error()?.message).toBe('Input item 1: all 3 rows are invalid; nothing was sent to HERE');
	expect(editorView((run.error() as Described).description)).toContain('(first in input item 0, row 2)');
	expect(uploads(emulator)).toHaveLength(0);
});

describe('one row limit for the whole run', () => {
	const settings: SourceSettings = { run: 'create', source: 'csvText', kind: 'add', ignoreUnknownFields: false };

	/** readDeviceBlocks inside n8n-core's execution context, over items that each carry their CSV. */
	async function read(csvs: string[], maxRows: number, source: SourceSettings = settings) {
		const items: INodeExecutionData[] = csvs.map((csv) => ({ json: { csv } }));
		const node = bulkJobsNode({ id: 'none', name: 'none' }, { operation: 'create', inputSource: source.source, csvText: '={{ $json.csv }}', devicesJson: '={{ $json.csv }}' } as never);
		return await readDeviceBlocks(executeContext(engine, node, items), items, source, maxRows);
	}

	async function refused(csvs: string[], maxRows: number, source?: SourceSettings): Promise<NodeOperationError> {
		try {
			await read(csvs, maxRows, source);
		} catch (error) {
			return error as NodeOperationError;
		}
		throw new Error('expected the run limit to refuse the input');
	}

	test('input items that stay within the limit together are all read', async () => {
		const blocks = await read([csvOf(2, 'a'), csvOf(3, 'b')], 5);
		expect(blocks.map((block) => block.prepared.devices.length)).toEqual([2, 3]);
	});

	test('the third input item crosses the limit: the error names it and the limit', async () => {
		const error = await refused([csvOf(2, 'a'), csvOf(2, 'b'), csvOf(2, 'c')], 5);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toBe('Input item 2 takes this run past 5 rows, the most one run reads over all input items together; nothing was sent to HERE');
		expect(editorView(error.description ?? '')).toContain('Input items 0 to 1 hold 4 rows, so input item 2 could add at most 1.');
		expect(editorView(error.description ?? '')).toContain('Send the devices in batches: split the input with Loop Over Items');
		expect(error.context.itemIndex).toBe(2);
	});

	test('Sync crossing the limit is told to narrow the Scope, never to split its list', async () => {
		const error = await refused([csvOf(2, 'a'), csvOf(2, 'b')], 3, { ...settings, run: 'sync' });
		expect(error.message).toMatch(/^Input item 1 takes this run past 3 rows/);
		const description = editorView(error.description ?? '');
		expect(description).toContain('A sync list must be complete in one run');
		expect(description).toContain('sync each part with its own External ID Prefix or Pattern');
		expect(description).not.toContain('Loop Over Items');
	});

	test('one input item over the limit on its own, or Input Items over it, are refused with the same advice', async () => {
		const alone = await refused([csvOf(4, 'a')], 3);
		expect(alone.message).toBe('Input item 0 holds more than 3 rows, the most one run reads over all input items together; nothing was sent to HERE');
		expect(editorView(alone.description ?? '')).toBe('Send the devices in batches: split the input with Loop Over Items (each batch is a run of its own), or the file into smaller ones. The limit keeps the memory of one run bounded.');

		const asSync = await refused([csvOf(4, 'a')], 3, { ...settings, run: 'sync' });
		expect(editorView(asSync.description ?? '')).toContain('A sync list must be complete in one run');

		const items: INodeExecutionData[] = [1, 2, 3, 4].map((i) => ({ json: { name: `item-${i}` } }));
		const node = bulkJobsNode({ id: 'none', name: 'none' }, { operation: 'create', inputSource: 'items' } as never);
		const error = await readDeviceBlocks(executeContext(engine, node, items), items, { ...settings, source: 'items' }, 3).catch((e: unknown) => e as NodeOperationError);
		expect((error as NodeOperationError).message).toBe('The input has more than 3 items, the most one run reads over all input items together; nothing was sent to HERE');
	});

	test('an item after the limit is exactly used up crosses it with its first row', async () => {
		const error = await refused([csvOf(5, 'a'), csvOf(1, 'b')], 5);
		expect(error.message).toMatch(/^Input item 1 takes this run past 5 rows/);
		expect(editorView(error.description ?? '')).toContain('Input item 0 holds 5 rows, so input item 1 could add at most 0.');
	});

	test('invalid rows count too, and JSON sources share the limit', async () => {
		const json = (names: string[]) => JSON.stringify(names.map((name) => ({ name })));
		const error = await refused([json(['a', '']), json(['b', 'c'])], 3, { ...settings, source: 'json' });
		expect(error.message).toMatch(/^Input item 1 takes this run past 3 rows/);
	});

	test('a real run with the default limit reads 3 items of a few rows as usual', async () => {
		const user = loginUser(emulator, engine);
		const run = await createFromCsvText(user, '={{ $json.csv }}', [{ csv: csvOf(2, 'x') }, { csv: csvOf(2, 'y') }, { csv: csvOf(2, 'z') }]);
		expect(run.error()).toBeUndefined();
		expect(run.output('HERE')[0].json).toMatchObject({ deviceCount: 6, firstInputItem: 0, lastInputItem: 2 });
	});
});
