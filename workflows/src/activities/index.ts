/**
 * Temporal activities, built by `createActivities(deps)` so tests and workers inject the
 * database, metrics and provisioner settings. Control activities (enqueueBuild,
 * markBuildCanceling, completeBuild) run on the control task queue; `runTofu` runs on the
 * provisioner task queue of the job's tag set.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { Db } from '../db/connection';
import {
  completeBuildJob, completeJob as completeJobRow, enqueueBuild as enqueueBuildRow, getBuild, getJobProgress, lastLogSeq, loadBuildJobContext,
  markJobCanceling, markJobStarted, saveBuildResult, type EnqueueBuildInput, type JobOutcome,
} from '../db/builds';
import { createDryRunJob, getTemplateVersion, getTemplateVersionArchive, promoteTemplateVersion } from '../db/templates';
import { sensitiveValues, toTofuVariableValues } from '../domain/parameters';
import { createTemplateActivities } from './templates';
import { createLifecycleActivities } from './lifecycle';
import { createPrebuildActivities } from './prebuilds';
import { prebuildLabels } from '../db/prebuilds';
import { wakePrebuildReconciler } from '../prebuilds';
import { loadLifecycleState } from '../db/lifecycle';
import { dueLifecycleDecision } from '../domain/schedule';
import type { BerthMetrics } from '../metrics';
import { asFailure } from './failures';
import type { JobStatus } from '../domain/status';
import { extractArchive, type ArchiveLimits } from '../terraform/archive';
import { tofuEnvironment } from '../terraform/env';
import { summarizeFailure } from '../terraform/logparse';
import { adoptRunningTofu, findRunningTofu, runTofuCommand, type RunResult, type TailOffsets, type TofuStage } from '../terraform/runner';
import { summarizeState } from '../terraform/tfstate';
import type { BuildRef, BuildResult } from '../types';
import { JobLogWriter } from './logwriter';

/** Settings of the provisioner side (where tofu runs). */
export interface ProvisionerConfig {
  /** Root of per-job work directories (`<workDir>/<jobId>`). */
  workDir: string;
  /** Path of the tofu/terraform binary. */
  tofuPath: string;
  /** TF_CLI_CONFIG_FILE used unless the host's points at an existing file. */
  cliConfigFile: string;
  /** Identifies this worker in provisioner_jobs.worker_id and the logs. */
  workerId: string;
  /** Cancel: ms from the first SIGINT to the second. */
  cancelGraceMs: number;
  /** Cancel: ms from the first SIGINT to SIGKILL of the group. */
  cancelKillMs: number;
  archiveLimits: ArchiveLimits;
  /** Host environment to pick safe variables from. */
  hostEnv: NodeJS.ProcessEnv;
}

export interface ActivityDeps {
  db: Db;
  metrics: BerthMetrics;
  provisioner: ProvisionerConfig;
  /** Temporal client for activities that drive other workflows (prebuilds); default: the worker's own (Context.client). */
  temporal?: Client;
}


const PROVISIONER_TYPE = 'terraform';

export function createActivities(deps: ActivityDeps) {
  const { db, metrics, provisioner: cfg } = deps;
  const lifecycle = createLifecycleActivities(deps);

  /** Writes a pending build (job + build + parameters). Non-retryable failure with type InputError/NotFoundError/ConflictError on bad input. */
  async function enqueueBuild(input: EnqueueBuildInput): Promise<BuildRef & { taskQueue: string }> {
    const labels = { provisioner_type: PROVISIONER_TYPE, build_reason: input.reason, transition: input.transition };
    if (input.lifecycle) {
      // The workflow decided on its cached state; check the decision still holds on fresh state
      // (activity, extends and template changes move deadlines) before writing the build.
      const fresh = dueLifecycleDecision(await loadLifecycleState(db, input.workspaceId), input.lifecycle.now);
      if (!fresh || fresh.rule !== input.lifecycle.rule || fresh.transition !== input.transition) {
        throw ApplicationFailure.create({ type: 'LifecycleNotDue', nonRetryable: true, message: `the ${input.lifecycle.rule} decision is no longer due${fresh ? ` (now: ${fresh.rule})` : ''}` });
      }
    }
    try {
      const { build, taskQueue } = await enqueueBuildRow(db, input);
      metrics.buildsEnqueued.inc({ ...labels, status: 'success' });
      if (['autostart', 'autostop', 'dormancy', 'autodelete'].includes(input.reason)) metrics.lifecycleTransitions.inc({ transition: input.transition, reason: input.reason });
      if (input.reason === 'claim') {
        const labels = await prebuildLabels(db, input.workspaceId);
        if (labels) metrics.prebuildsClaimed.inc(labels);
      }
      return { buildId: build.id, buildNumber: build.buildNumber, jobId: build.jobId, transition: build.transition, taskQueue };
    } catch (e) {
      metrics.buildsEnqueued.inc({ ...labels, status: 'failed' });
      throw asFailure(e);
    }
  }

  /** Records a cancel request on the job; returns its status after (null when it had completed). */
  async function markBuildCanceling(input: { jobId: string }): Promise<JobStatus | null> {
    return markJobCanceling(db, input.jobId);
  }

  /**
   * Completes the job of a build with its outcome (at the workflow's `now`, ms) and applies the
   * lifecycle rules that follow a completion (deadline, next_start_at). Idempotent.
   */
  async function completeBuild(input: { buildId: string; outcome: JobOutcome; now?: number }): Promise<BuildResult> {
    // The job's end, its deadline and next_start_at are written together: no reader sees a
    // finished start build without its deadline.
    const b = await completeBuildJob(db, input.buildId, input.outcome, input.now,
      (tx) => lifecycle.applyBuildCompletion({ buildId: input.buildId, now: input.now ?? Date.now() }, tx));
    if (b.startedAt && b.completedAt) {
      metrics.buildDuration.observe({ provisioner_type: PROVISIONER_TYPE, transition: b.transition, build_reason: b.reason, status: b.jobStatus },
        Math.max(0, b.completedAt.getTime() - b.startedAt.getTime()) / 1000);
    }
    if (b.reason === 'prebuild' && b.buildNumber === 1 && b.jobStatus === 'failed') {
      const labels = await prebuildLabels(db, b.workspaceId);
      if (labels) metrics.prebuildsFailed.inc(labels);
    }
    return { buildId: b.id, buildNumber: b.buildNumber, transition: b.transition, jobStatus: b.jobStatus, ...(b.error ? { error: b.error } : {}) };
  }

  /**
   * Runs the build with tofu: work dir from the template archive plus the latest state, then
   * init, plan, apply (plan -destroy for delete). Logs stream to build_logs; state, outputs and
   * resources are saved whether tofu succeeds, fails or is canceled. Throws a non-retryable
   * ApplicationFailure (type TofuFailed) with tofu's diagnostic when tofu fails, CancelledFailure
   * when canceled, anything else (retryable) for infrastructure errors.
   */
  async function runTofu(input: { buildId: string; jobId: string }): Promise<{ outputs: Record<string, unknown>; resources: number }> {
    const ctx = Context.current();
    const started = await markJobStarted(db, input.jobId, cfg.workerId);
    if (!started) throw ApplicationFailure.create({ type: 'JobCanceled', nonRetryable: true, message: 'the build was canceled before a provisioner picked it up' });
    const jc = await loadBuildJobContext(db, input.buildId);
    const b = jc.build;
    if (started.firstStart) {
      metrics.queueWait.observe({ provisioner_type: PROVISIONER_TYPE, job_type: 'workspace_build', transition: b.transition, build_reason: b.reason },
        Math.max(0, started.startedAt.getTime() - started.createdAt.getTime()) / 1000);
    }
    const log = new JobLogWriter(db, input.jobId, await lastLogSeq(db, input.jobId), 100, sensitiveValues(jc.parameters, jc.values));
    const dir = path.join(cfg.workDir, input.jobId);
    // Every second: a cancel request reaches the activity only in a heartbeat response.
    const hbEvery = Math.max(250, Math.min(1_000, Math.floor((ctx.info.heartbeatTimeoutMs ?? 30_000) / 4)));
    let stage: TofuStage | 'setup' = 'setup';
    const heartbeat = setInterval(() => ctx.heartbeat({ stage, lines: log.seq }), hbEvery);
    ctx.heartbeat({ stage, lines: log.seq });
    // Only a real cancel request stops tofu. On worker shutdown or a lost heartbeat tofu keeps
    // running (its output goes to files) and the next attempt on this machine adopts it.
    const abort = new AbortController();
    const onCancel = () => { if (ctx.cancellationDetails?.cancelRequested) abort.abort(); };
    ctx.cancellationSignal.addEventListener('abort', onCancel, { once: true });

    let failure: string | null = null;
    let canceled = false;
    const onLine = (l: { level: any; lines: string[]; stage: TofuStage }, offsets: TailOffsets) => {
      for (const text of l.lines) log.add(l.level, l.stage === 'show' ? 'plan' : l.stage, 'provisioner', text);
      log.setProgress({ stage: l.stage, offsets });
    };
    const common = { cwd: dir, env: {} as Record<string, string>, onLine, signal: abort.signal, graceMs: cfg.cancelGraceMs, killAfterMs: cfg.cancelKillMs };
    try {
      log.daemon('setup', `Provisioner ${cfg.workerId} running build #${b.buildNumber} (${b.transition}) of workspace ${jc.workspace.name} (attempt ${ctx.info.attempt})`);
      const orphan = fs.existsSync(dir) ? findRunningTofu(dir) : null;
      if (orphan) {
        log.daemon('setup', `tofu ${orphan.stage} from an earlier attempt is still running (pid ${orphan.pid}); following it until it exits`, 'warn');
        const progress = await getJobProgress(db, input.jobId);
        const from: TailOffsets = progress.stage === orphan.stage && progress.offsets ? progress.offsets : { stdout: 0, stderr: 0 };
        stage = orphan.stage;
        const r = await adoptRunningTofu(orphan, common, from);
        if (r.interrupted) canceled = true;
      }
      if (!canceled) {
        const fresh = !fs.existsSync(path.join(dir, 'terraform.tfstate'));
        try {
          await extractArchive(await getTemplateVersionArchive(db, b.templateVersionId), dir, cfg.archiveLimits);
        } catch (e) {
          throw ApplicationFailure.create({ type: 'InputError', nonRetryable: true, message: `the template version's archive cannot be unpacked: ${(e as Error).message}` });
        }
        fs.chmodSync(dir, 0o700);
        if (fresh && jc.state) fs.writeFileSync(path.join(dir, 'terraform.tfstate'), jc.state);
        log.daemon('setup', fresh ? (jc.state ? 'Starting from the state of the previous build' : 'No previous state: this is the first build') : 'Continuing from the state an earlier attempt left');
        fs.writeFileSync(path.join(dir, 'berth.tfvars.json'), JSON.stringify(toTofuVariableValues(jc.parameters, jc.values)), { mode: 0o600 });
        common.env = tofuEnvironment(cfg.hostEnv, {
          workspaceId: jc.workspace.id, workspaceName: jc.workspace.name, owner: jc.workspace.owner, transition: b.transition,
          buildNumber: b.buildNumber, templateName: jc.workspace.templateName,
        }, cfg.cliConfigFile);
        const steps: Array<['init' | 'plan' | 'apply', string[]]> = [
          ['init', ['init', '-input=false', '-no-color']],
          ['plan', ['plan', '-json', '-input=false', '-no-color', '-out=berth.tfplan', '-var-file=berth.tfvars.json', ...(b.transition === 'delete' ? ['-destroy'] : [])]],
          ['apply', ['apply', '-json', '-input=false', '-no-color', '-auto-approve', 'berth.tfplan']],
        ];
        for (const [s, args] of steps) {
          if (abort.signal.aborted) { canceled = true; break; }
          stage = s;
          const t0 = Date.now();
          log.daemon(s, `$ tofu ${args.join(' ')}`, 'debug');
          let r: RunResult;
          try {
            r = await runTofuCommand({ ...common, bin: cfg.tofuPath, args, stage: s });
          } catch (e) {
            throw ApplicationFailure.create({ type: 'ToolchainError', nonRetryable: true, message: (e as Error).message });
          }
          if (r.interrupted && r.code !== 0) { canceled = true; log.daemon(s, `tofu ${s} interrupted by a cancel request`, 'warn'); break; }
          if (r.interrupted && s === 'apply') log.daemon(s, 'the cancel request arrived after the apply had finished: the build completed', 'warn');
          if (r.code !== 0) {
            failure = summarizeFailure(r.diagnostics, r.stderrTail, r.signal ? `killed by ${r.signal}` : `exited with code ${r.code}`);
            log.daemon(s, `tofu ${s} failed after ${((Date.now() - t0) / 1000).toFixed(1)}s`, 'error');
            break;
          }
          log.daemon(s, `tofu ${s} finished in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
        }
      }
    } catch (e) {
      clearInterval(heartbeat);
      ctx.cancellationSignal.removeEventListener('abort', onCancel);
      await log.close().catch(() => undefined);
      throw asFailure(e);
    }
    clearInterval(heartbeat);
    ctx.cancellationSignal.removeEventListener('abort', onCancel);

    // Whatever happened, keep what tofu wrote: the next build starts from it.
    const stateFile = path.join(dir, 'terraform.tfstate');
    const state = fs.existsSync(stateFile) ? fs.readFileSync(stateFile) : null;
    const summary = summarizeState(state ?? jc.state, b.transition);
    await saveBuildResult(db, b.id, { state, outputs: summary.outputs, resources: summary.resources });
    log.daemon('cleanup', state ? `State saved (serial ${summary.serial}, ${summary.resources.length} resources)` : 'No state written');
    await log.close();
    fs.rmSync(dir, { recursive: true, force: true });
    if (canceled) throw new CancelledFailure('build canceled');
    if (failure) throw ApplicationFailure.create({ type: 'TofuFailed', nonRetryable: true, message: failure });
    return { outputs: summary.outputs, resources: summary.resources.length };
  }

  /** Current build row (used by workflows to report). */
  async function getBuildStatus(input: { buildId: string }): Promise<JobStatus> {
    return (await getBuild(db, input.buildId)).jobStatus;
  }

  /** Completes an import or dry-run job with its outcome (idempotent). */
  async function completeJob(input: { jobId: string; outcome: JobOutcome }): Promise<void> {
    await completeJobRow(db, input.jobId, input.outcome);
  }

  /** Creates the dry-run job of a version; returns its id and task queue. */
  async function createDryRun(input: { versionId: string; initiator: string }): Promise<{ jobId: string; taskQueue: string }> {
    return createDryRunJob(db, input.versionId, input.initiator);
  }

  /** Promotes a version whose import succeeded; non-retryable InputError otherwise. */
  async function promoteVersion(input: { versionId: string }): Promise<void> {
    try {
      const v = await getTemplateVersion(db, input.versionId);
      await promoteTemplateVersion(db, v.templateId, v.id);
    } catch (e) {
      throw asFailure(e);
    }
    // A new active version invalidates the old version's prebuilds and may declare new pools.
    try {
      await wakePrebuildReconciler(deps.temporal ?? Context.current().client, `template version ${input.versionId} promoted`);
    } catch { /* no reconciler, or no client in this context: its next tick sees the change */ }
  }

  return {
    enqueueBuild, markBuildCanceling, completeBuild, runTofu, getBuildStatus, completeJob, createDryRun, promoteVersion,
    ...createTemplateActivities(deps),
    ...lifecycle,
    ...createPrebuildActivities(deps),
  };
}

/** Activities that run tofu and so belong on provisioner task queues. */
export const PROVISIONER_ACTIVITIES = ['runTofu', 'importTemplateVersion', 'dryRunTemplateVersion'] as const;

/** The activity interface workflows proxy (types only cross into workflow code). */
export type BerthActivities = ReturnType<typeof createActivities>;
