import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { needsNewSession } from './storedSession';

interface CredentialReader {
	getCredentials(type: string): Promise<ICredentialDataDecryptedObject>;
}

// Keyed by n8n's context object, as the places in flight are: one per node run, one per trigger activation.
const firstRequests = new WeakMap<object, Promise<void>>();

/**
 * Sends `send` once the run's first request is no longer logging in. n8n logs in before a
 * request whenever the credential holds no session token yet, and after a request that HERE
 * answered 401; every request that starts before the first login has been stored makes a login
 * of its own: 20 requests at once would be 20 logins at HERE. So while the stored token cannot
 * serve (missing, obtained for what the credential no longer says, expired or about to expire),
 * the first request of the run goes alone, and the others start once it has been answered
 * (with the new token stored). A run with a valid token does not wait.
 */
export async function afterFirstLogin<T>(context: CredentialReader, credentialName: string, send: () => Promise<T>): Promise<T> {
	const first = firstRequests.get(context);
	if (first !== undefined) {
		await first;
		return await send();
	}
	let firstDone = () => {};
	firstRequests.set(context, new Promise<void>((resolve) => (firstDone = resolve)));
	try {
		if (!(await mustLogIn(context, credentialName))) firstDone();
		return await send();
	} finally {
		firstDone();
	}
}

async function mustLogIn(context: CredentialReader, credentialName: string): Promise<boolean> {
	try {
		return needsNewSession(await context.getCredentials(credentialName));
	} catch {
		// No credential to read, or a Base URL it refuses: the request itself will say what is wrong; nobody needs to wait for it.
		return false;
	}
}
