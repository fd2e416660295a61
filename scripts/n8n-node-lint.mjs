#!/usr/bin/env node
/**
 * `n8n-node lint` (strict mode: it first checks that eslint.config.mjs is n8n's default) on what
 * this package ships and n8n attests: package.json, nodes/ and credentials/. Run at the repository
 * root, `n8n-node lint` lints every `*.ts` below it, and the emulator, tests and scripts use
 * Node's http, fs and child_process on purpose; so it runs in a copy of the shipped tree that
 * shares this repository's node_modules.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SHIPPED_SOURCE = ['package.json', 'eslint.config.mjs', 'tsconfig.json', 'nodes', 'credentials'];

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-node-lint-'));
try {
	for (const entry of SHIPPED_SOURCE) fs.cpSync(path.join(root, entry), path.join(stage, entry), { recursive: true });
	fs.symlinkSync(path.join(root, 'node_modules'), path.join(stage, 'node_modules'), 'dir');
	const lint = spawnSync(path.join(root, 'node_modules', '.bin', 'n8n-node'), ['lint'], { cwd: stage, stdio: 'inherit' });
	if (lint.error) throw lint.error;
	process.exitCode = lint.status ?? 1;
	if (lint.status === 0) console.log(`n8n-node lint passed on ${SHIPPED_SOURCE.join(', ')}`);
} finally {
	fs.rmSync(stage, { recursive: true, force: true });
}
