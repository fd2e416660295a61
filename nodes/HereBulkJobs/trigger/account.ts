import { createHash } from 'node:crypto';

import type { IPollFunctions } from 'n8n-workflow';

import { CREDENTIAL_NAME, ensureNodeError } from '../transport';
import { credentialAccount } from '../transport/storedSession';
import type { TriggerSettings } from './settings';

/**
 * Whose jobs the trigger lists: the credential (its id, and the HERE account it stands for) and
 * the project (the node's Project, else the credential's Default Project ID). Records made for
 * another account say nothing about this one's jobs: with the Project left empty, picking another
 * credential or changing its Default Project ID must start over, not emit a week of the other
 * account's finished jobs as new. A newly pasted token of the same credential keeps the records
 * (a pasted token is renewed by hand every day). The key is stored in the workflow's static data,
 * which anyone who sees the workflow can read, so it is a SHA-256: the e-mail and host stay in
 * the credential.
 */
export async function accountKey(context: IPollFunctions, settings: TriggerSettings): Promise<string> {
	const credentials = await context.getCredentials(CREDENTIAL_NAME);
	let account: string[];
	try {
		account = credentialAccount(credentials);
	} catch (error) {
		// A refused Base URL: the same error its first request would give.
		throw ensureNodeError(context.getNode(), error);
	}
	const key = JSON.stringify({
		credential: context.getNode().credentials?.[CREDENTIAL_NAME]?.id ?? '',
		account,
		project: settings.projectId ?? String(credentials.projectId ?? '').trim(),
	});
	return `sha256:${createHash('sha256').update(key).digest('hex')}`;
}
