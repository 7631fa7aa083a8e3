/**
 * Names of the workspace and build workflows' handlers and search attributes, shared by the
 * workflows and the client. Workflow-safe (no Node APIs).
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { BuildRef, BuildRequest, WorkspaceDescription } from '../types';
import type { JobStatus } from '../domain/status';
import type { PrebuildConfig } from '../domain/prebuilds';
import type { VariableValues } from '../domain/variables';

/** Update: ask for a build (start, stop, restart, delete). Returns once the build rows exist. */
export const requestBuildUpdate = defineUpdate<BuildRef, [BuildRequest]>('requestBuild');
/** Update: cancel the active build. Returns the build number and its job status after the request. */
export const cancelBuildUpdate = defineUpdate<{ buildNumber: number; jobStatus: JobStatus }, [{ initiator: string }]>('cancelBuild');
/** Query: the workflow's view of the workspace. */
export const describeQuery = defineQuery<WorkspaceDescription>('describe');
/** Schedule change: autostart cron and/or TTL (undefined = unchanged, null = off). Never starts or stops the workspace. */
export interface ScheduleChange { autostartSchedule?: string | null; ttlMs?: number | null; initiator: string }
export const setScheduleUpdate = defineUpdate<{ autostartSchedule: string | null; ttlMs: number | null; nextStartAt: number | null }, [ScheduleChange]>('setSchedule');
/** Update: move the running build's deadline (ms since epoch), at least 30 min ahead, never past max_deadline. */
export const extendDeadlineUpdate = defineUpdate<{ deadline: number }, [{ deadline: number; initiator: string }]>('extendDeadline');
/** Signal: the workspace was used (bumps the deadline, refreshes last_used_at). */
export const activitySignal = defineSignal<[{ source?: string }]>('activity');
/**
 * Update: a prebuilt workspace was claimed (its row already has the new owner and name): the
 * workflow takes the new owner and name and runs a start build with reason `claim`. Returns
 * once the build rows exist.
 */
export interface ClaimRequest { owner: string; name: string; previousName: string; initiator: string; parameters?: VariableValues; preset?: string }
export const claimUpdate = defineUpdate<BuildRef, [ClaimRequest]>('claim');
/** Signal to the prebuild reconciler: reconcile now (a template version was promoted, a preset changed or was reset); optional new settings. */
export const prebuildsChangedSignal = defineSignal<[{ reason?: string; config?: PrebuildConfig }]>('prebuildsChanged');
/** Workflow id of the one prebuild reconciler. */
export const PREBUILD_RECONCILER_WORKFLOW_ID = 'prebuild-reconciler';
/** Signal to a build workflow: stop the build (SIGINT to tofu, state saved). */
export const cancelSignal = defineSignal('cancel');

export const WorkspaceIdKey = defineSearchAttributeKey('WorkspaceId', SearchAttributeType.KEYWORD);
export const WorkspaceOwnerKey = defineSearchAttributeKey('WorkspaceOwner', SearchAttributeType.KEYWORD);
export const BuildTransitionKey = defineSearchAttributeKey('BuildTransition', SearchAttributeType.KEYWORD);
export const BuildReasonKey = defineSearchAttributeKey('BuildReason', SearchAttributeType.KEYWORD);
/** Every custom search attribute Berth sets (registered at worker start). */
export const SEARCH_ATTRIBUTES = [WorkspaceIdKey, WorkspaceOwnerKey, BuildTransitionKey, BuildReasonKey];

/** Workflow ids: one workspace workflow per workspace, one child per build. */
export const workspaceWorkflowId = (workspaceId: string) => `workspace:${workspaceId}`;
export const buildWorkflowId = (workspaceId: string, buildNumber: number) => `workspace:${workspaceId}:build:${buildNumber}`;
