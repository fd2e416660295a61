/**
 * Issues as text a user can act on: plain text for an error's message, and HTML for its
 * description, which n8n's editor renders (see editorText.ts: one problem per list item, every
 * value escaped).
 */
import { NodeOperationError } from 'n8n-workflow';
import type { INode } from 'n8n-workflow';

import { escapeHtml, htmlList } from '../editorText';
import type { RowIssue, RowLabel } from './types';

const PLURAL: Record<RowLabel, string> = { row: 'rows', item: 'items', element: 'elements' };

const NUMBERING_NOTE: Record<RowLabel, string> = {
	row: 'row numbers are line numbers in the CSV file; the header is row 1',
	item: 'item numbers count from 0, as n8n shows them',
	element: 'element numbers are positions in the JSON array, counting from 0',
};

/** "row 7", "item 3", "element 4". */
export function rowName(label: RowLabel, row: number): string {
	return `${label} ${row}`;
}

export function rowIssue(row: number, label: RowLabel, reason: string, column?: string, value?: string): RowIssue {
	const issue: RowIssue = { row, label, reason };
	if (column !== undefined) issue.column = column;
	if (value !== undefined) issue.value = value;
	return issue;
}

/** One issue on one line of plain text: `row 7, sendMs: is not a number ("12abc")`. */
export function issueText(issue: RowIssue): string {
	const place = [issue.whole === true ? '' : rowName(issue.label, issue.row), issue.column ?? ''].filter((part) => part !== '');
	const value = issue.value === undefined ? '' : ` (${JSON.stringify(issue.value)})`;
	return `${place.length > 0 ? `${place.join(', ')}: ` : ''}${issue.reason}${value}`;
}

export interface FormatIssuesOptions {
	/** How many distinct problems (same column and reason) to list; default 10. */
	maxGroups?: number;
	/** How many rows to name for each problem before "and M more"; default 5. */
	maxRowsPerGroup?: number;
	/** Whether to start with a summary line ("12 problems in 5 rows (…)"); default true. */
	summary?: boolean;
}

/**
 * The report for an error's description (HTML): a summary, then one list item per distinct
 * problem (same column and reason) in order of first appearance, naming its first rows with
 * their values and how many more rows have it.
 */
export function formatIssues(issues: readonly RowIssue[], { maxGroups = 10, maxRowsPerGroup: maxRows = 5, summary: withSummary = true }: FormatIssuesOptions = {}): string {
	if (issues.length === 0) return 'No problems found.';
	const label = issues[0].label;

	const groups = new Map<string, { first: RowIssue; shown: RowIssue[]; count: number }>();
	const rows = new Set<number>();
	for (const issue of issues) {
		if (issue.whole !== true) rows.add(issue.row);
		const key = JSON.stringify([issue.whole === true, issue.column, issue.reason]);
		const group = groups.get(key) ?? { first: issue, shown: [], count: 0 };
		groups.set(key, group);
		group.count++;
		if (group.shown.length < maxRows) group.shown.push(issue);
	}

	const lines = [...groups.values()].slice(0, maxGroups).map(({ first, shown, count }) => {
		if (first.whole === true) return issueText(first);
		const head = `${first.column === undefined ? '' : `${first.column}: `}${first.reason}`;
		const where = shown.map((o) => `${rowName(o.label, o.row)}${o.value === undefined ? '' : `: ${JSON.stringify(o.value)}`}`);
		if (count > shown.length) where.push(`and ${count - shown.length} more`);
		return `${head} (${where.join(', ')})`;
	});
	const problems = `${issues.length} ${issues.length === 1 ? 'problem' : 'problems'}`;
	const summary = rows.size === 0 ? `${problems}:` : `${problems} in ${rows.size} ${rows.size === 1 ? label : PLURAL[label]} (${NUMBERING_NOTE[label]}):`;
	const rest = groups.size - lines.length;
	// The list is a block of its own in the editor: the summary before it and the rest after it need no breaks.
	const more = rest > 0 ? `… and ${rest} more ${rest === 1 ? 'kind' : 'kinds'} of problem not listed here.` : '';
	return `${withSummary ? escapeHtml(summary) : ''}${htmlList(lines.map(escapeHtml))}${more}`;
}

/**
 * A NodeOperationError for a wrong option value (a configuration mistake, not a problem of the
 * rows). The pipeline also runs without an execution context (tests, benchmarks): then it names a stand-in node.
 */
export function optionError(node: INode | undefined, message: string): NodeOperationError {
	const standIn = { id: 'here-bulk-jobs-devices', name: 'HERE Bulk Jobs', type: 'n8n-nodes-here-tracking.hereBulkJobs', typeVersion: 1, position: [0, 0] as [number, number], parameters: {} };
	return new NodeOperationError(node ?? standIn, message);
}

/** A limit option: `fallback` when not given, else a whole number of at least 1 (else a NodeOperationError). */
export function wholeNumberOption(value: number | undefined, fallback: number, name: string, node: INode | undefined): number {
	if (value === undefined) return fallback;
	if (!Number.isInteger(value) || value < 1) throw optionError(node, `${name} must be a whole number of at least 1 (got ${String(value)})`);
	return value;
}
