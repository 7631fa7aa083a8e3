/**
 * Every scheduling rule across the 2026 DST changes in America/New_York, Europe/Berlin and
 * Australia/Sydney (dependency-set.md §6.1):
 *
 * | zone             | spring-forward gap                      | fall-back overlap (repeated hour)        |
 * |------------------|-----------------------------------------|------------------------------------------|
 * | America/New_York | 2026-03-08 02:00 EST → 03:00 EDT        | 2026-11-01 02:00 EDT → 01:00 EST (01:xx) |
 * | Europe/Berlin    | 2026-03-29 02:00 CET → 03:00 CEST       | 2026-10-25 03:00 CEST → 02:00 CET (02:xx)|
 * | Australia/Sydney | 2026-10-04 02:00 AEST → 03:00 AEDT      | 2026-04-05 03:00 AEDT → 02:00 AEST (02:xx)|
 *
 * Berth's cron rule: each wall time fires once per local day — a time inside the gap fires
 * shifted by the gap (02:30 → 03:30), a time inside the overlap at its first occurrence only.
 * (robfig/cron, Coder's library, skips the gap day and can fire twice in the overlap.)
 * Durations (TTL, failure_ttl, time_til_dormant, autodelete, extend's 30 minutes) are real
 * elapsed time: 1h across the gap reads 2h on the wall clock, across the overlap 0h.
 */
import {
  applyActivityBump,
  calculateAutostop,
  calculateMaxDeadline,
  cronNextN,
  dormancyTimestamps,
  extendDeadline,
  nextAllowedAutostart,
  nextLifecycleDecision,
  previewSchedule,
  ScheduleError,
  startOfLocalDay,
  toEpochMs,
  toZonedIso,
  weeksSinceAutostopEpoch,
  zonedTimeToEpochMs,
  type LifecycleBuild,
  type LifecycleState,
} from '../src/domain/schedule';
import type { TemplateSchedulePolicy } from '../src/types';

const MIN = 60_000;
const HOUR = 60 * MIN;
const T = (iso: string) => toEpochMs(iso);
const Z = (ms: number | null | undefined, zone: string) => (ms === null || ms === undefined ? null : toZonedIso(ms, zone));

function tpl(over: Partial<TemplateSchedulePolicy> = {}): TemplateSchedulePolicy {
  return {
    defaultTtlMs: 0, activityBumpMs: HOUR, autostartAllowedDays: 0x7f, autostopRequirementDays: 0, autostopRequirementWeeks: 1,
    allowUserAutostart: true, allowUserAutostop: true, failureTtlMs: 0, timeTilDormantMs: 0, timeTilDormantAutodeleteMs: 0, ...over,
  };
}
function state(over: Partial<LifecycleState> = {}): LifecycleState {
  return {
    autostartSchedule: null, ttlMs: null, lastUsedAt: null, dormantAt: null, deletingAt: null, latestBuild: null, template: tpl(),
    userQuietHoursSchedule: null, userStatus: 'active', isPrebuild: false, templateNeedsNewParameters: false, ...over,
  };
}
function build(transition: LifecycleBuild['transition'], completedAt: string, over: Partial<LifecycleBuild> = {}): LifecycleBuild {
  return { transition, jobStatus: 'succeeded', createdAt: T(completedAt) - MIN, completedAt, deadline: null, maxDeadline: null, ...over };
}

const NY = 'America/New_York';
const BER = 'Europe/Berlin';
const SYD = 'Australia/Sydney';

// ---------------------------------------------------------------------------------------------
// Autostart next
// ---------------------------------------------------------------------------------------------

describe('autostart next across DST (NextAllowedAutostart)', () => {
  it.each([
    // Europe/Berlin, gap 2026-03-29 02:00→03:00
    { name: 'Berlin gap: 02:30 fires once at 03:30 CEST (robfig would skip the day)', zone: BER, cron: '30 2 * * *', after: '2026-03-28T12:00:00+01:00', expected: '2026-03-29T03:30:00+02:00' },
    { name: 'Berlin gap: asked at 03:10 CEST (after the gap, before the shifted firing) → still 03:30', zone: BER, cron: '30 2 * * *', after: '2026-03-29T03:10:00+02:00', expected: '2026-03-29T03:30:00+02:00' },
    { name: 'Berlin gap: after the shifted firing → next day 02:30', zone: BER, cron: '30 2 * * *', after: '2026-03-29T03:30:00+02:00', expected: '2026-03-30T02:30:00+02:00' },
    { name: 'Berlin gap: 09:00 keeps its wall time (23h later)', zone: BER, cron: '0 9 * * *', after: '2026-03-28T12:00:00+01:00', expected: '2026-03-29T09:00:00+02:00' },
    { name: 'Berlin gap: Sunday-only 02:30 fires on the gap Sunday, not a week later', zone: BER, cron: '30 2 * * 0', days: 0x40, after: '2026-03-28T12:00:00+01:00', expected: '2026-03-29T03:30:00+02:00' },
    // Europe/Berlin, overlap 2026-10-25 02:xx twice
    { name: 'Berlin overlap: 02:30 fires at the first occurrence (CEST)', zone: BER, cron: '30 2 * * *', after: '2026-10-24T12:00:00+02:00', expected: '2026-10-25T02:30:00+02:00' },
    { name: 'Berlin overlap: asked between the two 02:30s → next day (no second firing)', zone: BER, cron: '30 2 * * *', after: '2026-10-25T02:45:00+02:00', expected: '2026-10-26T02:30:00+01:00' },
    { name: 'Berlin overlap: asked in the repeated hour (02:10 CET) → next day (robfig would fire at 02:30 CET)', zone: BER, cron: '30 2 * * *', after: '2026-10-25T02:10:00+01:00', expected: '2026-10-26T02:30:00+01:00' },
    { name: 'Berlin overlap: 09:00 keeps its wall time (25h later)', zone: BER, cron: '0 9 * * *', after: '2026-10-24T12:00:00+02:00', expected: '2026-10-25T09:00:00+01:00' },
    // America/New_York, gap 2026-03-08 02:00→03:00
    { name: 'New York gap: 02:30 fires once at 03:30 EDT', zone: NY, cron: '30 2 * * *', after: '2026-03-07T12:00:00-05:00', expected: '2026-03-08T03:30:00-04:00' },
    { name: 'New York gap: asked at 03:10 EDT → still 03:30', zone: NY, cron: '30 2 * * *', after: '2026-03-08T03:10:00-04:00', expected: '2026-03-08T03:30:00-04:00' },
    { name: 'New York gap: after the shifted firing → next day 02:30', zone: NY, cron: '30 2 * * *', after: '2026-03-08T03:30:00-04:00', expected: '2026-03-09T02:30:00-04:00' },
    { name: 'New York gap: 09:00 keeps its wall time', zone: NY, cron: '0 9 * * *', after: '2026-03-07T12:00:00-05:00', expected: '2026-03-08T09:00:00-04:00' },
    { name: 'New York gap: Sunday-only 02:30 fires on the gap Sunday', zone: NY, cron: '30 2 * * 0', days: 0x40, after: '2026-03-07T12:00:00-05:00', expected: '2026-03-08T03:30:00-04:00' },
    // America/New_York, overlap 2026-11-01 01:xx twice
    { name: 'New York overlap: 01:30 fires at the first occurrence (EDT)', zone: NY, cron: '30 1 * * *', after: '2026-10-31T12:00:00-04:00', expected: '2026-11-01T01:30:00-04:00' },
    { name: 'New York overlap: asked between the two 01:30s → next day', zone: NY, cron: '30 1 * * *', after: '2026-11-01T01:45:00-04:00', expected: '2026-11-02T01:30:00-05:00' },
    { name: 'New York overlap: asked in the repeated hour (01:10 EST) → next day (robfig: 01:30 EST)', zone: NY, cron: '30 1 * * *', after: '2026-11-01T01:10:00-05:00', expected: '2026-11-02T01:30:00-05:00' },
    { name: 'New York overlap: 09:00 keeps its wall time', zone: NY, cron: '0 9 * * *', after: '2026-10-31T12:00:00-04:00', expected: '2026-11-01T09:00:00-05:00' },
    // Australia/Sydney, gap 2026-10-04 02:00→03:00
    { name: 'Sydney gap: 02:30 fires once at 03:30 AEDT', zone: SYD, cron: '30 2 * * *', after: '2026-10-03T12:00:00+10:00', expected: '2026-10-04T03:30:00+11:00' },
    { name: 'Sydney gap: asked at 03:10 AEDT → still 03:30', zone: SYD, cron: '30 2 * * *', after: '2026-10-04T03:10:00+11:00', expected: '2026-10-04T03:30:00+11:00' },
    { name: 'Sydney gap: after the shifted firing → next day 02:30', zone: SYD, cron: '30 2 * * *', after: '2026-10-04T03:30:00+11:00', expected: '2026-10-05T02:30:00+11:00' },
    { name: 'Sydney gap: 09:00 keeps its wall time', zone: SYD, cron: '0 9 * * *', after: '2026-10-03T12:00:00+10:00', expected: '2026-10-04T09:00:00+11:00' },
    { name: 'Sydney gap: Sunday-only 02:30 fires on the gap Sunday', zone: SYD, cron: '30 2 * * 0', days: 0x40, after: '2026-10-03T12:00:00+10:00', expected: '2026-10-04T03:30:00+11:00' },
    // Australia/Sydney, overlap 2026-04-05 02:xx twice
    { name: 'Sydney overlap: 02:30 fires at the first occurrence (AEDT)', zone: SYD, cron: '30 2 * * *', after: '2026-04-04T12:00:00+11:00', expected: '2026-04-05T02:30:00+11:00' },
    { name: 'Sydney overlap: asked between the two 02:30s → next day', zone: SYD, cron: '30 2 * * *', after: '2026-04-05T02:45:00+11:00', expected: '2026-04-06T02:30:00+10:00' },
    { name: 'Sydney overlap: asked in the repeated hour (02:10 AEST) → next day', zone: SYD, cron: '30 2 * * *', after: '2026-04-05T02:10:00+10:00', expected: '2026-04-06T02:30:00+10:00' },
    { name: 'Sydney overlap: 09:00 keeps its wall time', zone: SYD, cron: '0 9 * * *', after: '2026-04-04T12:00:00+11:00', expected: '2026-04-05T09:00:00+10:00' },
  ])('$name', ({ zone, cron, days, after, expected }) => {
    expect(Z(nextAllowedAutostart(`CRON_TZ=${zone} ${cron}`, days ?? 0x7f, T(after)), zone)).toBe(expected);
  });

  it.each([
    { name: 'hourly over the Berlin overlap: every real hour, both 02:00s', cron: '0 * * * *', after: '2026-10-25T01:50:00+02:00', expected: ['2026-10-25T02:00:00+02:00', '2026-10-25T02:00:00+01:00', '2026-10-25T03:00:00+01:00'] },
    { name: 'hourly from inside the repeated hour: nothing fires twice', cron: '0 * * * *', after: '2026-10-25T02:10:00+01:00', expected: ['2026-10-25T03:00:00+01:00', '2026-10-25T04:00:00+01:00'] },
    { name: 'hourly over the Berlin gap: 02:00 does not exist, 03:00 fires once', cron: '0 * * * *', after: '2026-03-29T01:10:00+01:00', expected: ['2026-03-29T03:00:00+02:00', '2026-03-29T04:00:00+02:00'] },
    { name: 'every 20 min in hour 2 over the gap: shifted into 03:xx, once each', cron: '*/20 2 * * *', after: '2026-03-28T12:00:00+01:00', expected: ['2026-03-29T03:00:00+02:00', '2026-03-29T03:20:00+02:00', '2026-03-29T03:40:00+02:00', '2026-03-30T02:00:00+02:00'] },
    { name: 'every 20 min in hour 2 over the overlap: first pass only', cron: '*/20 2 * * *', after: '2026-10-24T12:00:00+02:00', expected: ['2026-10-25T02:00:00+02:00', '2026-10-25T02:20:00+02:00', '2026-10-25T02:40:00+02:00', '2026-10-26T02:00:00+01:00'] },
  ])('sub-daily schedules: $name', ({ cron, after, expected }) => {
    expect(cronNextN(`CRON_TZ=${BER} ${cron}`, T(after), expected.length).map((m) => Z(m, BER))).toEqual(expected);
  });

  it.each([
    { name: 'Berlin gap', zone: BER, cron: '30 2 * * *', stopped: '2026-03-28T18:00:00+01:00', now: '2026-03-29T03:30:00+02:00', due: '2026-03-29T03:30:00+02:00', text: 'started: autostart at 03:30 Europe/Berlin (schedule CRON_TZ=Europe/Berlin 30 2 * * *)' },
    { name: 'Berlin overlap', zone: BER, cron: '30 2 * * *', stopped: '2026-10-24T18:00:00+02:00', now: '2026-10-25T02:30:00+02:00', due: '2026-10-25T02:30:00+02:00', text: 'started: autostart at 02:30 Europe/Berlin (schedule CRON_TZ=Europe/Berlin 30 2 * * *)' },
    { name: 'New York gap', zone: NY, cron: '30 2 * * *', stopped: '2026-03-07T18:00:00-05:00', now: '2026-03-08T03:30:00-04:00', due: '2026-03-08T03:30:00-04:00', text: 'started: autostart at 03:30 America/New_York (schedule CRON_TZ=America/New_York 30 2 * * *)' },
    { name: 'New York overlap', zone: NY, cron: '30 1 * * *', stopped: '2026-10-31T18:00:00-04:00', now: '2026-11-01T01:30:00-04:00', due: '2026-11-01T01:30:00-04:00', text: 'started: autostart at 01:30 America/New_York (schedule CRON_TZ=America/New_York 30 1 * * *)' },
    { name: 'Sydney gap', zone: SYD, cron: '30 2 * * *', stopped: '2026-10-03T18:00:00+10:00', now: '2026-10-04T03:30:00+11:00', due: '2026-10-04T03:30:00+11:00', text: 'started: autostart at 03:30 Australia/Sydney (schedule CRON_TZ=Australia/Sydney 30 2 * * *)' },
    { name: 'Sydney overlap', zone: SYD, cron: '30 2 * * *', stopped: '2026-04-04T18:00:00+11:00', now: '2026-04-05T02:30:00+11:00', due: '2026-04-05T02:30:00+11:00', text: 'started: autostart at 02:30 Australia/Sydney (schedule CRON_TZ=Australia/Sydney 30 2 * * *)' },
  ])('autostart decision due on the DST day: $name', ({ zone, cron, stopped, now, due, text }) => {
    const st = state({ autostartSchedule: `CRON_TZ=${zone} ${cron}`, latestBuild: build('stop', stopped) });
    const before = nextLifecycleDecision(st, T(now) - MIN)!;
    expect({ rule: before.rule, due: Z(before.dueAt, zone) }).toEqual({ rule: 'autostart', due });
    expect(nextLifecycleDecision(st, now)).toMatchObject({ rule: 'autostart', transition: 'start', reason: 'autostart', explanation: text });
  });

  it.each([
    { name: 'Berlin', zone: BER, cron: '30 2 * * *', start: '2026-10-25T02:30:00+02:00', stopAt: '2026-10-25T02:15:00+01:00', next: '2026-10-26T02:30:00+01:00' },
    { name: 'New York', zone: NY, cron: '30 1 * * *', start: '2026-11-01T01:30:00-04:00', stopAt: '2026-11-01T01:15:00-05:00', next: '2026-11-02T01:30:00-05:00' },
    { name: 'Sydney', zone: SYD, cron: '30 2 * * *', start: '2026-04-05T02:30:00+11:00', stopAt: '2026-04-05T02:15:00+10:00', next: '2026-04-06T02:30:00+10:00' },
  ])('$name overlap: stopped in the repeated hour after the autostart → no second autostart that night', ({ zone, cron, stopAt, next }) => {
    const st = state({ autostartSchedule: `CRON_TZ=${zone} ${cron}`, latestBuild: build('stop', stopAt) });
    expect(Z(nextLifecycleDecision(st, stopAt)!.dueAt, zone)).toBe(next);
  });
});

// ---------------------------------------------------------------------------------------------
// Deadline (TTL) and the autostart-crossing rule
// ---------------------------------------------------------------------------------------------

describe('deadline from TTL across DST (real elapsed time)', () => {
  it.each([
    { name: 'Berlin gap: 20:00 CET + 12h = 09:00 CEST', zone: BER, completed: '2026-03-28T20:00:00+01:00', deadline: '2026-03-29T09:00:00+02:00' },
    { name: 'Berlin overlap: 20:00 CEST + 12h = 07:00 CET', zone: BER, completed: '2026-10-24T20:00:00+02:00', deadline: '2026-10-25T07:00:00+01:00' },
    { name: 'New York gap: 20:00 EST + 12h = 09:00 EDT', zone: NY, completed: '2026-03-07T20:00:00-05:00', deadline: '2026-03-08T09:00:00-04:00' },
    { name: 'New York overlap: 20:00 EDT + 12h = 07:00 EST', zone: NY, completed: '2026-10-31T20:00:00-04:00', deadline: '2026-11-01T07:00:00-05:00' },
    { name: 'Sydney gap: 20:00 AEST + 12h = 09:00 AEDT', zone: SYD, completed: '2026-10-03T20:00:00+10:00', deadline: '2026-10-04T09:00:00+11:00' },
    { name: 'Sydney overlap: 20:00 AEDT + 12h = 07:00 AEST', zone: SYD, completed: '2026-04-04T20:00:00+11:00', deadline: '2026-04-05T07:00:00+10:00' },
  ])('$name', ({ zone, completed, deadline }) => {
    const r = calculateAutostop(state({ ttlMs: 12 * HOUR, displayTimeZone: zone }), completed);
    expect({ deadline: Z(r.deadline, zone), source: r.deadlineSource }).toEqual({ deadline, source: 'ttl' });
  });
});

describe('autostart-crossing across DST', () => {
  it.each([
    // crossing: start 22:00 + TTL 8h passes the (shifted / first-occurrence) autostart → autostart + 8h
    { name: 'Berlin gap: crosses 03:30 CEST → 11:30 CEST', zone: BER, cron: '30 2 * * *', ttl: 8, completed: '2026-03-28T22:00:00+01:00', deadline: '2026-03-29T11:30:00+02:00', source: 'autostart_crossing' },
    { name: 'Berlin gap: 3h TTL ends at 01:00 CET, before the autostart', zone: BER, cron: '30 2 * * *', ttl: 3, completed: '2026-03-28T22:00:00+01:00', deadline: '2026-03-29T01:00:00+01:00', source: 'ttl' },
    { name: 'Berlin overlap: crosses 02:30 CEST → 09:30 CET', zone: BER, cron: '30 2 * * *', ttl: 8, completed: '2026-10-24T22:00:00+02:00', deadline: '2026-10-25T09:30:00+01:00', source: 'autostart_crossing' },
    { name: 'Berlin overlap: 3h TTL ends at 01:00 CEST, before the autostart', zone: BER, cron: '30 2 * * *', ttl: 3, completed: '2026-10-24T22:00:00+02:00', deadline: '2026-10-25T01:00:00+02:00', source: 'ttl' },
    { name: 'New York gap: crosses 03:30 EDT → 11:30 EDT', zone: NY, cron: '30 2 * * *', ttl: 8, completed: '2026-03-07T22:00:00-05:00', deadline: '2026-03-08T11:30:00-04:00', source: 'autostart_crossing' },
    { name: 'New York gap: 3h TTL ends at 01:00 EST', zone: NY, cron: '30 2 * * *', ttl: 3, completed: '2026-03-07T22:00:00-05:00', deadline: '2026-03-08T01:00:00-05:00', source: 'ttl' },
    { name: 'New York overlap: crosses 01:30 EDT → 08:30 EST', zone: NY, cron: '30 1 * * *', ttl: 8, completed: '2026-10-31T22:00:00-04:00', deadline: '2026-11-01T08:30:00-05:00', source: 'autostart_crossing' },
    { name: 'New York overlap: 3h TTL ends at 01:00 EDT, before 01:30 EDT', zone: NY, cron: '30 1 * * *', ttl: 3, completed: '2026-10-31T22:00:00-04:00', deadline: '2026-11-01T01:00:00-04:00', source: 'ttl' },
    { name: 'Sydney gap: crosses 03:30 AEDT → 11:30 AEDT next day', zone: SYD, cron: '30 2 * * *', ttl: 8, completed: '2026-10-03T22:00:00+10:00', deadline: '2026-10-04T11:30:00+11:00', source: 'autostart_crossing' },
    { name: 'Sydney gap: 3h TTL ends at 01:00 AEST', zone: SYD, cron: '30 2 * * *', ttl: 3, completed: '2026-10-03T22:00:00+10:00', deadline: '2026-10-04T01:00:00+10:00', source: 'ttl' },
    { name: 'Sydney overlap: crosses 02:30 AEDT → 09:30 AEST', zone: SYD, cron: '30 2 * * *', ttl: 8, completed: '2026-04-04T22:00:00+11:00', deadline: '2026-04-05T09:30:00+10:00', source: 'autostart_crossing' },
    { name: 'Sydney overlap: 3h TTL ends at 01:00 AEDT', zone: SYD, cron: '30 2 * * *', ttl: 3, completed: '2026-04-04T22:00:00+11:00', deadline: '2026-04-05T01:00:00+11:00', source: 'ttl' },
  ])('$name', ({ zone, cron, ttl, completed, deadline, source }) => {
    const r = calculateAutostop(state({ ttlMs: ttl * HOUR, autostartSchedule: `CRON_TZ=${zone} ${cron}` }), completed);
    expect({ deadline: Z(r.deadline, zone), source: r.deadlineSource }).toEqual({ deadline, source });
  });

  it.each([
    { name: 'Berlin gap: bump crosses the 03:30 CEST autostart → 11:30 CEST', zone: BER, cron: '30 2 * * *', deadline: '2026-03-29T03:20:00+02:00', now: '2026-03-29T01:50:00+01:00', expected: '2026-03-29T11:30:00+02:00' },
    { name: 'Berlin overlap: bump crosses the 02:30 CEST autostart → 09:30 CET', zone: BER, cron: '30 2 * * *', deadline: '2026-10-25T02:20:00+02:00', now: '2026-10-25T02:00:00+02:00', expected: '2026-10-25T09:30:00+01:00' },
    { name: 'Berlin overlap: in the repeated hour 02:30 CET is no autostart → plain 1h bump', zone: BER, cron: '30 2 * * *', deadline: '2026-10-25T02:20:00+01:00', now: '2026-10-25T02:00:00+01:00', expected: '2026-10-25T03:00:00+01:00' },
    { name: 'New York gap: bump crosses the 03:30 EDT autostart → 11:30 EDT', zone: NY, cron: '30 2 * * *', deadline: '2026-03-08T03:20:00-04:00', now: '2026-03-08T01:50:00-05:00', expected: '2026-03-08T11:30:00-04:00' },
    { name: 'New York overlap: bump crosses the 01:30 EDT autostart → 08:30 EST', zone: NY, cron: '30 1 * * *', deadline: '2026-11-01T01:20:00-04:00', now: '2026-11-01T01:00:00-04:00', expected: '2026-11-01T08:30:00-05:00' },
    { name: 'New York overlap: in the repeated hour 01:30 EST is no autostart → plain 1h bump', zone: NY, cron: '30 1 * * *', deadline: '2026-11-01T01:20:00-05:00', now: '2026-11-01T01:00:00-05:00', expected: '2026-11-01T02:00:00-05:00' },
    { name: 'Sydney gap: bump crosses the 03:30 AEDT autostart → 11:30 AEDT', zone: SYD, cron: '30 2 * * *', deadline: '2026-10-04T03:20:00+11:00', now: '2026-10-04T01:50:00+10:00', expected: '2026-10-04T11:30:00+11:00' },
    { name: 'Sydney overlap: bump crosses the 02:30 AEDT autostart → 09:30 AEST', zone: SYD, cron: '30 2 * * *', deadline: '2026-04-05T02:20:00+11:00', now: '2026-04-05T02:00:00+11:00', expected: '2026-04-05T09:30:00+10:00' },
  ])('activity bump: $name', ({ zone, cron, deadline, now, expected }) => {
    const st = state({ ttlMs: 8 * HOUR, autostartSchedule: `CRON_TZ=${zone} ${cron}`, latestBuild: build('start', '2026-01-01T00:00:00Z', { deadline }) });
    const r = applyActivityBump(st, now);
    expect({ bumped: r.bumped, deadline: Z(r.deadline, zone) }).toEqual({ bumped: true, deadline: expected });
  });
});

// ---------------------------------------------------------------------------------------------
// max_deadline and quiet hours
// ---------------------------------------------------------------------------------------------

describe('max_deadline / quiet hours across DST', () => {
  const daily = tpl({ autostopRequirementDays: 0x7f });
  it.each([
    { name: 'Berlin gap: quiet hours 02:30 start at 03:30 CEST', zone: BER, qh: '30 2 * * *', completed: '2026-03-28T18:00:00+01:00', expected: '2026-03-29T03:30:00+02:00' },
    { name: 'Berlin gap: 00:45 CET is 1h15m real time before 03:00 CEST → inside the 2h leeway, next day', zone: BER, qh: '0 3 * * *', completed: '2026-03-29T00:45:00+01:00', expected: '2026-03-30T03:00:00+02:00' },
    { name: 'Berlin overlap: quiet hours 02:30 at the first occurrence (CEST)', zone: BER, qh: '30 2 * * *', completed: '2026-10-24T18:00:00+02:00', expected: '2026-10-25T02:30:00+02:00' },
    { name: 'Berlin overlap: 01:30 CEST is 2h30m real time before 03:00 CET → kept (1h30m on the wall)', zone: BER, qh: '0 3 * * *', completed: '2026-10-25T01:30:00+02:00', expected: '2026-10-25T03:00:00+01:00' },
    { name: 'New York gap: quiet hours 02:30 start at 03:30 EDT', zone: NY, qh: '30 2 * * *', completed: '2026-03-07T18:00:00-05:00', expected: '2026-03-08T03:30:00-04:00' },
    { name: 'New York gap: 00:45 EST is 1h15m before 03:00 EDT → next day', zone: NY, qh: '0 3 * * *', completed: '2026-03-08T00:45:00-05:00', expected: '2026-03-09T03:00:00-04:00' },
    { name: 'New York overlap: quiet hours 01:30 at the first occurrence (EDT)', zone: NY, qh: '30 1 * * *', completed: '2026-10-31T18:00:00-04:00', expected: '2026-11-01T01:30:00-04:00' },
    { name: 'New York overlap: 00:30 EDT is 2h30m before 02:00 EST → kept (1h30m on the wall)', zone: NY, qh: '0 2 * * *', completed: '2026-11-01T00:30:00-04:00', expected: '2026-11-01T02:00:00-05:00' },
    { name: 'Sydney gap: quiet hours 02:30 start at 03:30 AEDT', zone: SYD, qh: '30 2 * * *', completed: '2026-10-03T18:00:00+10:00', expected: '2026-10-04T03:30:00+11:00' },
    { name: 'Sydney gap: 00:45 AEST is 1h15m before 03:00 AEDT → next day', zone: SYD, qh: '0 3 * * *', completed: '2026-10-04T00:45:00+10:00', expected: '2026-10-05T03:00:00+11:00' },
    { name: 'Sydney overlap: quiet hours 02:30 at the first occurrence (AEDT)', zone: SYD, qh: '30 2 * * *', completed: '2026-04-04T18:00:00+11:00', expected: '2026-04-05T02:30:00+11:00' },
    { name: 'Sydney overlap: 01:30 AEDT is 2h30m before 03:00 AEST → kept', zone: SYD, qh: '0 3 * * *', completed: '2026-04-05T01:30:00+11:00', expected: '2026-04-05T03:00:00+10:00' },
  ])('$name', ({ zone, qh, completed, expected }) => {
    expect(Z(calculateMaxDeadline(daily, `CRON_TZ=${zone} ${qh}`, completed), zone)).toBe(expected);
    // and as the build's deadline when there is no TTL
    const r = calculateAutostop(state({ template: daily, userQuietHoursSchedule: `CRON_TZ=${zone} ${qh}` }), completed);
    expect({ deadline: Z(r.deadline, zone), source: r.deadlineSource }).toEqual({ deadline: expected, source: 'max_deadline' });
  });

  it.each([
    { name: 'Berlin: Monday-only requirement reached from the gap Sunday → Monday 02:00 CEST', zone: BER, completed: '2026-03-29T10:00:00+02:00', expected: '2026-03-30T02:00:00+02:00' },
    { name: 'Berlin: Monday-only requirement reached from the overlap Sunday → Monday 02:00 CET', zone: BER, completed: '2026-10-25T10:00:00+01:00', expected: '2026-10-26T02:00:00+01:00' },
    { name: 'New York: from the gap Sunday → Monday 02:00 EDT', zone: NY, completed: '2026-03-08T10:00:00-04:00', expected: '2026-03-09T02:00:00-04:00' },
    { name: 'New York: from the overlap Sunday → Monday 02:00 EST', zone: NY, completed: '2026-11-01T10:00:00-05:00', expected: '2026-11-02T02:00:00-05:00' },
    { name: 'Sydney: from the gap Sunday → Monday 02:00 AEDT', zone: SYD, completed: '2026-10-04T10:00:00+11:00', expected: '2026-10-05T02:00:00+11:00' },
    { name: 'Sydney: from the overlap Sunday → Monday 02:00 AEST', zone: SYD, completed: '2026-04-05T10:00:00+10:00', expected: '2026-04-06T02:00:00+10:00' },
  ])('day-of-week requirement on local days: $name', ({ zone, completed, expected }) => {
    expect(Z(calculateMaxDeadline(tpl({ autostopRequirementDays: 0x01 }), `CRON_TZ=${zone} 0 2 * * *`, completed), zone)).toBe(expected);
  });

  it.each([
    { name: 'Berlin: late Sunday of the gap weekend is week 168', zone: BER, at: '2026-03-29T23:30:00+02:00', weeks: 168 },
    { name: 'Berlin: Monday 00:30 after the gap is week 169', zone: BER, at: '2026-03-30T00:30:00+02:00', weeks: 169 },
    { name: 'New York: Monday 00:30 after the overlap', zone: NY, at: '2026-11-02T00:30:00-05:00', weeks: 200 },
    { name: 'Sydney: Monday 00:30 after the gap', zone: SYD, at: '2026-10-05T00:30:00+11:00', weeks: 196 },
  ])('weeks since the epoch count local days: $name', ({ zone, at, weeks }) => {
    expect(weeksSinceAutostopEpoch(T(at), zone)).toBe(weeks);
  });
});

// ---------------------------------------------------------------------------------------------
// Duration rules: TTL autostop, failure cleanup, dormancy, autodelete, extend
// ---------------------------------------------------------------------------------------------

describe('duration rules across DST (1 real hour)', () => {
  // t0 and t0 + 1 real hour: across the gap the wall clock moves 2h, across the overlap 0h.
  const CASES = [
    { name: 'Berlin gap', zone: BER, t0: '2026-03-29T01:30:00+01:00', t1: '2026-03-29T03:30:00+02:00', clock0: '01:30', clock1: '03:30' },
    { name: 'Berlin overlap', zone: BER, t0: '2026-10-25T02:30:00+02:00', t1: '2026-10-25T02:30:00+01:00', clock0: '02:30', clock1: '02:30' },
    { name: 'New York gap', zone: NY, t0: '2026-03-08T01:30:00-05:00', t1: '2026-03-08T03:30:00-04:00', clock0: '01:30', clock1: '03:30' },
    { name: 'New York overlap', zone: NY, t0: '2026-11-01T01:30:00-04:00', t1: '2026-11-01T01:30:00-05:00', clock0: '01:30', clock1: '01:30' },
    { name: 'Sydney gap', zone: SYD, t0: '2026-10-04T01:30:00+10:00', t1: '2026-10-04T03:30:00+11:00', clock0: '01:30', clock1: '03:30' },
    { name: 'Sydney overlap', zone: SYD, t0: '2026-04-05T02:30:00+11:00', t1: '2026-04-05T02:30:00+10:00', clock0: '02:30', clock1: '02:30' },
  ];

  it.each(CASES)('$name: TTL 1h autostop, with its explanation', ({ zone, t0, t1, clock0, clock1 }) => {
    const r = calculateAutostop(state({ ttlMs: HOUR }), t0);
    expect(Z(r.deadline, zone)).toBe(t1);
    const st = state({ ttlMs: HOUR, displayTimeZone: zone, latestBuild: build('start', t0, { deadline: r.deadline, deadlineSource: r.deadlineSource }) });
    expect(nextLifecycleDecision(st, T(t1) - 1)).toMatchObject({ rule: 'autostop_deadline', dueAt: T(t1) });
    expect(nextLifecycleDecision(st, t1)!.explanation).toBe(`stopped: deadline ${clock1} ${zone} reached (TTL 1h from start at ${clock0})`);
  });

  it.each(CASES)('$name: failure_ttl 1h cleanup', ({ zone, t0, t1 }) => {
    const st = state({ template: tpl({ failureTtlMs: HOUR }), latestBuild: build('start', t0, { jobStatus: 'failed' }) });
    expect(Z(nextLifecycleDecision(st, t0)!.dueAt, zone)).toBe(t1);
  });

  it.each(CASES)('$name: time_til_dormant 1h', ({ zone, t0, t1 }) => {
    const st = state({ template: tpl({ timeTilDormantMs: HOUR }), lastUsedAt: t0, latestBuild: build('start', '2026-01-01T00:00:00Z') });
    expect(nextLifecycleDecision(st, t0)).toMatchObject({ rule: 'dormancy', transition: 'stop', markDormant: true });
    expect(Z(nextLifecycleDecision(st, t0)!.dueAt, zone)).toBe(t1);
  });

  it.each(CASES)('$name: time_til_dormant_autodelete 1h', ({ zone, t0, t1 }) => {
    const template = tpl({ timeTilDormantAutodeleteMs: HOUR });
    const { dormantAt, deletingAt } = dormancyTimestamps(template, t0);
    expect(Z(deletingAt, zone)).toBe(t1);
    const st = state({ template, dormantAt, deletingAt, latestBuild: build('stop', '2026-01-01T00:00:00Z') });
    expect(nextLifecycleDecision(st, t0)).toMatchObject({ rule: 'autodelete', transition: 'delete', dueAt: T(t1) });
  });

  it.each(CASES)('$name: extend needs 30 real minutes', ({ t0 }) => {
    const st = state({ latestBuild: build('start', '2026-01-01T00:00:00Z', { deadline: t0 }) });
    expect(extendDeadline(st, T(t0) + 30 * MIN, t0).deadline).toBe(T(t0) + 30 * MIN);
    expect(() => extendDeadline(st, T(t0) + 29 * MIN, t0)).toThrow(ScheduleError);
  });
});

// ---------------------------------------------------------------------------------------------
// Preview
// ---------------------------------------------------------------------------------------------

describe('previewSchedule across DST', () => {
  const isos = (xs: Array<{ iso: string }>) => xs.map((x) => x.iso);
  it.each([
    {
      name: 'Berlin gap: 02:30 daily, TTL 1h', zone: BER, cron: '30 2 * * *', ttl: HOUR, now: '2026-03-28T12:00:00+01:00',
      starts: ['2026-03-29T03:30:00+02:00', '2026-03-30T02:30:00+02:00', '2026-03-31T02:30:00+02:00'],
      stops: ['2026-03-29T04:30:00+02:00', '2026-03-30T03:30:00+02:00', '2026-03-31T03:30:00+02:00'],
    },
    {
      name: 'Berlin overlap: 02:30 daily, TTL 30m — stop at 02:00 CET, no second autostart that night', zone: BER, cron: '30 2 * * *', ttl: 30 * MIN, now: '2026-10-24T12:00:00+02:00',
      starts: ['2026-10-25T02:30:00+02:00', '2026-10-26T02:30:00+01:00', '2026-10-27T02:30:00+01:00'],
      stops: ['2026-10-25T02:00:00+01:00', '2026-10-26T03:00:00+01:00', '2026-10-27T03:00:00+01:00'],
    },
    {
      name: 'New York gap: 02:30 daily, TTL 1h', zone: NY, cron: '30 2 * * *', ttl: HOUR, now: '2026-03-07T12:00:00-05:00',
      starts: ['2026-03-08T03:30:00-04:00', '2026-03-09T02:30:00-04:00', '2026-03-10T02:30:00-04:00'],
      stops: ['2026-03-08T04:30:00-04:00', '2026-03-09T03:30:00-04:00', '2026-03-10T03:30:00-04:00'],
    },
    {
      name: 'New York overlap: 01:30 daily, TTL 30m — stop at 01:00 EST, no second autostart', zone: NY, cron: '30 1 * * *', ttl: 30 * MIN, now: '2026-10-31T12:00:00-04:00',
      starts: ['2026-11-01T01:30:00-04:00', '2026-11-02T01:30:00-05:00', '2026-11-03T01:30:00-05:00'],
      stops: ['2026-11-01T01:00:00-05:00', '2026-11-02T02:00:00-05:00', '2026-11-03T02:00:00-05:00'],
    },
    {
      name: 'Sydney gap: 02:30 daily, TTL 1h', zone: SYD, cron: '30 2 * * *', ttl: HOUR, now: '2026-10-03T12:00:00+10:00',
      starts: ['2026-10-04T03:30:00+11:00', '2026-10-05T02:30:00+11:00', '2026-10-06T02:30:00+11:00'],
      stops: ['2026-10-04T04:30:00+11:00', '2026-10-05T03:30:00+11:00', '2026-10-06T03:30:00+11:00'],
    },
    {
      name: 'Sydney overlap: 02:30 daily, TTL 30m — stop at 02:00 AEST, no second autostart', zone: SYD, cron: '30 2 * * *', ttl: 30 * MIN, now: '2026-04-04T12:00:00+11:00',
      starts: ['2026-04-05T02:30:00+11:00', '2026-04-06T02:30:00+10:00', '2026-04-07T02:30:00+10:00'],
      stops: ['2026-04-05T02:00:00+10:00', '2026-04-06T03:00:00+10:00', '2026-04-07T03:00:00+10:00'],
    },
    {
      name: 'Berlin: weekdays 09:00 with quiet hours 02:30 over the gap weekend', zone: BER, cron: '0 9 * * 1-5', ttl: null, now: '2026-03-27T12:00:00+01:00', qh: '30 2 * * *',
      starts: ['2026-03-30T09:00:00+02:00', '2026-03-31T09:00:00+02:00', '2026-04-01T09:00:00+02:00'],
      stops: ['2026-03-31T02:30:00+02:00', '2026-04-01T02:30:00+02:00', '2026-04-02T02:30:00+02:00'],
    },
  ])('$name', ({ zone, cron, ttl, now, starts, stops, qh }) => {
    const st = state({
      autostartSchedule: `CRON_TZ=${zone} ${cron}`, ttlMs: ttl, latestBuild: build('stop', now),
      ...(qh ? { userQuietHoursSchedule: `CRON_TZ=${zone} ${qh}`, template: tpl({ autostopRequirementDays: 0x7f }) } : {}),
    });
    const p = previewSchedule(st, now, 3);
    expect(p.timeZone).toBe(zone);
    expect(isos(p.autostarts)).toEqual(starts);
    expect(isos(p.autostops)).toEqual(stops);
  });
});

// ---------------------------------------------------------------------------------------------
// Zone helpers at the transitions
// ---------------------------------------------------------------------------------------------

describe('local wall time → instant at the transitions', () => {
  it.each([
    { name: 'Berlin 02:30 in the gap → shifted to 03:30 CEST', zone: BER, ymdhm: [2026, 3, 29, 2, 30], expected: '2026-03-29T03:30:00+02:00' },
    { name: 'Berlin 02:30 in the overlap → first occurrence (CEST)', zone: BER, ymdhm: [2026, 10, 25, 2, 30], expected: '2026-10-25T02:30:00+02:00' },
    { name: 'New York 02:30 in the gap → 03:30 EDT', zone: NY, ymdhm: [2026, 3, 8, 2, 30], expected: '2026-03-08T03:30:00-04:00' },
    { name: 'New York 01:30 in the overlap → EDT', zone: NY, ymdhm: [2026, 11, 1, 1, 30], expected: '2026-11-01T01:30:00-04:00' },
    { name: 'Sydney 02:30 in the gap → 03:30 AEDT', zone: SYD, ymdhm: [2026, 10, 4, 2, 30], expected: '2026-10-04T03:30:00+11:00' },
    { name: 'Sydney 02:30 in the overlap → AEDT', zone: SYD, ymdhm: [2026, 4, 5, 2, 30], expected: '2026-04-05T02:30:00+11:00' },
    { name: 'day 32 normalizes like Go time.Date', zone: BER, ymdhm: [2026, 3, 32, 0, 0], expected: '2026-04-01T00:00:00+02:00' },
  ])('$name', ({ zone, ymdhm, expected }) => {
    const [y, mo, d, h, mi] = ymdhm;
    expect(Z(zonedTimeToEpochMs(zone, y, mo, d, h, mi), zone)).toBe(expected);
  });

  it.each([
    { zone: BER, at: '2026-03-29T12:00:00+02:00', midnight: '2026-03-29T00:00:00+01:00', hours: 23 },
    { zone: BER, at: '2026-10-25T12:00:00+01:00', midnight: '2026-10-25T00:00:00+02:00', hours: 25 },
    { zone: NY, at: '2026-03-08T12:00:00-04:00', midnight: '2026-03-08T00:00:00-05:00', hours: 23 },
    { zone: NY, at: '2026-11-01T12:00:00-05:00', midnight: '2026-11-01T00:00:00-04:00', hours: 25 },
    { zone: SYD, at: '2026-10-04T12:00:00+11:00', midnight: '2026-10-04T00:00:00+10:00', hours: 23 },
    { zone: SYD, at: '2026-04-05T12:00:00+10:00', midnight: '2026-04-05T00:00:00+11:00', hours: 25 },
  ])('$zone: the DST day starting $midnight is $hours hours long', ({ zone, at, midnight, hours }) => {
    const start = startOfLocalDay(T(at), zone);
    expect(Z(start, zone)).toBe(midnight);
    expect((startOfLocalDay(start + 30 * HOUR, zone) - start) / HOUR).toBe(hours);
  });
});
