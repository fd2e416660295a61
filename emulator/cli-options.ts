/**
 * `npm run emulator -- ...` flags → emulator options. The performance models stay off unless a
 * flag turns them on:
 *   --port N                      (else HERE_EMULATOR_PORT, else 8480)
 *   --latency MS  --jitter 0.1  --bandwidth MBPS  --handshake 2    the latency model
 *   --devices-per-second N  --parallel-jobs N             the processing rate (timer mode)
 *   --rate-limit  --max-in-flight N  --max-per-second N  --no-retry-after    the rate limiter
 */
import type { EmulatorOptions } from './index';
import { DEFAULT_RATE_LIMIT } from './rate-limit';

export const DEFAULT_PORT = 8480;
/** The emulator's processing rate when only --parallel-jobs is given. */
const DEFAULT_DEVICES_PER_SECOND = 500;

export type CliOptions = EmulatorOptions & { port: number };

export function optionsFromArgs(argv: string[], env: NodeJS.ProcessEnv = {}): CliOptions {
	const value = (flag: string): string | undefined => {
		const index = argv.findIndex((arg) => arg === flag || arg.startsWith(`${flag}=`));
		if (index < 0) return undefined;
		return argv[index].includes('=') ? argv[index].slice(flag.length + 1) : argv[index + 1];
	};
	const number = (flag: string, text = value(flag)): number | undefined => {
		if (text === undefined || text === '') return undefined;
		const parsed = Number(text);
		if (!Number.isFinite(parsed) || parsed < 0) throw new RangeError(`${flag} needs a non-negative number, got "${text}"`);
		return parsed;
	};
	const port = number('--port', value('--port') ?? env.HERE_EMULATOR_PORT) ?? DEFAULT_PORT;
	if (!Number.isInteger(port) || port > 65535) throw new RangeError(`invalid port "${port}"`);
	const options: CliOptions = { port };

	const roundTripMs = number('--latency');
	if (roundTripMs !== undefined) {
		options.latency = { roundTripMs, jitter: number('--jitter'), bandwidthMbps: number('--bandwidth'), handshakeRoundTrips: number('--handshake') };
	}

	const devicesPerSecond = number('--devices-per-second');
	const parallelJobs = number('--parallel-jobs');
	if (devicesPerSecond !== undefined || parallelJobs !== undefined) {
		options.processing = { mode: 'timer', devicesPerSecond: devicesPerSecond ?? DEFAULT_DEVICES_PER_SECOND, ...(parallelJobs === undefined ? {} : { parallelJobs }) };
	}

	const maxInFlight = number('--max-in-flight');
	const maxPerSecond = number('--max-per-second');
	if (argv.includes('--rate-limit') || maxInFlight !== undefined || maxPerSecond !== undefined) {
		options.rateLimit = {
			maxInFlight: maxInFlight ?? DEFAULT_RATE_LIMIT.maxInFlight,
			maxPerSecond: maxPerSecond ?? DEFAULT_RATE_LIMIT.maxPerSecond,
			retryAfter: !argv.includes('--no-retry-after'),
		};
	}
	return options;
}
