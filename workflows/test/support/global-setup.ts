/**
 * Jest global setup: one real Postgres for the run (embedded unless DATABASE_URL is set) and one
 * workflow bundle. Test files create their own database in it (see stack.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { startTestRun } from '../../src/testing';
import { WORKFLOW_BUNDLE_IGNORE } from '../../src/worker';

export default async function globalSetup(): Promise<void> {
  await startTestRun('berth-test-');
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../../src/workflows'), ignoreModules: WORKFLOW_BUNDLE_IGNORE });
  const bundle = path.join(process.env.BERTH_TEST_TMP as string, 'workflow-bundle.js');
  fs.writeFileSync(bundle, code);
  process.env.BERTH_WORKFLOW_BUNDLE = bundle;
}
