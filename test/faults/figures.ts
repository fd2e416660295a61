import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The suite's figures. Every faults suite records what it did here; the jest reporter
 * (figuresReporter.js) adds them up per suite and prints one table when the run ends.
 *
 * Suites run in several jest worker processes, so the figures travel through files: each
 * process appends JSON lines to its own file in the folder the reporter named in
 * HERE_FAULTS_FIGURES_DIR. Without that variable (a suite run on its own with another config),
 * the figures are printed when the process records them.
 */

export interface Figures {
	/** Workflow runs (or pipeline runs) made. */
	runs: number;
	/** Runs that ended with the expected output. */
	succeeded: number;
	/** Runs that ended with an error naming the request, HERE's trace (or request) id and what to do. */
	failedClearly: number;
	/** Runs that ended any other way: each is a finding. */
	failedUnclearly: number;
	faultsInjected: number;
	jobsExpected: number;
	jobsCreated: number;
	jobsDuplicated: number;
	rowsExpected: number;
	rowsReturned: number;
	rowsLost: number;
	inputsTried: number;
	inputsRefusedClearly: number;
	/** Valid inputs (fuzzing, odd-but-valid variants) that were accepted and taken by HERE. */
	inputsAccepted: number;
	uploadsAfterFailedValidation: number;
	leaksFound: number;
}

export const FIGURE_NAMES: ReadonlyArray<keyof Figures> = [
	'runs',
	'succeeded',
	'failedClearly',
	'failedUnclearly',
	'faultsInjected',
	'jobsExpected',
	'jobsCreated',
	'jobsDuplicated',
	'rowsExpected',
	'rowsReturned',
	'rowsLost',
	'inputsTried',
	'inputsRefusedClearly',
	'inputsAccepted',
	'uploadsAfterFailedValidation',
	'leaksFound',
];

export interface FigureLine {
	/** The table row: a suite or one flow of it, e.g. "faults: create 2,500 devices". */
	suite: string;
	figures: Partial<Figures>;
	/** Wall-clock milliseconds this part took. */
	ms?: number;
	/** One line of context printed under the table (e.g. which faults were drawn). */
	note?: string;
}

export const FIGURES_DIR_VARIABLE = 'HERE_FAULTS_FIGURES_DIR';

/** Records figures for a table row; several records for one row are added up. */
export function recordFigures(line: FigureLine): void {
	const dir = process.env[FIGURES_DIR_VARIABLE];
	if (dir === undefined || dir === '' || !fs.existsSync(dir)) {
		process.stdout.write(`figures ${line.suite}: ${JSON.stringify(line.figures)}${line.note ? ` (${line.note})` : ''}\n`);
		return;
	}
	fs.appendFileSync(path.join(dir, `${process.pid}.jsonl`), `${JSON.stringify(line)}\n`);
}

/** Adds figures up (for a suite that keeps a running total before recording). */
export function addFigures(into: Partial<Figures>, more: Partial<Figures>): Partial<Figures> {
	for (const name of FIGURE_NAMES) {
		const value = more[name];
		if (value !== undefined) into[name] = (into[name] ?? 0) + value;
	}
	return into;
}
