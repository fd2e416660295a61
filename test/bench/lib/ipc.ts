import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import * as path from 'node:path';

/**
 * A tiny request/answer protocol over a forked child's IPC channel. Each benchmark side (the
 * node in n8n-core, the reference client) and the emulator run in their own process, so that
 * one's CPU and memory never count for another's.
 */

interface Request {
	id: number;
	cmd: string;
	payload: unknown;
}

type Answer = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };

export type Handlers = Record<string, (payload: never) => Promise<unknown> | unknown>;

export interface ChildOptions {
	/** Extra flags for node (e.g. --expose-gc, --cpu-prof). */
	nodeFlags?: string[];
	env?: NodeJS.ProcessEnv;
}

export class Child {
	private nextId = 1;
	private readonly waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
	private exited: Error | undefined;

	private constructor(
		readonly name: string,
		private readonly process: ChildProcess,
	) {
		process.on('message', (message: Answer) => {
			const waiter = this.waiting.get(message.id);
			if (!waiter) return;
			this.waiting.delete(message.id);
			if (message.ok) waiter.resolve(message.value);
			else waiter.reject(new Error(`${name}: ${message.error}`));
		});
		process.on('exit', (code, signal) => {
			this.exited = new Error(`${name} exited (code ${code}, signal ${signal})`);
			for (const waiter of this.waiting.values()) waiter.reject(this.exited);
			this.waiting.clear();
		});
	}

	/** Forks `script` (a .ts file next to the bench) under tsx and waits for its `ready` answer. */
	static async start(name: string, script: string, options: ChildOptions = {}): Promise<Child> {
		const child = fork(path.resolve(__dirname, '..', script), [], {
			execArgv: ['--import', 'tsx', ...(options.nodeFlags ?? [])],
			env: { ...process.env, N8N_LOG_LEVEL: 'silent', ...options.env },
			stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
		});
		const handle = new Child(name, child);
		await handle.call('ready');
		return handle;
	}

	get pid(): number | undefined {
		return this.process.pid;
	}

	async call<T = unknown>(cmd: string, payload: unknown = {}): Promise<T> {
		if (this.exited) throw this.exited;
		const id = this.nextId++;
		return await new Promise<T>((resolve, reject) => {
			this.waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
			this.process.send({ id, cmd, payload } satisfies Request);
		});
	}

	/** Asks the child to exit and waits for it (profiles are written on a normal exit). */
	async stop(): Promise<void> {
		if (this.exited) return;
		const gone = new Promise<void>((resolve) => this.process.once('exit', () => resolve()));
		this.process.send({ id: 0, cmd: 'exit', payload: {} } satisfies Request);
		const timer = setTimeout(() => this.process.kill('SIGKILL'), 15_000);
		await gone;
		clearTimeout(timer);
	}
}

/** The child's side: answers requests with `handlers`; `ready` and `exit` are built in. */
export function serve(handlers: Handlers): void {
	process.on('message', async (message: Request) => {
		if (message.cmd === 'exit') {
			process.disconnect?.();
			// Let pending writes (profiles) finish.
			setImmediate(() => process.exit(0));
			return;
		}
		try {
			const handler = message.cmd === 'ready' ? () => true : handlers[message.cmd];
			if (!handler) throw new Error(`unknown command ${message.cmd}`);
			const value = await (handler as (payload: unknown) => unknown)(message.payload);
			process.send?.({ id: message.id, ok: true, value } satisfies Answer);
		} catch (error) {
			// n8n hands a node's error back as a plain object with a message, not always as an Error.
			const plain = (error as { message?: unknown } | undefined)?.message;
			const text = error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : typeof plain === 'string' ? plain : String(error);
			process.send?.({ id: message.id, ok: false, error: text } satisfies Answer);
		}
	});
	// The parent going away ends the child too.
	process.on('disconnect', () => process.exit(0));
}
