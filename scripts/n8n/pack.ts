import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { say } from './log';
import { cleanEnv, run } from './process';
import { CACHE_DIR, REPO_ROOT } from './paths';

interface PackageJson {
	readonly name: string;
	readonly version: string;
	readonly n8n: { readonly nodes: readonly string[]; readonly credentials: readonly string[] };
}

export function packageJson(): PackageJson {
	return JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as PackageJson;
}

/** Builds dist/ (esbuild bundle, icons, codex files): about a second. */
export async function build(): Promise<void> {
	say('building the package (gulp build)');
	const gulp = join(REPO_ROOT, 'node_modules', 'gulp', 'bin', 'gulp.js');
	const result = await run(process.execPath, [gulp, 'build'], { cwd: REPO_ROOT, env: cleanEnv(), timeoutMs: 120_000 });
	if (result.code !== 0) throw new Error(`gulp build failed:\n${result.stdout}\n${result.stderr}`);
}

/**
 * `npm pack`s the built package, exactly what `npm publish` would upload, so n8n gets what users
 * get. Returns the tarball's path.
 */
export async function pack(): Promise<string> {
	const pkg = packageJson();
	for (const file of [...pkg.n8n.nodes, ...pkg.n8n.credentials]) {
		if (!existsSync(join(REPO_ROOT, file))) throw new Error(`${file} (named in package.json "n8n") is missing: build first (npm run build)`);
	}
	const destination = join(CACHE_DIR, 'pack');
	mkdirSync(destination, { recursive: true });
	const result = await run('npm', ['pack', '--json', '--pack-destination', destination], { cwd: REPO_ROOT, env: cleanEnv(), timeoutMs: 120_000 });
	if (result.code !== 0) throw new Error(`npm pack failed:\n${result.stderr}`);
	const [info] = JSON.parse(result.stdout) as Array<{ filename: string; files: unknown[] }>;
	const tarball = join(destination, info.filename);
	say(`packed ${pkg.name}@${pkg.version}: ${info.files.length} files`);
	return tarball;
}
