/**
 * buildWorkflow: one build of a workspace (child of workspaceWorkflow, id
 * `workspace:<id>:build:<n>`). Runs tofu on the job's provisioner task queue and completes the
 * job with the outcome; its short history is the build's story for platform teams.
 * Deterministic: imports only Temporal's workflow API, domain code and types.
 */
import * as wf from '@temporalio/workflow';
import { ActivityFailure, ApplicationFailure, TimeoutFailure } from '@temporalio/common';
import type { BerthActivities } from '../activities';
import type { BuildResult, BuildWorkflowInput } from '../types';
import { cancelSignal } from './definitions';

const control = wf.proxyActivities<BerthActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1s', maximumInterval: '30s', nonRetryableErrorTypes: ['InputError', 'NotFoundError', 'ConflictError'] },
});

/** The failure's own message (ActivityFailure wraps the activity's error). */
function describeFailure(e: unknown): { message: string; code?: string } {
  let err = e as Error | undefined;
  if (err instanceof ActivityFailure && err.cause) err = err.cause;
  if (err instanceof ApplicationFailure) return { message: err.message, code: err.type ?? undefined };
  if (err instanceof TimeoutFailure) return { message: `the provisioner timed out: ${err.message}`, code: 'Timeout' };
  return { message: err?.message ?? String(e) };
}

export async function buildWorkflow(input: BuildWorkflowInput): Promise<BuildResult> {
  const provisioner = wf.proxyActivities<BerthActivities>({
    taskQueue: input.taskQueue,
    startToCloseTimeout: input.options.startToCloseTimeoutMs,
    heartbeatTimeout: input.options.heartbeatTimeoutMs,
    retry: {
      initialInterval: '1s', maximumInterval: '30s', maximumAttempts: input.options.maximumAttempts,
      nonRetryableErrorTypes: ['TofuFailed', 'JobCanceled', 'ToolchainError', 'InputError', 'NotFoundError', 'ConflictError'],
    },
    cancellationType: wf.ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  });
  const scope = new wf.CancellationScope();
  wf.setHandler(cancelSignal, () => scope.cancel());

  let outcome: Parameters<BerthActivities['completeBuild']>[0]['outcome'];
  try {
    await scope.run(() => provisioner.runTofu({ buildId: input.buildId, jobId: input.jobId }));
    outcome = { kind: 'succeeded' };
  } catch (e) {
    const f = describeFailure(e);
    if (wf.isCancellation(e) || f.code === 'JobCanceled') outcome = { kind: 'canceled' };
    else outcome = { kind: 'failed', error: f.message, errorCode: f.code };
  }
  // Completing must happen even if this workflow itself was canceled.
  return wf.CancellationScope.nonCancellable(() => control.completeBuild({ buildId: input.buildId, outcome, now: Date.now() }));
}
