/**
 * The `berth-worker` binary: bad usage exits 2 with one readable line; a running worker shuts
 * down gracefully on SIGTERM (exit 0) and serves /metrics and /healthz while it runs.
 * Also proves the pinned time-skipping test server starts through @temporalio/testing.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { REPO, eventually, startTestStack, type TestStack } from './support/stack';
import { freePort } from '../src/db/embedded';
import { resolveTemporalTestServer } from '../src/toolchain';

const BIN = path.join(REPO, 'workflows', 'bin', 'berth-worker.js');
const run = (args: string[], env: NodeJS.ProcessEnv = {}) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH, ...env }, timeout: 30_000 });

beforeAll(() => {
  if (!fs.existsSync(path.join(REPO, 'workflows', 'dist', 'cli', 'worker.js'))) throw new Error('workflows/dist is missing: run `npm run build` first');
});

describe('bad usage', () => {
  test.each([
    { name: 'unknown flag', args: ['--frobnicate'], env: { DATABASE_URL: 'postgres://x' }, out: /unknown option '--frobnicate'/ },
    { name: 'bad tag', args: ['--provisioner-tags', 'gpu'], env: { DATABASE_URL: 'postgres://x' }, out: /invalid provisioner tag "gpu": expected key=value/ },
    { name: 'bad metrics port', args: ['--metrics-port', 'abc'], env: { DATABASE_URL: 'postgres://x' }, out: /--metrics-port must be an integer/ },
    { name: 'no DATABASE_URL', args: [], env: {}, out: /DATABASE_URL is not set/ },
    { name: 'bad env value', args: [], env: { DATABASE_URL: 'postgres://x', BERTH_CANCEL_GRACE_MS: 'soon' }, out: /BERTH_CANCEL_GRACE_MS must be an integer/ },
  ])('$name → exit 2 and one readable line', ({ args, env, out }) => {
    const r = run(args, env);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(out);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });
  test('--help exits 0', () => {
    const r = run(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/--provisioner-tags/);
  });
});

describe('a running worker', () => {
  let stack: TestStack;
  beforeAll(async () => { stack = await startTestStack({ worker: false }); });
  afterAll(async () => { await stack?.teardown(); });

  test('serves metrics and health, then stops gracefully on SIGTERM', async () => {
    const port = await freePort();
    let out = '';
    const child = spawn(process.execPath, [BIN, '--metrics-port', String(port), '--worker-id', 'cli-test'], {
      env: { ...process.env, DATABASE_URL: stack.dbUrl, TEMPORAL_ADDRESS: stack.temporalAddress, BERTH_WORK_DIR: stack.workDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    await eventually('the worker to be ready', () => /queues berth, berth-builds, berth-provisioner/.test(out), 30_000);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toMatch(/# TYPE berth_workspace_builds_enqueued_total counter/);
    expect(metrics).toMatch(/# TYPE berth_provisioner_job_queue_wait_seconds histogram/);
    expect(await (await fetch(`http://127.0.0.1:${port}/healthz`)).text()).toBe('ok\n');
    expect((await fetch(`http://127.0.0.1:${port}/nope`)).status).toBe(404);
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(0);
    expect(out).toMatch(/berth-worker: stopped/);
  });
});

test('the pinned time-skipping test server starts and skips time', async () => {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: resolveTemporalTestServer().path } },
  });
  try {
    const before = await env.currentTimeMs();
    const t0 = Date.now();
    await env.sleep('7 days');
    const after = await env.currentTimeMs();
    expect(after - before).toBeGreaterThanOrEqual(7 * 24 * 3600 * 1000);
    expect(Date.now() - t0).toBeLessThan(10_000);
  } finally {
    await env.teardown();
  }
});
