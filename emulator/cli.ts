/**
 * `npm run emulator [-- --port N --latency 80 ...]`: the emulator with the demo account, for
 * trying the nodes in a local n8n. Flags: cli-options.ts (and the README).
 */
import { optionsFromArgs } from './cli-options';
import type { CliOptions } from './cli-options';
import { DEMO, startEmulator } from './index';

function readOptions(): CliOptions {
	try {
		return optionsFromArgs(process.argv.slice(2), process.env);
	} catch (error) {
		process.stderr.write(`here-emulator: ${error instanceof Error ? error.message : String(error)}\n`);
		process.exit(2);
	}
}

/** One line per model that is on, for the banner. */
function modelLines(options: CliOptions): string[] {
	const lines: string[] = [];
	if (options.latency) lines.push(`Latency: ${JSON.stringify(options.latency)}`);
	if (options.processing) lines.push(`Processing: ${JSON.stringify(options.processing)}`);
	if (options.rateLimit) lines.push(`Rate limit: ${JSON.stringify(options.rateLimit)}`);
	return lines.length > 0 ? [...lines, ''] : [];
}

async function main(): Promise<void> {
	const options = readOptions();
	const emulator = await startEmulator({ ...options, host: '127.0.0.1', demo: true });
	process.stdout.write(
		[
			`HERE Tracking emulator listening on ${emulator.url}`,
			'',
			'Demo account (valid only against this emulator):',
			`  e-mail:      ${DEMO.email}`,
			`  password:    ${DEMO.password}`,
			`  project id:  ${DEMO.projectId}`,
			`  project HRN: ${DEMO.projectHrn}`,
			`  token:       ${DEMO.accessToken}`,
			'',
			'Try:',
			`  curl ${emulator.url}/bulkjobs/v4/health`,
			`  curl -H 'Authorization: Bearer ${DEMO.accessToken}' ${emulator.url}/bulkjobs/v4/deviceUploads`,
			'',
			...modelLines(options),
			'Control API: GET /_emulator/state, POST /_emulator/reset, ... Ctrl-C stops.',
			'',
		].join('\n'),
	);
	let stopping = false;
	const stop = (signal: string): void => {
		if (stopping) return;
		stopping = true;
		process.stdout.write(`\n${signal}: stopping the emulator\n`);
		emulator.close().then(
			() => process.exit(0),
			() => process.exit(1),
		);
	};
	process.on('SIGINT', () => stop('SIGINT'));
	process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
	process.stderr.write(`here-emulator: ${error instanceof Error ? error.message : String(error)}\n`);
	process.exit(1);
});
