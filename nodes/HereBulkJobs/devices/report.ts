/**
 * Turning issues into text a user can act on, and into n8n errors.
 */
import { NodeOperationError } from 'n8n-workflow';
import type { INode } from 'n8n-workflow';

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

/** One issue on one line: `row 7, sendMs: is not a number ("12abc")`. */
export function issueText(issue: RowIssue): string {
	const where = issue.whole === true ? '' : rowName(issue.label, issue.row);
	const column = issue.column === undefined ? '' : issue.column;
	const place = where !== '' && column !== '' ? `${where}, ${column}: ` : where + column !== '' ? `${where}${column}: ` : '';
	const value = issue.value === undefined ? '' : ` ("${issue.value}")`;
	return `${place}${issue.reason}${value}`;
}

export interface FormatIssuesOptions {
	/** How many distinct problems (same column and reason) to list; default 10. */
	maxGroups?: number;
	/** How many rows to list for each problem before "and M more"; default 5. */
	maxRowsPerGroup?: number;
	/** Whether to start with a summary line ("12 problems in 5 rows (…)"); default true. */
	summary?: boolean;
}

interface Group {
	column: string | undefined;
	reason: string;
	whole: boolean;
	occurrences: RowIssue[];
	count: number;
}

/**
 * A readable multi-line report: a summary line, then one line per distinct problem (same column
 * and reason) in order of first appearance, each naming its first rows (with the offending value)
 * and how many more rows have it. Meant for an error's description.
 */
export function formatIssues(issues: readonly RowIssue[], options: FormatIssuesOptions = {}): string {
	if (issues.length === 0) return 'No problems found.';
	const maxGroups = positive(options.maxGroups, 10);
	const maxRows = positive(options.maxRowsPerGroup, 5);
	const label = issues[0].label;

	const groups = new Map<string, Group>();
	const rows = new Set<number>();
	for (const issue of issues) {
		const whole = issue.whole === true;
		if (!whole) rows.add(issue.row);
		const key = `${whole ? 'W' : 'R'}${issue.column ?? ''}\u0000${issue.reason}`;
		let group = groups.get(key);
		if (group === undefined) {
			group = { column: issue.column, reason: issue.reason, whole, occurrences: [], count: 0 };
			groups.set(key, group);
		}
		group.count++;
		if (group.occurrences.length < maxRows) group.occurrences.push(issue);
	}

	const lines: string[] = [];
	if (options.summary !== false) {
		const problems = `${issues.length} ${issues.length === 1 ? 'problem' : 'problems'}`;
		lines.push(
			rows.size === 0
				? `${problems}:`
				: `${problems} in ${rows.size} ${rows.size === 1 ? label : PLURAL[label]} (${NUMBERING_NOTE[label]}):`,
		);
	}
	let shown = 0;
	for (const group of groups.values()) {
		if (shown === maxGroups) break;
		shown++;
		const head = `${group.column === undefined ? '' : `${group.column}: `}${group.reason}`;
		if (group.whole) {
			const value = group.occurrences[0].value;
			lines.push(`- ${head}${value === undefined ? '' : ` ("${value}")`}`);
			continue;
		}
		const where = group.occurrences
			.map((o) => `${rowName(o.label, o.row)}${o.value === undefined ? '' : `: "${o.value}"`}`)
			.join(', ');
		const more = group.count - group.occurrences.length;
		lines.push(`- ${head} (${where}${more > 0 ? `, and ${more} more` : ''})`);
	}
	if (groups.size > shown) {
		const rest = groups.size - shown;
		lines.push(`… and ${rest} more ${rest === 1 ? 'kind' : 'kinds'} of problem not listed here.`);
	}
	return lines.join('\n');
}

export interface IssuesErrorOptions extends FormatIssuesOptions {
	/** The n8n item the device list came from (for the error's item link). */
	itemIndex?: number;
}

/**
 * A NodeOperationError for a device list with problems: the message names the first problem and
 * how many more there are; the description is the full `formatIssues` report.
 */
export function issuesError(
	node: INode | undefined,
	issues: readonly RowIssue[],
	options: IssuesErrorOptions = {},
): NodeOperationError {
	const first = issues.length > 0 ? issueText(issues[0]) : 'no problems';
	const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
	return new NodeOperationError(nodeOrPlaceholder(node), `Invalid device list: ${first}${more}`, {
		description: formatIssues(issues, options),
		itemIndex: options.itemIndex,
	});
}

/** A NodeOperationError for a wrong option value (a programming or configuration mistake). */
export function optionError(node: INode | undefined, message: string): NodeOperationError {
	return new NodeOperationError(nodeOrPlaceholder(node), message);
}

/**
 * The pure functions here run without an execution context (tests, benchmarks); errors then name
 * this stand-in node. Inside n8n, callers pass `this.getNode()`.
 */
function nodeOrPlaceholder(node: INode | undefined): INode {
	return (
		node ?? {
			id: 'here-bulk-jobs-devices',
			name: 'HERE Bulk Jobs',
			type: 'n8n-nodes-here-tracking.hereBulkJobs',
			typeVersion: 1,
			position: [0, 0],
			parameters: {},
		}
	);
}

function positive(value: number | undefined, fallback: number): number {
	return value !== undefined && Number.isInteger(value) && value > 0 ? value : fallback;
}
