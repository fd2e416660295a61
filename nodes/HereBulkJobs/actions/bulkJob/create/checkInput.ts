import type { INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { formatIssues, issueText } from '../../../devices';
import { escapeHtml, htmlParagraphs } from '../../../editorText';
import type { DeviceBlock } from './deviceSource';
import type { LocatedIssue } from './plan';
import { locatedDevices, locatedIssues } from './plan';
import type { RowContext } from './rows';
import { plural } from './rows';

/** Long enough to list every bad row of a real-world file; the output (continueOnFail) has all of them. */
const REPORT_LIMITS = { maxGroups: 50, maxRowsPerGroup: 100 };

/** A message names the counts of this many input items, then how many more have invalid rows. */
const MAX_ITEMS_IN_MESSAGE = 3;

const NOTHING_SENT = 'nothing was sent to HERE';

export interface InputProblem {
	error: NodeOperationError;
	/** Every issue, for the output when the node continues on fail. */
	issues: LocatedIssue[];
}

function sourceWord(block: DeviceBlock): string {
	switch (block.prepared.label) {
		case 'row':
			return 'CSV';
		case 'element':
			return 'JSON';
		default:
			return 'input items';
	}
}

/** Distinct invalid rows (not counting problems of a whole input). */
export function countInvalidRows(issues: readonly LocatedIssue[]): number {
	const rows = new Set<string>();
	for (const { item, issue } of issues) if (issue.whole !== true) rows.add(`${item}:${issue.row}`);
	return rows.size;
}

/** "all 3 rows are invalid", "the only row is invalid", "2 of 7 rows are invalid". */
function invalidCount(block: DeviceBlock): string {
	const invalid = countInvalidRows(locatedIssues(block));
	const total = invalid + locatedDevices(block).length;
	const { label } = block.prepared;
	if (invalid === total) return total === 1 ? `the only ${label} is invalid` : `all ${total} ${plural(label)} are invalid`;
	return `${invalid} of ${total} ${plural(label)} ${invalid === 1 ? 'is' : 'are'} invalid`;
}

function capitalized(text: string): string {
	return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * The headline. Counts are per input item when several items brought CSV or JSON: the node
 * reads them once per item, so adding them up would count a fixed CSV Text twice.
 */
function headline(blocks: DeviceBlock[], issues: LocatedIssue[], context: RowContext): string {
	const fatalBlock = blocks.find((block) => block.prepared.fatal);
	if (fatalBlock !== undefined) {
		const first = fatalBlock.prepared.issues[0];
		const where = context.severalSources ? ` of input item ${fatalBlock.itemIndex}` : '';
		const more = issues.length > 1 ? ` (and ${issues.length - 1} more ${issues.length === 2 ? 'problem' : 'problems'})` : '';
		return `The ${sourceWord(fatalBlock)}${where} cannot be used: ${first ? issueText(first) : 'it has no devices'}${more}; ${NOTHING_SENT}`;
	}
	const withInvalidRows = blocks.filter((block) => block.prepared.invalidRows > 0);
	if (withInvalidRows.length === 0) {
		return `The device list cannot be used: ${issues[0] ? issueText(issues[0].issue) : 'it has no devices'}; ${NOTHING_SENT}`;
	}
	if (!context.severalSources) return `${capitalized(invalidCount(withInvalidRows[0]))}; ${NOTHING_SENT}`;
	const named = withInvalidRows.slice(0, MAX_ITEMS_IN_MESSAGE).map((block) => `input item ${block.itemIndex}: ${invalidCount(block)}`);
	const rest = withInvalidRows.length - named.length;
	if (rest > 0) named.push(`and ${rest} more input ${rest === 1 ? 'item' : 'items'} with invalid rows`);
	return `${capitalized(named.join('; '))}; ${NOTHING_SENT}`;
}

/**
 * Every bad row of every source (description HTML), headed by its input item when several
 * items brought CSV or JSON. The devices pipeline's report is escaped, one problem per line.
 */
export function issueReports(blocks: DeviceBlock[], context: RowContext): string[] {
	return blocks
		.filter((block) => block.prepared.issues.length > 0)
		.map((block) => {
			const report = formatIssues(block.prepared.issues, REPORT_LIMITS);
			const file = block.fileName ? ` (${escapeHtml(block.fileName)})` : '';
			return context.severalSources ? `Input item ${block.itemIndex}${file}:<br>${report}` : report;
		});
}

/**
 * The gate before any upload. By default any issue stops the run; with Skip Invalid Rows only a
 * source that cannot be read at all (or no valid device anywhere) does. The error's message
 * says how many rows are invalid; its description lists every bad row with column, reason and
 * value (the devices pipeline's report), per input item when several items brought CSV or JSON.
 */
export function checkInput(node: INode, blocks: DeviceBlock[], skipInvalidRows: boolean, context: RowContext): InputProblem | undefined {
	const issues = blocks.flatMap(locatedIssues);
	const fatal = blocks.some((block) => block.prepared.fatal);
	const valid = blocks.reduce((sum, block) => sum + locatedDevices(block).length, 0);
	if (valid > 0 && (issues.length === 0 || (skipInvalidRows && !fatal))) return undefined;

	const sections = issueReports(blocks, context);
	sections.push(
		escapeHtml(
			fatal
				? 'Fix the input and run the node again.'
				: skipInvalidRows
					? 'Fix the rows and run the node again.'
					: 'Fix these rows and run the node again, or turn on Options > Skip Invalid Rows to upload the valid rows and get the invalid ones in the output (invalidRows, or items with outcome "invalid" when waiting for per-device results).',
		),
	);
	const error = new NodeOperationError(node, headline(blocks, issues, context), {
		description: htmlParagraphs(sections),
		itemIndex: blocks.find((block) => block.prepared.fatal)?.itemIndex ?? blocks.find((block) => block.prepared.issues.length > 0)?.itemIndex,
	});
	error.context.invalidRowCount = countInvalidRows(issues);
	return { error, issues };
}
