/**
 * Engine shapes (@berth/workflows: camelCase, Dates) → API shapes (@berth/backstage-plugin-common:
 * snake_case, ISO-8601 UTC strings, durations in ms).
 */
import type {
  ApiAuditEntry, ApiBuild, ApiBuildLog, ApiParameter, ApiPrebuildPool, ApiPreset, ApiResource, ApiSchedulePreview, ApiTemplate, ApiTemplateVersion, ApiToken, ApiWorkspace,
} from '@berth/backstage-plugin-common';
import type {
  ApiTokenRecord, AuditEntry, BuildLog, PrebuildPoolStatus, SchedulePreview, StoredPreset, Template, TemplateParameter, TemplateVersion, Workspace, WorkspaceBuild, WorkspaceResource,
} from '@berth/workflows';

const iso = (d: Date | string | number): string => new Date(d).toISOString();
const isoOrNull = (d: Date | string | number | null | undefined): string | null => (d === null || d === undefined ? null : iso(d));
const ms = (a: Date | null, b: Date | null): number | null => (a && b ? new Date(b).getTime() - new Date(a).getTime() : null);

export function toApiTemplate(t: Template): ApiTemplate {
  const s = t.schedule;
  return {
    id: t.id, name: t.name, display_name: t.displayName, description: t.description, icon: t.icon, active_version_id: t.activeVersionId,
    created_by: t.createdBy, created_at: iso(t.createdAt),
    schedule: {
      default_ttl_ms: s.defaultTtlMs, activity_bump_ms: s.activityBumpMs, autostart_allowed_days: s.autostartAllowedDays,
      autostop_requirement_days: s.autostopRequirementDays, autostop_requirement_weeks: s.autostopRequirementWeeks,
      allow_user_autostart: s.allowUserAutostart, allow_user_autostop: s.allowUserAutostop, failure_ttl_ms: s.failureTtlMs,
      time_til_dormant_ms: s.timeTilDormantMs, time_til_dormant_autodelete_ms: s.timeTilDormantAutodeleteMs,
    },
    require_active_version: t.requireActiveVersion, allow_user_cancel_workspace_jobs: t.allowUserCancelWorkspaceJobs, deprecation_message: t.deprecationMessage,
  };
}

export function toApiTemplateVersion(v: TemplateVersion, activeVersionId: string | null): ApiTemplateVersion {
  return {
    id: v.id, template_id: v.templateId, name: v.name, message: v.message, active: v.id === activeVersionId, archive_sha256: v.archiveSha256,
    archive_size_bytes: v.archiveSize, provisioner_tags: v.provisionerTags, archived: v.archived, created_by: v.createdBy, created_at: iso(v.createdAt),
    import_job_id: v.importJobId, import_status: v.importStatus, import_error: v.importError, dry_run_job_id: v.dryRunJobId,
    dry_run_status: v.dryRunStatus, dry_run_error: v.dryRunError, warnings: v.warnings, readme: v.readme,
  };
}

export function toApiParameter(p: TemplateParameter): ApiParameter {
  return {
    name: p.name, display_name: p.displayName, description: p.description, icon: p.icon, order: p.order, type: p.type,
    default_value: p.sensitive && p.defaultValue !== null ? '********' : p.defaultValue, required: p.required, sensitive: p.sensitive,
    mutable: p.mutable, ephemeral: p.ephemeral, options: p.options, validation: p.validation,
  };
}

export function toApiPreset(p: StoredPreset): ApiPreset {
  return {
    id: p.id, name: p.name, description: p.description, default: p.default, parameters: p.parameters,
    prebuild_instances: p.prebuildInstances, prebuild_expiration_s: p.prebuildExpirationSeconds,
  };
}

export function toApiPrebuildPool(p: PrebuildPoolStatus): ApiPrebuildPool {
  return {
    template_id: p.templateId, template: p.template, template_version_id: p.templateVersionId, preset: p.preset, preset_id: p.presetId, active: p.active,
    status: p.status, desired: p.desired, running: p.running, eligible: p.eligible, expired: p.expired, starting: p.starting, created: p.created,
    failed: p.failed, claimed: p.claimed, backoff_until: isoOrNull(p.backoffUntil), explanation: p.explanation,
  };
}

export function toApiBuild(b: WorkspaceBuild): ApiBuild {
  return {
    id: b.id, workspace_id: b.workspaceId, build_number: b.buildNumber, transition: b.transition, reason: b.reason, initiator: b.initiator,
    template_version_id: b.templateVersionId, job_id: b.jobId, job_status: b.jobStatus, status: b.status, created_at: iso(b.createdAt),
    started_at: isoOrNull(b.startedAt), completed_at: isoOrNull(b.completedAt), canceled_at: isoOrNull(b.canceledAt),
    queue_wait_ms: ms(b.createdAt, b.startedAt), duration_ms: ms(b.startedAt, b.completedAt), error: b.error, error_code: b.errorCode,
    deadline: isoOrNull(b.deadline), max_deadline: isoOrNull(b.maxDeadline), explanation: b.explanation, outputs: b.outputs,
  };
}

/** `activeVersionId`: the template's active version, to tell whether the workspace is outdated. */
export function toApiWorkspace(w: Workspace, activeVersionId: string | null): ApiWorkspace {
  return {
    id: w.id, owner: w.owner, name: w.name, template_id: w.templateId, template_name: w.templateName, status: w.status,
    autostart_schedule: w.autostartSchedule, ttl_ms: w.ttlMs, automatic_updates: w.automaticUpdates, entity_ref: w.entityRef, last_used_at: iso(w.lastUsedAt),
    created_at: iso(w.createdAt), updated_at: iso(w.updatedAt), deleted: w.deleted,
    outdated: Boolean(w.latestBuild && activeVersionId && w.latestBuild.templateVersionId !== activeVersionId),
    latest_build: w.latestBuild ? toApiBuild(w.latestBuild) : null,
  };
}

export function toApiLog(l: BuildLog): ApiBuildLog {
  return { seq: l.seq, created_at: iso(l.createdAt), level: l.level, stage: l.stage, source: l.source, output: l.output };
}

export function toApiResource(r: WorkspaceResource): ApiResource {
  return { address: r.address, mode: r.mode, type: r.type, name: r.name, module: r.module, index_key: r.indexKey, transition: r.transition };
}

export function toApiSchedulePreview(p: SchedulePreview): ApiSchedulePreview {
  const t = (x: { at: number; iso: string }) => ({ at: iso(x.at), local: x.iso });
  return {
    time_zone: p.timeZone,
    autostarts: p.autostarts.map(t),
    autostops: p.autostops.map((a) => ({ ...t(a), source: a.source, started_at: a.startedAt ? t(a.startedAt) : null, max_deadline: a.maxDeadline ? t(a.maxDeadline) : null })),
    autostart_skip: p.autostartSkip ? { code: p.autostartSkip.code, message: p.autostartSkip.message } : null,
    notes: p.notes,
  };
}

export function toApiToken(t: ApiTokenRecord): ApiToken {
  return {
    id: t.id, name: t.name, owner: t.owner, created_at: iso(t.createdAt), last_used_at: isoOrNull(t.lastUsedAt),
    expires_at: isoOrNull(t.expiresAt), revoked_at: isoOrNull(t.revokedAt),
  };
}

export function toApiAudit(e: AuditEntry): ApiAuditEntry {
  return {
    id: e.id, time: iso(e.time), actor: e.actor, action: e.action, target_type: e.targetType, target_id: e.targetId, result: e.result,
    status_code: e.statusCode, details: e.details,
  };
}
