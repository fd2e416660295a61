import { formatIssues, issueText } from '../../nodes/HereBulkJobs/devices/report';
import type { RowIssue } from '../../nodes/HereBulkJobs/devices/types';

describe('issueText', () => {
	it('reads naturally for each kind of issue', () => {
		expect(issueText({ row: 7, label: 'row', column: 'sendMs', reason: 'is not a number', value: '12abc' })).toBe(
			'row 7, sendMs: is not a number ("12abc")',
		);
		expect(issueText({ row: 3, label: 'item', reason: 'is not an object' })).toBe('item 3: is not an object');
		expect(issueText({ row: 0, label: 'element', whole: true, reason: 'the JSON array is empty' })).toBe('the JSON array is empty');
	});
});

describe('formatIssues', () => {
	const many: RowIssue[] = [
		{ row: 0, label: 'row', whole: true, reason: 'something about the whole file' },
		...Array.from({ length: 40 }, (_, i): RowIssue => ({ row: i + 2, label: 'row', column: 'name', reason: 'is required' })),
		{ row: 4, label: 'row', column: 'sendMs', reason: 'is not a number', value: '12abc' },
		{ row: 9, label: 'row', column: 'sendMs', reason: 'is not a number', value: 'x' },
	];

	it('groups by problem, lists the first rows with values and counts the rest', () => {
		expect(formatIssues(many)).toBe(
			[
				'43 problems in 40 rows (row numbers are line numbers in the CSV file; the header is row 1):<ul>',
				'<li>something about the whole file</li>',
				'<li>name: is required (row 2, row 3, row 4, row 5, row 6, and 35 more)</li>',
				'<li>sendMs: is not a number (row 4: &quot;12abc&quot;, row 9: &quot;x&quot;)</li>',
				'</ul>',
			].join(''),
		);
	});

	it('honours the limits', () => {
		const text = formatIssues(many, { maxGroups: 1, maxRowsPerGroup: 2, summary: false });
		expect(text).toBe('<ul><li>something about the whole file</li></ul>… and 2 more kinds of problem not listed here.');
		expect(formatIssues(many, { maxGroups: 2, maxRowsPerGroup: 2 }).split('<li>')[2]).toBe(
			'name: is required (row 2, row 3, and 38 more)</li></ul>… and 1 more kind of problem not listed here.',
		);
	});

	it('explains how items and elements are counted', () => {
		expect(formatIssues([{ row: 0, label: 'item', column: 'name', reason: 'is required' }])).toBe(
			'1 problem in 1 item (item numbers count from 0, as n8n shows them):<ul><li>name: is required (item 0)</li></ul>',
		);
		expect(formatIssues([{ row: 4, label: 'element', reason: 'is not an object' }])).toMatch(/^1 problem in 1 element \(element numbers/);
		expect(formatIssues([])).toBe('No problems found.');
	});
});

describe('escaping for n8n\'s editor', () => {
	it('escapes every user value and column in the description, keeping one problem per list item', () => {
		const issues: RowIssue[] = [
			{ row: 2, label: 'row', column: 'tag:<b>', reason: 'takes 1 to apply it', value: '<script>' },
			{ row: 3, label: 'row', column: 'name', reason: 'is required' },
		];
		expect(formatIssues(issues, { summary: false })).toBe('<ul><li>tag:&lt;b&gt;: takes 1 to apply it (row 2: &quot;&lt;script&gt;&quot;)</li><li>name: is required (row 3)</li></ul>');
		// The message is plain text: the value as written, in quotes that cannot be confused with it.
		expect(issueText({ row: 2, label: 'row', column: 'name', reason: 'is longer than 50 characters', value: 'say "hi"' })).toBe(
			'row 2, name: is longer than 50 characters ("say \\"hi\\"")',
		);
	});
});
