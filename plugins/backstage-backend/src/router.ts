/**
 * The Berth API router: mounts every route of BERTH_ROUTES (from -common) with its request
 * validation, authentication (Backstage credentials or a Berth API token), authorization
 * (the permission framework, or Berth's rules for tokens), an audit row for every mutating
 * call, and Backstage-shaped error bodies `{ error: { name, message, details } }`.
 */
import express, { type Request, type Response } from 'express';
import Router from 'express-promise-router';
import type { HttpAuthService, LoggerService, PermissionsService, UserInfoService, BackstageCredentials, BackstageUserPrincipal } from '@backstage/backend-plugin-api';
import { AuthorizeResult, type ResourcePermission, type BasicPermission, type PermissionCriteria } from '@backstage/plugin-permission-common';
import { createConditionTransformer, type PermissionRuleset } from '@backstage/plugin-permission-node';
import { WorkflowNotFoundError } from '@temporalio/client';
import { z } from 'zod';
import * as api from '@berth/backstage-plugin-common';
import {
  BERTH_ROUTES, berthTemplateManagePermission, berthWorkspaceCreatePermission, berthWorkspaceDeletePermission, berthWorkspaceReadPermission,
  berthWorkspaceUpdatePermission, openApiDocument, parseWorkspaceSearch, SearchSyntaxError, type RouteSpec,
} from '@berth/backstage-plugin-common';
import {
  API_TOKEN_PREFIX, buildWorkflowId, createApiToken, findLiveApiToken, insertAuditEntry, isActiveJob, listApiTokens, listAuditEntries, parseTags,
  revokeApiToken, searchWorkspaces, workspaceWorkflowId, type BerthClient, type Db, type OwnerCriteria, type Workspace,
} from '@berth/workflows';
import { decideBerthPermission, isBerthAdmin, type WorkspaceOwnerQuery, type WorkspaceResource } from './policy';
import * as map from './mappers';
import { historyJson, historyTimeline, temporalUiUrl } from './history';
import type { ApiMetrics } from './metrics';

/** Settings the router needs (from `berth.*` config). */
export interface BerthRouterConfig {
  adminGroups: string[];
  temporalNamespace: string;
  /** Base URL of the Temporal Web UI, for deep links. */
  temporalUiUrl: string;
  /** Largest accepted template archive upload (bytes). */
  maxArchiveBytes: number;
  /** SSE: how often the log follower polls for new lines (ms). */
  logPollMs: number;
}

export interface BerthRouterOptions {
  logger: LoggerService;
  httpAuth: HttpAuthService;
  userInfo: UserInfoService;
  permissions: PermissionsService;
  ruleset: PermissionRuleset<WorkspaceResource, WorkspaceOwnerQuery>;
  berth: BerthClient;
  db: Db;
  config: BerthRouterConfig;
  metrics: ApiMetrics;
  /** Checks the database and Temporal for /health; resolves with per-dependency status. */
  health(): Promise<{ database: string; temporal: string }>;
}

/** Who is calling. `credentials` only for Backstage callers. */
export interface Caller {
  userRef: string;
  ownershipRefs: string[];
  admin: boolean;
  via: 'backstage' | 'token';
  credentials?: BackstageCredentials<BackstageUserPrincipal>;
}

/** An error with an HTTP status and Backstage error name. */
class HttpError extends Error {
  constructor(readonly status: number, name: string, message: string, readonly details?: Record<string, unknown>) {
    super(message);
    this.name = name;
  }
}

const STATUS_BY_NAME: Record<string, number> = {
  InputError: 400, AuthenticationError: 401, NotAllowedError: 403, NotFoundError: 404, ConflictError: 409, PayloadTooLargeError: 413,
  UnsupportedMediaTypeError: 415, ServiceUnavailableError: 503,
};

/** zod issues as one readable line: `name: Too small: expected string to have >=1 characters; …`. */
function zodMessage(where: string, e: z.ZodError): string {
  return e.issues.slice(0, 5).map((i) => {
    const path = i.path.map(String).join('.');
    const msg = i.code === 'unrecognized_keys' ? `unknown field(s) ${(i as { keys: string[] }).keys.map((k) => `"${k}"`).join(', ')}` : i.message;
    return `${where}${path ? `.${path}` : ''}: ${msg}`;
  }).join('; ');
}

function parseWith<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new HttpError(400, 'InputError', zodMessage(where, r.error), { issues: r.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })) });
  return r.data;
}

/** Maps any thrown value to status, name, message, details. Unknown errors are 500s (logged by the caller). */
function classify(e: unknown): { status: number; name: string; message: string; details?: Record<string, unknown> } {
  if (e instanceof HttpError) return { status: e.status, name: e.name, message: e.message, details: e.details };
  const err = e as { name?: string; message?: string; details?: Record<string, unknown>; type?: string; status?: number; statusCode?: number };
  if (err && typeof err === 'object') {
    if (err.type === 'entity.too.large') return { status: 413, name: 'PayloadTooLargeError', message: 'request body is too large' };
    if (err.type === 'entity.parse.failed') return { status: 400, name: 'InputError', message: `request body is not valid JSON: ${err.message}` };
    if (err.type === 'encoding.unsupported' || err.type === 'charset.unsupported') return { status: 415, name: 'UnsupportedMediaTypeError', message: err.message ?? 'unsupported encoding' };
    if (typeof err.status === 'number' && err.status >= 400 && err.status < 500 && err.type) return { status: err.status, name: 'InputError', message: err.message ?? 'bad request' };
    if (e instanceof WorkflowNotFoundError) return { status: 404, name: 'NotFoundError', message: `workflow not found: ${err.message}` };
    if (err.name && STATUS_BY_NAME[err.name]) {
      const details = err.details && typeof err.details === 'object' && !Array.isArray(err.details) ? err.details : undefined;
      return { status: STATUS_BY_NAME[err.name], name: err.name, message: err.message ?? err.name, details };
    }
    if (/UNAVAILABLE|ECONNREFUSED|Connection refused|failed to connect/i.test(err.message ?? '')) {
      return { status: 503, name: 'ServiceUnavailableError', message: `a dependency is unavailable: ${err.message}` };
    }
  }
  return { status: 500, name: 'Error', message: 'internal error (logged on the server)' };
}

function sendError(req: Request, res: Response, c: { status: number; name: string; message: string; details?: Record<string, unknown> }): void {
  if (res.headersSent) return;
  res.status(c.status).json({
    error: { name: c.name, message: c.message, ...(c.details ? { details: c.details } : {}) },
    request: { method: req.method, url: req.originalUrl }, response: { statusCode: c.status },
  });
}

/** Permission criteria (from the framework's conditions) → the SQL-side owner criteria. */
function toOwnerCriteria(c: PermissionCriteria<WorkspaceOwnerQuery>): OwnerCriteria {
  if ('anyOf' in c) return { anyOf: c.anyOf.map(toOwnerCriteria) };
  if ('allOf' in c) return { allOf: c.allOf.map(toOwnerCriteria) };
  if ('not' in c) return { not: toOwnerCriteria(c.not) };
  return { owners: [...c.owners] };
}

/** Postgres text cannot hold NUL: refuse it anywhere in the path, query or JSON body up front (400). */
function rejectNulBytes(req: Request): void {
  const has = (v: unknown, depth = 0): boolean => {
    if (typeof v === 'string') return v.includes('\u0000');
    if (depth > 20 || v === null || typeof v !== 'object' || Buffer.isBuffer(v)) return false;
    return Object.entries(v as Record<string, unknown>).some(([k, x]) => k.includes('\u0000') || has(x, depth + 1));
  };
  if (has(req.params) || has(req.query) || has(req.body)) throw new HttpError(400, 'InputError', 'the request contains a NUL byte (\\u0000), which Berth cannot store');
}

const boolParam = (v: string | undefined) => v === 'true' || v === '1';

/** Builds the express router. */
export async function createRouter(o: BerthRouterOptions): Promise<express.Router> {
  const router = Router();
  const toCriteria = createConditionTransformer(o.ruleset);
  const jsonBody = express.json({ limit: '1mb', strict: true, type: ['application/json', 'application/*+json'] });
  const rawBody = express.raw({ type: () => true, limit: o.config.maxArchiveBytes });

  // ---- authentication and authorization

  async function authenticate(req: Request): Promise<Caller> {
    const header = req.headers.authorization;
    const bearer = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] : undefined;
    if (bearer?.startsWith(API_TOKEN_PREFIX)) {
      const t = await findLiveApiToken(o.db, bearer);
      if (!t) throw new HttpError(401, 'AuthenticationError', 'the Berth API token is invalid, expired or revoked: create a new one with `berth login`');
      return { userRef: t.owner, ownershipRefs: t.ownershipRefs, admin: isBerthAdmin(t.ownershipRefs, o.config.adminGroups), via: 'token' };
    }
    let credentials: BackstageCredentials<BackstageUserPrincipal>;
    try {
      credentials = await o.httpAuth.credentials(req, { allow: ['user'] });
    } catch (e) {
      const name = (e as Error).name;
      if (name === 'NotAllowedError') throw new HttpError(403, 'NotAllowedError', 'the Berth API needs a user: service credentials are not accepted');
      throw new HttpError(401, 'AuthenticationError', header ? 'the Backstage token is invalid or expired: sign in again' : 'sign in: send a Backstage token or a Berth API token as `Authorization: Bearer …`');
    }
    const info = await o.userInfo.getUserInfo(credentials);
    const refs = [...new Set([info.userEntityRef, ...(info.ownershipEntityRefs ?? [])])];
    return { userRef: info.userEntityRef, ownershipRefs: refs, admin: isBerthAdmin(refs, o.config.adminGroups), via: 'backstage', credentials };
  }

  const verbs: Record<string, string> = { 'berth.workspace.read': 'read', 'berth.workspace.update': 'change', 'berth.workspace.delete': 'delete', 'berth.workspace.create': 'create workspaces', 'berth.template.manage': 'manage templates' };

  /** Throws 403 unless `caller` holds `permission` (on `ws` for workspace permissions). */
  async function authorize(caller: Caller, permission: ResourcePermission | BasicPermission, ws?: Workspace): Promise<void> {
    let allowed: boolean;
    if (caller.via === 'token' || !caller.credentials) {
      const d = decideBerthPermission(permission.name, caller.ownershipRefs, o.config.adminGroups);
      allowed = d === 'allow' || (d === 'owner' && !!ws && caller.ownershipRefs.includes(ws.owner));
    } else {
      const request = ws ? { permission: permission as ResourcePermission, resourceRef: ws.id } : { permission: permission as BasicPermission };
      const [d] = await o.permissions.authorize([request], { credentials: caller.credentials });
      allowed = d.result === AuthorizeResult.ALLOW;
    }
    if (!allowed) {
      const what = verbs[permission.name] ?? permission.name;
      throw new HttpError(403, 'NotAllowedError', ws
        ? `${caller.userRef} may not ${what} workspace ${ws.owner}/${ws.name}: only its owner or a Berth admin may`
        : `${caller.userRef} may not ${what}${permission.name === 'berth.template.manage' ? ': only Berth admins may' : ''}`);
    }
  }

  /** The owner criteria for listing: null = every workspace. */
  async function readable(caller: Caller): Promise<OwnerCriteria | null> {
    if (caller.via === 'token' || !caller.credentials) {
      const d = decideBerthPermission(berthWorkspaceReadPermission.name, caller.ownershipRefs, o.config.adminGroups);
      return d === 'allow' ? null : d === 'owner' ? { owners: caller.ownershipRefs } : { owners: [] };
    }
    const [d] = await o.permissions.authorizeConditional([{ permission: berthWorkspaceReadPermission }], { credentials: caller.credentials });
    if (d.result === AuthorizeResult.ALLOW) return null;
    if (d.result === AuthorizeResult.DENY) return { owners: [] };
    return toOwnerCriteria(toCriteria((d as { conditions: Parameters<typeof toCriteria>[0] }).conditions) as PermissionCriteria<WorkspaceOwnerQuery>);
  }

  // ---- helpers

  async function workspaceFor(caller: Caller, id: string, permission: ResourcePermission): Promise<Workspace> {
    const ws = await o.berth.getWorkspace(id);
    await authorize(caller, permission, ws);
    return ws;
  }
  const buildNumberOf = (raw: string): number => {
    const n = Number(raw);
    if (!/^\d{1,10}$/.test(raw) || !Number.isSafeInteger(n) || n < 1 || n > 2_147_483_647) throw new HttpError(404, 'NotFoundError', `build #${raw} not found`);
    return n;
  };
  async function versionOf(template: string, version: string) {
    const t = await o.berth.getTemplate(template);
    const v = await o.berth.getTemplateVersion(version, t.id);
    if (v.templateId !== t.id) throw new HttpError(404, 'NotFoundError', `template version ${version} not found in template ${t.name}`);
    return { t, v };
  }
  async function workspaceAnswer(ws: Workspace): Promise<api.ApiWorkspace> {
    const t = await o.berth.getTemplate(ws.templateId);
    return map.toApiWorkspace(ws, t.activeVersionId);
  }
  async function scheduleAnswer(id: string): Promise<api.ApiSchedule> {
    const ws = await o.berth.getWorkspace(id);
    const b = ws.latestBuild;
    const running = b && b.transition === 'start' && (b.jobStatus === 'succeeded' || isActiveJob(b.jobStatus));
    let next: api.ApiSchedule['next_lifecycle'] = null;
    if (!ws.deleted) {
      try {
        const d = await o.berth.describe(id);
        if (d.nextLifecycle) next = { rule: d.nextLifecycle.rule, transition: d.nextLifecycle.transition, reason: d.nextLifecycle.reason, due_at: new Date(d.nextLifecycle.dueAt).toISOString(), explanation: d.nextLifecycle.explanation };
      } catch (e) {
        o.logger.debug(`describe ${id} failed: ${(e as Error).message}`);
      }
    }
    return {
      autostart_schedule: ws.autostartSchedule, ttl_ms: ws.ttlMs,
      deadline: running && b?.deadline ? new Date(b.deadline).toISOString() : null,
      max_deadline: running && b?.maxDeadline ? new Date(b.maxDeadline).toISOString() : null,
      next_lifecycle: next,
    };
  }
  async function historyAnswer(req: Request, workflowId: string): Promise<unknown> {
    const q = parseWith(api.historyQuerySchema, req.query, 'query');
    const handle = o.berth.temporal.workflow.getHandle(workflowId);
    let runId: string | null = null;
    try {
      runId = (await handle.describe()).runId;
    } catch (e) {
      if (e instanceof WorkflowNotFoundError) throw new HttpError(404, 'NotFoundError', `no Temporal history for ${workflowId}`);
      throw e;
    }
    const history = await handle.fetchHistory();
    if (q.format === 'raw') return historyJson(history);
    return { workflow_id: workflowId, run_id: runId, temporal_ui_url: temporalUiUrl(o.config.temporalUiUrl, o.config.temporalNamespace, workflowId, runId), events: historyTimeline(history) };
  }

  /** Streams a build's log as Server-Sent Events until the build ends (or the client leaves). */
  async function followLogs(req: Request, res: Response, workspaceId: string, buildNumber: number, after: number): Promise<void> {
    const build = await o.berth.getBuild(workspaceId, buildNumber);
    res.status(200).set({ 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache, no-transform', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    res.flushHeaders();
    let closed = false;
    // The response's close: the client went away (or we ended it). Not the request's, which may
    // fire as soon as a GET's (empty) body has been read.
    res.on('close', () => { closed = true; });
    let seq = after;
    let lastWrite = Date.now();
    res.write(': berth build log\n\n');
    while (!closed) {
      const current = await o.berth.getBuild(workspaceId, buildNumber);
      const lines = await o.berth.getJobLogs(build.jobId, seq);
      for (const l of lines) {
        res.write(`id: ${l.seq}\nevent: log\ndata: ${JSON.stringify(map.toApiLog(l))}\n\n`);
        seq = l.seq;
        lastWrite = Date.now();
      }
      if (!isActiveJob(current.jobStatus) && lines.length === 0) {
        res.write(`event: end\ndata: ${JSON.stringify({ job_status: current.jobStatus, status: current.status, error: current.error, last_seq: seq })}\n\n`);
        break;
      }
      if (Date.now() - lastWrite > 15_000) {
        res.write(': keep-alive\n\n');
        lastWrite = Date.now();
      }
      if (lines.length === 0) await new Promise((r) => setTimeout(r, o.config.logPollMs));
    }
    res.end();
  }

  // ---- handlers, by route id

  type Ctx = { req: Request; res: Response; caller: Caller; audit: { targetType: string; targetId: string | null; details: Record<string, unknown> } };
  type Handler = (ctx: Ctx) => Promise<unknown>;
  const p = (req: Request, name: string) => String(req.params[name]);

  const handlers: Record<string, Handler> = {
    whoami: async ({ caller }) => ({ user: caller.userRef, ownership: caller.ownershipRefs, admin: caller.admin, via: caller.via }),

    listTemplates: async () => (await o.berth.listTemplates()).map(map.toApiTemplate),
    getTemplate: async ({ req }) => map.toApiTemplate(await o.berth.getTemplate(p(req, 'template'))),
    listTemplateVersions: async ({ req }) => {
      const t = await o.berth.getTemplate(p(req, 'template'));
      return (await o.berth.listTemplateVersions(t.id)).map((v) => map.toApiTemplateVersion(v, t.activeVersionId));
    },
    pushTemplateVersion: async ({ req, caller, audit }) => {
      await authorize(caller, berthTemplateManagePermission);
      const q = parseWith(api.pushVersionQuerySchema, req.query, 'query');
      const archive = req.body;
      if (!Buffer.isBuffer(archive) || archive.length === 0) throw new HttpError(400, 'InputError', 'send the template as a tar.gz request body (Content-Type: application/gzip)');
      let tags;
      try { tags = q.tags ? parseTags(q.tags) : undefined; } catch (e) { throw new HttpError(400, 'InputError', (e as Error).message); }
      audit.targetType = 'template';
      audit.targetId = p(req, 'template');
      const { template, version } = await o.berth.pushTemplate({
        name: p(req, 'template'), archive, createdBy: caller.userRef, versionName: q.name, message: q.message, provisionerTags: tags,
        activate: q.activate === undefined ? true : q.activate === 'true', wait: false,
      });
      audit.details = { version: version.name, version_id: version.id };
      return map.toApiTemplateVersion(version, template.activeVersionId);
    },
    getTemplateVersion: async ({ req }) => {
      const { t, v } = await versionOf(p(req, 'template'), p(req, 'version'));
      return map.toApiTemplateVersion(v, t.activeVersionId);
    },
    getTemplateVersionLogs: async ({ req }) => {
      const { v } = await versionOf(p(req, 'template'), p(req, 'version'));
      return {
        import: v.importJobId ? (await o.berth.getJobLogs(v.importJobId)).map(map.toApiLog) : [],
        dry_run: v.dryRunJobId ? (await o.berth.getJobLogs(v.dryRunJobId)).map(map.toApiLog) : [],
      };
    },
    promoteTemplateVersion: async ({ req, caller, audit }) => {
      await authorize(caller, berthTemplateManagePermission);
      const { t, v } = await versionOf(p(req, 'template'), p(req, 'version'));
      Object.assign(audit, { targetType: 'template', targetId: t.id, details: { version: v.name, version_id: v.id } });
      return map.toApiTemplate(await o.berth.promoteTemplateVersion(t.id, v.id));
    },
    getTemplateVersionParameters: async ({ req }) => {
      const { v } = await versionOf(p(req, 'template'), p(req, 'version'));
      return (await o.berth.getTemplateVersionParameters(v.id)).map(map.toApiParameter);
    },
    getTemplateVersionPresets: async ({ req }) => {
      const { v } = await versionOf(p(req, 'template'), p(req, 'version'));
      return (await o.berth.getTemplateVersionPresets(v.id)).map(map.toApiPreset);
    },
    getTemplateVersionResources: async ({ req }) => {
      const { v } = await versionOf(p(req, 'template'), p(req, 'version'));
      return { dry_run_status: v.dryRunStatus, dry_run_error: v.dryRunError, resources: v.plannedResources };
    },
    listPrebuildPools: async ({ req }) => {
      const q = parseWith(api.prebuildsQuerySchema, req.query, 'query');
      return (await o.berth.getPrebuildPools(q.template)).map(map.toApiPrebuildPool);
    },
    resetPrebuilds: async ({ req, caller, audit }) => {
      await authorize(caller, berthTemplateManagePermission);
      Object.assign(audit, { targetType: 'template', targetId: p(req, 'template'), details: { preset: p(req, 'preset') } });
      await o.berth.resetPrebuildHardLimit(p(req, 'template'), p(req, 'preset'));
      return (await o.berth.getPrebuildPools(p(req, 'template'))).map(map.toApiPrebuildPool);
    },

    listWorkspaces: async ({ req, caller }) => {
      const q = parseWith(api.listWorkspacesQuerySchema, req.query, 'query');
      let search;
      try { search = parseWorkspaceSearch(q.q); } catch (e) {
        if (e instanceof SearchSyntaxError) throw new HttpError(400, 'InputError', e.message);
        throw e;
      }
      const owners = search.owners.map((x) => (x.toLowerCase() === 'me' ? caller.userRef : x));
      const { hits, count } = await searchWorkspaces(o.db, {
        owners, templates: search.templates, entities: search.entities, statuses: search.statuses, names: search.names, text: search.text, outdated: search.outdated,
        includeDeleted: q.include_deleted === 'true', readable: await readable(caller), limit: q.limit ?? 50, offset: q.offset ?? 0,
      });
      return { workspaces: hits.map((h) => map.toApiWorkspace(h.workspace, h.templateActiveVersionId)), count };
    },
    createWorkspace: async ({ req, caller, audit }) => {
      const body = parseWith(api.createWorkspaceBodySchema, req.body ?? {}, 'body');
      await authorize(caller, berthWorkspaceCreatePermission);
      const owner = body.owner ?? caller.userRef;
      if (owner !== caller.userRef && !caller.admin) throw new HttpError(403, 'NotAllowedError', `${caller.userRef} may not create workspaces for ${owner}: only Berth admins may`);
      audit.targetType = 'workspace';
      audit.details = { name: body.name, owner, template: body.template, ...(body.preset ? { preset: body.preset } : {}) };
      const { workspace } = await o.berth.createWorkspace({
        owner, name: body.name, template: body.template, templateVersionId: body.template_version_id, parameters: body.parameters, preset: body.preset,
        initiator: caller.userRef, ttlMs: body.ttl_ms, autostartSchedule: body.autostart_schedule, automaticUpdates: body.automatic_updates,
        ...(body.entity_ref ? { entityRef: body.entity_ref } : {}),
      });
      audit.targetId = workspace.id;
      return workspaceAnswer(workspace);
    },
    getWorkspace: async ({ req, caller }) => workspaceAnswer(await workspaceFor(caller, p(req, 'workspaceId'), berthWorkspaceReadPermission)),
    deleteWorkspace: async ({ req, caller, audit }) => {
      const ws = await workspaceFor(caller, p(req, 'workspaceId'), berthWorkspaceDeletePermission);
      Object.assign(audit, { targetType: 'workspace', targetId: ws.id, details: { name: ws.name, owner: ws.owner } });
      const ref = await o.berth.requestBuild(ws.id, { kind: 'delete', initiator: caller.userRef });
      return map.toApiBuild(await o.berth.getBuild(ws.id, ref.buildNumber));
    },

    listBuilds: async ({ req, caller }) => {
      const ws = await workspaceFor(caller, p(req, 'workspaceId'), berthWorkspaceReadPermission);
      return (await o.berth.listBuilds(ws.id)).map(map.toApiBuild);
    },
    createBuild: async ({ req, caller, audit }) => {
      const body = parseWith(api.createBuildBodySchema, req.body ?? {}, 'body');
      const ws = await workspaceFor(caller, p(req, 'workspaceId'), body.transition === 'delete' ? berthWorkspaceDeletePermission : berthWorkspaceUpdatePermission);
      Object.assign(audit, { targetType: 'workspace', targetId: ws.id, details: { transition: body.transition } });
      const ref = body.transition === 'update'
        ? await o.berth.updateWorkspace(ws.id, caller.userRef, body.parameters)
        : await o.berth.requestBuild(ws.id, {
          kind: body.transition, initiator: caller.userRef, ...(body.parameters ? { parameters: body.parameters } : {}),
          ...(body.template_version_id ? { templateVersionId: body.template_version_id } : {}), ...(body.preset ? { preset: body.preset } : {}),
        });
      audit.details.build_number = ref.buildNumber;
      return map.toApiBuild(await o.berth.getBuild(ws.id, ref.buildNumber));
    },
    getBuild: async ({ req, caller }) => {
      const ws = await workspaceFor(caller, p(req, 'workspaceId'), berthWorkspaceReadPermission);
      return map.toApiBuild(await o.berth.getBuild(ws.id, buildNumberOf(p(req, 'buildNumber'))));
    },
    cancelBuild: async ({ req, caller, audit }) => {
      const ws = await workspaceFor(caller, p(req, 'workspaceId'), berthWorkspaceUpdatePermission);
      const n = buildNumberOf(p(req, 'buildNumber'));
      const b = await o.berth.getBuild(ws.id, n);
      Object.assign(audit, { targetType: 'workspace', targetId: ws.id, details: { build_number: n } });
      if (!isActiveJob(b.jobStatus)) throw new HttpError(409, 'ConflictError', `cannot cancel build #${n}: it is ${b.jobStatus}`);
      const t = await o.berth.getTemplate(ws.templateId);
      if (!t.allowUserCancelWorkspaceJobs && !caller.admin) throw new HttpError(403, 'NotAllowedError', `template ${t.name} does not let users cancel builds: ask a Berth admin`);
      await o.berth.cancelBuild(ws.id, caller.userRef);
      return map.toApiBuild(await o.berth.getBuild(ws.id, n));
    },
    getBuildLogs: async ({ req, res, caller }) => {
      const ws = await workspaceFor(caller, p(req, 'workspaceId'), berthWorkspaceReadPermission);
      const n = buildNumberOf(p(req, 'buildNumber'));
      const q = parseWith(api.logsQuerySchema, req.query, 'query');
      const follow = boolParam(q.follow) || (req.headers.accept ?? '').includes('text/event-stream');
      if (follow) {
        await followLogs(req, res, ws.id, n, q.after ?? 0);
        return undefined;
      }
      return (await o.berth.getBuildLogs(ws.id, n, q.after ?? 0)).map(map.toApiLog);
    },
    getBuildResources: async ({ req, caller }) => {
      const ws = await workspaceFor(caller, p(req, 'workspaceId'), berthWorkspaceReadPermission);
      return (await o.berth.getBuildResources(ws.id, buildNumberOf(p(req, 'buildNumber')))).map(map.toApiResource);
    },
    getBuildParameters: async ({ req, caller }) => {
      const ws = await workspaceFor(caller, p(req, 'workspaceId'), berthWorkspaceReadPermission);
      return o.berth.getBuildParameters(ws.id, buildNumberOf(p(req, 'buildNumber')));
    },

    getSchedule: async ({ req, caller }) => scheduleAnswer((await workspaceFor(caller, p(req, 'workspaceId'), berthWorkspaceReadPermission)).id),
    putSchedule: async ({ req, caller, audit }) => {
      const body = parseWith(api.putScheduleBodySchema, req.body ?? {}, 'body');
      const ws = await workspaceFor(caller, p(req, 'workspaceId'), berthWorkspaceUpdatePermission);
      Object.assign(audit, { targetType: 'workspace', targetId: ws.id, details: { autostart_schedule: body.autostart_schedule, ttl_ms: body.ttl_ms } });
      await o.berth.setSchedule(ws.id, {
        ...(body.autostart_schedule !== undefined ? { autostartSchedule: body.autostart_schedule || null } : {}),
        ...(body.ttl_ms !== undefined ? { ttlMs: body.ttl_ms } : {}),
      }, caller.userRef);
      return scheduleAnswer(ws.id);
    },
    previewSchedule: async ({ req, caller }) => {
      const body = parseWith(api.previewScheduleBodySchema, req.body ?? {}, 'body');
      const ws = await workspaceFor(caller, p(req, 'workspaceId'), berthWorkspaceReadPermission);
      const preview = await o.berth.previewSchedule(ws.id, {
        ...(body.autostart_schedule !== undefined ? { autostartSchedule: body.autostart_schedule || null } : {}),
        ...(body.ttl_ms !== undefined ? { ttlMs: body.ttl_ms } : {}),
      }, body.count ?? 5);
      return map.toApiSchedulePreview(preview);
    },
    extendDeadline: async ({ req, caller, audit }) => {
      const body = parseWith(api.extendBodySchema, req.body ?? {}, 'body');
      const ws = await workspaceFor(caller, p(req, 'workspaceId'), berthWorkspaceUpdatePermission);
      Object.assign(audit, { targetType: 'workspace', targetId: ws.id, details: { deadline: body.deadline } });
      await o.berth.extendDeadline(ws.id, Date.parse(body.deadline), caller.userRef);
      return scheduleAnswer(ws.id);
    },
    reportActivity: async ({ req, caller, audit }) => {
      const ws = await workspaceFor(caller, p(req, 'workspaceId'), berthWorkspaceUpdatePermission);
      Object.assign(audit, { targetType: 'workspace', targetId: ws.id });
      await o.berth.reportActivity(ws.id, caller.via === 'token' ? 'api-token' : 'api');
      return { accepted: true };
    },

    getWorkspaceHistory: async ({ req, caller }) => {
      const ws = await workspaceFor(caller, p(req, 'workspaceId'), berthWorkspaceReadPermission);
      return historyAnswer(req, workspaceWorkflowId(ws.id));
    },
    getBuildHistory: async ({ req, caller }) => {
      const ws = await workspaceFor(caller, p(req, 'workspaceId'), berthWorkspaceReadPermission);
      const b = await o.berth.getBuild(ws.id, buildNumberOf(p(req, 'buildNumber')));
      return historyAnswer(req, buildWorkflowId(ws.id, b.buildNumber));
    },

    listTokens: async ({ caller }) => (await listApiTokens(o.db, caller.userRef)).map(map.toApiToken),
    createToken: async ({ req, caller, audit }) => {
      const body = parseWith(api.createTokenBodySchema, req.body ?? {}, 'body');
      audit.targetType = 'api_token';
      const { token, secret } = await createApiToken(o.db, { owner: caller.userRef, name: body.name, ownershipRefs: caller.ownershipRefs, lifetimeMs: body.lifetime_ms ?? 30 * 86_400_000 });
      audit.targetId = token.id;
      audit.details = { name: token.name };
      return { ...map.toApiToken(token), token: secret };
    },
    revokeToken: async ({ req, caller, audit }) => {
      Object.assign(audit, { targetType: 'api_token', targetId: p(req, 'tokenId') });
      return map.toApiToken(await revokeApiToken(o.db, caller.userRef, p(req, 'tokenId')));
    },

    listAudit: async ({ req, caller }) => {
      const q = parseWith(api.auditQuerySchema, req.query, 'query');
      const actor = caller.admin ? q.actor : caller.userRef;
      return (await listAuditEntries(o.db, { actor, targetId: q.target_id, limit: q.limit })).map(map.toApiAudit);
    },
  };

  // ---- routes without a user

  router.get('/health', async (_req, res) => {
    const h = await o.health();
    const ok = h.database === 'ok' && h.temporal === 'ok';
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'degraded', ...h });
  });
  router.get('/metrics', async (_req, res) => {
    res.set('Content-Type', o.metrics.registry.contentType).send(await o.metrics.registry.metrics());
  });
  router.get('/openapi.json', async (req, res) => {
    res.json(openApiDocument(`${req.baseUrl}`));
  });

  // ---- routes with a user

  for (const spec of BERTH_ROUTES) {
    if (spec.auth === 'none') continue;
    const handler = handlers[spec.id];
    if (!handler) throw new Error(`route ${spec.id} has no handler`);
    const parsers = spec.rawBody ? [rawBody] : spec.body ? [jsonBody] : [];
    router[spec.method](spec.path, ...parsers, routeHandler(spec, handler));
  }

  function routeHandler(spec: RouteSpec, handler: Handler) {
    return async (req: Request, res: Response) => {
      const end = o.metrics.requestDuration.startTimer({ route: spec.id, method: spec.method });
      const mutating = spec.method !== 'get';
      const audit = { targetType: spec.tag === 'templates' ? 'template' : spec.tag === 'tokens' ? 'api_token' : 'workspace', targetId: (req.params.workspaceId ?? req.params.template ?? req.params.tokenId ?? null) as string | null, details: {} as Record<string, unknown> };
      let caller: Caller | undefined;
      let status = spec.status;
      let failure: ReturnType<typeof classify> | undefined;
      try {
        rejectNulBytes(req);
        caller = await authenticate(req);
        const result = await handler({ req, res, caller, audit });
        if (!res.headersSent) res.status(spec.status).json(result ?? {});
      } catch (e) {
        failure = classify(e);
        status = failure.status;
        if (status >= 500) o.logger.error(`${spec.method.toUpperCase()} ${req.originalUrl} failed: ${(e as Error)?.stack ?? e}`);
        if (status >= 500 && process.env.BERTH_API_DEBUG) console.error(e);
        sendError(req, res, failure);
      } finally {
        end({ status: String(status) });
        o.metrics.requests.inc({ route: spec.id, method: spec.method, status: String(status) });
      }
      if (mutating) {
        try {
          await insertAuditEntry(o.db, {
            actor: caller?.userRef ?? 'anonymous', action: spec.id, targetType: audit.targetType, targetId: audit.targetId ? String(audit.targetId).slice(0, 128) : null,
            result: failure ? 'failed' : 'succeeded', statusCode: status,
            details: { ...audit.details, via: caller?.via ?? 'none', ...(failure ? { error: failure.message.slice(0, 500) } : {}) },
          });
        } catch (e) {
          o.logger.error(`cannot write the audit row for ${spec.id}: ${(e as Error).message}`);
        }
      }
    };
  }

  // Unknown paths under the plugin, and errors from body parsers.
  router.use((req: Request, res: Response) => sendError(req, res, { status: 404, name: 'NotFoundError', message: `no route ${req.method} ${req.path}: see ${req.baseUrl}/openapi.json` }));
  router.use((err: unknown, req: Request, res: Response, _next: express.NextFunction) => {
    const c = classify(err);
    if (c.status >= 500) o.logger.error(`${req.method} ${req.originalUrl} failed: ${(err as Error)?.stack ?? err}`);
    sendError(req, res, c);
  });
  return router;
}
