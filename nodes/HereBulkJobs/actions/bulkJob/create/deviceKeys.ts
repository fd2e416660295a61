import type { JobType } from '../../../jobs/wire';

/**
 * The keys under which HERE's result row names a device, and under which an input row is
 * found again: add jobs by name (unique in a project), delete jobs by tracking, external or
 * connector id. Used to pair results with input rows and to recognise devices of earlier jobs.
 */
export function keysOf(row: object, jobType: JobType): string[] {
	const fields = row as Record<string, unknown>;
	const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
	if (jobType === 'create') {
		const name = text(fields.name);
		return name === undefined ? [] : [`n\u0000${name}`];
	}
	const keys: string[] = [];
	const trackingId = text(fields.trackingId);
	const externalId = text(fields.externalId);
	const connectorId = text(fields.connectorId);
	const externalDeviceId = text(fields.externalDeviceId);
	if (trackingId !== undefined) keys.push(`t\u0000${trackingId}`);
	if (externalId !== undefined) keys.push(`e\u0000${externalId}`);
	if (connectorId !== undefined && externalDeviceId !== undefined) keys.push(`c\u0000${connectorId}\u0000${externalDeviceId}`);
	return keys;
}
