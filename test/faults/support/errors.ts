import { NodeApiError, NodeOperationError } from 'n8n-workflow';

/**
 * What the issue asks of an error that ends a run: a NodeApiError that names the request,
 * HERE's trace id (or, when HERE never answered, the request's X-Request-Id, which HERE support
 * can trace) and what to do. `judgeApiError` says which of these are missing.
 */
export interface Verdict {
	clear: boolean;
	missing: string[];
	kind: string;
	message: string;
}

type Described = Error & { description?: string | null; context?: Record<string, unknown> };

const REQUEST = /\bRequest: (GET|POST|PATCH|PUT|DELETE) \/\S+/;
const TRACE = /\btrace id \S+|\bX-Request-Id [0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\b/;
/** Advice a user can follow; every hint of the transport and of Create's partial-upload errors has one. */
const ADVICE = /\b(Check|check|Try again|try again|try later|List the jobs|look for a job|send these rows|do not send|do not upload|Use |Wait|Raise|[Rr]eplace|must be replaced|Lower)/;

export function errorText(error: unknown): string {
	const e = error as Described;
	return `${e?.message ?? String(error)}\n${e?.description ?? ''}`;
}

/**
 * The error's class. n8n keeps a failed run's error as a plain copy of its fields (WorkflowExecute
 * spreads it), so the class is read from `name`, which n8n's errors carry as their own field.
 */
export function errorKind(error: unknown): string {
	if (error instanceof NodeApiError) return 'NodeApiError';
	if (error instanceof NodeOperationError) return 'NodeOperationError';
	const name = (error as { name?: unknown })?.name;
	return typeof name === 'string' ? name : typeof error;
}

export function judgeApiError(error: unknown): Verdict {
	const e = error as Described;
	const missing: string[] = [];
	const kind = errorKind(error);
	if (kind !== 'NodeApiError') missing.push(`a NodeApiError (got ${kind})`);
	const text = errorText(error);
	if (!REQUEST.test(text)) missing.push('the request (method and path)');
	if (!TRACE.test(text)) missing.push("HERE's trace id or the X-Request-Id");
	if (!ADVICE.test(text)) missing.push('what to do');
	return { clear: missing.length === 0, missing, kind, message: (e?.message ?? String(error)).slice(0, 300) };
}
