import type { JsonObject } from 'n8n-workflow';

/** What we keep of a HERE error answer: both the Tracking shape and the account-service shape. */
export interface HereErrorInfo {
	message?: string;
	hereErrorCode?: string;
	traceId?: string;
}

function asText(value: unknown): string | undefined {
	if (typeof value === 'string' && value !== '') return value;
	if (typeof value === 'number') return String(value);
	return undefined;
}

/**
 * Reads `{code, error, id, message, details: {hereErrorCode}}` (Tracking) or
 * `{errorId, httpStatus, errorCode, message}` (HERE account). Anything else yields {}.
 */
export function readHereErrorBody(body: unknown): HereErrorInfo {
	let parsed: unknown = body;
	if (typeof body === 'string') {
		try {
			parsed = JSON.parse(body);
		} catch {
			return {};
		}
	}
	if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
	const data = parsed as JsonObject;
	const details = data.details;
	const detailsCode =
		details !== null && typeof details === 'object' && !Array.isArray(details)
			? asText((details as JsonObject).hereErrorCode)
			: undefined;
	return {
		message: asText(data.message) ?? asText(data.error),
		hereErrorCode: detailsCode ?? asText(data.errorCode),
		traceId: asText(data.id) ?? asText(data.errorId),
	};
}

/** "HERE error code 401306, trace id abc" — the part HERE support asks for. */
export function describeTrace(info: HereErrorInfo, requestId?: string): string {
	const parts: string[] = [];
	if (info.hereErrorCode) parts.push(`HERE error code ${info.hereErrorCode}`);
	if (info.traceId) parts.push(`trace id ${info.traceId}`);
	if (requestId) parts.push(`X-Request-Id ${requestId}`);
	return parts.join(', ');
}

/**
 * Words for network error codes. n8n replaces any error message that contains a raw code such
 * as ECONNREFUSED with a generic sentence, which would drop what we say about HERE; so messages
 * name the failure in words.
 */
export function describeNetworkFailure(code: string | undefined): string {
	switch (code) {
		case 'ECONNREFUSED':
			return 'connection refused';
		case 'ENOTFOUND':
			return 'host name not found';
		case 'EAI_AGAIN':
			return 'host name lookup failed';
		case 'ECONNRESET':
		case 'EPIPE':
		case 'UND_ERR_SOCKET':
			return 'connection closed before the answer was complete';
		case 'ETIMEDOUT':
		case 'ECONNABORTED':
		case 'ESOCKETTIMEDOUT':
		case 'UND_ERR_HEADERS_TIMEOUT':
		case 'UND_ERR_BODY_TIMEOUT':
		case 'ERR_SOCKET_CONNECTION_TIMEOUT':
			return 'no answer before the time-out';
		case 'EHOSTUNREACH':
		case 'ENETUNREACH':
			return 'host unreachable';
		default:
			return 'network error';
	}
}
