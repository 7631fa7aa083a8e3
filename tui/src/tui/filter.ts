/** The `/` filter: the same Coder-style search as the API, applied to the loaded rows. */
import { parseWorkspaceSearch, type ApiWorkspace } from '@berth/backstage-plugin-common';

/** Returns a predicate, or an error message for a malformed query. */
export function workspaceFilter(q: string): ((w: ApiWorkspace) => boolean) | string {
  if (!q.trim()) return () => true;
  let s;
  try {
    s = parseWorkspaceSearch(q);
  } catch (e) {
    return (e as Error).message;
  }
  const short = (ref: string) => ref.replace(/^user:[^/]*\//, '');
  return (w) =>
    (!s.owners.length || s.owners.some((o) => o === 'me' || o === w.owner || o === short(w.owner))) &&
    (!s.templates.length || s.templates.includes(w.template_name)) &&
    (!s.statuses.length || s.statuses.includes(w.status)) &&
    (!s.names.length || s.names.includes(w.name)) &&
    (s.outdated === null || w.outdated === s.outdated) &&
    s.text.every((t) => w.name.toLowerCase().includes(t));
}
