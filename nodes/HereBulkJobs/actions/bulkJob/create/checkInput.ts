import type { INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { formatIssues, issueText } from '../../../devices';
import type { DeviceBlock } from './deviceSource';
import type { LocatedIssue } from './plan';
import { locatedDevices, locatedIssues } from './plan';
import type { RowContext } from './rows';
import { countInvalidRows, plural } from './rows';

/** Long enough to list every bad row of a real-world file; the output (continueOnFail) has all of them. */
const REPORT_LIMITS = { maxGroups: 50, maxRowsPerGroup: 100 };

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

/**
 * The gate before any upload. By default any issue stops the run; with Skip Invalid Rows only a
 * source that cannot be read at all (or no valid device anywhere) does. The error's message
 * says how many rows are invalid; its description lists every bad row with column, reason and
 * value (the devices pipeline's report), per input item when several items brought CSV or JSON.
 */
export function checkInput(
	node: INode,
	blocks: DeviceBlock[],
	skipInvalidRows: boolean,
	context: RowContext,
): InputProblem | undefined {
	const issues = blocks.flatMap(locatedIssues);
	const fatalBlock = blocks.find((block) => block.prepared.fatal);
	const valid = blocks.reduce((sum, block) => sum + locatedDevices(block).length, 0);
	if (issues.length === 0 && valid > 0) return undefined;
	if (fatalBlock === undefined && skipInvalidRows && valid > 0) return undefined;

	const label = blocks[0]?.prepared.label ?? 'row';
	const invalid = countInvalidRows(issues);
	const total = valid + invalid;
	const nothingSent = 'nothing was sent to HERE';
	let message: string;
	if (fatalBlock !== undefined) {
		const first = fatalBlock.prepared.issues[0];
		const where = context.severalSources ? ` of input item ${fatalBlock.itemIndex}` : '';
		const more = issues.length > 1 ? ` (and ${issues.length - 1} more ${issues.length === 2 ? 'problem' : 'problems'})` : '';
		message = `The ${sourceWord(fatalBlock)}${where} cannot be used: ${first ? issueText(first) : 'it has no devices'}${more}; ${nothingSent}`;
	} else if (invalid === 0) {
		message = `The device list cannot be used: ${issues[0] ? issueText(issues[0].issue) : 'it has no devices'}; ${nothingSent}`;
	} else if (valid === 0) {
		message = `${total === 1 ? `The only ${label} is` : `All ${total} ${plural(label)} are`} invalid; ${nothingSent}`;
	} else {
		message = `${invalid} of ${total} ${plural(label)} ${invalid === 1 ? 'is' : 'are'} invalid; ${nothingSent}`;
	}

	const sections: string[] = [];
	for (const block of blocks) {
		if (block.prepared.issues.length === 0) continue;
		const report = formatIssues(block.prepared.issues, REPORT_LIMITS);
		if (context.severalSources) {
			const file = block.fileName ? ` (${block.fileName})` : '';
			sections.push(`Input item ${block.itemIndex}${file}:\n${report}`);
		} else {
			sections.push(report);
		}
	}
	sections.push(
		fatalBlock !== undefined
			? 'Fix the input and run the node again.'
			: skipInvalidRows
				? 'Fix the rows and run the node again.'
				: 'Fix these rows and run the node again, or turn on Options > Skip Invalid Rows to upload the valid rows and get the invalid ones in the output (invalidRows).',
	);
	const error = new NodeOperationError(node, message, {
		description: sections.join('\n\n'),
		itemIndex: fatalBlock?.itemIndex ?? blocks.find((block) => block.prepared.issues.length > 0)?.itemIndex,
	});
	error.context.invalidRowCount = invalid;
	return { error, issues };
}
