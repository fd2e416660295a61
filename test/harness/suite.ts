import type { EmulatorOptions, HereEmulator } from '../../emulator';
import { startEmulator } from '../../emulator';
import type { Engine } from './engine';
import { createEngine } from './engine';

/**
 * The usual frame of a test file: one emulator and one n8n-core engine for the file, with
 * faults and the request log cleared before each test. `use` hands them to the file's variables.
 */
export function withEmulatorAndEngine(options: EmulatorOptions, use: (started: { emulator: HereEmulator; engine: Engine }) => void): void {
	let emulator: HereEmulator | undefined;
	beforeAll(async () => {
		emulator = await startEmulator(options);
		use({ emulator, engine: await createEngine() });
	});
	afterAll(async () => {
		await emulator?.close();
	});
	beforeEach(() => {
		emulator?.faults.clear();
		emulator?.clearRequests();
	});
}
