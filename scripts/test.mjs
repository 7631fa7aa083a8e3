#!/usr/bin/env node
/**
 * Berth test runner: `npm test` (used by .ci/run). Node built-ins only.
 *
 * 1. setup() from ./setup.mjs (npm deps, Temporal binaries, tofu check, build), and Chromium
 *    for the browser test (ensureChromium: apt-get as root when missing).
 * 2. typecheck: `npx lerna run typecheck` (tsc --noEmit in every package) → counts as ONE test
 * 3. lint:      `npx eslint .`                                           → counts as ONE test
 * 4. packages:  `npx lerna run test --stream --concurrency 1 --no-bail --no-sort`  → every package's jest
 *    run writes `$BERTH_TEST_RESULTS_DIR/<package name without scope>.json` through
 *    scripts/jest-json-reporter.cjs (jest `--json` format); those files are summed.
 *    failed = numFailedTests + numRuntimeErrorTestSuites (suites that could not run);
 *    skipped = numPendingTests + numTodoTests. A package whose run exited non-zero but whose
 *    JSON shows no failure (crash, missing reporter, coverage threshold...) counts 1 failed.
 *
 * The LAST line printed is always `N passed, N failed` (plus `, N skipped` when N > 0); the CI
 * reads that line. Exit code is 1 when anything failed, 0 otherwise. Children get CI=true.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import { ensureChromium, ROOT, setup } from './setup.mjs';

const RESULTS_DIR = join(ROOT, '.berth', 'test-results');
const log = (msg) => console.log(`[test] ${msg}`);

/** Environment for every child: CI=true (no watch mode, no prompts, plain output). */
const childEnv = { ...process.env, CI: 'true', BERTH_TEST_RESULTS_DIR: RESULTS_DIR };

/**
 * Runs a command, streaming its output through while keeping a copy (used to find which
 * packages failed in lerna's summary).
 * @returns {Promise<{ code: number, output: string }>} code is 1 when the process could not start or was killed
 */
function run(cmd, args) {
  return new Promise((resolve) => {
    let output = '';
    const child = spawn(cmd, args, { cwd: ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk) => {
      output += chunk;
      process.stdout.write(chunk);
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
      process.stderr.write(chunk);
    });
    child.on('error', (err) => {
      console.error(`[test] could not start ${cmd}: ${err.message}`);
      resolve({ code: 1, output });
    });
    child.on('close', (code, signal) => {
      if (signal) console.error(`[test] ${cmd} killed by ${signal}`);
      resolve({ code: code ?? 1, output });
    });
  });
}

/** Tally shared by all steps. */
const tally = { passed: 0, failed: 0, skipped: 0 };

/** Runs a whole command as a single pass/fail test. */
async function singleTest(name, cmd, args) {
  log(`${name}: ${cmd} ${args.join(' ')}`);
  const { code } = await run(cmd, args);
  if (code === 0) {
    tally.passed += 1;
    log(`${name}: passed`);
  } else {
    tally.failed += 1;
    log(`${name}: FAILED (exit ${code})`);
  }
}

/**
 * Package names lerna/nx reported as failed, from its closing summary, e.g.
 *   "Failed tasks:\n\n- @berth/workflows:test"
 * @returns {Set<string>} package names (scope included)
 */
function failedPackages(output) {
  const names = new Set();
  // eslint-disable-next-line no-control-regex
  const plain = output.replace(/\u001b\[[0-9;]*m/g, '');
  for (const m of plain.matchAll(/^\s*-\s+(\S+):test\s*$/gm)) names.add(m[1]);
  return names;
}

/** Reads one results file; @returns null when unreadable. */
function readResults(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    console.error(`[test] cannot read ${file}: ${err.message}`);
    return null;
  }
}

/** Runs every package's `test` script through lerna and sums the JSON results. */
async function packageTests() {
  rmSync(RESULTS_DIR, { recursive: true, force: true });
  mkdirSync(RESULTS_DIR, { recursive: true });

  const args = ['--no', '--', 'lerna', 'run', 'test', '--stream', '--concurrency', '1', '--no-bail', '--no-sort', '--skip-nx-cache'];
  log(`packages: npx ${args.slice(2).join(' ')}`);
  const { code, output } = await run('npx', args);

  // name (file name without .json) -> failures counted from that file
  const failuresByFile = new Map();
  const files = existsSync(RESULTS_DIR) ? readdirSync(RESULTS_DIR).filter((f) => f.endsWith('.json')) : [];
  for (const f of files.sort()) {
    const r = readResults(join(RESULTS_DIR, f));
    const name = f.slice(0, -'.json'.length);
    if (r === null) {
      tally.failed += 1;
      failuresByFile.set(name, 1);
      continue;
    }
    const passed = r.numPassedTests ?? 0;
    const failed = (r.numFailedTests ?? 0) + (r.numRuntimeErrorTestSuites ?? 0);
    const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
    tally.passed += passed;
    tally.failed += failed;
    tally.skipped += skipped;
    failuresByFile.set(name, failed);
    log(`${name}: ${passed} passed, ${failed} failed, ${skipped} skipped`);
  }

  if (code === 0) return;

  // lerna failed: make sure each failed package shows at least one failure.
  const failed = failedPackages(output);
  let attributed = false;
  for (const pkg of failed) {
    const short = pkg.replace(/^@[^/]+\//, '');
    const counted = failuresByFile.get(short) ?? failuresByFile.get(pkg.replace(/[@/]/g, '_'));
    if (!counted) {
      tally.failed += 1;
      log(`${pkg}: test run exited non-zero without reporting a failed test; counting 1 failed`);
    }
    attributed = true;
  }
  const anyCounted = [...failuresByFile.values()].some((n) => n > 0);
  if (!attributed && !anyCounted) {
    tally.failed += 1;
    log(`lerna run test exited ${code} without reporting a failed test; counting 1 failed`);
  }
}

function summaryLine() {
  return `${tally.passed} passed, ${tally.failed} failed${tally.skipped > 0 ? `, ${tally.skipped} skipped` : ''}`;
}

async function main() {
  try {
    await setup();
    ensureChromium();
  } catch (err) {
    console.error(`[test] setup FAILED: ${err.message}`);
    tally.failed += 1;
    console.log(summaryLine());
    process.exitCode = 1;
    return;
  }

  await singleTest('typecheck', 'npx', ['--no', '--', 'lerna', 'run', 'typecheck', '--stream', '--skip-nx-cache']);
  await singleTest('lint', 'npx', ['--no', '--', 'eslint', '.']);
  await packageTests();

  console.log(summaryLine());
  process.exitCode = tally.failed > 0 ? 1 : 0;
}

main().catch((err) => {
  // Unexpected bug in this script: still end with the summary line.
  console.error(`[test] internal error: ${err.stack ?? err}`);
  tally.failed += 1;
  console.log(summaryLine());
  process.exitCode = 1;
});
