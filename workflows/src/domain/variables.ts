/**
 * The shape of parameter values in requests: names → string values (Coder stores build
 * parameters as text). The rules for resolving them live in parameters.ts.
 */
export type VariableValues = Record<string, string>;

const VAR_NAME_RE = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;
/** Variables starting with this prefix carry workspace metadata and cannot be set by users. */
export const RESERVED_VARIABLE_PREFIX = 'berth_';

/** Throws Error naming the first invalid parameter name or non-string value. */
export function checkVariableValues(values: unknown): asserts values is VariableValues {
  if (values === null || typeof values !== 'object' || Array.isArray(values)) throw new Error('parameters must be an object of name → string value');
  for (const [k, v] of Object.entries(values)) {
    if (!VAR_NAME_RE.test(k)) throw new Error(`invalid parameter name "${k}"`);
    if (k.startsWith(RESERVED_VARIABLE_PREFIX)) throw new Error(`parameter "${k}" is reserved: names starting with "${RESERVED_VARIABLE_PREFIX}" carry workspace metadata`);
    if (typeof v !== 'string') throw new Error(`parameter "${k}" must be a string, got ${v === null ? 'null' : typeof v}`);
    if (v.length > 64 * 1024) throw new Error(`parameter "${k}" is longer than 64 KiB`);
    if (v.includes('\u0000')) throw new Error(`parameter "${k}" contains a NUL byte`);
  }
}
