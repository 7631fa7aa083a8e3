/**
 * Lifecycle scheduling rules: autostart, autostop (TTL, deadline, max_deadline from the template's
 * autostop requirement and the user's quiet hours, activity bump, extend), failure cleanup,
 * dormancy and autodelete, the lifecycle executor's decision ("what happens next, when, why"),
 * and a preview of the next autostart/autostop times.
 *
 * Follows Coder (reference/lifecycle-semantics.md §2 and §3): `coderd/schedule/autostart.go`,
 * `coderd/schedule/autostop.go` (`CalculateAutostop`), `coderd/database/queries/activitybump.sql`,
 * `coderd/workspaces.go` (`putExtendWorkspace`, `validWorkspaceTTLMillis`, PUT ttl/autostart) and
 * `coderd/autobuild/lifecycle_executor.go` (`getNextTransition` and its `isEligibleFor*` checks).
 * Where Coder has a known bug this module does the right thing; each place says which bug and
 * what it does instead (search for "Coder bug").
 *
 * Pure: no I/O, no clock (every function takes `now`), no Node imports — safe in Temporal's
 * workflow sandbox. Instants are **ms since the Unix epoch (UTC)** ({@link EpochMs}); inputs
 * also accept a `Date` or an ISO-8601 string ({@link InstantInput}). Durations are **ms**.
 *
 * Unlike Coder's executor, which ticks once a minute and compares with the tick truncated to the
 * minute, decisions here are due at the exact instant their rule becomes true (a deadline of
 * 17:00:30 is due at 17:00:30, not on the 17:01 tick): Berth sleeps until `dueAt` with a timer.
 */
import type { TemplateSchedulePolicy } from '../types';
import { isValidTimeZone, type AutostartSchedule } from './autostart';
import {
  cronNext,
  nextAllowedAutostart,
  nextAutostart,
  parseQuietHoursSchedule,
  parseWeeklySchedule,
  type QuietHoursSchedule,
} from './schedule-cron';
import {
  formatDuration,
  formatLocalDateTime,
  formatLocalTime,
  localDayNumber,
  nextLocalMidnight,
  startOfLocalDay,
  toEpochMs,
  toEpochMsOrNull,
  toZonedIso,
  weekdayBit,
  type EpochMs,
  type InstantInput,
} from './schedule-zone';
import { isActiveJob, workspaceStatus, type BuildReason, type JobStatus, type Transition } from './status';

export * from './schedule-cron';
export * from './schedule-zone';

// ---------------------------------------------------------------------------------------------
// Constants (reference/lifecycle-semantics.md Appendix A)
// ---------------------------------------------------------------------------------------------

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/** Starting within this long (2h) of the quiet hours skips that day's autostop requirement (Coder `autostopRequirementLeeway`, issue #12612 / PR #15445). */
export const AUTOSTOP_REQUIREMENT_LEEWAY_MS = 2 * HOUR_MS;
/** Subtracted (15m) from midnight before asking for the next quiet-hours time (Coder `autostopRequirementBuffer` = −15m). */
export const AUTOSTOP_REQUIREMENT_BUFFER_MS = 15 * MINUTE_MS;
/** max_deadline is never less than this (1h) after the build completes (Coder `CalculateAutostop`). */
export const AUTOSTOP_REQUIREMENT_MIN_AHEAD_MS = HOUR_MS;
/** The autostop requirement's week counting starts on this local date, a Monday (Coder `TemplateAutostopRequirementEpoch`). */
export const AUTOSTOP_REQUIREMENT_EPOCH = { year: 2023, month: 1, day: 2 } as const;
/** Largest "every N weeks" for the autostop requirement (Coder `MaxTemplateAutostopRequirementWeeks`). */
export const MAX_AUTOSTOP_REQUIREMENT_WEEKS = 16;
/** An activity bump only happens once `deadline − interval × 0.95 < now` (activitybump.sql: 5% of the interval elapsed). */
export const ACTIVITY_BUMP_THRESHOLD = 0.95;
/**
 * A new deadline from extend must be at least this far (30 min) from now. Coder bug: it checks
 * `now + 29m` while its message says 30 minutes; Berth enforces the 30 minutes it promises.
 */
export const EXTEND_MIN_AHEAD_MS = 30 * MINUTE_MS;
/** Workspace TTL bounds: at least 1 minute, at most 30 days (Coder `validWorkspaceTTLMillis`). */
export const WORKSPACE_TTL_MIN_MS = MINUTE_MS;
/** See {@link WORKSPACE_TTL_MIN_MS}. */
export const WORKSPACE_TTL_MAX_MS = 30 * DAY_MS;
/** A failed delete build is retried by autodelete only this long (24h) after it completed (Coder `isEligibleForDelete`). */
export const FAILED_DELETE_RETRY_MS = DAY_MS;

// ---------------------------------------------------------------------------------------------
// Input types
// ---------------------------------------------------------------------------------------------

/** A user's account status (Coder `user_status`). Only `active` users autostart; a `suspended` owner's running workspace is stopped. */
export type UserStatus = 'active' | 'suspended' | 'dormant';

/**
 * How a build's deadline was last set. Persist it next to `deadline` if you can: explanations
 * use it ("TTL 8h from start at 09:00"). Without it they are inferred.
 * - `ttl`: completion + TTL.
 * - `autostart_crossing`: next autostart + TTL (the completion + TTL would have crossed it, issue #12864).
 * - `max_deadline`: capped by (or set to) max_deadline — the start of the user's quiet hours.
 * - `activity_bump`: moved later by activity.
 * - `extend`: set by a user's extend/override request.
 */
export type DeadlineSource = 'ttl' | 'autostart_crossing' | 'max_deadline' | 'activity_bump' | 'extend';

/**
 * The workspace's latest build, as far as scheduling cares. Times: ms since epoch, `Date` or
 * ISO-8601 string; `null` where Coder stores its zero time.
 */
export interface LifecycleBuild {
  transition: Transition;
  /** The build's provisioner job status. While it is pending/running/canceling, no decision is made. */
  jobStatus: JobStatus;
  /** Why the build happened (informational). */
  reason?: BuildReason;
  createdAt: InstantInput;
  /** When the job completed (succeeded, failed or canceled); null while it runs. */
  completedAt: InstantInput | null;
  /** Autostop time of a start build; null = "manual shutdown" (Coder's zero deadline). */
  deadline: InstantInput | null;
  /** Hard cap on the deadline from the autostop requirement; null = no cap. */
  maxDeadline: InstantInput | null;
  /** How the deadline was last set (optional, improves explanations). */
  deadlineSource?: DeadlineSource | null;
}

/**
 * Everything the schedule rules read about one workspace. The workflow builds it from its own
 * state and the DB rows (workspace, latest build + job, template schedule, owner).
 */
export interface LifecycleState {
  /** Weekly cron `CRON_TZ=<zone> <min> <hour> * * <days>` (Coder `autostart_schedule`); null/empty = off. An invalid stored value disables autostart. */
  autostartSchedule: string | null;
  /** The workspace's TTL in ms (Coder `workspaces.ttl`); null = none. Ignored when the template forces its default TTL. */
  ttlMs: number | null;
  /**
   * Persisted next allowed autostart (Coder `next_start_at`), from {@link computeNextStartAt}.
   * Autostart never fires before it. Recompute and persist it when a build completes, when the
   * schedule is set, when the template's allowed days change and when dormancy is cleared.
   * null/undefined: derived from the latest build's completion.
   */
  nextStartAt?: InstantInput | null;
  /** Last use (Coder `last_used_at`); drives dormancy. null = unknown (no dormancy). */
  lastUsedAt: InstantInput | null;
  /** When the workspace became dormant (Coder `dormant_at`); null = not dormant. */
  dormantAt: InstantInput | null;
  /** When a dormant workspace is to be deleted (Coder `deleting_at` = dormant_at + time_til_dormant_autodelete); null = never. */
  deletingAt: InstantInput | null;
  /** The workspace is deleted: nothing more is scheduled. */
  deleted?: boolean;
  /** The latest build, or null before the first one. */
  latestBuild: LifecycleBuild | null;
  /** The template's schedule policy (durations ms, 0 = off; day bitmasks bit 0 = Monday … bit 6 = Sunday). */
  template: TemplateSchedulePolicy;
  /** The owner's daily quiet-hours cron (`CRON_TZ=<zone> <min> <hour> * * *`); null/empty = the deployment default {@link DEFAULT_QUIET_HOURS_SCHEDULE}. */
  userQuietHoursSchedule: string | null;
  /** The owner's account status. */
  userStatus: UserStatus;
  /** An unclaimed prebuild: excluded from every rule here (Coder issue #18740, PRs #18762/#19252/#19265/#19259). A claimed prebuild is false. */
  isPrebuild: boolean;
  /** The build autostart would run lacks required parameter values (Coder's `resolve-autostart` `parameter_mismatch`): autostart is skipped. */
  templateNeedsNewParameters: boolean;
  /** Zone for times in explanations and previews; default: the autostart schedule's zone, else UTC. */
  displayTimeZone?: string;
}

/** The subset of {@link LifecycleState} that {@link calculateAutostop} reads. */
export type AutostopInput = Pick<LifecycleState, 'ttlMs' | 'autostartSchedule' | 'template' | 'userQuietHoursSchedule'> & { isPrebuild?: boolean };

/** Errors for requests the API turns into 4xx: `status` 400 = bad input, 409 = wrong state. */
export type ScheduleErrorCode =
  | 'invalid_schedule' | 'autostart_not_allowed' | 'autostop_not_allowed' | 'invalid_ttl' | 'prebuild'
  | 'not_started' | 'still_building' | 'manual_shutdown' | 'deadline_too_soon' | 'deadline_before_start'
  | 'beyond_max_deadline';

/** Thrown by the request rules (set TTL, set autostart, extend). `status` is the HTTP status to answer with. */
export class ScheduleError extends Error {
  /** Machine-readable reason. */
  readonly code: ScheduleErrorCode;
  /** 400 (InputError) or 409 (ConflictError). */
  readonly status: 400 | 409;
  constructor(code: ScheduleErrorCode, status: 400 | 409, message: string) {
    super(message);
    this.name = 'ScheduleError';
    this.code = code;
    this.status = status;
  }
}

// ---------------------------------------------------------------------------------------------
// Normalization
// ---------------------------------------------------------------------------------------------

interface NBuild {
  transition: Transition;
  jobStatus: JobStatus;
  createdAt: EpochMs;
  completedAt: EpochMs | null;
  deadline: EpochMs | null;
  maxDeadline: EpochMs | null;
  deadlineSource: DeadlineSource | null;
}

interface NState {
  raw: LifecycleState;
  nextStartAt: EpochMs | null;
  lastUsedAt: EpochMs | null;
  dormantAt: EpochMs | null;
  deletingAt: EpochMs | null;
  build: NBuild | null;
  template: TemplateSchedulePolicy;
}

function normalizeBuild(b: LifecycleBuild | null): NBuild | null {
  if (!b) return null;
  return {
    transition: b.transition, jobStatus: b.jobStatus, createdAt: toEpochMs(b.createdAt),
    completedAt: toEpochMsOrNull(b.completedAt), deadline: toEpochMsOrNull(b.deadline),
    maxDeadline: toEpochMsOrNull(b.maxDeadline), deadlineSource: b.deadlineSource ?? null,
  };
}

function normalize(s: LifecycleState): NState {
  return {
    raw: s, nextStartAt: toEpochMsOrNull(s.nextStartAt), lastUsedAt: toEpochMsOrNull(s.lastUsedAt),
    dormantAt: toEpochMsOrNull(s.dormantAt), deletingAt: toEpochMsOrNull(s.deletingAt),
    build: normalizeBuild(s.latestBuild), template: s.template,
  };
}

function tryParseWeekly(text: string | null | undefined): { schedule: AutostartSchedule | null; error: string | null } {
  if (!text || !text.trim()) return { schedule: null, error: null };
  try {
    return { schedule: parseWeeklySchedule(text), error: null };
  } catch (e) {
    return { schedule: null, error: (e as Error).message };
  }
}

/**
 * The zone explanations and previews use: `displayTimeZone` if valid, else the autostart
 * schedule's zone if it parses, else `UTC`.
 */
export function resolveDisplayZone(state: Pick<LifecycleState, 'displayTimeZone' | 'autostartSchedule'>): string {
  if (state.displayTimeZone && isValidTimeZone(state.displayTimeZone)) return state.displayTimeZone;
  return tryParseWeekly(state.autostartSchedule).schedule?.timezone ?? 'UTC';
}

// ---------------------------------------------------------------------------------------------
// TTL
// ---------------------------------------------------------------------------------------------

/**
 * The TTL a new build's deadline is computed from, in ms (0 = none): the template's
 * `defaultTtlMs` when it forces it (`allowUserAutostop = false`), else the workspace's `ttlMs`.
 * Coder `CalculateAutostop` (a forced default of 0 means no TTL deadline, even if the workspace
 * still has an old TTL).
 */
export function effectiveTtlMs(state: Pick<LifecycleState, 'ttlMs' | 'template'>): number {
  if (!state.template.allowUserAutostop) return state.template.defaultTtlMs > 0 ? state.template.defaultTtlMs : 0;
  return state.ttlMs !== null && state.ttlMs > 0 ? state.ttlMs : 0;
}

/**
 * Coder `validWorkspaceTTLMillis(ttl, fallback)`: null/undefined/0 → `fallbackMs` (null when it is
 * 0); otherwise truncated to the minute and checked to be within 1 minute … 30 days.
 * Returns the TTL in ms or null (= no TTL). Throws {@link ScheduleError} `invalid_ttl` (400).
 */
export function validateWorkspaceTtl(ttlMs: number | null | undefined, fallbackMs = 0): number | null {
  if (ttlMs === null || ttlMs === undefined || ttlMs === 0) return fallbackMs > 0 ? fallbackMs : null;
  if (!Number.isFinite(ttlMs)) throw new ScheduleError('invalid_ttl', 400, 'time until shutdown must be a number of milliseconds');
  const truncated = Math.trunc(ttlMs / MINUTE_MS) * MINUTE_MS;
  if (truncated < WORKSPACE_TTL_MIN_MS) throw new ScheduleError('invalid_ttl', 400, 'time until shutdown must be at least one minute');
  if (truncated > WORKSPACE_TTL_MAX_MS) throw new ScheduleError('invalid_ttl', 400, 'time until shutdown must be less than 30 days');
  return truncated;
}

/**
 * The TTL stored on a **new** workspace (Coder create handler): the template's default TTL is
 * copied when the request has none (null when that default is 0), and forced when the template
 * does not allow user autostop. Returns ms or null. Throws {@link ScheduleError} `invalid_ttl`.
 * The stored TTL is never re-read from the template on later builds (PR #20295 docs).
 */
export function workspaceTtlAtCreate(requestedTtlMs: number | null | undefined, template: TemplateSchedulePolicy): number | null {
  if (!template.allowUserAutostop) return template.defaultTtlMs > 0 ? template.defaultTtlMs : null;
  return validateWorkspaceTtl(requestedTtlMs, template.defaultTtlMs);
}

/** What {@link applyTtlUpdate} returns: the new `ttlMs` to store and the latest build's (possibly unchanged) deadline. */
export interface TtlUpdate {
  ttlMs: number | null;
  deadline: EpochMs | null;
  deadlineChanged: boolean;
  deadlineSource: DeadlineSource | null;
}

/**
 * `PUT /workspaces/{id}/ttl` (Coder `putWorkspaceTTL`): validates with no fallback (null/0 =
 * disable). A new TTL applies **from the next build**: the running build's deadline is kept
 * (issue #5080). Disabling the TTL removes the running build's TTL deadline at once.
 *
 * Coder bug: disabling sets the deadline to zero while keeping max_deadline, which breaks its own
 * check constraint `deadline <> zero AND deadline <= max_deadline OR max_deadline = zero`
 * (reference §3.1 "edge case"). Berth sets the deadline to max_deadline when there is one.
 *
 * Throws {@link ScheduleError}: `prebuild` (409), `autostop_not_allowed` (400, template forces its
 * TTL), `invalid_ttl` (400).
 */
export function applyTtlUpdate(state: LifecycleState, ttlMs: number | null | undefined): TtlUpdate {
  if (state.isPrebuild) throw new ScheduleError('prebuild', 409, 'Schedules cannot be changed on an unclaimed prebuilt workspace.');
  if (!state.template.allowUserAutostop) {
    throw new ScheduleError('autostop_not_allowed', 400, 'Custom autostop TTL is not allowed for workspaces using this template.');
  }
  const ttl = validateWorkspaceTtl(ttlMs, 0);
  const b = normalizeBuild(state.latestBuild);
  const deadline = b?.deadline ?? null;
  if (ttl === null && b && b.transition === 'start' && deadline !== null) {
    const next = b.maxDeadline;
    return { ttlMs: null, deadline: next, deadlineChanged: next !== deadline, deadlineSource: next === null ? null : 'max_deadline' };
  }
  return { ttlMs: ttl, deadline, deadlineChanged: false, deadlineSource: b?.deadlineSource ?? null };
}

// ---------------------------------------------------------------------------------------------
// Autostart
// ---------------------------------------------------------------------------------------------

/** Why autostart will not fire (for the UI and explanations). */
export type AutostartSkipCode =
  | 'prebuild' | 'deleted' | 'no_schedule' | 'invalid_schedule' | 'template_disallows' | 'user_not_active'
  | 'dormant' | 'build_in_progress' | 'not_stopped' | 'failed_last_build' | 'needs_new_parameters' | 'no_allowed_day';

/** A reason autostart is skipped, with a one-line human message. */
export interface AutostartSkip {
  code: AutostartSkipCode;
  message: string;
}

/**
 * Why autostart would not fire for this workspace now, or null when it is eligible (apart from
 * the time). Coder `isEligibleForAutostart` plus the issue's skip rules: owner not active,
 * last build failed (issue #3084, deliberate), dormant, not stopped, template disallows user
 * autostart, no schedule, no allowed day within 7 days; also unclaimed prebuilds and templates
 * needing new parameters (Coder tries and fails every tick there; Berth skips and says why).
 */
export function autostartSkipReason(state: LifecycleState): AutostartSkip | null {
  const s = normalize(state);
  const skip = (code: AutostartSkipCode, message: string): AutostartSkip => ({ code, message });
  if (state.isPrebuild) return skip('prebuild', 'autostart skipped: unclaimed prebuilt workspaces never autostart');
  if (state.deleted) return skip('deleted', 'autostart skipped: the workspace is deleted');
  const parsed = tryParseWeekly(state.autostartSchedule);
  if (!parsed.schedule && !parsed.error) return skip('no_schedule', 'autostart is off: no autostart schedule');
  if (!parsed.schedule) return skip('invalid_schedule', `autostart skipped: ${parsed.error}`);
  if (!s.template.allowUserAutostart) return skip('template_disallows', 'autostart skipped: the template does not allow autostart');
  if (nextAllowedAutostart(parsed.schedule, s.template.autostartAllowedDays, Date.UTC(2024, 0, 1)) === null) {
    return skip('no_allowed_day', 'autostart skipped: the schedule never fires on a day the template allows');
  }
  if (state.userStatus !== 'active') return skip('user_not_active', `autostart skipped: the owner's account is ${state.userStatus}`);
  if (s.dormantAt !== null) return skip('dormant', 'autostart skipped: the workspace is dormant');
  const b = s.build;
  if (b && isActiveJob(b.jobStatus)) return skip('build_in_progress', `autostart waits: a ${b.transition} build is in progress`);
  if (b && b.jobStatus === 'failed') {
    return skip('failed_last_build', `autostart skipped: the last build (${b.transition}) failed; a successful build or failure_ttl cleanup unblocks it`);
  }
  if (!b || b.transition !== 'stop') return skip('not_stopped', `autostart skipped: the workspace is not stopped (${b ? workspaceStatus(b.jobStatus, b.transition) : 'no build yet'})`);
  if (state.templateNeedsNewParameters) {
    return skip('needs_new_parameters', 'autostart skipped: the template version needs new parameter values; start the workspace once by hand to set them');
  }
  return null;
}

/**
 * The `next_start_at` to persist (Coder §2.3): the first allowed autostart strictly after `at`
 * (Coder `NextAllowedAutostart`), or null when autostart is off, disallowed by the template,
 * never on an allowed day, or the workspace is dormant or an unclaimed prebuild. Call it with
 * `at` = the build's completion when a build completes, and with `now` when the schedule is set,
 * when the template's allowed days change and when dormancy is cleared.
 */
export function computeNextStartAt(state: LifecycleState, at: InstantInput): EpochMs | null {
  if (state.isPrebuild || state.deleted || toEpochMsOrNull(state.dormantAt) !== null || !state.template.allowUserAutostart) return null;
  const { schedule } = tryParseWeekly(state.autostartSchedule);
  if (!schedule) return null;
  return nextAllowedAutostart(schedule, state.template.autostartAllowedDays, toEpochMs(at));
}

/**
 * When autostart is due for a stopped workspace, ignoring the skip rules: the first allowed
 * firing after the latest build completed (Coder's `next_start_at` as set at completion,
 * PR #15594/#26037 — not its `created_at`, so a stop still running at 09:00 does not cause an
 * immediate restart), but never before the persisted `nextStartAt` (so setting a schedule never
 * starts the workspace at once, issue #2773). Null when there is no schedule or allowed day.
 */
function autostartDueAt(s: NState): EpochMs | null {
  const { schedule } = tryParseWeekly(s.raw.autostartSchedule);
  if (!schedule || !s.build) return null;
  const base = s.build.completedAt ?? s.build.createdAt;
  const due = nextAllowedAutostart(schedule, s.template.autostartAllowedDays, base);
  if (due === null) return null;
  return s.nextStartAt !== null && s.nextStartAt > due ? s.nextStartAt : due;
}

/** What {@link applyAutostartUpdate} returns: the schedule to store (normalized or null) and the `next_start_at` to store with it. */
export interface AutostartUpdate {
  autostartSchedule: string | null;
  nextStartAt: EpochMs | null;
}

/**
 * `PUT /workspaces/{id}/autostart` (Coder): empty/null clears the schedule; otherwise it must be
 * a valid weekly cron and the template must allow user autostart. Returns the normalized
 * schedule (`CRON_TZ=<zone> <cron>`) and `nextStartAt` = next allowed autostart after `now`
 * (null if none). It never starts the workspace at once (issue #2773).
 * Throws {@link ScheduleError}: `prebuild` (409), `invalid_schedule` (400), `autostart_not_allowed` (400).
 */
export function applyAutostartUpdate(state: LifecycleState, schedule: string | null | undefined, now: InstantInput): AutostartUpdate {
  if (state.isPrebuild) throw new ScheduleError('prebuild', 409, 'Schedules cannot be changed on an unclaimed prebuilt workspace.');
  if (!schedule || !schedule.trim()) return { autostartSchedule: null, nextStartAt: null };
  let parsed: AutostartSchedule;
  try {
    parsed = parseWeeklySchedule(schedule);
  } catch (e) {
    throw new ScheduleError('invalid_schedule', 400, `Invalid autostart schedule: ${(e as Error).message}`);
  }
  if (!state.template.allowUserAutostart) {
    throw new ScheduleError('autostart_not_allowed', 400, 'Autostart is not allowed for workspaces using this template.');
  }
  return {
    autostartSchedule: parsed.normalized,
    nextStartAt: computeNextStartAt({ ...state, autostartSchedule: parsed.normalized }, now),
  };
}

// ---------------------------------------------------------------------------------------------
// Deadline and max_deadline: CalculateAutostop
// ---------------------------------------------------------------------------------------------

/**
 * Whole weeks since the autostop requirement epoch (Monday 2023-01-02, in `zone`), counted on
 * local calendar days so DST cannot skip a week (Coder `WeeksSinceEpoch`). Throws before the epoch
 * ("coder server system clock is incorrect").
 */
export function weeksSinceAutostopEpoch(ms: EpochMs, zone: string): number {
  const epochDay = Math.round(Date.UTC(AUTOSTOP_REQUIREMENT_EPOCH.year, AUTOSTOP_REQUIREMENT_EPOCH.month - 1, AUTOSTOP_REQUIREMENT_EPOCH.day) / DAY_MS);
  const days = localDayNumber(ms, zone) - epochDay;
  if (days < 0) throw new Error('system clock is before the autostop requirement epoch (2023-01-02): cannot calculate the template autostop requirement');
  return Math.floor(days / 7);
}

/**
 * max_deadline from the template's autostop requirement and the user's quiet hours (Coder
 * `CalculateAutostop`, reference §3.2), for a build completing at `completedAt` (ms). Null when
 * the template has no requirement days.
 *
 * Steps, in the quiet-hours zone: take the local day of `completedAt + 2h` (leeway); if that day's
 * quiet-hours time (the next one after its midnight − 15m) is before `completedAt + 2h`, start
 * from the next day (issue #12612: a start shortly before quiet hours is not stopped at once);
 * then the first day that is a requirement day (and, with "every N weeks", in a week whose number
 * since the epoch is divisible by N); max_deadline = the next quiet-hours time after that day's
 * midnight − 15m, but never less than 1h after `completedAt`.
 *
 * Coder difference (every N weeks, N > 1): Coder moves to the Monday of the next applicable week
 * only when the current week is not applicable, then searches 7 days, which can land in a week
 * that is not applicable (a Monday-only fortnightly requirement reached on a Tuesday stops the
 * workspace the next Monday). Berth only picks days in applicable weeks, so fortnightly stops fall
 * in the same weeks for everyone, as the requirement intends. With N = 1 both are identical.
 *
 * "Every N weeks" is `autostopRequirementWeeks` clamped to 1..16 (0 means 1, as in Coder).
 * Throws `Error` for an invalid quiet-hours schedule or a clock before the epoch.
 */
export function calculateMaxDeadline(template: TemplateSchedulePolicy, userQuietHoursSchedule: string | null, completedAt: InstantInput): EpochMs | null {
  const days = template.autostopRequirementDays & 0x7f;
  if (days === 0) return null;
  const now = toEpochMs(completedAt);
  const qh = parseQuietHoursSchedule(userQuietHoursSchedule);
  const zone = qh.timezone;
  const weeks = Math.max(1, Math.min(MAX_AUTOSTOP_REQUIREMENT_WEEKS, Math.trunc(template.autostopRequirementWeeks) || 1));
  const edge = now + AUTOSTOP_REQUIREMENT_LEEWAY_MS;
  let day = startOfLocalDay(edge, zone);
  if (cronNext(qh, day - AUTOSTOP_REQUIREMENT_BUFFER_MS) < edge) day = nextLocalMidnight(day, zone);
  const limit = 7 * weeks + 7;
  for (let i = 0; ; i++) {
    if (i > limit) throw new Error('could not find a suitable day for the template autostop requirement');
    const applicable = weeks === 1 || weeksSinceAutostopEpoch(day, zone) % weeks === 0;
    if (applicable && (weekdayBit(day, zone) & days) !== 0) break;
    day = nextLocalMidnight(day, zone);
  }
  const checkTime = day < now + AUTOSTOP_REQUIREMENT_MIN_AHEAD_MS ? now + AUTOSTOP_REQUIREMENT_MIN_AHEAD_MS : day - AUTOSTOP_REQUIREMENT_BUFFER_MS;
  return cronNext(qh, checkTime);
}

/** What {@link calculateAutostop} returns. Store `deadline`, `maxDeadline` (and ideally `deadlineSource`) on the start build. */
export interface AutostopResult {
  /** When the build is stopped (ms), or null = manual shutdown. */
  deadline: EpochMs | null;
  /** The cap for activity bumps and extends (ms), or null = none. */
  maxDeadline: EpochMs | null;
  /** How `deadline` was set; null when there is none. */
  deadlineSource: DeadlineSource | null;
  /** The TTL used, ms (0 = none). */
  ttlMs: number;
  /** The autostart the naive deadline crossed (the deadline is this + TTL), or null. */
  crossedAutostart: EpochMs | null;
}

/**
 * Deadline and max_deadline of a **start** build completing at `completedAt` (Coder
 * `CalculateAutostop`, reference §3.2; call it when the start build's job succeeds):
 *
 * 1. TTL = {@link effectiveTtlMs}; deadline = completion + TTL (absolute time: a TTL of 12h across a
 *    DST change is 12 real hours).
 * 2. Autostart crossing (issue #12864, applied once): if the next autostart after completion is on
 *    an allowed day and the deadline is after it, deadline = that autostart + TTL. Only when
 *    the template allows user autostart (otherwise that autostart would never happen).
 * 3. max_deadline = {@link calculateMaxDeadline}; the deadline is min(deadline, max_deadline), or
 *    max_deadline when there is no TTL.
 *
 * Unclaimed prebuilds get no deadline (PR #19252). Throws `Error` for an invalid quiet-hours
 * schedule or when the result lies before `completedAt` (Coder: "deadline calculation error").
 */
export function calculateAutostop(input: AutostopInput, completedAt: InstantInput): AutostopResult {
  const now = toEpochMs(completedAt);
  const none: AutostopResult = { deadline: null, maxDeadline: null, deadlineSource: null, ttlMs: 0, crossedAutostart: null };
  if (input.isPrebuild) return none;
  const ttl = effectiveTtlMs(input);
  let deadline: EpochMs | null = null;
  let source: DeadlineSource | null = null;
  let crossed: EpochMs | null = null;
  if (ttl > 0) {
    deadline = now + ttl;
    source = 'ttl';
    const { schedule } = tryParseWeekly(input.autostartSchedule);
    if (schedule && input.template.allowUserAutostart) {
      const next = nextAutostart(schedule, input.template.autostartAllowedDays, now);
      if (next && next.allowed && deadline > next.at) {
        deadline = next.at + ttl;
        source = 'autostart_crossing';
        crossed = next.at;
      }
    }
  }
  const maxDeadline = calculateMaxDeadline(input.template, input.userQuietHoursSchedule, now);
  if (maxDeadline !== null && (deadline === null || maxDeadline < deadline)) {
    deadline = maxDeadline;
    source = 'max_deadline';
    crossed = null;
  }
  if ((deadline !== null && deadline < now) || (maxDeadline !== null && maxDeadline < now)) {
    throw new Error(`deadline calculation error: deadline ${deadline} or max_deadline ${maxDeadline} is before the build completed (${now})`);
  }
  return { deadline, maxDeadline, deadlineSource: source, ttlMs: ttl, crossedAutostart: crossed };
}

// ---------------------------------------------------------------------------------------------
// Activity bump and extend
// ---------------------------------------------------------------------------------------------

/** What {@link applyActivityBump} returns. When `bumped`, store `deadline` (and `deadlineSource`) on the latest build. */
export interface ActivityBumpResult {
  /** The latest build's deadline after the bump (unchanged when not bumped). */
  deadline: EpochMs | null;
  bumped: boolean;
  deadlineSource: DeadlineSource | null;
  /** One line: why it was or was not bumped. */
  why: string;
}

/**
 * Activity bump at `now` (Coder `activitybump.sql`, reference §3.3), for user activity reported
 * by the agent or a connection. Only a completed, successful `start` build with a non-null
 * deadline and a template `activityBumpMs > 0` is bumped; unclaimed prebuilds never.
 *
 * interval = activity_bump, or — when `now + activity_bump` would pass the next autostart (on an
 * allowed day) — `(next autostart − now) + TTL` (the autostart-crossing rule: the deadline
 * becomes next autostart + TTL, as if it had just autostarted; no bump when the TTL is 0/null).
 * The bump happens only once 5% of the interval has elapsed (`deadline − interval × 0.95 < now`),
 * only ever moves the deadline later, and never past max_deadline.
 * (The "20% of TTL" in Coder's `autostop.go` comment is stale; the SQL's 5% rule is used.)
 *
 * The caller also sets `last_used_at = now`.
 */
export function applyActivityBump(state: LifecycleState, now: InstantInput): ActivityBumpResult {
  const t = toEpochMs(now);
  const b = normalizeBuild(state.latestBuild);
  const same = (why: string): ActivityBumpResult => ({ deadline: b?.deadline ?? null, bumped: false, deadlineSource: b?.deadlineSource ?? null, why });
  if (state.isPrebuild) return same('no bump: unclaimed prebuilt workspace');
  if (!b || b.transition !== 'start' || b.jobStatus !== 'succeeded' || b.completedAt === null) return same('no bump: the workspace is not running from a completed start build');
  if (state.template.activityBumpMs <= 0) return same('no bump: the template disables the activity bump');
  if (b.deadline === null) return same('no bump: shutdown is manual (no deadline)');
  let interval = state.template.activityBumpMs;
  const { schedule } = tryParseWeekly(state.autostartSchedule);
  const next = schedule && state.template.allowUserAutostart ? nextAutostart(schedule, state.template.autostartAllowedDays, t) : null;
  if (next && next.allowed && next.at > t && t + interval > next.at) {
    const ttl = effectiveTtlMs(state);
    if (ttl <= 0) return same('no bump: the bump would cross the next autostart and there is no TTL');
    interval = next.at - t + ttl;
  }
  if (!(b.deadline - interval * ACTIVITY_BUMP_THRESHOLD < t)) {
    return same(`no bump: less than 5% of the ${formatDuration(interval)} bump interval has elapsed`);
  }
  let deadline = Math.max(b.deadline, t + interval);
  if (b.maxDeadline !== null) deadline = Math.min(deadline, b.maxDeadline);
  if (deadline === b.deadline) return same('no bump: the deadline is already at max_deadline or later than now + interval');
  const capped = b.maxDeadline !== null && deadline === b.maxDeadline;
  return {
    deadline, bumped: true, deadlineSource: capped ? 'max_deadline' : 'activity_bump',
    why: `deadline moved from ${new Date(b.deadline).toISOString()} to ${new Date(deadline).toISOString()}${capped ? ' (max_deadline)' : ''}`,
  };
}

/**
 * `PUT /workspaces/{id}/extend {deadline}` (Coder `putExtendWorkspace`, reference §3.4): sets the
 * running build's deadline to `requested` (later or earlier — an "override stop"). Checks, in order:
 * latest build is `start` (409), its job completed (409), the deadline is not manual/null (409),
 * `requested ≥ now + 30 min` (400), `requested ≥` the build's completion (400), and when there is
 * a max_deadline `requested ≤ max_deadline` (400). No cap when there is no max_deadline (issue
 * #11990, fixed in Coder v2.8.5).
 *
 * Coder bugs fixed: Coder accepts `now + 29m` although its message says 30 minutes (Berth
 * enforces 30 minutes: compute a relative extension as `now + duration` with the same `now`);
 * Coder's message "new deadline must be before workspace start time" says the opposite of its
 * check (Berth says "after").
 * Returns the deadline to store (ms). Throws {@link ScheduleError}.
 */
export function extendDeadline(state: LifecycleState, requested: InstantInput, now: InstantInput): { deadline: EpochMs; deadlineSource: DeadlineSource } {
  const t = toEpochMs(now);
  const want = toEpochMs(requested);
  if (state.isPrebuild) throw new ScheduleError('prebuild', 409, 'Schedules cannot be changed on an unclaimed prebuilt workspace.');
  const b = normalizeBuild(state.latestBuild);
  if (!b || b.transition !== 'start') {
    throw new ScheduleError('not_started', 409, `Workspace must be started, current status: ${b ? workspaceStatus(b.jobStatus, b.transition) : 'no build yet'}`);
  }
  if (b.completedAt === null || isActiveJob(b.jobStatus)) throw new ScheduleError('still_building', 409, 'Workspace is still building!');
  if (b.deadline === null) throw new ScheduleError('manual_shutdown', 409, 'Workspace shutdown is manual.');
  if (want < t + EXTEND_MIN_AHEAD_MS) {
    throw new ScheduleError('deadline_too_soon', 400, 'Cannot extend workspace: new deadline must be at least 30 minutes in the future');
  }
  if (want < b.completedAt) throw new ScheduleError('deadline_before_start', 400, 'Cannot extend workspace: new deadline must be after workspace start time');
  if (b.maxDeadline !== null && want > b.maxDeadline) throw new ScheduleError('beyond_max_deadline', 400, 'Cannot extend workspace beyond max deadline.');
  return { deadline: want, deadlineSource: 'extend' };
}

// ---------------------------------------------------------------------------------------------
// Dormancy
// ---------------------------------------------------------------------------------------------

/**
 * The `dormant_at`/`deleting_at` to store when the workspace becomes dormant at `at` (by the
 * dormancy rule or by hand): `deletingAt = at + time_til_dormant_autodelete`, or null when that is
 * 0 (Coder `UpdateWorkspaceDormantDeletingAt`). Also persist `nextStartAt = null`.
 */
export function dormancyTimestamps(template: TemplateSchedulePolicy, at: InstantInput): { dormantAt: EpochMs; deletingAt: EpochMs | null } {
  const t = toEpochMs(at);
  return { dormantAt: t, deletingAt: template.timeTilDormantAutodeleteMs > 0 ? t + template.timeTilDormantAutodeleteMs : null };
}

// ---------------------------------------------------------------------------------------------
// The lifecycle executor's decision
// ---------------------------------------------------------------------------------------------

/**
 * Which rule produced a decision, in the executor's priority order (first wins when several are
 * due): `autostop_suspended` and `autostop_deadline` (Coder `isEligibleForAutostop`), `autostart`,
 * `failure_cleanup` (`isEligibleForFailedCleanup`), `dormancy` (`isEligibleForDormantStop`),
 * `autodelete` (`isEligibleForDelete`).
 */
export type ScheduleRule = 'autostop_suspended' | 'autostop_deadline' | 'autostart' | 'failure_cleanup' | 'dormancy' | 'autodelete';

/** The build reasons scheduling produces (Coder's names: failure cleanup uses `autostop`, not `failedstop`). */
export type ScheduleBuildReason = Extract<BuildReason, 'autostart' | 'autostop' | 'dormancy' | 'autodelete'>;

/** The next thing the lifecycle will do for a workspace, and when. */
export interface LifecycleDecision {
  rule: ScheduleRule;
  /** The build to run, or null for dormancy of a workspace that is not running (mark dormant, no build). */
  transition: Transition | null;
  /** Build reason to record (Coder's naming: failure cleanup → `autostop`). */
  reason: ScheduleBuildReason;
  /** When the rule becomes true (ms). Due when `now >= dueAt`; may be in the past (overdue). */
  dueAt: EpochMs;
  /** Also set dormant_at/deleting_at ({@link dormancyTimestamps}) and clear next_start_at when acting. */
  markDormant: boolean;
  /** One line for the build's `explanation`, e.g. "stopped: deadline 17:00 Europe/Berlin reached (TTL 8h from start at 09:00)". */
  explanation: string;
}

/** One line per rule: what it does (for docs, API help, the TUI legend). */
export const SCHEDULE_RULE_SUMMARIES: Readonly<Record<ScheduleRule, string>> = {
  autostop_suspended: 'autostop: a running workspace whose owner is suspended is stopped at once',
  autostop_deadline: 'autostop: a running workspace is stopped when its deadline (TTL, quiet hours, activity, extend) is reached',
  autostart: "autostart: a stopped workspace is started at its weekly schedule's next time on a day the template allows",
  failure_cleanup: "failure cleanup: a workspace whose last start or stop build failed is stopped after the template's failure_ttl, and again each failure_ttl while it keeps failing",
  dormancy: "dormancy: a workspace unused for the template's time_til_dormant is stopped (if running) and marked dormant",
  autodelete: "autodelete: a dormant workspace is deleted after the template's time_til_dormant_autodelete",
};

/**
 * One line explaining a build reason the scheduler records (autostart, autostop, dormancy,
 * autodelete; `failedstop` is explained although Berth, like Coder, records failure cleanup as
 * `autostop`). Other reasons get a generic line.
 */
export function explainScheduleReason(reason: BuildReason): string {
  switch (reason) {
    case 'autostart': return "started by the workspace's autostart schedule";
    case 'autostop': return 'stopped automatically: deadline or max_deadline reached, owner suspended, or failure_ttl cleanup of a failed build';
    case 'failedstop': return 'stopped because the last build failed (Berth records this as autostop, like Coder)';
    case 'dormancy': return 'stopped and marked dormant after time_til_dormant without use';
    case 'autodelete': return 'deleted after being dormant for time_til_dormant_autodelete';
    default: return `build requested (${reason})`;
  }
}

const DAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** A day bitmask (bit 0 = Monday … bit 6 = Sunday) for humans: `every day`, `Mon-Fri`, `Mon, Wed`, `no days`. */
export function formatDays(mask: number): string {
  const m = mask & 0x7f;
  if (m === 0x7f) return 'every day';
  if (m === 0) return 'no days';
  const on = DAY_NAMES.filter((_, i) => (m >> i) & 1);
  const first = DAY_NAMES.indexOf(on[0]);
  const contiguous = on.length > 2 && on.every((d, i) => DAY_NAMES.indexOf(d) === first + i);
  return contiguous ? `${on[0]}-${on[on.length - 1]}` : on.join(', ');
}

/** How the deadline was set: the stored source, or inferred from the build, TTL, schedule and max_deadline. */
function deadlineSourceOf(s: NState): DeadlineSource | 'adjusted' {
  const b = s.build!;
  if (b.deadlineSource) return b.deadlineSource;
  if (b.maxDeadline !== null && b.deadline === b.maxDeadline) return 'max_deadline';
  if (b.completedAt !== null) {
    try {
      const r = calculateAutostop({ ...s.raw, isPrebuild: false }, b.completedAt);
      if (r.deadline === b.deadline && r.deadlineSource) return r.deadlineSource;
    } catch { /* fall through */ }
  }
  return 'adjusted';
}

function explainDeadline(s: NState, zone: string): string {
  const b = s.build!;
  const dl = b.deadline!;
  const at = `${formatLocalTime(dl, zone)} ${zone}`;
  const start = b.completedAt;
  const startText = start !== null ? formatLocalTime(start, zone, dl) : 'an unknown time';
  switch (deadlineSourceOf(s)) {
    case 'ttl':
      return `stopped: deadline ${at} reached (TTL ${formatDuration(dl - (start ?? dl))} from start at ${startText})`;
    case 'autostart_crossing': {
      const { schedule } = tryParseWeekly(s.raw.autostartSchedule);
      const crossed = schedule && start !== null ? cronNext(schedule, start) : null;
      if (crossed === null) return `stopped: deadline ${at} reached (TTL counted from the next autostart; started at ${startText})`;
      return `stopped: deadline ${at} reached (TTL ${formatDuration(dl - crossed)} from the ${formatLocalTime(crossed, zone, dl)} autostart, which a TTL from start at ${startText} would have crossed)`;
    }
    case 'max_deadline': {
      let qh: QuietHoursSchedule | null = null;
      try { qh = parseQuietHoursSchedule(s.raw.userQuietHoursSchedule); } catch { /* unknown */ }
      const weeks = s.template.autostopRequirementWeeks > 1 ? `, every ${s.template.autostopRequirementWeeks} weeks` : '';
      return `stopped: max_deadline ${at} reached (start of the owner's quiet hours${qh ? ` ${qh.normalized}` : ''}; template autostop requirement: ${formatDays(s.template.autostopRequirementDays)}${weeks})`;
    }
    case 'activity_bump':
      return `stopped: deadline ${at} reached (moved later by activity; started at ${startText})`;
    case 'extend':
      return `stopped: deadline ${at} reached (set by an extend request; started at ${startText})`;
    default:
      return `stopped: deadline ${at} reached (moved by activity or an extend request; started at ${startText})`;
  }
}

interface Candidate { prio: number; decision: LifecycleDecision }

/**
 * The lifecycle executor's next decision for a workspace at `now` (Coder
 * `getNextTransition`, reference §3.8): each rule's due time is computed, and the decision is
 * the earliest one; when several are due at that instant (or already overdue), the first in the
 * executor's priority order wins — autostop (suspended owner, then deadline) > autostart >
 * failure cleanup > dormancy > autodelete. A workspace both past its deadline and past its
 * dormancy threshold is therefore stopped with reason `autostop` first, then marked dormant
 * (no build) on the next decision.
 *
 * Rules (all skip unclaimed prebuilds, deleted workspaces and workspaces with a job still
 * pending/running/canceling — recompute when it finishes):
 * - autostop: latest build `start`, job not failed, not dormant; owner suspended → due now;
 *   else due at `deadline` (none when null/manual).
 * - autostart: see {@link autostartSkipReason}; due at the first allowed firing after the latest
 *   (stop) build completed, never before the persisted `nextStartAt`. Overdue fires at once
 *   (Coder's `tick >= next`, e.g. after downtime).
 * - failure cleanup: template `failureTtlMs > 0`, latest job failed, transition start or stop →
 *   stop (reason `autostop`) due at completion + failure_ttl. No retry counter: a failed
 *   cleanup stop is the new failed build and is retried failure_ttl after it (PR #26203).
 * - dormancy: not dormant, `timeTilDormantMs > 0`, `lastUsedAt` known → due at
 *   lastUsedAt + time_til_dormant; a `stop` build (reason `dormancy`) if the latest build is
 *   `start`, else no build (`transition: null`); either way `markDormant`.
 * - autodelete: dormant, `deletingAt` set, `timeTilDormantAutodeleteMs > 0` → `delete` (reason
 *   `autodelete`) due at deletingAt; after a failed delete build, not before it completed + 24h.
 *
 * Returns null when nothing is scheduled. Throws only for malformed instants in `state`.
 * Re-run it whenever the state changes (build completes, activity, extend, schedule/template/
 * user change) and when the timer for `dueAt` fires.
 */
export function nextLifecycleDecision(state: LifecycleState, now: InstantInput): LifecycleDecision | null {
  const t = toEpochMs(now);
  const s = normalize(state);
  if (state.isPrebuild || state.deleted) return null;
  const b = s.build;
  if (b && isActiveJob(b.jobStatus)) return null;
  if (b && b.transition === 'delete' && b.jobStatus === 'succeeded') return null;
  const zone = resolveDisplayZone(state);
  const tpl = s.template;
  const out: Candidate[] = [];
  const add = (prio: number, d: Omit<LifecycleDecision, 'markDormant'> & { markDormant?: boolean }) => out.push({ prio, decision: { markDormant: false, ...d } });

  // 0. autostop (Coder isEligibleForAutostop)
  if (b && b.transition === 'start' && b.jobStatus !== 'failed' && s.dormantAt === null) {
    if (state.userStatus === 'suspended') {
      add(0, { rule: 'autostop_suspended', transition: 'stop', reason: 'autostop', dueAt: t, explanation: "stopped: the owner's account is suspended" });
    } else if (b.deadline !== null) {
      add(0, { rule: 'autostop_deadline', transition: 'stop', reason: 'autostop', dueAt: b.deadline, explanation: explainDeadline(s, zone) });
    }
  }

  // 1. autostart (Coder isEligibleForAutostart + skip rules)
  if (autostartSkipReason(state) === null) {
    const due = autostartDueAt(s);
    if (due !== null) {
      const sched = parseWeeklySchedule(state.autostartSchedule!);
      add(1, {
        rule: 'autostart', transition: 'start', reason: 'autostart', dueAt: due,
        explanation: `started: autostart at ${formatLocalTime(due, sched.timezone)} ${sched.timezone} (schedule ${sched.normalized})`,
      });
    }
  }

  // 2. failure cleanup (Coder isEligibleForFailedCleanup)
  if (b && b.jobStatus === 'failed' && tpl.failureTtlMs > 0 && (b.transition === 'start' || b.transition === 'stop') && b.completedAt !== null) {
    const what = b.transition === 'start' ? 'stopped' : 'stopping again';
    add(2, {
      rule: 'failure_cleanup', transition: 'stop', reason: 'autostop', dueAt: b.completedAt + tpl.failureTtlMs,
      explanation: `${what}: the ${b.transition} build failed at ${formatLocalDateTime(b.completedAt, zone)} ${zone} and failure_ttl ${formatDuration(tpl.failureTtlMs)} has passed`,
    });
  }

  // 3. dormancy (Coder isEligibleForDormantStop)
  if (s.dormantAt === null && tpl.timeTilDormantMs > 0 && s.lastUsedAt !== null) {
    const running = b !== null && b.transition === 'start';
    const del = tpl.timeTilDormantAutodeleteMs > 0 ? `; autodelete after ${formatDuration(tpl.timeTilDormantAutodeleteMs)} dormant` : '';
    add(3, {
      rule: 'dormancy', transition: running ? 'stop' : null, reason: 'dormancy', dueAt: s.lastUsedAt + tpl.timeTilDormantMs, markDormant: true,
      explanation: `${running ? 'stopped and marked dormant' : 'marked dormant (not running, no build)'}: not used since ${formatLocalDateTime(s.lastUsedAt, zone)} ${zone}, time_til_dormant ${formatDuration(tpl.timeTilDormantMs)}${del}`,
    });
  }

  // 4. autodelete (Coder isEligibleForDelete)
  if (s.dormantAt !== null && s.deletingAt !== null && tpl.timeTilDormantAutodeleteMs > 0) {
    let due = s.deletingAt;
    let retry = '';
    if (b && b.transition === 'delete' && b.jobStatus === 'failed' && b.completedAt !== null) {
      due = Math.max(due, b.completedAt + FAILED_DELETE_RETRY_MS);
      retry = `; retrying the delete that failed at ${formatLocalDateTime(b.completedAt, zone)} after 24h`;
    }
    add(4, {
      rule: 'autodelete', transition: 'delete', reason: 'autodelete', dueAt: due,
      explanation: `deleted: dormant since ${formatLocalDateTime(s.dormantAt, zone)} ${zone}, time_til_dormant_autodelete ${formatDuration(tpl.timeTilDormantAutodeleteMs)} passed (deleting_at ${formatLocalDateTime(s.deletingAt, zone)})${retry}`,
    });
  }

  if (out.length === 0) return null;
  const at = Math.max(t, Math.min(...out.map((c) => c.decision.dueAt)));
  const due = out.filter((c) => c.decision.dueAt <= at).sort((a, b2) => a.prio - b2.prio);
  return due[0].decision;
}

/** True when `decision` is due at `now` (`now >= dueAt`). A null decision is never due. */
export function isDecisionDue(decision: LifecycleDecision | null, now: InstantInput): boolean {
  return decision !== null && toEpochMs(now) >= decision.dueAt;
}

/**
 * The decision to act on at `now`, or null when nothing is due yet: {@link nextLifecycleDecision}
 * filtered by {@link isDecisionDue}. The workflow calls this when its timer fires (with fresh
 * state), then runs the build / marks dormancy with the decision's reason and explanation.
 */
export function dueLifecycleDecision(state: LifecycleState, now: InstantInput): LifecycleDecision | null {
  const d = nextLifecycleDecision(state, now);
  return isDecisionDue(d, now) ? d : null;
}

/** Milliseconds from `now` until `decision` is due (0 when due or overdue; null for no decision) — the workflow's timer length. */
export function msUntilDue(decision: LifecycleDecision | null, now: InstantInput): number | null {
  if (!decision) return null;
  return Math.max(0, decision.dueAt - toEpochMs(now));
}

// ---------------------------------------------------------------------------------------------
// Preview
// ---------------------------------------------------------------------------------------------

/** An instant in a preview: ms and ISO-8601 with the offset of the preview's zone. */
export interface PreviewTime {
  at: EpochMs;
  iso: string;
}

/** A predicted autostop. */
export interface PreviewAutostop extends PreviewTime {
  /** How this deadline comes about ('adjusted' = moved by activity/extend, for the current build). */
  source: DeadlineSource | 'adjusted';
  /** The start it belongs to (null for the current build when unknown). */
  startedAt: PreviewTime | null;
  /** The build's max_deadline, if any. */
  maxDeadline: PreviewTime | null;
}

/** What {@link previewSchedule} returns. */
export interface SchedulePreview {
  /** Zone of the `iso` strings ({@link resolveDisplayZone}). */
  timeZone: string;
  /** Next autostart times that would actually start the workspace (firings while it runs are left out). */
  autostarts: PreviewTime[];
  /** Next autostop times, in order. */
  autostops: PreviewAutostop[];
  /** Why autostart would be skipped right now (times are still shown), or null. */
  autostartSkip: AutostartSkip | null;
  /** Assumptions and caveats, one line each. */
  notes: string[];
}

/**
 * The next `count` autostart and autostop times of a workspace from `now`, for the API, TUI and
 * card to show while a user edits the schedule (put the edited `autostartSchedule`/`ttlMs` into
 * `state`). Simulates the workspace: if running, it stops at its current deadline; when stopped
 * it starts at the next autostart, and each start gets its deadline from {@link calculateAutostop}
 * (autostart crossing and max_deadline included); the next start is the first allowed firing
 * after that stop. Assumes builds complete instantly and no activity, extend or manual builds.
 * Autostart times are shown even when a skip rule applies now (see `autostartSkip`).
 *
 * Throws `Error` for an invalid autostart schedule, or an invalid quiet-hours schedule when the
 * template has an autostop requirement (show the message to the user).
 */
export function previewSchedule(state: LifecycleState, now: InstantInput, count = 5): SchedulePreview {
  const t = toEpochMs(now);
  const s = normalize(state);
  const zone = resolveDisplayZone(state);
  const pt = (ms: EpochMs): PreviewTime => ({ at: ms, iso: toZonedIso(ms, zone) });
  const notes: string[] = [];
  const autostarts: PreviewTime[] = [];
  const autostops: PreviewAutostop[] = [];
  let skip = autostartSkipReason(state);
  const result = (): SchedulePreview => ({ timeZone: zone, autostarts, autostops, autostartSkip: skip, notes });
  if (state.isPrebuild || state.deleted) {
    notes.push(state.isPrebuild ? 'unclaimed prebuilt workspaces have no schedule' : 'the workspace is deleted');
    return result();
  }
  let schedule: AutostartSchedule | null = null;
  if (state.autostartSchedule && state.autostartSchedule.trim()) schedule = parseWeeklySchedule(state.autostartSchedule);
  if ((state.template.autostopRequirementDays & 0x7f) !== 0) parseQuietHoursSchedule(state.userQuietHoursSchedule);
  const autostartOn = schedule !== null && state.template.allowUserAutostart;
  if (skip && (skip.code === 'build_in_progress' || skip.code === 'not_stopped')) skip = null; // the simulation covers these
  const b = s.build;

  let cursor = t; // the simulated stop time the next autostart is searched after
  let first = true;
  if (b && b.transition === 'start' && (b.jobStatus === 'succeeded' || isActiveJob(b.jobStatus))) {
    if (b.jobStatus === 'succeeded') {
      if (b.deadline === null) {
        notes.push('the workspace is running with no deadline (manual shutdown); times below assume it is stopped now');
      } else {
        const at = Math.max(t, b.deadline);
        autostops.push({ ...pt(at), source: deadlineSourceOf(s), startedAt: b.completedAt !== null ? pt(b.completedAt) : null, maxDeadline: b.maxDeadline !== null ? pt(b.maxDeadline) : null });
        cursor = at;
        first = false;
      }
    } else {
      notes.push('a start build is in progress; times below assume it completes now');
      const r = calculateAutostop(state, t);
      if (r.deadline !== null) {
        autostops.push({ ...pt(r.deadline), source: r.deadlineSource!, startedAt: pt(t), maxDeadline: r.maxDeadline !== null ? pt(r.maxDeadline) : null });
        cursor = r.deadline;
        first = false;
      } else {
        notes.push('no autostop: no TTL and no autostop requirement');
        return result();
      }
    }
  }
  if (!autostartOn) {
    if (schedule && !state.template.allowUserAutostart) notes.push('the template does not allow autostart');
    return result();
  }
  const days = state.template.autostartAllowedDays;
  for (let guard = 0; guard < 4 * count + 8 && (autostarts.length < count || autostops.length < count); guard++) {
    let start: EpochMs | null;
    if (first && !skip && b && b.transition === 'stop' && !isActiveJob(b.jobStatus)) {
      const due = autostartDueAt(s);
      start = due === null ? null : Math.max(t, due);
    } else {
      start = nextAllowedAutostart(schedule!, days, cursor);
    }
    first = false;
    if (start === null) {
      notes.push('the schedule never fires on a day the template allows');
      break;
    }
    if (autostarts.length < count) autostarts.push(pt(start));
    const r = calculateAutostop(state, start);
    if (r.deadline === null) {
      if (autostops.length < count) notes.push('no autostop: no TTL and no autostop requirement; each autostart leaves the workspace running');
      break;
    }
    if (autostops.length < count) autostops.push({ ...pt(r.deadline), source: r.deadlineSource!, startedAt: pt(start), maxDeadline: r.maxDeadline !== null ? pt(r.maxDeadline) : null });
    cursor = r.deadline;
  }
  return result();
}
