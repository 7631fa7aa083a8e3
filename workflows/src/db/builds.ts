/**
 * Workspaces, workspace builds, provisioner jobs, build parameters, resources and logs.
 * The workspace workflow is the single writer of builds; these functions keep the database's
 * own guards too (build numbers unique per workspace, one active build, atomic job start).
 */
import type { Knex } from 'knex';
import type { Db } from './connection';
import type { BuildLog, Workspace, WorkspaceBuild, WorkspaceResource } from '../types';
import { ConflictError, InputError, NotFoundError } from '../errors';
import { checkName, checkPrincipal } from '../domain/names';
import { isActiveJob, workspaceStatus, type BuildReason, type JobStatus, type Transition } from '../domain/status';
import { taskQueueForTags, type ProvisionerTags } from '../domain/tags';
import type { VariableValues } from '../domain/variables';
import { ParameterError, resolveBuildParameters } from '../domain/parameters';
import type { TemplateParameter } from '../domain/parameter-types';
import { getTemplateVersionParameters, getTemplateVersionPresets } from './templates';
import { isUuid } from './ids';
import { PREBUILDS_OWNER } from '../domain/prebuilds';

type Row = Record<string, any>;
type Q = Db | Knex.Transaction;

/** Columns of a build row joined with its job (used by toBuild). */
export const BUILD_SELECT = [
  'b.id', 'b.workspace_id', 'b.build_number', 'b.transition', 'b.reason', 'b.initiator', 'b.template_version_id', 'b.job_id',
  'b.deadline', 'b.max_deadline', 'b.explanation', 'b.outputs', 'b.created_at',
  'j.job_status', 'j.started_at', 'j.completed_at', 'j.canceled_at', 'j.error', 'j.error_code', 'j.task_queue', 'j.tags',
  'j.created_at as job_created_at',
];

/** A build row (BUILD_SELECT + has_state) as a WorkspaceBuild. */
export function toBuild(r: Row): WorkspaceBuild {
  return {
    id: r.id, workspaceId: r.workspace_id, buildNumber: r.build_number, transition: r.transition, reason: r.reason,
    initiator: r.initiator, templateVersionId: r.template_version_id, jobId: r.job_id, jobStatus: r.job_status,
    status: workspaceStatus(r.job_status as JobStatus, r.transition as Transition),
    taskQueue: r.task_queue, provisionerTags: r.tags ?? {},
    createdAt: r.created_at, startedAt: r.started_at, completedAt: r.completed_at, canceledAt: r.canceled_at,
    error: r.error, errorCode: r.error_code, deadline: r.deadline, maxDeadline: r.max_deadline,
    explanation: r.explanation, outputs: r.outputs ?? {}, hasState: Boolean(r.has_state),
  };
}

function buildQuery(q: Q) {
  return q('workspace_builds as b').join('provisioner_jobs as j', 'j.id', 'b.job_id')
    .select([...BUILD_SELECT, q.raw('(b.provisioner_state IS NOT NULL) as has_state')]);
}

/** A workspace row (with template_name) and its latest build as a Workspace. */
export function toWorkspace(r: Row, latest: WorkspaceBuild | null): Workspace {
  return {
    id: r.id, owner: r.owner, name: r.name, templateId: r.template_id, templateName: r.template_name,
    autostartSchedule: r.autostart_schedule, ttlMs: r.ttl_ms === null ? null : Number(r.ttl_ms), automaticUpdates: r.automatic_updates,
    entityRef: r.entity_ref ?? null,
    lastUsedAt: r.last_used_at,
    isPrebuild: r.owner === PREBUILDS_OWNER, prebuildPresetId: r.prebuild_preset_id ?? null, claimedAt: r.claimed_at ?? null,
    deleted: r.deleted, createdAt: r.created_at, updatedAt: r.updated_at,
    status: r.deleted ? 'deleted' : latest ? latest.status : 'pending', latestBuild: latest,
  };
}

/** Inserts a workspace row. InputError for a bad name, ConflictError when the owner already has a live workspace of that name (both with details `{ field: 'name' }`). */
export async function insertWorkspace(db: Db, w: {
  owner: string; name: string; templateId: string; ttlMs?: number | null; autostartSchedule?: string | null; automaticUpdates?: 'always' | 'never';
  entityRef?: string | null;
}): Promise<Workspace> {
  const bad = checkName('workspace', w.name);
  if (bad) throw new InputError(bad, { field: 'name' });
  const badOwner = checkPrincipal('owner', w.owner);
  if (badOwner) throw new InputError(badOwner);
  try {
    const [r] = await db('workspaces').insert({
      owner: w.owner, name: w.name, template_id: w.templateId, ttl_ms: w.ttlMs ?? null,
      autostart_schedule: w.autostartSchedule ?? null, automatic_updates: w.automaticUpdates ?? 'never', entity_ref: w.entityRef ?? null,
    }).returning('*');
    const t = await db('templates').where({ id: r.template_id }).first('name');
    return toWorkspace({ ...r, template_name: t?.name }, null);
  } catch (e) {
    if ((e as { code?: string }).code === '23505') throw new ConflictError(`workspace "${w.name}" already exists for ${w.owner}`, { field: 'name' });
    throw e;
  }
}

/** Removes a workspace row that never got a build (used when its workflow could not start). */
export async function deleteUnbuiltWorkspace(db: Db, id: string): Promise<void> {
  await db.transaction(async (tx) => {
    const hasBuild = await tx('workspace_builds').where({ workspace_id: id }).first('id');
    if (!hasBuild) await tx('workspaces').where({ id }).delete();
  });
}

async function latestBuildOf(q: Q, workspaceId: string): Promise<WorkspaceBuild | null> {
  const r = await buildQuery(q).where('b.workspace_id', workspaceId).orderBy('b.build_number', 'desc').first();
  return r ? toBuild(r) : null;
}

/** Gets a workspace (deleted ones too) with its latest build; throws NotFoundError. */
export async function getWorkspace(db: Q, id: string): Promise<Workspace> {
  if (!isUuid(id)) throw new NotFoundError(`workspace ${id} not found`);
  const r = await db('workspaces as w').join('templates as t', 't.id', 'w.template_id').where('w.id', id).first('w.*', 't.name as template_name');
  if (!r) throw new NotFoundError(`workspace ${id} not found`);
  return toWorkspace(r, await latestBuildOf(db, id));
}

/** Finds a live workspace by owner and name (case-insensitive), or null. */
export async function findWorkspace(db: Db, owner: string, name: string): Promise<Workspace | null> {
  if (typeof owner !== 'string' || typeof name !== 'string') return null;
  const r = await db('workspaces').where({ owner, deleted: false }).whereRaw('lower(name) = lower(?)', [name]).first('id');
  return r ? getWorkspace(db, r.id) : null;
}

/** Live workspaces, optionally of one owner, by name. */
export async function listWorkspaces(db: Db, filter: { owner?: string } = {}): Promise<Workspace[]> {
  const q = db('workspaces as w').join('templates as t', 't.id', 'w.template_id').where('w.deleted', false).select('w.*', 't.name as template_name').orderBy('w.name');
  if (filter.owner) q.andWhere('w.owner', filter.owner);
  const rows = await q;
  const out: Workspace[] = [];
  for (const r of rows) out.push(toWorkspace(r, await latestBuildOf(db, r.id)));
  return out;
}

/** A build by workspace and number; throws NotFoundError (also for a malformed id or number). */
export async function getBuildByNumber(db: Db, workspaceId: string, buildNumber: number): Promise<WorkspaceBuild> {
  if (!isUuid(workspaceId) || !Number.isInteger(buildNumber) || buildNumber < 1 || buildNumber > 2_147_483_647) {
    throw new NotFoundError(`build #${String(buildNumber)} of workspace ${String(workspaceId)} not found`);
  }
  const r = await buildQuery(db).where({ 'b.workspace_id': workspaceId, 'b.build_number': buildNumber }).first();
  if (!r) throw new NotFoundError(`build #${buildNumber} of workspace ${workspaceId} not found`);
  return toBuild(r);
}

/** A build by id; throws NotFoundError. */
export async function getBuild(db: Q, buildId: string): Promise<WorkspaceBuild> {
  const r = await buildQuery(db).where('b.id', buildId).first();
  if (!r) throw new NotFoundError(`build ${buildId} not found`);
  return toBuild(r);
}

/** Builds of a workspace, newest first; NotFoundError for an unknown workspace. */
export async function listBuilds(db: Db, workspaceId: string): Promise<WorkspaceBuild[]> {
  await getWorkspace(db, workspaceId);
  return (await buildQuery(db).where('b.workspace_id', workspaceId).orderBy('b.build_number', 'desc')).map(toBuild);
}

/** The variable values a build ran with. */
export async function getBuildParameters(db: Q, buildId: string): Promise<VariableValues> {
  const rows = await db('build_parameters').where({ build_id: buildId }).select('name', 'value');
  return Object.fromEntries(rows.map((r: Row) => [r.name, r.value]));
}

export interface EnqueueBuildInput {
  workspaceId: string;
  transition: Transition;
  reason: BuildReason;
  initiator: string;
  templateVersionId?: string;
  activeVersion?: boolean;
  /** Requested parameter values; values of the form `berth-stash:<uuid>` are taken from the stash. */
  parameters?: VariableValues;
  /** Preset name of the build's version. */
  preset?: string;
  explanation: string;
  /** For builds the lifecycle starts: the rule that decided it and the workflow's now (ms), re-checked on fresh state. */
  lifecycle?: { rule: string; now: number };
  /** Only while the workspace is an unclaimed prebuild (else ConflictError): the prebuild reconciler's deletes never hit a claimed workspace. */
  requirePrebuild?: boolean;
}

export interface EnqueuedBuild { build: WorkspaceBuild; taskQueue: string; tags: ProvisionerTags }

/** Prefix of a stashed (sensitive) value reference. */
export const STASH_PREFIX = 'berth-stash:';

/**
 * Keeps a sensitive value out of Temporal payloads: stores it for one workspace and returns a
 * reference (`berth-stash:<uuid>`) to send instead. The build that uses it deletes it.
 */
export async function stashValue(db: Q, workspaceId: string, value: string): Promise<string> {
  const [r] = await db('parameter_value_stash').insert({ value, workspace_id: workspaceId }).returning('id');
  return `${STASH_PREFIX}${r.id}`;
}

/** Drops stashed values older than `maxAgeMs` (requests that were refused before use). */
export async function pruneStash(db: Q, maxAgeMs = 3_600_000): Promise<number> {
  return db('parameter_value_stash').where('created_at', '<', new Date(Date.now() - maxAgeMs)).delete();
}

async function unstash(tx: Knex.Transaction, workspaceId: string, values: VariableValues): Promise<VariableValues> {
  const out: VariableValues = {};
  for (const [k, v] of Object.entries(values)) {
    if (typeof v === 'string' && v.startsWith(STASH_PREFIX)) {
      const id = v.slice(STASH_PREFIX.length);
      const row = isUuid(id) ? await tx('parameter_value_stash').where({ id, workspace_id: workspaceId }).first('value') : undefined;
      if (!row) throw new InputError(`parameter "${k}": its value expired before the build was queued; send it again`, { parameter: k, rule: 'stash' });
      await tx('parameter_value_stash').where({ id }).delete();
      out[k] = row.value;
    } else out[k] = v;
  }
  return out;
}

/**
 * Writes a pending build: provisioner job + build row (number = last + 1) + the parameters
 * resolved by Coder's rules (domain/parameters.ts), in one transaction with the workspace row
 * locked. The version is the request's, else the active one (first build, `activeVersion`,
 * automatic_updates = always or the template requires it for starts), else the last build's.
 * Throws NotFoundError (unknown workspace / version / preset), InputError (version of another
 * template, import not succeeded, parameter rule — details {parameter, rule}), ConflictError
 * (deleted, a build is already active). Nothing is written when it throws.
 */
export async function enqueueBuild(db: Db, input: EnqueueBuildInput): Promise<EnqueuedBuild> {
  return db.transaction(async (tx) => {
    const ws = await tx('workspaces').where({ id: input.workspaceId }).forUpdate().first();
    if (!ws) throw new NotFoundError(`workspace ${input.workspaceId} not found`);
    if (ws.deleted) throw new ConflictError(`workspace ${ws.name} is deleted`);
    if (input.requirePrebuild && ws.owner !== PREBUILDS_OWNER) throw new ConflictError(`workspace ${ws.name} is no longer a prebuild: it was claimed by ${ws.owner}`);
    const last = await latestBuildOf(tx, input.workspaceId);
    if (last && isActiveJob(last.jobStatus)) throw new ConflictError(`a build is already active: build #${last.buildNumber} (${last.transition}) is ${last.jobStatus}`);
    const tpl = await tx('templates').where({ id: ws.template_id }).first();
    const wantsActive = input.activeVersion || !last
      || (input.transition === 'start' && (ws.automatic_updates === 'always' || tpl.require_active_version));
    let versionId = input.templateVersionId;
    if (!versionId) versionId = wantsActive ? tpl.active_version_id : last!.templateVersionId;
    if (!versionId) throw new InputError(`template ${tpl.name} has no active version`);
    const version = isUuid(versionId)
      ? await tx('template_versions as v').leftJoin('provisioner_jobs as j', 'j.id', 'v.job_id').where('v.id', versionId)
        .first('v.id', 'v.name', 'v.template_id', 'v.provisioner_tags', 'v.archived', 'j.job_status as import_status', 'j.error as import_error')
      : undefined;
    if (!version) throw new NotFoundError(`template version ${versionId} not found`);
    if (version.template_id !== ws.template_id) throw new InputError(`template version ${versionId} does not belong to template ${tpl.name}`);
    if (version.import_status === 'pending' || version.import_status === 'running') {
      throw new ConflictError(`template version ${version.name} is still importing; wait for it to complete`);
    }
    if (version.import_status && version.import_status !== 'succeeded') {
      throw new InputError(`template version ${version.name} cannot be built: its import ${version.import_status}${version.import_error ? `: ${version.import_error}` : ''}`);
    }
    const parameters = await getTemplateVersionParameters(tx, version.id);
    let presetId: string | null = null;
    let preset = null;
    if (input.preset) {
      const found = (await getTemplateVersionPresets(tx, version.id)).find((p) => p.name === input.preset);
      if (!found) throw new NotFoundError(`preset "${input.preset}" not found in template version ${version.name}`);
      preset = found;
      presetId = found.id;
    }
    const requested = await unstash(tx, input.workspaceId, input.parameters ?? {});
    let values: VariableValues;
    try {
      // A stop or delete keeps the values of the last build: tofu needs them to plan, and
      // nothing about the workspace's inputs changes.
      const previous = last ? await getBuildParameters(tx, last.id) : null;
      values = resolveBuildParameters({ parameters, previous, requested, preset }).values;
    } catch (e) {
      if (e instanceof ParameterError) throw new InputError(e.message, { parameter: e.parameter, rule: e.rule });
      throw e;
    }
    const tags: ProvisionerTags = version.provisioner_tags ?? {};
    const taskQueue = taskQueueForTags(tags);
    const [job] = await tx('provisioner_jobs').insert({
      type: 'workspace_build', tags: JSON.stringify(tags), task_queue: taskQueue, initiator: input.initiator,
      input: JSON.stringify({ workspaceId: input.workspaceId }),
    }).returning('id');
    const [b] = await tx('workspace_builds').insert({
      workspace_id: input.workspaceId, build_number: (last?.buildNumber ?? 0) + 1, transition: input.transition,
      reason: input.reason, initiator: input.initiator, template_version_id: versionId, job_id: job.id,
      explanation: input.explanation, template_version_preset_id: presetId,
    }).returning('id');
    await tx('provisioner_jobs').where({ id: job.id }).update({ input: JSON.stringify({ workspaceId: input.workspaceId, buildId: b.id }) });
    const params = Object.entries(values).map(([name, value]) => ({ build_id: b.id, name, value }));
    if (params.length) await tx('build_parameters').insert(params);
    await tx('workspaces').where({ id: input.workspaceId }).update({ updated_at: tx.fn.now() });
    return { build: await getBuild(tx, b.id), taskQueue, tags };
  });
}

/** Everything a provisioner needs to run a build (loaded by the runTofu activity). */
export interface BuildJobContext {
  build: WorkspaceBuild;
  workspace: { id: string; name: string; owner: string; templateName: string };
  /** The build's resolved parameter values (strings). */
  values: VariableValues;
  /** The parameters of the build's template version (types, sensitivity). */
  parameters: TemplateParameter[];
  /** The state to start from: this build's own state if a previous attempt saved one, else the previous build's. */
  state: Buffer | null;
}

/** Loads a build's job context; throws NotFoundError. */
export async function loadBuildJobContext(db: Db, buildId: string): Promise<BuildJobContext> {
  const build = await getBuild(db, buildId);
  const ws = await getWorkspace(db, build.workspaceId);
  const own = await db('workspace_builds').where({ id: buildId }).first('provisioner_state');
  let state: Buffer | null = own?.provisioner_state ?? null;
  if (!state) {
    const prev = await db('workspace_builds').where({ workspace_id: build.workspaceId }).andWhere('build_number', '<', build.buildNumber)
      .orderBy('build_number', 'desc').first('provisioner_state');
    state = prev?.provisioner_state ?? null;
  }
  return {
    build, state,
    workspace: { id: ws.id, name: ws.name, owner: ws.owner, templateName: ws.templateName },
    values: await getBuildParameters(db, buildId),
    parameters: await getTemplateVersionParameters(db, build.templateVersionId),
  };
}

/** The state blob of a build (null when none). */
export async function getBuildState(db: Db, buildId: string): Promise<Buffer | null> {
  const r = await db('workspace_builds').where({ id: buildId }).first('provisioner_state');
  return r?.provisioner_state ?? null;
}

/**
 * Marks a job started by `workerId` (first attempt) or confirms it is still runnable (a retry).
 * Returns `{ startedAt, firstStart }`, or null when the job was canceled or completed meanwhile.
 */
export async function markJobStarted(db: Db, jobId: string, workerId: string): Promise<{ startedAt: Date; createdAt: Date; firstStart: boolean } | null> {
  const [first] = await db('provisioner_jobs').where({ id: jobId }).whereNull('started_at').whereNull('completed_at').whereNull('canceled_at')
    .update({ started_at: db.fn.now(), updated_at: db.fn.now(), worker_id: workerId }).returning(['started_at', 'created_at']);
  if (first) return { startedAt: first.started_at, createdAt: first.created_at, firstStart: true };
  const [again] = await db('provisioner_jobs').where({ id: jobId }).whereNotNull('started_at').whereNull('completed_at').whereNull('canceled_at')
    .update({ updated_at: db.fn.now(), worker_id: workerId }).returning(['started_at', 'created_at']);
  if (again) return { startedAt: again.started_at, createdAt: again.created_at, firstStart: false };
  return null;
}

/**
 * Records a cancel request (Coder `UpdateProvisionerJobWithCancelByID`): canceled_at = now, and
 * completed_at = now too when the job never started (pending → canceled at once; running →
 * canceling). Returns the job status after, or null when it had already completed.
 */
export async function markJobCanceling(db: Db, jobId: string): Promise<JobStatus | null> {
  const [r] = await db('provisioner_jobs').where({ id: jobId }).whereNull('completed_at').update({
    canceled_at: db.raw('COALESCE(canceled_at, now())'),
    completed_at: db.raw('CASE WHEN started_at IS NULL THEN now() ELSE NULL END'),
    updated_at: db.fn.now(),
  }).returning('job_status');
  return r ? (r.job_status as JobStatus) : null;
}

/** Persists what tofu left: state blob, outputs and resources (replacing earlier ones). Called on success AND failure. */
export async function saveBuildResult(db: Db, buildId: string, r: { state: Buffer | null; outputs: Record<string, unknown>; resources: WorkspaceResource[] }): Promise<void> {
  await db.transaction(async (tx) => {
    const b = await tx('workspace_builds').where({ id: buildId }).first('job_id');
    if (!b) throw new NotFoundError(`build ${buildId} not found`);
    const patch: Row = { outputs: JSON.stringify(r.outputs), updated_at: tx.fn.now() };
    if (r.state) patch.provisioner_state = r.state;
    await tx('workspace_builds').where({ id: buildId }).update(patch);
    await tx('workspace_resources').where({ job_id: b.job_id }).delete();
    if (r.resources.length) {
      await tx('workspace_resources').insert(r.resources.map((x) => ({
        job_id: b.job_id, transition: x.transition, address: x.address, mode: x.mode, type: x.type, name: x.name, module: x.module, index_key: x.indexKey,
      })));
    }
  });
}

/** Resources recorded for a build. */
export async function listBuildResources(db: Db, buildId: string): Promise<WorkspaceResource[]> {
  const rows = await db('workspace_resources as r').join('workspace_builds as b', 'b.job_id', 'r.job_id').where('b.id', buildId).orderBy('r.id');
  return rows.map((x: Row) => ({ address: x.address, mode: x.mode, type: x.type, name: x.name, module: x.module, indexKey: x.index_key, transition: x.transition }));
}

/** How a job ended. */
export type JobOutcome = { kind: 'succeeded' } | { kind: 'failed'; error: string; errorCode?: string } | { kind: 'canceled' };

/**
 * Completes any provisioner job with its outcome; idempotent (a completed job is left as it is).
 */
export async function completeJob(q: Q, jobId: string, outcome: JobOutcome, nowMs?: number): Promise<void> {
  // `nowMs`: the workflow's clock, so completion times agree with the lifecycle decisions made on it.
  const patch: Row = { completed_at: nowMs === undefined ? q.fn.now() : new Date(nowMs), updated_at: q.fn.now() };
  if (outcome.kind === 'failed') { patch.error = outcome.error || 'job failed'; patch.error_code = outcome.errorCode ?? null; }
  if (outcome.kind === 'canceled') patch.canceled_at = q.raw('COALESCE(canceled_at, now())');
  // A cancel that arrived after tofu had finished did not cancel anything: the job succeeded
  // (Coder would report it canceled although the workspace changed; Berth reports what happened).
  if (outcome.kind === 'succeeded') patch.canceled_at = null;
  await q('provisioner_jobs').where({ id: jobId }).whereNull('completed_at').update(patch);
}

/**
 * Completes a build's job (idempotent) and, for a delete build that succeeded, marks the
 * workspace deleted. Returns the build after.
 */
export async function completeBuildJob(db: Db, buildId: string, outcome: JobOutcome, nowMs?: number,
  /** Runs in the same transaction after the job is completed (lifecycle: deadline, next_start_at). */
  alsoInTx?: (tx: Knex.Transaction, build: WorkspaceBuild) => Promise<void>): Promise<WorkspaceBuild> {
  return db.transaction(async (tx) => {
    const b = await tx('workspace_builds').where({ id: buildId }).first('job_id', 'workspace_id', 'transition');
    if (!b) throw new NotFoundError(`build ${buildId} not found`);
    await completeJob(tx, b.job_id, outcome, nowMs);
    let after = await getBuild(tx, buildId);
    if (alsoInTx) {
      await alsoInTx(tx, after);
      after = await getBuild(tx, buildId);
    }
    if (b.transition === 'delete' && after.jobStatus === 'succeeded') {
      await tx('workspaces').where({ id: b.workspace_id }).update({ deleted: true, updated_at: tx.fn.now() });
    }
    return after;
  });
}

/**
 * Appends log lines (idempotent per (job, seq): a retried attempt may resend) and, in the same
 * transaction, the tailing progress they correspond to (when given).
 */
export async function appendLogs(db: Db, jobId: string, lines: BuildLog[], progress?: Record<string, unknown>): Promise<void> {
  if (!lines.length && !progress) return;
  await db.transaction(async (tx) => {
    if (lines.length) {
      await tx('build_logs').insert(lines.map((l) => ({
        job_id: jobId, seq: l.seq, created_at: l.createdAt, level: l.level, stage: l.stage, source: l.source, output: l.output,
      }))).onConflict(['job_id', 'seq']).ignore();
    }
    if (progress) await tx('provisioner_jobs').where({ id: jobId }).update({ progress: JSON.stringify(progress), updated_at: tx.fn.now() });
  });
}

/** The tailing progress last stored with the logs of a job. */
export async function getJobProgress(db: Db, jobId: string): Promise<Record<string, any>> {
  const r = await db('provisioner_jobs').where({ id: jobId }).first('progress');
  return r?.progress ?? {};
}

/** Highest log seq of a job (0 when none). */
export async function lastLogSeq(db: Db, jobId: string): Promise<number> {
  const r = await db('build_logs').where({ job_id: jobId }).max<{ max: number | null }[]>('seq as max');
  return r[0]?.max ?? 0;
}

/** Log lines of a job with seq > `after`, in order, at most `limit`. */
export async function getLogs(db: Db, jobId: string, after = 0, limit = 10_000): Promise<BuildLog[]> {
  if (!Number.isInteger(after) || after < 0) throw new InputError(`after must be a whole number ≥ 0, got ${String(after)}`);
  if (!Number.isInteger(limit) || limit < 1) throw new InputError(`limit must be a whole number ≥ 1, got ${String(limit)}`);
  const rows = await db('build_logs').where({ job_id: jobId }).andWhere('seq', '>', after).orderBy('seq').limit(limit);
  return rows.map((r: Row) => ({ seq: r.seq, createdAt: r.created_at, level: r.level, stage: r.stage, source: r.source, output: r.output }));
}

export { isUuid } from './ids';
