/**
 * The typed facade the API (and tests, scripts, the TUI through the API) use to drive Berth:
 * templates, workspaces, builds, cancel, describe, logs. Reads come from Postgres; every change
 * to a workspace's lifecycle goes to its workspace workflow (the single writer). Errors are
 * BerthError subclasses (InputError 400, NotFoundError 404, ConflictError 409) with a message
 * that names the current state.
 */
import { Client, Connection, WithStartWorkflowOperation, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Db } from './db/connection';
import { buildOptionsFromEnv, prebuildConfigFromEnv, prebuildsEnabledFromEnv } from './config';
import {
  deleteUnbuiltWorkspace, findWorkspace, getBuildByNumber, getBuildParameters, getLogs, getWorkspace, insertWorkspace, isUuid, listBuildResources,
  listBuilds, listWorkspaces, stashValue,
} from './db/builds';
import {
  createTemplate, createTemplateVersion, findTemplateByName, getJobStatus, getTemplate, getTemplateVersion, getTemplateVersionByName,
  getTemplateVersionParameters, getTemplateVersionPresets, listTemplates, listTemplateVersions, promoteTemplateVersion,
  setTemplateVersionArchived, updateTemplate, type StoredPreset, type TemplatePatch,
} from './db/templates';
import { maskSensitive } from './domain/parameters';
import type { TemplateParameter } from './domain/parameter-types';
import { parseTemplateFiles } from './templates/parse';
import type { TemplateImportResult } from './workflows/template-import';
import { BerthError, ConflictError, InputError, NotFoundError } from './errors';
import { checkVariableValues, isActiveJob, type VariableValues } from './domain';
import type { ProvisionerTags } from './domain/tags';
import { CONTROL_QUEUE } from './domain/tags';
import { checkName, checkPrincipal } from './domain/names';
import { VERSION_NAME_RE } from './db/templates';
import { createArchiveFromDirectory, readArchiveFiles, type ArchiveLimits, DEFAULT_MAX_ARCHIVE_BYTES } from './terraform/archive';
import { normalizeTags } from './domain/tags';
import {
  activitySignal, BuildReasonKey, BuildTransitionKey, cancelBuildUpdate, claimUpdate, describeQuery, extendDeadlineUpdate, requestBuildUpdate,
  SEARCH_ATTRIBUTES, setScheduleUpdate, WorkspaceIdKey, WorkspaceOwnerKey, workspaceWorkflowId,
} from './workflows/definitions';
import { loadLifecycleState, setUserSettings } from './db/lifecycle';
import { claimPrebuild, findPreset, loadPrebuildSnapshot, prebuildCounts, setPresetPrebuildStatus, unclaimPrebuild } from './db/prebuilds';
import { claimMatches, planPreset, PREBUILDS_OWNER, type PrebuildConfig, type PrebuildStatus } from './domain/prebuilds';
import { resolveBuildParameters } from './domain/parameters';
import { ensurePrebuildReconciler } from './prebuilds';
import {
  applyAutostartUpdate, parseQuietHoursSchedule, parseWeeklySchedule, previewSchedule, ScheduleError, validateWorkspaceTtl, workspaceTtlAtCreate,
  type SchedulePreview,
} from './domain/schedule';
import type { workspaceWorkflow } from './workflows/workspace';
import {
  DEFAULT_BUILD_ACTIVITY_OPTIONS, type BuildActivityOptions, type BuildLog, type BuildRef, type BuildRequest, type Template,
  type TemplateVersion, type Workspace, type WorkspaceBuild, type WorkspaceDescription, type WorkspaceResource,
} from './types';

export interface BerthClientOptions {
  db: Db;
  temporal: Client;
  /** Task queue of workspace workflows (default `berth`). */
  taskQueue?: string;
  /** runTofu timeouts for new workspaces (default: BERTH_BUILD_* variables, else built-in defaults). */
  buildOptions?: Partial<BuildActivityOptions>;
  archiveLimits?: ArchiveLimits;
  /**
   * Prebuilds: `enabled` (default: BERTH_PREBUILDS, on) starts/wakes the prebuild reconciler on
   * template changes; `config` overrides BERTH_PREBUILD_* settings. Claims work either way.
   */
  prebuilds?: { enabled?: boolean; config?: Partial<PrebuildConfig> };
}

/** One preset's prebuild pool, as the API, the card and the TUI show it. Times in ms since the epoch. */
export interface PrebuildPoolStatus {
  templateId: string;
  template: string;
  templateVersionId: string;
  preset: string;
  presetId: string;
  /** The preset's version is the template's active version (else its prebuilds are being invalidated). */
  active: boolean;
  /** `healthy`, or `hard_limited` after consecutive failed builds (reset with resetPrebuildHardLimit). */
  status: PrebuildStatus;
  desired: number;
  /** Running prebuilds, expired ones included. */
  running: number;
  /** Claimable now: running, unexpired, on the active version. */
  eligible: number;
  expired: number;
  /** Prebuild start builds in progress. */
  starting: number;
  /** Prebuilds ever created for this preset, those whose first build failed, and those claimed. */
  created: number;
  failed: number;
  claimed: number;
  /** While backing off after failures: when creating resumes; else null. */
  backoffUntil: number | null;
  /** What the reconciler would do now, in one line. */
  explanation: string;
}

export interface CreateWorkspaceInput {
  owner: string;
  /** 1–32 lowercase letters, digits and single hyphens; unique per owner among live workspaces. */
  name: string;
  /** Template name or id. */
  template: string;
  /** Default: the template's active version. */
  templateVersionId?: string;
  /** Parameter values (strings; list(string) as JSON). */
  parameters?: VariableValues;
  /** Preset name of the version: its values are added to `parameters`. */
  preset?: string;
  /** Who asks; default the owner. */
  initiator?: string;
  /** Autostop TTL in ms (1 min – 30 days); default: the template's default TTL (none when 0). */
  ttlMs?: number | null;
  /** Weekly autostart cron, e.g. `CRON_TZ=Europe/Berlin 30 9 * * 1-5`. */
  autostartSchedule?: string;
  /** `always`: start builds use the template's active version. Default `never`. */
  automaticUpdates?: 'always' | 'never';
  /** Backstage entity ref of the catalog entity it is for (`kind:namespace/name`), optional. */
  entityRef?: string;
}

/** A Backstage entity ref `kind:namespace/name` (lowercase kind; up to 256 characters). */
export const ENTITY_REF_RE = /^[a-z][a-z0-9-]{0,62}:[A-Za-z0-9._-]{1,63}\/[A-Za-z0-9._-]{1,63}$/;

/** Maps a Temporal update/query failure to our error types (the validator's message is kept as is). */
function mapTemporalError(e: unknown): unknown {
  let cause: unknown = e;
  if (e instanceof WorkflowUpdateFailedError) cause = e.cause;
  if (cause instanceof ApplicationFailure) {
    const msg = cause.message;
    const first = cause.details?.[0];
    const details = first && typeof first === 'object' ? (first as Record<string, unknown>) : undefined;
    switch (cause.type) {
      case 'InputError': return new InputError(msg, details);
      case 'NotFoundError': return new NotFoundError(msg, details);
      case 'ConflictError': return new ConflictError(msg, details);
      default: return new ConflictError(msg, details);
    }
  }
  return e;
}

/** A whole number of ms that is a valid Date (±8.64e15). */
function isInstantMs(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && Math.abs(v) <= 8.64e15;
}

/** Shape checks of a schedule change (InputError): strings or null for the cron, finite ms or null for the TTL. */
function checkScheduleChange(change: { autostartSchedule?: unknown; ttlMs?: unknown }): void {
  if (!change || typeof change !== 'object') throw new InputError('schedule change must be an object');
  const a = change.autostartSchedule;
  if (a !== undefined && a !== null && typeof a !== 'string') throw new InputError('autostart_schedule must be a string or null');
  const t = change.ttlMs;
  if (t !== undefined && t !== null && (typeof t !== 'number' || !Number.isFinite(t))) throw new InputError('ttl_ms must be a number of milliseconds or null');
}

/** Registers Berth's custom search attributes in `namespace` when missing (idempotent). */
export async function ensureSearchAttributes(connection: Connection, namespace = 'default'): Promise<void> {
  const have = await connection.operatorService.listSearchAttributes({ namespace });
  const missing = SEARCH_ATTRIBUTES.filter((k) => !(k.name in (have.customAttributes ?? {})));
  if (!missing.length) return;
  try {
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((k) => [k.name, 2 /* KEYWORD */])),
    });
  } catch (e) {
    if (!/already exists/i.test((e as Error).message)) throw e;
  }
}

export class BerthClient {
  readonly db: Db;
  readonly temporal: Client;
  readonly taskQueue: string;
  private readonly buildOptions: BuildActivityOptions;
  private readonly archiveLimits: ArchiveLimits;
  /** Settings the prebuild reconciler is started with. */
  readonly prebuildConfig: PrebuildConfig;
  readonly prebuildsEnabled: boolean;

  constructor(opts: BerthClientOptions) {
    this.db = opts.db;
    this.temporal = opts.temporal;
    this.taskQueue = opts.taskQueue ?? CONTROL_QUEUE;
    this.buildOptions = { ...DEFAULT_BUILD_ACTIVITY_OPTIONS, ...buildOptionsFromEnv(), ...(opts.buildOptions ?? {}) };
    this.archiveLimits = opts.archiveLimits ?? { maxBytes: DEFAULT_MAX_ARCHIVE_BYTES };
    this.prebuildConfig = { ...prebuildConfigFromEnv(), ...(opts.prebuilds?.config ?? {}) };
    this.prebuildsEnabled = opts.prebuilds?.enabled ?? prebuildsEnabledFromEnv();
  }

  /**
   * Starts the prebuild reconciler if needed and makes it reconcile now (signalWithStart).
   * No-op when prebuilds are disabled for this client. `reason` is recorded in its history.
   */
  async reconcilePrebuildsNow(reason = 'requested'): Promise<void> {
    if (!this.prebuildsEnabled) return;
    await ensurePrebuildReconciler(this.temporal, { taskQueue: this.taskQueue, config: this.prebuildConfig, buildOptions: this.buildOptions, reason });
  }

  /**
   * Pushes a template version from a directory or a tar.gz: validates the archive (size,
   * symlinks, `..`, absolute paths), parses its `variable` blocks and `berth.yaml` (parameters,
   * presets), creates the template when it does not exist, stores the version with a pending
   * import job and starts `templateImportWorkflow` (tofu init + validate, then a dry-run plan).
   * With `wait` (default true) it resolves when the import has finished; the version is
   * promoted when `activate` (default true) and the import succeeded. Throws InputError
   * (archive, HCL, berth.yaml, tags, names — nothing is written), ConflictError (version name).
   */
  async pushTemplate(input: {
    name: string; dir?: string; archive?: Buffer; createdBy: string; versionName?: string; message?: string;
    provisionerTags?: ProvisionerTags; activate?: boolean; wait?: boolean; displayName?: string; description?: string; icon?: string;
  }): Promise<{ template: Template; version: TemplateVersion; import?: TemplateImportResult }> {
    if (!input || typeof input !== 'object') throw new InputError('pushTemplate needs an input object');
    if ((input.dir === undefined) === (input.archive === undefined)) throw new InputError('give either a template directory or an archive');
    const bad = checkName('template', input.name) ?? checkPrincipal('createdBy', input.createdBy);
    if (bad) throw new InputError(bad);
    if (input.versionName !== undefined && !VERSION_NAME_RE.test(input.versionName)) {
      throw new InputError(`template version name "${input.versionName}" is invalid: use letters, digits, ".", "_" and "-" (1–64, starting with a letter or digit)`);
    }
    try { normalizeTags(input.provisionerTags); } catch (e) { throw new InputError((e as Error).message); }
    const archive = input.dir !== undefined ? await createArchiveFromDirectory(input.dir, this.archiveLimits) : (input.archive as Buffer);
    const files = await readArchiveFiles(archive, ['.tf', '.tf.json', 'berth.yaml', 'berth.yml', 'README.md'], this.archiveLimits);
    const readme = files.find((f) => f.path === 'README.md')?.content.toString('utf8') ?? '';
    const parsed = await parseTemplateFiles(files.filter((f) => f.path !== 'README.md'));
    const template = (await findTemplateByName(this.db, input.name))
      ?? await createTemplate(this.db, { name: input.name, createdBy: input.createdBy, displayName: input.displayName, description: input.description, icon: input.icon });
    const { version, taskQueue } = await createTemplateVersion(this.db, {
      templateId: template.id, archive, name: input.versionName, message: input.message, provisionerTags: input.provisionerTags,
      createdBy: input.createdBy, parameters: parsed.parameters, presets: parsed.presets, warnings: parsed.warnings, readme,
    });
    const handle = await this.temporal.workflow.start('templateImportWorkflow', {
      workflowId: `template-version:${version.id}:import`, taskQueue: this.taskQueue,
      args: [{ versionId: version.id, importJobId: version.importJobId as string, taskQueue, activate: input.activate ?? true, initiator: input.createdBy, heartbeatTimeoutMs: this.buildOptions.heartbeatTimeoutMs }],
    });
    if (parsed.presets.some((p) => p.prebuildInstances > 0) || template.activeVersionId) await this.reconcilePrebuildsNow(`template ${template.name} version ${version.name} pushed`);
    if (input.wait === false) return { template: await getTemplate(this.db, template.id), version };
    const result = (await handle.result()) as TemplateImportResult;
    return { template: await getTemplate(this.db, template.id), version: await getTemplateVersion(this.db, version.id), import: result };
  }

  /** Waits for a version's import workflow and returns its result. */
  async waitForImport(versionId: string): Promise<TemplateImportResult> {
    return (await this.temporal.workflow.getHandle(`template-version:${versionId}:import`).result()) as TemplateImportResult;
  }

  /** A template by name or id; throws NotFoundError. */
  async getTemplate(nameOrId: string): Promise<Template> {
    if (typeof nameOrId !== 'string' || !nameOrId) throw new InputError('template name or id is required');
    // A name that cannot be valid (bad characters, NUL, too long) cannot exist either.
    if (!isUuid(nameOrId) && checkName('template', nameOrId)) throw new NotFoundError(`template "${String(nameOrId).slice(0, 64).replace(/[^\x20-\x7e]/g, "?")}" not found`);
    const t = isUuid(nameOrId) ? await getTemplate(this.db, nameOrId) : await findTemplateByName(this.db, nameOrId);
    if (!t) throw new NotFoundError(`template "${nameOrId}" not found`);
    return t;
  }
  listTemplates(): Promise<Template[]> { return listTemplates(this.db); }
  async listTemplateVersions(template: string): Promise<TemplateVersion[]> { return listTemplateVersions(this.db, (await this.getTemplate(template)).id); }
  /** A version by id, or by name within a template. */
  async getTemplateVersion(versionIdOrName: string, template?: string): Promise<TemplateVersion> {
    if (template && !isUuid(versionIdOrName)) return getTemplateVersionByName(this.db, (await this.getTemplate(template)).id, versionIdOrName);
    return getTemplateVersion(this.db, versionIdOrName);
  }
  async getTemplateVersionParameters(versionId: string): Promise<TemplateParameter[]> { await getTemplateVersion(this.db, versionId); return getTemplateVersionParameters(this.db, versionId); }
  async getTemplateVersionPresets(versionId: string): Promise<StoredPreset[]> { await getTemplateVersion(this.db, versionId); return getTemplateVersionPresets(this.db, versionId); }
  /** Makes a version active (its import must have succeeded). */
  async promoteTemplateVersion(template: string, versionId: string): Promise<Template> {
    const t = await promoteTemplateVersion(this.db, (await this.getTemplate(template)).id, versionId);
    // The old version's prebuilds are invalidated, the new version's pools filled.
    await this.reconcilePrebuildsNow(`template ${t.name} version ${versionId} promoted`);
    return t;
  }
  /** Archives (or unarchives) a version; the active one cannot be archived. */
  archiveTemplateVersion(versionId: string, archived = true): Promise<TemplateVersion> { return setTemplateVersionArchived(this.db, versionId, archived); }
  /** Updates a template's metadata and schedule policy. */
  async updateTemplate(template: string, patch: TemplatePatch): Promise<Template> { return updateTemplate(this.db, (await this.getTemplate(template)).id, patch); }
  /** Log lines of any provisioner job (build, import, dry run) with seq > `after`. */
  async getJobLogs(jobId: string, after = 0): Promise<BuildLog[]> { await getJobStatus(this.db, jobId); return getLogs(this.db, jobId, after); }

  /**
   * Replaces sensitive values in `values` by stash references, so they never travel in
   * Temporal payloads. Sensitivity comes from every version the build may use.
   */
  private async protectSensitive(workspaceId: string, values: VariableValues | undefined, versionIds: Array<string | null | undefined>): Promise<VariableValues | undefined> {
    if (!values) return values;
    const sensitive = new Set<string>();
    for (const id of new Set(versionIds.filter((v): v is string => typeof v === 'string' && isUuid(v)))) {
      for (const p of await getTemplateVersionParameters(this.db, id)) if (p.sensitive) sensitive.add(p.name);
    }
    const out: VariableValues = {};
    for (const [k, v] of Object.entries(values)) out[k] = sensitive.has(k) && typeof v === 'string' ? await stashValue(this.db, workspaceId, v) : v;
    return out;
  }

  /**
   * Creates a workspace and its first (start) build. With a `preset` that has a prebuild pool
   * (and parameters a prebuild can serve: equal to its values, or mutable ones), it first tries
   * to **claim** an eligible prebuilt workspace of the active version atomically: ownership,
   * name and lifecycle fields (TTL, autostart from the template and the request) move to the
   * owner, and a start build with reason `claim` runs (the workspace keeps its id; `claimed`
   * is true, `build` is that start build). With none eligible it is a normal (cold) create.
   * Throws NotFoundError (template, version, preset), InputError (name, parameters — details
   * {parameter, rule} —, schedule, deprecated template, the reserved prebuilds owner),
   * ConflictError (name taken). Nothing is left behind when it throws.
   */
  async createWorkspace(input: CreateWorkspaceInput): Promise<{ workspace: Workspace; build: BuildRef; claimed: boolean }> {
    if (!input || typeof input !== 'object') throw new InputError('createWorkspace needs an input object');
    const badWho = checkPrincipal('owner', input.owner) ?? (input.initiator !== undefined ? checkPrincipal('initiator', input.initiator) : null);
    if (badWho) throw new InputError(badWho);
    if (input.owner === PREBUILDS_OWNER) throw new InputError(`owner ${PREBUILDS_OWNER} is reserved for prebuilt workspaces`);
    if (typeof input.template !== 'string' || !input.template) throw new InputError('template is required (a name or id)');
    const template = await this.getTemplate(input.template);
    if (template.deprecationMessage) throw new InputError(`template ${template.name} is deprecated: ${template.deprecationMessage}`);
    if (!template.activeVersionId && !input.templateVersionId) throw new InputError(`template ${template.name} has no active version`);
    if (input.parameters !== undefined) {
      try { checkVariableValues(input.parameters); } catch (e) { throw new InputError((e as Error).message); }
    }
    if (input.ttlMs !== undefined && input.ttlMs !== null && (typeof input.ttlMs !== 'number' || !Number.isFinite(input.ttlMs))) {
      throw new InputError('ttl_ms must be a number of milliseconds (1 minute to 30 days) or null');
    }
    if (input.entityRef !== undefined && (typeof input.entityRef !== 'string' || !ENTITY_REF_RE.test(input.entityRef))) {
      throw new InputError('entity_ref must be a catalog entity ref such as component:default/shop');
    }
    if (input.automaticUpdates !== undefined && input.automaticUpdates !== 'always' && input.automaticUpdates !== 'never') {
      throw new InputError('automatic_updates must be "always" or "never"');
    }
    let autostart: string | null = null;
    let ttlMs: number | null;
    try {
      if (input.autostartSchedule) {
        autostart = parseWeeklySchedule(input.autostartSchedule).normalized;
        if (!template.schedule.allowUserAutostart) throw new ScheduleError('autostart_not_allowed', 400, 'Autostart is not allowed for workspaces using this template.');
      }
      // Coder: the template's default TTL is copied at create unless one is given (or forced).
      ttlMs = workspaceTtlAtCreate(input.ttlMs, template.schedule);
    } catch (e) {
      throw new InputError((e as Error).message);
    }
    if (input.preset && template.activeVersionId && (!input.templateVersionId || input.templateVersionId === template.activeVersionId)) {
      const claimed = await this.claimPrebuiltWorkspace(template, input, ttlMs, autostart);
      if (claimed) return { ...claimed, claimed: true };
    }
    const ws = await insertWorkspace(this.db, {
      owner: input.owner, name: input.name, templateId: template.id, ttlMs, autostartSchedule: autostart, automaticUpdates: input.automaticUpdates,
      entityRef: input.entityRef ?? null,
    });
    try {
      const request: BuildRequest = {
        kind: 'start', reason: 'initiator', initiator: input.initiator ?? input.owner, templateVersionId: input.templateVersionId,
        parameters: await this.protectSensitive(ws.id, input.parameters, [input.templateVersionId ?? template.activeVersionId]),
        ...(input.preset ? { preset: input.preset } : {}),
      };
      const startOp = new WithStartWorkflowOperation<typeof workspaceWorkflow>('workspaceWorkflow', {
        workflowId: workspaceWorkflowId(ws.id),
        taskQueue: this.taskQueue,
        workflowIdConflictPolicy: 'FAIL',
        args: [{ workspaceId: ws.id, owner: ws.owner, name: ws.name, latestBuild: null, deleted: false, buildOptions: this.buildOptions }],
        typedSearchAttributes: [{ key: WorkspaceIdKey, value: ws.id }, { key: WorkspaceOwnerKey, value: ws.owner }],
      });
      const build = await this.temporal.workflow.executeUpdateWithStart(requestBuildUpdate, { args: [request], startWorkflowOperation: startOp });
      return { workspace: await getWorkspace(this.db, ws.id), build, claimed: false };
    } catch (e) {
      const mapped = mapTemporalError(e);
      await deleteUnbuiltWorkspace(this.db, ws.id);
      if (mapped !== e) {
        // The first build was refused: the workflow ends with nothing to do.
        await this.temporal.workflow.getHandle(workspaceWorkflowId(ws.id)).terminate('first build refused').catch(() => undefined);
      }
      throw mapped;
    }
  }

  /**
   * The claim half of createWorkspace: null when the preset has no pool, the parameters need a
   * cold build, or no prebuild is eligible (or the claim's build could not be queued: the
   * workspace is then given back to the pool unchanged). Throws InputError (name) and
   * ConflictError (name taken) like a cold create.
   */
  private async claimPrebuiltWorkspace(template: Template, input: CreateWorkspaceInput, ttlMs: number | null, autostart: string | null): Promise<{ workspace: Workspace; build: BuildRef } | null> {
    const versionId = template.activeVersionId as string;
    const preset = (await getTemplateVersionPresets(this.db, versionId)).find((p) => p.name === input.preset);
    if (!preset || preset.prebuildInstances <= 0) return null;
    const params = await getTemplateVersionParameters(this.db, versionId);
    let prebuildValues: VariableValues;
    try {
      prebuildValues = resolveBuildParameters({ parameters: params, previous: null, requested: {}, preset }).values;
    } catch {
      return null;
    }
    if (!claimMatches(params, preset.parameters, prebuildValues, input.parameters ?? {})) return null;
    const badName = checkName('workspace', input.name);
    if (badName) throw new InputError(badName);
    const c = await claimPrebuild(this.db, {
      presetId: preset.id, owner: input.owner, name: input.name, ttlMs, autostartSchedule: autostart, automaticUpdates: input.automaticUpdates, now: Date.now(),
    });
    if (!c) return null;
    const buildsBefore = (await listBuilds(this.db, c.id)).length;
    try {
      // Only values that differ from the prebuild's (mutable parameters) go to the claim's build.
      const changed = Object.fromEntries(Object.entries(input.parameters ?? {}).filter(([k, v]) => prebuildValues[k] !== v));
      const parameters = Object.keys(changed).length ? await this.protectSensitive(c.id, changed, [versionId]) : undefined;
      const build = await this.temporal.workflow.getHandle(workspaceWorkflowId(c.id)).executeUpdate(claimUpdate, {
        args: [{ owner: input.owner, name: input.name, previousName: c.previousName, initiator: input.initiator ?? input.owner, preset: preset.name, ...(parameters ? { parameters } : {}) }],
      });
      return { workspace: await getWorkspace(this.db, c.id), build };
    } catch {
      await unclaimPrebuild(this.db, c.id, c.previousName, buildsBefore);
      return null;
    }
  }

  /**
   * Each preset's prebuild pool (every preset with a pool or with live prebuilds, all versions),
   * optionally of one template: desired, running, eligible, expired and starting counts, how
   * many were created, failed and claimed, the status (`healthy` | `hard_limited`), the backoff
   * and what the reconciler would do at `now` (ms, default the current time). Read-only.
   * Throws NotFoundError for an unknown template, InputError for a bad `now`.
   */
  async getPrebuildPools(template?: string, now = Date.now()): Promise<PrebuildPoolStatus[]> {
    if (!isInstantMs(now)) throw new InputError('now must be a whole number of milliseconds since the epoch');
    const templateId = template === undefined ? undefined : (await this.getTemplate(template)).id;
    const snapshot = (await loadPrebuildSnapshot(this.db)).filter((p) => templateId === undefined || p.templateId === templateId);
    const counts = await prebuildCounts(this.db, snapshot.map((p) => p.presetId));
    return snapshot.map((p) => {
      const pl = planPreset(p, now, this.prebuildConfig);
      const c = counts.get(p.presetId) ?? { created: 0, failed: 0, claimed: 0 };
      return {
        templateId: p.templateId, template: p.templateName, templateVersionId: p.templateVersionId, preset: p.presetName, presetId: p.presetId,
        active: p.active, status: pl.hardLimited ? 'hard_limited' : 'healthy', desired: pl.state.desired, running: pl.state.running,
        eligible: pl.state.eligible, expired: pl.state.expired, starting: pl.state.starting, ...c, backoffUntil: pl.backoffUntil, explanation: pl.explanation,
      };
    });
  }

  /**
   * Clears a hard_limited preset of the template's active version (status back to `healthy`;
   * failures before now no longer count toward the hard limit or the backoff) and wakes the
   * reconciler. Throws NotFoundError (template, preset).
   */
  async resetPrebuildHardLimit(template: string, preset: string): Promise<void> {
    if (typeof preset !== 'string' || !preset) throw new InputError('preset is required');
    const t = await this.getTemplate(template);
    const p = await findPreset(this.db, t.id, preset, t.activeVersionId);
    await setPresetPrebuildStatus(this.db, p.id, 'healthy', true);
    await this.reconcilePrebuildsNow(`preset ${preset} of template ${t.name} reset`);
  }

  /** Starts the workspace on its template's active version (Coder's `coder update`). */
  updateWorkspace(workspaceId: string, initiator: string, parameters?: VariableValues): Promise<BuildRef> {
    return this.requestBuild(workspaceId, { kind: 'start', initiator, activeVersion: true, ...(parameters ? { parameters } : {}) });
  }

  /** The parameter values a build ran with; sensitive ones masked as `********`. */
  async getBuildParameters(workspaceId: string, buildNumber: number): Promise<VariableValues> {
    const b = await this.getBuild(workspaceId, buildNumber);
    return maskSensitive(await getTemplateVersionParameters(this.db, b.templateVersionId), await getBuildParameters(this.db, b.id));
  }

  private async workspaceHandle(workspaceId: string): Promise<{ ws: Workspace; handle: ReturnType<Client['workflow']['getHandle']> }> {
    const ws = await getWorkspace(this.db, workspaceId);
    return { ws, handle: this.temporal.workflow.getHandle(workspaceWorkflowId(ws.id)) };
  }

  /**
   * Asks the workspace workflow for a build (start, stop, restart, delete). Resolves once the
   * build is written (pending). Throws NotFoundError (unknown workspace), ConflictError (a build
   * is active, workspace deleted: the message names the state), InputError (bad request).
   */
  async requestBuild(workspaceId: string, request: BuildRequest): Promise<BuildRef> {
    const { ws, handle } = await this.workspaceHandle(workspaceId);
    if (ws.deleted) throw new ConflictError(`cannot ${request.kind}: workspace ${ws.name} is deleted`);
    if (request.parameters !== undefined) {
      try { checkVariableValues(request.parameters); } catch (e) { throw new InputError((e as Error).message); }
      const tpl = await getTemplate(this.db, ws.templateId);
      request = { ...request, parameters: await this.protectSensitive(ws.id, request.parameters, [request.templateVersionId, tpl.activeVersionId, ws.latestBuild?.templateVersionId]) };
    }
    try {
      return await this.whileSettling(workspaceId, /is (pending|starting|stopping|deleting|canceling)|about to start/,
        () => handle.executeUpdate(requestBuildUpdate, { args: [request] }));
    } catch (e) {
      if (e instanceof WorkflowNotFoundError) throw new ConflictError(`cannot ${request.kind}: workspace ${ws.name} has no running lifecycle workflow (is it deleted?)`);
      throw e;
    }
  }

  /**
   * Runs a workflow update, mapping its failure to our errors. The database records a build's
   * end a moment before the workflow sees its child finish: a request refused in that window
   * (a ConflictError matching `busy` while the database already says no build is active) is
   * retried for up to 5 s.
   */
  private async whileSettling<T>(workspaceId: string, busy: RegExp, update: () => Promise<T>): Promise<T> {
    const settleBy = Date.now() + 5_000;
    for (;;) {
      try {
        return await update();
      } catch (e) {
        if (e instanceof WorkflowNotFoundError) throw e;
        const mapped = mapTemporalError(e);
        if (mapped instanceof ConflictError && busy.test(mapped.message) && Date.now() < settleBy) {
          const now = await getWorkspace(this.db, workspaceId);
          if (!now.deleted && now.latestBuild && !isActiveJob(now.latestBuild.jobStatus)) {
            await new Promise((r) => setTimeout(r, 50));
            continue;
          }
        }
        throw mapped;
      }
    }
  }

  /** Cancels the active build. Throws ConflictError when none is active (message names the state). */
  async cancelBuild(workspaceId: string, initiator: string): Promise<{ buildNumber: number; jobStatus: string }> {
    const { ws, handle } = await this.workspaceHandle(workspaceId);
    if (ws.deleted) throw new ConflictError(`cannot cancel: workspace ${ws.name} is deleted`);
    try {
      return await handle.executeUpdate(cancelBuildUpdate, { args: [{ initiator }] });
    } catch (e) {
      if (e instanceof WorkflowNotFoundError) throw new ConflictError(`cannot cancel: workspace ${ws.name} has no running lifecycle workflow`);
      throw mapTemporalError(e);
    }
  }

  /**
   * Sets the autostart schedule and/or TTL (undefined = unchanged; null or '' = off). Takes effect
   * at once for the next decisions; never starts or stops the workspace; a TTL applies from the
   * next build. Throws InputError (bad cron, TTL out of range, template forbids it) or ConflictError.
   */
  async setSchedule(workspaceId: string, change: { autostartSchedule?: string | null; ttlMs?: number | null }, initiator: string): Promise<{ autostartSchedule: string | null; ttlMs: number | null; nextStartAt: number | null }> {
    checkScheduleChange(change);
    const { ws, handle } = await this.workspaceHandle(workspaceId);
    if (ws.deleted) throw new ConflictError(`cannot change the schedule: workspace ${ws.name} is deleted`);
    try {
      return await handle.executeUpdate(setScheduleUpdate, { args: [{ ...change, initiator }] });
    } catch (e) {
      throw mapTemporalError(e);
    }
  }

  /** Moves the running build's deadline to `deadline` (ms since epoch): ≥ 30 min from now, ≤ max_deadline. */
  async extendDeadline(workspaceId: string, deadline: number, initiator: string): Promise<{ deadline: number }> {
    if (!isInstantMs(deadline)) throw new InputError('deadline must be a whole number of milliseconds since the epoch (a real date)');
    const { ws, handle } = await this.workspaceHandle(workspaceId);
    if (ws.deleted) throw new ConflictError(`cannot extend: workspace ${ws.name} is deleted`);
    try {
      return await this.whileSettling(workspaceId, /a build is in progress/, () => handle.executeUpdate(extendDeadlineUpdate, { args: [{ deadline, initiator }] }));
    } catch (e) {
      throw mapTemporalError(e);
    }
  }

  /** Reports use of the workspace (bumps its deadline per the template's activity bump). */
  async reportActivity(workspaceId: string, source = 'api'): Promise<void> {
    const { ws, handle } = await this.workspaceHandle(workspaceId);
    if (ws.deleted) throw new ConflictError(`cannot report activity: workspace ${ws.name} is deleted`);
    try {
      await handle.signal(activitySignal, { source });
    } catch (e) {
      if (e instanceof WorkflowNotFoundError) throw new ConflictError(`cannot report activity: workspace ${ws.name} has no running lifecycle workflow`);
      throw e;
    }
  }

  /** Sets a user's quiet hours (daily cron `CRON_TZ=<zone> <min> <hour> * * *`, or '' for the default). */
  async setUserQuietHours(userRef: string, schedule: string): Promise<void> {
    const bad = checkPrincipal('user', userRef);
    if (bad) throw new InputError(bad);
    if (typeof schedule !== 'string') throw new InputError('quiet hours must be a daily cron string (or "" for the default)');
    let normalized = '';
    if (schedule) {
      try { normalized = parseQuietHoursSchedule(schedule).normalized; } catch (e) { throw new InputError((e as Error).message); }
    }
    await setUserSettings(this.db, userRef, { quietHoursSchedule: normalized });
  }

  /**
   * The next `count` autostart and autostop times of a workspace, optionally as if its schedule
   * were `change` (to show while a user edits it). Times in ms since epoch and ISO-8601.
   * Throws InputError for an invalid proposed schedule or TTL.
   */
  async previewSchedule(workspaceId: string, change: { autostartSchedule?: string | null; ttlMs?: number | null } = {}, count = 5, now = Date.now()): Promise<SchedulePreview> {
    checkScheduleChange(change ?? {});
    if (!isInstantMs(now)) throw new InputError('now must be a whole number of milliseconds since the epoch');
    change = change ?? {};
    const state = await loadLifecycleState(this.db, workspaceId);
    try {
      if (change.autostartSchedule !== undefined) state.autostartSchedule = applyAutostartUpdate(state, change.autostartSchedule, now).autostartSchedule;
      if (change.ttlMs !== undefined) state.ttlMs = validateWorkspaceTtl(change.ttlMs, 0);
    } catch (e) {
      throw new InputError((e as Error).message);
    }
    if (!Number.isInteger(count) || count < 1 || count > 50) throw new InputError('count must be 1–50');
    return previewSchedule(state, now, count);
  }

  /** The workspace workflow's own view (status, queued and active builds). */
  async describe(workspaceId: string): Promise<WorkspaceDescription> {
    const { handle } = await this.workspaceHandle(workspaceId);
    try {
      return await handle.query(describeQuery);
    } catch (e) {
      throw mapTemporalError(e);
    }
  }

  getWorkspace(id: string): Promise<Workspace> { return getWorkspace(this.db, id); }
  findWorkspace(owner: string, name: string): Promise<Workspace | null> { return findWorkspace(this.db, owner, name); }
  listWorkspaces(filter: { owner?: string } = {}): Promise<Workspace[]> { return listWorkspaces(this.db, filter); }
  listBuilds(workspaceId: string): Promise<WorkspaceBuild[]> { return listBuilds(this.db, workspaceId); }
  getBuild(workspaceId: string, buildNumber: number): Promise<WorkspaceBuild> { return getBuildByNumber(this.db, workspaceId, buildNumber); }
  async getBuildResources(workspaceId: string, buildNumber: number): Promise<WorkspaceResource[]> {
    return listBuildResources(this.db, (await this.getBuild(workspaceId, buildNumber)).id);
  }
  /** Log lines of a build with seq > `after`. */
  async getBuildLogs(workspaceId: string, buildNumber: number, after = 0): Promise<BuildLog[]> {
    return getLogs(this.db, (await this.getBuild(workspaceId, buildNumber)).jobId, after);
  }

  /**
   * Waits until build `buildNumber` is no longer active and returns it. Throws Error on timeout
   * (default 5 min). Polls Postgres every `pollMs` (default 200).
   */
  async waitForBuild(workspaceId: string, buildNumber: number, opts: { timeoutMs?: number; pollMs?: number } = {}): Promise<WorkspaceBuild> {
    const deadline = Date.now() + (opts.timeoutMs ?? 300_000);
    for (;;) {
      let b: WorkspaceBuild | null = null;
      try { b = await this.getBuild(workspaceId, buildNumber); } catch (e) { if (!(e instanceof NotFoundError)) throw e; }
      if (b && !isActiveJob(b.jobStatus)) return b;
      if (Date.now() > deadline) throw new Error(`build #${buildNumber} of workspace ${workspaceId} still ${b?.jobStatus ?? 'missing'} after ${opts.timeoutMs ?? 300_000} ms`);
      await new Promise((r) => setTimeout(r, opts.pollMs ?? 200));
    }
  }
}

export { BerthError, BuildReasonKey, BuildTransitionKey };
