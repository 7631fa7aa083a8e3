/**
 * Jest global setup: one real Postgres for the run (embedded unless DATABASE_URL is set) and one
 * workflow bundle. Test files create their own database in it (see stack.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { startEmbeddedPostgres } from '../../src/db/embedded';
import { WORKFLOW_BUNDLE_IGNORE } from '../../src/worker';

export default async function globalSetup(): Promise<void> {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-test-'));
  fs.chmodSync(base, 0o755);
  process.env.BERTH_TEST_TMP = base;
  if (!process.env.DATABASE_URL) {
    const pg = await startEmbeddedPostgres({ baseDir: path.join(base, 'pg'), persistent: false });
    process.env.BERTH_TEST_PG_URL = pg.url;
    (globalThis as Record<string, unknown>).__BERTH_PG__ = pg;
  } else {
    process.env.BERTH_TEST_PG_URL = process.env.DATABASE_URL;
  }
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../../src/workflows'), ignoreModules: WORKFLOW_BUNDLE_IGNORE });
  const bundle = path.join(base, 'workflow-bundle.js');
  fs.writeFileSync(bundle, code);
  process.env.BERTH_WORKFLOW_BUNDLE = bundle;
}
