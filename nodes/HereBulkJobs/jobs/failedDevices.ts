import { escapeHtml, htmlList } from '../editorText';
import type { HereContext } from '../transport';
import { hereRequest } from '../transport';
import type { Scope } from './api';
import { describeRowError, rowOutcome } from './resultItems';
import type { ResultRow, ResultsPage } from './wire';

/**
 * HERE's reasons for a job's failed devices, as errors show them: the first few failed devices
 * by name (or key) with HERE's error, then how many more failed. Never the deviceSecret.
 */

/** An error names this many failed devices; the rest are counted. */
export const MAX_FAILED_DEVICES_NAMED = 5;

/** The device as a person knows it: its name, else the id the job used. */
function deviceLabel(row: ResultRow): string {
	if (row.name) return `"${row.name}"`;
	if (row.externalId) return `externalId ${row.externalId}`;
	if (row.trackingId) return `trackingId ${row.trackingId}`;
	if (row.externalDeviceId) return `externalDeviceId ${row.externalDeviceId}`;
	if (row.deviceId) return `deviceId ${row.deviceId}`;
	return 'a device';
}

/**
 * One plain line per failed device among `rows` (at most MAX_FAILED_DEVICES_NAMED), then
 * "and N more failed devices" when the job has more failures than named (`failedTotal`, from
 * the job's figures). [] when the rows hold no failed device.
 */
export function failedDeviceLines(rows: readonly ResultRow[], failedTotal: number): string[] {
	const lines: string[] = [];
	for (const row of rows) {
		if (lines.length === MAX_FAILED_DEVICES_NAMED) break;
		if (rowOutcome(row) === 'failed') lines.push(`${deviceLabel(row)}: ${(row.errors ?? []).map(describeRowError).join('; ')}`);
	}
	const rest = Math.max(0, failedTotal - lines.length);
	if (lines.length > 0 && rest > 0) lines.push(`and ${rest} more failed ${rest === 1 ? 'device' : 'devices'}`);
	return lines;
}

/** The reasons as description HTML: a heading and one failed device per line. */
export function failedDevicesHtml(lines: readonly string[]): string {
	return lines.length === 0 ? '' : `HERE's reasons for the failed devices:${htmlList(lines.map(escapeHtml))}`;
}

/**
 * The first results page of a job (one request, with the transport's usual retries): enough to
 * name the first failed devices in an error without reading a large job's every result.
 */
export async function firstResultsPage(context: HereContext, jobId: string, scope: Scope): Promise<ResultRow[]> {
	const page = await hereRequest<ResultsPage>(context, {
		method: 'GET',
		path: `/bulkjobs/v4/deviceUploads/${encodeURIComponent(jobId)}/results`,
		qs: { limit: 100 },
		projectId: scope.projectId,
		action: `Get the results of job ${jobId}`,
		itemIndex: scope.itemIndex,
	});
	return Array.isArray(page?.items) ? page.items : [];
}
