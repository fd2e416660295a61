/** Reason phrases as HERE writes them in the `error` field (the spec's examples: "Bad request", "Not Found"). */
const REASONS: Record<number, string> = {
	400: 'Bad request',
	401: 'Unauthorized',
	403: 'Forbidden',
	404: 'Not Found',
	405: 'Method Not Allowed',
	412: 'Precondition Failed',
	413: 'Payload Too Large',
	429: 'Too Many Requests',
	500: 'Internal Server Error',
	502: 'Bad Gateway',
	503: 'Service Unavailable',
};

export function reasonPhrase(status: number): string {
	return REASONS[status] ?? 'Error';
}

/** The spec's examples use 400306, 401306, ...: the status followed by the service's suffix. */
export function hereErrorCode(status: number): number {
	return status * 1000 + 306;
}

/** Extra, machine-readable facts about a refused upload (which row, which field). */
export interface ErrorDetails {
	row?: number;
	field?: string;
	line?: number;
}

/** The Tracking error body: `{code, error, id, message, details: {hereErrorCode}}`. */
export interface TrackingErrorBody {
	code: number;
	error: string;
	id: string;
	message: string;
	details: { hereErrorCode: number } & ErrorDetails;
}

/** The HERE account service's error body (login failures). */
export interface AccountErrorBody {
	errorId: string;
	httpStatus: number;
	errorCode: number;
	message: string;
}

/**
 * Thrown by handlers; the server turns it into a response. `shape: 'account'` is used only for
 * login failures, which HERE answers from its account service in a different shape.
 */
export class ApiError extends Error {
	constructor(
		readonly status: number,
		message: string,
		readonly details: ErrorDetails = {},
		readonly shape: 'tracking' | 'account' = 'tracking',
		readonly headers: Record<string, string> = {},
	) {
		super(message);
	}
}

export function trackingErrorBody(status: number, message: string, traceId: string, details: ErrorDetails = {}): TrackingErrorBody {
	return {
		code: status,
		error: reasonPhrase(status),
		id: traceId,
		message,
		details: { hereErrorCode: hereErrorCode(status), ...details },
	};
}

export function accountErrorBody(status: number, message: string, traceUuid: string): AccountErrorBody {
	// HERE account error codes are the status followed by a three-digit reason (401300: bad credentials).
	return { errorId: `ERROR-${traceUuid}`, httpStatus: status, errorCode: status * 1000 + 300, message };
}

export const badRequest = (message: string, details?: ErrorDetails): ApiError => new ApiError(400, message, details);
export const unauthorized = (message = 'The provided credentials are not valid.'): ApiError => new ApiError(401, message);
export const forbidden = (message: string): ApiError => new ApiError(403, message);
export const notFound = (message = 'The specified resource was not found.'): ApiError => new ApiError(404, message);
export const preconditionFailed = (message: string): ApiError => new ApiError(412, message);
