/**
 * `npm run emulator [-- --port N]`: the emulator with the demo account, for trying the nodes in
 * a local n8n. Port: --port, else HERE_EMULATOR_PORT, else 8480.
 */
import { DEMO, startEmulator } from './index';

const DEFAULT_PORT = 8480;

function portFromArgs(argv: string[]): number {
	const index = argv.findIndex((a) => a === '--port' || a.startsWith('--port='));
	const text = index < 0 ? process.env.HERE_EMULATOR_PORT : argv[index].includes('=') ? argv[index].split('=')[1] : argv[index + 1];
	if (text === undefined || text === '') return DEFAULT_PORT;
	const port = Number(text);
	if (!Number.isInteger(port) || port < 0 || port > 65535) {
		process.stderr.write(`here-emulator: invalid port "${text}"\n`);
		process.exit(2);
	}
	return port;
}

async function main(): Promise<void> {
	const emulator = await startEmulator({ host: '127.0.0.1', port: portFromArgs(process.argv.slice(2)), demo: true });
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
