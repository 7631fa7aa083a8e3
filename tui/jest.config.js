/**
 * Jest config for @berth/tui: native ESM (run with --experimental-vm-modules), ts-jest useESM.
 * Ink and yoga-layout use top-level await, so they cannot be transformed to CommonJS.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts?(x)'],
  extensionsToTreatAsEsm: ['.ts', '.tsx'],
  transform: { '^.+\\.tsx?$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.json' }] },
  moduleNameMapper: {
    // NodeNext sources import './foo.js': map to the .ts(x) file.
    '^(\\.{1,2}/.*)\\.js$': '$1',
    // ink-testing-library imports `ink` without declaring it: make it this package's Ink 6.
    '^ink$': fileURLToPath(import.meta.resolve('ink')),
  },
  modulePaths: ['<rootDir>/node_modules'],
  setupFiles: ['<rootDir>/test/setup-env.js'],
  testTimeout: 180000,
  maxWorkers: 1,
  reporters: ['default', [path.join(here, '..', 'scripts', 'jest-json-reporter.cjs'), { name: 'tui' }]],
};
