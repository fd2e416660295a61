/**
 * The schedule limit of the latency benchmark: the least time any client could take for a
 * scenario's work under HERE's rules as the emulator models them, computed from the work and the
 * model's parameters (never measured). The rules: at most 1000 devices an upload; results and
 * listings come 100 a page, the pages of one job (or one listing) one after another, because each
 * page's token comes from the previous one; a job's results are complete once HERE has processed
 * it, at `devicesPerSecond` a job with at most `parallelJobs` jobs at once; at most `maxInFlight`
 * requests in flight and `maxPerSecond` a second; a new connection first costs
 * `handshakeRoundTrips` (TCP and TLS), once, as the ideal client opens its connections while it
 * logs in and keeps them. The limit is the largest of the lower bounds each rule sets (critical
 * path of round trips, processing, request rate, requests in flight).
 */

export interface NetworkModel {
	roundTripMs: number;
	handshakeRoundTrips: number;
	bandwidthMbps: number;
	devicesPerSecond: number;
	parallelJobs: number;
	maxInFlight: number;
	maxPerSecond: number;
}

/**
 * The same rules for a client that opens a new connection for every request, as n8n's HTTP
 * helper does: every round trip carries the connection set-up too. Not a target: it shows how
 * much of the gap to the limit is the connections, which a community node cannot change.
 */
export function newConnectionPerRequest(model: NetworkModel): NetworkModel {
	return { ...model, roundTripMs: model.roundTripMs * (1 + model.handshakeRoundTrips), handshakeRoundTrips: 0 };
}

/** Bytes of one results row and one listed device on the wire (JSON, about what the emulator answers). */
export const RESULT_ROW_BYTES = 150;
export const LISTED_DEVICE_BYTES = 330;
const PAGE = 100;

export function transferMs(model: NetworkModel, bytes: number): number {
	return (bytes * 8) / (model.bandwidthMbps * 1000);
}

/** Logging in on a new connection: the first thing every scenario does. */
function loginMs(model: NetworkModel): number {
	return (1 + model.handshakeRoundTrips) * model.roundTripMs;
}

/** One round trip carrying `bytes` of body one way. */
function trip(model: NetworkModel, bytes = 0): number {
	return model.roundTripMs + transferMs(model, bytes);
}

/** Requests can go no faster than the rate limit allows, nor than `maxInFlight` round trips at a time. */
function throughputMs(model: NetworkModel, requests: number, tripMs = model.roundTripMs): number {
	return Math.max(((requests - 1) / model.maxPerSecond) * 1000, Math.ceil(requests / model.maxInFlight) * tripMs);
}

/** When each job is finished, HERE working on `parallelJobs` at once in arrival order. */
export function finishTimes(model: NetworkModel, arrivals: number[], devicesPerJob: number): number[] {
	const slots = Array.from({ length: model.parallelJobs }, () => 0);
	const jobMs = (devicesPerJob / model.devicesPerSecond) * 1000;
	return arrivals.map((arrival) => {
		const slot = slots.indexOf(Math.min(...slots));
		slots[slot] = Math.max(arrival, slots[slot]) + jobMs;
		return slots[slot];
	});
}

/**
 * Reading every result of jobs that finish at `finishedAt`: a status request that arrives as the
 * last one finishes (half a round trip back), then its pages one after another; pages of
 * different jobs in parallel as far as the rate limit lets them.
 */
function readAfterMs(model: NetworkModel, finishedAt: number[], devicesPerJob: number): number {
	const last = Math.max(...finishedAt);
	const pages = Math.ceil(devicesPerJob / PAGE);
	const chain = model.roundTripMs / 2 + pages * trip(model, PAGE * RESULT_ROW_BYTES);
	const lastWave = finishedAt.filter((at) => at === last).length;
	return last + Math.max(chain, throughputMs(model, lastWave * (pages + 1)));
}

/** Onboard `devices` from one CSV: log in, upload jobs of 1000, wait, read every result. */
export function onboardLimit(model: NetworkModel, devices: number, uploadBytes: number): number {
	const jobs = Math.ceil(devices / 1000);
	const login = loginMs(model);
	const upload = trip(model, uploadBytes);
	// Upload i leaves as soon as the rate limit and the in-flight limit let it, and reaches HERE half a trip later.
	const arrivals = Array.from({ length: jobs }, (_, i) => login + Math.max((i / model.maxPerSecond) * 1000, Math.floor(i / model.maxInFlight) * upload) + upload - model.roundTripMs / 2);
	const done = readAfterMs(model, finishTimes(model, arrivals, 1000), 1000);
	const requests = 1 + jobs * (2 + Math.ceil(1000 / PAGE));
	return Math.max(done, login + throughputMs(model, requests));
}

/** Wait for Completion of `jobs` jobs queued at time 0, then read their results. */
export function waitLimit(model: NetworkModel, jobs: number, devicesPerJob: number): number {
	const done = readAfterMs(model, finishTimes(model, Array.from({ length: jobs }, () => 0), devicesPerJob), devicesPerJob);
	const requests = 1 + jobs * (1 + Math.ceil(devicesPerJob / PAGE));
	return Math.max(done, loginMs(model) + throughputMs(model, requests));
}

/** Status and every result of `jobs` finished jobs: log in, then each job's pages in sequence, jobs in parallel. */
export function resultsLimit(model: NetworkModel, jobs: number, devicesPerJob: number): number {
	const pages = Math.ceil(devicesPerJob / PAGE);
	const chain = pages * trip(model, PAGE * RESULT_ROW_BYTES);
	return loginMs(model) + Math.max(chain, throughputMs(model, jobs * (pages + 1)));
}

/** One trigger poll that finds `jobs` finished jobs: log in, list them, then each job's status and pages. */
export function triggerLimit(model: NetworkModel, jobs: number, devicesPerJob: number): number {
	const listPages = Math.ceil(jobs / PAGE);
	return listPages * model.roundTripMs + resultsLimit(model, jobs, devicesPerJob);
}

/** A sync plan: log in, then the project's device listing, 100 a page, one page after another. */
export function syncPlanLimit(model: NetworkModel, devices: number): number {
	const pages = Math.ceil(devices / PAGE);
	const chain = pages * trip(model, PAGE * LISTED_DEVICE_BYTES);
	return loginMs(model) + Math.max(chain, throughputMs(model, pages));
}
