#!/usr/bin/env node
/**
 * n8n's verification scan, offline: the two lint legs of `@n8n/scan-community-package` (its own
 * `analyzePackage`, file patterns and ESLint config) on the tarball `npm pack` makes and on the
 * source. The scanner's other legs (the npm provenance check and the downloads of the published
 * tarball and of the attested GitHub source) need the network; n8n runs them on a published version.
 *
 * Usage: node scripts/scan.mjs [PACKAGE_DIR]   (PACKAGE_DIR defaults to this repository; build
 * dist/ first). Exits 1 with the scanner's own report when either leg fails.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The patterns the scanner's `analyzePackageByName` gives the tarball leg. */
const TARBALL_FILE_PATTERNS = ['**/*.js', 'package.json'];

/** `npm pack`s packageDir and unpacks the tarball the way the scanner does; returns its folder. */
function packAndUnpack(packageDir, workDir) {
	const output = execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', workDir], {
		cwd: packageDir,
		encoding: 'utf8',
	});
	const [{ filename }] = JSON.parse(output);
	const unpacked = path.join(workDir, 'package');
	fs.mkdirSync(unpacked);
	execFileSync('tar', ['-xzf', path.join(workDir, filename), '-C', unpacked, '--strip-components=1']);
	return { filename, unpacked };
}

function report(label, result) {
	console.log(`${result.passed ? 'passed' : 'FAILED'}: ${label}${result.passed ? '' : `: ${result.message}`}`);
	if (result.details) console.log(result.details);
}

const packageDir = path.resolve(process.argv[2] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..'));
const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-scan-'));
// The scanner makes a temp folder for its downloads as it loads and leaves it behind: put it in ours.
process.env.TMPDIR = workDir;
// eslint-plugin-n8n-nodes-base reads file names as for its own tests when NODE_ENV is "test" (jest
// sets it), which fails sound files: scan as n8n does.
delete process.env.NODE_ENV;
const { analyzePackage, SOURCE_FILE_PATTERNS } = await import('@n8n/scan-community-package/scanner/scanner.mjs');
try {
	const { filename, unpacked } = packAndUnpack(packageDir, workDir);
	const tarball = await analyzePackage(unpacked, TARBALL_FILE_PATTERNS);
	report(`n8n scanner on the tarball ${filename} (${TARBALL_FILE_PATTERNS.join(', ')})`, tarball);
	const source = await analyzePackage(packageDir, SOURCE_FILE_PATTERNS);
	report(`n8n scanner on the source (${SOURCE_FILE_PATTERNS.join(', ')})`, source);
	process.exitCode = tarball.passed && source.passed ? 0 : 1;
} finally {
	fs.rmSync(workDir, { recursive: true, force: true });
}
