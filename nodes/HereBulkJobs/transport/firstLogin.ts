import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { needsNewSession } from './storedSession';

interface CredentialReader {
	getCredentials(type: string): Promise<ICredentialDataDecryptedObject>;
}

/** The first request of a run: resolves once it no longer logs in, with its outcome when its login failed. */
type FirstRequest = Promise<{ loginFailed: unknown } | undefined>;

// Keyed by n8n's context object, as the places in flight are: one per node run, one per trigger activation.
const firstRequests = new WeakMap<object, FirstRequest>();

/**
 * Sends `send` once the run's first request is no longer logging in. n8n logs in before a
 * request whenever the credential holds no session token yet, and after a request that HERE
 * answered 401; every request that starts before the first login has been stored makes a login
 * of its own: 20 requests at once would be 20 logins at HERE. So while the stored token cannot
 * serve (missing, obtained for what the credential no longer says, expired or about to expire),
 * the first request of the run goes alone, and the others start once it has been answered
 * (with the new token stored). A run with a valid token does not wait.
 *
 * When that first login fails (`loginFailed` says so of the outcome: a wrong password, a host
 * the credential refuses), the requests that waited for it end with the same outcome instead of
 * each trying the same password again; the next request to come is a first request again, so a
 * credential fixed meanwhile (or a trigger's next poll) logs in afresh.
 */
export async function afterFirstLogin<T>(
	context: CredentialReader,
	credentialName: string,
	send: () => Promise<T>,
	loginFailed: (outcome: T) => boolean,
): Promise<T> {
	const first = firstRequests.get(context);
	if (first !== undefined) {
		const failure = await first;
		if (failure !== undefined) return failure.loginFailed as T;
		return await send();
	}
	let firstDone: (failure?: { loginFailed: unknown }) => void = () => {};
	firstRequests.set(context, new Promise((resolve) => (firstDone = resolve)));
	let outcome: T | undefined;
	let loggingIn = false;
	try {
		loggingIn = await mustLogIn(context, credentialName);
		if (!loggingIn) firstDone();
		outcome = await send();
		return outcome;
	} finally {
		if (loggingIn && outcome !== undefined && loginFailed(outcome)) {
			firstRequests.delete(context);
			firstDone({ loginFailed: outcome });
		} else {
			firstDone();
		}
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
