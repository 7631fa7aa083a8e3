/** Jest global setup: one real Postgres for the run (embedded unless DATABASE_URL is set); test files make their own databases in it. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres } from '@berth/workflows';

export default async function globalSetup(): Promise<void> {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-api-test-'));
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
