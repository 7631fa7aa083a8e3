/**
 * Table-driven tests for the lifecycle scheduling rules in src/domain/schedule*.ts
 * (reference/lifecycle-semantics.md §2 autostart and §3 autostop, deadlines, activity, dormancy).
 * Every instant is written as ISO-8601 with its offset; results are compared as ISO strings in
 * the zone under test (`toZonedIso`) so a failing row reads like the spec. DST rows for all three
 * zones live in domain-schedule-dst.test.ts.
 */
import {
  applyActivityBump,
  applyAutostartUpdate,
  applyTtlUpdate,
  autostartSkipReason,
  calculateAutostop,
  calculateMaxDeadline,
  computeNextStartAt,
  cronNext,
  DEFAULT_QUIET_HOURS_SCHEDULE,
  dormancyTimestamps,
  dueLifecycleDecision,
  effectiveTtlMs,
  explainScheduleReason,
  extendDeadline,
  formatDays,
  formatDuration,
  isDecisionDue,
  msUntilDue,
  nextAllowedAutostart,
  nextAutostart,
  nextLifecycleDecision,
  parseQuietHoursSchedule,
  parseWeeklySchedule,
  previewSchedule,
  resolveDisplayZone,
  SCHEDULE_RULE_SUMMARIES,
  ScheduleError,
  toEpochMs,
  toZonedIso,
  validateWorkspaceTtl,
  weeksSinceAutostopEpoch,
  workspaceTtlAtCreate,
  type LifecycleBuild,
  type LifecycleState,
  type ScheduleRule,
} from '../src/domain/schedule';
import type { TemplateSchedulePolicy } from '../src/types';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const ALL_DAYS = 0x7f;
const MON_FRI = 0x1f;
const MONDAY = 0x01;

const T = (iso: string) => toEpochMs(iso);
const Z = (ms: number | null | undefined, zone = 'UTC') => (ms === null || ms === undefined ? null : toZonedIso(ms, zone));

function tpl(over: Partial<TemplateSchedulePolicy> = {}): TemplateSchedulePolicy {
  return {
    defaultTtlMs: 0, activityBumpMs: HOUR, autostartAllowedDays: ALL_DAYS, autostopRequirementDays: 0, autostopRequirementWeeks: 1,
    allowUserAutostart: true, allowUserAutostop: true, failureTtlMs: 0, timeTilDormantMs: 0, timeTilDormantAutodeleteMs: 0, ...over,
  };
}

function state(over: Partial<LifecycleState> = {}): LifecycleState {
  return {
    autostartSchedule: null, ttlMs: null, lastUsedAt: null, dormantAt: null, deletingAt: null, latestBuild: null, template: tpl(),
    userQuietHoursSchedule: null, userStatus: 'active', isPrebuild: false, templateNeedsNewParameters: false, ...over,
  };
}

/** A completed build (created 1 minute before it completed). */
function build(transition: LifecycleBuild['transition'], completedAt: string, over: Partial<LifecycleBuild> = {}): LifecycleBuild {
  return { transition, jobStatus: 'succeeded', createdAt: T(completedAt) - MIN, completedAt, deadline: null, maxDeadline: null, ...over };
}

// ---------------------------------------------------------------------------------------------
// Cron validation
// ---------------------------------------------------------------------------------------------

describe('parseWeeklySchedule (Coder cron.Weekly)', () => {
  it.each([
    { name: 'no zone means UTC', text: '30 9 * * 1-5', normalized: 'CRON_TZ=UTC 30 9 * * 1-5' },
    { name: 'US/Central Mon-Fri by name', text: 'CRON_TZ=US/Central 30 9 * * mon-fri', normalized: 'CRON_TZ=US/Central 30 9 * * mon-fri' },
    { name: 'Europe/Berlin every day', text: 'CRON_TZ=Europe/Berlin 0 9 * * *', normalized: 'CRON_TZ=Europe/Berlin 0 9 * * *' },
    { name: 'steps and lists', text: '*/15 8,9 * * 0,6', normalized: 'CRON_TZ=UTC */15 8,9 * * 0,6' },
    { name: '? as day-of-week (robfig: same as *)', text: '0 9 * * ?', normalized: 'CRON_TZ=UTC 0 9 * * ?' },
    { name: 'range with step, upper-case name', text: '0 9 * * 1-5/2,SUN', normalized: 'CRON_TZ=UTC 0 9 * * 1-5/2,SUN' },
    { name: 'extra spaces collapse', text: '  CRON_TZ=Asia/Tokyo   0   7 * *   1 ', normalized: 'CRON_TZ=Asia/Tokyo 0 7 * * 1' },
  ])('accepts $name', ({ text, normalized }) => {
    expect(parseWeeklySchedule(text).normalized).toBe(normalized);
  });

  it.each([
    { name: 'empty', text: '', error: /empty/ },
    { name: 'unknown zone', text: 'CRON_TZ=Mars/Olympus 0 9 * * *', error: /unknown time zone "Mars\/Olympus"/ },
    { name: 'Local zone', text: 'CRON_TZ=Local 0 9 * * *', error: /unknown time zone "Local"/ },
    { name: 'descriptor', text: '@daily', error: /descriptors such as @daily are not supported/ },
    { name: 'day-of-month set', text: '0 9 1 * *', error: /expected day-of-month and month to be \*/ },
    { name: 'month set', text: '0 9 * 1 *', error: /expected day-of-month and month to be \*/ },
    { name: 'four fields', text: '0 9 * *', error: /expected 5 fields/ },
    { name: 'seconds field (6 fields)', text: '0 0 9 * * *', error: /expected 5 fields/ },
    { name: 'Sunday as 7 (robfig: 0-6)', text: '0 9 * * 7', error: /day-of-week field "7" is out of range 0-6 \(Sunday is 0 or sun\)/ },
    { name: 'hour 24', text: '0 24 * * *', error: /hour field "24" is out of range 0-23/ },
    { name: 'minute 60', text: '60 9 * * *', error: /minute field "60" is out of range 0-59/ },
    { name: 'nth weekday (#)', text: '0 9 * * 5#2', error: /day-of-week field "5#2" is not valid cron syntax/ },
    { name: 'last weekday (L)', text: '0 9 * * 5L', error: /day-of-week field "5L" is not valid cron syntax/ },
    { name: 'hashed minute (H)', text: 'H 9 * * *', error: /minute field "H" is not valid cron syntax/ },
    { name: 'zero step', text: '*/0 9 * * *', error: /minute field "\*\/0": step must be at least 1/ },
    { name: 'reversed range', text: '0 9 * * 5-1', error: /day-of-week field "5-1": range start is after its end/ },
  ])('rejects $name with a clear error', ({ text, error }) => {
    expect(() => parseWeeklySchedule(text)).toThrow(error);
  });
});

describe('parseQuietHoursSchedule (Coder cron.Daily)', () => {
  it.each([
    { name: 'UTC 02:00', text: 'CRON_TZ=UTC 0 2 * * *', zone: 'UTC', hour: 2, minute: 0 },
    { name: 'Berlin 22:30', text: 'CRON_TZ=Europe/Berlin 30 22 * * *', zone: 'Europe/Berlin', hour: 22, minute: 30 },
    { name: 'null → deployment default', text: null, zone: 'UTC', hour: 0, minute: 0 },
    { name: 'empty → deployment default', text: '', zone: 'UTC', hour: 0, minute: 0 },
  ])('accepts $name', ({ text, zone, hour, minute }) => {
    expect(parseQuietHoursSchedule(text)).toMatchObject({ timezone: zone, hour, minute });
  });

  it.each([
    { name: 'a day of week', text: 'CRON_TZ=UTC 0 2 * * 1', error: /invalid quiet hours schedule .*day-of-week to be \*/ },
    { name: 'an hour range', text: 'CRON_TZ=UTC 0 1-2 * * *', error: /minute and hour must be single numbers/ },
    { name: 'a minute step', text: 'CRON_TZ=UTC */30 2 * * *', error: /minute and hour must be single numbers/ },
    { name: 'a bad zone', text: 'CRON_TZ=Nowhere 0 2 * * *', error: /invalid quiet hours schedule .*unknown time zone/ },
  ])('rejects $name', ({ text, error }) => {
    expect(() => parseQuietHoursSchedule(text)).toThrow(error);
  });

  it('the default is Coder\'s CODER_QUIET_HOURS_DEFAULT_SCHEDULE', () => {
    expect(DEFAULT_QUIET_HOURS_SCHEDULE).toBe('CRON_TZ=UTC 0 0 * * *');
  });
});

// ---------------------------------------------------------------------------------------------
// Autostart
// ---------------------------------------------------------------------------------------------

describe('nextAllowedAutostart (Coder NextAllowedAutostart)', () => {
  it.each([
    {
      name: 'weekday schedule from Friday evening → Monday (worked timeline 2)', schedule: 'CRON_TZ=Europe/Berlin 0 9 * * 1-5', days: ALL_DAYS,
      after: '2026-01-09T18:00:00+01:00', zone: 'Europe/Berlin', expected: '2026-01-12T09:00:00+01:00',
    },
    {
      name: 'strictly after: exactly at the firing → the next one', schedule: 'CRON_TZ=UTC 0 9 * * *', days: ALL_DAYS,
      after: '2026-01-05T09:00:00Z', zone: 'UTC', expected: '2026-01-06T09:00:00+00:00',
    },
    {
      name: 'one ms before the firing → that firing', schedule: 'CRON_TZ=UTC 0 9 * * *', days: ALL_DAYS,
      after: '2026-01-05T08:59:59.999Z', zone: 'UTC', expected: '2026-01-05T09:00:00+00:00',
    },
    {
      name: 'daily schedule, template allows Mon-Fri: Saturday and Sunday are skipped', schedule: 'CRON_TZ=UTC 0 9 * * *', days: MON_FRI,
      after: '2026-01-09T10:00:00Z', zone: 'UTC', expected: '2026-01-12T09:00:00+00:00',
    },
    {
      name: 'weekday judged in the schedule zone: Mon 08:00 Sydney is Sunday in UTC, template allows Monday', schedule: 'CRON_TZ=Australia/Sydney 0 8 * * 1', days: MONDAY,
      after: '2026-01-01T00:00:00Z', zone: 'Australia/Sydney', expected: '2026-01-05T08:00:00+11:00',
    },
    {
      name: 'weekday judged in the schedule zone: template allows only Sunday → none', schedule: 'CRON_TZ=Australia/Sydney 0 8 * * 1', days: 0x40,
      after: '2026-01-01T00:00:00Z', zone: 'UTC', expected: null,
    },
    {
      name: 'Saturday-only schedule, template allows Mon-Fri → none within 7 days', schedule: 'CRON_TZ=UTC 0 9 * * 6', days: MON_FRI,
      after: '2026-01-05T00:00:00Z', zone: 'UTC', expected: null,
    },
    {
      name: 'an invalid schedule → none', schedule: 'CRON_TZ=UTC 0 9 1 * *', days: ALL_DAYS, after: '2026-01-05T00:00:00Z', zone: 'UTC', expected: null,
    },
  ])('$name', ({ schedule, days, after, zone, expected }) => {
    expect(Z(nextAllowedAutostart(schedule, days, T(after)), zone)).toBe(expected);
  });

  it.each([
    { name: 'allowed day', days: ALL_DAYS, allowed: true },
    { name: 'blocked day (Coder NextAutostart reports it, not skips it)', days: MON_FRI, allowed: false },
  ])('nextAutostart: $name', ({ days, allowed }) => {
    const r = nextAutostart('CRON_TZ=UTC 0 9 * * *', days, T('2026-01-10T00:00:00Z')); // Saturday
    expect(r).toEqual({ at: T('2026-01-10T09:00:00Z'), allowed });
  });
});

describe('autostartSkipReason (skip rules)', () => {
  const ok = state({ autostartSchedule: 'CRON_TZ=UTC 0 9 * * *', latestBuild: build('stop', '2026-01-05T18:00:00Z') });
  it.each<{ name: string; over: Partial<LifecycleState>; code: string | null }>([
    { name: 'eligible', over: {}, code: null },
    { name: 'unclaimed prebuild', over: { isPrebuild: true }, code: 'prebuild' },
    { name: 'deleted', over: { deleted: true }, code: 'deleted' },
    { name: 'no schedule', over: { autostartSchedule: null }, code: 'no_schedule' },
    { name: 'empty schedule', over: { autostartSchedule: '  ' }, code: 'no_schedule' },
    { name: 'invalid stored schedule', over: { autostartSchedule: '0 9 1 * *' }, code: 'invalid_schedule' },
    { name: 'template disallows user autostart', over: { template: tpl({ allowUserAutostart: false }) }, code: 'template_disallows' },
    { name: 'no allowed day', over: { autostartSchedule: 'CRON_TZ=UTC 0 9 * * 6', template: tpl({ autostartAllowedDays: MON_FRI }) }, code: 'no_allowed_day' },
    { name: 'owner suspended', over: { userStatus: 'suspended' }, code: 'user_not_active' },
    { name: 'owner dormant', over: { userStatus: 'dormant' }, code: 'user_not_active' },
    { name: 'workspace dormant', over: { dormantAt: '2026-01-05T19:00:00Z' }, code: 'dormant' },
    { name: 'failed last build (issue #3084)', over: { latestBuild: build('stop', '2026-01-05T18:00:00Z', { jobStatus: 'failed' }) }, code: 'failed_last_build' },
    { name: 'stop build still running', over: { latestBuild: build('stop', '2026-01-05T18:00:00Z', { jobStatus: 'running', completedAt: null }) }, code: 'build_in_progress' },
    { name: 'running', over: { latestBuild: build('start', '2026-01-05T09:00:00Z') }, code: 'not_stopped' },
    { name: 'no build yet', over: { latestBuild: null }, code: 'not_stopped' },
    { name: 'canceled stop is eligible (not failed)', over: { latestBuild: build('stop', '2026-01-05T18:00:00Z', { jobStatus: 'canceled' }) }, code: null },
    { name: 'template needs new parameters', over: { templateNeedsNewParameters: true }, code: 'needs_new_parameters' },
  ])('$name', ({ over, code }) => {
    const skip = autostartSkipReason({ ...ok, ...over });
    expect(skip?.code ?? null).toBe(code);
    if (skip) expect(skip.message).toMatch(/^autostart (skipped|is off|waits)/);
  });
});

describe('computeNextStartAt (next_start_at) and applyAutostartUpdate (PUT autostart)', () => {
  const base = state({ autostartSchedule: 'CRON_TZ=Europe/Berlin 0 9 * * 1-5', latestBuild: build('stop', '2026-01-09T18:00:00+01:00') });
  it.each<{ name: string; over: Partial<LifecycleState>; at: string; expected: string | null }>([
    { name: 'at build completion (Friday 18:00) → Monday 09:00', over: {}, at: '2026-01-09T18:00:00+01:00', expected: '2026-01-12T09:00:00+01:00' },
    { name: 'dormant → null', over: { dormantAt: '2026-01-09T19:00:00+01:00' }, at: '2026-01-09T18:00:00+01:00', expected: null },
    { name: 'no schedule → null', over: { autostartSchedule: null }, at: '2026-01-09T18:00:00+01:00', expected: null },
    { name: 'template disallows → null', over: { template: tpl({ allowUserAutostart: false }) }, at: '2026-01-09T18:00:00+01:00', expected: null },
    { name: 'prebuild → null', over: { isPrebuild: true }, at: '2026-01-09T18:00:00+01:00', expected: null },
  ])('$name', ({ over, at, expected }) => {
    expect(Z(computeNextStartAt({ ...base, ...over }, at), 'Europe/Berlin')).toBe(expected);
  });

  it.each([
    { name: 'sets a schedule: normalized, next_start_at from now (never immediately, issue #2773)', schedule: '0 9 * * *', now: '2026-01-06T12:00:00Z', expected: { autostartSchedule: 'CRON_TZ=UTC 0 9 * * *', nextStartAt: T('2026-01-07T09:00:00Z') } },
    { name: 'empty clears', schedule: '', now: '2026-01-06T12:00:00Z', expected: { autostartSchedule: null, nextStartAt: null } },
    { name: 'null clears', schedule: null, now: '2026-01-06T12:00:00Z', expected: { autostartSchedule: null, nextStartAt: null } },
  ])('$name', ({ schedule, now, expected }) => {
    expect(applyAutostartUpdate(state({ latestBuild: build('stop', '2026-01-05T18:00:00Z') }), schedule, now)).toEqual(expected);
  });

  it.each([
    { name: 'invalid schedule → 400', st: state(), schedule: '0 9 1 * *', code: 'invalid_schedule', status: 400, message: /^Invalid autostart schedule: .*day-of-month/ },
    { name: 'template disallows → 400', st: state({ template: tpl({ allowUserAutostart: false }) }), schedule: '0 9 * * *', code: 'autostart_not_allowed', status: 400, message: /^Autostart is not allowed for workspaces using this template\.$/ },
    { name: 'prebuild → 409', st: state({ isPrebuild: true }), schedule: '0 9 * * *', code: 'prebuild', status: 409, message: /prebuilt/ },
  ])('rejects: $name', ({ st, schedule, code, status, message }) => {
    let err: unknown;
    try { applyAutostartUpdate(st, schedule, '2026-01-06T12:00:00Z'); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(ScheduleError);
    expect(err).toMatchObject({ code, status });
    expect((err as Error).message).toMatch(message);
  });
});

// ---------------------------------------------------------------------------------------------
// TTL
// ---------------------------------------------------------------------------------------------

describe('workspace TTL (Coder validWorkspaceTTLMillis, create default, PUT ttl)', () => {
  it.each([
    { name: 'null → fallback', ttl: null, fallback: 8 * HOUR, expected: 8 * HOUR },
    { name: '0 → fallback', ttl: 0, fallback: 8 * HOUR, expected: 8 * HOUR },
    { name: 'null with fallback 0 → null (no TTL)', ttl: null, fallback: 0, expected: null },
    { name: 'truncated to the minute', ttl: 90_000, fallback: 0, expected: MIN },
    { name: 'exactly 30 days', ttl: 30 * DAY, fallback: 0, expected: 30 * DAY },
  ])('validateWorkspaceTtl: $name', ({ ttl, fallback, expected }) => {
    expect(validateWorkspaceTtl(ttl, fallback)).toBe(expected);
  });

  it.each([
    { name: '59 s', ttl: 59_000, message: 'time until shutdown must be at least one minute' },
    { name: 'negative', ttl: -HOUR, message: 'time until shutdown must be at least one minute' },
    { name: '30 days + 1 minute', ttl: 30 * DAY + MIN, message: 'time until shutdown must be less than 30 days' },
  ])('validateWorkspaceTtl rejects $name', ({ ttl, message }) => {
    expect(() => validateWorkspaceTtl(ttl)).toThrow(message);
  });

  it.each([
    { name: 'no request → template default copied', requested: undefined, template: tpl({ defaultTtlMs: 8 * HOUR }), expected: 8 * HOUR },
    { name: 'no request, template default 0 → null', requested: undefined, template: tpl(), expected: null },
    { name: 'request wins when the user may set autostop', requested: 2 * HOUR, template: tpl({ defaultTtlMs: 8 * HOUR }), expected: 2 * HOUR },
    { name: 'template forces its default', requested: 2 * HOUR, template: tpl({ defaultTtlMs: 8 * HOUR, allowUserAutostop: false }), expected: 8 * HOUR },
    { name: 'template forces "no TTL"', requested: 2 * HOUR, template: tpl({ defaultTtlMs: 0, allowUserAutostop: false }), expected: null },
  ])('workspaceTtlAtCreate: $name', ({ requested, template, expected }) => {
    expect(workspaceTtlAtCreate(requested, template)).toBe(expected);
  });

  it.each([
    { name: 'user TTL', st: state({ ttlMs: 8 * HOUR }), expected: 8 * HOUR },
    { name: 'no TTL', st: state({ ttlMs: null }), expected: 0 },
    { name: 'template forces its default over the workspace TTL', st: state({ ttlMs: 8 * HOUR, template: tpl({ allowUserAutostop: false, defaultTtlMs: 4 * HOUR }) }), expected: 4 * HOUR },
    { name: 'template forces 0: no TTL even if the workspace still has one', st: state({ ttlMs: 8 * HOUR, template: tpl({ allowUserAutostop: false }) }), expected: 0 },
  ])('effectiveTtlMs: $name', ({ st, expected }) => {
    expect(effectiveTtlMs(st)).toBe(expected);
  });

  const runningBuild = build('start', '2026-01-05T09:00:00Z', { deadline: '2026-01-05T17:00:00Z' });
  const cappedBuild = build('start', '2026-01-05T09:00:00Z', { deadline: '2026-01-05T17:00:00Z', maxDeadline: '2026-01-06T02:00:00Z' });
  it.each([
    {
      name: 'a new TTL applies from the next build: the running deadline is kept (issue #5080)', st: state({ ttlMs: 8 * HOUR, latestBuild: runningBuild }), ttl: 2 * HOUR,
      expected: { ttlMs: 2 * HOUR, deadline: T('2026-01-05T17:00:00Z'), deadlineChanged: false },
    },
    {
      name: 'disabling with no max_deadline: deadline becomes manual (null)', st: state({ ttlMs: 8 * HOUR, latestBuild: runningBuild }), ttl: null,
      expected: { ttlMs: null, deadline: null, deadlineChanged: true },
    },
    {
      // Coder bug (reference §3.1 edge case): Coder zeroes the deadline and keeps max_deadline, violating
      // its own constraint (deadline <> zero AND deadline <= max_deadline) OR max_deadline = zero.
      name: 'disabling with a max_deadline: deadline becomes max_deadline (not zero — Coder constraint bug)', st: state({ ttlMs: 8 * HOUR, latestBuild: cappedBuild }), ttl: 0,
      expected: { ttlMs: null, deadline: T('2026-01-06T02:00:00Z'), deadlineChanged: true, deadlineSource: 'max_deadline' },
    },
    {
      name: 'disabling while stopped changes no deadline', st: state({ ttlMs: 8 * HOUR, latestBuild: build('stop', '2026-01-05T18:00:00Z') }), ttl: null,
      expected: { ttlMs: null, deadline: null, deadlineChanged: false },
    },
  ])('applyTtlUpdate: $name', ({ st, ttl, expected }) => {
    expect(applyTtlUpdate(st, ttl)).toMatchObject(expected);
  });

  it('the new TTL is used by the next start build', () => {
    const st = state({ ttlMs: 8 * HOUR, latestBuild: runningBuild });
    const upd = applyTtlUpdate(st, 2 * HOUR);
    const next = calculateAutostop({ ...st, ttlMs: upd.ttlMs }, '2026-01-06T09:00:00Z');
    expect(Z(next.deadline)).toBe('2026-01-06T11:00:00+00:00');
  });

  it.each([
    { name: 'template forces its TTL → 400', st: state({ template: tpl({ allowUserAutostop: false }) }), ttl: HOUR, code: 'autostop_not_allowed', status: 400 },
    { name: 'too short → 400', st: state(), ttl: 1000, code: 'invalid_ttl', status: 400 },
    { name: 'prebuild → 409', st: state({ isPrebuild: true }), ttl: HOUR, code: 'prebuild', status: 409 },
  ])('applyTtlUpdate rejects: $name', ({ st, ttl, code, status }) => {
    expect(() => applyTtlUpdate(st, ttl)).toThrow(ScheduleError);
    try { applyTtlUpdate(st, ttl); } catch (e) { expect(e).toMatchObject({ code, status }); }
  });
});

// ---------------------------------------------------------------------------------------------
// Deadline and max_deadline
// ---------------------------------------------------------------------------------------------

describe('calculateAutostop: deadline from TTL and the autostart-crossing rule', () => {
  it.each<{ name: string; st: Partial<LifecycleState>; completed: string; zone: string; deadline: string | null; source: string | null }>([
    { name: 'worked timeline 1: TTL 8h from 10:03:20', st: { ttlMs: 8 * HOUR }, completed: '2026-01-05T10:03:20Z', zone: 'UTC', deadline: '2026-01-05T18:03:20+00:00', source: 'ttl' },
    { name: 'no TTL, no requirement → manual shutdown', st: {}, completed: '2026-01-05T10:00:00Z', zone: 'UTC', deadline: null, source: null },
    { name: 'template-forced TTL wins over the workspace TTL', st: { ttlMs: 8 * HOUR, template: tpl({ allowUserAutostop: false, defaultTtlMs: 4 * HOUR }) }, completed: '2026-01-05T10:00:00Z', zone: 'UTC', deadline: '2026-01-05T14:00:00+00:00', source: 'ttl' },
    {
      name: 'worked timeline 2: Monday 09:02 Berlin, TTL 9h → 18:02, Tuesday 09:00 not crossed',
      st: { ttlMs: 9 * HOUR, autostartSchedule: 'CRON_TZ=Europe/Berlin 0 9 * * 1-5' }, completed: '2026-01-12T09:02:00+01:00', zone: 'Europe/Berlin', deadline: '2026-01-12T18:02:00+01:00', source: 'ttl',
    },
    {
      name: 'crossing (issue #12864): 22:00 + TTL 12h passes 09:00 → 09:00 + 12h',
      st: { ttlMs: 12 * HOUR, autostartSchedule: 'CRON_TZ=Europe/Berlin 0 9 * * 1-5' }, completed: '2026-01-12T22:00:00+01:00', zone: 'Europe/Berlin', deadline: '2026-01-13T21:00:00+01:00', source: 'autostart_crossing',
    },
    {
      name: 'no crossing: 22:00 + TTL 9h = 07:00, before 09:00',
      st: { ttlMs: 9 * HOUR, autostartSchedule: 'CRON_TZ=Europe/Berlin 0 9 * * 1-5' }, completed: '2026-01-12T22:00:00+01:00', zone: 'Europe/Berlin', deadline: '2026-01-13T07:00:00+01:00', source: 'ttl',
    },
    {
      name: 'crossing applied once: 08:00 + 30h crosses 09:00 → 09:00 + 30h, which crosses the next 09:00 too (not re-applied)',
      st: { ttlMs: 30 * HOUR, autostartSchedule: 'CRON_TZ=UTC 0 9 * * *' }, completed: '2026-01-12T08:00:00Z', zone: 'UTC', deadline: '2026-01-13T15:00:00+00:00', source: 'autostart_crossing',
    },
    {
      name: 'no crossing when the next firing is on a blocked day (Coder NextAutostart allowed=false)',
      st: { ttlMs: 12 * HOUR, autostartSchedule: 'CRON_TZ=UTC 0 9 * * *', template: tpl({ autostartAllowedDays: MON_FRI }) }, completed: '2026-01-09T22:00:00Z', zone: 'UTC', deadline: '2026-01-10T10:00:00+00:00', source: 'ttl',
    },
    {
      name: 'no crossing when the template disallows user autostart (that autostart never happens)',
      st: { ttlMs: 12 * HOUR, autostartSchedule: 'CRON_TZ=UTC 0 9 * * *', template: tpl({ allowUserAutostart: false }) }, completed: '2026-01-12T22:00:00Z', zone: 'UTC', deadline: '2026-01-13T10:00:00+00:00', source: 'ttl',
    },
    {
      name: 'crossing exactly at the autostart is not a crossing (deadline must be after it)',
      st: { ttlMs: 11 * HOUR, autostartSchedule: 'CRON_TZ=UTC 0 9 * * *' }, completed: '2026-01-12T22:00:00Z', zone: 'UTC', deadline: '2026-01-13T09:00:00+00:00', source: 'ttl',
    },
    { name: 'unclaimed prebuild: no deadline (PR #19252)', st: { ttlMs: 8 * HOUR, isPrebuild: true }, completed: '2026-01-05T10:00:00Z', zone: 'UTC', deadline: null, source: null },
  ])('$name', ({ st, completed, zone, deadline, source }) => {
    const r = calculateAutostop(state(st), completed);
    expect(Z(r.deadline, zone)).toBe(deadline);
    expect(r.deadlineSource).toBe(source);
    expect(r.maxDeadline).toBeNull();
  });
});

describe('calculateMaxDeadline: autostop requirement and quiet hours (2h leeway)', () => {
  const daily = tpl({ autostopRequirementDays: ALL_DAYS });
  it.each<{ name: string; template: TemplateSchedulePolicy; qh: string | null; completed: string; zone: string; expected: string | null }>([
    { name: 'no requirement days → no max_deadline', template: tpl(), qh: 'CRON_TZ=UTC 0 2 * * *', completed: '2026-01-05T10:00:00Z', zone: 'UTC', expected: null },
    { name: 'worked timeline 4: start 23:30 → next day 02:00', template: daily, qh: 'CRON_TZ=UTC 0 2 * * *', completed: '2026-01-05T23:30:00Z', zone: 'UTC', expected: '2026-01-06T02:00:00+00:00' },
    { name: 'start at 00:00: quiet hours exactly 2h away → kept', template: daily, qh: 'CRON_TZ=UTC 0 2 * * *', completed: '2026-01-06T00:00:00Z', zone: 'UTC', expected: '2026-01-06T02:00:00+00:00' },
    { name: 'start at 00:01: quiet hours 1h59m away → within the leeway, next day (issue #12612)', template: daily, qh: 'CRON_TZ=UTC 0 2 * * *', completed: '2026-01-06T00:01:00Z', zone: 'UTC', expected: '2026-01-07T02:00:00+00:00' },
    { name: 'start at 01:30: 30 min before quiet hours → next day', template: daily, qh: 'CRON_TZ=UTC 0 2 * * *', completed: '2026-01-06T01:30:00Z', zone: 'UTC', expected: '2026-01-07T02:00:00+00:00' },
    { name: 'start at 10:00: today\'s quiet hours passed → tomorrow', template: daily, qh: 'CRON_TZ=UTC 0 2 * * *', completed: '2026-01-06T10:00:00Z', zone: 'UTC', expected: '2026-01-07T02:00:00+00:00' },
    { name: 'midnight quiet hours (the −15m buffer catches 00:00)', template: daily, qh: 'CRON_TZ=UTC 0 0 * * *', completed: '2026-01-05T09:00:00Z', zone: 'UTC', expected: '2026-01-06T00:00:00+00:00' },
    { name: 'null quiet hours → deployment default midnight UTC', template: daily, qh: null, completed: '2026-01-05T09:00:00Z', zone: 'UTC', expected: '2026-01-06T00:00:00+00:00' },
    { name: 'quiet hours in the user\'s zone', template: daily, qh: 'CRON_TZ=Europe/Berlin 0 2 * * *', completed: '2026-01-05T09:00:00+01:00', zone: 'Europe/Berlin', expected: '2026-01-06T02:00:00+01:00' },
    { name: 'Monday only: started Wednesday → next Monday', template: tpl({ autostopRequirementDays: MONDAY }), qh: 'CRON_TZ=UTC 0 2 * * *', completed: '2026-01-07T10:00:00Z', zone: 'UTC', expected: '2026-01-12T02:00:00+00:00' },
    { name: 'Monday only: started Sunday 23:30 → Monday 02:00', template: tpl({ autostopRequirementDays: MONDAY }), qh: 'CRON_TZ=UTC 0 2 * * *', completed: '2026-01-11T23:30:00Z', zone: 'UTC', expected: '2026-01-12T02:00:00+00:00' },
    { name: 'Monday only: started Monday 01:00 (inside the leeway) → a week later', template: tpl({ autostopRequirementDays: MONDAY }), qh: 'CRON_TZ=UTC 0 2 * * *', completed: '2026-01-12T01:00:00Z', zone: 'UTC', expected: '2026-01-19T02:00:00+00:00' },
    {
      name: 'every 2 weeks, Monday: week 157 (not applicable) → Monday of week 158',
      template: tpl({ autostopRequirementDays: MONDAY, autostopRequirementWeeks: 2 }), qh: 'CRON_TZ=UTC 0 2 * * *', completed: '2026-01-05T10:00:00Z', zone: 'UTC', expected: '2026-01-12T02:00:00+00:00',
    },
    {
      // Coder difference: Coder keeps "now" in an applicable week and then searches 7 days, landing on
      // Monday 2026-01-19 (week 159, not applicable). Berth only picks applicable weeks.
      name: 'every 2 weeks, Monday: started Tuesday of week 158 → Monday of week 160 (not 159)',
      template: tpl({ autostopRequirementDays: MONDAY, autostopRequirementWeeks: 2 }), qh: 'CRON_TZ=UTC 0 2 * * *', completed: '2026-01-13T10:00:00Z', zone: 'UTC', expected: '2026-01-26T02:00:00+00:00',
    },
    { name: 'weeks 0 is treated as 1', template: tpl({ autostopRequirementDays: MONDAY, autostopRequirementWeeks: 0 }), qh: 'CRON_TZ=UTC 0 2 * * *', completed: '2026-01-13T10:00:00Z', zone: 'UTC', expected: '2026-01-19T02:00:00+00:00' },
  ])('$name', ({ template, qh, completed, zone, expected }) => {
    expect(Z(calculateMaxDeadline(template, qh, completed), zone)).toBe(expected);
  });

  it('quiet hours less than 1h after the start of the chosen day: never less than 1h away', () => {
    // Start 23:30, quiet hours 00:10 → the day after leeway is tomorrow; its quiet hours (00:10) is
    // before now + 2h, so the stop day moves to the day after: 00:10 two days later.
    expect(Z(calculateMaxDeadline(tpl({ autostopRequirementDays: ALL_DAYS }), 'CRON_TZ=UTC 10 0 * * *', '2026-01-05T23:30:00Z'))).toBe('2026-01-07T00:10:00+00:00');
  });

  it.each([
    { name: '2026-01-05 is week 157', at: '2026-01-05T00:00:00Z', zone: 'UTC', weeks: 157 },
    { name: 'the epoch Monday is week 0', at: '2023-01-02T00:00:00Z', zone: 'UTC', weeks: 0 },
    { name: 'counted on the local date (Sunday 23:30 in UTC is Monday in Berlin)', at: '2026-01-11T23:30:00Z', zone: 'Europe/Berlin', weeks: 158 },
    { name: 'the same instant in UTC is still week 157', at: '2026-01-11T23:30:00Z', zone: 'UTC', weeks: 157 },
  ])('weeksSinceAutostopEpoch: $name', ({ at, zone, weeks }) => {
    expect(weeksSinceAutostopEpoch(T(at), zone)).toBe(weeks);
  });

  it('a clock before the epoch is an error', () => {
    expect(() => weeksSinceAutostopEpoch(T('2022-12-31T00:00:00Z'), 'UTC')).toThrow(/before the autostop requirement epoch/);
  });

  it('an invalid quiet hours schedule is an error', () => {
    expect(() => calculateMaxDeadline(daily, 'CRON_TZ=UTC 0 2 * * 1', '2026-01-05T10:00:00Z')).toThrow(/invalid quiet hours schedule/);
  });
});

describe('calculateAutostop: deadline = min(TTL deadline, max_deadline)', () => {
  const daily = tpl({ autostopRequirementDays: ALL_DAYS });
  it.each([
    { name: 'TTL deadline after quiet hours → max_deadline', ttl: 8 * HOUR, completed: '2026-01-05T20:00:00Z', deadline: '2026-01-06T02:00:00+00:00', max: '2026-01-06T02:00:00+00:00', source: 'max_deadline' },
    { name: 'TTL deadline before quiet hours → TTL', ttl: 4 * HOUR, completed: '2026-01-05T20:00:00Z', deadline: '2026-01-06T00:00:00+00:00', max: '2026-01-06T02:00:00+00:00', source: 'ttl' },
    { name: 'no TTL → deadline = max_deadline', ttl: null, completed: '2026-01-05T20:00:00Z', deadline: '2026-01-06T02:00:00+00:00', max: '2026-01-06T02:00:00+00:00', source: 'max_deadline' },
  ])('$name', ({ ttl, completed, deadline, max, source }) => {
    const r = calculateAutostop(state({ ttlMs: ttl, template: daily, userQuietHoursSchedule: 'CRON_TZ=UTC 0 2 * * *' }), completed);
    expect({ deadline: Z(r.deadline), max: Z(r.maxDeadline), source: r.deadlineSource }).toEqual({ deadline, max, source });
  });
});

// ---------------------------------------------------------------------------------------------
// Activity bump
// ---------------------------------------------------------------------------------------------

describe('applyActivityBump (activitybump.sql)', () => {
  const started = (over: Partial<LifecycleBuild> = {}) => build('start', '2026-01-05T10:03:20Z', { deadline: '2026-01-05T18:03:20Z', ...over });
  it.each<{ name: string; st: Partial<LifecycleState>; now: string; bumped: boolean; deadline: string | null; why?: RegExp }>([
    { name: 'worked timeline 1: activity at 17:10 → 18:10 (5% rule passed)', st: { latestBuild: started() }, now: '2026-01-05T17:10:00Z', bumped: true, deadline: '2026-01-05T18:10:00+00:00' },
    { name: 'activity at 17:00: deadline more than 57m away → no write (threshold)', st: { latestBuild: started() }, now: '2026-01-05T17:00:00Z', bumped: false, deadline: '2026-01-05T18:03:20+00:00', why: /5%/ },
    { name: 'activity at 17:06:20 exactly on the threshold → no bump (strict <)', st: { latestBuild: started() }, now: '2026-01-05T17:06:20Z', bumped: false, deadline: '2026-01-05T18:03:20+00:00' },
    { name: 'never past max_deadline', st: { latestBuild: started({ maxDeadline: '2026-01-05T18:05:00Z' }) }, now: '2026-01-05T17:30:00Z', bumped: true, deadline: '2026-01-05T18:05:00+00:00' },
    { name: 'already at max_deadline → unchanged', st: { latestBuild: started({ deadline: '2026-01-05T18:00:00Z', maxDeadline: '2026-01-05T18:00:00Z' }) }, now: '2026-01-05T17:30:00Z', bumped: false, deadline: '2026-01-05T18:00:00+00:00' },
    { name: 'template bump 0 → disabled', st: { latestBuild: started(), template: tpl({ activityBumpMs: 0 }) }, now: '2026-01-05T17:30:00Z', bumped: false, deadline: '2026-01-05T18:03:20+00:00', why: /disables/ },
    { name: 'manual shutdown (no deadline) → never bumped', st: { latestBuild: started({ deadline: null }) }, now: '2026-01-05T17:30:00Z', bumped: false, deadline: null, why: /manual/ },
    { name: 'stopped workspace → no bump', st: { latestBuild: build('stop', '2026-01-05T18:03:20Z') }, now: '2026-01-05T18:30:00Z', bumped: false, deadline: null },
    { name: 'failed start → no bump', st: { latestBuild: started({ jobStatus: 'failed' }) }, now: '2026-01-05T17:30:00Z', bumped: false, deadline: '2026-01-05T18:03:20+00:00' },
    { name: 'start still running → no bump', st: { latestBuild: started({ jobStatus: 'running', completedAt: null }) }, now: '2026-01-05T17:30:00Z', bumped: false, deadline: '2026-01-05T18:03:20+00:00' },
    { name: 'unclaimed prebuild → no bump', st: { latestBuild: started(), isPrebuild: true }, now: '2026-01-05T17:30:00Z', bumped: false, deadline: '2026-01-05T18:03:20+00:00', why: /prebuil/ },
    {
      name: 'crossing the next autostart: deadline → autostart + TTL (PR #13115)',
      st: { ttlMs: 8 * HOUR, autostartSchedule: 'CRON_TZ=UTC 0 9 * * *', latestBuild: build('start', '2026-01-05T00:30:00Z', { deadline: '2026-01-06T08:30:00Z' }) },
      now: '2026-01-06T08:20:00Z', bumped: true, deadline: '2026-01-06T17:00:00+00:00',
    },
    {
      name: 'crossing with no TTL → no bump (NULL interval in the SQL)',
      st: { ttlMs: null, autostartSchedule: 'CRON_TZ=UTC 0 9 * * *', latestBuild: build('start', '2026-01-05T00:30:00Z', { deadline: '2026-01-06T08:30:00Z' }) },
      now: '2026-01-06T08:20:00Z', bumped: false, deadline: '2026-01-06T08:30:00+00:00', why: /no TTL/,
    },
    {
      name: 'next autostart on a blocked day: a plain 1h bump',
      st: { ttlMs: 8 * HOUR, autostartSchedule: 'CRON_TZ=UTC 0 9 * * *', template: tpl({ autostartAllowedDays: MON_FRI }), latestBuild: build('start', '2026-01-09T00:30:00Z', { deadline: '2026-01-10T08:30:00Z' }) },
      now: '2026-01-10T08:20:00Z', bumped: true, deadline: '2026-01-10T09:20:00+00:00',
    },
  ])('$name', ({ st, now, bumped, deadline, why }) => {
    const r = applyActivityBump(state(st), now);
    expect({ bumped: r.bumped, deadline: Z(r.deadline) }).toEqual({ bumped, deadline });
    if (why) expect(r.why).toMatch(why);
    if (bumped) expect(['activity_bump', 'max_deadline']).toContain(r.deadlineSource);
  });

  it('only ever later: repeated activity never moves the deadline earlier', () => {
    let st = state({ latestBuild: started() });
    let last = T('2026-01-05T18:03:20Z');
    for (const now of ['2026-01-05T17:10:00Z', '2026-01-05T17:20:00Z', '2026-01-05T17:40:00Z', '2026-01-05T18:00:00Z']) {
      const r = applyActivityBump(st, now);
      expect(r.deadline!).toBeGreaterThanOrEqual(last);
      last = r.deadline!;
      st = state({ latestBuild: started({ deadline: r.deadline }) });
    }
    expect(Z(last)).toBe('2026-01-05T19:00:00+00:00');
  });
});

// ---------------------------------------------------------------------------------------------
// Extend / override stop
// ---------------------------------------------------------------------------------------------

describe('extendDeadline (PUT extend)', () => {
  const now = '2026-01-05T12:00:00Z';
  const running = (over: Partial<LifecycleBuild> = {}) => state({ latestBuild: build('start', '2026-01-05T09:00:00Z', { deadline: '2026-01-05T17:00:00Z', ...over }) });
  it.each([
    { name: 'later, within max_deadline', st: running({ maxDeadline: '2026-01-06T02:00:00Z' }), requested: '2026-01-05T20:00:00Z' },
    { name: 'up to max_deadline exactly', st: running({ maxDeadline: '2026-01-06T02:00:00Z' }), requested: '2026-01-06T02:00:00Z' },
    { name: 'earlier (override stop), exactly 30 min from now', st: running(), requested: '2026-01-05T12:30:00Z' },
    { name: 'no max_deadline: no cap, 25 days later (issue #11990)', st: running(), requested: '2026-01-30T12:00:00Z' },
  ])('accepts $name', ({ st, requested }) => {
    expect(extendDeadline(st, requested, now)).toEqual({ deadline: T(requested), deadlineSource: 'extend' });
  });

  it.each([
    // Coder bug: Coder's check is now + 29m although the message promises 30 minutes.
    { name: '29 minutes from now (Coder accepts it; its message says 30)', st: running(), requested: '2026-01-05T12:29:00Z', code: 'deadline_too_soon', status: 400, message: 'Cannot extend workspace: new deadline must be at least 30 minutes in the future' },
    { name: 'in the past', st: running(), requested: '2026-01-05T11:00:00Z', code: 'deadline_too_soon', status: 400, message: /at least 30 minutes/ },
    { name: 'beyond max_deadline', st: running({ maxDeadline: '2026-01-06T02:00:00Z' }), requested: '2026-01-06T02:01:00Z', code: 'beyond_max_deadline', status: 400, message: 'Cannot extend workspace beyond max deadline.' },
    // Coder bug: its message says "before workspace start time" for this check.
    { name: 'before the build completed (message fixed: "after")', st: state({ latestBuild: build('start', '2026-01-05T13:00:00Z', { deadline: '2026-01-05T21:00:00Z' }) }), requested: '2026-01-05T12:45:00Z', code: 'deadline_before_start', status: 400, message: 'Cannot extend workspace: new deadline must be after workspace start time' },
    { name: 'manual shutdown', st: running({ deadline: null }), requested: '2026-01-05T20:00:00Z', code: 'manual_shutdown', status: 409, message: 'Workspace shutdown is manual.' },
    { name: 'stopped', st: state({ latestBuild: build('stop', '2026-01-05T11:00:00Z') }), requested: '2026-01-05T20:00:00Z', code: 'not_started', status: 409, message: 'Workspace must be started, current status: stopped' },
    { name: 'still building', st: running({ jobStatus: 'running', completedAt: null }), requested: '2026-01-05T20:00:00Z', code: 'still_building', status: 409, message: 'Workspace is still building!' },
    { name: 'unclaimed prebuild', st: { ...running(), isPrebuild: true }, requested: '2026-01-05T20:00:00Z', code: 'prebuild', status: 409, message: /prebuilt/ },
  ])('rejects $name', ({ st, requested, code, status, message }) => {
    let err: unknown;
    try { extendDeadline(st, requested, now); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(ScheduleError);
    expect(err).toMatchObject({ code, status });
    expect((err as Error).message).toEqual(typeof message === 'string' ? message : expect.stringMatching(message));
  });
});

// ---------------------------------------------------------------------------------------------
// The executor's decision
// ---------------------------------------------------------------------------------------------

describe('nextLifecycleDecision: each rule, both directions', () => {
  const berlinWeekdays = 'CRON_TZ=Europe/Berlin 0 9 * * 1-5';
  type Row = { name: string; st: Partial<LifecycleState>; now: string; rule: ScheduleRule | null; transition?: string | null; reason?: string; dueAt?: string; zone?: string; markDormant?: boolean };
  it.each<Row>([
    // autostop: deadline
    {
      name: 'autostop: deadline reached → stop (autostop)', now: '2026-01-05T18:04:00Z', rule: 'autostop_deadline', transition: 'stop', reason: 'autostop', dueAt: '2026-01-05T18:03:20+00:00',
      st: { ttlMs: 8 * HOUR, latestBuild: build('start', '2026-01-05T10:03:20Z', { deadline: '2026-01-05T18:03:20Z' }) },
    },
    {
      name: 'autostop: deadline ahead → the same decision, not yet due', now: '2026-01-05T12:00:00Z', rule: 'autostop_deadline', transition: 'stop', dueAt: '2026-01-05T18:03:20+00:00',
      st: { ttlMs: 8 * HOUR, latestBuild: build('start', '2026-01-05T10:03:20Z', { deadline: '2026-01-05T18:03:20Z' }) },
    },
    { name: 'autostop: manual shutdown (no deadline) → nothing', now: '2026-01-05T18:04:00Z', rule: null, st: { latestBuild: build('start', '2026-01-05T10:03:20Z') } },
    { name: 'autostop: dormant running workspace is not autostopped (Coder)', now: '2026-01-05T18:04:00Z', rule: null, st: { dormantAt: '2026-01-05T11:00:00Z', latestBuild: build('start', '2026-01-05T10:00:00Z', { deadline: '2026-01-05T18:00:00Z' }) } },
    // autostop: suspended owner
    { name: 'suspended owner, running → stop now', now: '2026-01-05T12:00:00Z', rule: 'autostop_suspended', transition: 'stop', reason: 'autostop', dueAt: '2026-01-05T12:00:00+00:00', st: { userStatus: 'suspended', latestBuild: build('start', '2026-01-05T10:00:00Z') } },
    { name: 'suspended owner, stopped → nothing (and no autostart)', now: '2026-01-05T12:00:00Z', rule: null, st: { userStatus: 'suspended', autostartSchedule: '0 9 * * *', latestBuild: build('stop', '2026-01-04T18:00:00Z') } },
    // autostart
    {
      name: 'autostart: stopped Friday 18:00 Berlin → Monday 09:00 Berlin (worked timeline 2)', now: '2026-01-09T18:05:00+01:00', rule: 'autostart', transition: 'start', reason: 'autostart',
      dueAt: '2026-01-12T09:00:00+01:00', zone: 'Europe/Berlin', st: { autostartSchedule: berlinWeekdays, latestBuild: build('stop', '2026-01-09T18:00:00+01:00') },
    },
    {
      name: 'autostart: overdue (server was down at 09:00) → due, fires at once (tick >= next)', now: '2026-01-12T11:30:00+01:00', rule: 'autostart', dueAt: '2026-01-12T09:00:00+01:00', zone: 'Europe/Berlin',
      st: { autostartSchedule: berlinWeekdays, latestBuild: build('stop', '2026-01-09T18:00:00+01:00') },
    },
    {
      name: 'autostart: base is the stop\'s completion — a stop running over 09:00 does not restart it at once', now: '2026-01-12T09:05:00+01:00', rule: 'autostart', dueAt: '2026-01-13T09:00:00+01:00', zone: 'Europe/Berlin',
      st: { autostartSchedule: berlinWeekdays, latestBuild: build('stop', '2026-01-12T09:01:00+01:00', { createdAt: '2026-01-12T08:59:00+01:00' }) },
    },
    {
      name: 'autostart: a schedule set Tuesday 12:00 for 09:00 waits for Wednesday (persisted next_start_at, issue #2773)', now: '2026-01-13T12:00:00+01:00', rule: 'autostart', dueAt: '2026-01-14T09:00:00+01:00', zone: 'Europe/Berlin',
      st: { autostartSchedule: berlinWeekdays, nextStartAt: '2026-01-14T09:00:00+01:00', latestBuild: build('stop', '2026-01-12T18:00:00+01:00') },
    },
    {
      name: 'autostart: a stale next_start_at (before the stop) is ignored', now: '2026-01-12T19:00:00+01:00', rule: 'autostart', dueAt: '2026-01-13T09:00:00+01:00', zone: 'Europe/Berlin',
      st: { autostartSchedule: berlinWeekdays, nextStartAt: '2026-01-12T09:00:00+01:00', latestBuild: build('stop', '2026-01-12T18:00:00+01:00') },
    },
    { name: 'autostart: canceled stop is eligible', now: '2026-01-05T12:00:00Z', rule: 'autostart', dueAt: '2026-01-06T09:00:00+00:00', st: { autostartSchedule: '0 9 * * *', latestBuild: build('stop', '2026-01-05T11:00:00Z', { jobStatus: 'canceled' }) } },
    { name: 'autostart skipped: last build failed, no failure_ttl → nothing', now: '2026-01-06T09:30:00Z', rule: null, st: { autostartSchedule: '0 9 * * *', latestBuild: build('stop', '2026-01-05T11:00:00Z', { jobStatus: 'failed' }) } },
    { name: 'autostart skipped: template needs new parameters', now: '2026-01-06T09:30:00Z', rule: null, st: { templateNeedsNewParameters: true, autostartSchedule: '0 9 * * *', latestBuild: build('stop', '2026-01-05T11:00:00Z') } },
    { name: 'autostart skipped: template disallows', now: '2026-01-06T09:30:00Z', rule: null, st: { template: tpl({ allowUserAutostart: false }), autostartSchedule: '0 9 * * *', latestBuild: build('stop', '2026-01-05T11:00:00Z') } },
    { name: 'autostart skipped: dormant', now: '2026-01-06T09:30:00Z', rule: null, st: { dormantAt: '2026-01-05T12:00:00Z', autostartSchedule: '0 9 * * *', latestBuild: build('stop', '2026-01-05T11:00:00Z') } },
    { name: 'a build in progress → nothing until it finishes', now: '2026-01-06T09:30:00Z', rule: null, st: { autostartSchedule: '0 9 * * *', latestBuild: build('stop', '2026-01-05T11:00:00Z', { jobStatus: 'pending', completedAt: null }) } },
    // failure cleanup
    {
      name: 'failure cleanup: start failed 10:00, failure_ttl 1h → stop (reason autostop, not failedstop) at 11:00 (worked timeline 5)', now: '2026-01-05T11:01:00Z', rule: 'failure_cleanup', transition: 'stop', reason: 'autostop', dueAt: '2026-01-05T11:00:00+00:00',
      st: { template: tpl({ failureTtlMs: HOUR }), latestBuild: build('start', '2026-01-05T10:00:00Z', { jobStatus: 'failed' }) },
    },
    {
      name: 'failure cleanup retry: that stop failed at 11:02 → again at 12:02', now: '2026-01-05T11:30:00Z', rule: 'failure_cleanup', transition: 'stop', dueAt: '2026-01-05T12:02:00+00:00',
      st: { template: tpl({ failureTtlMs: HOUR }), latestBuild: build('stop', '2026-01-05T11:02:00Z', { jobStatus: 'failed', reason: 'autostop' }) },
    },
    { name: 'failure cleanup off (failure_ttl 0) → nothing', now: '2026-01-06T10:00:00Z', rule: null, st: { latestBuild: build('start', '2026-01-05T10:00:00Z', { jobStatus: 'failed' }) } },
    { name: 'failure cleanup: a failed delete is not cleaned up by stop', now: '2026-01-06T10:00:00Z', rule: null, st: { template: tpl({ failureTtlMs: HOUR }), latestBuild: build('delete', '2026-01-05T10:00:00Z', { jobStatus: 'failed' }) } },
    // dormancy
    {
      name: 'dormancy: running, unused 30d → stop (dormancy) + mark dormant (worked timeline 6)', now: '2025-01-31T10:01:00Z', rule: 'dormancy', transition: 'stop', reason: 'dormancy', dueAt: '2025-01-31T10:00:00+00:00', markDormant: true,
      st: { lastUsedAt: '2025-01-01T10:00:00Z', template: tpl({ timeTilDormantMs: 30 * DAY, timeTilDormantAutodeleteMs: 7 * DAY }), latestBuild: build('start', '2025-01-01T09:00:00Z') },
    },
    {
      name: 'dormancy: stopped → mark dormant, no build', now: '2025-01-31T10:01:00Z', rule: 'dormancy', transition: null, reason: 'dormancy', dueAt: '2025-01-31T10:00:00+00:00', markDormant: true,
      st: { lastUsedAt: '2025-01-01T10:00:00Z', template: tpl({ timeTilDormantMs: 30 * DAY }), latestBuild: build('stop', '2025-01-01T18:00:00Z') },
    },
    { name: 'dormancy off → nothing', now: '2025-03-01T00:00:00Z', rule: null, st: { lastUsedAt: '2025-01-01T10:00:00Z', latestBuild: build('stop', '2025-01-01T18:00:00Z') } },
    { name: 'dormancy: already dormant → not again', now: '2025-03-01T00:00:00Z', rule: null, st: { dormantAt: '2025-01-31T10:01:00Z', lastUsedAt: '2025-01-01T10:00:00Z', template: tpl({ timeTilDormantMs: 30 * DAY }), latestBuild: build('stop', '2025-01-01T18:00:00Z') } },
    // autodelete
    {
      name: 'autodelete: deleting_at reached → delete (autodelete) (worked timeline 6)', now: '2025-02-07T10:02:00Z', rule: 'autodelete', transition: 'delete', reason: 'autodelete', dueAt: '2025-02-07T10:01:00+00:00',
      st: { dormantAt: '2025-01-31T10:01:00Z', deletingAt: '2025-02-07T10:01:00Z', template: tpl({ timeTilDormantMs: 30 * DAY, timeTilDormantAutodeleteMs: 7 * DAY }), latestBuild: build('stop', '2025-01-31T10:02:00Z', { reason: 'dormancy' }) },
    },
    {
      name: 'autodelete: a failed delete is retried 24h after it failed', now: '2025-02-07T12:00:00Z', rule: 'autodelete', transition: 'delete', dueAt: '2025-02-08T10:03:00+00:00',
      st: { dormantAt: '2025-01-31T10:01:00Z', deletingAt: '2025-02-07T10:01:00Z', template: tpl({ timeTilDormantAutodeleteMs: 7 * DAY }), latestBuild: build('delete', '2025-02-07T10:03:00Z', { jobStatus: 'failed' }) },
    },
    { name: 'autodelete off (0) → nothing even with deleting_at', now: '2025-03-01T00:00:00Z', rule: null, st: { dormantAt: '2025-01-31T10:01:00Z', deletingAt: '2025-02-07T10:01:00Z', latestBuild: build('stop', '2025-01-31T10:02:00Z') } },
    { name: 'a successful delete → nothing more', now: '2025-03-01T00:00:00Z', rule: null, st: { dormantAt: '2025-01-31T10:01:00Z', deletingAt: '2025-02-07T10:01:00Z', template: tpl({ timeTilDormantAutodeleteMs: 7 * DAY }), latestBuild: build('delete', '2025-02-07T10:03:00Z') } },
    { name: 'deleted workspace → nothing', now: '2025-03-01T00:00:00Z', rule: null, st: { deleted: true, ttlMs: HOUR, latestBuild: build('start', '2025-01-01T10:00:00Z', { deadline: '2025-01-01T11:00:00Z' }) } },
  ])('$name', ({ st, now, rule, transition, reason, dueAt, zone, markDormant }) => {
    const d = nextLifecycleDecision(state(st), now);
    expect(d?.rule ?? null).toBe(rule);
    if (!d) return;
    if (transition !== undefined) expect(d.transition).toBe(transition);
    if (reason !== undefined) expect(d.reason).toBe(reason);
    if (dueAt !== undefined) expect(Z(d.dueAt, zone)).toBe(dueAt);
    expect(d.markDormant).toBe(markDormant ?? false);
    expect(d.explanation).not.toMatch(/\n/);
  });
});

describe('nextLifecycleDecision: priority order (Coder getNextTransition, first match wins)', () => {
  const dormancy = tpl({ timeTilDormantMs: 30 * DAY, timeTilDormantAutodeleteMs: 7 * DAY });
  it.each<{ name: string; st: Partial<LifecycleState>; now: string; rule: ScheduleRule; transition: string | null }>([
    {
      name: 'past deadline AND past dormancy → autostop first (reason autostop, not dormancy)', now: '2025-02-01T00:00:00Z', rule: 'autostop_deadline', transition: 'stop',
      st: { template: dormancy, lastUsedAt: '2025-01-01T10:00:00Z', latestBuild: build('start', '2025-01-01T10:00:00Z', { deadline: '2025-01-01T18:00:00Z' }) },
    },
    {
      name: '…then, once stopped, marked dormant with no build', now: '2025-02-01T00:05:00Z', rule: 'dormancy', transition: null,
      st: { template: dormancy, lastUsedAt: '2025-01-01T10:00:00Z', latestBuild: build('stop', '2025-02-01T00:01:00Z', { reason: 'autostop' }) },
    },
    {
      name: 'autostart due and dormancy due → autostart wins (checked first in Coder)', now: '2025-02-03T09:30:00Z', rule: 'autostart', transition: 'start',
      st: { template: dormancy, autostartSchedule: '0 9 * * *', lastUsedAt: '2025-01-01T10:00:00Z', latestBuild: build('stop', '2025-02-02T18:00:00Z') },
    },
    {
      name: 'suspended owner beats an earlier overdue dormancy', now: '2025-02-01T00:00:00Z', rule: 'autostop_suspended', transition: 'stop',
      st: { template: dormancy, userStatus: 'suspended', lastUsedAt: '2025-01-01T10:00:00Z', latestBuild: build('start', '2025-01-01T10:00:00Z') },
    },
    {
      name: 'failure cleanup due and dormancy due → failure cleanup', now: '2025-02-01T00:00:00Z', rule: 'failure_cleanup', transition: 'stop',
      st: { template: tpl({ ...dormancy, failureTtlMs: HOUR }), lastUsedAt: '2025-01-01T10:00:00Z', latestBuild: build('start', '2025-01-31T10:00:00Z', { jobStatus: 'failed' }) },
    },
    {
      name: 'nothing due yet → the earliest upcoming one (deadline tomorrow before dormancy in 3 days)', now: '2025-01-28T12:00:00Z', rule: 'autostop_deadline', transition: 'stop',
      st: { template: dormancy, lastUsedAt: '2025-01-01T10:00:00Z', latestBuild: build('start', '2025-01-28T10:00:00Z', { deadline: '2025-01-29T10:00:00Z' }) },
    },
    {
      name: 'nothing due yet → the earliest upcoming one (dormancy before a far deadline)', now: '2025-01-28T12:00:00Z', rule: 'dormancy', transition: 'stop',
      st: { template: dormancy, lastUsedAt: '2025-01-01T10:00:00Z', latestBuild: build('start', '2025-01-28T10:00:00Z', { deadline: '2025-02-20T10:00:00Z' }) },
    },
    {
      name: 'a tie at the same future instant → autostop (higher priority)', now: '2025-01-28T12:00:00Z', rule: 'autostop_deadline', transition: 'stop',
      st: { template: dormancy, lastUsedAt: '2025-01-01T10:00:00Z', latestBuild: build('start', '2025-01-28T10:00:00Z', { deadline: '2025-01-31T10:00:00Z' }) },
    },
  ])('$name', ({ st, now, rule, transition }) => {
    const d = nextLifecycleDecision(state(st), now)!;
    expect(d.rule).toBe(rule);
    expect(d.transition).toBe(transition);
  });

  it.each([
    { name: 'past deadline', st: { ttlMs: HOUR, latestBuild: build('start', '2025-01-01T10:00:00Z', { deadline: '2025-01-01T11:00:00Z' }) } },
    { name: 'suspended owner', st: { userStatus: 'suspended' as const, latestBuild: build('start', '2025-01-01T10:00:00Z') } },
    { name: 'autostart', st: { autostartSchedule: '0 9 * * *', latestBuild: build('stop', '2025-01-01T18:00:00Z') } },
    { name: 'failure cleanup', st: { template: tpl({ failureTtlMs: HOUR }), latestBuild: build('start', '2025-01-01T10:00:00Z', { jobStatus: 'failed' as const }) } },
    { name: 'dormancy', st: { template: tpl({ timeTilDormantMs: DAY }), lastUsedAt: '2025-01-01T10:00:00Z', latestBuild: build('stop', '2025-01-01T18:00:00Z') } },
    { name: 'autodelete', st: { template: tpl({ timeTilDormantAutodeleteMs: DAY }), dormantAt: '2025-01-01T10:00:00Z', deletingAt: '2025-01-02T10:00:00Z', latestBuild: build('stop', '2025-01-01T18:00:00Z') } },
  ])('unclaimed prebuilds are excluded: $name → nothing (issue #18740)', ({ st }) => {
    expect(nextLifecycleDecision(state(st), '2025-03-01T00:00:00Z')).not.toBeNull();
    expect(nextLifecycleDecision(state({ ...st, isPrebuild: true }), '2025-03-01T00:00:00Z')).toBeNull();
  });
});

describe('isDecisionDue / dueLifecycleDecision / msUntilDue', () => {
  const st = state({ ttlMs: 8 * HOUR, latestBuild: build('start', '2026-01-05T09:00:00Z', { deadline: '2026-01-05T17:00:00Z' }) });
  it.each([
    { name: 'a minute before', now: '2026-01-05T16:59:00Z', due: false, ms: MIN },
    { name: 'exactly at the deadline', now: '2026-01-05T17:00:00Z', due: true, ms: 0 },
    { name: 'after (overdue)', now: '2026-01-05T17:30:00Z', due: true, ms: 0 },
  ])('$name', ({ now, due, ms }) => {
    const d = nextLifecycleDecision(st, now);
    expect(isDecisionDue(d, now)).toBe(due);
    expect(dueLifecycleDecision(st, now)?.rule ?? null).toBe(due ? 'autostop_deadline' : null);
    expect(msUntilDue(d, now)).toBe(ms);
  });

  it('no decision: never due, no timer', () => {
    expect(isDecisionDue(null, '2026-01-05T17:00:00Z')).toBe(false);
    expect(msUntilDue(null, '2026-01-05T17:00:00Z')).toBeNull();
  });

  it.each([
    { name: 'ms', now: T('2026-01-05T17:00:00Z') },
    { name: 'Date', now: new Date(T('2026-01-05T17:00:00Z')) },
    { name: 'ISO string with offset', now: '2026-01-05T18:00:00+01:00' },
  ])('now may be $name', ({ now }) => {
    expect(isDecisionDue(nextLifecycleDecision(st, now), now)).toBe(true);
  });

  it('a malformed instant is an error', () => {
    expect(() => nextLifecycleDecision(st, 'yesterday')).toThrow(/invalid instant "yesterday"/);
  });
});

// ---------------------------------------------------------------------------------------------
// Explanations
// ---------------------------------------------------------------------------------------------

describe('explanations (one line per decision)', () => {
  const berlin = 'Europe/Berlin';
  it.each<{ name: string; st: Partial<LifecycleState>; now: string; text: string }>([
    {
      name: 'TTL deadline', now: '2026-01-12T17:00:00+01:00', text: 'stopped: deadline 17:00 Europe/Berlin reached (TTL 8h from start at 09:00)',
      st: { displayTimeZone: berlin, ttlMs: 8 * HOUR, latestBuild: build('start', '2026-01-12T09:00:00+01:00', { deadline: '2026-01-12T17:00:00+01:00' }) },
    },
    {
      name: 'TTL deadline, zone from the autostart schedule, stored source', now: '2026-01-12T18:02:00+01:00', text: 'stopped: deadline 18:02 Europe/Berlin reached (TTL 9h from start at 09:02)',
      st: { autostartSchedule: 'CRON_TZ=Europe/Berlin 0 9 * * 1-5', ttlMs: 9 * HOUR, latestBuild: build('start', '2026-01-12T09:02:00+01:00', { deadline: '2026-01-12T18:02:00+01:00', deadlineSource: 'ttl' }) },
    },
    {
      name: 'TTL deadline on another day than the start', now: '2026-01-13T06:00:00Z', text: 'stopped: deadline 06:00 UTC reached (TTL 20h from start at 2026-01-12 10:00)',
      st: { ttlMs: 20 * HOUR, latestBuild: build('start', '2026-01-12T10:00:00Z', { deadline: '2026-01-13T06:00:00Z' }) },
    },
    {
      name: 'autostart crossing', now: '2026-01-13T21:00:00+01:00', text: 'stopped: deadline 21:00 Europe/Berlin reached (TTL 12h from the 09:00 autostart, which a TTL from start at 2026-01-12 22:00 would have crossed)',
      st: { autostartSchedule: 'CRON_TZ=Europe/Berlin 0 9 * * 1-5', ttlMs: 12 * HOUR, latestBuild: build('start', '2026-01-12T22:00:00+01:00', { deadline: '2026-01-13T21:00:00+01:00' }) },
    },
    {
      name: 'max_deadline (quiet hours)', now: '2026-01-06T02:00:00Z', text: "stopped: max_deadline 02:00 UTC reached (start of the owner's quiet hours CRON_TZ=UTC 0 2 * * *; template autostop requirement: every day)",
      st: { ttlMs: 8 * HOUR, userQuietHoursSchedule: 'CRON_TZ=UTC 0 2 * * *', template: tpl({ autostopRequirementDays: ALL_DAYS }), latestBuild: build('start', '2026-01-05T20:00:00Z', { deadline: '2026-01-06T02:00:00Z', maxDeadline: '2026-01-06T02:00:00Z' }) },
    },
    {
      name: 'activity bump (stored source)', now: '2026-01-05T18:10:00Z', text: 'stopped: deadline 18:10 UTC reached (moved later by activity; started at 10:03)',
      st: { ttlMs: 8 * HOUR, latestBuild: build('start', '2026-01-05T10:03:20Z', { deadline: '2026-01-05T18:10:00Z', deadlineSource: 'activity_bump' }) },
    },
    {
      name: 'extend (stored source)', now: '2026-01-05T20:00:00Z', text: 'stopped: deadline 20:00 UTC reached (set by an extend request; started at 10:00)',
      st: { ttlMs: 8 * HOUR, latestBuild: build('start', '2026-01-05T10:00:00Z', { deadline: '2026-01-05T20:00:00Z', deadlineSource: 'extend' }) },
    },
    {
      name: 'moved deadline without a stored source', now: '2026-01-05T20:00:00Z', text: 'stopped: deadline 20:00 UTC reached (moved by activity or an extend request; started at 10:00)',
      st: { ttlMs: 8 * HOUR, latestBuild: build('start', '2026-01-05T10:00:00Z', { deadline: '2026-01-05T20:00:00Z' }) },
    },
    { name: 'suspended owner', now: '2026-01-05T12:00:00Z', text: "stopped: the owner's account is suspended", st: { userStatus: 'suspended', latestBuild: build('start', '2026-01-05T10:00:00Z') } },
    {
      name: 'autostart', now: '2026-01-12T09:00:00+01:00', text: 'started: autostart at 09:00 Europe/Berlin (schedule CRON_TZ=Europe/Berlin 0 9 * * 1-5)',
      st: { autostartSchedule: 'CRON_TZ=Europe/Berlin 0 9 * * 1-5', latestBuild: build('stop', '2026-01-09T18:00:00+01:00') },
    },
    {
      name: 'failure cleanup of a failed start', now: '2026-01-05T11:01:00Z', text: 'stopped: the start build failed at 2026-01-05 10:00 UTC and failure_ttl 1h has passed',
      st: { template: tpl({ failureTtlMs: HOUR }), latestBuild: build('start', '2026-01-05T10:00:00Z', { jobStatus: 'failed' }) },
    },
    {
      name: 'failure cleanup retry of a failed stop', now: '2026-01-05T12:03:00Z', text: 'stopping again: the stop build failed at 2026-01-05 11:02 UTC and failure_ttl 1h has passed',
      st: { template: tpl({ failureTtlMs: HOUR }), latestBuild: build('stop', '2026-01-05T11:02:00Z', { jobStatus: 'failed' }) },
    },
    {
      name: 'dormancy stop', now: '2025-01-31T10:01:00Z', text: 'stopped and marked dormant: not used since 2025-01-01 10:00 UTC, time_til_dormant 30d; autodelete after 7d dormant',
      st: { lastUsedAt: '2025-01-01T10:00:00Z', template: tpl({ timeTilDormantMs: 30 * DAY, timeTilDormantAutodeleteMs: 7 * DAY }), latestBuild: build('start', '2025-01-01T09:00:00Z') },
    },
    {
      name: 'dormancy without a build', now: '2025-01-31T10:01:00Z', text: 'marked dormant (not running, no build): not used since 2025-01-01 10:00 UTC, time_til_dormant 30d',
      st: { lastUsedAt: '2025-01-01T10:00:00Z', template: tpl({ timeTilDormantMs: 30 * DAY }), latestBuild: build('stop', '2025-01-01T18:00:00Z') },
    },
    {
      name: 'autodelete', now: '2025-02-07T10:02:00Z', text: 'deleted: dormant since 2025-01-31 10:01 UTC, time_til_dormant_autodelete 7d passed (deleting_at 2025-02-07 10:01)',
      st: { dormantAt: '2025-01-31T10:01:00Z', deletingAt: '2025-02-07T10:01:00Z', template: tpl({ timeTilDormantAutodeleteMs: 7 * DAY }), latestBuild: build('stop', '2025-01-31T10:02:00Z') },
    },
    {
      name: 'autodelete retry', now: '2025-02-08T10:04:00Z', text: 'deleted: dormant since 2025-01-31 10:01 UTC, time_til_dormant_autodelete 7d passed (deleting_at 2025-02-07 10:01); retrying the delete that failed at 2025-02-07 10:03 after 24h',
      st: { dormantAt: '2025-01-31T10:01:00Z', deletingAt: '2025-02-07T10:01:00Z', template: tpl({ timeTilDormantAutodeleteMs: 7 * DAY }), latestBuild: build('delete', '2025-02-07T10:03:00Z', { jobStatus: 'failed' }) },
    },
  ])('$name', ({ st, now, text }) => {
    expect(nextLifecycleDecision(state(st), now)?.explanation).toBe(text);
  });

  it.each(Object.keys(SCHEDULE_RULE_SUMMARIES) as ScheduleRule[])('rule summary for %s is one line', (rule) => {
    expect(SCHEDULE_RULE_SUMMARIES[rule]).toMatch(/^[a-z ]+: .+[^.]$/);
    expect(SCHEDULE_RULE_SUMMARIES[rule]).not.toMatch(/\n/);
  });

  it.each([
    { reason: 'autostart' as const, text: /autostart schedule/ },
    { reason: 'autostop' as const, text: /deadline or max_deadline reached, owner suspended, or failure_ttl cleanup/ },
    { reason: 'failedstop' as const, text: /records this as autostop/ },
    { reason: 'dormancy' as const, text: /time_til_dormant/ },
    { reason: 'autodelete' as const, text: /time_til_dormant_autodelete/ },
    { reason: 'initiator' as const, text: /build requested \(initiator\)/ },
  ])('explainScheduleReason($reason)', ({ reason, text }) => {
    expect(explainScheduleReason(reason)).toMatch(text);
  });

  it.each([
    { mask: ALL_DAYS, text: 'every day' },
    { mask: MON_FRI, text: 'Mon-Fri' },
    { mask: 0b0000101, text: 'Mon, Wed' },
    { mask: 0b1100000, text: 'Sat, Sun' },
    { mask: 0, text: 'no days' },
  ])('formatDays($mask) = $text', ({ mask, text }) => {
    expect(formatDays(mask)).toBe(text);
  });

  it.each([
    { ms: 8 * HOUR, text: '8h' },
    { ms: 90 * MIN, text: '1h30m' },
    { ms: 30 * DAY, text: '30d' },
    { ms: 45_000, text: '45s' },
    { ms: 0, text: '0s' },
  ])('formatDuration($ms) = $text', ({ ms, text }) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it.each([
    { name: 'explicit display zone', st: { displayTimeZone: 'Asia/Tokyo', autostartSchedule: 'CRON_TZ=Europe/Berlin 0 9 * * *' }, zone: 'Asia/Tokyo' },
    { name: 'invalid display zone → schedule zone', st: { displayTimeZone: 'Nope/Nope', autostartSchedule: 'CRON_TZ=Europe/Berlin 0 9 * * *' }, zone: 'Europe/Berlin' },
    { name: 'no schedule → UTC', st: { autostartSchedule: null }, zone: 'UTC' },
  ])('resolveDisplayZone: $name', ({ st, zone }) => {
    expect(resolveDisplayZone(st)).toBe(zone);
  });
});

describe('dormancyTimestamps', () => {
  it.each([
    { name: 'with autodelete 7d', template: tpl({ timeTilDormantAutodeleteMs: 7 * DAY }), expected: { dormantAt: T('2025-01-31T10:01:00Z'), deletingAt: T('2025-02-07T10:01:00Z') } },
    { name: 'autodelete off → deleting_at null', template: tpl(), expected: { dormantAt: T('2025-01-31T10:01:00Z'), deletingAt: null } },
  ])('$name', ({ template, expected }) => {
    expect(dormancyTimestamps(template, '2025-01-31T10:01:00Z')).toEqual(expected);
  });
});

// ---------------------------------------------------------------------------------------------
// Preview
// ---------------------------------------------------------------------------------------------

describe('previewSchedule', () => {
  const isos = (xs: Array<{ iso: string }>) => xs.map((x) => x.iso);
  it.each<{ name: string; st: Partial<LifecycleState>; now: string; count: number; starts: string[]; stops: string[]; note?: RegExp; skip?: string }>([
    {
      name: 'stopped, weekdays 09:00 Berlin, TTL 8h',
      st: { autostartSchedule: 'CRON_TZ=Europe/Berlin 0 9 * * 1-5', ttlMs: 8 * HOUR, latestBuild: build('stop', '2026-01-09T18:00:00+01:00') }, now: '2026-01-10T12:00:00+01:00', count: 3,
      starts: ['2026-01-12T09:00:00+01:00', '2026-01-13T09:00:00+01:00', '2026-01-14T09:00:00+01:00'],
      stops: ['2026-01-12T17:00:00+01:00', '2026-01-13T17:00:00+01:00', '2026-01-14T17:00:00+01:00'],
    },
    {
      name: 'stopped long ago and the autostart is overdue (e.g. after downtime): the first start is now',
      st: { autostartSchedule: 'CRON_TZ=UTC 0 9 * * *', ttlMs: HOUR, latestBuild: build('stop', '2026-01-01T18:00:00Z') }, now: '2026-01-11T20:00:00Z', count: 2,
      starts: ['2026-01-11T20:00:00+00:00', '2026-01-12T09:00:00+00:00'], stops: ['2026-01-11T21:00:00+00:00', '2026-01-12T10:00:00+00:00'],
    },
    {
      name: 'running: its current deadline comes first, then the schedule',
      st: { autostartSchedule: 'CRON_TZ=UTC 0 9 * * *', ttlMs: 8 * HOUR, latestBuild: build('start', '2026-01-12T09:00:00Z', { deadline: '2026-01-12T17:00:00Z' }) }, now: '2026-01-12T12:00:00Z', count: 2,
      starts: ['2026-01-13T09:00:00+00:00', '2026-01-14T09:00:00+00:00'], stops: ['2026-01-12T17:00:00+00:00', '2026-01-13T17:00:00+00:00'],
    },
    {
      name: 'TTL 30h with daily autostart: crossing keeps it running, firings while running are left out',
      st: { autostartSchedule: 'CRON_TZ=UTC 0 9 * * *', ttlMs: 30 * HOUR, latestBuild: build('stop', '2026-01-11T18:00:00Z') }, now: '2026-01-11T20:00:00Z', count: 2,
      starts: ['2026-01-12T09:00:00+00:00', '2026-01-15T09:00:00+00:00'], stops: ['2026-01-14T15:00:00+00:00', '2026-01-17T15:00:00+00:00'],
    },
    {
      name: 'no TTL but a daily autostop requirement: stops at quiet hours',
      st: { autostartSchedule: 'CRON_TZ=UTC 0 9 * * *', userQuietHoursSchedule: 'CRON_TZ=UTC 0 2 * * *', template: tpl({ autostopRequirementDays: ALL_DAYS }), latestBuild: build('stop', '2026-01-11T18:00:00Z') }, now: '2026-01-11T20:00:00Z', count: 2,
      starts: ['2026-01-12T09:00:00+00:00', '2026-01-13T09:00:00+00:00'], stops: ['2026-01-13T02:00:00+00:00', '2026-01-14T02:00:00+00:00'],
    },
    {
      name: 'no TTL, no requirement: one autostart, then it keeps running',
      st: { autostartSchedule: 'CRON_TZ=UTC 0 9 * * *', latestBuild: build('stop', '2026-01-11T18:00:00Z') }, now: '2026-01-11T20:00:00Z', count: 3,
      starts: ['2026-01-12T09:00:00+00:00'], stops: [], note: /no autostop/,
    },
    {
      name: 'no schedule, running with TTL: only the current deadline',
      st: { ttlMs: HOUR, latestBuild: build('start', '2026-01-12T09:00:00Z', { deadline: '2026-01-12T10:00:00Z' }) }, now: '2026-01-12T09:30:00Z', count: 3,
      starts: [], stops: ['2026-01-12T10:00:00+00:00'], skip: 'no_schedule',
    },
    {
      name: 'running with no deadline: assumed stopped now',
      st: { autostartSchedule: 'CRON_TZ=UTC 0 9 * * *', ttlMs: null, latestBuild: build('start', '2026-01-12T08:00:00Z') }, now: '2026-01-12T12:00:00Z', count: 1,
      starts: ['2026-01-13T09:00:00+00:00'], stops: [], note: /manual shutdown/,
    },
    {
      name: 'last build failed: times shown, with the skip reason',
      st: { autostartSchedule: 'CRON_TZ=UTC 0 9 * * *', ttlMs: HOUR, latestBuild: build('stop', '2026-01-11T18:00:00Z', { jobStatus: 'failed' }) }, now: '2026-01-11T20:00:00Z', count: 1,
      starts: ['2026-01-12T09:00:00+00:00'], stops: ['2026-01-12T10:00:00+00:00'], skip: 'failed_last_build',
    },
    {
      name: 'template disallows autostart: no starts',
      st: { autostartSchedule: 'CRON_TZ=UTC 0 9 * * *', ttlMs: HOUR, template: tpl({ allowUserAutostart: false }), latestBuild: build('stop', '2026-01-11T18:00:00Z') }, now: '2026-01-11T20:00:00Z', count: 2,
      starts: [], stops: [], note: /does not allow autostart/, skip: 'template_disallows',
    },
    {
      name: 'unclaimed prebuild: nothing',
      st: { isPrebuild: true, autostartSchedule: 'CRON_TZ=UTC 0 9 * * *', ttlMs: HOUR, latestBuild: build('stop', '2026-01-11T18:00:00Z') }, now: '2026-01-11T20:00:00Z', count: 2,
      starts: [], stops: [], note: /prebuilt/, skip: 'prebuild',
    },
    {
      name: 'a start build in progress: assumed to complete now',
      st: { autostartSchedule: 'CRON_TZ=UTC 0 9 * * *', ttlMs: 2 * HOUR, latestBuild: build('start', '2026-01-12T12:00:00Z', { jobStatus: 'running', completedAt: null }) }, now: '2026-01-12T12:00:00Z', count: 2,
      starts: ['2026-01-13T09:00:00+00:00', '2026-01-14T09:00:00+00:00'], stops: ['2026-01-12T14:00:00+00:00', '2026-01-13T11:00:00+00:00'], note: /in progress/,
    },
  ])('$name', ({ st, now, count, starts, stops, note, skip }) => {
    const p = previewSchedule(state(st), now, count);
    expect(isos(p.autostarts)).toEqual(starts);
    expect(isos(p.autostops)).toEqual(stops);
    if (note) expect(p.notes.join('\n')).toMatch(note);
    expect(p.autostartSkip?.code ?? undefined).toBe(skip);
  });

  it('each autostop carries its start, max_deadline and source', () => {
    const p = previewSchedule(state({ autostartSchedule: 'CRON_TZ=UTC 0 9 * * *', ttlMs: 20 * HOUR, userQuietHoursSchedule: 'CRON_TZ=UTC 0 2 * * *', template: tpl({ autostopRequirementDays: ALL_DAYS }), latestBuild: build('stop', '2026-01-11T18:00:00Z') }), '2026-01-11T20:00:00Z', 1);
    expect(p.autostops[0]).toMatchObject({ iso: '2026-01-13T02:00:00+00:00', source: 'max_deadline', startedAt: { iso: '2026-01-12T09:00:00+00:00' }, maxDeadline: { iso: '2026-01-13T02:00:00+00:00' } });
  });

  it.each([
    { name: 'invalid autostart schedule', st: { autostartSchedule: '0 9 * * 7' }, error: /invalid autostart schedule/ },
    { name: 'invalid quiet hours (with an autostop requirement)', st: { userQuietHoursSchedule: '0 2 * * 1', template: tpl({ autostopRequirementDays: ALL_DAYS }) }, error: /invalid quiet hours schedule/ },
  ])('throws for an $name (shown to the user while editing)', ({ st, error }) => {
    expect(() => previewSchedule(state(st), '2026-01-11T20:00:00Z')).toThrow(error);
  });
});

describe('cronNext is strictly after and minute-aligned', () => {
  it.each([
    { after: '2026-01-05T09:00:00Z', expected: '2026-01-06T09:00:00+00:00' },
    { after: '2026-01-05T08:59:30Z', expected: '2026-01-05T09:00:00+00:00' },
    { after: '2026-01-05T09:00:00.001Z', expected: '2026-01-06T09:00:00+00:00' },
  ])('after $after', ({ after, expected }) => {
    expect(Z(cronNext('CRON_TZ=UTC 0 9 * * *', T(after)))).toBe(expected);
  });
});
