/**
 * CLI errors: every failure is one line — what failed, why, what to do — and an exit code
 * (1 = the operation failed, 2 = the command line was wrong). Stacks only with --debug.
 */
import { BerthApiError } from '@berth/backstage-plugin-common';

export const EXIT_OK = 0;
export const EXIT_ERROR = 1;
export const EXIT_USAGE = 2;

/** A failure with a hint for the user. `code` 2 marks a usage error. */
export class CliError extends Error {
  readonly hint?: string;
  readonly code: number;
  constructor(message: string, opts: { hint?: string; code?: number; cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.name = 'CliError';
    this.hint = opts.hint;
    this.code = opts.code ?? EXIT_ERROR;
  }
}

/** A bad flag, argument or value (exit code 2). */
export class UsageError extends CliError {
  constructor(message: string, hint?: string) {
    super(message, { hint, code: EXIT_USAGE });
    this.name = 'UsageError';
  }
}

/** What a user can do about an API error, by HTTP status. */
function hintFor(e: BerthApiError): string | undefined {
  if (e.status === 0) return 'check the URL (berth login <url>, or BERTH_URL) and that the Berth backend is running';
  if (e.status === 401) return 'log in again: berth login <url> --token <berth_…>';
  if (e.status === 403) return 'ask an admin for access, or check `berth whoami`';
  if (e.status === 404) return 'check the name with `berth ls` (or `berth templates ls`)';
  if (e.status === 409) return 'wait for the running build to finish (berth logs -f <workspace>) or cancel it (berth cancel <workspace>)';
  return undefined;
}

/** One line for stderr: `error: <what>: <why> (<hint>)`. */
export function formatError(what: string, e: unknown): { line: string; code: number } {
  if (e instanceof CliError) {
    return { line: `error: ${what ? `${what}: ` : ''}${e.message}${e.hint ? `; ${e.hint}` : ''}`, code: e.code };
  }
  if (e instanceof BerthApiError) {
    const hint = hintFor(e);
    const why = e.message.replace(/\s+/g, ' ').trim();
    return { line: `error: ${what ? `${what}: ` : ''}${why}${e.status ? ` (HTTP ${e.status})` : ''}${hint ? `; ${hint}` : ''}`, code: EXIT_ERROR };
  }
  const msg = e instanceof Error ? e.message : String(e);
  return { line: `error: ${what ? `${what}: ` : ''}${msg.replace(/\s+/g, ' ').trim()}. Run again with --debug for details`, code: EXIT_ERROR };
}
