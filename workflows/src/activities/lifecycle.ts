/**
 * Lifecycle activities (control task queue): load the state the schedule rules read, and apply
 * their results — deadline and next_start_at when a build completes, dormancy, activity bumps,
 * schedule changes and extends. `now` always comes from the workflow (its deterministic clock),
 * so decisions and stored times agree, also on the time-skipping test server.
 */
import type { Knex } from 'knex';
import { Context } from '@temporalio/activity';
import type { Db } from '../db/connection';

type Q = Db | Knex.Transaction;
import { getBuild } from '../db/builds';
import { latestBuildId, loadLifecycleState, setBuildDeadline, updateWorkspaceLifecycle } from '../db/lifecycle';
import {
  applyActivityBump, applyAutostartUpdate, applyTtlUpdate, calculateAutostop, computeNextStartAt, dormancyTimestamps, extendDeadline,
  ScheduleError, type LifecycleState,
} from '../domain/schedule';
import type { BerthMetrics } from '../metrics';
import { asFailure } from './failures';


export function createLifecycleActivities(deps: { db: Db; metrics: BerthMetrics }) {
  const { db, metrics } = deps;

  /** The LifecycleState of a workspace (see domain/schedule.ts). */
  async function loadLifecycle(input: { workspaceId: string }): Promise<LifecycleState> {
    try { return await loadLifecycleState(db, input.workspaceId); } catch (e) { throw asFailure(e); }
  }

  /**
   * After a build completed at `now`: a successful start build gets its deadline and
   * max_deadline (CalculateAutostop); every build refreshes next_start_at.
   */
  async function applyBuildCompletion(input: { buildId: string; now: number }, q: Q = db): Promise<void> {
    const b = await getBuild(q, input.buildId);
    const state = await loadLifecycleState(q, b.workspaceId);
    if (b.transition === 'start' && b.jobStatus === 'succeeded') {
      let r;
      try {
        r = calculateAutostop(state, input.now);
      } catch (e) {
        // An invalid quiet-hours schedule must not make the build fail: the default quiet hours apply.
        Context.current().log.warn('owner quiet hours invalid; using the default', { workspaceId: b.workspaceId, error: (e as Error).message });
        r = calculateAutostop({ ...state, userQuietHoursSchedule: null }, input.now);
      }
      await setBuildDeadline(q, b.id, { deadline: r.deadline, maxDeadline: r.maxDeadline, deadlineSource: r.deadlineSource });
    }
    await updateWorkspaceLifecycle(q, b.workspaceId, { nextStartAt: computeNextStartAt(state, input.now) });
  }

  /** Marks a workspace dormant at `now` (dormant_at, deleting_at; next_start_at cleared). */
  async function markDormant(input: { workspaceId: string; now: number }): Promise<void> {
    const state = await loadLifecycleState(db, input.workspaceId);
    const t = dormancyTimestamps(state.template, input.now);
    await updateWorkspaceLifecycle(db, input.workspaceId, { dormantAt: t.dormantAt, deletingAt: t.deletingAt, nextStartAt: null });
    metrics.lifecycleTransitions.inc({ transition: 'none', reason: 'dormancy' });
  }

  /** User activity at `now`: last_used_at = now and the activity bump of the latest build's deadline. */
  async function recordActivity(input: { workspaceId: string; now: number }): Promise<{ bumped: boolean; deadline: number | null; why: string }> {
    const state = await loadLifecycleState(db, input.workspaceId);
    const r = applyActivityBump(state, input.now);
    await updateWorkspaceLifecycle(db, input.workspaceId, { lastUsedAt: input.now });
    const id = await latestBuildId(db, input.workspaceId);
    if (r.bumped && id) {
      const b = state.latestBuild;
      await setBuildDeadline(db, id, { deadline: r.deadline, maxDeadline: b?.maxDeadline === null || b?.maxDeadline === undefined ? null : Number(b.maxDeadline), deadlineSource: r.deadlineSource });
    }
    return { bumped: r.bumped, deadline: r.deadline, why: r.why };
  }

  /**
   * Sets the autostart schedule and/or TTL (undefined = unchanged, null/'' = off). Never starts or
   * stops the workspace; a TTL applies from the next build. Non-retryable InputError/ConflictError.
   */
  async function saveSchedule(input: { workspaceId: string; autostartSchedule?: string | null; ttlMs?: number | null; now: number }): Promise<{ autostartSchedule: string | null; ttlMs: number | null; nextStartAt: number | null }> {
    try {
      const state = await loadLifecycleState(db, input.workspaceId);
      if (state.deleted) throw new ScheduleError('prebuild', 409, 'The workspace is deleted.');
      let autostart = state.autostartSchedule;
      let nextStartAt = state.nextStartAt === undefined || state.nextStartAt === null ? null : Number(state.nextStartAt);
      let ttlMs = state.ttlMs;
      if (input.autostartSchedule !== undefined) {
        const u = applyAutostartUpdate(state, input.autostartSchedule, input.now);
        autostart = u.autostartSchedule;
        nextStartAt = u.nextStartAt;
      }
      let deadlineUpdate: { deadline: number | null; source: any } | null = null;
      if (input.ttlMs !== undefined) {
        const u = applyTtlUpdate({ ...state, autostartSchedule: autostart }, input.ttlMs);
        ttlMs = u.ttlMs;
        if (u.deadlineChanged) deadlineUpdate = { deadline: u.deadline, source: u.deadlineSource };
      }
      await db.transaction(async (tx) => {
        await updateWorkspaceLifecycle(tx, input.workspaceId, { autostartSchedule: autostart, nextStartAt, ttlMs });
        const id = await latestBuildId(tx, input.workspaceId);
        if (deadlineUpdate && id) {
          const b = state.latestBuild;
          await setBuildDeadline(tx, id, { deadline: deadlineUpdate.deadline, maxDeadline: b?.maxDeadline == null ? null : Number(b.maxDeadline), deadlineSource: deadlineUpdate.source });
        }
      });
      return { autostartSchedule: autostart, ttlMs, nextStartAt };
    } catch (e) {
      throw asFailure(e);
    }
  }

  /** Extends (or brings forward) the running build's deadline; ≥ 30 min from now, ≤ max_deadline. */
  async function extendWorkspaceDeadline(input: { workspaceId: string; deadline: number; now: number }): Promise<{ deadline: number }> {
    try {
      const state = await loadLifecycleState(db, input.workspaceId);
      const r = extendDeadline(state, input.deadline, input.now);
      const id = await latestBuildId(db, input.workspaceId);
      const b = state.latestBuild;
      if (id) await setBuildDeadline(db, id, { deadline: r.deadline, maxDeadline: b?.maxDeadline == null ? null : Number(b.maxDeadline), deadlineSource: r.deadlineSource });
      return { deadline: r.deadline };
    } catch (e) {
      throw asFailure(e);
    }
  }

  return { loadLifecycle, applyBuildCompletion, markDormant, recordActivity, saveSchedule, extendWorkspaceDeadline };
}
