/**
 * What the demo and the e2e tests put into n8n and the emulator: the credentials (both
 * authentication modes, pointing at the emulator), the example workflows, and devices the
 * examples expect to exist.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { HereEmulator } from '../../emulator';
import { DEMO } from '../../emulator';
import type { CredentialFile, WorkflowFile } from './instance';
import { REPO_ROOT } from './paths';

/** The ids the example workflows refer to (so they work right after import). */
export const CREDENTIAL_IDS = { login: 'hereEmulatorLogin', token: 'hereEmulatorToken' } as const;

export function emulatorCredentials(emulatorUrl: string): CredentialFile[] {
	return [
		{
			id: CREDENTIAL_IDS.login,
			name: 'HERE Tracking (emulator demo)',
			type: 'hereTrackingApi',
			data: { authentication: 'login', email: DEMO.email, password: DEMO.password, host: 'custom', baseUrl: emulatorUrl, projectId: DEMO.projectId },
		},
		{
			id: CREDENTIAL_IDS.token,
			name: 'HERE Tracking (emulator demo token)',
			type: 'hereTrackingApi',
			data: { authentication: 'accessToken', accessToken: DEMO.accessToken, host: 'custom', baseUrl: emulatorUrl },
		},
	];
}

export const EXAMPLES_DIR = join(REPO_ROOT, 'examples');

export interface Example {
	/** The file name without .json, e.g. "onboard-devices-from-csv". */
	readonly slug: string;
	readonly workflow: WorkflowFile;
}

/** n8n workflow ids are at most 21 characters; a stable one per example keeps re-imports idempotent. */
export function exampleId(slug: string): string {
	let hash = 0;
	for (const char of slug) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
	return `example${hash.toString(36).padStart(7, '0')}`.slice(0, 21);
}

export function loadExamples(): Example[] {
	return readdirSync(EXAMPLES_DIR)
		.filter((file) => file.endsWith('.json'))
		.sort()
		.map((file) => {
			const slug = file.replace(/\.json$/, '');
			const workflow = JSON.parse(readFileSync(join(EXAMPLES_DIR, file), 'utf8')) as WorkflowFile;
			return { slug, workflow: { ...workflow, id: exampleId(slug), active: false } };
		});
}

/** The fleet list's two retired vans exist before the first sync, as they would on a real project. */
export const RETIRED_VANS = [
	{ name: 'Van 09', externalId: 'depot-n-0009', type: 'Truck' },
	{ name: 'Van 10', externalId: 'depot-n-0010', type: 'Truck' },
];

/**
 * A device the onboarding example's sample CSV names again on purpose: HERE refuses that row
 * ("a device with this name already exists"), which shows a per-device failure in the results.
 */
export const ALREADY_ADDED = [{ name: 'Demo tracker (already added)', externalId: 'demo-tracker-already-added', type: 'Tracker' }];

/** Adds devices to a project of the emulator through its public API, and waits until they exist. */
export async function seedDevices(
	emulator: Pick<HereEmulator, 'url' | 'settle'>,
	devices: ReadonlyArray<Record<string, unknown>>,
	options: { token?: string; projectId?: string } = {},
): Promise<string> {
	const qs = new URLSearchParams({ projectId: options.projectId ?? DEMO.projectId });
	const response = await fetch(`${emulator.url}/bulkjobs/v4/deviceUploads?${qs}`, {
		method: 'POST',
		headers: { authorization: `Bearer ${options.token ?? DEMO.accessToken}`, 'content-type': 'application/json' },
		body: JSON.stringify(devices),
	});
	if (response.status !== 202) throw new Error(`seeding devices: HTTP ${response.status} ${await response.text()}`);
	const { jobId } = (await response.json()) as { jobId: string };
	await emulator.settle();
	return jobId;
}
