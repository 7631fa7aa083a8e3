/**
 * Templates and template versions. A version's source is a validated tar.gz kept in Postgres.
 */
import crypto from 'node:crypto';
import type { Db } from './connection';
import type { Template, TemplateVersion } from '../types';
import { ConflictError, InputError, NotFoundError } from '../errors';
import { checkName } from '../domain/names';
import { normalizeTags, type ProvisionerTags } from '../domain/tags';

type Row = Record<string, any>;

export function toTemplate(r: Row): Template {
  return {
    id: r.id, name: r.name, displayName: r.display_name, description: r.description, icon: r.icon,
    activeVersionId: r.active_version_id, createdBy: r.created_by, createdAt: r.created_at,
  };
}

export function toTemplateVersion(r: Row): TemplateVersion {
  return {
    id: r.id, templateId: r.template_id, name: r.name, message: r.message, archiveSha256: r.archive_sha256,
    archiveSize: r.archive_size, provisionerTags: r.provisioner_tags ?? {}, archived: r.archived,
    createdBy: r.created_by, createdAt: r.created_at,
  };
}

const VERSION_COLUMNS = ['id', 'template_id', 'name', 'message', 'archive_sha256', 'archive_size', 'provisioner_tags', 'archived', 'created_by', 'created_at'];

/** Finds a live template by name (case-insensitive), or null. */
export async function findTemplateByName(db: Db, name: string): Promise<Template | null> {
  const r = await db('templates').whereRaw('lower(name) = lower(?)', [name]).andWhere({ deleted: false }).first();
  return r ? toTemplate(r) : null;
}

/** Gets a live template by id; throws NotFoundError. */
export async function getTemplate(db: Db, id: string): Promise<Template> {
  const r = await db('templates').where({ id, deleted: false }).first();
  if (!r) throw new NotFoundError(`template ${id} not found`);
  return toTemplate(r);
}

/** Creates a template. Throws InputError for a bad name, ConflictError when the name is taken. */
export async function createTemplate(db: Db, t: { name: string; displayName?: string; description?: string; icon?: string; createdBy: string }): Promise<Template> {
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

/**
 * Stores a new version from an already validated archive (see terraform/archive.ts). Name
 * defaults to `v<n>`. When `activate` is true the template's active version becomes this one.
 */
export async function createTemplateVersion(db: Db, v: {
  templateId: string; archive: Buffer; name?: string; message?: string; provisionerTags?: ProvisionerTags; createdBy: string; activate?: boolean;
}): Promise<TemplateVersion> {
  let tags: ProvisionerTags;
  try { tags = normalizeTags(v.provisionerTags); } catch (e) { throw new InputError((e as Error).message); }
  return db.transaction(async (tx) => {
    const tpl = await tx('templates').where({ id: v.templateId, deleted: false }).forUpdate().first();
    if (!tpl) throw new NotFoundError(`template ${v.templateId} not found`);
    const count = Number((await tx('template_versions').where({ template_id: v.templateId }).count<{ count: string }[]>('* as count'))[0].count);
    const name = v.name ?? `v${count + 1}`;
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name)) throw new InputError(`template version name "${name}" is invalid: use letters, digits, ".", "_" and "-"`);
    const exists = await tx('template_versions').where({ template_id: v.templateId, name }).first('id');
    if (exists) throw new ConflictError(`template version "${name}" already exists`);
    const [r] = await tx('template_versions').insert({
      template_id: v.templateId, name, message: v.message ?? '', archive: v.archive,
      archive_sha256: crypto.createHash('sha256').update(v.archive).digest('hex'), archive_size: v.archive.length,
      provisioner_tags: JSON.stringify(tags), created_by: v.createdBy,
    }).returning(VERSION_COLUMNS);
    if (v.activate) await tx('templates').where({ id: v.templateId }).update({ active_version_id: r.id, updated_at: tx.fn.now() });
    return toTemplateVersion(r);
  });
}

/** Gets a version (without its archive); throws NotFoundError. */
export async function getTemplateVersion(db: Db, id: string): Promise<TemplateVersion> {
  const r = await db('template_versions').where({ id }).first(VERSION_COLUMNS);
  if (!r) throw new NotFoundError(`template version ${id} not found`);
  return toTemplateVersion(r);
}

/** Versions of a template, newest first. */
export async function listTemplateVersions(db: Db, templateId: string): Promise<TemplateVersion[]> {
  const rows = await db('template_versions').where({ template_id: templateId }).orderBy('created_at', 'desc').select(VERSION_COLUMNS);
  return rows.map(toTemplateVersion);
}

/** The archive bytes of a version; throws NotFoundError. */
export async function getTemplateVersionArchive(db: Db, id: string): Promise<Buffer> {
  const r = await db('template_versions').where({ id }).first('archive');
  if (!r) throw new NotFoundError(`template version ${id} not found`);
  return r.archive as Buffer;
}

/** Makes `versionId` the template's active version; throws InputError when it belongs to another template. */
export async function setActiveVersion(db: Db, templateId: string, versionId: string): Promise<void> {
  const v = await getTemplateVersion(db, versionId);
  if (v.templateId !== templateId) throw new InputError(`template version ${versionId} does not belong to template ${templateId}`);
  await db('templates').where({ id: templateId }).update({ active_version_id: versionId, updated_at: db.fn.now() });
}
