/**
 * Build steps that `tsc` does not do. `tsc --noEmit` type-checks (see `npm run build`);
 * esbuild then bundles each entry point n8n loads, so that devDependencies such as
 * csv-parse ship inside dist/ and dist/ requires nothing but n8n-workflow and Node built-ins.
 */
const { src, dest, series, parallel } = require('gulp');
const esbuild = require('esbuild');
const fs = require('node:fs');

const entryPoints = [
	'credentials/HereTrackingApi.credentials.ts',
	'nodes/HereBulkJobs/HereBulkJobs.node.ts',
	'nodes/HereBulkJobs/HereBulkJobsTrigger.node.ts',
];

async function clean() {
	await fs.promises.rm('dist', { recursive: true, force: true });
}

async function bundle() {
	await esbuild.build({
		entryPoints,
		outbase: '.',
		outdir: 'dist',
		bundle: true,
		platform: 'node',
		target: 'node20',
		format: 'cjs',
		// n8n provides n8n-workflow at run time (a peerDependency); everything else is inlined.
		external: ['n8n-workflow'],
		// Keep the output readable for users who debug a workflow; no source maps, so no
		// source text (or anything pasted into it) ships twice.
		minify: false,
		sourcemap: false,
		legalComments: 'inline',
		logLevel: 'warning',
	});
}

function copyAssets() {
	return src(['nodes/**/*.svg', 'nodes/**/*.node.json', 'credentials/**/*.svg'], {
		base: '.',
		encoding: false,
	}).pipe(dest('dist'));
}

exports.clean = clean;
exports.build = series(clean, parallel(bundle, copyAssets));
exports.default = exports.build;
