/**
 * Starting and waking the prebuild reconciler (one workflow per namespace, id
 * `prebuild-reconciler`). Used by the worker at start, by BerthClient on template changes and by
 * the promote activity.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { PrebuildConfig } from './domain/prebuilds';
import type { BuildActivityOptions } from './types';
import { PREBUILD_RECONCILER_WORKFLOW_ID, prebuildsChangedSignal } from './workflows/definitions';
import type { prebuildReconcilerWorkflow } from './workflows/prebuild-reconciler';

/**
 * Starts the reconciler if it is not running and signals it to reconcile now (Temporal
 * signalWithStart: one call, no race between two starters). A running reconciler takes `config`.
 */
export async function ensurePrebuildReconciler(temporal: Client, opts: { taskQueue: string; config: PrebuildConfig; buildOptions: BuildActivityOptions; reason: string }): Promise<void> {
  await temporal.workflow.signalWithStart<typeof prebuildReconcilerWorkflow, [{ reason?: string; config?: PrebuildConfig }]>('prebuildReconcilerWorkflow', {
    workflowId: PREBUILD_RECONCILER_WORKFLOW_ID,
    taskQueue: opts.taskQueue,
    args: [{ config: opts.config, buildOptions: opts.buildOptions }],
    signal: prebuildsChangedSignal,
    signalArgs: [{ reason: opts.reason, config: opts.config }],
  });
}

/** Wakes a running reconciler (no-op when none runs). Resolves true when it was signaled. */
export async function wakePrebuildReconciler(temporal: Client, reason: string): Promise<boolean> {
  try {
    await temporal.workflow.getHandle(PREBUILD_RECONCILER_WORKFLOW_ID).signal(prebuildsChangedSignal, { reason });
    return true;
  } catch (e) {
    if (e instanceof WorkflowNotFoundError) return false;
    throw e;
  }
}
