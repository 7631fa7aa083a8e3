/**
 * Prebuilds: the reconciliation plan and the claim rules (reference/lifecycle-semantics.md §4,
 * Coder `coderd/prebuilds/preset_snapshot.go` CalculateState/CalculateActions). Pure: no I/O,
 * no clock (`now` is always given, ms since the epoch). Safe to import from workflow code.
 *
 * Terms: a **preset** with `prebuilds.instances` > 0 declares a pool of **prebuilds**
 * (workspaces owned by the prebuilds system user, {@link PREBUILDS_OWNER}); a user's create
 * with that preset **claims** an eligible one; a preset whose prebuild builds keep failing is
 * **hard_limited**; prebuilds of a version that is no longer active are deleted (**invalidation**).
 */
import type { TemplateParameter } from './parameter-types';

/** Owner (and initiator) of unclaimed prebuilt workspaces: the prebuilds system user (Coder: username `prebuilds`). */
export const PREBUILDS_OWNER = 'system:prebuilds';

/** A preset's pool health (Coder `prebuild_status`; Berth has no `validation_failed` yet). */
export type PrebuildStatus = 'healthy' | 'hard_limited';

/** Reconciler settings (durations in ms). */
export interface PrebuildConfig {
  /** Time between reconciliation ticks (Coder default 1 min). */
  reconcileIntervalMs: number;
  /** The backoff unit: after N failures, wait N × this from the last build (Coder default 1 min). */
  backoffIntervalMs: number;
  /** Failures older than this no longer cause backoff (Coder default 1 h). */
  backoffLookbackMs: number;
  /** Consecutive failed prebuild builds after which a preset is hard_limited; 0 = never (Coder default 3). */
  failureHardLimit: number;
}

export const DEFAULT_PREBUILD_CONFIG: PrebuildConfig = {
  reconcileIntervalMs: 60_000,
  backoffIntervalMs: 60_000,
  backoffLookbackMs: 3_600_000,
  failureHardLimit: 3,
};

/** A running prebuild: latest build is a succeeded start, still owned by the prebuilds user. */
export interface RunningPrebuild {
  workspaceId: string;
  /** When the prebuilt workspace was created (ms); expiry counts from here. */
  createdAt: number;
}

/** Everything `plan()` reads about one preset (one tick's snapshot). */
export interface PresetSnapshot {
  presetId: string;
  presetName: string;
  templateId: string;
  templateName: string;
  templateVersionId: string;
  /** The preset's version is its template's active version and the template is live and not deprecated. */
  active: boolean;
  /** `prebuilds.instances` (0 = no pool). */
  desiredInstances: number;
  /** `prebuilds.expiration_ttl_s` in ms, or null: prebuilds older than this are replaced. */
  expirationTtlMs: number | null;
  /** Stored pool status. */
  status: PrebuildStatus;
  running: RunningPrebuild[];
  /** Prebuilds of this preset whose latest build is pending or running, by transition. */
  inProgress: { start: number; stop: number; delete: number };
  /**
   * The first (creating) builds of this preset's prebuilds that have finished, newest first,
   * since the last manual reset: when each finished (ms, the workflow clock that completed it)
   * and whether it failed.
   */
  recentBuilds: Array<{ finishedAt: number; failed: boolean }>;
}

export type PrebuildDeleteReason = 'expired' | 'extraneous' | 'invalidation';

/** What the reconciler does for one preset this tick. */
export interface PresetPlan {
  presetId: string;
  /** Numbers the metrics and the pool status show. */
  state: { desired: number; running: number; eligible: number; expired: number; starting: number; deleting: number };
  /** New prebuilds to create. */
  create: number;
  /** Prebuilds to delete, oldest first within each reason. */
  delete: Array<{ workspaceId: string; reason: PrebuildDeleteReason }>;
  /** Set while the preset backs off after failures: nothing is done before this time (ms). */
  backoffUntil: number | null;
  /** The preset is at its failure hard limit: nothing is created. */
  hardLimited: boolean;
  /** The stored status must change to hard_limited (the first tick that sees the limit). */
  markHardLimited: boolean;
  /** The stored status says hard_limited but the builds no longer do (e.g. the limit was raised): back to healthy. */
  markHealthy: boolean;
  /** One line for the logs and the history, e.g. "create 2 (desired 3, running 1)". */
  explanation: string;
}

/**
 * True when the preset is at its failure hard limit: its last `hardLimit` finished prebuild
 * builds (since the last reset) all failed. `hardLimit` 0 disables the limit.
 */
export function isHardLimited(recentBuilds: PresetSnapshot['recentBuilds'], hardLimit: number): boolean {
  if (!Number.isInteger(hardLimit) || hardLimit <= 0) return false;
  const last = recentBuilds.slice(0, hardLimit);
  return last.length === hardLimit && last.every((b) => b.failed);
}

/**
 * Backoff after failures (Coder GetPresetsBackoff + CalculateActions step 1): when any of the
 * last max(desired, 1) builds failed within the lookback window, wait until
 * `lastBuildAt + failures-in-window × backoffIntervalMs` (Berth takes a build's finish time as
 * its build time: it is on the workflow clock, like `now`). Returns that time (ms) while it is in
 * the future, else null.
 */
export function backoffUntil(p: Pick<PresetSnapshot, 'recentBuilds' | 'desiredInstances'>, now: number, cfg: Pick<PrebuildConfig, 'backoffIntervalMs' | 'backoffLookbackMs'>): number | null {
  const since = now - cfg.backoffLookbackMs;
  const window = p.recentBuilds.filter((b) => b.finishedAt >= since);
  const lastN = p.recentBuilds.slice(0, Math.max(p.desiredInstances, 1));
  if (!lastN.some((b) => b.failed && b.finishedAt >= since)) return null;
  const failures = window.filter((b) => b.failed).length;
  const lastBuildAt = Math.max(...p.recentBuilds.map((b) => b.finishedAt));
  const until = lastBuildAt + failures * cfg.backoffIntervalMs;
  return now < until ? until : null;
}

/** Prebuilds past their expiration (created_at + ttl < now; ttl null or ≤ 0 = never). */
export function isExpired(r: RunningPrebuild, expirationTtlMs: number | null, now: number): boolean {
  return expirationTtlMs !== null && expirationTtlMs > 0 && r.createdAt + expirationTtlMs < now;
}

/**
 * The reconciliation plan for one preset at `now`:
 *
 * - inactive preset (its version is no longer active, or the template is deleted/deprecated):
 *   delete every running prebuild (invalidation); desired 0;
 * - active preset backing off after failures: nothing until `backoffUntil`;
 * - active preset: delete expired prebuilds, delete the oldest extras above desired, create
 *   `desired − (running − expired) − starting` (never negative), unless hard_limited.
 *
 * Stopped and failed prebuilds are never deleted here (evidence); in-progress deletes do not
 * reduce `create`. Throws nothing: malformed numbers are treated as 0.
 */
export function planPreset(p: PresetSnapshot, now: number, cfg: PrebuildConfig): PresetPlan {
  const byAge = [...p.running].sort((a, b) => a.createdAt - b.createdAt || (a.workspaceId < b.workspaceId ? -1 : 1));
  const expired = p.active ? byAge.filter((r) => isExpired(r, p.expirationTtlMs, now)) : [];
  const fresh = byAge.filter((r) => !expired.includes(r));
  const desired = p.active ? Math.max(0, Math.floor(p.desiredInstances) || 0) : 0;
  const starting = Math.max(0, p.inProgress.start || 0);
  const hardLimited = isHardLimited(p.recentBuilds, cfg.failureHardLimit);
  const state = {
    desired, running: byAge.length, eligible: p.active ? fresh.length : 0, expired: expired.length, starting, deleting: Math.max(0, p.inProgress.delete || 0),
  };
  const base = {
    presetId: p.presetId, state, hardLimited, markHardLimited: hardLimited && p.status !== 'hard_limited', markHealthy: !hardLimited && p.status === 'hard_limited',
    backoffUntil: null as number | null,
  };

  if (!p.active) {
    const del = byAge.map((r) => ({ workspaceId: r.workspaceId, reason: 'invalidation' as const }));
    return { ...base, create: 0, delete: del, explanation: del.length ? `invalidation: delete ${del.length} prebuild(s) of a version that is no longer active` : 'inactive version: nothing to do' };
  }
  const until = backoffUntil(p, now, cfg);
  if (until !== null) {
    const limited = hardLimited ? `hard_limited (last ${cfg.failureHardLimit} builds failed); ` : '';
    return { ...base, backoffUntil: until, create: 0, delete: [], explanation: `${limited}backing off after failures until ${new Date(until).toISOString()}` };
  }
  const extraneous = Math.max(fresh.length - desired, 0);
  const del = [
    ...expired.map((r) => ({ workspaceId: r.workspaceId, reason: 'expired' as const })),
    ...fresh.slice(0, extraneous).map((r) => ({ workspaceId: r.workspaceId, reason: 'extraneous' as const })),
  ];
  const wanted = Math.max(desired - fresh.length - starting, 0);
  const create = hardLimited ? 0 : wanted;
  const parts: string[] = [];
  if (create) parts.push(`create ${create}`);
  if (expired.length) parts.push(`delete ${expired.length} expired`);
  if (extraneous) parts.push(`delete ${extraneous} extraneous`);
  if (hardLimited && wanted) parts.push(`hard_limited: not creating ${wanted} (last ${cfg.failureHardLimit} builds failed)`);
  const counts = `desired ${desired}, running ${fresh.length}, starting ${starting}`;
  return { ...base, create, delete: del, explanation: parts.length ? `${parts.join('; ')} (${counts})` : `pool complete (${counts})` };
}

/** Plans every preset of a snapshot (see {@link planPreset}); presets with nothing to do are kept (their state feeds the metrics). */
export function plan(presets: PresetSnapshot[], now: number, cfg: PrebuildConfig): PresetPlan[] {
  return presets.map((p) => planPreset(p, now, cfg));
}

/**
 * Whether a prebuild of a preset can serve a create request with `requested` parameter values:
 * every requested value equals the prebuild's (`prebuildValues`: the preset's values plus
 * defaults), or belongs to a mutable parameter (the claim's start build applies it). Values that
 * conflict with the preset itself never match (the create then fails validation on its cold path).
 */
export function claimMatches(parameters: TemplateParameter[], presetValues: Record<string, string>, prebuildValues: Record<string, string>, requested: Record<string, string>): boolean {
  const byName = new Map(parameters.map((p) => [p.name, p]));
  for (const [name, value] of Object.entries(requested)) {
    if (Object.prototype.hasOwnProperty.call(presetValues, name)) {
      if (presetValues[name] !== value) return false;
      continue;
    }
    if (prebuildValues[name] === value) continue;
    const p = byName.get(name);
    if (!p || !p.mutable) return false;
  }
  return true;
}

/** A prebuilt workspace's name: `prebuild-` and 8 hex digits from `random` (a source of hex characters, e.g. crypto). */
export function prebuildName(randomHex: string): string {
  const hex = randomHex.toLowerCase().replace(/[^0-9a-f]/g, '').slice(0, 8).padEnd(8, '0');
  return `prebuild-${hex}`;
}
