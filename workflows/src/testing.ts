/**
 * Helpers for tests of Berth and of packages built on it (the API plugin, the TUI): a real
 * Postgres for a test run, fresh migrated databases in it, temp directories the `postgres`
 * user can traverse, polling, and a seeded PRNG. Uses only this package's own dependencies.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connectDb, migrate, type Db } from './db/connection';
import { startEmbeddedPostgres } from './db/embedded';

/**
 * Jest globalSetup body: a temp dir (BERTH_TEST_TMP) and a Postgres for the run —
 * DATABASE_URL when set, else an embedded one — whose URL goes to BERTH_TEST_PG_URL.
 * Undo with {@link stopTestRun} in globalTeardown.
 */
export async function startTestRun(prefix = 'berth-test-'): Promise<void> {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(base, 0o755);
  process.env.BERTH_TEST_TMP = base;
  if (!process.env.DATABASE_URL) {
    const pg = await startEmbeddedPostgres({ baseDir: path.join(base, 'pg'), persistent: false });
    process.env.BERTH_TEST_PG_URL = pg.url;
    (globalThis as Record<string, unknown>).__BERTH_PG__ = pg;
  } else {
    process.env.BERTH_TEST_PG_URL = process.env.DATABASE_URL;
  }
}

/**
 * Jest globalTeardown body: kills workspace processes the run's `local` workspaces left running
 * (their command line names a home under BERTH_TEST_TMP), stops the run's embedded Postgres and
 * removes BERTH_TEST_TMP.
 */
export async function stopTestRun(): Promise<void> {
  const base = process.env.BERTH_TEST_TMP;
  if (base) killProcessesMentioning(`${base}/`);
  const pg = (globalThis as Record<string, unknown>).__BERTH_PG__ as { stop(): Promise<void> } | undefined;
  if (pg) await pg.stop();
  if (base) fs.rmSync(base, { recursive: true, force: true });
}

/** SIGKILLs every process (but this one) whose command line contains `needle`; returns how many. Linux /proc only. */
export function killProcessesMentioning(needle: string): number {
  let n = 0;
  let entries: string[] = [];
  try { entries = fs.readdirSync('/proc'); } catch { return 0; }
  for (const d of entries) {
    if (!/^\d+$/.test(d) || Number(d) === process.pid) continue;
    try {
      if (fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').replace(/\0/g, ' ').includes(needle)) {
        process.kill(Number(d), 'SIGKILL');
        n++;
      }
    } catch { /* gone, or not ours */ }
  }
  return n;
}

/** A new, migrated database in the run's Postgres (BERTH_TEST_PG_URL). `max` = pool size. */
export async function createTestDatabase(opts: { prefix?: string; max?: number } = {}): Promise<{ db: Db; url: string; name: string }> {
  const admin = process.env.BERTH_TEST_PG_URL;
  if (!admin) throw new Error('BERTH_TEST_PG_URL is not set: run through jest (global setup starts Postgres)');
  const name = `${opts.prefix ?? 'berth_test'}_${crypto.randomBytes(5).toString('hex')}`;
  const adminDb = connectDb(admin, { max: 1 });
  await adminDb.raw(`CREATE DATABASE ${name}`);
  await adminDb.destroy();
  const url = admin.replace(/\/[^/?]*(\?|$)/, `/${name}$1`);
  const db = connectDb(url, { max: opts.max ?? 10 });
  await migrate(db);
  return { db, url, name };
}

/** A fresh temp directory under the run's temp dir (traversable by the postgres user). */
export function tempDir(prefix: string): string {
  const base = process.env.BERTH_TEST_TMP ?? fs.mkdtempSync(path.join(os.tmpdir(), 'berth-'));
  const d = fs.mkdtempSync(path.join(base, `${prefix}-`));
  fs.chmodSync(d, 0o755);
  return d;
}

/** Polls `fn` until it returns a truthy value or `timeoutMs` passes (then throws, naming `what` and the last error). */
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

/** mulberry32: a small deterministic PRNG in [0, 1), so generated test cases reproduce from a seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
