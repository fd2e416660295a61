import type { ICredentialDataDecryptedObject, IDataObject, IHttpRequestHelper, IHttpRequestMethods } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { describeNetworkFailure, describeTrace, readHereErrorBody } from './errorBody';
import { resolveBaseUrl } from './host';
import { parseRetryAfterMs, tryAgainAfter } from './retryPolicy';

type HttpRequest = IHttpRequestHelper['helpers']['httpRequest'];

const AUTH_TIMEOUT_MS = 30_000;

/**
 * Attempts of one auth call. A login is sent again after a passing failure (429, a 5xx, a
 * broken connection, an answer without a token): doing so is harmless, and without it one
 * stumble of HERE's account service fails a whole run.
 */
const AUTH_ATTEMPTS = 3;
/** Backoff when HERE names no wait: doubled after each attempt, up to the cap. */
const AUTH_RETRY_BASE_MS = 500;
const AUTH_RETRY_MAX_MS = 5_000;
/**
 * How long one auth call may take with its waits, as the transport's retry budget. A wait HERE
 * asks for (Retry-After) is kept as asked, since asking earlier only meets another 429; a wait
 * that would end past this budget is not started: the call fails at once and says when to try.
 */
const AUTH_BUDGET_MS = 60_000;

/** Connection failures that say the host is wrong rather than busy: trying again will not help. */
const WRONG_HOST_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH']);

interface TokenAnswer {
	accessToken?: unknown;
	/** Seconds the token lives, as HERE gives it. */
	expiresIn?: unknown;
}

/** A token to use, with HERE's expiresIn when HERE gave one (a pasted token has none). */
export interface Session {
	token: string;
	expiresIn?: unknown;
}

interface HttpFailure {
	response?: { status?: number; data?: unknown; headers?: Record<string, unknown> };
	code?: string;
}

/** A 2xx answer without a usable access token (e.g. a body cut short on the way). */
class NoTokenError extends Error {}

interface AuthCall {
	method: IHttpRequestMethods;
	path: string;
	body?: IDataObject;
}

function isPassing(error: unknown): boolean {
	if (error instanceof NoTokenError) return true;
	const failure = (error ?? {}) as HttpFailure;
	const status = failure.response?.status;
	if (status === undefined) return failure.code === undefined || !WRONG_HOST_CODES.has(failure.code);
	return status === 429 || (status >= 500 && status !== 501);
}

/** HERE's own text as a sentence: one full stop at the end, never two ("realm.." read badly). */
function sentence(text: string): string {
	const trimmed = text.trim();
	return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

/**
 * Turns a failed auth call into a message that says what to fix. Built only from the
 * status, HERE's own message and trace ids: never from the request, which holds the password.
 */
function authFailure(
	step: string,
	baseUrl: string,
	call: AuthCall,
	error: unknown,
	hint: string,
	requestId: string,
	attempts: number,
	retryAfterMs?: number,
): Error {
	const failure = (error ?? {}) as HttpFailure;
	const status = failure.response?.status;
	const tried = attempts > 1 ? ` Tried ${attempts} times.` : '';
	const request = `Request: ${call.method} ${call.path}`;
	if (error instanceof NoTokenError) {
		return new Error(`${step}: HERE answered without an access token.${tried} Try again later. ${request}, ${describeTrace({}, requestId)}.`);
	}
	if (status === undefined) {
		const advice = isPassing(error)
			? "Try again later; if it keeps failing, check the credential's Host / Base URL."
			: "Check the credential's Host / Base URL and that the server is running.";
		return new Error(
			`${step}: could not reach ${baseUrl} (${describeNetworkFailure(failure.code)}).${tried} ${advice} ${request}, ${describeTrace({}, requestId)}.`,
		);
	}
	const info = readHereErrorBody(failure.response?.data);
	const said = sentence(`${step} failed with HTTP ${status}${info.message ? `: ${info.message}` : ''}`);
	const advice = !isPassing(error) ? hint : retryAfterMs !== undefined ? tryAgainAfter(retryAfterMs) : 'HERE could not serve the request now; try again later.';
	return new Error(`${said}${tried} ${advice} ${request}, ${describeTrace(info, requestId)}.`);
}

/** One auth call, tried again after a passing failure; the error says what to fix. */
async function authCall(httpRequest: HttpRequest, baseUrl: string, call: AuthCall, step: string, hint: string): Promise<TokenAnswer> {
	const startedAt = Date.now();
	for (let attempt = 1; ; attempt++) {
		const requestId = crypto.randomUUID();
		try {
			const answer = (await httpRequest({
				method: call.method,
				url: `${baseUrl}${call.path}`,
				...(call.body !== undefined ? { body: call.body } : {}),
				json: true,
				timeout: AUTH_TIMEOUT_MS,
				disableFollowRedirect: true,
				headers: { 'X-Request-Id': requestId },
			})) as TokenAnswer;
			if (call.method === 'POST' && (typeof answer?.accessToken !== 'string' || answer.accessToken === '')) throw new NoTokenError();
			return answer;
		} catch (error) {
			const retryAfterMs = parseRetryAfterMs((error as HttpFailure)?.response?.headers?.['retry-after']);
			const fail = () => authFailure(step, baseUrl, call, error, hint, requestId, attempt, retryAfterMs);
			if (attempt >= AUTH_ATTEMPTS || !isPassing(error)) throw fail();
			const delay = retryAfterMs ?? Math.min(AUTH_RETRY_BASE_MS * 2 ** (attempt - 1), AUTH_RETRY_MAX_MS);
			if (Date.now() - startedAt + delay > AUTH_BUDGET_MS) throw fail();
			await sleep(delay);
		}
	}
}

async function login(httpRequest: HttpRequest, baseUrl: string, credentials: ICredentialDataDecryptedObject): Promise<Session> {
	const email = String(credentials.email ?? '').trim();
	const password = String(credentials.password ?? '');
	if (email === '' || password === '') {
		throw new Error('HERE login: enter both E-Mail and Password in the credential.');
	}
	const body: IDataObject = { email, password };
	const realm = String(credentials.realm ?? '').trim();
	if (realm !== '') body.realm = realm;
	const answer = await authCall(
		httpRequest,
		baseUrl,
		{ method: 'POST', path: '/users/v2/login', body },
		'HERE login',
		'Check the E-Mail, Password and Realm fields of the credential.',
	);
	return { token: answer.accessToken as string, expiresIn: answer.expiresIn };
}

async function exchangeForProject(httpRequest: HttpRequest, baseUrl: string, token: string, projectHrn: string): Promise<Session> {
	const answer = await authCall(
		httpRequest,
		baseUrl,
		{ method: 'POST', path: '/users/v2/tokenExchange', body: { accessToken: token, scope: projectHrn } },
		'HERE token exchange',
		`Check the Platform Project HRN (${projectHrn}) and that this user is a member of that platform project.`,
	);
	return { token: answer.accessToken as string, expiresIn: answer.expiresIn };
}

async function checkReachable(httpRequest: HttpRequest, baseUrl: string): Promise<void> {
	await authCall(
		httpRequest,
		baseUrl,
		{ method: 'GET', path: '/bulkjobs/v4/health' },
		'HERE health check',
		'Check the Host / Base URL of the credential.',
	);
}

/**
 * The bearer token the credential should use now: the pasted one, or a fresh login, then
 * exchanged for a project-scoped token when a platform project HRN is set.
 */
export async function obtainSessionToken(
	httpRequest: HttpRequest,
	credentials: ICredentialDataDecryptedObject,
): Promise<Session> {
	const baseUrl = resolveBaseUrl(credentials);
	let session: Session;
	if (credentials.authentication === 'login') {
		session = await login(httpRequest, baseUrl, credentials);
	} else {
		const token = String(credentials.accessToken ?? '').trim();
		if (token === '') throw new Error('HERE Tracking credential: paste an Access Token, or switch Authentication to "E-Mail and Password".');
		// A pasted token is not checked here (the next call does that), but the host is, so a
		// typo in the Base URL shows up as "could not reach" rather than a bare network code.
		await checkReachable(httpRequest, baseUrl);
		session = { token };
	}
	const projectHrn = String(credentials.projectHrn ?? '').trim();
	if (projectHrn !== '') session = await exchangeForProject(httpRequest, baseUrl, session.token, projectHrn);
	return session;
}
