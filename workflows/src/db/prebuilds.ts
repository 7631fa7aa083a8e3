/**
 * The database side of prebuilds: the reconciler's snapshot (one REPEATABLE READ read of every
 * preset with a pool or with live prebuilds), prebuilt workspace rows, the atomic claim
 * (`SELECT … FOR UPDATE SKIP LOCKED`: two creates never take the same prebuild), and each
 * preset's pool status. Times are ms since the epoch where they are inputs.
 */
import type { Knex } from 'knex';
import type { Db } from './connection';
import { ConflictError, InputError, NotFoundError } from '../errors';
import { checkName } from '../domain/names';
import { PREBUILDS_OWNER, type PresetSnapshot, type PrebuildStatus } from '../domain/prebuilds';
import { isUuid } from './ids';

type Q = Db | Knex.Transaction;
type Row = Record<string, any>;

/** The latest build of each workspace (a lateral join used by the snapshot and the claim). */
const LATEST_BUILD = `LATERAL (SELECT b.transition, b.template_version_id, j.job_status FROM workspace_builds b
  JOIN provisioner_jobs j ON j.id = b.job_id WHERE b.workspace_id = w.id ORDER BY b.build_number DESC LIMIT 1) lb ON true`;

/**
 * One consistent snapshot (REPEATABLE READ, read only) of every preset that has a pool
 * (`prebuild_instances` > 0) or still has live prebuilt workspaces, across all template
 * versions, with its running prebuilds, in-progress builds and recent first builds.
 */
export async function loadPrebuildSnapshot(db: Db): Promise<PresetSnapshot[]> {
  return db.transaction(async (tx) => {
    const presets: Row[] = (await tx.raw(`
      SELECT p.id, p.name, p.prebuild_instances, p.prebuild_expiration_s, p.prebuild_status, p.prebuild_status_reset_at,
             v.id AS version_id, t.id AS template_id, t.name AS template_name,
             (t.active_version_id = v.id AND NOT t.deleted AND t.deprecation_message = '') AS active
      FROM template_version_presets p
      JOIN template_versions v ON v.id = p.template_version_id
      JOIN templates t ON t.id = v.template_id
      WHERE p.prebuild_instances > 0
         OR EXISTS (SELECT 1 FROM workspaces w WHERE w.prebuild_preset_id = p.id AND w.owner = ? AND NOT w.deleted)
      ORDER BY t.name, v.created_at, p.name`, [PREBUILDS_OWNER])).rows;
    if (!presets.length) return [];
    const ids = presets.map((p) => p.id);
    const live: Row[] = (await tx.raw(`
      SELECT w.id, w.prebuild_preset_id, w.created_at, lb.transition, lb.job_status
      FROM workspaces w JOIN ${LATEST_BUILD}
      WHERE w.owner = ? AND NOT w.deleted AND w.prebuild_preset_id = ANY(?::uuid[])`, [PREBUILDS_OWNER, ids])).rows;
    // First builds of every prebuild of these presets (claimed or not, deleted or not): backoff and the hard limit.
    // A reset drops the builds created (database clock, like the reset time) before it.
    const firsts: Row[] = (await tx.raw(`
      SELECT w.prebuild_preset_id, j.completed_at, b.created_at, j.job_status
      FROM workspaces w JOIN workspace_builds b ON b.workspace_id = w.id AND b.build_number = 1
      JOIN provisioner_jobs j ON j.id = b.job_id
      WHERE w.prebuild_preset_id = ANY(?::uuid[]) AND j.job_status IN ('succeeded', 'failed', 'canceled') AND j.completed_at IS NOT NULL
      ORDER BY j.completed_at DESC`, [ids])).rows;
    return presets.map((p): PresetSnapshot => {
      const mine = live.filter((w) => w.prebuild_preset_id === p.id);
      const inProgress = { start: 0, stop: 0, delete: 0 };
      for (const w of mine) if (w.job_status === 'pending' || w.job_status === 'running') inProgress[w.transition as 'start' | 'stop' | 'delete']++;
      const resetAt = p.prebuild_status_reset_at ? (p.prebuild_status_reset_at as Date).getTime() : null;
      return {
        presetId: p.id, presetName: p.name, templateId: p.template_id, templateName: p.template_name, templateVersionId: p.version_id,
        active: Boolean(p.active), desiredInstances: p.prebuild_instances,
        expirationTtlMs: p.prebuild_expiration_s === null ? null : Number(p.prebuild_expiration_s) * 1000,
        status: p.prebuild_status as PrebuildStatus,
        running: mine.filter((w) => w.transition === 'start' && w.job_status === 'succeeded').map((w) => ({ workspaceId: w.id, createdAt: (w.created_at as Date).getTime() })),
        inProgress,
        recentBuilds: firsts.filter((b) => b.prebuild_preset_id === p.id && (resetAt === null || (b.created_at as Date).getTime() > resetAt))
          .map((b) => ({ finishedAt: (b.completed_at as Date).getTime(), failed: b.job_status !== 'succeeded' })),
      };
    });
  }, { isolationLevel: 'repeatable read', readOnly: true });
}

/** Inserts an unclaimed prebuilt workspace row (owner {@link PREBUILDS_OWNER}, no autostart, no TTL). */
export async function insertPrebuildWorkspace(db: Q, w: { name: string; templateId: string; presetId: string; now: number }): Promise<{ id: string; name: string; owner: string }> {
  const bad = checkName('workspace', w.name);
  if (bad) throw new InputError(bad);
  try {
    const [r] = await db('workspaces').insert({
      owner: PREBUILDS_OWNER, name: w.name, template_id: w.templateId, prebuild_preset_id: w.presetId,
      ttl_ms: null, autostart_schedule: null, automatic_updates: 'never', last_used_at: new Date(w.now),
      // On the workflow clock (expiry is compared with the reconciler's now).
      created_at: new Date(w.now),
    }).returning(['id', 'name', 'owner']);
    return r;
  } catch (e) {
    if ((e as { code?: string }).code === '23505') throw new ConflictError(`prebuild name ${w.name} is taken`);
    throw e;
  }
}

export interface ClaimInput {
  presetId: string;
  owner: string;
  name: string;
  ttlMs: number | null;
  autostartSchedule: string | null;
  automaticUpdates?: 'always' | 'never';
  /** Claim time (ms). */
  now: number;
}

/**
 * Claims one eligible prebuild of `presetId` for `owner` atomically (Coder ClaimPrebuiltWorkspace):
 * the oldest live, unexpired prebuild whose latest build is a succeeded start on the template's
 * active version, locked with `FOR UPDATE SKIP LOCKED` so concurrent claims take different ones.
 * Ownership, name and the lifecycle fields (ttl, autostart, last_used_at = now, dormancy
 * cleared) change in the same statement. Returns the claimed workspace's id and its previous
 * name, or null when none is eligible. Throws ConflictError when `owner` already has a live
 * workspace named `name` (nothing changes).
 */
export async function claimPrebuild(db: Db, c: ClaimInput): Promise<{ id: string; previousName: string } | null> {
  if (!isUuid(c.presetId)) return null;
  try {
    return await db.transaction(async (tx) => {
      const found = (await tx.raw(`
        SELECT w.id, w.name FROM workspaces w
        JOIN templates t ON t.id = w.template_id
        JOIN template_version_presets p ON p.id = w.prebuild_preset_id
        JOIN ${LATEST_BUILD}
        WHERE w.owner = ? AND NOT w.deleted AND w.prebuild_preset_id = ?
          AND lb.transition = 'start' AND lb.job_status = 'succeeded' AND lb.template_version_id = t.active_version_id AND NOT t.deleted
          AND (p.prebuild_expiration_s IS NULL OR p.prebuild_expiration_s <= 0 OR w.created_at + p.prebuild_expiration_s * interval '1 second' >= ?)
        ORDER BY w.created_at, w.id
        LIMIT 1
        FOR UPDATE OF w SKIP LOCKED`, [PREBUILDS_OWNER, c.presetId, new Date(c.now)])).rows[0];
      if (!found) return null;
      await tx('workspaces').where({ id: found.id, owner: PREBUILDS_OWNER }).update({
        owner: c.owner, name: c.name, ttl_ms: c.ttlMs, autostart_schedule: c.autostartSchedule, next_start_at: null,
        automatic_updates: c.automaticUpdates ?? 'never', last_used_at: new Date(c.now), dormant_at: null, deleting_at: null,
        claimed_at: new Date(c.now), updated_at: tx.fn.now(),
      });
      return { id: found.id as string, previousName: found.name as string };
    });
  } catch (e) {
    if ((e as { code?: string }).code === '23505') throw new ConflictError(`workspace "${c.name}" already exists for ${c.owner}`, { field: 'name' });
    throw e;
  }
}

/**
 * Gives a claimed workspace back to the prebuilds user (used when the claim's start build could
 * not be queued, so nothing is left half-claimed). Only when it has no build after the claim.
 */
export async function unclaimPrebuild(db: Db, workspaceId: string, previousName: string, buildsBefore: number): Promise<boolean> {
  return db.transaction(async (tx) => {
    const n = await tx('workspace_builds').where({ workspace_id: workspaceId }).count<{ count: string }[]>('id as count');
    if (Number(n[0].count) !== buildsBefore) return false;
    const changed = await tx('workspaces').where({ id: workspaceId }).whereNotNull('claimed_at').update({
      owner: PREBUILDS_OWNER, name: previousName, ttl_ms: null, autostart_schedule: null, next_start_at: null, automatic_updates: 'never', claimed_at: null, updated_at: tx.fn.now(),
    });
    return changed > 0;
  });
}

/** Sets a preset's pool status; `reset` also records now as the reset time (older failures stop counting). */
export async function setPresetPrebuildStatus(q: Q, presetId: string, status: PrebuildStatus, reset = false): Promise<void> {
  await q('template_version_presets').where({ id: presetId }).update({
    prebuild_status: status, ...(reset ? { prebuild_status_reset_at: q.fn.now() } : {}),
  });
}

/** A preset by template and name on a version (default: the template's active version); throws NotFoundError. */
export async function findPreset(q: Q, templateId: string, presetName: string, versionId?: string | null): Promise<{ id: string; templateVersionId: string; prebuildInstances: number }> {
  const r = await q('template_version_presets as p').join('template_versions as v', 'v.id', 'p.template_version_id').join('templates as t', 't.id', 'v.template_id')
    .where({ 't.id': templateId, 'p.name': presetName })
    .andWhere(versionId ? q.raw('v.id = ?', [versionId]) : q.raw('v.id = t.active_version_id'))
    .first('p.id', 'p.template_version_id', 'p.prebuild_instances');
  if (!r) throw new NotFoundError(`preset "${presetName}" not found in the ${versionId ? 'given' : 'active'} version of the template`);
  return { id: r.id, templateVersionId: r.template_version_id, prebuildInstances: r.prebuild_instances };
}

/** Counts of a preset's prebuilds ever created, whose first build failed, and claimed (for the pool status). */
export async function prebuildCounts(q: Q, presetIds: string[]): Promise<Map<string, { created: number; failed: number; claimed: number }>> {
  const out = new Map<string, { created: number; failed: number; claimed: number }>();
  if (!presetIds.length) return out;
  const rows: Row[] = (await q.raw(`
    SELECT w.prebuild_preset_id AS id, count(*) AS created,
           count(*) FILTER (WHERE j.job_status = 'failed') AS failed,
           count(*) FILTER (WHERE w.claimed_at IS NOT NULL) AS claimed
    FROM workspaces w JOIN workspace_builds b ON b.workspace_id = w.id AND b.build_number = 1 JOIN provisioner_jobs j ON j.id = b.job_id
    WHERE w.prebuild_preset_id = ANY(?::uuid[]) GROUP BY w.prebuild_preset_id`, [presetIds])).rows;
  for (const r of rows) out.set(r.id, { created: Number(r.created), failed: Number(r.failed), claimed: Number(r.claimed) });
  return out;
}

/** Metric labels of a workspace's prebuild (template and preset names), or null when it never was a prebuild. */
export async function prebuildLabels(q: Q, workspaceId: string): Promise<{ template_name: string; preset_name: string } | null> {
  if (!isUuid(workspaceId)) return null;
  const r = await q('workspaces as w').join('templates as t', 't.id', 'w.template_id').join('template_version_presets as p', 'p.id', 'w.prebuild_preset_id')
    .where('w.id', workspaceId).first('t.name as template_name', 'p.name as preset_name');
  return r ? { template_name: r.template_name, preset_name: r.preset_name } : null;
}
