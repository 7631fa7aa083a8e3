/**
 * Errors with the names Backstage's error classes use (InputError, NotFoundError, ConflictError,
 * NotAllowedError), so the API maps them to 400/404/409/403 one-to-one. `details` is optional,
 * machine-readable context (e.g. the parameter that failed).
 */
export class BerthError extends Error {
  constructor(name: 'InputError' | 'NotFoundError' | 'ConflictError' | 'NotAllowedError', message: string, readonly details?: Record<string, unknown>) {
    super(message);
    this.name = name;
  }
}
/** Bad input: nothing was changed. HTTP 400. */
export class InputError extends BerthError { constructor(m: string, d?: Record<string, unknown>) { super('InputError', m, d); } }
/** The target does not exist (or is deleted). HTTP 404. */
export class NotFoundError extends BerthError { constructor(m: string, d?: Record<string, unknown>) { super('NotFoundError', m, d); } }
/** The request conflicts with the current state (e.g. a build is already active). HTTP 409. */
export class ConflictError extends BerthError { constructor(m: string, d?: Record<string, unknown>) { super('ConflictError', m, d); } }
