import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { loadPackage, PACKAGE_NAME } from '../harness/engine';

const root = path.resolve(__dirname, '..', '..');

function filesUnder(dir: string): string[] {
	return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
		const full = path.join(dir, entry.name);
		return entry.isDirectory() ? filesUnder(full) : [full];
	});
}

describe('the built package (dist/)', () => {
	const jsFiles = filesUnder(path.join(root, 'dist')).filter((file) => file.endsWith('.js'));

	test('has the entry points package.json names', () => {
		const { n8n } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
			n8n: { nodes: string[]; credentials: string[] };
		};
		for (const file of [...n8n.nodes, ...n8n.credentials]) expect(fs.existsSync(path.join(root, file))).toBe(true);
	});

	// What dist/ may require is n8n's scanner's verdict (scanner.test.ts). The scanner lets
	// devDependencies through because it expects them bundled: check that they are.
	test('bundles its devDependencies instead of requiring them', () => {
		const { devDependencies, peerDependencies } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
			devDependencies: Record<string, string>;
			peerDependencies: Record<string, string>;
		};
		const required = new Set<string>();
		for (const file of jsFiles) {
			for (const match of fs.readFileSync(file, 'utf8').matchAll(/\brequire\(\s*["'`]([^"'`]+)["'`]\s*\)/g)) required.add(match[1]);
		}
		expect(required.has('n8n-workflow')).toBe(true);
		const unbundled = Object.keys(devDependencies).filter((name) => !(name in peerDependencies));
		expect([...required].filter((name) => unbundled.some((dev) => name === dev || name.startsWith(`${dev}/`)))).toEqual([]);
	});

	test('n8n loads it from package.json with icons and codex', async () => {
		const loader = await loadPackage();
		expect(loader.packageName).toBe(PACKAGE_NAME);
		expect(Object.keys(loader.credentialTypes)).toEqual(['hereTrackingApi']);
		expect(Object.keys(loader.nodeTypes)).toContain('hereBulkJobs');
		for (const description of loader.types.nodes) {
			expect(description.iconUrl).toEqual({
				light: expect.stringMatching(/here\.svg$/),
				dark: expect.stringMatching(/here\.dark\.svg$/),
			});
			expect(description.codex?.categories?.length).toBeGreaterThan(0);
		}
		for (const file of ['here.svg', 'here.dark.svg']) {
			expect(fs.existsSync(path.join(root, 'dist', 'nodes', 'HereBulkJobs', file))).toBe(true);
		}
	});
});

describe('npm pack', () => {
	test('holds only dist/, the README, the LICENSE and package.json', () => {
		const output = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' });
		const [{ files }] = JSON.parse(output) as Array<{ files: Array<{ path: string }> }>;
		const paths = files.map((file) => file.path);
		expect(paths).toEqual(expect.arrayContaining(['package.json', 'README.md', 'LICENSE']));
		expect(paths.filter((file) => !['package.json', 'README.md', 'LICENSE'].includes(file) && !file.startsWith('dist/'))).toEqual([]);
		// No source maps or tests ride along.
		expect(paths.filter((file) => /\.map$|\.test\.|\.ts$/.test(file))).toEqual([]);
	});
});

describe('package.json, as n8n verification reads it', () => {
	test('repository, homepage, bugs and author name one GitHub repository; the license is MIT', () => {
		const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
			repository: { url: string };
			homepage: string;
			bugs: { url: string };
			author: { url: string };
			license: string;
		};
		const repository = /^git\+(https:\/\/github\.com\/[\w.-]+\/[\w.-]+)\.git$/.exec(pkg.repository.url)?.[1];
		expect(repository).toBeDefined();
		expect(pkg.homepage).toBe(`${repository}#readme`);
		expect(pkg.bugs.url).toBe(`${repository}/issues`);
		expect(repository?.startsWith(`${pkg.author.url}/`)).toBe(true);
		expect(pkg.license).toBe('MIT');
		expect(fs.readFileSync(path.join(root, 'LICENSE'), 'utf8')).toMatch(/^MIT License\n/);
	});
});
