/**
 * Jest reporter of the faults suite: prints one table of the figures every suite recorded
 * (see figures.ts) once all suites have run. It names the folder the suites write to before
 * any test worker starts, so the workers inherit it through their environment.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const DIR_VARIABLE = 'HERE_FAULTS_FIGURES_DIR';

/** [figure, column heading]; a dash means the suite does not measure it. */
const COLUMNS = [
	['runs', 'runs'],
	['succeeded', 'ok'],
	['failedClearly', 'clear err'],
	['failedUnclearly', 'unclear'],
	['faultsInjected', 'faults'],
	['jobsExpected', 'jobs exp'],
	['jobsCreated', 'created'],
	['jobsDuplicated', 'dup'],
	['rowsExpected', 'rows exp'],
	['rowsReturned', 'returned'],
	['rowsLost', 'lost'],
	['inputsTried', 'inputs'],
	['inputsRefusedClearly', 'refused'],
	['inputsAccepted', 'accepted'],
	['uploadsAfterFailedValidation', 'uploads*'],
	['leaksFound', 'leaks'],
];

function readLines(dir) {
	const lines = [];
	for (const file of fs.readdirSync(dir).filter((name) => name.endsWith('.jsonl')).sort()) {
		for (const text of fs.readFileSync(path.join(dir, file), 'utf8').split('\n')) {
			if (text.trim() !== '') lines.push(JSON.parse(text));
		}
	}
	return lines;
}

function formatMs(ms) {
	if (ms === undefined) return '-';
	return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}

function table(lines) {
	const rows = new Map();
	const notes = [];
	for (const line of lines) {
		let row = rows.get(line.suite);
		if (!row) {
			row = { suite: line.suite, figures: {}, ms: undefined };
			rows.set(line.suite, row);
		}
		for (const [name] of COLUMNS) {
			const value = line.figures[name];
			if (typeof value === 'number') row.figures[name] = (row.figures[name] ?? 0) + value;
		}
		if (typeof line.ms === 'number') row.ms = (row.ms ?? 0) + line.ms;
		if (line.note) notes.push(`${line.suite}: ${line.note}`);
	}
	const ordered = [...rows.values()].sort((a, b) => a.suite.localeCompare(b.suite));
	const total = { suite: 'TOTAL', figures: {}, ms: undefined };
	for (const row of ordered) {
		for (const [name] of COLUMNS) {
			if (row.figures[name] !== undefined) total.figures[name] = (total.figures[name] ?? 0) + row.figures[name];
		}
	}
	const header = ['suite', ...COLUMNS.map(([, heading]) => heading), 'time'];
	const cells = [...ordered, total].map((row) => [
		row.suite,
		...COLUMNS.map(([name]) => (row.figures[name] === undefined ? '-' : String(row.figures[name]))),
		row === total ? '' : formatMs(row.ms),
	]);
	const widths = header.map((heading, index) => Math.max(heading.length, ...cells.map((row) => row[index].length)));
	const render = (row) => row.map((cell, index) => (index === 0 ? cell.padEnd(widths[index]) : cell.padStart(widths[index]))).join('  ');
	const rule = widths.map((width) => '-'.repeat(width)).join('  ');
	return [
		'',
		'Reliability and security figures',
		rule,
		render(header),
		rule,
		...cells.slice(0, -1).map(render),
		rule,
		render(cells[cells.length - 1]),
		rule,
		'uploads* = uploads after a failed validation. clear err = ended with an error naming the request, the trace or request id and what to do.',
		...(notes.length > 0 ? ['', ...notes] : []),
		'',
	].join('\n');
}

class FaultFiguresReporter {
	constructor() {
		this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'here-faults-figures-'));
		process.env[DIR_VARIABLE] = this.dir;
	}

	onRunComplete() {
		try {
			const lines = readLines(this.dir);
			if (lines.length > 0) process.stdout.write(`${table(lines)}\n`);
			else process.stdout.write('\nReliability and security figures: no suite recorded any.\n');
		} finally {
			fs.rmSync(this.dir, { recursive: true, force: true });
		}
	}
}

module.exports = FaultFiguresReporter;
