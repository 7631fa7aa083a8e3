/**
 * Cron for lifecycle scheduling: Coder's weekly autostart schedule and daily quiet-hours schedule
 * (`coderd/schedule/cron/cron.go`, reference/lifecycle-semantics.md §2.1), "next firing strictly
 * after t" in the schedule's IANA zone, and Coder's `NextAutostart`/`NextAllowedAutostart`
 * (`coderd/schedule/autostart.go`, §2.2).
 *
 * Builds on `parseAutostartSchedule` (autostart.ts) and adds Coder's field syntax on top of it
 * (robfig/cron: no `7` for Sunday, no `L`/`#`/`H`). Evaluation uses cron-parser 5.10.6, imported
 * from `cron-parser/dist/CronExpressionParser` because the package index pulls in `fs`, which
 * Temporal's workflow sandbox refuses.
 *
 * DST (dependency-set.md §6.1; checked against robfig/cron v3 `spec.go`): Berth fires each
 * scheduled wall time **exactly once per local calendar day**:
 * - spring-forward gap: a time inside the gap fires once, shifted forward by the gap length
 *   (02:30 → 03:30 on Berlin's 2026-03-29). Coder bug (robfig/cron): it walks hours by adding
 *   real hours, never sees 02:xx that day and **skips** the firing; Berth does not skip a day.
 * - fall-back overlap: a daily time inside the repeated hour fires at its **first** occurrence
 *   only. Coder bug (robfig/cron; cron-parser on its own too): a second firing when asked for "next after t"
 *   with t inside the repeated hour (e.g. a stop completed at 01:10 EST on New York's 2026-11-01
 *   would autostart again at 01:30 EST although 01:30 EDT already fired). Berth does not.
 *   (A schedule whose hour field is `*` still fires every real hour, both passes included.)
 * Both are done by evaluating from 3 h before `t` whenever the zone's offset changed in the 3 h
 * before `t` (see {@link cronNext}).
 */
import { CronExpressionParser } from 'cron-parser/dist/CronExpressionParser';
import { parseAutostartSchedule, type AutostartSchedule } from './autostart';
import { weekdayBit, zoneOffsetMs, type EpochMs } from './schedule-zone';

/** Coder's default quiet-hours schedule (`CODER_QUIET_HOURS_DEFAULT_SCHEDULE`): midnight UTC. */
export const DEFAULT_QUIET_HOURS_SCHEDULE = 'CRON_TZ=UTC 0 0 * * *';

/** Coder's `NextAllowedAutostart` looks at most this far ahead (7 days, in ms). */
export const AUTOSTART_LOOKAHEAD_MS = 7 * 24 * 60 * 60_000;

const LOOKBACK_MS = 3 * 60 * 60_000;

/** Error message of {@link nextAllowedAutostart} failures (Coder `ErrNoAllowedAutostart`). */
export const NO_ALLOWED_AUTOSTART = 'no allowed autostart';

const FIELD_RULES = [
  { name: 'minute', min: 0, max: 59, names: null },
  { name: 'hour', min: 0, max: 23, names: null },
  { name: 'day-of-month', min: 1, max: 31, names: null },
  { name: 'month', min: 1, max: 12, names: null },
  { name: 'day-of-week', min: 0, max: 6, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
] as const;

/**
 * Checks one cron field against robfig/cron v3's grammar (`getRange` in `parser.go`): a comma
 * list of `*`, `?`, `N`, `N-M`, each optionally `/step`; day-of-week also takes `sun`..`sat`.
 * Returns an error text or null.
 */
function checkField(value: string, index: number): string | null {
  const rule = FIELD_RULES[index];
  const num = (s: string): number | null => {
    if (/^\d+$/.test(s)) return Number(s);
    const i = rule.names ? (rule.names as readonly string[]).indexOf(s.toLowerCase()) : -1;
    return i >= 0 ? i : null;
  };
  for (const item of value.split(',')) {
    const m = /^([^/]+)(?:\/(\d+))?$/.exec(item);
    if (!m) return `${rule.name} field "${value}" is not valid cron syntax`;
    if (m[2] !== undefined && Number(m[2]) === 0) return `${rule.name} field "${value}": step must be at least 1`;
    if (m[1] === '*' || m[1] === '?') continue;
    const [lo, hi, extra] = m[1].split('-');
    if (extra !== undefined) return `${rule.name} field "${value}" is not valid cron syntax`;
    const a = num(lo);
    const b = hi === undefined ? a : num(hi);
    if (a === null || b === null) {
      return `${rule.name} field "${value}" is not valid cron syntax (use numbers${rule.names ? ' or sun..sat' : ''}, ranges a-b, lists a,b and steps /n)`;
    }
    if (a < rule.min || b > rule.max) {
      const hint = index === 4 && (a === 7 || b === 7) ? ' (Sunday is 0 or sun)' : '';
      return `${rule.name} field "${value}" is out of range ${rule.min}-${rule.max}${hint}`;
    }
    if (a > b) return `${rule.name} field "${value}": range start is after its end`;
  }
  return null;
}

/**
 * Parses and validates a **weekly** autostart schedule, Coder's `cron.Weekly`:
 * `[CRON_TZ=<IANA zone>] <minute> <hour> * * <day-of-week>`, a missing zone meaning UTC.
 * Builds on {@link parseAutostartSchedule} (zone, 5 fields, day-of-month and month `*`, no
 * descriptors) and also enforces robfig/cron's field syntax (minute 0-59, hour 0-23,
 * day-of-week 0-6 or sun..sat, no `L`, `#`, `H` or `7`).
 *
 * Returns `{ timezone, cron, normalized }` where `normalized` is `CRON_TZ=<zone> <5 fields>`
 * (Coder's `String()`). Throws `Error("invalid autostart schedule …")` with what is wrong.
 */
export function parseWeeklySchedule(text: string): AutostartSchedule {
  const check = (fields: string[]) => {
    for (let i = 0; i < 5; i++) {
      const problem = checkField(fields[i], i);
      if (problem) throw new Error(`invalid autostart schedule "${text}": ${problem}`);
    }
  };
  let parsed: AutostartSchedule;
  try {
    parsed = parseAutostartSchedule(text);
  } catch (e) {
    // cron-parser's own messages do not name the field ("Constraint error, got value 24 …"):
    // when the shape is right, say which field is wrong.
    const fields = typeof text === 'string' ? text.trim().replace(/^CRON_TZ=\S+\s+/, '').split(/\s+/) : [];
    if (fields.length === 5 && fields[2] === '*' && fields[3] === '*') check(fields);
    throw e;
  }
  check(parsed.cron.split(' '));
  return parsed;
}

/** A parsed daily quiet-hours schedule. Times are the local wall time in `timezone`. */
export interface QuietHoursSchedule extends AutostartSchedule {
  /** Local hour (0-23) at which quiet hours start. */
  hour: number;
  /** Local minute (0-59) at which quiet hours start. */
  minute: number;
}

/**
 * Parses a user's **daily** quiet-hours schedule, Coder's `cron.Daily`
 * (`CRON_TZ=<IANA zone> <minute> <hour> * * *`): day-of-month, month and day-of-week must be `*`,
 * a missing zone means UTC. Like `CODER_QUIET_HOURS_DEFAULT_SCHEDULE` ("only minute and hour may
 * be set"), the minute and hour must be single numbers: quiet hours start once a day.
 * Empty, null or undefined → {@link DEFAULT_QUIET_HOURS_SCHEDULE}.
 * Throws `Error("invalid quiet hours schedule …")`.
 */
export function parseQuietHoursSchedule(text: string | null | undefined): QuietHoursSchedule {
  const source = text && text.trim() ? text : DEFAULT_QUIET_HOURS_SCHEDULE;
  let parsed: AutostartSchedule;
  try {
    parsed = parseWeeklySchedule(source);
  } catch (e) {
    throw new Error((e as Error).message.replace('invalid autostart schedule', 'invalid quiet hours schedule'));
  }
  const [minute, hour, , , dow] = parsed.cron.split(' ');
  if (dow !== '*') throw new Error(`invalid quiet hours schedule "${source}": expected day-of-week to be * (quiet hours are daily)`);
  if (!/^\d+$/.test(minute) || !/^\d+$/.test(hour)) {
    throw new Error(`invalid quiet hours schedule "${source}": minute and hour must be single numbers (quiet hours start once a day)`);
  }
  return { ...parsed, minute: Number(minute), hour: Number(hour) };
}

/** Schedules accepted by the cron helpers: a parsed schedule or its text. */
export type CronScheduleInput = AutostartSchedule | string;

function asSchedule(s: CronScheduleInput): AutostartSchedule {
  return typeof s === 'string' ? parseWeeklySchedule(s) : s;
}

/**
 * The schedule's next firing **strictly after** `afterMs`, as a UTC instant (ms), evaluated in
 * the schedule's zone (Coder `Schedule.Next`, truncated to the minute). DST (see the module
 * comment): a time in the spring-forward gap fires once, shifted forward by the gap; a daily time
 * in the fall-back overlap fires at its first occurrence only. Evaluates from 3 h before
 * `afterMs` when the zone's offset changed in those 3 h, so the answer does not depend on
 * whether `afterMs` lies just before or just after a transition. Throws for an invalid schedule
 * text.
 */
export function cronNext(schedule: CronScheduleInput, afterMs: EpochMs): EpochMs {
  const s = asSchedule(schedule);
  const lookback = zoneOffsetMs(afterMs - LOOKBACK_MS, s.timezone) !== zoneOffsetMs(afterMs, s.timezone);
  const from = lookback ? afterMs - LOOKBACK_MS : afterMs;
  const it = CronExpressionParser.parse(s.cron, { currentDate: new Date(from), tz: s.timezone });
  for (;;) {
    const next = it.next().getTime();
    if (next > afterMs) return Math.floor(next / 60_000) * 60_000;
  }
}

/**
 * The next `count` firings strictly after `afterMs` (each from the previous one with
 * {@link cronNext}), in ms. For previews.
 */
export function cronNextN(schedule: CronScheduleInput, afterMs: EpochMs, count: number): EpochMs[] {
  const s = asSchedule(schedule);
  const out: EpochMs[] = [];
  let t = afterMs;
  for (let i = 0; i < count; i++) {
    t = cronNext(s, t);
    out.push(t);
  }
  return out;
}

/** True when `ms`'s weekday **in `zone`** is set in `allowedDays` (bit 0 = Monday … bit 6 = Sunday). */
export function isAllowedDay(ms: EpochMs, zone: string, allowedDays: number): boolean {
  return (weekdayBit(ms, zone) & allowedDays) !== 0;
}

/**
 * Coder's `NextAutostart(at, schedule, templateSchedule)`: the schedule's next firing strictly
 * after `afterMs` and whether the template allows autostart on that day. The weekday is judged
 * in the **schedule's** zone. `allowedDays` is the template's `autostartAllowedDays` bitmask.
 * Returns `null` when the schedule does not parse (Coder returns `false` then).
 */
export function nextAutostart(schedule: CronScheduleInput, allowedDays: number, afterMs: EpochMs): { at: EpochMs; allowed: boolean } | null {
  let s: AutostartSchedule;
  try { s = asSchedule(schedule); } catch { return null; }
  const at = cronNext(s, afterMs);
  return { at, allowed: isAllowedDay(at, s.timezone, allowedDays) };
}

/**
 * Coder's `NextAllowedAutostart`: the first firing strictly after `afterMs` on a day the template
 * allows, looking at most 7 days ahead ({@link AUTOSTART_LOOKAHEAD_MS}). Returns the instant in
 * ms, or `null` when there is none (Coder's `ErrNoAllowedAutostart`, {@link NO_ALLOWED_AUTOSTART})
 * or the schedule does not parse.
 */
export function nextAllowedAutostart(schedule: CronScheduleInput, allowedDays: number, afterMs: EpochMs): EpochMs | null {
  let s: AutostartSchedule;
  try { s = asSchedule(schedule); } catch { return null; }
  let next = afterMs;
  while (next - afterMs < AUTOSTART_LOOKAHEAD_MS) {
    next = cronNext(s, next);
    if (isAllowedDay(next, s.timezone, allowedDays)) return next;
  }
  return null;
}
