/**
 * Formatting and parsing for the CLI and the TUI: the pure helpers shared with the Backstage
 * frontend plugin live in @berth/backstage-plugin-common (durations, times, the autostart
 * grammar); this module adds the user's zone from the environment.
 */
export {
  autostopText, describeAutostart, formatDuration, lastBuiltText, localTime, parseAutostart, parseDuration, parseScheduleFields, relative, scheduleFieldsOf,
} from '@berth/backstage-plugin-common';

/** The user's zone: `TZ`, else the runtime's, else UTC. */
export function userZone(env: NodeJS.ProcessEnv = process.env): string {
  return env.TZ || Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}
