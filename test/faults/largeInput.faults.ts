import type { HereEmulator } from '../../emulator';
import { startEmulator } from '../../emulator';
import type { FilesystemBinaryData } from '../harness/binaryMode';
import { useFilesystemBinaryData } from '../harness/binaryMode';
import type { Engine } from '../harness/engine';
import { createEngine } from '../harness/engine';
import { loginUser } from '../harness/fixtures';
import { GENERATED_CASES, MAX_DEVICE_ROWS } from './corpus/generated';
import { recordFigures } from './figures';
import { tryInput } from './support/badInput';
import { withBytesNode } from './support/bytesNode';

/**
 * 1,000,001 device rows (about 23 MB, generated), as a CSV file in n8n's filesystem binary mode
 * (the node reads it as a stream): refused at the first row past the limit with a message that
 * names the limit, nothing sent, and within a bounded amount of memory.
 */
const PEAK_RSS_LIMIT_MB = 1536;

let emulator: HereEmulator;
let engine: Engine;
let binary: FilesystemBinaryData;

beforeAll(async () => {
	binary = await useFilesystemBinaryData();
	emulator = await startEmulator({ processing: { mode: 'instant' }, seed: 82 });
	engine = withBytesNode(await createEngine());
});

afterAll(async () => {
	await emulator.close();
	binary.cleanup();
});

test('1,000,001 rows: refused with a clear limit, nothing sent, memory bounded', async () => {
	const user = loginUser(emulator, engine);
	const generated = GENERATED_CASES.find((c) => c.id.includes('1,000,001'))!;
	const input = { ...generated, input: generated.input() };
	const rssBefore = process.memoryUsage().rss;
	const outcome = await tryInput(engine, emulator, user.credential, input);
	const peakMb = Math.round(process.resourceUsage().maxRSS / 1024);

	recordFigures({
		suite: 'bad input: 1,000,001 rows',
		ms: outcome.ms,
		figures: {
			inputsTried: 1,
			inputsRefusedClearly: outcome.missing.length === 0 ? 1 : 0,
			uploadsAfterFailedValidation: outcome.uploads,
		},
		note: `${(input.input as Buffer).length.toLocaleString('en-US')} bytes refused in ${(outcome.ms / 1000).toFixed(1)} s; worker RSS ${Math.round(rssBefore / 1048576)} MB before, peak ${peakMb} MB (limit asserted: ${PEAK_RSS_LIMIT_MB} MB)`,
	});
	expect(outcome.missing).toEqual([]);
	expect(outcome.message).toMatch(new RegExp(`more than ${MAX_DEVICE_ROWS.toLocaleString('en-US')} rows`));
	expect(outcome.uploads).toBe(0);
	expect(outcome.requests).toBe(0);
	expect(peakMb).toBeLessThan(PEAK_RSS_LIMIT_MB);
});
