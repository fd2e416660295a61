import fc from 'fast-check';

import type { HereEmulator } from '../../emulator';
import { startEmulator } from '../../emulator';
import type { Engine } from '../harness/engine';
import { createEngine, runWorkflow } from '../harness/engine';
import { loginUser } from '../harness/fixtures';
import type { BadInput } from './corpus/cases';
import { recordFigures } from './figures';
import { createWorkflow } from './support/badInput';
import { errorKind, errorText } from './support/errors';

/**
 * Property-based fuzzing of Create's CSV, JSON and items input, in n8n-core against the emulator
 * (whose upload validation follows the spec's schemas). For every generated input:
 * - the run ends normally or with a NodeOperationError that has a message (nothing else: no
 *   TypeError, no crash);
 * - when the input is refused, not a single request reaches HERE (not even a login);
 * - what is sent, HERE accepts: no upload answered 400, so the node's validation is never more
 *   lenient than the API's.
 * Seeded, so a failure can be replayed.
 */
const RUNS_PER_SOURCE = 400;
const SEED = Number(process.env.HERE_FUZZ_SEED) || 20_261_128;

let emulator: HereEmulator;
let engine: Engine;
let user: ReturnType<typeof loginUser>;

interface Tally {
	tried: number;
	refused: number;
	refusedClearly: number;
	accepted: number;
	uploads: number;
	uploadsAfterRefusal: number;
	uploadsRefusedByHere: number;
}
const tally: Tally = { tried: 0, refused: 0, refusedClearly: 0, accepted: 0, uploads: 0, uploadsAfterRefusal: 0, uploadsRefusedByHere: 0 };
const started = Date.now();

beforeAll(async () => {
	emulator = await startEmulator({ processing: { mode: 'instant' }, seed: 83 });
	engine = await createEngine();
	user = loginUser(emulator, engine);
});

afterAll(async () => {
	await emulator.close();
	recordFigures({
		suite: 'bad input: fuzzing (fast-check)',
		ms: Date.now() - started,
		figures: {
			inputsTried: tally.tried,
			inputsRefusedClearly: tally.refusedClearly,
			inputsAccepted: tally.accepted - tally.uploadsRefusedByHere,
			uploadsAfterFailedValidation: tally.uploadsAfterRefusal,
		},
		note: `${tally.refused} refused (${tally.refusedClearly} with a NodeOperationError saying nothing was sent), ${tally.accepted} valid and accepted with ${tally.uploads} uploads, of which HERE refused ${tally.uploadsRefusedByHere} (seed ${SEED})`,
	});
});

// ---- generators -----------------------------------------------------------------------------
// Mostly plausible values per field (so that many inputs are valid and reach HERE, where the
// emulator checks them against the spec), with junk mixed in at every level.

const UUID = 'e0de7cbc-9328-4e37-b865-cdbe1fa1c7dc';
const uuid = fc.uuid({ version: 4 });
const word = fc.string({ unit: fc.constantFrom('a', 'b', 'Z', '7', ' ', '-', 'é', '😀', 'q', 'r'), minLength: 1, maxLength: 10 });
const tricky = fc.string({ unit: fc.constantFrom('"', ',', '\n', '\r', ';', '|', '\t', 'x', ' ', '\u0000', '\uFEFF'), maxLength: 6 });
const junk = fc.oneof(
	fc.constantFrom('', '1', '0', 'true', 'yes', '-5', '1e3', '12abc', UUID, 'N'.repeat(51), 'HERE-5cb2b777-7389-472b-81f0-9ab89a9c7fed', '00000000-0000-4000-8000-000000000000'),
	word,
	tricky,
	fc.integer({ min: -10, max: 2_000_000 }).map(String),
);
const count = fc.integer({ min: 0, max: 1_000_000 }).map(String);
const list = (entry: fc.Arbitrary<string>) => fc.array(entry, { minLength: 1, maxLength: 12 }).map((entries) => entries.join('|'));
/** A plausible CSV cell for each column (the name is made unique per input by the caller). */
const PLAUSIBLE: Record<string, fc.Arbitrary<string>> = {
	name: word,
	sendMs: count,
	sampleMs: count,
	distanceM: count,
	areaBased: fc.constantFrom('1', '0', 'true', 'false', ''),
	type: fc.oneof(fc.constantFrom('Tracker', 'Phone', 'Generic', 'Returnable / Reusable'), word),
	tags: list(word),
	rules: list(uuid),
	geofences: list(uuid),
	deviceId: fc.oneof(uuid, word),
	externalId: word,
	externalDeviceId: uuid,
	connectorId: uuid,
	'tag:fragile': fc.constantFrom('1', '0', ''),
	[`rule:${UUID}`]: fc.constantFrom('1', ''),
	[`geofence:${UUID}`]: fc.constantFrom('1', '0'),
	trackingId: fc.constant('HERE-5cb2b777-7389-472b-81f0-9ab89a9c7fed'),
	unclaimOnly: fc.constantFrom('1', 'false'),
};
const COLUMNS = [...Object.keys(PLAUSIBLE), 'colour', ''];
const cellFor = (column: string) => fc.oneof({ weight: 8, arbitrary: PLAUSIBLE[column] ?? word }, { weight: 1, arbitrary: junk });
/** RFC 4180 quoting when a value needs it, and now and then a raw value that may break the line. */
const quoted = (text: string, raw: boolean) => (raw || !/[",\r\n]/.test(text) ? text : `"${text.replace(/"/g, '""')}"`);

const plausibleCsv = fc
	.tuple(fc.uniqueArray(fc.constantFrom(...COLUMNS), { minLength: 1, maxLength: 6 }), fc.boolean(), fc.constantFrom('\n', '\r\n'))
	.chain(([picked, withName, eol]) => {
		const header = withName && !picked.includes('name') ? ['name', ...picked] : picked;
		const row = fc.tuple(...header.map((column) => fc.tuple(cellFor(column), fc.integer({ min: 0, max: 30 }))));
		return fc.array(row, { minLength: 1, maxLength: 8 }).map((rows) =>
			[header.join(','), ...rows.map((cells, r) => cells.map(([text, dice], c) => quoted(header[c] === 'name' ? `${text}#${r}` : text, dice === 0)).join(','))].join(eol),
		);
	});
const csvText = fc.oneof({ weight: 6, arbitrary: plausibleCsv }, { weight: 1, arbitrary: fc.string({ maxLength: 200 }) });

const FIELD_NAMES = ['name', 'Name', 'sendMs', 'sendms', 'sampleMs', 'distanceM', 'areaBased', 'type', 'tags', 'rules', 'geofences', 'deviceId', 'externalId', 'connectorId', 'externalDeviceId', 'trackingId', 'unclaimOnly', 'tag:x', 'colour'];
const plausibleValue: Record<string, fc.Arbitrary<unknown>> = {
	name: word,
	sendMs: fc.integer({ min: 0, max: 1_000_000 }),
	sampleMs: fc.integer({ min: 0, max: 1_000_000 }),
	distanceM: fc.double({ min: 0, max: 1e6, noNaN: true }),
	areaBased: fc.boolean(),
	type: word,
	tags: fc.array(word, { maxLength: 12 }),
	rules: fc.array(uuid, { maxLength: 12 }),
	geofences: fc.array(uuid, { maxLength: 4 }),
};
const anyValue = fc.oneof(junk, fc.integer({ min: -5, max: 10_000_000 }), fc.boolean(), fc.constant(null), fc.array(junk, { maxLength: 12 }), fc.jsonValue({ maxDepth: 3 }));
const device = fc
	.tuple(fc.uniqueArray(fc.constantFrom(...FIELD_NAMES), { maxLength: 5 }), fc.boolean())
	.chain(([fields, withName]) => {
		const keys = withName && !fields.some((f) => f.toLowerCase() === 'name') ? ['name', ...fields] : fields;
		return fc.tuple(...keys.map((key) => fc.oneof({ weight: 6, arbitrary: plausibleValue[key] ?? anyValue }, { weight: 1, arbitrary: anyValue }))).map((values) =>
			Object.fromEntries(keys.map((key, i) => [key, values[i]])),
		);
	});
/** Names made unique within one input (a repeated name is refused, and rightly so, but should not dominate). */
const devices = (min: number) =>
	fc.array(device, { minLength: min, maxLength: 6 }).map((list) => list.map((d, i) => (typeof d.name === 'string' ? { ...d, name: `${d.name}#${i}` } : d)));
const jsonText = fc.oneof(
	{ weight: 5, arbitrary: devices(0).map((list) => JSON.stringify(list)) },
	{ weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
	{ weight: 1, arbitrary: fc.string({ maxLength: 60 }) },
);
const items = devices(1);

// ---- the property ---------------------------------------------------------------------------

async function check(input: BadInput, skipInvalidRows: boolean): Promise<void> {
	tally.tried++;
	const before = emulator.requests.length;
	const workflow = createWorkflow(user.credential, input);
	if (skipInvalidRows) {
		const node = workflow.nodes[workflow.nodes.length - 1];
		node.parameters = { ...node.parameters, options: { skipInvalidRows: true } };
	}
	let run: Awaited<ReturnType<typeof runWorkflow>>;
	try {
		run = await runWorkflow(engine, workflow);
	} catch (error) {
		// n8n itself refuses to start a node whose required parameter (CSV Text, Devices) is empty.
		expect((error as Error).name).toBe('WorkflowHasIssuesError');
		expect(emulator.requests.slice(before)).toEqual([]);
		tally.refused++;
		tally.refusedClearly++;
		return;
	}
	const seen = emulator.requests.slice(before);
	const uploads = seen.filter((r) => r.method === 'POST' && r.path === '/bulkjobs/v4/deviceUploads');
	const error = run.error();
	tally.uploads += uploads.length;
	const refusedByHere = uploads.filter((r) => r.status === 400 || r.status === 413).length;
	tally.uploadsRefusedByHere += refusedByHere;
	if (error === undefined) {
		tally.accepted++;
	} else {
		tally.refused++;
		tally.uploadsAfterRefusal += uploads.length;
		const kind = errorKind(error);
		const message = error.message ?? '';
		if (kind === 'NodeOperationError' && message.length > 0 && /nothing was sent to HERE/.test(message)) tally.refusedClearly++;
		// A refusal: a NodeOperationError with a message, and nothing at all went to HERE.
		expect({ kind, message: message.length > 0, requests: seen.map((r) => `${r.method} ${r.path}`) }).toEqual({ kind: 'NodeOperationError', message: true, requests: [] });
		expect(errorText(error)).toMatch(/nothing was sent to HERE/);
	}
	expect(refusedByHere).toBe(0);
}

test.each([false, true])('CSV text (skip invalid rows: %s)', async (skipInvalidRows) => {
	await fc.assert(
		fc.asyncProperty(csvText, (text) => check({ id: 'fuzz', source: 'csvText', input: text.startsWith('=') ? ` ${text}` : text, reason: /./ }, skipInvalidRows)),
		{ numRuns: RUNS_PER_SOURCE / 2, seed: SEED },
	);
});

test.each([false, true])('JSON text (skip invalid rows: %s)', async (skipInvalidRows) => {
	await fc.assert(
		fc.asyncProperty(jsonText, (text) => check({ id: 'fuzz', source: 'json', input: text.startsWith('=') ? ` ${text}` : text, reason: /./ }, skipInvalidRows)),
		{ numRuns: RUNS_PER_SOURCE / 2, seed: SEED + 1 },
	);
});

test.each([false, true])('input items (skip invalid rows: %s)', async (skipInvalidRows) => {
	await fc.assert(
		fc.asyncProperty(items, (list) => check({ id: 'fuzz', source: 'items', input: list, reason: /./ }, skipInvalidRows)),
		{ numRuns: RUNS_PER_SOURCE / 2, seed: SEED + 2 },
	);
});
