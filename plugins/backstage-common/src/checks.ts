/**
 * Client-side pre-checks for forms (the TUI's create wizard, the Backstage create dialog), so a
 * user sees what is wrong while typing. The API re-checks everything and stays the authority:
 * these mirror its rules (workspace names as Coder's `NameValid`, lowercase; parameter type,
 * min/max and regex as lifecycle-semantics §3) and never accept more than it does.
 */
import type { ApiParameter } from './schemas';

const NAME_RE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** Null for a valid workspace name, else what is wrong (lowercase letters, digits, single hyphens, ≤ 32). */
export function checkWorkspaceName(name: string): string | null {
  if (!name) return 'a name is required';
  if (name.length > 32) return 'at most 32 characters';
  if (!NAME_RE.test(name)) return 'lowercase letters, digits and single hyphens, not at the start or end';
  return null;
}

/** Null when `value` (the API's string form) is acceptable for the parameter, else the message. */
export function checkParameter(p: ApiParameter, value: string): string | null {
  if (value === '' && p.required && p.default_value === null) return `${p.display_name || p.name} is required`;
  if (value === '') return null;
  if (p.type === 'number') {
    const n = Number(value);
    if (!Number.isFinite(n)) return 'must be a number';
    if (p.validation.min !== undefined && n < p.validation.min) return p.validation.error || `at least ${p.validation.min}`;
    if (p.validation.max !== undefined && n > p.validation.max) return p.validation.error || `at most ${p.validation.max}`;
  }
  if (p.type === 'bool' && !['true', 'false'].includes(value)) return 'true or false';
  if (p.options.length && p.type !== 'list(string)' && !p.options.some((o) => o.value === value)) return `one of ${p.options.map((o) => o.value).join(', ')}`;
  if (p.validation.regex) {
    try { if (!new RegExp(p.validation.regex).test(value)) return p.validation.error || `must match ${p.validation.regex}`; } catch { /* the API decides */ }
  }
  return null;
}
