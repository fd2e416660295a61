/**
 * Scenario 8 of `npm run bench`: the plan of a sync over 50,000 devices (issue 14's target:
 * 500 listing requests, ≤ 1.2× the reference's time, peak RSS within 2× the reference's).
 */
import type { Child } from './lib/ipc';
import { log, session } from './lib/session';
import { account, paired, pairedRow, startEmulator, startSide, summary } from './lib/sides';
import { syncProjectDevices } from './scenarios/sync';

/** The 50,000-device project, seeded once over the emulator's own API (a dry run changes nothing). */
export async function seedSyncProject(emulator: Child, url: string, email: string): Promise<void> {
	const token = await emulator.call<string>('token', { email });
	const devices = syncProjectDevices();
	for (let start = 0; start < devices.length; start += 1000) {
		const response = await fetch(`${url}/bulkjobs/v4/deviceUploads`, {
			method: 'POST',
			headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
			body: JSON.stringify(devices.slice(start, start + 1000)),
		});
		if (response.status !== 202) throw new Error(`seeding: HTTP ${response.status} ${await response.text()}`);
	}
}

export async function scenario8(): Promise<void> {
	log('8. Plan a sync: 50,000 devices in HERE, a 50,000-row list (1,000 new, 1,000 gone, 500 drifted)');
	const { emulator, url } = await startEmulator({ mode: 'instant' });
	const sides = { node: await startSide('node', 's8'), reference: await startSide('reference', 's8'), floor: await startSide('floor', 's8') };
	try {
		const user = account(url);
		await emulator.call('addUser', user);
		await seedSyncProject(emulator, url, user.email);
		const result = await paired('syncPlan', sides, emulator, async () => ({ ...user }));
		const row = pairedRow('8. Sync plan, 50,000 devices (dry run)', result, 1.2, 'ratio ≤ 1.2, RSS ≤ 2×');
		const peakRatio = (row.peakNode ?? 0) / Math.max(1, row.peakReference ?? 1);
		row.met = row.met === true && peakRatio <= 2;
		row.note = `requests include the login (the emulator's request kinds count /users/v2/devices with it); peak RSS node / reference ${peakRatio.toFixed(2)}×`;
		session.rows.push(row);
		session.details.scenario8 = summary(result);
	} finally {
		await Promise.all([sides.node.stop(), sides.reference.stop(), sides.floor.stop(), emulator.stop()]);
	}
}
