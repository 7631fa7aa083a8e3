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
import { buildOptionsFromEnv } from './config';
import {
  deleteUnbuiltWorkspace, findWorkspace, getBuildByNumber, getLogs, getWorkspace, insertWorkspace, isUuid, listBuildResources,
  listBuilds, listWorkspaces,
} from './db/builds';
import { createTemplate, createTemplateVersion, findTemplateByName, getTemplate } from './db/templates';
import { BerthError, ConflictError, InputError, NotFoundError } from './errors';
import { checkVariableValues, isActiveJob, type VariableValues } from './domain';
import type { ProvisionerTags } from './domain/tags';
import { CONTROL_QUEUE } from './domain/tags';
import { createArchiveFromDirectory, inspectArchive, type ArchiveLimits, DEFAULT_MAX_ARCHIVE_BYTES } from './terraform/archive';
import {
  BuildReasonKey, BuildTransitionKey, cancelBuildUpdate, describeQuery, requestBuildUpdate, SEARCH_ATTRIBUTES, WorkspaceIdKey,
  WorkspaceOwnerKey, workspaceWorkflowId,
} from './workflows/definitions';
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
}

export interface CreateWorkspaceInput {
  owner: string;
  name: string;
  /** Template name or id. */
  template: string;
  /** Default: the template's active version. */
  templateVersionId?: string;
  variables?: VariableValues;
  /** Who asks; default the owner. */
  initiator?: string;
  ttlMs?: number | null;
}

/** Maps a Temporal update/query failure to our error types (the validator's message is kept as is). */
function mapTemporalError(e: unknown): unknown {
  let cause: unknown = e;
  if (e instanceof WorkflowUpdateFailedError) cause = e.cause;
  if (cause instanceof ApplicationFailure) {
    const msg = cause.message;
    switch (cause.type) {
      case 'InputError': return new InputError(msg);
      case 'NotFoundError': return new NotFoundError(msg);
      case 'ConflictError': return new ConflictError(msg);
      default: return new ConflictError(msg);
    }
  }
  return e;
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

  constructor(opts: BerthClientOptions) {
    this.db = opts.db;
    this.temporal = opts.temporal;
    this.taskQueue = opts.taskQueue ?? CONTROL_QUEUE;
    this.buildOptions = { ...DEFAULT_BUILD_ACTIVITY_OPTIONS, ...buildOptionsFromEnv(), ...(opts.buildOptions ?? {}) };
    this.archiveLimits = opts.archiveLimits ?? { maxBytes: DEFAULT_MAX_ARCHIVE_BYTES };
  }

  /**
   * Pushes a template version from a directory or a tar.gz: creates the template when it does
   * not exist, stores the validated archive, and (by default) makes it the active version.
   * Throws InputError for a bad name, archive (size, symlinks, `..`, absolute paths) or tags.
   */
  async pushTemplate(input: {
    name: string; dir?: string; archive?: Buffer; createdBy: string; versionName?: string; message?: string;
    provisionerTags?: ProvisionerTags; activate?: boolean; displayName?: string; description?: string;
  }): Promise<{ template: Template; version: TemplateVersion }> {
    if ((input.dir === undefined) === (input.archive === undefined)) throw new InputError('give either a template directory or an archive');
    const archive = input.dir !== undefined ? await createArchiveFromDirectory(input.dir, this.archiveLimits) : (input.archive as Buffer);
    await inspectArchive(archive, this.archiveLimits);
    const template = (await findTemplateByName(this.db, input.name))
      ?? await createTemplate(this.db, { name: input.name, createdBy: input.createdBy, displayName: input.displayName, description: input.description });
    const version = await createTemplateVersion(this.db, {
      templateId: template.id, archive, name: input.versionName, message: input.message, provisionerTags: input.provisionerTags,
      createdBy: input.createdBy, activate: input.activate ?? true,
    });
    return { template: await getTemplate(this.db, template.id), version };
  }

  /**
   * Creates a workspace and its first (start) build. Throws NotFoundError (template), InputError
   * (name, variables), ConflictError (name taken). Nothing is left behind when it throws.
   */
  async createWorkspace(input: CreateWorkspaceInput): Promise<{ workspace: Workspace; build: BuildRef }> {
    const template = isUuid(input.template) ? await getTemplate(this.db, input.template) : await findTemplateByName(this.db, input.template);
    if (!template) throw new NotFoundError(`template "${input.template}" not found`);
    if (!template.activeVersionId && !input.templateVersionId) throw new InputError(`template ${template.name} has no active version`);
    if (input.variables !== undefined) {
      try { checkVariableValues(input.variables); } catch (e) { throw new InputError((e as Error).message); }
    }
    if (input.ttlMs !== undefined && input.ttlMs !== null && (!Number.isInteger(input.ttlMs) || input.ttlMs < 60_000)) {
      throw new InputError('ttl_ms must be an integer of at least 60000 (1 minute)');
    }
    const ws = await insertWorkspace(this.db, { owner: input.owner, name: input.name, templateId: template.id, ttlMs: input.ttlMs });
    const request: BuildRequest = {
      kind: 'start', reason: 'initiator', initiator: input.initiator ?? input.owner,
      templateVersionId: input.templateVersionId, variables: input.variables,
    };
    try {
      const startOp = new WithStartWorkflowOperation<typeof workspaceWorkflow>('workspaceWorkflow', {
        workflowId: workspaceWorkflowId(ws.id),
        taskQueue: this.taskQueue,
        workflowIdConflictPolicy: 'FAIL',
        args: [{ workspaceId: ws.id, owner: ws.owner, name: ws.name, latestBuild: null, deleted: false, buildOptions: this.buildOptions }],
        typedSearchAttributes: [{ key: WorkspaceIdKey, value: ws.id }, { key: WorkspaceOwnerKey, value: ws.owner }],
      });
      const build = await this.temporal.workflow.executeUpdateWithStart(requestBuildUpdate, { args: [request], startWorkflowOperation: startOp });
      return { workspace: await getWorkspace(this.db, ws.id), build };
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
    // The database records a build's end a moment before the workflow sees its child finish:
    // a request refused in that window (the database already says the build is over) is retried.
    const settleBy = Date.now() + 5_000;
    for (;;) {
      try {
        return await handle.executeUpdate(requestBuildUpdate, { args: [request] });
      } catch (e) {
        if (e instanceof WorkflowNotFoundError) throw new ConflictError(`cannot ${request.kind}: workspace ${ws.name} has no running lifecycle workflow (is it deleted?)`);
        const mapped = mapTemporalError(e);
        if (mapped instanceof ConflictError && Date.now() < settleBy && /is (pending|starting|stopping|deleting|canceling)|about to start/.test(mapped.message)) {
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
