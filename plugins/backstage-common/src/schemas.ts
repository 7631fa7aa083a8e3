/**
 * The Berth API's wire shapes, as zod schemas: the single source of the request validation in
 * the backend plugin, of the OpenAPI document ({@link openApiDocument}) and of the TypeScript
 * types the client returns. JSON is snake_case (as Coder's API); times are ISO-8601 UTC
 * strings; durations are milliseconds with `_ms` in the field name.
 */
import { z } from 'zod';

// ---- shared vocabulary ----------------------------------------------------------------------

/** Build transitions (Coder's): what a build does to the workspace. */
export const TRANSITIONS = ['start', 'stop', 'delete'] as const;
/** What a client may ask for: a transition, `restart` (stop then start) or `update` (start on the active version). */
export const BUILD_REQUEST_TRANSITIONS = ['start', 'stop', 'restart', 'delete', 'update'] as const;
/** Build reasons (Coder's names). */
export const BUILD_REASONS = ['initiator', 'autostart', 'autostop', 'dormancy', 'failedstop', 'autodelete', 'cli', 'dashboard', 'prebuild', 'claim'] as const;
/** Provisioner job statuses (Coder's status machine). */
export const JOB_STATUSES = ['pending', 'running', 'succeeded', 'canceling', 'canceled', 'failed'] as const;
/** Workspace statuses as users see them. */
export const WORKSPACE_STATUSES = ['pending', 'starting', 'running', 'stopping', 'stopped', 'deleting', 'deleted', 'canceling', 'canceled', 'failed'] as const;

const iso = z.string().describe('ISO-8601 UTC time');
const nullableIso = iso.nullable();

/** Error body of every 4xx/5xx answer (Backstage's error shape). */
export const errorBodySchema = z.object({
  error: z.object({
    name: z.string().describe('InputError, AuthenticationError, NotAllowedError, NotFoundError, ConflictError, …'),
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
  request: z.object({ method: z.string(), url: z.string() }).optional(),
  response: z.object({ statusCode: z.number() }).optional(),
});

// ---- templates ------------------------------------------------------------------------------

export const templateScheduleSchema = z.object({
  default_ttl_ms: z.number(),
  activity_bump_ms: z.number(),
  autostart_allowed_days: z.number().describe('bitmask, bit 0 = Monday … bit 6 = Sunday'),
  autostop_requirement_days: z.number(),
  autostop_requirement_weeks: z.number(),
  allow_user_autostart: z.boolean(),
  allow_user_autostop: z.boolean(),
  failure_ttl_ms: z.number(),
  time_til_dormant_ms: z.number(),
  time_til_dormant_autodelete_ms: z.number(),
});

export const templateSchema = z.object({
  id: z.string(),
  name: z.string(),
  display_name: z.string(),
  description: z.string(),
  icon: z.string(),
  active_version_id: z.string().nullable(),
  created_by: z.string(),
  created_at: iso,
  schedule: templateScheduleSchema,
  require_active_version: z.boolean(),
  allow_user_cancel_workspace_jobs: z.boolean(),
  deprecation_message: z.string(),
});

export const plannedResourceSchema = z.object({ address: z.string(), type: z.string(), name: z.string(), mode: z.string(), actions: z.array(z.string()) });

export const templateVersionSchema = z.object({
  id: z.string(),
  template_id: z.string(),
  name: z.string(),
  message: z.string(),
  active: z.boolean(),
  archive_sha256: z.string(),
  archive_size_bytes: z.number(),
  provisioner_tags: z.record(z.string(), z.string()),
  archived: z.boolean(),
  created_by: z.string(),
  created_at: iso,
  import_job_id: z.string().nullable(),
  import_status: z.enum(JOB_STATUSES),
  import_error: z.string().nullable(),
  dry_run_job_id: z.string().nullable(),
  dry_run_status: z.enum(JOB_STATUSES).nullable(),
  dry_run_error: z.string().nullable(),
  warnings: z.array(z.string()),
  readme: z.string(),
});

export const parameterSchema = z.object({
  name: z.string(),
  display_name: z.string(),
  description: z.string(),
  icon: z.string(),
  order: z.number(),
  type: z.enum(['string', 'number', 'bool', 'list(string)']),
  default_value: z.string().nullable(),
  required: z.boolean(),
  sensitive: z.boolean(),
  mutable: z.boolean(),
  ephemeral: z.boolean(),
  options: z.array(z.object({ value: z.string(), name: z.string(), description: z.string(), icon: z.string() })),
  validation: z.object({
    min: z.number().optional(), max: z.number().optional(), regex: z.string().optional(),
    monotonic: z.enum(['increasing', 'decreasing']).optional(), error: z.string().optional(),
  }),
});

export const presetSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  default: z.boolean(),
  parameters: z.record(z.string(), z.string()),
  prebuild_instances: z.number(),
  prebuild_expiration_s: z.number().nullable(),
});

/** A template version's resource preview: what a start build would create (from the dry run). */
export const resourcePreviewSchema = z.object({
  dry_run_status: z.enum(JOB_STATUSES).nullable(),
  dry_run_error: z.string().nullable(),
  resources: z.array(plannedResourceSchema),
});

/** One preset's prebuild pool (a platform-team view): counts, status and what the reconciler would do. */
export const prebuildPoolSchema = z.object({
  template_id: z.string(),
  template: z.string(),
  template_version_id: z.string(),
  preset: z.string(),
  preset_id: z.string(),
  active: z.boolean().describe("the preset's version is the template's active version (else its prebuilds are being replaced)"),
  status: z.enum(['healthy', 'hard_limited']),
  desired: z.number(),
  running: z.number(),
  eligible: z.number().describe('claimable now'),
  expired: z.number(),
  starting: z.number(),
  created: z.number(),
  failed: z.number(),
  claimed: z.number(),
  backoff_until: nullableIso,
  explanation: z.string(),
});

export const prebuildsQuerySchema = z.strictObject({ template: z.string().min(1).max(128).optional() });

// ---- workspaces and builds ------------------------------------------------------------------

export const buildSchema = z.object({
  id: z.string(),
  workspace_id: z.string(),
  build_number: z.number(),
  transition: z.enum(TRANSITIONS),
  reason: z.enum(BUILD_REASONS),
  initiator: z.string(),
  template_version_id: z.string(),
  job_id: z.string(),
  job_status: z.enum(JOB_STATUSES),
  status: z.enum(WORKSPACE_STATUSES),
  created_at: iso,
  started_at: nullableIso,
  completed_at: nullableIso,
  canceled_at: nullableIso,
  queue_wait_ms: z.number().nullable().describe('started_at − created_at; null while pending'),
  duration_ms: z.number().nullable().describe('completed_at − started_at; null while active'),
  error: z.string().nullable(),
  error_code: z.string().nullable(),
  deadline: nullableIso.describe('autostop deadline of a start build'),
  max_deadline: nullableIso,
  explanation: z.string().describe('one line: why this build ran (lifecycle builds explain their rule)'),
  outputs: z.record(z.string(), z.unknown()),
});

export const workspaceSchema = z.object({
  id: z.string(),
  owner: z.string().describe('user entity ref, e.g. user:default/ana'),
  name: z.string(),
  template_id: z.string(),
  template_name: z.string(),
  status: z.enum(WORKSPACE_STATUSES),
  autostart_schedule: z.string().nullable(),
  ttl_ms: z.number().nullable(),
  automatic_updates: z.enum(['always', 'never']),
  entity_ref: z.string().nullable().describe('the catalog entity it was created for (component:default/shop)'),
  last_used_at: iso,
  created_at: iso,
  updated_at: iso,
  deleted: z.boolean(),
  outdated: z.boolean().describe("the latest build's version is not the template's active version"),
  latest_build: buildSchema.nullable(),
});

export const workspaceListSchema = z.object({ workspaces: z.array(workspaceSchema), count: z.number() });

export const buildLogSchema = z.object({
  seq: z.number(),
  created_at: iso,
  level: z.enum(['trace', 'debug', 'info', 'warn', 'error']),
  stage: z.enum(['setup', 'init', 'validate', 'plan', 'apply', 'cleanup']),
  source: z.enum(['provisioner', 'provisioner_daemon']),
  output: z.string(),
});

/** Logs of a template version's two jobs: the import (init + validate) and the dry run (plan). */
export const versionLogsSchema = z.object({ import: z.array(buildLogSchema), dry_run: z.array(buildLogSchema) });

export const resourceSchema = z.object({
  address: z.string(), mode: z.string(), type: z.string(), name: z.string(), module: z.string(), index_key: z.string().nullable(), transition: z.enum(TRANSITIONS),
});

// ---- schedule -------------------------------------------------------------------------------

export const scheduleSchema = z.object({
  autostart_schedule: z.string().nullable(),
  ttl_ms: z.number().nullable(),
  deadline: nullableIso,
  max_deadline: nullableIso,
  next_lifecycle: z.object({
    rule: z.string(), transition: z.enum(TRANSITIONS).nullable(), reason: z.enum(BUILD_REASONS), due_at: iso, explanation: z.string(),
  }).nullable(),
});

const previewTime = z.object({ at: iso, local: z.string().describe('the same instant in the preview zone') });
export const schedulePreviewSchema = z.object({
  time_zone: z.string(),
  autostarts: z.array(previewTime),
  autostops: z.array(previewTime.extend({ source: z.string(), started_at: previewTime.nullable(), max_deadline: previewTime.nullable() })),
  autostart_skip: z.object({ code: z.string(), message: z.string() }).nullable(),
  notes: z.array(z.string()),
});

// ---- history, tokens, audit ------------------------------------------------------------------

export const historyEventSchema = z.object({
  event_id: z.number(),
  time: iso,
  event: z.string().describe('Temporal event type, e.g. WorkflowExecutionUpdateAccepted'),
  summary: z.string().describe('one readable line'),
  build_number: z.number().optional(),
  transition: z.enum(TRANSITIONS).optional(),
  reason: z.enum(BUILD_REASONS).optional(),
  explanation: z.string().optional(),
  initiator: z.string().optional(),
});
export const historySchema = z.object({
  workflow_id: z.string(),
  run_id: z.string().nullable(),
  temporal_ui_url: z.string().describe('deep link into the Temporal Web UI'),
  events: z.array(historyEventSchema),
});

export const tokenSchema = z.object({
  id: z.string(), name: z.string(), owner: z.string(), created_at: iso, last_used_at: nullableIso, expires_at: nullableIso, revoked_at: nullableIso,
});
export const createdTokenSchema = tokenSchema.extend({ token: z.string().describe('shown once; store it now') });

export const auditEntrySchema = z.object({
  id: z.string(), time: iso, actor: z.string(), action: z.string(), target_type: z.string(), target_id: z.string().nullable(),
  result: z.enum(['succeeded', 'failed']), status_code: z.number(), details: z.record(z.string(), z.unknown()),
});

export const whoamiSchema = z.object({ user: z.string(), ownership: z.array(z.string()), admin: z.boolean(), via: z.enum(['backstage', 'token']) });

// ---- requests -------------------------------------------------------------------------------

const parameterValues = z.record(z.string().max(128), z.string().max(65_536)).describe('parameter name → value (strings; list(string) as a JSON array)');
const ttlMs = z.number().int().min(0).max(30 * 24 * 3_600_000).nullable();

export const createWorkspaceBodySchema = z.strictObject({
  name: z.string().min(1).max(32),
  template: z.string().min(1).max(128).describe('template name or id'),
  template_version_id: z.string().uuid().optional(),
  parameters: parameterValues.optional(),
  preset: z.string().min(1).max(128).optional(),
  ttl_ms: ttlMs.optional(),
  autostart_schedule: z.string().max(256).optional(),
  automatic_updates: z.enum(['always', 'never']).optional(),
  owner: z.string().max(256).optional().describe('admins only: create for another user'),
  entity_ref: z.string().max(256).regex(/^[a-z][a-z0-9-]{0,62}:[A-Za-z0-9._-]{1,63}\/[A-Za-z0-9._-]{1,63}$/, 'entity_ref must look like component:default/shop').optional()
    .describe('the Backstage catalog entity this workspace is for'),
});

export const createBuildBodySchema = z.strictObject({
  transition: z.enum(BUILD_REQUEST_TRANSITIONS),
  parameters: parameterValues.optional(),
  template_version_id: z.string().uuid().optional(),
  preset: z.string().min(1).max(128).optional(),
});

export const putScheduleBodySchema = z.strictObject({
  autostart_schedule: z.string().max(256).nullable().optional().describe('`CRON_TZ=<zone> <min> <hour> * * <days>`; null or "" = off'),
  ttl_ms: ttlMs.optional().describe('null = no autostop'),
}).refine((b) => b.autostart_schedule !== undefined || b.ttl_ms !== undefined, { message: 'give autostart_schedule and/or ttl_ms' });

export const previewScheduleBodySchema = z.strictObject({
  autostart_schedule: z.string().max(256).nullable().optional(),
  ttl_ms: ttlMs.optional(),
  count: z.number().int().min(1).max(50).optional(),
});

export const extendBodySchema = z.strictObject({ deadline: iso.refine((s) => !Number.isNaN(Date.parse(s)), 'deadline must be an ISO-8601 time') });

export const createTokenBodySchema = z.strictObject({
  name: z.string().min(1).max(64).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'token name: letters, digits, ".", "_" and "-"'),
  lifetime_ms: z.number().int().min(60_000).max(365 * 24 * 3_600_000).optional().describe('default 30 days'),
});

export const listWorkspacesQuerySchema = z.strictObject({
  q: z.string().max(1024).optional().describe('Coder-style search: owner:me template:x status:running name:y entity:component:default/shop outdated:true and free text'),
  limit: z.coerce.number().int().min(1).max(500).optional(),
  offset: z.coerce.number().int().min(0).max(1_000_000).optional(),
  include_deleted: z.enum(['true', 'false']).optional(),
});

export const logsQuerySchema = z.strictObject({
  after: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  follow: z.enum(['true', 'false', '1', '0']).optional(),
});

export const pushVersionQuerySchema = z.strictObject({
  name: z.string().min(1).max(64).optional(),
  message: z.string().max(1024).optional(),
  activate: z.enum(['true', 'false']).optional(),
  tags: z.string().max(1024).optional().describe('provisioner tags `k=v,k2=v2`'),
});

export const historyQuerySchema = z.strictObject({ format: z.enum(['timeline', 'raw']).optional() });
export const auditQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  actor: z.string().max(256).optional(),
  target_id: z.string().max(128).optional(),
});

export type ApiError = z.infer<typeof errorBodySchema>;
export type ApiTemplate = z.infer<typeof templateSchema>;
export type ApiTemplateVersion = z.infer<typeof templateVersionSchema>;
export type ApiParameter = z.infer<typeof parameterSchema>;
export type ApiPreset = z.infer<typeof presetSchema>;
export type ApiPrebuildPool = z.infer<typeof prebuildPoolSchema>;
export type ApiResourcePreview = z.infer<typeof resourcePreviewSchema>;
export type ApiWorkspace = z.infer<typeof workspaceSchema>;
export type ApiWorkspaceList = z.infer<typeof workspaceListSchema>;
export type ApiBuild = z.infer<typeof buildSchema>;
export type ApiBuildLog = z.infer<typeof buildLogSchema>;
export type ApiResource = z.infer<typeof resourceSchema>;
export type ApiVersionLogs = z.infer<typeof versionLogsSchema>;
export type ApiSchedule = z.infer<typeof scheduleSchema>;
export type ApiSchedulePreview = z.infer<typeof schedulePreviewSchema>;
export type ApiHistory = z.infer<typeof historySchema>;
export type ApiHistoryEvent = z.infer<typeof historyEventSchema>;
export type ApiToken = z.infer<typeof tokenSchema>;
export type ApiCreatedToken = z.infer<typeof createdTokenSchema>;
export type ApiAuditEntry = z.infer<typeof auditEntrySchema>;
export type ApiWhoami = z.infer<typeof whoamiSchema>;
export type CreateWorkspaceBody = z.infer<typeof createWorkspaceBodySchema>;
export type CreateBuildBody = z.infer<typeof createBuildBodySchema>;
export type PutScheduleBody = z.infer<typeof putScheduleBodySchema>;
export type PreviewScheduleBody = z.infer<typeof previewScheduleBodySchema>;
export type CreateTokenBody = z.infer<typeof createTokenBodySchema>;
