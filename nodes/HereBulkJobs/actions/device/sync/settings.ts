import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { WaitSettings } from '../../../jobs/waitForJob';
import { escapeHtml } from '../../../editorText';
import type { InputSource } from '../../bulkJob/create/deviceSource';
import { DEFAULT_CONCURRENCY, MAX_CONCURRENCY } from '../../bulkJob/create/create.descriptions';
import { readRunProjectId } from '../../parameters';
import { readWaitSettings } from '../../results.descriptions';
import type { DeletionGuard } from './plan';
import type { SyncScope } from './scope';
import { NO_SCOPE, prefixScope, regexScope } from './scope';
import { DEFAULT_MAX_DELETION_PERCENT, DEFAULT_MAX_DELETIONS } from './sync.descriptions';

export interface SyncSettings {
	projectId?: string;
	dryRun: boolean;
	source: InputSource;
	ignoreUnknownFields: boolean;
	scope: SyncScope;
	deleteMissing: boolean;
	guard: DeletionGuard;
	unclaimOnly: boolean;
	concurrency: number;
	/** Devices the sync never touches get an item each (otherwise only counted). */
	includeOutsideScope: boolean;
	wait: WaitSettings;
}

const SOURCES: readonly InputSource[] = ['csvFile', 'csvText', 'items', 'json'];

/** The run's settings, from the first item (one sync per run, one project for every item), all checked before any request. */
export function readSyncSettings(context: IExecuteFunctions, itemCount: number): SyncSettings {
	const node = context.getNode();
	const fail = (message: string, description: string) => new NodeOperationError(node, message, { description, itemIndex: 0 });

	const source = context.getNodeParameter('inputSource', 0, 'csvFile') as InputSource;
	if (!SOURCES.includes(source)) {
		throw fail(`"${String(source).slice(0, 40)}" is not a known device source`, `Devices From takes one of: ${SOURCES.join(', ')}.`);
	}

	const scopeMode = context.getNodeParameter('scope', 0, 'none') as string;
	let scope: SyncScope = NO_SCOPE;
	if (scopeMode === 'prefix') {
		const prefix = String(context.getNodeParameter('externalIdPrefix', 0, '') ?? '');
		if (prefix === '') throw fail('External ID Prefix is empty', 'An empty prefix would put every virtual device of the project in scope. Enter the prefix the managed externalIds start with, or choose another Scope.');
		scope = prefixScope(prefix);
	} else if (scopeMode === 'regex') {
		const pattern = String(context.getNodeParameter('externalIdPattern', 0, '') ?? '');
		if (pattern === '') throw fail('External ID Pattern is empty', 'Enter a regular expression that matches the whole externalId of every managed device, or choose another Scope.');
		try {
			scope = regexScope(pattern);
		} catch (error) {
			throw fail(`External ID Pattern is not a valid regular expression: ${(error as Error).message}`, `The pattern is \`${escapeHtml(pattern)}\`. Fix it, or use an External ID Prefix.`);
		}
	} else if (scopeMode !== 'none') {
		throw fail(`"${scopeMode.slice(0, 40)}" is not a known Scope`, 'Scope takes "none", "prefix" or "regex".');
	}

	const deleteMissing = context.getNodeParameter('deleteMissing', 0, false) === true;
	if (deleteMissing && scope.mode === 'none') {
		throw fail(
			'Delete Devices Not in List needs a Scope',
			'A sync deletes only devices it manages. Set Scope to an External ID Prefix or Pattern that matches the devices of the list (and no others), or turn Delete Devices Not in List off.',
		);
	}
	const maxDeletions = Number(context.getNodeParameter('maxDeletions', 0, DEFAULT_MAX_DELETIONS));
	const maxDeletionPercent = Number(context.getNodeParameter('maxDeletionPercent', 0, DEFAULT_MAX_DELETION_PERCENT));
	if (!Number.isInteger(maxDeletions) || maxDeletions < 0) throw fail(`Max Deletions must be a whole number from 0 (got ${String(maxDeletions)})`, 'Set the most devices one sync may delete.');
	if (!(maxDeletionPercent >= 0 && maxDeletionPercent <= 100)) {
		throw fail(`Max Deletion Percentage must be from 0 to 100 (got ${String(maxDeletionPercent)})`, 'Set the largest share of the devices in scope one sync may delete.');
	}

	const options = context.getNodeParameter('options', 0, {}) as { concurrency?: number; ignoreUnknownFields?: boolean; includeOutsideScope?: boolean };
	const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
	if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_CONCURRENCY) {
		throw fail(`Parallel Uploads must be a whole number from 1 to ${MAX_CONCURRENCY} (got ${String(concurrency)})`, 'Set it under Options, or remove the option to use the default.');
	}
	return {
		projectId: readRunProjectId(context, itemCount, 'Sync', 'sync'),
		dryRun: context.getNodeParameter('dryRun', 0, true) !== false,
		source,
		ignoreUnknownFields: options.ignoreUnknownFields === true,
		scope,
		deleteMissing,
		guard: { maxDeletions, maxDeletionPercent },
		unclaimOnly: deleteMissing && context.getNodeParameter('unclaimOnly', 0, false) === true,
		concurrency,
		includeOutsideScope: options.includeOutsideScope === true,
		wait: readWaitSettings(context, 0),
	};
}
