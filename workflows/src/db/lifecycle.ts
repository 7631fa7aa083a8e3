/**
 * The database side of lifecycle scheduling: the LifecycleState the schedule rules read, and the
 * writes that follow their decisions (deadline at build completion, next_start_at, dormancy,
 * activity bump, schedule changes, extend). Times are ms since the epoch; `now` is always given
 * by the caller (the workflow's clock), never read here.
 */
import type { Knex } from 'knex';
import type { Db } from './connection';
import { NotFoundError } from '../errors';
import { getTemplate, getTemplateVersionParameters } from './templates';
import { getBuildParameters, isUuid } from './builds';
import { revalidateForVersion } from '../domain/parameters';
import { PREBUILDS_OWNER } from '../domain/prebuilds';
import type { DeadlineSource, LifecycleState, UserStatus } from '../domain/schedule';

type Q = Db | Knex.Transaction;
const ms = (d: Date | null | undefined): number | null => (d ? d.getTime() : null);

/** A user's schedule settings (defaults when the user has no row). */
export async function getUserSettings(q: Q, ref: string): Promise<{ quietHoursSchedule: string; status: UserStatus }> {
  const r = await q('users').where({ ref }).first('quiet_hours_schedule', 'status');
  return { quietHoursSchedule: r?.quiet_hours_schedule ?? '', status: (r?.status ?? 'active') as UserStatus };
}

/** Sets a user's quiet hours (already validated) and/or status. */
export async function setUserSettings(q: Q, ref: string, patch: { quietHoursSchedule?: string; status?: UserStatus }): Promise<void> {
  const row: Record<string, unknown> = { ref, updated_at: q.fn.now() };
  if (patch.quietHoursSchedule !== undefined) row.quiet_hours_schedule = patch.quietHoursSchedule;
  if (patch.status !== undefined) row.status = patch.status;
  await q('users').insert(row).onConflict('ref').merge();
}

/**
 * Everything the schedule rules read about a workspace (see domain/schedule.ts LifecycleState),
 * from its row, its latest build and job, its template's policy and its owner. Throws
 * NotFoundError.
 */
export async function loadLifecycleState(q: Q, workspaceId: string): Promise<LifecycleState> {
  const ws = isUuid(workspaceId) ? await q('workspaces').where({ id: workspaceId }).first() : undefined;
  if (!ws) throw new NotFoundError(`workspace ${workspaceId} not found`);
  const tpl = await getTemplate(q, ws.template_id).catch(() => null);
  const b = await q('workspace_builds as b').join('provisioner_jobs as j', 'j.id', 'b.job_id').where('b.workspace_id', workspaceId)
    .orderBy('b.build_number', 'desc').first('b.id', 'b.transition', 'b.reason', 'b.created_at', 'b.deadline', 'b.max_deadline', 'b.deadline_source',
      'b.template_version_id', 'j.job_status', 'j.completed_at');
  const user = await getUserSettings(q, ws.owner);
  // Autostart would run on the active version when updates are automatic or required: does the
  // last build's values satisfy its parameters?
  let templateNeedsNewParameters = false;
  if (b && tpl?.activeVersionId && tpl.activeVersionId !== b.template_version_id && (ws.automatic_updates === 'always' || tpl.requireActiveVersion)) {
    const params = await getTemplateVersionParameters(q, tpl.activeVersionId);
    templateNeedsNewParameters = revalidateForVersion(params, await getBuildParameters(q, b.id)).length > 0;
  }
  return {
    autostartSchedule: ws.autostart_schedule,
    ttlMs: ws.ttl_ms === null ? null : Number(ws.ttl_ms),
    nextStartAt: ms(ws.next_start_at),
    lastUsedAt: ms(ws.last_used_at),
    dormantAt: ms(ws.dormant_at),
    deletingAt: ms(ws.deleting_at),
    deleted: ws.deleted,
    latestBuild: b ? {
      transition: b.transition, jobStatus: b.job_status, reason: b.reason, createdAt: b.created_at.getTime(),
      completedAt: ms(b.completed_at), deadline: ms(b.deadline), maxDeadline: ms(b.max_deadline), deadlineSource: b.deadline_source ?? null,
    } : null,
    template: tpl?.schedule ?? {
      defaultTtlMs: 0, activityBumpMs: 3_600_000, autostartAllowedDays: 127, autostopRequirementDays: 0, autostopRequirementWeeks: 1,
      allowUserAutostart: true, allowUserAutostop: true, failureTtlMs: 0, timeTilDormantMs: 0, timeTilDormantAutodeleteMs: 0,
    },
    userQuietHoursSchedule: user.quietHoursSchedule || null,
    userStatus: user.status,
    // Unclaimed prebuilds are excluded from autostart, autostop, the autostop requirement, failure cleanup and dormancy.
    isPrebuild: ws.owner === PREBUILDS_OWNER,
    templateNeedsNewParameters,
  };
}

/** Stores a build's deadline, max_deadline and how the deadline was set. */
export async function setBuildDeadline(q: Q, buildId: string, d: { deadline: number | null; maxDeadline: number | null; deadlineSource: DeadlineSource | null }): Promise<void> {
  await q('workspace_builds').where({ id: buildId }).update({
    deadline: d.deadline === null ? null : new Date(d.deadline), max_deadline: d.maxDeadline === null ? null : new Date(d.maxDeadline),
    deadline_source: d.deadlineSource, updated_at: q.fn.now(),
  });
}

/** Updates workspace lifecycle columns (only those given). */
export async function updateWorkspaceLifecycle(q: Q, workspaceId: string, patch: {
  autostartSchedule?: string | null; ttlMs?: number | null; nextStartAt?: number | null; lastUsedAt?: number;
  dormantAt?: number | null; deletingAt?: number | null;
}): Promise<void> {
  const row: Record<string, unknown> = { updated_at: q.fn.now() };
  const date = (v: number | null) => (v === null ? null : new Date(v));
  if (patch.autostartSchedule !== undefined) row.autostart_schedule = patch.autostartSchedule;
  if (patch.ttlMs !== undefined) row.ttl_ms = patch.ttlMs;
  if (patch.nextStartAt !== undefined) row.next_start_at = date(patch.nextStartAt);
  if (patch.lastUsedAt !== undefined) row.last_used_at = new Date(patch.lastUsedAt);
  if (patch.dormantAt !== undefined) row.dormant_at = date(patch.dormantAt);
  if (patch.deletingAt !== undefined) row.deleting_at = date(patch.deletingAt);
  await q('workspaces').where({ id: workspaceId }).update(row);
}

/** The id of a workspace's latest build (or null). */
export async function latestBuildId(q: Q, workspaceId: string): Promise<string | null> {
  const r = await q('workspace_builds').where({ workspace_id: workspaceId }).orderBy('build_number', 'desc').first('id');
  return r?.id ?? null;
}
