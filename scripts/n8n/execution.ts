/**
 * What `n8n execute --id=<id> --rawOutput` prints: the run (n8n's IRun) as JSON on success; on
 * failure n8n logs the same JSON after "Execution error:" and exits non-zero. Typed as far as
 * the tests read it.
 */

export interface RunItem {
	readonly json: Record<string, unknown>;
	readonly binary?: Record<string, { readonly fileName?: string; readonly mimeType?: string; readonly fileSize?: string; readonly id?: string }>;
}

export interface RunError {
	readonly message: string;
	readonly description?: string | null;
	readonly name?: string;
	readonly node?: { readonly name?: string };
	readonly context?: Record<string, unknown>;
}

export interface NodeRun {
	readonly executionStatus?: string;
	readonly error?: RunError;
	readonly data?: { readonly main?: ReadonlyArray<readonly RunItem[] | null> };
}

export interface IRunJson {
	readonly status?: string;
	readonly finished?: boolean;
	readonly mode?: string;
	readonly data: {
		readonly resultData: {
			readonly runData: Record<string, readonly NodeRun[]>;
			readonly error?: RunError;
			readonly lastNodeExecuted?: string;
		};
	};
}

/** The first top-level JSON object in a text ("{" alone on a line up to the matching "}"). */
export function extractRunJson(text: string): IRunJson | undefined {
	const lines = text.split('\n');
	const start = lines.findIndex((line) => line === '{');
	if (start < 0) return undefined;
	for (let end = start + 1; end < lines.length; end++) {
		if (lines[end] !== '}') continue;
		try {
			return JSON.parse(lines.slice(start, end + 1).join('\n')) as IRunJson;
		} catch {
			// A "}" line inside a string value: keep looking for the real end.
		}
	}
	return undefined;
}

export class Execution {
	constructor(
		readonly run: IRunJson,
		readonly exitCode: number,
		/** stdout and stderr of the CLI, for failure messages. */
		readonly log: string,
		readonly ms: number,
	) {}

	get status(): string {
		return this.run.status ?? (this.run.data.resultData.error ? 'error' : 'success');
	}

	get error(): RunError | undefined {
		return this.run.data.resultData.error;
	}

	/** Whether the node ran (at least once). */
	ran(node: string): boolean {
		return (this.run.data.resultData.runData[node]?.length ?? 0) > 0;
	}

	/** The items of a node's output (its last run), [] when it did not run or emitted nothing. */
	output(node: string, outputIndex = 0): readonly RunItem[] {
		const runs = this.run.data.resultData.runData[node];
		if (!runs?.length) return [];
		return runs[runs.length - 1].data?.main?.[outputIndex] ?? [];
	}

	json(node: string, outputIndex = 0): Array<Record<string, unknown>> {
		return this.output(node, outputIndex).map((item) => item.json);
	}

	nodeError(node: string): RunError | undefined {
		const runs = this.run.data.resultData.runData[node];
		return runs?.[runs.length - 1]?.error;
	}
}
