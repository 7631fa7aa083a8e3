/**
 * templateImportWorkflow: imports a template version (id `template-version:<id>:import`).
 * Import job (template_version_import: tofu init + validate) then, when it succeeded, a dry-run
 * job (template_version_dry_run: a start plan listing the resources), both on the provisioner
 * task queue of the version's tags; promotes the version when asked and the import succeeded.
 * Deterministic: imports only Temporal's workflow API and types.
 */
import * as wf from '@temporalio/workflow';
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import type { BerthActivities } from '../activities';
import type { JobStatus } from '../domain/status';

export interface TemplateImportInput {
  versionId: string;
  importJobId: string;
  taskQueue: string;
  /** Promote to active when the import succeeds. */
  activate: boolean;
  initiator: string;
  heartbeatTimeoutMs: number;
}

export interface TemplateImportResult {
  importStatus: JobStatus;
  importError?: string;
  dryRunStatus?: JobStatus;
  dryRunError?: string;
  providersUnavailable: string[];
  activated: boolean;
}

const control = wf.proxyActivities<BerthActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1s', maximumInterval: '30s', nonRetryableErrorTypes: ['InputError', 'NotFoundError', 'ConflictError'] },
});

function failureOf(e: unknown): { canceled: boolean; message: string; code?: string } {
  if (wf.isCancellation(e)) return { canceled: true, message: 'canceled' };
  const cause = e instanceof ActivityFailure && e.cause ? e.cause : e;
  if (cause instanceof ApplicationFailure) return { canceled: cause.type === 'JobCanceled', message: cause.message, code: cause.type ?? undefined };
  return { canceled: false, message: (cause as Error)?.message ?? String(cause) };
}

export async function templateImportWorkflow(input: TemplateImportInput): Promise<TemplateImportResult> {
  const provisioner = wf.proxyActivities<BerthActivities>({
    taskQueue: input.taskQueue,
    startToCloseTimeout: '30 minutes',
    heartbeatTimeout: input.heartbeatTimeoutMs,
    retry: { initialInterval: '1s', maximumInterval: '30s', maximumAttempts: 5, nonRetryableErrorTypes: ['TofuFailed', 'JobCanceled', 'ToolchainError', 'InputError', 'NotFoundError'] },
  });
  const result: TemplateImportResult = { importStatus: 'succeeded', providersUnavailable: [], activated: false };
  try {
    const r = await provisioner.importTemplateVersion({ versionId: input.versionId, jobId: input.importJobId });
    result.providersUnavailable = r.providersUnavailable;
    await control.completeJob({ jobId: input.importJobId, outcome: { kind: 'succeeded' } });
  } catch (e) {
    const f = failureOf(e);
    result.importStatus = f.canceled ? 'canceled' : 'failed';
    if (!f.canceled) result.importError = f.message;
    await wf.CancellationScope.nonCancellable(() => control.completeJob({
      jobId: input.importJobId, outcome: f.canceled ? { kind: 'canceled' } : { kind: 'failed', error: f.message, errorCode: f.code },
    }));
    return result;
  }
  if (input.activate) {
    await control.promoteVersion({ versionId: input.versionId });
    result.activated = true;
  }
  const dry = await control.createDryRun({ versionId: input.versionId, initiator: input.initiator });
  try {
    await provisioner.dryRunTemplateVersion({ versionId: input.versionId, jobId: dry.jobId });
    await control.completeJob({ jobId: dry.jobId, outcome: { kind: 'succeeded' } });
    result.dryRunStatus = 'succeeded';
  } catch (e) {
    const f = failureOf(e);
    result.dryRunStatus = f.canceled ? 'canceled' : 'failed';
    if (!f.canceled) result.dryRunError = f.message;
    await wf.CancellationScope.nonCancellable(() => control.completeJob({
      jobId: dry.jobId, outcome: f.canceled ? { kind: 'canceled' } : { kind: 'failed', error: f.message, errorCode: f.code },
    }));
  }
  return result;
}
