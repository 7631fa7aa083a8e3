/** Build step: bundles the workflow code once into dist/workflow-bundle.js (workers then start fast). */
import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOW_BUNDLE_IGNORE } from '../worker';

async function main() {
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../workflows'), ignoreModules: WORKFLOW_BUNDLE_IGNORE, logger: undefined,
  });
  const out = path.join(__dirname, '..', 'workflow-bundle.js');
  fs.writeFileSync(out, code);
  console.log(`workflow bundle: ${out} (${(code.length / 1024).toFixed(0)} KiB)`);
}
main().catch((e) => { console.error(e); process.exit(1); });
