import type { HereEmulator } from '../../../emulator';

/**
 * Reads straight from the emulator's API with a fresh token, outside the node under test and
 * with faults switched off by the caller: the truth a run is compared with.
 */
export interface ResultRow {
	name?: string;
	deviceId?: string;
	deviceSecret?: string;
	trackingId?: string;
	errors?: Array<{ code?: number; message?: string }>;
}

async function getJson<T>(emulator: HereEmulator, token: string, path: string): Promise<T> {
	const response = await fetch(`${emulator.url}${path}`, { headers: { Authorization: `Bearer ${token}`, 'X-Request-Id': crypto.randomUUID() } });
	if (!response.ok) throw new Error(`The emulator answered ${response.status} to GET ${path}`);
	return (await response.json()) as T;
}

/** Every result row of a job. */
export async function resultRows(emulator: HereEmulator, email: string, jobId: string): Promise<ResultRow[]> {
	const token = emulator.issueToken(email);
	const rows: ResultRow[] = [];
	let pageToken: string | undefined;
	do {
		const query = new URLSearchParams({ limit: '100' });
		if (pageToken) query.set('pageToken', pageToken);
		const page = await getJson<{ items: ResultRow[]; nextPageToken?: string }>(
			emulator,
			token,
			`/bulkjobs/v4/deviceUploads/${jobId}/results?${query}`,
		);
		rows.push(...page.items);
		pageToken = page.nextPageToken;
	} while (pageToken);
	return rows;
}

/** The device secrets HERE handed out in these jobs' results: canaries for the leak checks. */
export async function deviceSecrets(emulator: HereEmulator, email: string, jobIds: string[]): Promise<string[]> {
	const secrets: string[] = [];
	for (const jobId of jobIds) {
		for (const row of await resultRows(emulator, email, jobId)) if (row.deviceSecret) secrets.push(row.deviceSecret);
	}
	return secrets;
}
