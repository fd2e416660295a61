import type {
	IDataObject,
	INode,
	IExecuteFunctions,
	IHttpRequestMethods,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	IPollFunctions,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError, NodeOperationError, sleep } from 'n8n-workflow';

import { escapeHtml, htmlParagraphs } from '../editorText';
import { describeNetworkFailure, describeTrace, readHereErrorBody } from './errorBody';
import { afterFirstLogin } from './firstLogin';
import { isJobPath, isProjectScoped } from './projectScope';
import type { RunPlaces } from './inFlight';
import { requestsInFlight } from './inFlight';
import type { FailureFacts, RequestKind, RetryPolicy } from './retryPolicy';
import {
	DEFAULT_RETRY_POLICY,
	backoffDelayMs,
	certainlyNotProcessed,
	isRefusal,
	isRetryable,
	parseRetryAfterMs,
	tryAgainAfter,
} from './retryPolicy';

export { concurrencyLimit, REQUESTS_IN_FLIGHT } from './inFlight';
export type { Limit } from './inFlight';
export { DEFAULT_RETRY_POLICY } from './retryPolicy';
export type { RetryPolicy } from './retryPolicy';

export const CREDENTIAL_NAME = 'hereTrackingApi';

/** The n8n contexts that talk to HERE: node execution, trigger polls and parameter pickers. */
export type HereContext = IExecuteFunctions | IPollFunctions | ILoadOptionsFunctions;

export interface HereRequest {
	method: IHttpRequestMethods;
	/** Path below the credential's base URL, e.g. `/bulkjobs/v4/deviceUploads`. */
	path: string;
	qs?: IDataObject;
	body?: IDataObject | IDataObject[];
	/** Empty = the credential's default project (or HERE's implicit single project). */
	projectId?: string;
	/** A job-creating POST is `create`: it is retried only when HERE certainly did not take it. */
	kind?: RequestKind;
	timeoutMs?: number;
	/** For error messages: what the user asked for, e.g. "Get the status of job BULK-…". */
	action?: string;
	itemIndex?: number;
}

export interface HereRequestOptions {
	retry?: Partial<RetryPolicy>;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/** However close a deadline is, an attempt that is sent gets this long for its answer. */
const MIN_TIMEOUT_MS = 1_000;

interface AxiosLikeFailure {
	response?: { status?: number; headers?: Record<string, unknown>; data?: unknown };
	code?: string;
	message?: string;
}

/** The HTTP client's error inside n8n's NodeApiError wrapper (or the error itself). */
function unwrapFailure(error: unknown): AxiosLikeFailure {
	const outer = (error ?? {}) as AxiosLikeFailure & { cause?: unknown };
	const cause = outer.cause as AxiosLikeFailure | undefined;
	return cause ?? outer;
}

/**
 * A page request answered 400 was refused for its page token (the other values are the first
 * page's): HERE's page tokens expire (the device list's after 10 minutes) and may be dropped.
 */
const PAGE_TOKEN_HINT =
	'HERE refused the token of the next page: reading the list took too long (HERE\'s page tokens expire; the device list\'s after 10 minutes), or HERE dropped the token. Run the node again (a trigger does at its next poll): the list is read again from the first page.';

/** After an upload that HERE may have taken: how to find out before sending the devices again. */
const LIST_JOBS_FIRST = 'Before sending these devices again, look for the upload\'s file name in Get Many with "Include Status Figures" on under Options.';

/**
 * Which project to check after a refusal. The node sends its Project; when it names none, the
 * credential adds its Default Project ID at authenticate time (unseen here), or HERE uses the
 * user's only project.
 */
const CHECK_PROJECT = "the node's Project (or the credential's Default Project ID, used when the node names none)";

/**
 * A 400 about the project: with no Project in the node, HERE asks for one because the user is in
 * several projects and the credential has no Default Project ID (with one, a projectId is sent).
 */
function projectHint400(request: HereRequest, hereMessage: string | undefined): string | undefined {
	if (!isProjectScoped(request.path) || hereMessage === undefined || !/projectId/i.test(hereMessage)) return undefined;
	// Without the node's Project, the credential may have sent its Default Project ID, or nothing.
	return request.projectId === undefined
		? "HERE needs a project it accepts: this user is in several projects, or the credential's Default Project ID is wrong. Choose the node's Project, or set or check Default Project ID in the credential."
		: "HERE refused the node's Project. Pick the project from the list, or check its ID.";
}

/** What the error says to do; `waitAsked`: the Retry-After of a refusal that was not waited out (longer than the request may wait). */
function hintFor(request: HereRequest, facts: FailureFacts, hereMessage: string | undefined, waitAsked: number | undefined): string {
	const status = facts.status;
	const kind = request.kind ?? 'safe';
	if (facts.unreadableBody === true) {
		return kind === 'create'
			? `HERE (or a proxy in between) answered the upload with success but with a body that is not JSON, so the job was probably created. ${LIST_JOBS_FIRST}`
			: "HERE, or a proxy in between, answered with a body that is not JSON. Check that the credential's Host / Base URL points at HERE's API (not a web page or a login portal), then try again.";
	}
	if (status === undefined) {
		if (kind === 'create' && !certainlyNotProcessed(facts)) {
			return `The connection broke after the upload was sent, so HERE may or may not have created the job. ${LIST_JOBS_FIRST}`;
		}
		return "HERE could not be reached. Check the credential's Host / Base URL and the network, then try again.";
	}
	const projectScoped = isProjectScoped(request.path);
	switch (status) {
		case 400:
			if (request.qs?.pageToken !== undefined) return PAGE_TOKEN_HINT;
			return projectHint400(request, hereMessage) ?? 'HERE refused the request as invalid. Check the values named in the message.';
		case 401:
			return 'The token is invalid or has expired. With E-Mail and Password n8n logs in again by itself; a pasted Access Token must be replaced.';
		case 403:
			return projectScoped
				? `This user may not do this in the project. Check the user's role, and ${CHECK_PROJECT}.`
				: "This user may not do this. Check the user's role.";
		case 404:
			if (isJobPath(request.path)) return `Not found. HERE keeps jobs and results for one week; check the job ID, and ${CHECK_PROJECT}: a job is found only in its own project.`;
			return projectScoped
				? `Not found: HERE does not know the project, or this user is not in it. Check ${CHECK_PROJECT}.`
				: "Not found. Check the credential's Host / Base URL.";
		case 412:
			return 'The job is not in a status that allows this action.';
		case 413:
			// Create and Sync keep each job within 10 MiB, so a 413 means a smaller limit on the way (a proxy).
			return 'HERE, or a proxy in between, refused the upload as too large. This node keeps each job within HERE\'s 10 MiB; a proxy may allow less. Send fewer devices per job (Devices per Job under the Options of Create), or shorten the tags (the only field without a length limit).';
		case 429: {
			const fewer = 'fewer workflows using this HERE user at the same time (or a lower Parallel Uploads under the Options of Create or Sync)';
			return waitAsked === undefined
				? `HERE is rate-limiting this user. Try again later, with ${fewer}.`
				: `HERE is rate-limiting this user, for longer than n8n waits for a request. ${tryAgainAfter(waitAsked)} Then use ${fewer}.`;
		}
		default:
			if (status >= 500) {
				if (kind === 'create' && !certainlyNotProcessed(facts)) return `HERE had a server error while taking the upload, so the job may or may not exist. ${LIST_JOBS_FIRST}`;
				return waitAsked === undefined ? 'HERE had a server error. Try again later.' : `HERE is busy. ${tryAgainAfter(waitAsked)}`;
			}
			return 'Check the request values.';
	}
}

function toNodeApiError(
	context: HereContext,
	request: HereRequest,
	requestId: string,
	facts: FailureFacts,
	body: unknown,
	attempts: number,
	waitAsked?: number,
): NodeApiError {
	const info = readHereErrorBody(body);
	const what = request.action ?? `${request.method} ${request.path}`;
	const reason =
		facts.unreadableBody === true
			? 'HERE answered with a body that is not valid JSON'
			: facts.status === undefined
				? `no answer from HERE (${describeNetworkFailure(facts.code)})`
				: `HERE answered HTTP ${facts.status}${info.message ? `: ${info.message}` : ''}`;
	const message = `${what} failed: ${reason}`;
	const tries = attempts > 1 ? ` Tried ${attempts} times.` : '';
	// HTML for n8n's editor: what to do, then what HERE support needs (the trace id is HERE's text).
	const description = htmlParagraphs([
		escapeHtml(`${hintFor(request, facts, info.message, waitAsked)}${tries}`),
		escapeHtml(`Request: ${request.method} ${request.path} (${describeTrace(info, requestId)}).`),
	]);
	// Built from our own fields only: the raw HTTP error holds the request, and so the token.
	const safeResponse: JsonObject = { message, description };
	if (facts.status !== undefined) safeResponse.httpCode = String(facts.status);
	const error = new NodeApiError(context.getNode(), safeResponse, {
		message,
		description,
		httpCode: facts.status !== undefined ? String(facts.status) : undefined,
		itemIndex: request.itemIndex,
	});
	error.context.hereErrorCode = info.hereErrorCode;
	error.context.traceId = info.traceId;
	error.context.requestId = requestId;
	error.context.httpStatus = facts.status;
	// A page after the first: its failure says nothing about the values the first page was asked with.
	if (request.qs?.pageToken !== undefined) error.context.laterPage = true;
	// Refused at the connection (never reached HERE) or refused by HERE (429/503): nothing was done,
	// so a caller such as Create knows that no job was made.
	if (certainlyNotProcessed(facts)) error.context.notProcessed = true;
	return error;
}

/**
 * A request not sent: the wait HERE asked of the whole run (after a 429 or 503) is longer than
 * the request may wait, or the execution was cancelled. Only this request was held back: earlier
 * ones of the run (jobs Create or Sync made) may have gone through, and the caller lists them.
 */
function notSentError(context: HereContext, request: HereRequest, why: string): NodeApiError {
	const what = request.action ?? `${request.method} ${request.path}`;
	const message = `${what} was not sent: ${why}`;
	const error = new NodeApiError(context.getNode(), { message } as JsonObject, {
		message,
		description: escapeHtml('This request was not sent to HERE. Try again later; a trigger tries again at its next poll.'),
		itemIndex: request.itemIndex,
	});
	error.context.notProcessed = true;
	return error;
}

/** How long an attempt waits for HERE's answer: the request's own time, cut to the policy's deadline. */
function attemptTimeoutMs(request: HereRequest, policy: RetryPolicy): number {
	const timeoutMs = request.timeoutMs ?? DEFAULT_TIMEOUT_MS;
	if (policy.deadlineAt === undefined) return timeoutMs;
	return Math.max(MIN_TIMEOUT_MS, Math.min(timeoutMs, policy.deadlineAt - Date.now()));
}

function buildOptions(request: HereRequest, requestId: string, timeoutMs: number): IHttpRequestOptions {
	const qs: IDataObject = { ...(request.qs ?? {}) };
	if (request.projectId) qs.projectId = request.projectId;
	for (const key of Object.keys(qs)) if (qs[key] === undefined || qs[key] === '') delete qs[key];
	const options: IHttpRequestOptions = {
		method: request.method,
		url: request.path,
		qs,
		json: true,
		timeout: timeoutMs,
		disableFollowRedirect: true,
		// Repeated keys (status=a&status=b), as the spec's array parameters expect.
		arrayFormat: 'repeat',
		headers: { 'X-Request-Id': requestId, Accept: 'application/json' },
	};
	if (request.body !== undefined) options.body = request.body;
	return options;
}

/**
 * A failure that is no HTTP answer of HERE's API and no network error: n8n's preAuthentication
 * failed (a login HERE refused, a host the credential refuses). Nothing reached the API.
 */
function isAuthFailure(error: unknown): boolean {
	const failure = unwrapFailure(error);
	return failure.response?.status === undefined && failure.code === undefined;
}

function isReadable(body: unknown): boolean {
	return body === undefined || body === '' || (typeof body === 'object' && body !== null);
}

type SendOutcome = { body: unknown } | { error: unknown; retryAfterMs?: number } | { notSentMs: number };

/**
 * One attempt, sent once the run may send. The run's places hear how HERE answered before the
 * caller does, and so before the first-login gate opens: a refusal of a new credential's first
 * request holds the others back too. The failure is returned, not thrown.
 */
async function sendOnce(
	context: HereContext,
	places: RunPlaces,
	buildOptions: () => IHttpRequestOptions,
	refusalWaitMs: (retryAfterMs: number | undefined) => number,
	policy: RetryPolicy,
): Promise<SendOutcome> {
	// A wait of the whole run longer than a request's budget (a long Retry-After) is not waited out by every request in turn.
	const latestSendAt = Math.min(policy.deadlineAt ?? Number.POSITIVE_INFINITY, Date.now() + policy.budgetMs);
	if (!(await places.sendable(latestSendAt))) return { notSentMs: places.pauseLeftMs() };
	// Built once the run may send, so that a deadline counts the run's wait too.
	const options = buildOptions();
	const sentAt = Date.now();
	try {
		const body: unknown = await context.helpers.httpRequestWithAuthentication.call(context, CREDENTIAL_NAME, options);
		places.answered();
		return { body };
	} catch (error) {
		const response = unwrapFailure(error).response;
		const retryAfterMs = parseRetryAfterMs(response?.headers?.['retry-after']);
		if (isRefusal(response?.status)) places.refused(sentAt, refusalWaitMs(retryAfterMs));
		else if (response?.status !== undefined) places.answered();
		return { error, retryAfterMs };
	}
}

/** Whether the user has cancelled the execution (n8n then aborts its requests); a trigger poll has no such signal. */
function executionCancelled(context: HereContext): () => boolean {
	const signal = 'getExecutionCancelSignal' in context ? context.getExecutionCancelSignal() : undefined;
	return () => signal?.aborted === true;
}

/**
 * One HERE call with the package's retry policy. Every request gets its own X-Request-Id,
 * so a retry is traceable on its own; the error names the last one.
 */
export async function hereRequest<T>(
	context: HereContext,
	request: HereRequest,
	options: HereRequestOptions = {},
): Promise<T> {
	const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
	const kind = request.kind ?? 'safe';
	const startedAt = Date.now();
	const places = requestsInFlight(context);
	// Only the attempt holds a place: a pause before a retry leaves it to the others. After a
	// refusal nobody sends until the wait is over, and this request goes first.
	let release: (() => void) | undefined;
	const cancelled = executionCancelled(context);
	try {
		for (let attempt = 1; ; attempt++) {
			if (cancelled()) throw notSentError(context, request, 'the execution was cancelled');
			const requestId = crypto.randomUUID();
			let facts: FailureFacts;
			let failureBody: unknown;
			let retryAfterMs: number | undefined;
			release ??= await places.take();
			const refusalWaitMs = (retryAfter: number | undefined) => backoffDelayMs(policy, attempt, retryAfter);
			const options = () => buildOptions(request, requestId, attemptTimeoutMs(request, policy));
			const sent = await afterFirstLogin(
				context,
				CREDENTIAL_NAME,
				async () => await sendOnce(context, places, options, refusalWaitMs, policy),
				(outcome) => 'error' in outcome && isAuthFailure(outcome.error),
			);
			if ('notSentMs' in sent) throw notSentError(context, request, `HERE asked this user to wait ${Math.ceil(sent.notSentMs / 1000)} s (429 or 503 with Retry-After), longer than this request may wait`);
			if ('body' in sent) {
				if (isReadable(sent.body)) return sent.body as T;
				facts = { unreadableBody: true };
			} else {
				const failure = unwrapFailure(sent.error);
				if (isAuthFailure(sent.error)) {
					// Not an HTTP failure (the credential refused the host, a login failed): say it as it is.
					const authError = new NodeApiError(context.getNode(), { message: failure.message ?? String(sent.error) } as JsonObject, {
						message: failure.message ?? 'HERE request failed',
						itemIndex: request.itemIndex,
					});
					// The request itself never reached HERE (or met a 401): nothing was done, e.g. no job made.
					authError.context.notProcessed = true;
					throw authError;
				}
				facts = { status: failure.response?.status, code: failure.code };
				failureBody = failure.response?.data;
				retryAfterMs = sent.retryAfterMs;
			}

			const elapsed = Date.now() - startedAt;
			// n8n aborts the requests of a cancelled execution: that failure is no reason to try again.
			const mayRetry = attempt < policy.maxAttempts && isRetryable(kind, facts) && !cancelled();
			const delay = backoffDelayMs(policy, attempt, retryAfterMs);
			// A retry also waits out a wait of the whole run that is in force.
			const pauseMs = Math.max(delay, places.pauseLeftMs());
			const pastDeadline = policy.deadlineAt !== undefined && Date.now() + pauseMs > policy.deadlineAt;
			if (!mayRetry || elapsed + pauseMs > policy.budgetMs || pastDeadline) {
				// A refusal whose wait is not waited out says how long HERE asked to wait.
				const waitAsked = mayRetry && isRefusal(facts.status) && retryAfterMs !== undefined && retryAfterMs > 0 ? retryAfterMs : undefined;
				throw toNodeApiError(context, request, requestId, facts, failureBody, attempt, waitAsked);
			}
			if (isRefusal(facts.status)) {
				// The run's wait (places.refused) is this request's pause too.
				await places.keepOrRequeue();
			} else {
				release();
				release = undefined;
				await sleep(delay);
			}
		}
	} finally {
		release?.();
	}
}

/**
 * The error as n8n should show it: our NodeApiError / NodeOperationError unchanged, anything
 * else wrapped, so that a caught error is never re-thrown raw.
 */
export function ensureNodeError(node: INode, error: unknown, itemIndex?: number): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		if (itemIndex !== undefined) error.context.itemIndex ??= itemIndex;
		return error;
	}
	return new NodeOperationError(node, error instanceof Error ? error : String(error), { itemIndex });
}

/**
 * How a listing names its page size, its items and the next page's token (the request names
 * the token `pageToken` everywhere). Bulk jobs and the device listing differ in all three.
 */
export interface PageShape {
	sizeParam: 'limit' | 'count';
	itemsField: 'items' | 'data';
	nextTokenField: 'nextPageToken' | 'pageToken';
}

/** Bulk job lists and results: `limit`, `items`, `nextPageToken`. */
export const BULK_JOB_PAGES: PageShape = { sizeParam: 'limit', itemsField: 'items', nextTokenField: 'nextPageToken' };

/** `GET /users/v2/devices`: `count`, `data`, and the next token back as `pageToken`. */
export const DEVICE_PAGES: PageShape = { sizeParam: 'count', itemsField: 'data', nextTokenField: 'pageToken' };

export interface PagingOptions extends HereRequestOptions {
	pageSize?: number;
	maxItems?: number;
	/** Default: BULK_JOB_PAGES. */
	shape?: PageShape;
}

/** Pages are bounded so a server that keeps answering with tokens cannot loop forever. */
const MAX_PAGES = 100_000;

/**
 * Empty pages in a row that still point at a next page. The spec allows an empty page with a
 * token, but a server that sends this many in a row would otherwise be followed up to MAX_PAGES.
 */
const MAX_EMPTY_PAGES_IN_A_ROW = 100;

/** A listing that cannot end: stop with an error rather than loop or return part of it as if it were all. */
function pagingError(context: HereContext, request: HereRequest, reason: string, read: number, pages: number): NodeApiError {
	const what = request.action ?? `${request.method} ${request.path}`;
	return new NodeApiError(context.getNode(), { message: reason } as JsonObject, {
		message: `${what} failed: ${reason}, so the list would never end.`,
		description: htmlParagraphs([
			`Stopped after ${read} items in ${pages} pages. Try again; if it persists, report it to HERE support with this request.`,
			escapeHtml(`Request: ${request.method} ${request.path}.`),
		]),
		itemIndex: request.itemIndex,
	});
}

/**
 * Follows the next-page token (as `options.shape` names it) until the last page or until
 * `maxItems` items were read. Stops with an error when HERE repeats a token or keeps sending
 * empty pages with a token, which would otherwise never end.
 */
export async function* herePages<TItem>(
	context: HereContext,
	request: HereRequest,
	options: PagingOptions = {},
): AsyncGenerator<TItem[]> {
	const shape = options.shape ?? BULK_JOB_PAGES;
	const seenTokens = new Set<string>();
	let pageToken: string | undefined;
	let read = 0;
	let emptyInARow = 0;
	const maxItems = options.maxItems ?? Number.POSITIVE_INFINITY;
	for (let pageNumber = 1; pageNumber <= MAX_PAGES; pageNumber++) {
		const limit = Math.min(options.pageSize ?? 100, Math.max(1, maxItems - read));
		const page = await hereRequest<Record<string, unknown> | undefined>(
			context,
			{ ...request, qs: { ...(request.qs ?? {}), [shape.sizeParam]: limit, pageToken } },
			options,
		);
		const listed = page?.[shape.itemsField];
		const items = Array.isArray(listed) ? (listed as TItem[]) : [];
		const room = maxItems - read;
		const taken = items.length > room ? items.slice(0, room) : items;
		read += taken.length;
		emptyInARow = items.length === 0 ? emptyInARow + 1 : 0;
		if (taken.length > 0) yield taken;
		const token = page?.[shape.nextTokenField];
		const next = typeof token === 'string' && token !== '' ? token : undefined;
		if (next === undefined || read >= maxItems) return;
		if (seenTokens.has(next)) throw pagingError(context, request, 'HERE returned the same page token twice', read, pageNumber);
		if (emptyInARow >= MAX_EMPTY_PAGES_IN_A_ROW) {
			throw pagingError(context, request, `HERE returned ${emptyInARow} empty pages in a row, each pointing at a further page`, read, pageNumber);
		}
		seenTokens.add(next);
		pageToken = next;
	}
	throw pagingError(context, request, `HERE still pointed at a further page after ${MAX_PAGES} pages`, read, MAX_PAGES);
}

/** All items of a paged listing, up to `maxItems`. */
export async function hereCollect<TItem>(context: HereContext, request: HereRequest, options: PagingOptions = {}): Promise<TItem[]> {
	const all: TItem[] = [];
	for await (const items of herePages<TItem>(context, request, options)) {
		for (const item of items) all.push(item);
	}
	return all;
}
