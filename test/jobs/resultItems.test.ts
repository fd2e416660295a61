import { parse } from 'csv-parse/sync';
import fc from 'fast-check';

import { csvField, deviceResultItems, errorMessageOf, jobSummary, noDeviceItem, resultsCsv } from '../../nodes/HereBulkJobs/jobs/resultItems';
import type { ResultRow } from '../../nodes/HereBulkJobs/jobs/wire';

const JOB = 'BULK-6279286f-a09a-4521-9d3a-af7559e84836';
const FAKE_SECRET = 'fake-device-secret-not-real';

const rows: ResultRow[] = [
	{ name: 'truck-1', deviceId: 'dev-1', deviceSecret: FAKE_SECRET, trackingId: 'HERE-1' },
	{
		name: 'truck-2',
		errors: [
			{ code: 409, message: 'Device name already exists', details: 'name' },
			{ code: 400, message: 'Too many tags' },
		],
	},
	{ externalId: 'ext-3', trackingId: 'HERE-3', errors: [] },
];

describe('deviceResultItems', () => {
	test('one flat item per device, succeeded and failed told apart, secrets left out', () => {
		const items = deviceResultItems(rows, { jobId: JOB, status: 'completed', type: 'create', fileName: 'fleet.csv' }, { omitDeviceSecret: true });
		expect(items).toEqual([
			{
				jobId: JOB,
				outcome: 'succeeded',
				jobStatus: 'completed',
				resultsComplete: true,
				jobType: 'create',
				jobFileName: 'fleet.csv',
				name: 'truck-1',
				deviceId: 'dev-1',
				trackingId: 'HERE-1',
				errors: [],
				errorMessage: '',
			},
			{
				jobId: JOB,
				outcome: 'failed',
				jobStatus: 'completed',
				resultsComplete: true,
				jobType: 'create',
				jobFileName: 'fleet.csv',
				name: 'truck-2',
				errors: rows[1].errors,
				errorMessage: 'Device name already exists (code 409, name); Too many tags (code 400)',
			},
			expect.objectContaining({ outcome: 'succeeded', externalId: 'ext-3', errors: [], errorMessage: '' }),
		]);
		expect(JSON.stringify(items)).not.toContain(FAKE_SECRET);
	});

	test('keeps the secret only when asked, and says when results are partial', () => {
		const items = deviceResultItems(rows, { jobId: JOB, status: 'ongoing' }, { omitDeviceSecret: false });
		expect(items[0].deviceSecret).toBe(FAKE_SECRET);
		expect(items.every((item) => item.jobStatus === 'ongoing' && item.resultsComplete === false)).toBe(true);
	});

	test('does not share the error objects of the input', () => {
		const [, failed] = deviceResultItems(rows, { jobId: JOB }, { omitDeviceSecret: true });
		expect(failed.errors).not.toBe(rows[1].errors);
		expect(failed).not.toHaveProperty('jobStatus');
	});
});

test('a job without device results has one item with outcome "none" and the device items\' job fields', () => {
	expect(noDeviceItem({ jobId: JOB, status: 'cancelled', type: 'delete' })).toEqual({
		jobId: JOB,
		outcome: 'none',
		jobStatus: 'cancelled',
		resultsComplete: true,
		jobType: 'delete',
		errors: [],
		errorMessage: '',
	});
	expect(deviceResultItems([], { jobId: JOB }, { omitDeviceSecret: true })).toEqual([]);
});

describe('jobSummary', () => {
	const status = { jobId: JOB, status: 'completed' as const, progress: 100, total: 3, succeeded: 2, failed: 1, partiallySucceeded: 0, pending: 0 };

	test('HERE figures, counts over the rows, the failed devices and all results', () => {
		const summary = jobSummary({ ...status, statusCalls: 4, waitedMs: 1234 }, rows, { omitDeviceSecret: true });
		expect(summary).toMatchObject({
			jobId: JOB,
			status: 'completed',
			total: 3,
			succeeded: 2,
			failed: 1,
			statusCalls: 4,
			waitedMs: 1234,
			resultsComplete: true,
			resultCount: 3,
			succeededCount: 2,
			failedCount: 1,
		});
		expect(summary.failedDevices).toEqual([expect.objectContaining({ name: 'truck-2', outcome: 'failed', errorMessage: expect.stringContaining('already exists') })]);
		expect(summary.results).toHaveLength(3);
		expect(Object.keys(summary)[0]).toBe('jobId');
		expect(JSON.stringify(summary)).not.toContain(FAKE_SECRET);
	});

	test('results can be left out for large jobs', () => {
		const summary = jobSummary(status, rows, { omitDeviceSecret: true, includeResults: false });
		expect(summary).not.toHaveProperty('results');
		expect(summary.failedCount).toBe(1);
	});
});

describe('resultsCsv', () => {
	test('header row, CRLF line ends, errors joined in one cell, no secret column by default', () => {
		const csv = resultsCsv(rows, { omitDeviceSecret: true });
		const lines = csv.split('\r\n');
		expect(lines[0]).toBe('name,deviceId,externalId,externalDeviceId,connectorId,trackingId,outcome,errors');
		expect(lines[1]).toBe('truck-1,dev-1,,,,HERE-1,succeeded,');
		expect(lines[2]).toBe('truck-2,,,,,,failed,"Device name already exists (code 409, name); Too many tags (code 400)"');
		expect(csv.endsWith('\r\n')).toBe(true);
		expect(csv).not.toContain(FAKE_SECRET);
	});

	test('the secret column and a jobId column appear when asked for / when rows carry a jobId', () => {
		const csv = resultsCsv(rows.map((row) => ({ jobId: JOB, ...row })), { omitDeviceSecret: false });
		const [header, first] = parse(csv, { columns: true }) as Array<Record<string, string>>;
		expect(Object.keys(header)).toEqual(['jobId', 'name', 'deviceId', 'deviceSecret', 'externalId', 'externalDeviceId', 'connectorId', 'trackingId', 'outcome', 'errors']);
		expect(first.jobId).toBe(JOB);
		expect(header.deviceSecret).toBe(FAKE_SECRET);
	});

	test('quotes commas, quotes and line breaks as RFC 4180 says', () => {
		expect(csvField('plain')).toBe('plain');
		expect(csvField('a,b')).toBe('"a,b"');
		expect(csvField('say "hi"')).toBe('"say ""hi"""');
		expect(csvField('line1\nline2')).toBe('"line1\nline2"');
		expect(csvField('cr\rlf')).toBe('"cr\rlf"');
		expect(csvField(undefined)).toBe('');
		expect(csvField(0)).toBe('0');
		// Nothing is prefixed or changed: a name that looks like a formula reads back as it was.
		expect(csvField('=SUM(A1)')).toBe('=SUM(A1)');
	});

	test('any text survives a round trip through a strict CSV parser', () => {
		// Mostly the characters CSV must escape, plus any other text.
		const text = fc.oneof(
			fc.string({ unit: fc.constantFrom('a', ',', '"', '\n', '\r', ' ', 'é', '=', ';'), maxLength: 20 }),
			fc.string({ unit: 'grapheme', maxLength: 20 }),
		);
		fc.assert(
			fc.property(fc.array(fc.record({ name: text, externalId: text, message: text }), { maxLength: 8 }), (records) => {
				const input: ResultRow[] = records.map((r) => ({ name: r.name, externalId: r.externalId, errors: r.message ? [{ message: r.message }] : [] }));
				const parsed = parse(resultsCsv(input, { omitDeviceSecret: true }), { columns: true, relax_column_count: false }) as Array<Record<string, string>>;
				expect(parsed).toHaveLength(input.length);
				parsed.forEach((row, index) => {
					expect(row.name).toBe(input[index].name);
					expect(row.externalId).toBe(input[index].externalId);
					expect(row.errors).toBe(errorMessageOf(input[index]));
					expect(row.outcome).toBe(input[index].errors!.length > 0 ? 'failed' : 'succeeded');
				});
			}),
		);
	});
});
