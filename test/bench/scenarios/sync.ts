/**
 * 8: plan a sync of a 50,000-device project against a 50,000-row list (1,000 new, 1,000 gone,
 * 500 with another sendMs): the node's Sync in Dry Run against a reference that pages the same
 * listing with fetch, parses the same CSV with csv-parse and diffs the two with Maps.
 */
import { parse } from 'csv-parse/sync';

import type { Transport } from '../reference/client';
import { FetchTransport, noLimit } from '../reference/client';
import type { Account, Outcome } from './scenarios';

export const SYNC_PROJECT = { devices: 50_000, added: 1_000, gone: 1_000, drifted: 500 };
export const SYNC_PREFIX = 'sync-';

const SEND_MS = 600_000;
const DRIFTED_SEND_MS = 900_000;
const SAMPLE_MS = 300_000;

const idOf = (n: number) => `${SYNC_PREFIX}${String(n).padStart(6, '0')}`;

/** The project's devices: 1..50,000, the first 500 with another sendMs than the list's. */
export function syncProjectDevices(): Array<{ name: string; externalId: string; sendMs: number; sampleMs: number }> {
	return Array.from({ length: SYNC_PROJECT.devices }, (_, i) => {
		const n = i + 1;
		return { name: idOf(n), externalId: idOf(n), sendMs: n <= SYNC_PROJECT.drifted ? DRIFTED_SEND_MS : SEND_MS, sampleMs: SAMPLE_MS };
	});
}

let listCsv: string | undefined;

/** The list: devices 1..49,000 (the last 1,000 are gone) and 50,001..51,000 (new). */
export function syncListCsv(): string {
	if (listCsv === undefined) {
		const kept = SYNC_PROJECT.devices - SYNC_PROJECT.gone;
		const numbers = [...Array.from({ length: kept }, (_, i) => i + 1), ...Array.from({ length: SYNC_PROJECT.added }, (_, i) => SYNC_PROJECT.devices + i + 1)];
		listCsv = ['name,externalId,sendMs,sampleMs', ...numbers.map((n) => `${idOf(n)},${idOf(n)},${SEND_MS},${SAMPLE_MS}`)].join('\r\n');
	}
	return listCsv;
}

const EXPECTED = {
	add: SYNC_PROJECT.added,
	delete: SYNC_PROJECT.gone,
	drift: SYNC_PROJECT.drifted,
	unchanged: SYNC_PROJECT.devices - SYNC_PROJECT.gone - SYNC_PROJECT.drifted,
};

function checkCounts(side: string, counts: Record<string, unknown>): void {
	for (const [action, expected] of Object.entries(EXPECTED)) {
		if (counts[action] !== expected) throw new Error(`${side}: planned ${action} ${String(counts[action])}, expected ${expected}`);
	}
}

export async function nodeSyncPlan(account: Account): Promise<Outcome & { ms: number }> {
	const { loginCredential, hereNode, runHereNode } = await import('./nodeSide');
	const credential = await loginCredential(account.baseUrl, account.email, account.password);
	const node = hereNode(credential, {
		resource: 'device',
		operation: 'sync',
		dryRun: true,
		inputSource: 'csvFile',
		binaryPropertyName: 'data',
		scope: 'prefix',
		externalIdPrefix: SYNC_PREFIX,
		deleteMissing: true,
		maxDeletions: 2 * SYNC_PROJECT.gone,
		maxDeletionPercent: 100,
	});
	const run = await runHereNode(node, [{}], { data: { fileName: 'fleet.csv', content: syncListCsv() } });
	checkCounts('node', run.items[run.items.length - 1].json.planned as Record<string, unknown>);
	return { ms: run.ms, count: run.items.length, startedAt: run.startedAt, output: run.items };
}

interface ListedDevice {
	trackingId?: string;
	externalId?: string;
	shadow?: { desired?: { system?: { rate?: { sendMs?: number; sampleMs?: number; distanceM?: number } } } };
}

/** `floor`: the same requests through n8n's HTTP helper (what n8n costs before the package does anything). */
export async function referenceSyncPlan(account: Account & { floor?: boolean }): Promise<Outcome & { ms: number }> {
	const started = performance.now();
	const http: Transport = account.floor === true ? await (await import('./nodeSide')).n8nTransport(account.baseUrl, account.email, account.password) : new FetchTransport(account.baseUrl);
	await http.login(account.email, account.password);
	let requests = 1;
	const inHere = new Map<string, ListedDevice>();
	let pageToken: string | undefined;
	do {
		const query = pageToken === undefined ? '' : `&pageToken=${encodeURIComponent(pageToken)}`;
		const page = await http.call<{ data: ListedDevice[]; pageToken?: string }>(noLimit, 'GET', `/users/v2/devices?count=100${query}`);
		requests++;
		for (const device of page.data) if (device.externalId?.startsWith(SYNC_PREFIX)) inHere.set(device.externalId, device);
		pageToken = page.pageToken;
	} while (pageToken);

	const rows = parse(syncListCsv(), { bom: true, columns: true, skip_empty_lines: true }) as Array<Record<string, string>>;
	const plan: Array<{ externalId: string; action: string; trackingId?: string }> = [];
	const counts: Record<string, number> = { add: 0, delete: 0, drift: 0, unchanged: 0 };
	const inList = new Set<string>();
	for (const row of rows) {
		inList.add(row.externalId);
		const existing = inHere.get(row.externalId);
		const rate = existing?.shadow?.desired?.system?.rate;
		const action = existing === undefined ? 'add' : rate?.sendMs !== Number(row.sendMs) || rate?.sampleMs !== Number(row.sampleMs) ? 'drift' : 'unchanged';
		counts[action]++;
		plan.push({ externalId: row.externalId, action, trackingId: existing?.trackingId });
	}
	for (const [externalId, device] of inHere) {
		if (inList.has(externalId)) continue;
		counts.delete++;
		plan.push({ externalId, action: 'delete', trackingId: device.trackingId });
	}
	const ms = performance.now() - started;
	checkCounts('reference', counts);
	return { ms, count: plan.length, requests, output: plan };
}
