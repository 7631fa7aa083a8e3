/**
 * A real Berth stack for a test file: a fresh Postgres database (migrated), a real Temporal dev
 * server (the pinned CLI binary, through @temporalio/testing with `existing-path`), in-process
 * workers running real tofu, and a BerthClient.
 */
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { BerthClient } from '../../src/client';
import { connectDb, migrate, type Db } from '../../src/db/connection';
import { createBerthWorkers, type BerthWorkers, type WorkerRole } from '../../src/worker';
import { createMetrics } from '../../src/metrics';
import { resolveTemporalCli, repoRoot } from '../../src/toolchain';
import { SEARCH_ATTRIBUTES } from '../../src/workflows/definitions';
import { CONTROL_QUEUE } from '../../src/domain/tags';
import { DEFAULT_MAX_ARCHIVE_BYTES } from '../../src/terraform/archive';
import type { BuildActivityOptions } from '../../src/types';
import type { PrebuildConfig } from '../../src/domain/prebuilds';

export const REPO = repoRoot();

// Keep test output readable: the SDK logs every expected activity failure at WARN.
try { Runtime.install({ logger: new DefaultLogger((process.env.BERTH_TEST_LOG_LEVEL as 'ERROR') || 'ERROR') }); } catch { /* already installed in this worker */ }
export const LOCAL_TEMPLATE = path.join(REPO, 'templates', 'local');
export const FIXTURES = path.join(REPO, 'workflows', 'test', 'fixtures', 'templates');

/** A new, migrated database in the run's Postgres. */
export async function createTestDatabase(): Promise<{ db: Db; url: string; name: string }> {
  const admin = process.env.BERTH_TEST_PG_URL;
  if (!admin) throw new Error('BERTH_TEST_PG_URL is not set: run through jest (global setup starts Postgres)');
  const name = `berth_test_${crypto.randomBytes(5).toString('hex')}`;
  const adminDb = connectDb(admin, { max: 1 });
  await adminDb.raw(`CREATE DATABASE ${name}`);
  await adminDb.destroy();
  const url = admin.replace(/\/[^/?]*(\?|$)/, `/${name}$1`);
  const db = connectDb(url);
  await migrate(db);
  return { db, url, name };
}

/** A fresh temp directory under the run's temp dir (postgres-traversable). */
export function tempDir(prefix: string): string {
  const base = process.env.BERTH_TEST_TMP ?? fs.mkdtempSync('/tmp/berth-');
  const d = fs.mkdtempSync(path.join(base, `${prefix}-`));
  fs.chmodSync(d, 0o755);
  return d;
}

export interface TestStack {
  env: TestWorkflowEnvironment;
  db: Db;
  dbUrl: string;
  client: BerthClient;
  /** host:port of the Temporal dev server (for worker processes). */
  temporalAddress: string;
  workers: BerthWorkers[];
  /** Starts another in-process worker with the given role overrides. */
  addWorker(role?: Partial<WorkerRole>): Promise<BerthWorkers>;
  workDir: string;
  teardown(): Promise<void>;
}

export const TEST_BUILD_OPTIONS: BuildActivityOptions = { heartbeatTimeoutMs: 4000, startToCloseTimeoutMs: 10 * 60_000, maximumAttempts: 5 };

export function defaultRole(workDir: string, over: Partial<WorkerRole> = {}): WorkerRole {
  return {
    taskQueue: CONTROL_QUEUE, runWorkflows: true, runProvisioner: true, provisionerTags: {}, workDir,
    workerId: `test-${crypto.randomBytes(3).toString('hex')}`, cancelGraceMs: 10_000, cancelKillMs: 20_000,
    maxConcurrentBuilds: 3, shutdownGraceMs: 2_000, archiveLimits: { maxBytes: DEFAULT_MAX_ARCHIVE_BYTES }, ...over,
  };
}

/** Starts the stack. `worker: false` starts no worker (the test adds its own). */
export async function startTestStack(opts: {
  worker?: Partial<WorkerRole> | false; buildOptions?: Partial<BuildActivityOptions>;
  /** Run the prebuild reconciler (off by default so other tests' templates get no prebuilds), with these settings. */
  prebuilds?: Partial<PrebuildConfig>;
} = {}): Promise<TestStack> {
  const { db, url } = await createTestDatabase();
  const env = await TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path: resolveTemporalCli().path }, searchAttributes: SEARCH_ATTRIBUTES },
  });
  const temporalAddress = env.address;
  const workDir = tempDir('work');
  const workers: BerthWorkers[] = [];
  const running: Promise<void>[] = [];
  const metrics = createMetrics();
  const connections: NativeConnection[] = [];
  const addWorker = async (role: Partial<WorkerRole> = {}) => {
    // Each extra worker gets its own connection, like a separate process would.
    let connection = env.nativeConnection as NativeConnection;
    if (workers.length > 0) {
      connection = await NativeConnection.connect({ address: env.address });
      connections.push(connection);
    }
    const w = await createBerthWorkers({ db, connection, namespace: 'default', metrics: role.workerId ? createMetrics() : metrics, temporal: env.client }, defaultRole(workDir, role));
    workers.push(w);
    running.push(w.run());
    return w;
  };
  if (opts.worker !== false) {
    try {
      await addWorker(opts.worker ?? {});
    } catch (e) {
      // Do not leave a dev server behind when the stack cannot start.
      await env.teardown().catch(() => undefined);
      await db.destroy().catch(() => undefined);
      throw e;
    }
  }
  const client = new BerthClient({
    db, temporal: env.client, buildOptions: { ...TEST_BUILD_OPTIONS, ...(opts.buildOptions ?? {}) },
    prebuilds: { enabled: opts.prebuilds !== undefined, config: opts.prebuilds ?? {} },
  });
  return {
    env, db, dbUrl: url, client, temporalAddress, workers, addWorker, workDir,
    async teardown() {
      for (const w of workers) w.shutdown();
      await Promise.allSettled(running);
      for (const c of connections) await c.close();
      await env.teardown();
      await db.destroy();
    },
  };
}

/** Polls `fn` until it returns a truthy value or `timeoutMs` passes (then throws with `what`). */
export async function eventually<T>(what: string, fn: () => Promise<T> | T, timeoutMs = 60_000, everyMs = 200): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) { last = e; }
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** True when a process with this pid exists (and is not a zombie). */
export function processAlive(pid: number): boolean {
  try { process.kill(pid, 0); } catch { return false; }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] !== 'Z';
  } catch { return false; }
}

/** Pids whose command line contains `needle` (like pgrep -f), excluding this process. */
export function pgrep(needle: string): number[] {
  const out: number[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d) || Number(d) === process.pid) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmd.includes(needle) && processAlive(Number(d))) out.push(Number(d));
    } catch { /* gone */ }
  }
  return out;
}
