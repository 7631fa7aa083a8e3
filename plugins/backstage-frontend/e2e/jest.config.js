/**
 * Jest config of the browser end-to-end test: the whole stack as `npm start` runs it (Postgres,
 * Temporal, worker, Backstage backend, the dev app), driven in headless Chromium.
 */
const path = require('node:path');
module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  testMatch: ['**/*.e2e.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: path.join(__dirname, 'tsconfig.json') }] },
  testTimeout: 900_000,
  maxWorkers: 1,
  reporters: ['default', [path.join(__dirname, '..', '..', '..', 'scripts', 'jest-json-reporter.cjs'), { name: 'backstage-plugin-frontend-e2e' }]],
};
