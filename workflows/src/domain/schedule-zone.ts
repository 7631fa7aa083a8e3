/**
 * Time-zone arithmetic for lifecycle scheduling, built on `Intl` only (no Node, no clock): local
 * calendar fields of a UTC instant in an IANA zone, local wall time → UTC instant, DST-safe
 * midnight and "next day" (Coder's `truncateMidnight`/`nextDayMidnight` in
 * `coderd/schedule/autostop.go`, which build dates from calendar fields instead of adding 24h,
 * Go issue 10894), and the formatting used in explanations and previews.
 *
 * All instants are **milliseconds since the Unix epoch (UTC)**. Safe inside Temporal's workflow
 * sandbox: `Intl.DateTimeFormat` is deterministic for a given instant and zone.
 */

/** A UTC instant in milliseconds since the Unix epoch. Every time in the schedule modules uses it. */
export type EpochMs = number;

/** What callers may pass for an instant: ms since the epoch, a `Date`, or an ISO-8601 string with an offset. */
export type InstantInput = number | Date | string;

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/**
 * Converts an {@link InstantInput} to ms since the epoch. Strings are parsed with `Date.parse`
 * (write them with an explicit offset or `Z`). Throws `Error("invalid instant …")` for NaN,
 * non-finite numbers, invalid dates or unparsable strings.
 */
export function toEpochMs(value: InstantInput): EpochMs {
  let ms: number;
  if (typeof value === 'number') ms = value;
  else if (value instanceof Date) ms = value.getTime();
  else if (typeof value === 'string') ms = Date.parse(value);
  else ms = NaN;
  if (!Number.isFinite(ms)) throw new Error(`invalid instant ${JSON.stringify(value instanceof Date ? String(value) : value)}`);
  return ms;
}

/** Like {@link toEpochMs} but passes `null`/`undefined` through as `null`. */
export function toEpochMsOrNull(value: InstantInput | null | undefined): EpochMs | null {
  return value === null || value === undefined ? null : toEpochMs(value);
}

/** Local calendar fields of an instant in a zone. `weekday`: 0 = Sunday … 6 = Saturday (JS/Go convention). */
export interface ZonedFields {
  year: number;
  /** 1..12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
      hour: 'numeric', minute: 'numeric', second: 'numeric', weekday: 'short',
    });
    formatters.set(zone, f);
  }
  return f;
}

const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

/**
 * Local calendar fields of `ms` in `zone` (an IANA name such as `Europe/Berlin`). Throws
 * `RangeError` for an unknown zone (from `Intl`).
 */
export function zonedFields(ms: EpochMs, zone: string): ZonedFields {
  const parts = formatter(zone).formatToParts(ms);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const hour = Number(get('hour'));
  return {
    year: Number(get('year')), month: Number(get('month')), day: Number(get('day')), hour: hour === 24 ? 0 : hour,
    minute: Number(get('minute')), second: Number(get('second')), weekday: WEEKDAYS[get('weekday')],
  };
}

/** The zone's UTC offset at instant `ms`, in ms (e.g. +3_600_000 for CET). Sub-second parts are ignored. */
export function zoneOffsetMs(ms: EpochMs, zone: string): number {
  const f = zonedFields(ms, zone);
  const asUtc = Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second);
  const whole = Math.floor(ms / 1000) * 1000;
  return asUtc - whole;
}

/**
 * The UTC instant of a local wall time in `zone`. Month is 1..12; out-of-range fields are
 * normalized like `Date.UTC` (day 32 → next month), as Go's `time.Date` does.
 *
 * - In a DST **gap** (a wall time that does not exist, e.g. 02:30 in Berlin on 2026-03-29) the time
 *   is shifted forward by the gap length (→ 03:30 CEST), as Go's `time.Date` does there.
 * - In a DST **overlap** (a wall time that happens twice) the **first** occurrence is returned.
 *   (Go's choice depends on the sign of the offset; the three zones Berth tests never change at
 *   midnight, the only local time the scheduling rules build this way.)
 */
export function zonedTimeToEpochMs(zone: string, year: number, month: number, day: number, hour = 0, minute = 0): EpochMs {
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  const before = zoneOffsetMs(wall - DAY_MS, zone);
  const after = zoneOffsetMs(wall + DAY_MS, zone);
  const candidates = [...new Set([before, after, zoneOffsetMs(wall, zone)])]
    .map((off) => wall - off)
    .filter((c) => zoneOffsetMs(c, zone) === wall - c)
    .sort((a, b) => a - b);
  if (candidates.length > 0) return candidates[0];
  return wall - before; // gap: read with the offset in force before it, i.e. shifted forward
}

/** Local midnight (00:00) of the calendar day `ms` falls on in `zone` (Coder `truncateMidnight`). */
export function startOfLocalDay(ms: EpochMs, zone: string): EpochMs {
  const f = zonedFields(ms, zone);
  return zonedTimeToEpochMs(zone, f.year, f.month, f.day);
}

/** Local midnight of the calendar day after the one `ms` falls on in `zone` (Coder `nextDayMidnight`). */
export function nextLocalMidnight(ms: EpochMs, zone: string): EpochMs {
  const f = zonedFields(ms, zone);
  return zonedTimeToEpochMs(zone, f.year, f.month, f.day + 1);
}

/** Days since 1970-01-01 of the local calendar date of `ms` in `zone` (a day counter immune to DST). */
export function localDayNumber(ms: EpochMs, zone: string): number {
  const f = zonedFields(ms, zone);
  return Math.round(Date.UTC(f.year, f.month - 1, f.day) / DAY_MS);
}

/**
 * Bit of `ms`'s local weekday in Berth's/Coder's day bitmasks: bit 0 = Monday … bit 6 = Sunday
 * (`codersdk.WeekdaysToBitmap`).
 */
export function weekdayBit(ms: EpochMs, zone: string): number {
  return 1 << ((zonedFields(ms, zone).weekday + 6) % 7);
}

const pad = (n: number, w = 2) => String(Math.abs(n)).padStart(w, '0');

/**
 * ISO-8601 text of `ms` as local time in `zone` with its offset, e.g.
 * `2026-03-29T03:30:00+02:00` (milliseconds only when non-zero). For previews and tests.
 */
export function toZonedIso(ms: EpochMs, zone: string): string {
  const f = zonedFields(ms, zone);
  const off = Math.round(zoneOffsetMs(ms, zone) / MINUTE_MS);
  const sign = off < 0 ? '-' : '+';
  const frac = ((ms % 1000) + 1000) % 1000;
  return `${pad(f.year, 4)}-${pad(f.month)}-${pad(f.day)}T${pad(f.hour)}:${pad(f.minute)}:${pad(f.second)}${frac ? `.${pad(frac, 3)}` : ''}`
    + `${sign}${pad(Math.floor(Math.abs(off) / 60))}:${pad(Math.abs(off) % 60)}`;
}

/**
 * Short local time for explanations: `17:00` when `ms` falls on the same local date as
 * `sameDayAs` (default: always), else `2026-03-30 17:00`.
 */
export function formatLocalTime(ms: EpochMs, zone: string, sameDayAs?: EpochMs | null): string {
  const f = zonedFields(ms, zone);
  const clock = `${pad(f.hour)}:${pad(f.minute)}`;
  if (sameDayAs === undefined || sameDayAs === null) return clock;
  const g = zonedFields(sameDayAs, zone);
  if (g.year === f.year && g.month === f.month && g.day === f.day) return clock;
  return `${pad(f.year, 4)}-${pad(f.month)}-${pad(f.day)} ${clock}`;
}

/** Local date and time, always with the date: `2025-01-31 10:01`. */
export function formatLocalDateTime(ms: EpochMs, zone: string): string {
  const f = zonedFields(ms, zone);
  return `${pad(f.year, 4)}-${pad(f.month)}-${pad(f.day)} ${pad(f.hour)}:${pad(f.minute)}`;
}

/**
 * A duration for humans, largest units first, zero parts dropped: `8h`, `1h30m`, `30d`, `45s`,
 * `0s`. Negative durations get a leading `-`.
 */
export function formatDuration(ms: number): string {
  if (ms < 0) return `-${formatDuration(-ms)}`;
  const units: Array<[string, number]> = [['d', DAY_MS], ['h', HOUR_MS], ['m', MINUTE_MS], ['s', 1000]];
  let rest = Math.round(ms / 1000) * 1000;
  const out: string[] = [];
  for (const [name, size] of units) {
    const n = Math.floor(rest / size);
    if (n > 0) out.push(`${n}${name}`);
    rest -= n * size;
  }
  return out.length ? out.join('') : '0s';
}
