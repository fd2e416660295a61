/**
 * The reference for a trigger poll that finds finished jobs (the latency bench): what the
 * trigger asks HERE, by hand with fetch: the list of final jobs, then for each new job its
 * status and its result pages, as many jobs at once as the trigger reads.
 */
import { FetchTransport, noLimit, ReferenceClient } from '../reference/client';
import type { Account, Outcome } from './scenarios';
import { NODE_CONCURRENCY } from './scenarios';

/** One status parameter per value, as the spec's query parameters take several (and as the node sends them). */
const FINAL = ['completed', 'failed', 'cancelled'].map((status) => `status=${status}`).join('&');

export async function referenceTriggerPoll(account: Account & { expected: number }): Promise<Outcome & { ms: number }> {
	const started = performance.now();
	const transport = new FetchTransport(account.baseUrl);
	const client = new ReferenceClient(account.baseUrl, NODE_CONCURRENCY, transport);
	await client.login(account.email, account.password);
	const jobIds: string[] = [];
	let pageToken: string | undefined;
	do {
		const query = `limit=100&${FINAL}${pageToken ? `&pageToken=${encodeURIComponent(pageToken)}` : ''}`;
		const page = await transport.call<{ items: Array<{ jobId: string }>; nextPageToken?: string }>(noLimit, 'GET', `/bulkjobs/v4/deviceUploads?${query}`);
		client.requests++;
		for (const job of page.items) jobIds.push(job.jobId);
		pageToken = page.nextPageToken || undefined;
	} while (pageToken);
	const count = (await client.statusAndResults(jobIds)).reduce((sum, rows) => sum + rows.length, 0);
	const ms = performance.now() - started;
	if (count !== account.expected) throw new Error(`reference trigger: ${count} of ${account.expected} results`);
	return { ms, count, requests: client.requests };
}
