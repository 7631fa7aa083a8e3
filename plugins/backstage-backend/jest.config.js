/** Jest config for @berth/backstage-plugin-backend: the API against real Postgres, a real Temporal dev server and real tofu. */
const path = require('node:path');
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 180000,
  maxWorkers: 1,
  reporters: ['default', [path.join(__dirname, '..', '..', 'scripts', 'jest-json-reporter.cjs'), { name: 'backstage-plugin-backend' }]],
};
