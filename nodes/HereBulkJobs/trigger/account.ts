import type { IPollFunctions } from 'n8n-workflow';

import { CUSTOM_HOST } from '../transport/host';
import type { TriggerSettings } from './settings';

const CREDENTIAL_TYPE = 'hereTrackingApi';

/**
 * Whose jobs the trigger lists: the credential (its id, host and HERE user) and the project
 * (the node's Project, else the credential's Default Project ID). Records made for another
 * account say nothing about this one's jobs: with the Project left empty, picking another
 * credential or changing its Default Project ID must start over, not emit a week of the other
 * account's finished jobs as new. Only fields that are not secret go into the key (it is stored
 * in the workflow's static data): a pasted token is told apart by the credential's id alone.
 */
export async function accountKey(context: IPollFunctions, settings: TriggerSettings): Promise<string> {
	const credentials = await context.getCredentials(CREDENTIAL_TYPE);
	const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '');
	const host = text(credentials.host);
	const user =
		credentials.authentication === 'accessToken' ? ['accessToken'] : ['login', text(credentials.email).toLowerCase(), text(credentials.realm).toLowerCase()];
	return JSON.stringify({
		credential: context.getNode().credentials?.[CREDENTIAL_TYPE]?.id ?? '',
		host: host === CUSTOM_HOST ? text(credentials.baseUrl) : host,
		user,
		projectHrn: text(credentials.projectHrn),
		project: settings.projectId ?? text(credentials.projectId),
	});
}
