import type { ICredentialDataDecryptedObject, IDataObject, IHttpRequestHelper } from 'n8n-workflow';

import { describeNetworkFailure, describeTrace, readHereErrorBody } from './errorBody';
import { resolveBaseUrl } from './host';

type HttpRequest = IHttpRequestHelper['helpers']['httpRequest'];

const AUTH_TIMEOUT_MS = 30_000;

interface TokenAnswer {
	accessToken?: unknown;
}

interface HttpFailure {
	response?: { status?: number; data?: unknown };
	code?: string;
}

/**
 * Turns a failed auth call into a message that says what to fix. Built only from the
 * status, HERE's own message and trace ids: never from the request, which holds the password.
 */
function authFailure(step: string, baseUrl: string, error: unknown, hint: string): Error {
	const failure = (error ?? {}) as HttpFailure;
	const status = failure.response?.status;
	if (status === undefined) {
		return new Error(
			`${step}: could not reach ${baseUrl} (${describeNetworkFailure(failure.code)}). Check the credential's Host / Base URL and that the server is running.`,
		);
	}
	const info = readHereErrorBody(failure.response?.data);
	const trace = describeTrace(info);
	const detail = info.message ? `: ${info.message}` : '';
	const suffix = trace ? ` (${trace})` : '';
	return new Error(`${step} failed with HTTP ${status}${detail}${suffix}. ${hint}`);
}

async function postJson(httpRequest: HttpRequest, url: string, body: IDataObject): Promise<TokenAnswer> {
	return (await httpRequest({
		method: 'POST',
		url,
		body,
		json: true,
		timeout: AUTH_TIMEOUT_MS,
		disableFollowRedirect: true,
		headers: { 'X-Request-Id': crypto.randomUUID() },
	})) as TokenAnswer;
}

function tokenFrom(answer: TokenAnswer, step: string): string {
	if (typeof answer?.accessToken !== 'string' || answer.accessToken === '') {
		throw new Error(`${step}: HERE answered without an access token.`);
	}
	return answer.accessToken;
}

async function login(httpRequest: HttpRequest, baseUrl: string, credentials: ICredentialDataDecryptedObject): Promise<string> {
	const email = String(credentials.email ?? '').trim();
	const password = String(credentials.password ?? '');
	if (email === '' || password === '') {
		throw new Error('HERE login: enter both E-Mail and Password in the credential.');
	}
	const body: IDataObject = { email, password };
	const realm = String(credentials.realm ?? '').trim();
	if (realm !== '') body.realm = realm;
	try {
		return tokenFrom(await postJson(httpRequest, `${baseUrl}/users/v2/login`, body), 'HERE login');
	} catch (error) {
		throw authFailure('HERE login', baseUrl, error, 'Check the E-Mail, Password and Realm fields of the credential.');
	}
}

async function exchangeForProject(httpRequest: HttpRequest, baseUrl: string, token: string, projectHrn: string): Promise<string> {
	try {
		const answer = await postJson(httpRequest, `${baseUrl}/users/v2/tokenExchange`, {
			accessToken: token,
			scope: projectHrn,
		});
		return tokenFrom(answer, 'HERE token exchange');
	} catch (error) {
		throw authFailure(
			'HERE token exchange',
			baseUrl,
			error,
			`Check the Project HRN (${projectHrn}) and that this user is a member of that platform project.`,
		);
	}
}

async function checkReachable(httpRequest: HttpRequest, baseUrl: string): Promise<void> {
	try {
		await httpRequest({
			method: 'GET',
			url: `${baseUrl}/bulkjobs/v4/health`,
			json: true,
			timeout: AUTH_TIMEOUT_MS,
			disableFollowRedirect: true,
		});
	} catch (error) {
		throw authFailure('HERE health check', baseUrl, error, 'Check the Host / Base URL of the credential.');
	}
}

/**
 * The bearer token the credential should use now: the pasted one, or a fresh login, then
 * exchanged for a project-scoped token when a platform project HRN is set.
 */
export async function obtainSessionToken(
	httpRequest: HttpRequest,
	credentials: ICredentialDataDecryptedObject,
): Promise<string> {
	const baseUrl = resolveBaseUrl(credentials);
	let token: string;
	if (credentials.authentication === 'login') {
		token = await login(httpRequest, baseUrl, credentials);
	} else {
		token = String(credentials.accessToken ?? '').trim();
		if (token === '') throw new Error('HERE Tracking credential: paste an Access Token, or switch Authentication to "E-Mail and Password".');
		// A pasted token is not checked here (the next call does that), but the host is, so a
		// typo in the Base URL shows up as "could not reach" rather than a bare network code.
		await checkReachable(httpRequest, baseUrl);
	}
	const projectHrn = String(credentials.projectHrn ?? '').trim();
	if (projectHrn !== '') token = await exchangeForProject(httpRequest, baseUrl, token, projectHrn);
	return token;
}
