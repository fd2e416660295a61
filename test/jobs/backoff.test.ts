import { DEFAULT_WAIT, MIN_POLL_INTERVAL_MS, nextPollDelayMs, normalizeWaitSettings, pollSchedule } from '../../nodes/HereBulkJobs/jobs/waitForJob';
import type { WaitSettings } from '../../nodes/HereBulkJobs/jobs/waitForJob';
import { waitProperties } from '../../nodes/HereBulkJobs/actions/results.descriptions';

const settings = (overrides: Partial<WaitSettings> = {}): WaitSettings => ({ ...DEFAULT_WAIT, ...overrides });

test('the defaults are 1 s, 30 s, 10 min and fail on unsuccessful jobs', () => {
	expect(DEFAULT_WAIT).toEqual({ pollIntervalMs: 1000, maxPollIntervalMs: 30_000, timeoutMs: 600_000, failOnUnsuccessful: true });
});

test('the Wait Options defaults shown to users are DEFAULT_WAIT in seconds and minutes', () => {
	const options = Object.fromEntries((waitProperties[0].options as Array<{ name: string; default: unknown }>).map((o) => [o.name, o.default]));
	expect(options.pollInterval).toBe(DEFAULT_WAIT.pollIntervalMs / 1000);
	expect(options.maxPollInterval).toBe(DEFAULT_WAIT.maxPollIntervalMs / 1000);
	expect(options.timeout).toBe(DEFAULT_WAIT.timeoutMs / 60_000);
	expect(options.outputUnsuccessfulJobs).toBe(false);
});

test('the pause starts at the poll interval and doubles up to the cap', () => {
	const s = settings({ pollIntervalMs: 1000, maxPollIntervalMs: 30_000 });
	const delays: number[] = [];
	let previous: number | undefined;
	for (let i = 0; i < 8; i++) {
		previous = nextPollDelayMs(previous, s, Number.POSITIVE_INFINITY);
		delays.push(previous);
	}
	expect(delays).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
});

test('the last pause is shortened so that it ends at the deadline', () => {
	expect(nextPollDelayMs(8000, settings(), 5000)).toBe(5000);
	expect(nextPollDelayMs(undefined, settings(), 300)).toBe(300);
	expect(nextPollDelayMs(undefined, settings(), -5)).toBe(0);
});

test('the schedule of a job that never finishes sums to exactly the timeout', () => {
	const schedule = pollSchedule({ pollIntervalMs: 1000, maxPollIntervalMs: 30_000, timeoutMs: 600_000, failOnUnsuccessful: true });
	expect(schedule.slice(0, 6)).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000]);
	expect(schedule.reduce((a, b) => a + b, 0)).toBe(600_000);
	// 31 s of doubling, then 30 s pauses, the last one cut to the deadline: 24 pauses, 25 status checks.
	expect(schedule).toHaveLength(24);
	expect(schedule[schedule.length - 1]).toBe(600_000 - 31_000 - 18 * 30_000);
	for (const delay of schedule) expect(delay).toBeLessThanOrEqual(30_000);
});

test('bad settings cannot make a busy or endless loop', () => {
	const safe = normalizeWaitSettings({ pollIntervalMs: 0, maxPollIntervalMs: -1, timeoutMs: Number.NaN, failOnUnsuccessful: true });
	expect(safe.pollIntervalMs).toBe(MIN_POLL_INTERVAL_MS);
	expect(safe.maxPollIntervalMs).toBe(MIN_POLL_INTERVAL_MS);
	expect(safe.timeoutMs).toBe(DEFAULT_WAIT.timeoutMs);
	expect(normalizeWaitSettings(settings({ maxPollIntervalMs: 10 })).maxPollIntervalMs).toBe(1000);
	expect(pollSchedule({ pollIntervalMs: 0, maxPollIntervalMs: 0, timeoutMs: 1000, failOnUnsuccessful: true }).length).toBeLessThanOrEqual(100);
	expect(pollSchedule(settings({ timeoutMs: 0 }))).toEqual([]);
});
