/**
 * Names of workspaces and templates: 1–32 characters, lowercase letters, digits and single
 * hyphens, not starting or ending with a hyphen (Coder's `codersdk/name.go` NameValid, which
 * Berth narrows to lowercase so names are the same in URLs, CLIs and catalogs).
 */
const NAME_RE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const NAME_MAX_LENGTH = 32;

/** Returns null for a valid name, else a message saying what is wrong with it. */
export function checkName(kind: 'workspace' | 'template', name: unknown): string | null {
  if (typeof name !== 'string' || name.length === 0) return `${kind} name is required`;
  if (name.length > NAME_MAX_LENGTH) return `${kind} name "${name}" is longer than ${NAME_MAX_LENGTH} characters`;
  if (!NAME_RE.test(name)) {
    return `${kind} name "${name}" is invalid: use lowercase letters, digits and single hyphens, not at the start or end`;
  }
  return null;
}

/**
 * Owners and initiators are entity refs such as `user:default/ana`: 1–256 characters, no
 * control characters (a NUL byte cannot be stored in Postgres text). Returns the problem or null.
 */
export function checkPrincipal(what: string, v: unknown): string | null {
  if (typeof v !== 'string' || v.length === 0) return `${what} is required`;
  if (v.length > 256) return `${what} is longer than 256 characters`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(v)) return `${what} contains a control character`;
  return null;
}

