/**
 * Jest reporter that writes the run's aggregated results, in the same shape as `jest --json`
 * (numPassedTests, numFailedTests, numPendingTests, numRuntimeErrorTestSuites, success,
 * testResults, ...), to `$BERTH_TEST_RESULTS_DIR/<name>.json`. scripts/test.mjs sums these
 * files into the closing `N passed, N failed` line.
 *
 * Usage in a package's jest config (keep 'default' for the normal console output):
 *
 *   reporters: ['default', [path.join(__dirname, '..', 'scripts', 'jest-json-reporter.cjs'), { name: 'workflows' }]]
 *
 * Options: `{ name }` — file name without `.json`; defaults to the basename of jest's rootDir.
 * When BERTH_TEST_RESULTS_DIR is unset (a developer running jest directly) nothing is written.
 * CommonJS and Node built-ins only, so any package (CJS or ESM) can load it.
 */
'use strict';

const fs = require('node:fs');
const path = require('node:path');

/**
 * Converts jest's AggregatedResult into the `--json` format. Uses jest's own formatter when
 * it can be resolved from the project; otherwise keeps the counters and a trimmed per-file
 * summary (which is all scripts/test.mjs reads).
 */
function toJson(results, rootDir) {
  try {
    const modPath = require.resolve('@jest/test-result', { paths: [rootDir, __dirname] });
    const { formatTestResults } = require(modPath);
    if (typeof formatTestResults === 'function') return formatTestResults(results);
  } catch {
    // fall through to the hand-written subset below
  }
  const { testResults = [], ...counters } = results;
  return {
    ...counters,
    testResults: testResults.map((file) => ({
      name: file.testFilePath,
      status: file.numFailingTests > 0 || file.testExecError ? 'failed' : 'passed',
      message: file.failureMessage ?? '',
      assertionResults: (file.testResults ?? []).map((t) => ({
        ancestorTitles: t.ancestorTitles,
        title: t.title,
        fullName: t.fullName,
        status: t.status,
        duration: t.duration,
        failureMessages: t.failureMessages,
      })),
    })),
  };
}

class BerthJsonReporter {
  /**
   * @param {object} globalConfig jest global config (rootDir is used for the default name)
   * @param {{ name?: string }} [options] reporter options from the jest config
   */
  constructor(globalConfig, options = {}) {
    this._rootDir = (globalConfig && globalConfig.rootDir) || process.cwd();
    this._name = (options && options.name) || path.basename(this._rootDir);
  }

  /**
   * Called once when all test files have finished.
   * @param {unknown} _testContexts unused
   * @param {object} results jest AggregatedResult
   */
  onRunComplete(_testContexts, results) {
    const dir = process.env.BERTH_TEST_RESULTS_DIR;
    if (!dir) return;
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${this._name}.json`);
    const tmp = `${file}.${process.pid}.tmp`;
    // Write then rename, so a reader never sees a half-written file.
    const json = toJson(results, this._rootDir);
    // Jest sets `success` only after reporters ran; compute it the same way jest does.
    json.success =
      results.numFailedTests === 0 &&
      results.numRuntimeErrorTestSuites === 0 &&
      !(results.snapshot && results.snapshot.failure) &&
      !results.runExecError;
    fs.writeFileSync(tmp, JSON.stringify(json, null, 2));
    fs.renameSync(tmp, file);
  }
}

module.exports = BerthJsonReporter;
