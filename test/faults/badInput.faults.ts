import type { HereEmulator } from '../../emulator';
import { startEmulator } from '../../emulator';
import type { Engine } from '../harness/engine';
import { createEngine, runWorkflow } from '../harness/engine';
import { loginUser } from '../harness/fixtures';
import type { BadInput } from './corpus/cases';
import { CSV_CASES, ITEM_CASES, JSON_CASES, VALID_VARIANTS } from './corpus/cases';
import { GENERATED_CASES } from './corpus/generated';
import { recordFigures } from './figures';
import type { RefusalOutcome } from './support/badInput';
import { createWorkflow, tryInput } from './support/badInput';
import { withBytesNode } from './support/bytesNode';

/**
 * The bad-input corpus through Create, inside n8n-core against the emulator: every input is
 * refused with a message that names the row and the column (or the whole input's problem) and
 * what to do, and nothing reaches HERE. The valid variants (BOM, blank lines, CRLF) are
 * accepted with the right devices. 1,000,001 rows: largeInput.faults.ts.
 */
let emulator: HereEmulator;
let engine: Engine;
let user: ReturnType<typeof loginUser>;
const outcomes: RefusalOutcome[] = [];
let accepted = 0;
const started = Date.now();

const CASES: BadInput[] = [
	...CSV_CASES,
	...JSON_CASES,
	...ITEM_CASES,
	...GENERATED_CASES.filter((c) => !c.id.includes('1,000,001')).map((c) => ({ ...c, input: c.input() })),
];

beforeAll(async () => {
	emulator = await startEmulator({ processing: { mode: 'instant' }, seed: 81 });
	engine = withBytesNode(await createEngine());
	user = loginUser(emulator, engine);
});

afterAll(async () => {
	await emulator.close();
	recordFigures({
		suite: 'bad input: corpus',
		ms: Date.now() - started,
		figures: {
			inputsTried: outcomes.length + VALID_VARIANTS.length,
			inputsRefusedClearly: outcomes.filter((o) => o.missing.length === 0).length,
			inputsAccepted: accepted,
			uploadsAfterFailedValidation: outcomes.reduce((sum, o) => sum + o.uploads, 0),
		},
		note: `${CSV_CASES.length} CSV, ${JSON_CASES.length} JSON, ${ITEM_CASES.length} item cases and ${CASES.length - CSV_CASES.length - JSON_CASES.length - ITEM_CASES.length} generated (2 MB lines); requests to HERE during refusals: ${outcomes.reduce((sum, o) => sum + o.requests, 0)}`,
	});
});

test('the corpus has at least 40 cases (with the 1,000,001 rows of largeInput.faults.ts)', () => {
	expect(CASES.length + 1).toBeGreaterThanOrEqual(40);
});

test.each(CASES.map((c) => [c.id, c] as const))('%s: refused clearly, nothing sent', async (_id, input) => {
	const outcome = await tryInput(engine, emulator, user.credential, input);
	outcomes.push(outcome);
	expect({ missing: outcome.missing, message: outcome.message }).toEqual({ missing: [], message: outcome.message });
	expect(outcome.uploads).toBe(0);
	expect(outcome.requests).toBe(0);
});

describe('valid variants are accepted', () => {
	test.each(VALID_VARIANTS.map((v) => [v.id, v] as const))('%s', async (_id, variant) => {
		const run = await runWorkflow(engine, createWorkflow(user.credential, { id: variant.id, source: variant.source, input: variant.input, reason: /./ }));
		expect(run.error()).toBeUndefined();
		const [job] = run.output('HERE');
		expect(job.json).toMatchObject({ outcome: 'created', deviceCount: variant.names.length });
		const names = emulator.devices(user.projectId).map((device) => device.name);
		for (const name of variant.names) expect(names).toContain(name);
		accepted++;
	});
});
