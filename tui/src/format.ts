/** Pure formatting and parsing shared by the CLI and the TUI: durations, times, schedules. */
import type { ApiWorkspace } from '@berth/backstage-plugin-common';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

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

/** `8h`, `1h30m`, `45s`, `250ms`. */
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

/** `3m ago`, `in 2h`. */
export function relative(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '-';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '-';
  const d = t - now;
  const abs = Math.abs(d);
  const s = abs < 60_000 ? `${Math.max(1, Math.round(abs / 1000))}s` : formatDuration(abs).replace(/(\d+[dh])\d+m$/, '$1');
  return d < 0 ? `${s} ago` : `in ${s}`;
}

/** The user's zone (TZ, else the runtime's). */
export function userZone(env: NodeJS.ProcessEnv = process.env): string {
  return env.TZ || Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** `Mon 09:00` / `2026-12-03 17:00` in the user's zone. */
export function localTime(iso: string | null | undefined, zone = userZone(), withDate = false): string {
  if (!iso) return '-';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '-';
  const opts: Intl.DateTimeFormatOptions = withDate
    ? { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }
    : { timeZone: zone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };
  return new Intl.DateTimeFormat('en-CA', opts).format(d).replace(',', '');
}

/** What the AUTOSTOP column shows: the deadline of a running workspace, else its TTL. */
export function autostopText(w: ApiWorkspace, zone = userZone()): string {
  const b = w.latest_build;
  if (w.status === 'running' && b?.deadline) return localTime(b.deadline, zone);
  if (w.ttl_ms) return `${formatDuration(w.ttl_ms)} after start`;
  return '-';
}

/** LAST BUILT column: `start 3m ago`. */
export function lastBuiltText(w: ApiWorkspace, now = Date.now()): string {
  const b = w.latest_build;
  if (!b) return '-';
  return `${b.transition} ${relative(b.completed_at ?? b.started_at ?? b.created_at, now)}`;
}

const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/**
 * Parses the autostart grammar of `coder schedule start`: `<hh:mm>[am|pm] [days] [zone]`,
 * e.g. `09:00 Mon-Fri Europe/Berlin`, `9:30am`, `18:00 sat,sun`. Days default to every day,
 * the zone to the user's. Returns `CRON_TZ=<zone> <min> <hour> * * <days>` or throws a message.
 */
export function parseAutostart(text: string, zone = userZone()): string {
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

/** Renders a stored cron (`CRON_TZ=Europe/Berlin 0 9 * * 1-5`) back into the grammar: `09:00 Mon-Fri Europe/Berlin`. */
export function describeAutostart(cron: string | null | undefined): string {
  if (!cron) return 'off';
  const m = /^(?:CRON_TZ=(\S+)\s+)?(\d+)\s+(\d+)\s+\*\s+\*\s+(\S+)$/.exec(cron.trim());
  if (!m) return cron;
  const [, tz = 'UTC', min, hour, days] = m;
  const name = (i: string) => { const n = DAY_NAMES[Number(i)]; return n ? n[0].toUpperCase() + n.slice(1) : i; };
  const d = days === '*' ? 'daily' : days.replace(/\d/g, name);
  return `${hour.padStart(2, '0')}:${min.padStart(2, '0')} ${d} ${tz}`;
}
