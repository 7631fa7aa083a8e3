/**
 * The Berth API's route table: every endpoint with its method, path, request schemas, answer
 * schema and permission. The backend plugin mounts exactly these routes (validating bodies and
 * queries with the schemas before a handler runs) and {@link openApiDocument} renders them.
 * Paths are relative to the plugin's base URL (`<backend>/api/berth`).
 */
import type { z } from 'zod';
import * as s from './schemas';

export type HttpMethod = 'get' | 'post' | 'put' | 'delete';

/** One endpoint. `auth: 'none'` routes need no credentials; all others need a user (Backstage token or Berth API token). */
export interface RouteSpec {
  id: string;
  method: HttpMethod;
  /** Express-style path (`/workspaces/:workspaceId`). */
  path: string;
  summary: string;
  tag: 'templates' | 'workspaces' | 'builds' | 'schedule' | 'history' | 'tokens' | 'audit' | 'system';
  auth: 'none' | 'user';
  /** Permission checked (by name), if any. */
  permission?: string;
  body?: z.ZodType;
  /** `raw`: the body is bytes (a template tar.gz). */
  rawBody?: string;
  query?: z.ZodType;
  status: number;
  response?: z.ZodType;
  /** Content type of a non-JSON answer. */
  produces?: string;
}

const ws = '/workspaces/:workspaceId';
const build = `${ws}/builds/:buildNumber`;
const tv = '/templates/:template/versions/:version';

/** Every route of the API, in the order the OpenAPI document lists them. */
export const BERTH_ROUTES: RouteSpec[] = [
  { id: 'health', method: 'get', path: '/health', summary: 'Liveness and dependency health', tag: 'system', auth: 'none', status: 200 },
  { id: 'metrics', method: 'get', path: '/metrics', summary: 'Prometheus metrics (text exposition format)', tag: 'system', auth: 'none', status: 200, produces: 'text/plain' },
  { id: 'openapi', method: 'get', path: '/openapi.json', summary: 'This API as an OpenAPI 3.1 document', tag: 'system', auth: 'none', status: 200 },
  { id: 'whoami', method: 'get', path: '/me', summary: 'The caller: user ref, ownership refs, admin flag', tag: 'system', auth: 'user', status: 200, response: s.whoamiSchema },

  { id: 'listTemplates', method: 'get', path: '/templates', summary: 'List templates', tag: 'templates', auth: 'user', status: 200, response: s.templateSchema.array() },
  { id: 'getTemplate', method: 'get', path: '/templates/:template', summary: 'Get a template by name or id', tag: 'templates', auth: 'user', status: 200, response: s.templateSchema },
  { id: 'listTemplateVersions', method: 'get', path: '/templates/:template/versions', summary: 'List versions of a template', tag: 'templates', auth: 'user', status: 200, response: s.templateVersionSchema.array() },
  {
    id: 'pushTemplateVersion', method: 'post', path: '/templates/:template/versions', summary: 'Push a template version (tar.gz body); creates the template when new and starts its import',
    tag: 'templates', auth: 'user', permission: 'berth.template.manage', rawBody: 'application/gzip', query: s.pushVersionQuerySchema, status: 201, response: s.templateVersionSchema,
  },
  { id: 'getTemplateVersion', method: 'get', path: tv, summary: 'Get a version (name or id) with its import status', tag: 'templates', auth: 'user', status: 200, response: s.templateVersionSchema },
  { id: 'getTemplateVersionLogs', method: 'get', path: `${tv}/logs`, summary: 'Import and dry-run logs of a version', tag: 'templates', auth: 'user', status: 200, response: s.versionLogsSchema },
  { id: 'promoteTemplateVersion', method: 'post', path: `${tv}/promote`, summary: 'Make a version active (its import must have succeeded)', tag: 'templates', auth: 'user', permission: 'berth.template.manage', status: 200, response: s.templateSchema },
  { id: 'getTemplateVersionParameters', method: 'get', path: `${tv}/parameters`, summary: "A version's parameters", tag: 'templates', auth: 'user', status: 200, response: s.parameterSchema.array() },
  { id: 'getTemplateVersionPresets', method: 'get', path: `${tv}/presets`, summary: "A version's presets", tag: 'templates', auth: 'user', status: 200, response: s.presetSchema.array() },
  { id: 'getTemplateVersionResources', method: 'get', path: `${tv}/resources`, summary: 'Resource preview: what a start build creates (dry run)', tag: 'templates', auth: 'user', status: 200, response: s.resourcePreviewSchema },
  { id: 'listPrebuildPools', method: 'get', path: '/prebuilds', summary: "Each preset's prebuild pool: desired, running, eligible, expired, created, failed, claimed, status", tag: 'templates', auth: 'user', query: s.prebuildsQuerySchema, status: 200, response: s.prebuildPoolSchema.array() },
  { id: 'resetPrebuilds', method: 'post', path: '/templates/:template/presets/:preset/reset-prebuilds', summary: 'Clear a hard_limited preset of the active version and reconcile now', tag: 'templates', auth: 'user', permission: 'berth.template.manage', status: 200, response: s.prebuildPoolSchema.array() },

  { id: 'listWorkspaces', method: 'get', path: '/workspaces', summary: 'List workspaces the caller may read, with Coder-style search', tag: 'workspaces', auth: 'user', query: s.listWorkspacesQuerySchema, status: 200, response: s.workspaceListSchema },
  { id: 'createWorkspace', method: 'post', path: '/workspaces', summary: 'Create a workspace and its first start build', tag: 'workspaces', auth: 'user', permission: 'berth.workspace.create', body: s.createWorkspaceBodySchema, status: 201, response: s.workspaceSchema },
  { id: 'getWorkspace', method: 'get', path: ws, summary: 'Get a workspace', tag: 'workspaces', auth: 'user', permission: 'berth.workspace.read', status: 200, response: s.workspaceSchema },
  { id: 'deleteWorkspace', method: 'delete', path: ws, summary: 'Delete a workspace (starts a delete build)', tag: 'workspaces', auth: 'user', permission: 'berth.workspace.delete', status: 202, response: s.buildSchema },

  { id: 'listBuilds', method: 'get', path: `${ws}/builds`, summary: "A workspace's builds, newest first", tag: 'builds', auth: 'user', permission: 'berth.workspace.read', status: 200, response: s.buildSchema.array() },
  { id: 'createBuild', method: 'post', path: `${ws}/builds`, summary: 'Start, stop, restart, update or delete', tag: 'builds', auth: 'user', permission: 'berth.workspace.update', body: s.createBuildBodySchema, status: 201, response: s.buildSchema },
  { id: 'getBuild', method: 'get', path: build, summary: 'Get a build', tag: 'builds', auth: 'user', permission: 'berth.workspace.read', status: 200, response: s.buildSchema },
  { id: 'cancelBuild', method: 'post', path: `${build}/cancel`, summary: 'Cancel the build (tofu is interrupted, state is saved)', tag: 'builds', auth: 'user', permission: 'berth.workspace.update', status: 202, response: s.buildSchema },
  {
    id: 'getBuildLogs', method: 'get', path: `${build}/logs`, summary: 'Log lines with seq > after; with follow=true (or Accept: text/event-stream) a Server-Sent Events stream that ends when the build ends',
    tag: 'builds', auth: 'user', permission: 'berth.workspace.read', query: s.logsQuerySchema, status: 200, response: s.buildLogSchema.array(),
  },
  { id: 'getBuildResources', method: 'get', path: `${build}/resources`, summary: "The build's resources", tag: 'builds', auth: 'user', permission: 'berth.workspace.read', status: 200, response: s.resourceSchema.array() },
  { id: 'getBuildParameters', method: 'get', path: `${build}/parameters`, summary: 'Parameter values of the build (sensitive ones masked)', tag: 'builds', auth: 'user', permission: 'berth.workspace.read', status: 200 },

  { id: 'getSchedule', method: 'get', path: `${ws}/schedule`, summary: 'Autostart, TTL, deadline and the next lifecycle decision', tag: 'schedule', auth: 'user', permission: 'berth.workspace.read', status: 200, response: s.scheduleSchema },
  { id: 'putSchedule', method: 'put', path: `${ws}/schedule`, summary: 'Set autostart and/or TTL (never starts or stops the workspace)', tag: 'schedule', auth: 'user', permission: 'berth.workspace.update', body: s.putScheduleBodySchema, status: 200, response: s.scheduleSchema },
  { id: 'previewSchedule', method: 'post', path: `${ws}/schedule/preview`, summary: 'Next autostart and autostop times, optionally for a proposed schedule', tag: 'schedule', auth: 'user', permission: 'berth.workspace.read', body: s.previewScheduleBodySchema, status: 200, response: s.schedulePreviewSchema },
  { id: 'extendDeadline', method: 'post', path: `${ws}/extend`, summary: 'Move the deadline (≥ 30 min ahead, ≤ max_deadline)', tag: 'schedule', auth: 'user', permission: 'berth.workspace.update', body: s.extendBodySchema, status: 200, response: s.scheduleSchema },
  { id: 'reportActivity', method: 'post', path: `${ws}/activity`, summary: 'Report use (activity bump of the deadline)', tag: 'schedule', auth: 'user', permission: 'berth.workspace.update', status: 202 },

  { id: 'getWorkspaceHistory', method: 'get', path: `${ws}/history`, summary: "The workspace workflow's Temporal history as a timeline (format=raw: the history JSON)", tag: 'history', auth: 'user', permission: 'berth.workspace.read', query: s.historyQuerySchema, status: 200, response: s.historySchema },
  { id: 'getBuildHistory', method: 'get', path: `${build}/history`, summary: "The build workflow's Temporal history as a timeline (format=raw: the history JSON)", tag: 'history', auth: 'user', permission: 'berth.workspace.read', query: s.historyQuerySchema, status: 200, response: s.historySchema },

  { id: 'listTokens', method: 'get', path: '/tokens', summary: "The caller's API tokens", tag: 'tokens', auth: 'user', status: 200, response: s.tokenSchema.array() },
  { id: 'createToken', method: 'post', path: '/tokens', summary: 'Create an API token (the secret is shown once)', tag: 'tokens', auth: 'user', body: s.createTokenBodySchema, status: 201, response: s.createdTokenSchema },
  { id: 'revokeToken', method: 'delete', path: '/tokens/:tokenId', summary: 'Revoke one of the caller’s tokens', tag: 'tokens', auth: 'user', status: 200, response: s.tokenSchema },

  { id: 'listAudit', method: 'get', path: '/audit', summary: 'Audit log of mutating calls, newest first (admins see all, others their own)', tag: 'audit', auth: 'user', query: s.auditQuerySchema, status: 200, response: s.auditEntrySchema.array() },
];

/** The route with this id; throws for an unknown id (a programming error). */
export function route(id: string): RouteSpec {
  const r = BERTH_ROUTES.find((x) => x.id === id);
  if (!r) throw new Error(`unknown Berth route ${id}`);
  return r;
}
