import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// `npm run scan` (scripts/scan.mjs): n8n's scanner, offline, on the packed tarball and the source.
const root = path.resolve(__dirname, '..', '..');
// Each run packs a tarball and starts ESLint with the scanner's config: generous on a busy machine.
const SCAN_TEST_TIMEOUT_MS = 180_000;

function scan(packageDir = root): { status: number | null; output: string } {
	const run = spawnSync(process.execPath, [path.join(root, 'scripts', 'scan.mjs'), packageDir], { encoding: 'utf8' });
	return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

/** A package like ours whose node bundle is `bundle`: package.json is the real one. */
function fixturePackage(bundle: string): string {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scan-fixture-'));
	fs.copyFileSync(path.join(root, 'package.json'), path.join(dir, 'package.json'));
	const nodeFile = path.join(dir, 'dist', 'nodes', 'HereBulkJobs', 'HereBulkJobs.node.js');
	fs.mkdirSync(path.dirname(nodeFile), { recursive: true });
	fs.writeFileSync(nodeFile, bundle);
	return dir;
}

const cleanBundle = [
	'"use strict";',
	'const { NodeOperationError } = require("n8n-workflow");',
	'const crypto = require("node:crypto");',
	'exports.requestId = () => crypto.randomUUID();',
	'exports.NodeOperationError = NodeOperationError;',
	'',
].join('\n');
// What the bundled csv-parse stream parser brought in: line 6 requires Node's stream.
const streamBundle = `${cleanBundle}const { Transform } = require("stream");\nexports.Transform = Transform;\n`;

describe("n8n's scanner (npm run scan)", () => {
	const fixtures: string[] = [];
	afterAll(() => {
		for (const dir of fixtures) fs.rmSync(dir, { recursive: true, force: true });
	});

	test(
		'passes the packed tarball and the source of this package',
		() => {
			const { status, output } = scan();
			expect(output).not.toContain('FAILED');
			expect(output).toContain('passed: n8n scanner on the tarball n8n-nodes-here-tracking-');
			expect(output).toContain('passed: n8n scanner on the source');
			expect(status).toBe(0);
		},
		SCAN_TEST_TIMEOUT_MS,
	);

	test(
		'passes a bundle that requires only n8n-workflow and crypto',
		() => {
			fixtures.push(fixturePackage(cleanBundle));
			const { status, output } = scan(fixtures.at(-1));
			expect(output).not.toContain('FAILED');
			expect(status).toBe(0);
		},
		SCAN_TEST_TIMEOUT_MS,
	);

	test(
		"fails a bundle that requires Node's stream, with the scanner's message",
		() => {
			fixtures.push(fixturePackage(streamBundle));
			const { status, output } = scan(fixtures.at(-1));
			expect(status).toBe(1);
			expect(output).toMatch(/FAILED: n8n scanner on the tarball n8n-nodes-here-tracking-\S+\.tgz \(\*\*\/\*\.js, package\.json\): ESLint violations found/);
			expect(output).toMatch(
				/dist\/nodes\/HereBulkJobs\/HereBulkJobs\.node\.js\n\s+6:\d+\s+error\s+Require of 'stream' is not allowed\. n8n Cloud does not allow community nodes with dependencies\s+@n8n\/community-nodes\/no-restricted-imports/,
			);
			// The source leg has only package.json here, and it passes: the failure is the bundle's.
			expect(output).toContain('passed: n8n scanner on the source');
		},
		SCAN_TEST_TIMEOUT_MS,
	);
});
