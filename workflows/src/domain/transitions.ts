/**
 * Which build requests a workspace accepts in its current state. Pure; the workspace workflow's
 * update validators call these, so a rejected request changes nothing and its message names the
 * current state.
 *
 * Rules (Coder `coderd/wsbuilder/wsbuilder.go` buildTx, lifecycle-semantics.md §1.5):
 * - a workspace whose latest build is active (pending, running, canceling) accepts no new build
 *   (Coder answers 409 "A workspace build is already active.");
 * - a deleted workspace accepts nothing;
 * - otherwise start, stop, restart and delete are all accepted (Coder lets a running workspace
 *   be started again: that is how an update to a new template version is applied);
 * - `restart` and `stop` of a workspace that was never built are refused: there is nothing to stop;
 * - a workspace whose latest build is a delete that succeeded counts as deleted even before
 *   the `deleted` flag is written.
 * - a cancel needs an active build that is not already being canceled (Coder answers 412).
 */
import type { BuildRequestKind, JobStatus, Transition, WorkspaceStatus } from './status';
import { isActiveJob, workspaceStatus } from './status';

/** The workspace facts the rules need: the latest build (if any) and the deleted flag. */
export interface WorkspaceBuildState {
  deleted: boolean;
  latestBuild: { number: number; transition: Transition; jobStatus: JobStatus } | null;
}

/** Status as users see it; a workspace with no build yet is `pending`. */
export function currentStatus(s: WorkspaceBuildState): WorkspaceStatus {
  if (isDeleted(s)) return 'deleted';
  if (!s.latestBuild) return 'pending';
  return workspaceStatus(s.latestBuild.jobStatus, s.latestBuild.transition);
}

/** Deleted: the flag is set, or the latest build is a delete that succeeded. */
export function isDeleted(s: WorkspaceBuildState): boolean {
  return s.deleted || (s.latestBuild?.transition === 'delete' && s.latestBuild.jobStatus === 'succeeded');
}

/** Describes the latest build in words, e.g. "build #3 (start) is running". */
export function describeLatestBuild(s: WorkspaceBuildState): string {
  const b = s.latestBuild;
  if (!b) return 'the workspace has no builds yet';
  return `build #${b.number} (${b.transition}) is ${b.jobStatus}`;
}

/**
 * Returns null when `request` is allowed, else a one-line reason naming the current state,
 * e.g. `cannot start: workspace is starting (build #2 (start) is running); wait for it or cancel it`.
 */
export function checkBuildRequest(s: WorkspaceBuildState, request: BuildRequestKind): string | null {
  const status = currentStatus(s);
  if (isDeleted(s)) return `cannot ${request}: workspace is deleted`;
  const b = s.latestBuild;
  if (b && isActiveJob(b.jobStatus)) {
    const hint = b.jobStatus === 'canceling' ? 'wait for the cancel to finish' : 'wait for it to finish or cancel it';
    return `cannot ${request}: workspace is ${status} (${describeLatestBuild(s)}); ${hint}`;
  }
  if ((request === 'restart' || request === 'stop') && !b) return `cannot ${request}: the workspace has never been built; start it instead`;
  return null;
}

/** Returns null when the active build may be canceled, else the reason (naming the state). */
export function checkCancel(s: WorkspaceBuildState): string | null {
  const status = currentStatus(s);
  const b = s.latestBuild;
  if (isDeleted(s)) return 'cannot cancel: workspace is deleted';
  if (!b || !isActiveJob(b.jobStatus)) return `cannot cancel: no build is active (workspace is ${status})`;
  if (b.jobStatus === 'canceling') return `cannot cancel: ${describeLatestBuild(s)} already`;
  return null;
}

/** Expands a request into the transitions it runs, in order: restart → stop, start. */
export function transitionsFor(request: BuildRequestKind): Transition[] {
  return request === 'restart' ? ['stop', 'start'] : [request];
}
