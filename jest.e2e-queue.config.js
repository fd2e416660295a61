/**
 * `npm run test:e2e:queue`: n8n 2.x in queue mode (a main and a worker over a local Redis).
 * Separate from `npm run test:e2e` because it installs and starts Redis and two n8n processes.
 * @type {import('jest').Config}
 */
const e2e = require('./jest.e2e.config.js');

module.exports = {
	...e2e,
	roots: ['<rootDir>/test/e2e/queue'],
	testPathIgnorePatterns: ['/node_modules/'],
	globalSetup: undefined,
};
