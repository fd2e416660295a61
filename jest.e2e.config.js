/**
 * End-to-end tests in a real n8n (`npm run test:e2e`): provisions n8n into .n8n-e2e/ on first use.
 * Not part of `npm test` (whose testMatch is *.test.ts): these files are *.e2e.ts.
 * One file at a time: each runs n8n processes, and the machine has two cores.
 * @type {import('jest').Config}
 */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test/e2e'],
	testMatch: ['**/*.e2e.ts'],
	// Queue mode (Redis, a main and a worker) has its own run: npm run test:e2e:queue.
	testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/e2e/queue/'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
	},
	maxWorkers: 1,
	globalSetup: '<rootDir>/test/e2e/support/globalSetup.ts',
	// A cold provisioning (Node 24 + n8n, sqlite3 compiled) takes minutes; runs take seconds each.
	testTimeout: 20 * 60_000,
	verbose: true,
};
