import type { HereEmulator, RequestLogEntry } from '../../emulator';

/**
 * Test data for Create. The tutorial examples are HERE's public sample data from the "Create a
 * bulk job" tutorial of HERE Tracking, copied as they are.
 */

export const TUTORIAL_CSV = [
	'name,deviceId,externalDeviceId,connectorId,sendMs,sampleMs,distanceM,areaBased,type,tag:priority1,tag:priority2,tag:food,tag:Fragile,rule:74a6fe54-2077-4629-b924-3340bc88b864,rule:c096874c-0d5f-41c8-9cd8-56c25f9df23b,rule:db9403d1-64b4-48c0-a0e7-bc5f69eb624f,geofence:08e742fc-52d1-49aa-bea0-60a6cd17d8a2,geofence:2bff17e2-af05-4843-9780-878df098d35a',
	'my at4h tracker in distance based mode,a19b2648-60c1-49fc-896c-ea450a07e98d,,,600000,300000,100,,Phone,1,,,,1,,,1,1',
	'my super tracker in area based mode,13316aa5-3b80-414c-bf6d-86fa3ca6a31f,,,600000,100000,,1,Returnable / Reusable,,1,1,,1,1,,1,1',
].join('\n');

export const TUTORIAL_JSON = `[
  {
    "name": "my at4h tracker in distance based mode3",
    "sendMs": 600000,
    "sampleMs": 300000,
    "distanceM": 100,
    "type": "Phone"
  },
  {
    "name": "my c2c tracker in distance based mode3",
    "externalDeviceId": "1e50ed8d-c291-4f16-8a51-86fe03267496",
    "connectorId": "cf208b96-ef0b-4227-a3ee-224679cce07a",
    "type": "Custom type"
  }
]`;

export const TUTORIAL_DELETE_JSON = `[
  {
    "externalId": "MyDevice1",
    "unclaimOnly": "true"
  }
]`;

/** A CSV of `count` new devices named `<prefix>-1` … (row n + 1 holds device n). */
export function csvOf(count: number, prefix: string): string {
	const lines = ['name,sendMs,sampleMs'];
	for (let i = 1; i <= count; i++) lines.push(`${prefix}-${i},600000,300000`);
	return lines.join('\n');
}

export const UPLOADS_PATH = /^\/bulkjobs\/v4\/deviceUploads$/;

/** Every job-creating POST the emulator saw (answered or not). */
export function uploads(emulator: HereEmulator): RequestLogEntry[] {
	return emulator.requests.filter((r) => r.method === 'POST' && UPLOADS_PATH.test(r.path));
}
