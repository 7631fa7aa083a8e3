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
import { buildsQueueFor } from '../domain/tags';
import { dueLifecycleDecision, msUntilDue, nextLifecycleDecision, type LifecycleDecision, type LifecycleState } from '../domain/schedule';
import type { BuildRef, BuildRequest, BuildResult, WorkspaceWorkflowInput } from '../types';
import { buildWorkflow } from './build';
import {
  activitySignal, BuildReasonKey, BuildTransitionKey, buildWorkflowId, cancelBuildUpdate, cancelSignal, claimUpdate, describeQuery, extendDeadlineUpdate,
  requestBuildUpdate, setScheduleUpdate, WorkspaceOwnerKey,
} from './definitions';

const control = wf.proxyActivities<BerthActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1s', maximumInterval: '30s', nonRetryableErrorTypes: ['InputError', 'NotFoundError', 'ConflictError'] },
});

interface Pending {
  request: BuildRequest;
  transition: Transition;
  partOfRestart: boolean;
  /** Set for builds the lifecycle starts by itself (autostart, autostop, …). */
  explanation?: string;
  fromLifecycle?: boolean;
  lifecycleRule?: string;
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
  // A claim (prebuilds) changes the owner and name; carried across continue-as-new.
  let owner = input.owner;
  let name = input.name;
  // Lifecycle scheduling (patched in: histories recorded before it replay unchanged).
  const scheduling = wf.patched('lifecycle-scheduling');
  let lifecycle: LifecycleState | null = null;
  let lifecycleChanged = false;
  const refreshLifecycle = async () => {
    if (!scheduling || s.deleted) return;
    lifecycle = await control.loadLifecycle({ workspaceId: input.workspaceId });
    lifecycleChanged = true;
  };
  const nextDecision = (): LifecycleDecision | null => (lifecycle && !s.deleted ? nextLifecycleDecision(lifecycle, Date.now()) : null);

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
    nextLifecycle: (() => {
      const d = active || queue.length ? null : nextDecision();
      return d ? { rule: d.rule, transition: d.transition, reason: d.reason, dueAt: d.dueAt, explanation: d.explanation } : null;
    })(),
  }));

  wf.setHandler(setScheduleUpdate, async (change) => {
    try {
      const r = await control.saveSchedule({ workspaceId: input.workspaceId, autostartSchedule: change.autostartSchedule, ttlMs: change.ttlMs, now: Date.now() });
      await refreshLifecycle();
      return r;
    } catch (e) {
      throw asUpdateError(e);
    }
  }, {
    validator: (change) => {
      if (!scheduling) reject('ConflictError', 'this workspace workflow predates lifecycle scheduling; restart it to change schedules');
      if (s.deleted) reject('ConflictError', 'cannot change the schedule: workspace is deleted');
      const badInitiator = checkPrincipal('initiator', change?.initiator);
      if (badInitiator) reject('InputError', badInitiator);
      if (change.autostartSchedule !== undefined && change.autostartSchedule !== null && typeof change.autostartSchedule !== 'string') reject('InputError', 'autostart_schedule must be a string or null');
      if (change.ttlMs !== undefined && change.ttlMs !== null && (typeof change.ttlMs !== 'number' || !Number.isFinite(change.ttlMs))) reject('InputError', 'ttl_ms must be a number of milliseconds or null');
    },
  });

  wf.setHandler(extendDeadlineUpdate, async ({ deadline }) => {
    try {
      const r = await control.extendWorkspaceDeadline({ workspaceId: input.workspaceId, deadline, now: Date.now() });
      await refreshLifecycle();
      return r;
    } catch (e) {
      throw asUpdateError(e);
    }
  }, {
    validator: (req) => {
      if (!scheduling) reject('ConflictError', 'this workspace workflow predates lifecycle scheduling');
      const badInitiator = checkPrincipal('initiator', req?.initiator);
      if (badInitiator) reject('InputError', badInitiator);
      if (typeof req.deadline !== 'number' || !Number.isSafeInteger(req.deadline) || Math.abs(req.deadline) > 8.64e15) reject('InputError', 'deadline must be a whole number of milliseconds since the epoch (a real date)');
      if (active || queue.length) reject('ConflictError', 'cannot extend: a build is in progress');
    },
  });

  wf.setHandler(activitySignal, async () => {
    if (!scheduling || s.deleted) return;
    await control.recordActivity({ workspaceId: input.workspaceId, now: Date.now() });
    await refreshLifecycle();
  });


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

  wf.setHandler(claimUpdate, async (claim) => {
    owner = claim.owner;
    name = claim.name;
    wf.upsertSearchAttributes([{ key: WorkspaceOwnerKey, value: claim.owner }]);
    const p: Pending = {
      request: { kind: 'start', reason: 'claim', initiator: claim.initiator, ...(claim.parameters ? { parameters: claim.parameters } : {}), ...(claim.preset ? { preset: claim.preset } : {}) },
      transition: 'start', partOfRestart: false,
      explanation: `start: prebuilt workspace ${claim.previousName} claimed by ${claim.owner} as ${claim.name}`,
    };
    queue.push(p);
    await wf.condition(() => p.result !== undefined || p.error !== undefined);
    if (p.error) throw p.error;
    return p.result as BuildRef;
  }, {
    validator: (claim) => {
      if (!claim || typeof claim !== 'object') reject('InputError', 'claim needs an object');
      const bad = checkPrincipal('owner', claim.owner) ?? checkPrincipal('initiator', claim.initiator);
      if (bad) reject('InputError', bad);
      if (typeof claim.name !== 'string' || !claim.name) reject('InputError', 'name is required');
      if (claim.parameters !== undefined) {
        try { checkVariableValues(claim.parameters); } catch (e) { reject('InputError', (e as Error).message); }
      }
      const why = (s.deleted ? 'cannot claim: workspace is deleted' : null) ?? busy('claim')
        ?? (s.latestBuild?.transition === 'start' && s.latestBuild.jobStatus === 'succeeded' ? null : 'cannot claim: the prebuilt workspace is not running');
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

  await refreshLifecycle();
  /** After a lifecycle build could not even be queued, wait before deciding again (no tight loop). */
  let lifecycleBackoffUntil = 0;
  for (;;) {
    if (wf.workflowInfo().continueAsNewSuggested && queue.length === 0 && !s.deleted) {
      await wf.condition(wf.allHandlersFinished);
      if (queue.length === 0) {
        await wf.continueAsNew<typeof workspaceWorkflow>({ ...input, owner, name, deleted: s.deleted, latestBuild: s.latestBuild, pending: [] });
      }
    }
    // Sleep until a request arrives or the next lifecycle decision is due (autostart, autostop,
    // failure cleanup, dormancy, autodelete), recomputed whenever the lifecycle state changes.
    lifecycleChanged = false;
    const decision = queue.length ? null : nextDecision();
    let waitMs = msUntilDue(decision, Date.now());
    if (waitMs !== null) waitMs = Math.max(waitMs, lifecycleBackoffUntil - Date.now(), 1);
    const woken = waitMs === null
      ? (await wf.condition(() => queue.length > 0 || s.deleted || lifecycleChanged), true)
      : await wf.condition(() => queue.length > 0 || s.deleted || lifecycleChanged, waitMs);
    if (s.deleted && queue.length === 0) break;
    if (!woken) {
      // A decision is due on the cached state. A build is queued at once and re-checked on fresh
      // state by enqueueBuild (activity, extends and template changes move deadlines outside this
      // workflow); marking dormant re-reads the state first.
      const due = lifecycle ? dueLifecycleDecision(lifecycle, Date.now()) : null;
      if (due && queue.length === 0 && !active) {
        wf.log.info('lifecycle decision due', { rule: due.rule, reason: due.reason, explanation: due.explanation });
        if (due.markDormant) {
          await refreshLifecycle();
          const still = lifecycle ? dueLifecycleDecision(lifecycle, Date.now()) : null;
          if (!still || still.rule !== due.rule) continue;
          await control.markDormant({ workspaceId: input.workspaceId, now: Date.now() });
        }
        if (due.transition) {
          queue.push({
            request: { kind: due.transition, reason: due.reason, initiator: 'system:autobuild' }, transition: due.transition,
            // (a dormancy stop was re-checked before marking dormant; after that the rule no longer applies)
            partOfRestart: false, explanation: due.explanation, fromLifecycle: true, ...(due.markDormant ? {} : { lifecycleRule: due.rule }),
          });
        } else {
          await refreshLifecycle();
        }
      } else {
        await refreshLifecycle();
      }
      continue;
    }
    if (queue.length === 0) continue;
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
        ...(p.request.onlyIfPrebuild ? { requirePrebuild: true } : {}),
        explanation: p.explanation ?? explainRequestedBuild(p.transition, reason, p.request.initiator, p.partOfRestart),
        ...(p.lifecycleRule ? { lifecycle: { rule: p.lifecycleRule, now: Date.now() } } : {}),
      });
    } catch (e) {
      p.error = asUpdateError(e);
      queue.shift();
      if (p.fromLifecycle) {
        if (p.error.type === 'LifecycleNotDue') {
          await refreshLifecycle();
        } else {
          wf.log.warn('lifecycle build could not be queued; deciding again in 5 minutes', { error: p.error.message });
          lifecycleBackoffUntil = Date.now() + 5 * 60_000;
        }
      }
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
        // Builds run on their own task queue (patched in: earlier histories ran them on this one).
        ...(wf.patched('builds-task-queue') ? { taskQueue: buildsQueueFor(wf.workflowInfo().taskQueue) } : {}),
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
    await refreshLifecycle();
  }
  await wf.condition(wf.allHandlersFinished);
}
