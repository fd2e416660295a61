/**
 * `npm start`: the demo. Builds the package, starts the HERE emulator (demo user and project),
 * installs a real n8n 2.x on Node.js 24 on first use (minutes, with progress), installs the
 * package into it as a community package, imports the emulator's credentials and the example
 * workflows, starts n8n, creates the owner account and prints the URL and the login.
 *
 *   npm start               keep what the demo n8n already has (workflows you changed, executions)
 *   npm start -- --fresh    start over with an empty n8n
 *
 * Ports: n8n 5678 (N8N_PORT), emulator 8480 (HERE_EMULATOR_PORT); a taken port is replaced by a
 * free one. Ctrl-C stops both. Works offline once n8n is installed (.n8n-e2e/ keeps it).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { DEMO, startEmulator } from '../emulator';
import { ALREADY_ADDED, emulatorCredentials, loadExamples, RETIRED_VANS, seedDevices } from './n8n/demoData';
import { N8nInstance, type N8nServer } from './n8n/instance';
import { say } from './n8n/log';
import { build, pack } from './n8n/pack';
import { freePort } from './n8n/process';
import { provisionN8n } from './n8n/provision';
import { DEMO_OWNER, N8nApi } from './n8n/rest';
import { N8N_2 } from './n8n/versions';

async function main(): Promise<void> {
	const fresh = process.argv.includes('--fresh');
	await build();
	const runtime = await provisionN8n(N8N_2);

	const emulatorPort = await freePort(Number(process.env.HERE_EMULATOR_PORT ?? 8480));
	const emulator = await startEmulator({ host: '127.0.0.1', port: emulatorPort, demo: true });
	say(`HERE emulator listening on ${emulator.url} (demo project "${DEMO.projectId}")`);
	await seedDevices(emulator, [...RETIRED_VANS, ...ALREADY_ADDED]);

	let server: N8nServer | undefined;
	let stopping = false;
	const stop = async (why: string): Promise<void> => {
		if (stopping) return;
		stopping = true;
		say(`${why}: stopping n8n and the emulator`);
		await server?.stop();
		await emulator.close();
		process.exit(0);
	};
	process.on('SIGINT', () => void stop('Ctrl-C'));
	process.on('SIGTERM', () => void stop('SIGTERM'));

	const n8n = fresh ? N8nInstance.create(runtime, 'demo') : N8nInstance.open(runtime, 'demo');
	await n8n.installPackage(await pack());
	say('importing the emulator credentials into n8n (n8n import:credentials)');
	await n8n.importCredentials(emulatorCredentials(emulator.url));
	const examplesImported = join(n8n.userFolder, '.examples-imported');
	const examples = loadExamples();
	if (!existsSync(examplesImported)) {
		say(`importing ${examples.length} example workflows (n8n import:workflow)`);
		await n8n.importWorkflows(examples.map((example) => example.workflow));
		writeFileSync(examplesImported, new Date().toISOString());
	}

	const port = await freePort(Number(process.env.N8N_PORT ?? 5678));
	say(`starting n8n ${runtime.n8nVersion} on Node.js ${runtime.node.version} (about 20-40 s; log: ${server?.logFile ?? join(n8n.userFolder, 'start.log')})`);
	server = await n8n.start({ port });
	const api = new N8nApi(server.url);
	try {
		await api.setupOwner(DEMO_OWNER);
	} catch {
		await api.login(DEMO_OWNER); // set up by an earlier `npm start`
	}
	const url = `http://localhost:${port}`;
	process.stdout.write(
		[
			'',
			`  n8n is ready:  ${url}`,
			`  Log in with:   ${DEMO_OWNER.email}  /  ${DEMO_OWNER.password}`,
			'',
			`  HERE emulator: ${emulator.url}  (e-mail ${DEMO.email}, password ${DEMO.password}, project ${DEMO.projectId})`,
			'  Credentials:   "HERE Tracking (emulator demo)" (e-mail and password) and "... demo token" (access token)',
			'  Workflows:     (after login n8n opens its AI assistant page; the house icon on the left opens Overview)',
			...examples.map((example) => `                 - ${String(example.workflow.name)}`),
			'',
			'  Try: open "HERE: onboard devices from a CSV file ...", click the arrow next to "Execute workflow",',
			'       pick "Try with the sample CSV"; then "HERE: nightly device sync ..." and "Execute workflow".',
			'  Ctrl-C stops n8n and the emulator. `npm start -- --fresh` starts over with an empty n8n.',
			'',
		].join('\n'),
	);
	server.child.on('exit', (code) => {
		if (!stopping) {
			say(`n8n exited (code ${code}); see ${server?.logFile}`);
			void stop('n8n exited');
		}
	});
}

main().catch((error: unknown) => {
	process.stderr.write(`npm start: ${error instanceof Error ? error.message : String(error)}\n`);
	process.exit(1);
});
