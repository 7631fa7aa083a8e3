/**
 * How activity errors become Temporal failures: Berth's typed errors (BerthError) and schedule
 * rule errors become non-retryable failures whose type is the error's name (InputError,
 * NotFoundError, ConflictError), and Postgres data/constraint errors (SQLSTATE classes 22 and
 * 23: retrying cannot help) a non-retryable InputError. Anything else (connection loss, …)
 * stays retryable.
 */
import { ApplicationFailure } from '@temporalio/common';
import { BerthError } from '../errors';
import { ScheduleError } from '../domain/schedule';

export function asFailure(e: unknown): unknown {
  if (e instanceof ScheduleError) {
    return ApplicationFailure.create({ type: e.status === 409 ? 'ConflictError' : 'InputError', message: e.message, nonRetryable: true, details: [{ code: e.code }] });
  }
  if (e instanceof BerthError) return ApplicationFailure.create({ type: e.name, message: e.message, nonRetryable: true, details: e.details ? [e.details] : undefined });
  const code = (e as { code?: unknown })?.code;
  if (typeof code === 'string' && /^2[23]/.test(code)) {
    return ApplicationFailure.create({ type: 'InputError', message: `the database refused the value: ${(e as Error).message.split('\n')[0].replace(/^.* - /, '')}`, nonRetryable: true });
  }
  return e;
}
