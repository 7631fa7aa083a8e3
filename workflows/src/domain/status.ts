/**
 * Build, job and workspace status: the enums of Coder's data model and the rules that derive
 * one from another. Pure functions, no I/O.
 *
 * Source: Coder `coderd/database/dump.sql` (enums and the `job_status` generated column) and
 * `coderd/workspacebuilds.go` `convertWorkspaceStatus` (reference/lifecycle-semantics.md §1.1, §1.4).
 */

/** A workspace build's transition. `restart` is not a transition: it is a stop build then a start build. */
export const TRANSITIONS = ['start', 'stop', 'delete'] as const;
export type Transition = (typeof TRANSITIONS)[number];

/** What a user or the system may ask for: a transition, or `restart` (= stop, then start). */
export const BUILD_REQUESTS = ['start', 'stop', 'restart', 'delete'] as const;
export type BuildRequestKind = (typeof BUILD_REQUESTS)[number];

/** Why a build happened (Coder's `build_reason`, the values Berth uses). */
export const BUILD_REASONS = ['initiator', 'autostart', 'autostop', 'dormancy', 'failedstop', 'autodelete', 'cli', 'dashboard', 'prebuild', 'claim'] as const;
export type BuildReason = (typeof BUILD_REASONS)[number];

/** Provisioner job types (Coder's `provisioner_job_type`). */
export const JOB_TYPES = ['workspace_build', 'template_version_import', 'template_version_dry_run'] as const;
export type JobType = (typeof JOB_TYPES)[number];

/** Provisioner job status (Coder's `provisioner_job_status`, minus `unknown`). */
export const JOB_STATUSES = ['pending', 'running', 'succeeded', 'canceling', 'canceled', 'failed'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** Workspace status as users see it, derived from the latest build's job and transition. */
export const WORKSPACE_STATUSES = [
  'pending', 'starting', 'running', 'stopping', 'stopped', 'deleting', 'deleted', 'canceling', 'canceled', 'failed',
] as const;
export type WorkspaceStatus = (typeof WORKSPACE_STATUSES)[number];

/** The timestamps and error that decide a job's status. Dates or null. */
export interface JobTimes {
  startedAt: Date | null;
  completedAt: Date | null;
  canceledAt: Date | null;
  error: string | null;
}

/**
 * The status of a provisioner job from its timestamps and error, exactly as Coder's generated
 * column computes it (lifecycle-semantics.md §1.4). The database has the same expression as a
 * generated column (`provisioner_jobs.job_status`); this function is its tested twin.
 */
export function jobStatus(job: JobTimes): JobStatus {
  const failed = job.error !== null && job.error !== '';
  if (job.completedAt) {
    if (failed) return 'failed';
    if (job.canceledAt) return 'canceled';
    return 'succeeded';
  }
  if (failed) return 'failed';
  if (job.canceledAt) return 'canceling';
  if (!job.startedAt) return 'pending';
  return 'running';
}

/** A job is active while it can still change: pending, running or canceling (Coder's `Active()`). */
export function isActiveJob(status: JobStatus): boolean {
  return status === 'pending' || status === 'running' || status === 'canceling';
}

/**
 * Workspace status from the latest build's job status and transition
 * (Coder `convertWorkspaceStatus`): running → starting/stopping/deleting, succeeded →
 * running/stopped/deleted; pending, canceling, canceled and failed pass through.
 */
export function workspaceStatus(job: JobStatus, transition: Transition): WorkspaceStatus {
  switch (job) {
    case 'pending':
    case 'canceling':
    case 'canceled':
    case 'failed':
      return job;
    case 'running':
      return transition === 'start' ? 'starting' : transition === 'stop' ? 'stopping' : 'deleting';
    case 'succeeded':
      return transition === 'start' ? 'running' : transition === 'stop' ? 'stopped' : 'deleted';
  }
}

/** Type guards used at the edges (API input, CLI flags). */
export function isTransition(v: unknown): v is Transition {
  return typeof v === 'string' && (TRANSITIONS as readonly string[]).includes(v);
}
export function isBuildRequestKind(v: unknown): v is BuildRequestKind {
  return typeof v === 'string' && (BUILD_REQUESTS as readonly string[]).includes(v);
}
export function isBuildReason(v: unknown): v is BuildReason {
  return typeof v === 'string' && (BUILD_REASONS as readonly string[]).includes(v);
}
