/**
 * Pure formatting and parsing shared by every Berth client (the `berth` CLI/TUI and the
 * Backstage frontend plugin): durations, relative and local times, the autostart grammar of
 * `coder schedule start`, and the schedule editor's two fields. No I/O; the zone defaults to the
 * runtime's (`Intl`), which in Node honours `TZ`.
 */
import type { ApiWorkspace } from './schemas';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** The runtime's IANA zone (the browser's, or Node's `TZ`), `UTC` when unknown. */
export function runtimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** Parses `8h`, `90m`, `1h30m`, `2d`, `45s` into milliseconds; null when malformed. */
export function parseDuration(text: string): number | null {
  const t = text.trim().toLowerCase();
  if (!t) return null;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g;
  let total = 0;
  let consumed = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(t))) {
    if (m.index !== consumed) return null;
    total += Number(m[1]) * UNITS[m[2]];
    consumed = m.index + m[0].length;
  }
  if (consumed !== t.length || consumed === 0) return null;
  return Math.round(total);
}

/** Milliseconds for humans: `8h`, `1h30m`, `45s`, `250ms`; `-` for null. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '-';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)}s`;
  const parts: string[] = [];
  let rest = Math.round(ms / 60_000);
  const d = Math.floor(rest / 1440); rest -= d * 1440;
  const h = Math.floor(rest / 60); rest -= h * 60;
  if (d) parts.push(`${d}d`);
  if (h) parts.push(`${h}h`);
  if (rest) parts.push(`${rest}m`);
  return parts.join('') || '0m';
}

/** An ISO time relative to `now` (epoch ms): `3m ago`, `in 2h`; `-` for null or garbage. */
export function relative(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '-';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '-';
  const d = t - now;
  const abs = Math.abs(d);
  const s = abs < 60_000 ? `${Math.max(1, Math.round(abs / 1000))}s` : formatDuration(abs).replace(/(\d+[dh])\d+m$/, '$1');
  return d < 0 ? `${s} ago` : `in ${s}`;
}

/** An ISO time in `zone`: `Mon 09:00`, or with `withDate` `2026-12-03 17:00`; `-` for null. */
export function localTime(iso: string | null | undefined, zone = runtimeZone(), withDate = false): string {
  if (!iso) return '-';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '-';
  const opts: Intl.DateTimeFormatOptions = withDate
    ? { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }
    : { timeZone: zone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };
  return new Intl.DateTimeFormat('en-CA', opts).format(d).replace(',', '');
}

/** What an "autostop" column shows: the deadline of a running workspace (in `zone`), else its TTL. */
export function autostopText(w: ApiWorkspace, zone = runtimeZone()): string {
  const b = w.latest_build;
  if (w.status === 'running' && b?.deadline) return localTime(b.deadline, zone);
  if (w.ttl_ms) return `${formatDuration(w.ttl_ms)} after start`;
  return '-';
}

/** What a "last build" column shows: `start 3m ago`. */
export function lastBuiltText(w: ApiWorkspace, now = Date.now()): string {
  const b = w.latest_build;
  if (!b) return '-';
  return `${b.transition} ${relative(b.completed_at ?? b.started_at ?? b.created_at, now)}`;
}

const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/**
 * Parses the autostart grammar of `coder schedule start`: `<hh:mm>[am|pm] [days] [zone]`,
 * e.g. `09:00 Mon-Fri Europe/Berlin`, `9:30am`, `18:00 sat,sun`. Days default to every day,
 * the zone to `zone`. Returns `CRON_TZ=<zone> <min> <hour> * * <days>`; throws an Error whose
 * message says what is wrong and how to write it.
 */
export function parseAutostart(text: string, zone = runtimeZone()): string {
  const parts = text.trim().split(/\s+/).filter(Boolean);
  if (!parts.length) throw new Error('autostart is empty: give "<hh:mm> [days] [zone]", e.g. "09:00 Mon-Fri Europe/Berlin"');
  const m = /^(\d{1,2})(?::(\d{2}))?\s*(am|pm)?$/i.exec(parts[0]);
  if (!m) throw new Error(`"${parts[0]}" is not a time: use hh:mm (24h) or h:mmam/pm`);
  let hour = Number(m[1]);
  const minute = Number(m[2] ?? '0');
  if (m[3]) {
    if (hour < 1 || hour > 12) throw new Error(`"${parts[0]}": 12-hour times go from 1 to 12`);
    hour = (hour % 12) + (m[3].toLowerCase() === 'pm' ? 12 : 0);
  }
  if (hour > 23 || minute > 59) throw new Error(`"${parts[0]}" is not a time of day`);
  let days = '*';
  let tz = zone;
  for (const p of parts.slice(1)) {
    if (p.includes('/') || p === 'UTC') {
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: p });
      } catch {
        throw new Error(`unknown time zone "${p}": use an IANA name such as Europe/Berlin`);
      }
      tz = p;
      continue;
    }
    days = parseDays(p);
  }
  return `CRON_TZ=${tz} ${minute} ${hour} * * ${days}`;
}

function parseDays(p: string): string {
  if (p === '*' || /^(daily|every)$/i.test(p)) return '*';
  const out: string[] = [];
  for (const piece of p.toLowerCase().split(',')) {
    const [a, b] = piece.split('-');
    const ia = dayIndex(a);
    if (b === undefined) { out.push(String(ia)); continue; }
    out.push(`${ia}-${dayIndex(b)}`);
  }
  return out.join(',');
}

function dayIndex(d: string): number {
  if (/^[0-6]$/.test(d)) return Number(d);
  const i = DAY_NAMES.indexOf(d.slice(0, 3));
  if (i < 0 || d.length < 3) throw new Error(`"${d}" is not a day: use mon..sun, ranges (Mon-Fri) or lists (sat,sun)`);
  return i;
}

/** Renders a stored cron (`CRON_TZ=Europe/Berlin 0 9 * * 1-5`) back into the grammar: `09:00 Mon-Fri Europe/Berlin`; `off` for none. */
export function describeAutostart(cron: string | null | undefined): string {
  if (!cron) return 'off';
  const m = /^(?:CRON_TZ=(\S+)\s+)?(\d+)\s+(\d+)\s+\*\s+\*\s+(\S+)$/.exec(cron.trim());
  if (!m) return cron;
  const [, tz = 'UTC', min, hour, days] = m;
  const name = (i: string) => { const n = DAY_NAMES[Number(i)]; return n ? n[0].toUpperCase() + n.slice(1) : i; };
  const d = days === '*' ? 'daily' : days.replace(/\d/g, name);
  return `${hour.padStart(2, '0')}:${min.padStart(2, '0')} ${d} ${tz}`;
}

/** The schedule editor's fields as the API wants them, or the first problem and which field (0 autostart, 1 TTL) it is in. */
export type ParsedScheduleFields = { autostart_schedule: string | null; ttl_ms: number | null } | { error: string; field: 0 | 1 };

/**
 * Parses a schedule editor's two text fields: autostart in the grammar of {@link parseAutostart}
 * (empty, `off` or `none` = no autostart) and the TTL as a duration (empty, `off`, `none` or `0`
 * = no autostop). `zone` is the default zone of an autostart without one.
 */
export function parseScheduleFields(start: string, ttl: string, zone = runtimeZone()): ParsedScheduleFields {
  let autostart: string | null = null;
  if (start.trim() && !/^(off|none)$/i.test(start.trim())) {
    try { autostart = parseAutostart(start, zone); } catch (e) { return { error: (e as Error).message, field: 0 }; }
  }
  let ttlMs: number | null = null;
  if (ttl.trim() && !/^(off|none|0)$/i.test(ttl.trim())) {
    ttlMs = parseDuration(ttl);
    if (ttlMs === null) return { error: `"${ttl}" is not a duration: use e.g. 8h, 90m, or off`, field: 1 };
  }
  return { autostart_schedule: autostart, ttl_ms: ttlMs };
}

/** The editor's text for a stored schedule: `{ start: '09:00 Mon-Fri Europe/Berlin', ttl: '8h' }` (empty when off). */
export function scheduleFieldsOf(s: { autostart_schedule: string | null; ttl_ms: number | null }): { start: string; ttl: string } {
  const d = describeAutostart(s.autostart_schedule);
  return { start: d === 'off' ? '' : d.replace(' daily ', ' '), ttl: s.ttl_ms ? formatDuration(s.ttl_ms) : '' };
}
