/**
 * Template variable values of a build (plain values until typed parameters arrive): the
 * request's value wins, then the previous build's value; a variable with neither is left to the
 * template's own default. Values are strings (Coder stores build parameters as text).
 */
export type VariableValues = Record<string, string>;

const VAR_NAME_RE = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;
/** Variables starting with this prefix carry workspace metadata and cannot be set by users. */
export const RESERVED_VARIABLE_PREFIX = 'berth_';

/** Throws Error naming the first invalid variable name or non-string value. */
export function checkVariableValues(values: unknown): asserts values is VariableValues {
  if (values === null || typeof values !== 'object' || Array.isArray(values)) throw new Error('variables must be an object of name → string value');
  for (const [k, v] of Object.entries(values)) {
    if (!VAR_NAME_RE.test(k)) throw new Error(`invalid variable name "${k}"`);
    if (k.startsWith(RESERVED_VARIABLE_PREFIX)) throw new Error(`variable "${k}" is reserved: names starting with "${RESERVED_VARIABLE_PREFIX}" carry workspace metadata`);
    if (typeof v !== 'string') throw new Error(`variable "${k}" must be a string, got ${v === null ? 'null' : typeof v}`);
    if (v.length > 64 * 1024) throw new Error(`variable "${k}" is longer than 64 KiB`);
  }
}

/** Merges values for a new build: request > previous build. Returns a new object with sorted keys. */
export function resolveVariableValues(previous: VariableValues, requested: VariableValues | undefined): VariableValues {
  const merged: VariableValues = { ...previous, ...(requested ?? {}) };
  const out: VariableValues = {};
  for (const k of Object.keys(merged).sort()) out[k] = merged[k];
  return out;
}
