/**
 * Autostart schedules: Coder's weekly cron `[CRON_TZ=<IANA zone>] <minute> <hour> * * <day-of-week>`
 * (reference/lifecycle-semantics.md §2.1, `coderd/schedule/cron/cron.go`): day-of-month and
 * month must be `*`, no descriptors, a missing zone means UTC. Pure and workflow-safe: it imports
 * cron-parser's expression parser directly (its index also pulls in a file reader).
 */
import { CronExpressionParser } from 'cron-parser/dist/CronExpressionParser';

export interface AutostartSchedule {
  /** IANA time zone the schedule runs in. */
  timezone: string;
  /** The five cron fields, e.g. `30 9 * * 1-5`. */
  cron: string;
  /** `CRON_TZ=<zone> <cron>`, the stored form (Coder's String()). */
  normalized: string;
}

/** True when `zone` is an IANA time zone the runtime knows. */
export function isValidTimeZone(zone: string): boolean {
  if (!zone || zone === 'Local') return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * Parses and validates a weekly autostart schedule. Throws Error with a message saying what is
 * wrong (unknown zone, not 5 fields, day-of-month/month not `*`, a descriptor, a bad field).
 */
export function parseAutostartSchedule(text: string): AutostartSchedule {
  if (typeof text !== 'string' || !text.trim()) throw new Error('autostart schedule is empty');
  let rest = text.trim();
  let timezone = 'UTC';
  const m = /^CRON_TZ=(\S+)\s+(.*)$/.exec(rest);
  if (m) {
    timezone = m[1];
    rest = m[2].trim();
  } else if (rest.startsWith('CRON_TZ=')) {
    throw new Error(`invalid autostart schedule "${text}": CRON_TZ=<zone> must be followed by the cron fields`);
  }
  if (!isValidTimeZone(timezone)) throw new Error(`invalid autostart schedule "${text}": unknown time zone "${timezone}" (use an IANA name such as Europe/Berlin)`);
  if (rest.startsWith('@')) throw new Error(`invalid autostart schedule "${text}": descriptors such as ${rest.split(/\s/)[0]} are not supported; use "<minute> <hour> * * <days>"`);
  const fields = rest.split(/\s+/);
  if (fields.length !== 5) throw new Error(`invalid autostart schedule "${text}": expected 5 fields "<minute> <hour> * * <days>", got ${fields.length}`);
  if (fields[2] !== '*' || fields[3] !== '*') throw new Error(`invalid autostart schedule "${text}": expected day-of-month and month to be *`);
  try {
    CronExpressionParser.parse(fields.join(' '), { tz: timezone, strict: false });
  } catch (e) {
    throw new Error(`invalid autostart schedule "${text}": ${(e as Error).message}`);
  }
  const cron = fields.join(' ');
  return { timezone, cron, normalized: `CRON_TZ=${timezone} ${cron}` };
}
