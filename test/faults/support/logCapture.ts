import * as path from 'node:path';

import { LoggerProxy } from 'n8n-workflow';

/**
 * Everything the package (and n8n around it) logs while a test runs: n8n-core's Logger (what
 * `this.logger` is in a node), n8n-workflow's LoggerProxy, the console, and raw writes to
 * stdout/stderr. The lines are kept so the leak checks can search them.
 */
export interface LogLine {
	source: string;
	level: string;
	message: string;
	meta?: unknown;
}

export interface LogCapture {
	readonly lines: LogLine[];
	stop(): void;
}

type Method = (message: string, meta?: unknown) => void;
interface CapturingLogger {
	error: Method;
	warn: Method;
	info: Method;
	debug: Method;
	verbose: Method;
	scoped(): CapturingLogger;
}

export function captureLogs(): LogCapture {
	const lines: LogLine[] = [];
	const logger = (source: string): CapturingLogger => {
		const at = (level: string): Method => (message, meta) => lines.push({ source, level, message: String(message), meta });
		const self: CapturingLogger = { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug'), verbose: at('verbose'), scoped: () => self };
		return self;
	};

	// n8n-core's own copies of @n8n/di and @n8n/backend-common hold the Logger nodes get.
	const core = path.dirname(require.resolve('n8n-core'));
	const { Container } = require(require.resolve('@n8n/di', { paths: [core] })) as { Container: { set(type: unknown, value: unknown): void; get(type: unknown): unknown } };
	const { Logger } = require(require.resolve('@n8n/backend-common', { paths: [core] })) as { Logger: unknown };
	let previous: unknown;
	try {
		previous = Container.get(Logger);
	} catch {
		previous = undefined;
	}
	Container.set(Logger, logger('n8n-core Logger'));
	LoggerProxy.init(logger('LoggerProxy') as never);

	const consoleMethods = ['log', 'info', 'warn', 'error', 'debug'] as const;
	const originalConsole = consoleMethods.map((name) => console[name]);
	for (const name of consoleMethods) {
		console[name] = (...args: unknown[]) => lines.push({ source: 'console', level: name, message: args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ') });
	}
	const streams = [process.stdout, process.stderr];
	const originalWrites = streams.map((stream) => stream.write);
	streams.forEach((stream, index) => {
		stream.write = ((chunk: unknown, ...rest: unknown[]) => {
			lines.push({ source: index === 0 ? 'stdout' : 'stderr', level: 'write', message: String(chunk) });
			return (originalWrites[index] as (...args: unknown[]) => boolean).call(stream, chunk, ...rest);
		}) as typeof stream.write;
	});

	return {
		lines,
		stop() {
			consoleMethods.forEach((name, index) => (console[name] = originalConsole[index]));
			streams.forEach((stream, index) => (stream.write = originalWrites[index]));
			if (previous !== undefined) Container.set(Logger, previous);
		},
	};
}
