/**
 * One real n8n for a test file: provisioned (cached in .n8n-e2e/), a fresh user folder with the
 * packed package installed as a community package, the emulator running in this process, and the
 * emulator's credentials imported with n8n's CLI.
 */
import { startEmulator, type HereEmulator } from '../../../emulator';
import { emulatorCredentials, loadExamples, type Example } from '../../../scripts/n8n/demoData';
import { N8nInstance } from '../../../scripts/n8n/instance';
import { say } from '../../../scripts/n8n/log';
import { pack } from '../../../scripts/n8n/pack';
import { provisionN8n, type N8nRuntime } from '../../../scripts/n8n/provision';
import type { N8nLine } from '../../../scripts/n8n/versions';

export interface World {
	readonly runtime: N8nRuntime;
	readonly emulator: HereEmulator;
	readonly n8n: N8nInstance;
	readonly examples: Example[];
	close(): Promise<void>;
}

/** Devices per second the emulator processes: 2,500 devices take 5 s, like a quick HERE. */
export const EMULATOR_SPEED = 500;

export async function createWorld(line: N8nLine, name: string): Promise<World> {
	const runtime = await provisionN8n(line);
	const emulator = await startEmulator({ demo: true, processing: { mode: 'timer', devicesPerSecond: EMULATOR_SPEED } });
	try {
		const tarball = await pack();
		const n8n = N8nInstance.create(runtime, name);
		await n8n.installPackage(tarball);
		say(`n8n ${runtime.n8nVersion} (Node.js ${runtime.node.version}): importing the emulator's credentials (token and login)`);
		await n8n.importCredentials(emulatorCredentials(emulator.url));
		return { runtime, emulator, n8n, examples: loadExamples(), close: async () => await emulator.close() };
	} catch (error) {
		await emulator.close();
		throw error;
	}
}
