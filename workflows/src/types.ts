/**
 * Shapes shared by the client facade, activities and workflows. Times are `Date` in the DB layer
 * and ISO-8601 UTC strings where they cross Temporal (payloads are JSON). Durations are ms.
 */
import type { BuildReason, BuildRequestKind, JobStatus, Transition, WorkspaceStatus } from './domain/status';
import type { ProvisionerTags } from './domain/tags';
import type { VariableValues } from './domain/variables';

/**
 * A template's schedule policy (used by lifecycle scheduling). Durations in ms; 0 = off.
 * Days are bitmasks: bit 0 = Monday … bit 6 = Sunday. Defaults follow Coder's API defaults.
 */
export interface TemplateSchedulePolicy {
  defaultTtlMs: number;
  activityBumpMs: number;
  autostartAllowedDays: number;
  autostopRequirementDays: number;
  autostopRequirementWeeks: number;
  allowUserAutostart: boolean;
  allowUserAutostop: boolean;
  failureTtlMs: number;
  timeTilDormantMs: number;
  timeTilDormantAutodeleteMs: number;
}

export interface Template {
  id: string;
  name: string;
  displayName: string;
  description: string;
  icon: string;
  activeVersionId: string | null;
  createdBy: string;
  createdAt: Date;
  schedule: TemplateSchedulePolicy;
  allowUserCancelWorkspaceJobs: boolean;
  /** New workspace starts must use the active version. */
  requireActiveVersion: boolean;
  /** Non-empty: no new workspaces can be created from this template. */
  deprecationMessage: string;
}

/** A resource a start build would create, from the import's dry-run plan. */
export interface PlannedResource { address: string; type: string; name: string; mode: string; actions: string[] }

export interface TemplateVersion {
  id: string;
  templateId: string;
  name: string;
  message: string;
  archiveSha256: string;
  /** Compressed size in bytes. */
  archiveSize: number;
  provisionerTags: ProvisionerTags;
  archived: boolean;
  createdBy: string;
  createdAt: Date;
  /** The import job (template_version_import): init + validate. */
  importJobId: string | null;
  importStatus: JobStatus;
  importError: string | null;
  /** The dry-run job (template_version_dry_run): a plan of what a start creates. */
  dryRunJobId: string | null;
  dryRunStatus: JobStatus | null;
  dryRunError: string | null;
  plannedResources: PlannedResource[];
  warnings: string[];
  readme: string;
}

export interface WorkspaceBuild {
  id: string;
  workspaceId: string;
  buildNumber: number;
  transition: Transition;
  reason: BuildReason;
  initiator: string;
  templateVersionId: string;
  jobId: string;
  jobStatus: JobStatus;
  /** Workspace status this build implies (pending, starting, running, …). */
  status: WorkspaceStatus;
  taskQueue: string;
  provisionerTags: ProvisionerTags;
  createdAt: Date;
  startedAt: Date | null;
  completedAt: Date | null;
  canceledAt: Date | null;
  error: string | null;
  errorCode: string | null;
  deadline: Date | null;
  maxDeadline: Date | null;
  explanation: string;
  /** Template outputs after the build (sensitive ones replaced by null). */
  outputs: Record<string, unknown>;
  hasState: boolean;
}

export interface Workspace {
  id: string;
  owner: string;
  name: string;
  templateId: string;
  templateName: string;
  autostartSchedule: string | null;
  ttlMs: number | null;
  /** `always`: start builds use the template's active version. */
  automaticUpdates: 'always' | 'never';
  /** The Backstage catalog entity it was created for (`component:default/shop`), or null. */
  entityRef: string | null;
  lastUsedAt: Date;
  /** An unclaimed prebuilt workspace (owned by the prebuilds system user). */
  isPrebuild: boolean;
  /** The preset a prebuild was built for (kept after the claim), or null. */
  prebuildPresetId: string | null;
  /** When this workspace was claimed from the prebuild pool, or null. */
  claimedAt: Date | null;
  deleted: boolean;
  createdAt: Date;
  updatedAt: Date;
  status: WorkspaceStatus;
  latestBuild: WorkspaceBuild | null;
}

export interface WorkspaceResource {
  address: string;
  mode: string;
  type: string;
  name: string;
  module: string;
  indexKey: string | null;
  transition: Transition;
}

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';
/** Stages of a job's log: setup (workdir), init, validate (imports), plan, apply, cleanup. */
export type LogStage = 'setup' | 'init' | 'validate' | 'plan' | 'apply' | 'cleanup';
export interface BuildLog {
  seq: number;
  createdAt: Date;
  level: LogLevel;
  stage: LogStage;
  source: 'provisioner' | 'provisioner_daemon';
  output: string;
}

/** A request for a build, as the workspace workflow's `requestBuild` update receives it. */
export interface BuildRequest {
  kind: BuildRequestKind;
  reason?: BuildReason;
  /** Who asked: a user entity ref such as `user:default/ana`, or `system`. */
  initiator: string;
  /** Template version to build; default: the latest build's version (the active one for the first build). */
  templateVersionId?: string;
  /** Use the template's active version (an "update"). */
  activeVersion?: boolean;
  /** Parameter values to set (strings); others carry over from the previous build or take defaults. */
  parameters?: VariableValues;
  /** Name of a preset of the build's template version whose values are added to the request. */
  preset?: string;
  /** Refuse (ConflictError) unless the workspace is still an unclaimed prebuild (the reconciler's deletes). */
  onlyIfPrebuild?: boolean;
}

/** What `requestBuild` returns once the build rows are written. */
export interface BuildRef {
  buildId: string;
  buildNumber: number;
  jobId: string;
  transition: Transition;
  /** For a restart: the start build follows once this stop build succeeds. */
  followedBy?: Transition;
}

/** Workspace workflow input (also carried across continue-as-new). */
export interface WorkspaceWorkflowInput {
  workspaceId: string;
  owner: string;
  name: string;
  /** Latest build when the workflow (re)starts; null for a new workspace. */
  latestBuild: { number: number; transition: Transition; jobStatus: JobStatus; buildId: string; jobId: string } | null;
  deleted: boolean;
  buildOptions: BuildActivityOptions;
  /** Requests accepted but not yet run (carried over continue-as-new). */
  pending?: Array<{ id: string; request: BuildRequest; transition: Transition; partOfRestart: boolean }>;
}

/** Timeouts for the runTofu activity (ms). Heartbeats come every heartbeatTimeoutMs/4 or so. */
export interface BuildActivityOptions {
  heartbeatTimeoutMs: number;
  startToCloseTimeoutMs: number;
  /** Attempts for infrastructure failures (worker crash, lost heartbeat); tofu failures never retry. */
  maximumAttempts: number;
}

export const DEFAULT_BUILD_ACTIVITY_OPTIONS: BuildActivityOptions = {
  heartbeatTimeoutMs: 30_000,
  startToCloseTimeoutMs: 2 * 60 * 60_000,
  maximumAttempts: 10,
};

/** Input of the child buildWorkflow. */
export interface BuildWorkflowInput {
  workspaceId: string;
  buildId: string;
  buildNumber: number;
  jobId: string;
  transition: Transition;
  reason: BuildReason;
  taskQueue: string;
  options: BuildActivityOptions;
}

/** Result of the child buildWorkflow. */
export interface BuildResult {
  buildId: string;
  buildNumber: number;
  transition: Transition;
  jobStatus: JobStatus;
  error?: string;
}

/** Answer of the workspace workflow's `describe` query. */
export interface WorkspaceDescription {
  workspaceId: string;
  status: WorkspaceStatus;
  deleted: boolean;
  latestBuild: WorkspaceWorkflowInput['latestBuild'];
  queued: Array<{ transition: Transition; reason: BuildReason }>;
  activeBuild: { buildNumber: number; transition: Transition; workflowId: string } | null;
  /** What the lifecycle will do next by itself, and when (ms since epoch), or null. */
  nextLifecycle: { rule: string; transition: Transition | null; reason: BuildReason; dueAt: number; explanation: string } | null;
}
