/**
 * Before any e2e file: provisions both n8n lines at once (cached after the first run). Their npm
 * installs mostly wait on the registry, so side by side they take little longer than one.
 */
import { say } from '../../../scripts/n8n/log';
import { provisionN8n } from '../../../scripts/n8n/provision';
import { N8N_1, N8N_2 } from '../../../scripts/n8n/versions';

export default async function globalSetup(): Promise<void> {
	process.stdout.write('\n');
	const started = Date.now();
	await Promise.all([provisionN8n(N8N_2), provisionN8n(N8N_1)]);
	say(`n8n ${N8N_2.n8nVersion} and ${N8N_1.n8nVersion} ready (${Math.round((Date.now() - started) / 1000)} s)`);
}
