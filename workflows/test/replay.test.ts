/**
 * Replay safety: histories recorded from real runs (test/histories/*.json, written by
 * lifecycle.test.ts and prebuilds.test.ts with BERTH_EXPORT_HISTORIES=1) must replay against the current workflow
 * code. A change that breaks replay needs `patched()`; this test is what catches it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { WORKFLOW_BUNDLE_IGNORE } from '../src/worker';

const dir = path.join(__dirname, 'histories');
const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort() : [];

test('recorded histories exist for every workflow type', () => {
  expect(files).toEqual(expect.arrayContaining(['workspace-lifecycle.json', 'build-start.json', 'prebuild-reconciler.json', 'workspace-prebuild-claim.json']));
});

test.each(files)('%s replays against the current workflow code', async (file) => {
  const history = historyFromJSON(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')));
  expect(history.events?.length).toBeGreaterThan(5);
  const bundle = process.env.BERTH_WORKFLOW_BUNDLE;
  await Worker.runReplayHistory(
    bundle ? { workflowBundle: { codePath: bundle } } : { workflowsPath: require.resolve('../src/workflows'), bundlerOptions: { ignoreModules: WORKFLOW_BUNDLE_IGNORE } },
    history,
    `replay-${file}`,
  );
});

test('replay fails when the workflow code diverges (the check can fail)', async () => {
  const history = historyFromJSON(JSON.parse(fs.readFileSync(path.join(dir, 'workspace-lifecycle.json'), 'utf8')));
  // Replaying a workspace history as if it were a build workflow must be reported as nondeterminism or a type error.
  const events = history.events ?? [];
  const started = events[0]?.workflowExecutionStartedEventAttributes;
  if (started?.workflowType) started.workflowType.name = 'buildWorkflow';
  const bundle = process.env.BERTH_WORKFLOW_BUNDLE;
  await expect(Worker.runReplayHistory(bundle ? { workflowBundle: { codePath: bundle } } : { workflowsPath: require.resolve('../src/workflows') }, history, 'diverged')).rejects.toThrow();
});
