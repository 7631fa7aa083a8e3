/**
 * Tables the HTTP API owns: personal API tokens, the audit log, and the workspace search behind
 * `GET /workspaces` (one query with each workspace's latest build, filtered and paged in SQL).
 */
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { Db } from './connection';
import type { Workspace } from '../types';
import { InputError, NotFoundError } from '../errors';
import { BUILD_SELECT, toBuild, toWorkspace } from './builds';
import { isUuid } from './ids';

type Row = Record<string, any>;

// ---- API tokens -----------------------------------------------------------------------------

/** A personal API token as listed (never with its secret). Times are Dates. */
export interface ApiTokenRecord {
  id: string;
  name: string;
  owner: string;
  ownershipRefs: string[];
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

/** Prefix of every Berth API token secret (`berth_<43 url-safe chars>`): lets the API tell it from a Backstage token. */
export const API_TOKEN_PREFIX = 'berth_';

/** SHA-256 of a secret, hex: what the table stores. */
export function hashApiToken(secret: string): string {
  return crypto.createHash('sha256').update(secret, 'utf8').digest('hex');
}

function toToken(r: Row): ApiTokenRecord {
  return {
    id: r.id, name: r.name, owner: r.owner, ownershipRefs: r.ownership_refs ?? [], createdAt: r.created_at,
    lastUsedAt: r.last_used_at, expiresAt: r.expires_at, revokedAt: r.revoked_at,
  };
}

/**
 * Creates a token for `owner`, acting with `ownershipRefs` (the creator's user and group refs).
 * Returns the record and the secret — the only time the secret exists outside the caller.
 * Throws InputError when the owner already has a live token of that name.
 */
export async function createApiToken(db: Db, input: { owner: string; name: string; ownershipRefs: string[]; lifetimeMs: number; now?: number }): Promise<{ token: ApiTokenRecord; secret: string }> {
  const secret = `${API_TOKEN_PREFIX}${crypto.randomBytes(32).toString('base64url')}`;
  const now = input.now ?? Date.now();
  try {
    const [row] = await db('api_tokens').insert({
      name: input.name, owner: input.owner, hashed_secret: hashApiToken(secret), ownership_refs: JSON.stringify(input.ownershipRefs),
      created_at: new Date(now), expires_at: new Date(now + input.lifetimeMs),
    }).returning('*');
    return { token: toToken(row), secret };
  } catch (e) {
    if ((e as { code?: string }).code === '23505') throw new InputError(`you already have a token named "${input.name}": revoke it or pick another name`);
    throw e;
  }
}

/** The live (not revoked, not expired) token with this secret, or null. Records its use (at most once a minute). */
export async function findLiveApiToken(db: Db, secret: string, now = Date.now()): Promise<ApiTokenRecord | null> {
  if (typeof secret !== 'string' || !secret.startsWith(API_TOKEN_PREFIX) || secret.length > 200) return null;
  const row = await db('api_tokens').where({ hashed_secret: hashApiToken(secret) }).whereNull('revoked_at').first();
  if (!row) return null;
  if (row.expires_at && row.expires_at.getTime() <= now) return null;
  if (!row.last_used_at || now - row.last_used_at.getTime() > 60_000) {
    await db('api_tokens').where({ id: row.id }).update({ last_used_at: new Date(now) });
  }
  return toToken(row);
}

/** Tokens of `owner`, newest first (revoked ones included, marked). */
export async function listApiTokens(db: Db, owner: string): Promise<ApiTokenRecord[]> {
  return (await db('api_tokens').where({ owner }).orderBy('created_at', 'desc')).map(toToken);
}

/** Revokes one of `owner`'s tokens. NotFoundError when it is not theirs or does not exist; revoking twice is a no-op. */
export async function revokeApiToken(db: Db, owner: string, id: string, now = Date.now()): Promise<ApiTokenRecord> {
  if (!isUuid(id)) throw new NotFoundError(`token ${id} not found`);
  const row = await db('api_tokens').where({ id, owner }).first();
  if (!row) throw new NotFoundError(`token ${id} not found`);
  if (row.revoked_at) return toToken(row);
  const [updated] = await db('api_tokens').where({ id }).update({ revoked_at: new Date(now) }).returning('*');
  return toToken(updated);
}

// ---- audit log ------------------------------------------------------------------------------

/** One audited API call. */
export interface AuditEntry {
  id: string;
  time: Date;
  actor: string;
  action: string;
  targetType: string;
  targetId: string | null;
  result: 'succeeded' | 'failed';
  statusCode: number;
  details: Record<string, unknown>;
}

/** Writes an audit row (who, what, target, result). */
export async function insertAuditEntry(db: Db, e: Omit<AuditEntry, 'id' | 'time'> & { time?: Date }): Promise<void> {
  await db('audit_log').insert({
    time: e.time ?? new Date(), actor: e.actor, action: e.action, target_type: e.targetType, target_id: e.targetId,
    result: e.result, status_code: e.statusCode, details: JSON.stringify(e.details ?? {}),
  });
}

/** Audit rows, newest first; `actor`/`targetId` filter; limit 1–1000 (default 100). */
export async function listAuditEntries(db: Db, filter: { actor?: string; targetId?: string; limit?: number } = {}): Promise<AuditEntry[]> {
  const q = db('audit_log').orderBy([{ column: 'time', order: 'desc' }, { column: 'id', order: 'desc' }]).limit(Math.min(Math.max(filter.limit ?? 100, 1), 1000));
  if (filter.actor) q.where('actor', filter.actor);
  if (filter.targetId) q.where('target_id', filter.targetId);
  return (await q).map((r: Row) => ({
    id: r.id, time: r.time, actor: r.actor, action: r.action, targetType: r.target_type, targetId: r.target_id,
    result: r.result, statusCode: r.status_code, details: r.details ?? {},
  }));
}

/** Live workspaces per status (for the API's metrics), one SQL statement. */
export async function countWorkspacesByStatus(db: Db): Promise<Record<string, number>> {
  const rows: Row[] = await db.raw(`SELECT ${STATUS_SQL} AS status, count(*)::int AS n FROM workspaces w
    LEFT JOIN LATERAL (SELECT b.id AS lb_id, j.job_status AS lb_job_status, b.transition AS lb_transition FROM workspace_builds b
      JOIN provisioner_jobs j ON j.id = b.job_id WHERE b.workspace_id = w.id ORDER BY b.build_number DESC LIMIT 1) lb ON true
    WHERE NOT w.deleted GROUP BY 1`).then((r: { rows: Row[] }) => r.rows);
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

/** Number of rows in each of Berth's tables (the fuzz tests use it to prove nothing changed). */
export async function tableCounts(db: Db): Promise<Record<string, number>> {
  const tables = ['templates', 'template_versions', 'workspaces', 'workspace_builds', 'provisioner_jobs', 'build_parameters', 'api_tokens', 'users', 'parameter_value_stash'];
  const out: Record<string, number> = {};
  for (const t of tables) out[t] = Number((await db(t).count({ n: '*' }).first())?.n ?? 0);
  return out;
}

// ---- workspace search -----------------------------------------------------------------------

/**
 * Which owners' workspaces a caller may see: the query form of the permission framework's
 * conditions (`IS_WORKSPACE_OWNER` → `{ owners }`) combined with anyOf / allOf / not.
 */
export type OwnerCriteria = { owners: string[] } | { anyOf: OwnerCriteria[] } | { allOf: OwnerCriteria[] } | { not: OwnerCriteria };

function applyCriteria(qb: Knex.QueryBuilder, c: OwnerCriteria): void {
  if ('owners' in c) {
    if (c.owners.length) qb.whereIn('w.owner', c.owners);
    else qb.whereRaw('false');
  } else if ('anyOf' in c) {
    if (!c.anyOf.length) qb.whereRaw('false');
    else qb.where((o) => { for (const x of c.anyOf) o.orWhere((i) => applyCriteria(i, x)); });
  } else if ('allOf' in c) {
    for (const x of c.allOf) qb.where((i) => applyCriteria(i, x));
  } else {
    qb.whereNot((i) => applyCriteria(i, c.not));
  }
}

/** A resolved workspace search (see @berth/backstage-plugin-common parseWorkspaceSearch). Empty arrays: no filter. */
export interface WorkspaceQuery {
  /** Owner refs (`user:default/ana`) or bare names (`ana`, matching any namespace). */
  owners?: string[];
  templates?: string[];
  /** Catalog entity refs the workspaces were created for. */
  entities?: string[];
  statuses?: string[];
  names?: string[];
  /** Each term must appear in the name (case-insensitive). */
  text?: string[];
  outdated?: boolean | null;
  includeDeleted?: boolean;
  /** Only workspaces these owner criteria allow (the caller's read permission, from the permission framework), or null for all. */
  readable?: OwnerCriteria | null;
  /** 1–500, default 50. */
  limit?: number;
  offset?: number;
}

/** One search hit: the workspace and its template's active version (to tell "outdated"). */
export interface WorkspaceHit { workspace: Workspace; templateActiveVersionId: string | null }

const STATUS_SQL = `CASE WHEN w.deleted THEN 'deleted' WHEN lb.lb_id IS NULL THEN 'pending'
  WHEN lb.lb_job_status IN ('pending','canceling','canceled','failed') THEN lb.lb_job_status
  WHEN lb.lb_job_status = 'running' THEN (CASE lb.lb_transition WHEN 'start' THEN 'starting' WHEN 'stop' THEN 'stopping' ELSE 'deleting' END)
  ELSE (CASE lb.lb_transition WHEN 'start' THEN 'running' WHEN 'stop' THEN 'stopped' ELSE 'deleted' END) END`;

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * Workspaces matching `query`, ordered by owner then name, with the total count before paging.
 * Three statements (count, page ids, the page's rows with their latest build from a LATERAL join).
 */
export async function searchWorkspaces(db: Db, query: WorkspaceQuery): Promise<{ hits: WorkspaceHit[]; count: number }> {
  const limit = Math.min(Math.max(query.limit ?? 50, 1), 500);
  const offset = Math.max(query.offset ?? 0, 0);
  const latestCols = BUILD_SELECT.map((c) => {
    const [expr, alias] = c.split(' as ');
    const name = alias ?? expr.split('.')[1];
    return `${expr} AS lb_${name}`;
  }).join(', ');
  const lateral = () => db.raw(`LATERAL (SELECT ${latestCols}, (b.provisioner_state IS NOT NULL) AS lb_has_state
    FROM workspace_builds b JOIN provisioner_jobs j ON j.id = b.job_id WHERE b.workspace_id = w.id ORDER BY b.build_number DESC LIMIT 1) lb`);
  // Filters on the latest build (status, outdated) need it for every candidate; the others do not,
  // so then only the page's rows get their latest build (10,000 workspaces: one page, not all).
  const needsLatest = Boolean(query.statuses?.length) || query.outdated === true || query.outdated === false;
  const base = db('workspaces as w').join('templates as t', 't.id', 'w.template_id');
  if (needsLatest) base.joinRaw('LEFT JOIN ? ON true', [lateral()]);
  if (!query.includeDeleted) base.where('w.deleted', false);
  if (query.readable) base.where((i) => applyCriteria(i, query.readable as OwnerCriteria));
  if (query.owners?.length) {
    base.where((o) => {
      for (const owner of query.owners ?? []) {
        if (owner.includes(':')) o.orWhere('w.owner', owner);
        else o.orWhere('w.owner', 'like', `%/${likeEscape(owner)}`);
      }
    });
  }
  if (query.templates?.length) base.whereIn('t.name', query.templates);
  if (query.entities?.length) base.whereIn('w.entity_ref', query.entities);
  if (query.names?.length) base.whereIn('w.name', query.names);
  for (const term of query.text ?? []) base.where('w.name', 'ilike', `%${likeEscape(term)}%`);
  if (query.statuses?.length) base.whereRaw(`(${STATUS_SQL}) = ANY(?)`, [query.statuses]);
  if (query.outdated === true) base.whereRaw('lb.lb_template_version_id IS DISTINCT FROM t.active_version_id AND lb.lb_id IS NOT NULL');
  if (query.outdated === false) base.whereRaw('(lb.lb_id IS NULL OR lb.lb_template_version_id = t.active_version_id)');
  const [countRow, pageRows] = await Promise.all([
    base.clone().count({ n: '*' }).first(),
    base.clone().select('w.id').orderBy([{ column: 'w.owner' }, { column: 'w.name' }, { column: 'w.id' }]).limit(limit).offset(offset),
  ]);
  const count = Number((countRow as Row | undefined)?.n ?? 0);
  const ids = (pageRows as Row[]).map((r) => r.id as string);
  if (!ids.length) return { hits: [], count };
  const rows: Row[] = await db('workspaces as w').join('templates as t', 't.id', 'w.template_id').joinRaw('LEFT JOIN ? ON true', [lateral()])
    .whereIn('w.id', ids).select('w.*', 't.name as template_name', 't.active_version_id as template_active_version_id', 'lb.*');
  const byId = new Map(rows.map((r) => [r.id as string, r]));
  const hits = ids.map((id) => byId.get(id) as Row).filter(Boolean).map((r) => {
    let latest = null;
    if (r.lb_id) {
      const b: Row = {};
      for (const [k, v] of Object.entries(r)) if (k.startsWith('lb_')) b[k.slice(3)] = v;
      latest = toBuild(b);
    }
    return { workspace: toWorkspace(r, latest), templateActiveVersionId: r.template_active_version_id as string | null };
  });
  return { hits, count };
}
