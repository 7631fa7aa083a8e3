/**
 * workspaceWorkflow: one per workspace (id `workspace:<uuid>`), as long-lived as the workspace.
 * It is the single writer of the workspace's builds: every request goes through its
 * `requestBuild` update, whose validator rejects impossible requests (naming the current state)
 * before anything is written; accepted requests run one at a time as child buildWorkflows.
 * Deterministic: imports only Temporal's workflow API, domain code and types.
 */
import * as wf from '@temporalio/workflow';
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import type { BerthActivities } from '../activities';
import {
  checkBuildRequest, checkCancel, currentStatus, explainRequestedBuild, isBuildReason, isBuildRequestKind, transitionsFor,
  checkPrincipal, checkVariableValues, type Transition, type WorkspaceBuildState,
} from '../domain';
import type { BuildRef, BuildRequest, BuildResult, WorkspaceWorkflowInput } from '../types';
import { buildWorkflow } from './build';
import {
  BuildReasonKey, BuildTransitionKey, buildWorkflowId, cancelBuildUpdate, cancelSignal, describeQuery, requestBuildUpdate,
} from './definitions';

const control = wf.proxyActivities<BerthActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1s', maximumInterval: '30s', nonRetryableErrorTypes: ['InputError', 'NotFoundError', 'ConflictError'] },
});

interface Pending {
  request: BuildRequest;
  transition: Transition;
  partOfRestart: boolean;
  result?: BuildRef;
  error?: ApplicationFailure;
}

interface ActiveBuild {
  buildNumber: number;
  buildId: string;
  jobId: string;
  transition: Transition;
  workflowId: string;
  canceling: boolean;
  child?: wf.ChildWorkflowHandle<typeof buildWorkflow>;
}

function reject(type: 'InputError' | 'ConflictError', message: string): never {
  throw ApplicationFailure.create({ type, message, nonRetryable: true });
}

/** Unwraps an activity failure into the ApplicationFailure the update caller should see. */
function asUpdateError(e: unknown): ApplicationFailure {
  const cause = e instanceof ActivityFailure && e.cause ? e.cause : e;
  if (cause instanceof ApplicationFailure) return ApplicationFailure.create({ type: cause.type ?? 'Error', message: cause.message, nonRetryable: true, details: cause.details ?? undefined });
  return ApplicationFailure.create({ type: 'Error', message: (cause as Error)?.message ?? String(cause), nonRetryable: true });
}

export async function workspaceWorkflow(input: WorkspaceWorkflowInput): Promise<void> {
  const s: WorkspaceBuildState & { latestBuild: WorkspaceWorkflowInput['latestBuild'] } = { deleted: input.deleted, latestBuild: input.latestBuild };
  const queue: Pending[] = (input.pending ?? []).map((p) => ({ request: p.request, transition: p.transition, partOfRestart: p.partOfRestart }));
  let active: ActiveBuild | null = null;

  /** Why nothing new can be accepted right now (a queued or running build), or null. */
  const busy = (verb: string): string | null => {
    if (active) return checkBuildRequest({ deleted: s.deleted, latestBuild: { number: active.buildNumber, transition: active.transition, jobStatus: active.canceling ? 'canceling' : 'running' } }, 'start')?.replace('cannot start', `cannot ${verb}`) ?? null;
    if (queue.length) return `cannot ${verb}: a ${queue[0].transition} build is about to start`;
    return null;
  };

  wf.setHandler(describeQuery, () => ({
    workspaceId: input.workspaceId,
    status: active ? (active.canceling ? 'canceling' : currentStatus({ deleted: s.deleted, latestBuild: { number: active.buildNumber, transition: active.transition, jobStatus: 'running' } })) : currentStatus(s),
    deleted: s.deleted,
    latestBuild: s.latestBuild,
    queued: queue.map((p) => ({ transition: p.transition, reason: p.request.reason ?? 'initiator' })),
    activeBuild: active ? { buildNumber: active.buildNumber, transition: active.transition, workflowId: active.workflowId } : null,
  }));

  wf.setHandler(requestBuildUpdate, async (request) => {
    const p: Pending = { request, transition: transitionsFor(request.kind)[0], partOfRestart: request.kind === 'restart' };
    queue.push(p);
    await wf.condition(() => p.result !== undefined || p.error !== undefined);
    if (p.error) throw p.error;
    return { ...(p.result as BuildRef), ...(request.kind === 'restart' ? { followedBy: 'start' as const } : {}) };
  }, {
    validator: (request) => {
      if (!request || !isBuildRequestKind(request.kind)) reject('InputError', `unknown build request "${String(request?.kind)}": use start, stop, restart or delete`);
      if (request.reason !== undefined && !isBuildReason(request.reason)) reject('InputError', `unknown build reason "${String(request.reason)}"`);
      const badInitiator = checkPrincipal('initiator', request.initiator);
      if (badInitiator) reject('InputError', badInitiator);
      if (request.parameters !== undefined) {
        try { checkVariableValues(request.parameters); } catch (e) { reject('InputError', (e as Error).message); }
      }
      if (request.preset !== undefined && (typeof request.preset !== 'string' || !request.preset)) reject('InputError', 'preset must be a preset name');
      const why = (s.deleted ? `cannot ${request.kind}: workspace is deleted` : null) ?? busy(request.kind) ?? checkBuildRequest(s, request.kind);
      if (why) reject('ConflictError', why);
    },
  });

  wf.setHandler(cancelBuildUpdate, async ({ initiator }) => {
    const a = active as ActiveBuild;
    a.canceling = true;
    // A restart's follow-up start is dropped with the canceled stop.
    const status = await control.markBuildCanceling({ jobId: a.jobId });
    wf.log.info('build cancel requested', { buildNumber: a.buildNumber, initiator });
    await a.child?.signal(cancelSignal);
    return { buildNumber: a.buildNumber, jobStatus: status ?? 'canceled' };
  }, {
    validator: (_request) => {
      if (active) {
        if (active.canceling) reject('ConflictError', `cannot cancel: build #${active.buildNumber} (${active.transition}) is already canceling`);
        if (!active.child) reject('ConflictError', `cannot cancel: build #${active.buildNumber} is being set up; try again in a moment`);
        return;
      }
      const why = queue.length ? `cannot cancel: the ${queue[0].transition} build has not started yet; try again in a moment` : checkCancel(s);
      if (why) reject('ConflictError', why ?? 'cannot cancel');
    },
  });

  for (;;) {
    await wf.condition(() => queue.length > 0 || s.deleted);
    if (s.deleted && queue.length === 0) break;
    const p = queue[0];
    const reason = p.request.reason ?? 'initiator';
    let ref: BuildRef & { taskQueue: string };
    try {
      ref = await control.enqueueBuild({
        workspaceId: input.workspaceId, transition: p.transition, reason, initiator: p.request.initiator,
        templateVersionId: p.transition === 'start' || !p.partOfRestart ? p.request.templateVersionId : undefined,
        activeVersion: p.request.activeVersion,
        // A restart's stop build keeps the values; the new ones apply to its start build.
        parameters: p.partOfRestart && p.transition === 'stop' ? undefined : p.request.parameters,
        preset: p.partOfRestart && p.transition === 'stop' ? undefined : p.request.preset,
        explanation: explainRequestedBuild(p.transition, reason, p.request.initiator, p.partOfRestart),
      });
    } catch (e) {
      p.error = asUpdateError(e);
      queue.shift();
      continue;
    }
    p.result = { buildId: ref.buildId, buildNumber: ref.buildNumber, jobId: ref.jobId, transition: ref.transition };
    s.latestBuild = { number: ref.buildNumber, transition: ref.transition, jobStatus: 'pending', buildId: ref.buildId, jobId: ref.jobId };
    const workflowId = buildWorkflowId(input.workspaceId, ref.buildNumber);
    active = { buildNumber: ref.buildNumber, buildId: ref.buildId, jobId: ref.jobId, transition: ref.transition, workflowId, canceling: false };
    queue.shift();
    let result: BuildResult;
    try {
      const child = await wf.startChild(buildWorkflow, {
        workflowId,
        args: [{
          workspaceId: input.workspaceId, buildId: ref.buildId, buildNumber: ref.buildNumber, jobId: ref.jobId,
          transition: ref.transition, reason, taskQueue: ref.taskQueue, options: input.buildOptions,
        }],
        typedSearchAttributes: [
          { key: BuildTransitionKey, value: ref.transition },
          { key: BuildReasonKey, value: reason },
          ...(wf.workflowInfo().typedSearchAttributes.getAll().filter((a) => a.key.name === 'WorkspaceId' || a.key.name === 'WorkspaceOwner')),
        ],
        parentClosePolicy: wf.ParentClosePolicy.REQUEST_CANCEL,
      });
      active.child = child;
      result = await child.result();
    } catch (e) {
      // The child could not run at all: record the build as failed so nothing stays pending.
      result = await control.completeBuild({ buildId: ref.buildId, outcome: { kind: 'failed', error: `build workflow failed: ${(e as Error).message}` } });
    }
    const wasCanceling = active.canceling;
    active = null;
    s.latestBuild = { ...s.latestBuild, jobStatus: result.jobStatus };
    if (result.transition === 'delete' && result.jobStatus === 'succeeded') s.deleted = true;
    if (p.partOfRestart && p.transition === 'stop' && result.jobStatus === 'succeeded' && !wasCanceling) {
      queue.unshift({ request: p.request, transition: 'start', partOfRestart: true });
    }
    if (wf.workflowInfo().continueAsNewSuggested && queue.length === 0 && !s.deleted) {
      await wf.condition(wf.allHandlersFinished);
      if (queue.length === 0) {
        await wf.continueAsNew<typeof workspaceWorkflow>({ ...input, deleted: s.deleted, latestBuild: s.latestBuild, pending: [] });
      }
    }
  }
  await wf.condition(wf.allHandlersFinished);
}
