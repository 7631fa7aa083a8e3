/**
 * Templates and template versions. A version's source is a validated tar.gz kept in Postgres,
 * with the parameters and presets discovered at push time and the results of its import and
 * dry-run jobs.
 */
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { Db } from './connection';
import type { PlannedResource, Template, TemplateSchedulePolicy, TemplateVersion } from '../types';
import { ConflictError, InputError, NotFoundError } from '../errors';
import { checkName } from '../domain/names';
import { normalizeTags, taskQueueForTags, type ProvisionerTags } from '../domain/tags';
import type { Preset, TemplateParameter } from '../domain/parameter-types';
import type { JobStatus } from '../domain/status';
import { isUuid } from './ids';

type Row = Record<string, any>;
type Q = Db | Knex.Transaction;

export function toTemplate(r: Row): Template {
  return {
    id: r.id, name: r.name, displayName: r.display_name, description: r.description, icon: r.icon,
    activeVersionId: r.active_version_id, createdBy: r.created_by, createdAt: r.created_at,
    schedule: {
      defaultTtlMs: Number(r.default_ttl_ms), activityBumpMs: Number(r.activity_bump_ms), autostartAllowedDays: r.autostart_allowed_days,
      autostopRequirementDays: r.autostop_requirement_days, autostopRequirementWeeks: r.autostop_requirement_weeks,
      allowUserAutostart: r.allow_user_autostart, allowUserAutostop: r.allow_user_autostop, failureTtlMs: Number(r.failure_ttl_ms),
      timeTilDormantMs: Number(r.time_til_dormant_ms), timeTilDormantAutodeleteMs: Number(r.time_til_dormant_autodelete_ms),
    },
    allowUserCancelWorkspaceJobs: r.allow_user_cancel_workspace_jobs,
    requireActiveVersion: r.require_active_version,
    deprecationMessage: r.deprecation_message,
  };
}

export function toTemplateVersion(r: Row): TemplateVersion {
  return {
    id: r.id, templateId: r.template_id, name: r.name, message: r.message, archiveSha256: r.archive_sha256,
    archiveSize: r.archive_size, provisionerTags: r.provisioner_tags ?? {}, archived: r.archived,
    createdBy: r.created_by, createdAt: r.created_at,
    importJobId: r.job_id, importStatus: r.import_status ?? 'pending', importError: r.import_error ?? null,
    dryRunJobId: r.dry_run_job_id, dryRunStatus: r.dry_run_status ?? null, dryRunError: r.dry_run_error ?? null,
    plannedResources: r.planned_resources ?? [], warnings: r.warnings ?? [], readme: r.readme ?? '',
  };
}

function versionQuery(q: Q) {
  return q('template_versions as v')
    .leftJoin('provisioner_jobs as ij', 'ij.id', 'v.job_id')
    .leftJoin('provisioner_jobs as dj', 'dj.id', 'v.dry_run_job_id')
    .select('v.id', 'v.template_id', 'v.name', 'v.message', 'v.archive_sha256', 'v.archive_size', 'v.provisioner_tags', 'v.archived',
      'v.created_by', 'v.created_at', 'v.job_id', 'v.dry_run_job_id', 'v.planned_resources', 'v.warnings', 'v.readme',
      'ij.job_status as import_status', 'ij.error as import_error', 'dj.job_status as dry_run_status', 'dj.error as dry_run_error');
}

/** Finds a live template by name (case-insensitive), or null. */
export async function findTemplateByName(db: Q, name: string): Promise<Template | null> {
  const r = await db('templates').whereRaw('lower(name) = lower(?)', [name]).andWhere({ deleted: false }).first();
  return r ? toTemplate(r) : null;
}

/** Gets a live template by id; throws NotFoundError. */
export async function getTemplate(db: Q, id: string): Promise<Template> {
  const r = isUuid(id) ? await db('templates').where({ id, deleted: false }).first() : undefined;
  if (!r) throw new NotFoundError(`template ${id} not found`);
  return toTemplate(r);
}

/** Live templates by name. */
export async function listTemplates(db: Q): Promise<Template[]> {
  return (await db('templates').where({ deleted: false }).orderBy('name')).map(toTemplate);
}

/** Creates a template. Throws InputError for a bad name, ConflictError when the name is taken. */
export async function createTemplate(db: Q, t: { name: string; displayName?: string; description?: string; icon?: string; createdBy: string }): Promise<Template> {
  const bad = checkName('template', t.name);
  if (bad) throw new InputError(bad);
  try {
    const [r] = await db('templates').insert({
      name: t.name, display_name: t.displayName ?? '', description: t.description ?? '', icon: t.icon ?? '', created_by: t.createdBy,
    }).returning('*');
    return toTemplate(r);
  } catch (e) {
    if ((e as { code?: string }).code === '23505') throw new ConflictError(`template "${t.name}" already exists`);
    throw e;
  }
}

/** Template metadata and schedule policy a platform team may change. */
export interface TemplatePatch {
  displayName?: string;
  description?: string;
  icon?: string;
  schedule?: Partial<TemplateSchedulePolicy>;
  allowUserCancelWorkspaceJobs?: boolean;
  requireActiveVersion?: boolean;
  deprecationMessage?: string;
}

/**
 * Checks a schedule policy patch (Coder `coderd/templates.go`): durations are integers ≥ 0 ms;
 * failure, dormancy and autodelete TTLs are 0 or at least 1 minute; day masks 0–127; autostop
 * requirement weeks 1–16. Returns the first problem or null.
 */
export function checkSchedulePolicy(p: Partial<TemplateSchedulePolicy>): string | null {
  const ms = (k: keyof TemplateSchedulePolicy, min1m: boolean) => {
    const v = p[k];
    if (v === undefined) return null;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) return `${k} must be a whole number of milliseconds ≥ 0`;
    if (min1m && v > 0 && v < 60_000) return `${k} must be 0 (off) or at least 60000 (1 minute)`;
    return null;
  };
  const days = (k: keyof TemplateSchedulePolicy) => {
    const v = p[k];
    if (v === undefined) return null;
    return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 127 ? null : `${k} must be a day bitmask 0–127 (bit 0 = Monday)`;
  };
  const weeks = p.autostopRequirementWeeks;
  return ms('defaultTtlMs', false) ?? ms('activityBumpMs', false) ?? ms('failureTtlMs', true) ?? ms('timeTilDormantMs', true)
    ?? ms('timeTilDormantAutodeleteMs', true) ?? days('autostartAllowedDays') ?? days('autostopRequirementDays')
    ?? (weeks !== undefined && (!Number.isInteger(weeks) || weeks < 1 || weeks > 16) ? 'autostopRequirementWeeks must be 1–16' : null)
    ?? (['allowUserAutostart', 'allowUserAutostop'] as const).map((k) => (p[k] !== undefined && typeof p[k] !== 'boolean' ? `${k} must be true or false` : null)).find(Boolean) ?? null;
}

/** Updates metadata and policy; throws InputError (nothing written) or NotFoundError. */
export async function updateTemplate(db: Q, id: string, patch: TemplatePatch): Promise<Template> {
  await getTemplate(db, id);
  const bad = checkSchedulePolicy(patch.schedule ?? {});
  if (bad) throw new InputError(bad);
  const s = patch.schedule ?? {};
  const cols: Row = {
    display_name: patch.displayName, description: patch.description, icon: patch.icon,
    default_ttl_ms: s.defaultTtlMs, activity_bump_ms: s.activityBumpMs, autostart_allowed_days: s.autostartAllowedDays,
    autostop_requirement_days: s.autostopRequirementDays, autostop_requirement_weeks: s.autostopRequirementWeeks,
    allow_user_autostart: s.allowUserAutostart, allow_user_autostop: s.allowUserAutostop, failure_ttl_ms: s.failureTtlMs,
    time_til_dormant_ms: s.timeTilDormantMs, time_til_dormant_autodelete_ms: s.timeTilDormantAutodeleteMs,
    allow_user_cancel_workspace_jobs: patch.allowUserCancelWorkspaceJobs, require_active_version: patch.requireActiveVersion,
    deprecation_message: patch.deprecationMessage,
  };
  for (const k of Object.keys(cols)) if (cols[k] === undefined) delete cols[k];
  if (Object.keys(cols).length) await db('templates').where({ id }).update({ ...cols, updated_at: db.fn.now() });
  return getTemplate(db, id);
}

export interface NewTemplateVersion {
  templateId: string;
  archive: Buffer;
  name?: string;
  message?: string;
  provisionerTags?: ProvisionerTags;
  createdBy: string;
  parameters: TemplateParameter[];
  presets: Preset[];
  warnings?: string[];
  readme?: string;
}

/**
 * Stores a new version from an already validated and parsed archive, with its parameters,
 * presets and a pending import job (type template_version_import, routed by the version's
 * tags). Name defaults to `v<n>`. One transaction; throws InputError / ConflictError /
 * NotFoundError with nothing written.
 */
export async function createTemplateVersion(db: Db, v: NewTemplateVersion): Promise<{ version: TemplateVersion; taskQueue: string }> {
  let tags: ProvisionerTags;
  try { tags = normalizeTags(v.provisionerTags); } catch (e) { throw new InputError((e as Error).message); }
  return db.transaction(async (tx) => {
    const tpl = await tx('templates').where({ id: v.templateId, deleted: false }).forUpdate().first();
    if (!tpl) throw new NotFoundError(`template ${v.templateId} not found`);
    const taken = new Set<string>(await tx('template_versions').where({ template_id: v.templateId }).pluck('name'));
    let name = v.name;
    if (name === undefined) {
      // v<n>, skipping names already used (also explicit ones such as "v3")
      let n = taken.size + 1;
      while (taken.has(`v${n}`)) n++;
      name = `v${n}`;
    }
    if (!VERSION_NAME_RE.test(name)) throw new InputError(`template version name "${name}" is invalid: use letters, digits, ".", "_" and "-"`);
    if (taken.has(name)) throw new ConflictError(`template version "${name}" already exists`);
    const taskQueue = taskQueueForTags(tags);
    const [r] = await tx('template_versions').insert({
      template_id: v.templateId, name, message: v.message ?? '', archive: v.archive,
      archive_sha256: crypto.createHash('sha256').update(v.archive).digest('hex'), archive_size: v.archive.length,
      provisioner_tags: JSON.stringify(tags), created_by: v.createdBy, warnings: JSON.stringify(v.warnings ?? []), readme: v.readme ?? '',
    }).returning('id');
    const [job] = await tx('provisioner_jobs').insert({
      type: 'template_version_import', tags: JSON.stringify(tags), task_queue: taskQueue, initiator: v.createdBy,
      template_version_id: r.id, input: JSON.stringify({ templateVersionId: r.id }),
    }).returning('id');
    await tx('template_versions').where({ id: r.id }).update({ job_id: job.id });
    if (v.parameters.length) {
      await tx('template_version_parameters').insert(v.parameters.map((p) => ({
        template_version_id: r.id, name: p.name, display_name: p.displayName, description: p.description, icon: p.icon,
        display_order: p.order, type: p.type, default_value: p.defaultValue, required: p.required, sensitive: p.sensitive,
        nullable: p.nullable, mutable: p.mutable, ephemeral: p.ephemeral, options: JSON.stringify(p.options),
        validation: JSON.stringify(p.validation), terraform_validations: JSON.stringify(p.terraformValidations),
      })));
    }
    if (v.presets.length) {
      await tx('template_version_presets').insert(v.presets.map((p) => ({
        template_version_id: r.id, name: p.name, description: p.description, parameters: JSON.stringify(p.parameters),
        is_default: p.default, prebuild_instances: p.prebuildInstances, prebuild_expiration_s: p.prebuildExpirationSeconds,
      })));
    }
    await tx('templates').where({ id: v.templateId }).update({ updated_at: tx.fn.now() });
    return { version: await getTemplateVersion(tx, r.id), taskQueue };
  });
}

/** Template version names: 1–64 letters, digits, ".", "_", "-", starting with a letter or digit. */
export const VERSION_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Gets a version (without its archive); throws NotFoundError. */
export async function getTemplateVersion(db: Q, id: string): Promise<TemplateVersion> {
  const r = isUuid(id) ? await versionQuery(db).where('v.id', id).first() : undefined;
  if (!r) throw new NotFoundError(`template version ${id} not found`);
  return toTemplateVersion(r);
}

/** A version of a template by name; throws NotFoundError. */
export async function getTemplateVersionByName(db: Q, templateId: string, name: string): Promise<TemplateVersion> {
  const r = await versionQuery(db).where({ 'v.template_id': templateId, 'v.name': name }).first();
  if (!r) throw new NotFoundError(`template version "${name}" not found`);
  return toTemplateVersion(r);
}

/** Versions of a template, newest first. */
export async function listTemplateVersions(db: Q, templateId: string): Promise<TemplateVersion[]> {
  return (await versionQuery(db).where('v.template_id', templateId).orderBy('v.created_at', 'desc')).map(toTemplateVersion);
}

/** The archive bytes of a version; throws NotFoundError. */
export async function getTemplateVersionArchive(db: Q, id: string): Promise<Buffer> {
  const r = isUuid(id) ? await db('template_versions').where({ id }).first('archive') : undefined;
  if (!r) throw new NotFoundError(`template version ${id} not found`);
  return r.archive as Buffer;
}

/** Parameters of a version, in display order. */
export async function getTemplateVersionParameters(db: Q, versionId: string): Promise<TemplateParameter[]> {
  const rows = await db('template_version_parameters').where({ template_version_id: versionId }).orderBy([{ column: 'display_order' }, { column: 'name' }]);
  return rows.map((r: Row) => ({
    name: r.name, displayName: r.display_name, description: r.description, icon: r.icon, order: r.display_order, type: r.type,
    defaultValue: r.default_value, required: r.required, sensitive: r.sensitive, nullable: r.nullable, mutable: r.mutable,
    ephemeral: r.ephemeral, options: r.options ?? [], validation: r.validation ?? {}, terraformValidations: r.terraform_validations ?? [],
  }));
}

/** A stored preset with its id. */
export interface StoredPreset extends Preset { id: string; templateVersionId: string }

/** Presets of a version, default first, then by name. */
export async function getTemplateVersionPresets(db: Q, versionId: string): Promise<StoredPreset[]> {
  const rows = await db('template_version_presets').where({ template_version_id: versionId }).orderBy([{ column: 'is_default', order: 'desc' }, { column: 'name' }]);
  return rows.map((r: Row) => ({
    id: r.id, templateVersionId: r.template_version_id, name: r.name, description: r.description, parameters: r.parameters ?? {},
    default: r.is_default, prebuildInstances: r.prebuild_instances, prebuildExpirationSeconds: r.prebuild_expiration_s,
  }));
}

/**
 * Makes `versionId` the template's active version (Coder: the import must have succeeded).
 * Throws InputError (other template, archived, import not succeeded) or NotFoundError.
 */
export async function promoteTemplateVersion(db: Q, templateId: string, versionId: string): Promise<Template> {
  const v = await getTemplateVersion(db, versionId);
  if (v.templateId !== templateId) throw new InputError(`template version ${versionId} does not belong to template ${templateId}`);
  if (v.archived) throw new InputError(`template version ${v.name} is archived; unarchive it first`);
  if (v.importStatus !== 'succeeded') {
    throw new InputError(v.importStatus === 'failed' || v.importStatus === 'canceled'
      ? `template version ${v.name} cannot be promoted: its import ${v.importStatus}${v.importError ? `: ${v.importError}` : ''}`
      : `template version ${v.name} is still importing (${v.importStatus}); promote it when the import has succeeded`);
  }
  await db('templates').where({ id: templateId }).update({ active_version_id: versionId, updated_at: db.fn.now() });
  return getTemplate(db, templateId);
}

/** Archives (or unarchives) a version. The active version cannot be archived (InputError). */
export async function setTemplateVersionArchived(db: Q, versionId: string, archived: boolean): Promise<TemplateVersion> {
  const v = await getTemplateVersion(db, versionId);
  if (archived) {
    const tpl = await getTemplate(db, v.templateId);
    if (tpl.activeVersionId === versionId) throw new InputError(`template version ${v.name} is the active version and cannot be archived; promote another version first`);
  }
  await db('template_versions').where({ id: versionId }).update({ archived });
  return getTemplateVersion(db, versionId);
}

/** Creates a pending dry-run job for a version (type template_version_dry_run). */
export async function createDryRunJob(db: Db, versionId: string, initiator: string): Promise<{ jobId: string; taskQueue: string }> {
  return db.transaction(async (tx) => {
    const v = await getTemplateVersion(tx, versionId);
    const taskQueue = taskQueueForTags(v.provisionerTags);
    const [job] = await tx('provisioner_jobs').insert({
      type: 'template_version_dry_run', tags: JSON.stringify(v.provisionerTags), task_queue: taskQueue, initiator,
      template_version_id: versionId, input: JSON.stringify({ templateVersionId: versionId, transition: 'start' }),
    }).returning('id');
    await tx('template_versions').where({ id: versionId }).update({ dry_run_job_id: job.id });
    return { jobId: job.id, taskQueue };
  });
}

/** Records the resources the dry run planned. */
export async function setPlannedResources(db: Q, versionId: string, resources: PlannedResource[]): Promise<void> {
  await db('template_versions').where({ id: versionId }).update({ planned_resources: JSON.stringify(resources) });
}

/** Status of any provisioner job; throws NotFoundError. */
export async function getJobStatus(db: Q, jobId: string): Promise<{ status: JobStatus; error: string | null; type: string }> {
  const r = isUuid(jobId) ? await db('provisioner_jobs').where({ id: jobId }).first('job_status', 'error', 'type') : undefined;
  if (!r) throw new NotFoundError(`job ${jobId} not found`);
  return { status: r.job_status, error: r.error, type: r.type };
}
