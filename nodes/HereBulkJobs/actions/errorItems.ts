import type { IDataObject, IExecuteFunctions, INodeExecutionData, NodeApiError, NodeOperationError } from 'n8n-workflow';

import { plainText } from '../editorText';

/**
 * Error items of Continue On Fail. n8n's "Continue (using error output)" sends an item to the
 * error output when its JSON has no keys but `error`, `message` and `details`, or when the item
 * has an `error` of its own; but n8n replaces the JSON of every item with an `error` of its own
 * by the message alone, whatever the setting. So with that setting an error item keeps its facts
 * under `details`; with "Continue (using regular output)" they stay beside `error`, as the README
 * shows them.
 */

export function usesErrorOutput(context: IExecuteFunctions): boolean {
	return context.getNode().onError === 'continueErrorOutput';
}

/** The jobs an error is about (see where the errors are made), for a next node to act on without reading the text. */
const JOB_FACTS = ['jobId', 'jobStatus', 'jobIds', 'createdJobIds', 'jobStatuses'] as const;

/** An error item from its JSON (`error` the message, the rest its facts), shaped for the node's On Error setting. */
export function errorItem(context: IExecuteFunctions, json: IDataObject, pairedItem: INodeExecutionData['pairedItem']): INodeExecutionData {
	if (!usesErrorOutput(context)) return { json, pairedItem };
	const { error, ...details } = json;
	return { json: { error, details }, pairedItem };
}

/** A node error as an error item: its message, its description as plain text (the next node is no HTML view), and the jobs it is about. */
export function nodeErrorItem(
	context: IExecuteFunctions,
	error: NodeApiError | NodeOperationError,
	pairedItem: INodeExecutionData['pairedItem'],
	facts: IDataObject = {},
): INodeExecutionData {
	const { description, context: errorContext } = error;
	const jobs = Object.fromEntries(JOB_FACTS.filter((key) => errorContext[key] !== undefined).map((key) => [key, errorContext[key]]));
	return errorItem(context, { error: error.message, ...(description ? { description: plainText(description) } : {}), ...jobs, ...facts }, pairedItem);
}
