/**
 * Coder-style workspace search (`owner:me template:docker status:running my-ws`), shared by the
 * API (which turns it into SQL), the card's search box and the TUI's `/` filter. Pure.
 *
 * Grammar, as in Coder's `workspaces?q=`: space-separated terms; a term `key:value` is a filter,
 * anything else is free text matched against workspace names (case-insensitive substring).
 * Values may be double-quoted (`template:"my template"`). Keys are case-insensitive. Repeating
 * a key ORs its values (`status:running status:stopped`).
 */
import { WORKSPACE_STATUSES } from './schemas';

/** A parsed workspace search. Empty arrays mean "no filter on this field". */
export interface WorkspaceSearch {
  /** Owner refs or names; `me` stands for the caller (resolved by the API). */
  owners: string[];
  /** Template names. */
  templates: string[];
  /** Catalog entity refs (`entity:component:default/shop`). */
  entities: string[];
  statuses: string[];
  /** Exact workspace names. */
  names: string[];
  /** true: only workspaces whose latest build is not on the active version; false: only current ones. */
  outdated: boolean | null;
  /** Free-text terms: each must appear in the workspace name. */
  text: string[];
}

/** Filter keys the search understands. */
export const SEARCH_KEYS = ['owner', 'template', 'entity', 'status', 'name', 'outdated'] as const;

/** Thrown by {@link parseWorkspaceSearch} for a malformed query; `message` says what to fix. */
export class SearchSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SearchSyntaxError';
  }
}

/** Splits a query into terms, keeping `key:"quoted value"` together. Throws on an unclosed quote. */
function terms(q: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  let hadQuote = false;
  for (const ch of q) {
    if (ch === '"') { quoted = !quoted; hadQuote = true; continue; }
    if (!quoted && /\s/.test(ch)) {
      if (cur || hadQuote) out.push(cur);
      cur = '';
      hadQuote = false;
      continue;
    }
    cur += ch;
  }
  if (quoted) throw new SearchSyntaxError('unclosed double quote in search');
  if (cur || hadQuote) out.push(cur);
  return out;
}

/**
 * Parses a workspace search. Throws {@link SearchSyntaxError} for an unknown key, an empty
 * value, an unknown status, a non-boolean `outdated`, an unclosed quote or a query over 1024
 * characters.
 */
export function parseWorkspaceSearch(q: string | undefined | null): WorkspaceSearch {
  const s: WorkspaceSearch = { owners: [], templates: [], entities: [], statuses: [], names: [], outdated: null, text: [] };
  if (q === undefined || q === null) return s;
  if (typeof q !== 'string') throw new SearchSyntaxError('search must be a string');
  if (q.length > 1024) throw new SearchSyntaxError('search is longer than 1024 characters');
  for (const term of terms(q)) {
    const i = term.indexOf(':');
    if (i <= 0) {
      if (term) s.text.push(term.toLowerCase());
      continue;
    }
    const key = term.slice(0, i).toLowerCase();
    const value = term.slice(i + 1);
    if (!value) throw new SearchSyntaxError(`search filter "${key}:" needs a value`);
    switch (key) {
      case 'owner': s.owners.push(value); break;
      case 'template': s.templates.push(value); break;
      case 'entity': s.entities.push(value); break;
      case 'name': s.names.push(value); break;
      case 'status': {
        const v = value.toLowerCase();
        if (!(WORKSPACE_STATUSES as readonly string[]).includes(v)) {
          throw new SearchSyntaxError(`unknown status "${value}": use one of ${WORKSPACE_STATUSES.join(', ')}`);
        }
        s.statuses.push(v);
        break;
      }
      case 'outdated': {
        const v = value.toLowerCase();
        if (v !== 'true' && v !== 'false') throw new SearchSyntaxError('outdated: takes true or false');
        s.outdated = v === 'true';
        break;
      }
      default:
        throw new SearchSyntaxError(`unknown search filter "${key}": use ${SEARCH_KEYS.map((k) => `${k}:`).join(' ')} or free text`);
    }
  }
  return s;
}

/** Renders a search back into a query string (normalised: lowercase keys, quoted values with spaces). */
export function formatWorkspaceSearch(s: WorkspaceSearch): string {
  const v = (x: string) => (/[\s"]/.test(x) ? `"${x.replace(/"/g, '')}"` : x);
  return [
    ...s.owners.map((o) => `owner:${v(o)}`), ...s.templates.map((t) => `template:${v(t)}`), ...s.entities.map((e) => `entity:${v(e)}`), ...s.statuses.map((x) => `status:${x}`),
    ...s.names.map((n) => `name:${v(n)}`), ...(s.outdated === null ? [] : [`outdated:${s.outdated}`]), ...s.text.map(v),
  ].join(' ');
}
