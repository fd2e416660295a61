import type { IDataObject } from 'n8n-workflow';

import type { JobMark, TriggerState } from '../../nodes/HereBulkJobs/trigger/state';
import { emptyState, HERE_RETENTION_MS, isAbout, MAX_RECORDS, pruneState, readState, seenHour, storedForm } from '../../nodes/HereBulkJobs/trigger/state';

const HOUR = 60 * 60 * 1000;
const NOW = Date.UTC(2026, 11, 2, 10, 30);

/** A valid job id (uuid v4 form) from a number. */
function jobId(n: number): string {
	const hex = n.toString(16).padStart(12, '0');
	return `BULK-${hex.slice(0, 8)}-0000-4000-8000-${hex}`;
}

/** Static data goes through JSON when n8n stores it. */
const throughJson = (data: IDataObject) => JSON.parse(JSON.stringify(data)) as IDataObject;

function stateWith(count: number, seenAt: (index: number) => number, mark: (index: number) => JobMark = () => 'emitted'): TriggerState {
	const state = emptyState('account', { statuses: ['completed'], jobType: 'any' });
	for (let index = 0; index < count; index++) state.jobs.set(jobId(index), { mark: mark(index), seenAt: seenAt(index) });
	return state;
}

test('the state goes through JSON and comes back as the same Map, oldest first', () => {
	const marks: JobMark[] = ['baseline', 'skipped', 'emitted', 'acknowledged'];
	const state = stateWith(40, (index) => seenHour(NOW - 200 * HOUR) + Math.floor(index / 10) * HOUR, (index) => marks[index % 4]);

	const back = readState(throughJson(storedForm(state)));

	expect(back?.account).toBe('account');
	expect(back?.watching).toEqual({ statuses: ['completed'], jobType: 'any' });
	expect(back?.jobs).toBeInstanceOf(Map);
	expect(new Set(back!.jobs.keys())).toEqual(new Set(state.jobs.keys()));
	for (const [id, record] of state.jobs) expect(back!.jobs.get(id)).toEqual(record);
	const seenTimes = [...back!.jobs.values()].map((record) => record.seenAt);
	expect(seenTimes).toEqual([...seenTimes].sort((a, b) => a - b));
});

test('a record keeps the end of the hour it was first seen in, so pruning by age is never early', () => {
	expect(seenHour(NOW)).toBe(Date.UTC(2026, 11, 2, 11));
	expect(seenHour(Date.UTC(2026, 11, 2, 11))).toBe(Date.UTC(2026, 11, 2, 11));
});

test('stored data that is damaged or hostile gives no record, and never a key of a plain object', () => {
	const valid = jobId(7).slice(5).replace(/-/g, '');
	const stored = throughJson({
		version: 2,
		account: 'account',
		watching: { statuses: ['completed'], jobType: 'any' },
		hours: [
			null,
			{ at: 'yesterday', emitted: valid },
			{ at: NOW, emitted: `${valid}${'x'.repeat(32)}0123`, baseline: 42, __proto__: valid, constructor: valid } as unknown as IDataObject,
		],
	});
	const state = readState(stored);
	expect([...state!.jobs]).toEqual([[jobId(7), { mark: 'emitted', seenAt: NOW }]]);
	expect(readState({ version: 1, scope: 'scope', jobs: {} })).toBeUndefined();
	expect(readState({ version: 2, account: 'account', watching: { statuses: 'completed' }, hours: [] })).toBeUndefined();
});

test('a state stored before accounts were kept is read with its statuses and type, and stands for its Project on any credential', () => {
	const valid = jobId(7).slice(5).replace(/-/g, '');
	const stored = throughJson({ version: 2, scope: JSON.stringify(['project-a', ['completed', 'failed'], 'create']), hours: [{ at: NOW, emitted: valid }] });

	const state = readState(stored);

	expect(state?.watching).toEqual({ statuses: ['completed', 'failed'], jobType: 'create' });
	expect([...state!.jobs.keys()]).toEqual([jobId(7)]);
	expect(isAbout(state, 'any account key', 'project-a')).toBe(true);
	expect(isAbout(state, 'any account key', 'project-b')).toBe(false);
	expect(isAbout(state, 'any account key', undefined)).toBe(false);
	expect(readState({ version: 2, scope: 'not JSON', hours: [] })).toBeUndefined();
});

test('a version 1 state (0.1.0: one record per job id) is read with its records, oldest first, in the hour each was seen; damaged ones dropped', () => {
	const stored = throughJson({
		version: 1,
		scope: JSON.stringify(['project-a', ['completed'], 'any']),
		baselineComplete: true,
		jobs: {
			[jobId(2)]: { mark: 'emitted', seenAt: NOW },
			[jobId(1)]: { mark: 'baseline', seenAt: NOW - 2 * HOUR },
			[jobId(3)]: { mark: 'unknown', seenAt: NOW },
			[jobId(4)]: { mark: 'skipped', seenAt: 'yesterday' },
			'BULK-123': { mark: 'emitted', seenAt: NOW },
		},
	});

	const state = readState(stored);

	expect(state?.watching).toEqual({ statuses: ['completed'], jobType: 'any' });
	expect(isAbout(state, 'any account key', 'project-a')).toBe(true);
	expect([...state!.jobs]).toEqual([
		[jobId(1), { mark: 'baseline', seenAt: seenHour(NOW - 2 * HOUR) }],
		[jobId(2), { mark: 'emitted', seenAt: seenHour(NOW) }],
	]);
});

test('10,000 remembered jobs over a week take about 33 bytes each in the static data', () => {
	const state = stateWith(10_000, (index) => seenHour(NOW - HERE_RETENTION_MS + Math.floor(index / 60) * HOUR));
	const bytes = JSON.stringify(storedForm(state)).length;
	console.log(`state of 10,000 jobs over 168 hours: ${bytes} bytes of JSON`);
	expect(bytes).toBeLessThan(10_000 * 34);
});

describe('the count bound', () => {
	test('above MAX_RECORDS, records of jobs HERE no longer lists go first, oldest first', () => {
		const state = stateWith(MAX_RECORDS + 5, (index) => seenHour(NOW) - (index < 10 ? 2 * HOUR : 0));
		const listed = new Set([...state.jobs.keys()].slice(8));

		expect(pruneState(state, listed, NOW)).toBe(5);
		expect(state.jobs.size).toBe(MAX_RECORDS);
		// Of the 8 absent records, the 5 oldest went; every listed record stays.
		expect([...state.jobs.keys()].slice(0, 3)).toEqual([jobId(5), jobId(6), jobId(7)]);
		expect([...listed].filter((id) => !state.jobs.has(id))).toEqual([]);
	});

	test('records of jobs HERE lists are never dropped, however many', () => {
		const state = stateWith(MAX_RECORDS + 5, () => seenHour(NOW));
		expect(pruneState(state, new Set(state.jobs.keys()), NOW)).toBe(0);
		expect(state.jobs.size).toBe(MAX_RECORDS + 5);
	});
});
