/** Jest config for @berth/backstage-plugin-common (pure: no services). */
const path = require('node:path');
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] },
  reporters: ['default', [path.join(__dirname, '..', '..', 'scripts', 'jest-json-reporter.cjs'), { name: 'backstage-plugin-common' }]],
};
