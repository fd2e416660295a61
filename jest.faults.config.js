/**
 * The reliability and security suite (`npm run test:faults`): faults at scale, the bad-input
 * corpus, fuzzing and secret canaries. Kept out of `npm test` because it runs for minutes; its
 * figures are printed in one table at the end (test/faults/figuresReporter.js).
 * @type {import('jest').Config}
 */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/test/faults/**/*.faults.ts'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
	},
	testTimeout: 300_000,
	setupFiles: ['<rootDir>/test/harness/env.ts'],
	// Two cores in CI: one worker per core; each suite bounds its own parallel runs.
	maxWorkers: 2,
	reporters: ['default', '<rootDir>/test/faults/figuresReporter.js'],
};
