/**
 * Template version import and dry-run activities (provisioner task queue). The import runs
 * `tofu init` and `tofu validate -json` on the version's source; the dry run plans a start with
 * default values and records the resources it would create. Logs go to build_logs under the
 * job's id, like a build's. Providers that cannot be downloaded here do not fail the import:
 * validation is skipped with a warning and the dry run fails with "provider X not available
 * offline".
 */
import fs from 'node:fs';
import path from 'node:path';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { Context } from '@temporalio/activity';
import type { Db } from '../db/connection';
import { lastLogSeq, markJobStarted } from '../db/builds';
import { getTemplate, getTemplateVersion, getTemplateVersionArchive, getTemplateVersionParameters, getTemplateVersionPresets, setPlannedResources } from '../db/templates';
import type { BerthMetrics } from '../metrics';
import { toTofuVariableValues } from '../domain/parameters';
import type { TemplateParameter } from '../domain/parameter-types';
import { extractArchive } from '../terraform/archive';
import { tofuEnvironment } from '../terraform/env';
import { summarizeFailure } from '../terraform/logparse';
import { unavailableProviders } from '../terraform/providers';
import { runTofuCommand, runFiles, type RunResult, type TofuStage } from '../terraform/runner';
import type { LogStage, PlannedResource } from '../types';
import { JobLogWriter } from './logwriter';
import type { ProvisionerConfig } from './index';

/** A value that satisfies a required parameter for a dry run: a default preset's, else the first option, else a placeholder of its type. */
export function dryRunValue(p: TemplateParameter, presetValue: string | undefined): string {
  if (presetValue !== undefined) return presetValue;
  if (p.defaultValue !== null) return p.defaultValue;
  if (p.options.length) return p.options[0].value;
  switch (p.type) {
    case 'number': return String(p.validation.min ?? 0);
    case 'bool': return 'false';
    case 'list(string)': return '[]';
    default: return '';
  }
}

export function createTemplateActivities(deps: { db: Db; metrics: BerthMetrics; provisioner: ProvisionerConfig }) {
  const { db, provisioner: cfg } = deps;

  /** Sets up a job: marks it started, opens its log, extracts the version into a fresh work dir. */
  async function begin(jobId: string, versionId: string, title: string) {
    const ctx = Context.current();
    const started = await markJobStarted(db, jobId, cfg.workerId);
    if (!started) throw ApplicationFailure.create({ type: 'JobCanceled', nonRetryable: true, message: 'the job was canceled before a provisioner picked it up' });
    const log = new JobLogWriter(db, jobId, await lastLogSeq(db, jobId));
    const dir = path.join(cfg.workDir, jobId);
    fs.rmSync(dir, { recursive: true, force: true });
    const version = await getTemplateVersion(db, versionId);
    log.daemon('setup', `Provisioner ${cfg.workerId}: ${title} of template version ${version.name} (attempt ${ctx.info.attempt})`);
    await extractArchive(await getTemplateVersionArchive(db, versionId), dir, cfg.archiveLimits);
    fs.chmodSync(dir, 0o700);
    const heartbeat = setInterval(() => ctx.heartbeat({ lines: log.seq }), Math.max(250, Math.min(1_000, Math.floor((ctx.info.heartbeatTimeoutMs ?? 30_000) / 4))));
    const abort = new AbortController();
    const onCancel = () => { if (ctx.cancellationDetails?.cancelRequested) abort.abort(); };
    ctx.cancellationSignal.addEventListener('abort', onCancel, { once: true });
    const finish = async () => {
      clearInterval(heartbeat);
      ctx.cancellationSignal.removeEventListener('abort', onCancel);
      await log.close();
      fs.rmSync(dir, { recursive: true, force: true });
    };
    return { ctx, log, dir, version, abort, finish };
  }

  async function tofu(job: Awaited<ReturnType<typeof begin>>, stage: TofuStage, logStage: LogStage, args: string[], env: Record<string, string>, quiet = false): Promise<RunResult> {
    job.log.daemon(logStage, `$ tofu ${args.join(' ')}`, 'debug');
    try {
      return await runTofuCommand({
        bin: cfg.tofuPath, args, cwd: job.dir, env, stage, signal: job.abort.signal, graceMs: cfg.cancelGraceMs, killAfterMs: cfg.cancelKillMs,
        onLine: (l) => { if (!quiet) for (const t of l.lines) job.log.add(l.level, logStage, 'provisioner', t); },
      });
    } catch (e) {
      throw ApplicationFailure.create({ type: 'ToolchainError', nonRetryable: true, message: (e as Error).message });
    }
  }

  function envFor(job: Awaited<ReturnType<typeof begin>>, templateName: string, owner: string) {
    return tofuEnvironment(cfg.hostEnv, {
      workspaceId: `dryrun-${job.dir.slice(-8)}`, workspaceName: 'dryrun', owner, transition: 'start', buildNumber: 0, templateName,
    }, cfg.cliConfigFile);
  }

  function stderrAndDiagnostics(r: RunResult): string[] {
    return [...r.stderrTail, ...r.diagnostics.map((d) => `${d.summary}: ${d.detail}`)];
  }

  /**
   * Import job: tofu init and validate. Returns the providers that could not be downloaded
   * (validation skipped). Throws a non-retryable TofuFailed with tofu's diagnostics when the
   * source is invalid, CancelledFailure when canceled.
   */
  async function importTemplateVersion(input: { versionId: string; jobId: string }): Promise<{ providersUnavailable: string[] }> {
    const job = await begin(input.jobId, input.versionId, 'import');
    let failure: string | null = null;
    let canceled = false;
    let providersUnavailable: string[] = [];
    try {
      const tpl = await getTemplate(db, job.version.templateId);
      const params = await getTemplateVersionParameters(db, input.versionId);
      const presets = await getTemplateVersionPresets(db, input.versionId);
      job.log.daemon('setup', `Parameters: ${params.length ? params.map((p) => `${p.name} (${p.type}${p.required ? ', required' : ''}${p.sensitive ? ', sensitive' : ''})`).join(', ') : 'none'}`);
      if (presets.length) job.log.daemon('setup', `Presets: ${presets.map((p) => p.name + (p.default ? ' (default)' : '')).join(', ')}`);
      for (const w of job.version.warnings) job.log.daemon('setup', `warning: ${w}`, 'warn');
      const env = envFor(job, tpl.name, job.version.createdBy);
      const init = await tofu(job, 'init', 'init', ['init', '-input=false', '-no-color'], env);
      if (init.interrupted) canceled = true;
      else if (init.code !== 0) {
        providersUnavailable = unavailableProviders(stderrAndDiagnostics(init));
        if (providersUnavailable.length) {
          job.log.daemon('init', `provider${providersUnavailable.length > 1 ? 's' : ''} ${providersUnavailable.join(', ')} not available offline: validation skipped; builds need a provisioner that can download ${providersUnavailable.length > 1 ? 'them' : 'it'}`, 'warn');
        } else failure = `tofu init failed: ${summarizeFailure(init.diagnostics, init.stderrTail, `exited with code ${init.code}`)}`;
      } else {
        const v = await tofu(job, 'validate', 'validate', ['validate', '-json', '-no-color'], env, true);
        if (v.interrupted) canceled = true;
        else {
          const text = fs.readFileSync(runFiles(job.dir, 'validate').stdout, 'utf8');
          let report: { valid?: boolean; diagnostics?: Array<{ severity: string; summary: string; detail?: string; range?: { filename?: string; start?: { line?: number } } }> } = {};
          try { report = JSON.parse(text); } catch { report = {}; }
          for (const d of report.diagnostics ?? []) {
            const where = d.range?.filename ? `${d.range.filename}${d.range.start?.line ? `:${d.range.start.line}` : ''}: ` : '';
            job.log.add(d.severity === 'warning' ? 'warn' : 'error', 'validate', 'provisioner', `${where}${d.summary}${d.detail ? `: ${d.detail.replace(/\s+/g, ' ').trim()}` : ''}`);
          }
          if (report.valid === true) job.log.daemon('validate', 'The configuration is valid.');
          else {
            const errors = (report.diagnostics ?? []).filter((d) => d.severity === 'error');
            failure = errors.length
              ? `tofu validate: ${errors.map((d) => `${d.range?.filename ? `${d.range.filename}${d.range.start?.line ? `:${d.range.start.line}` : ''}: ` : ''}${d.summary}${d.detail ? `: ${d.detail.replace(/\s+/g, ' ').trim()}` : ''}`).join('; ')}`
              : `tofu validate failed: ${summarizeFailure(v.diagnostics, v.stderrTail, `exited with code ${v.code}`)}`;
          }
        }
      }
      if (failure) job.log.daemon('cleanup', `Import failed: ${failure}`, 'error');
      else if (!canceled) job.log.daemon('cleanup', 'Import succeeded');
    } finally {
      await job.finish();
    }
    if (canceled) throw new CancelledFailure('import canceled');
    if (failure) throw ApplicationFailure.create({ type: 'TofuFailed', nonRetryable: true, message: failure });
    return { providersUnavailable };
  }

  /**
   * Dry-run job: plans a start build with default values (required parameters get a default
   * preset's value, their first option or a typed placeholder) and records the planned
   * resources. Throws TofuFailed ("provider X not available offline", plan errors).
   */
  async function dryRunTemplateVersion(input: { versionId: string; jobId: string }): Promise<{ resources: PlannedResource[] }> {
    const job = await begin(input.jobId, input.versionId, 'dry run');
    let failure: string | null = null;
    let canceled = false;
    let resources: PlannedResource[] = [];
    try {
      const tpl = await getTemplate(db, job.version.templateId);
      const params = await getTemplateVersionParameters(db, input.versionId);
      const preset = (await getTemplateVersionPresets(db, input.versionId)).find((p) => p.default);
      const values: Record<string, string> = {};
      for (const p of params) {
        const v = p.required || preset?.parameters[p.name] !== undefined ? dryRunValue(p, preset?.parameters[p.name]) : p.defaultValue;
        if (v !== null) values[p.name] = v;
      }
      job.log.daemon('setup', `Planning a start with ${preset ? `preset "${preset.name}" and ` : ''}default values`);
      fs.writeFileSync(path.join(job.dir, 'berth.tfvars.json'), JSON.stringify(toTofuVariableValues(params, values)), { mode: 0o600 });
      const env = envFor(job, tpl.name, job.version.createdBy);
      const init = await tofu(job, 'init', 'init', ['init', '-input=false', '-no-color'], env);
      if (init.interrupted) canceled = true;
      else if (init.code !== 0) {
        const missing = unavailableProviders(stderrAndDiagnostics(init));
        failure = missing.length
          ? `provider${missing.length > 1 ? 's' : ''} ${missing.join(', ')} not available offline`
          : `tofu init failed: ${summarizeFailure(init.diagnostics, init.stderrTail, `exited with code ${init.code}`)}`;
      } else {
        const plan = await tofu(job, 'plan', 'plan', ['plan', '-json', '-input=false', '-no-color', '-out=berth.tfplan', '-var-file=berth.tfvars.json'], env);
        if (plan.interrupted) canceled = true;
        else if (plan.code !== 0) failure = summarizeFailure(plan.diagnostics, plan.stderrTail, `exited with code ${plan.code}`);
        else {
          const show = await tofu(job, 'show', 'plan', ['show', '-json', '-no-color', 'berth.tfplan'], env, true);
          if (show.code !== 0) failure = `tofu show failed: ${summarizeFailure(show.diagnostics, show.stderrTail, `exited with code ${show.code}`)}`;
          else {
            const planJson = JSON.parse(fs.readFileSync(runFiles(job.dir, 'show').stdout, 'utf8')) as { resource_changes?: Array<{ address: string; type: string; name: string; mode: string; change?: { actions?: string[] } }> };
            resources = (planJson.resource_changes ?? []).map((r) => ({ address: r.address, type: r.type, name: r.name, mode: r.mode, actions: r.change?.actions ?? [] }));
            await setPlannedResources(db, input.versionId, resources);
            job.log.daemon('plan', `A start would create ${resources.filter((r) => r.actions.includes('create')).length} resource(s): ${resources.map((r) => r.address).join(', ') || 'none'}`);
          }
        }
      }
      if (failure) job.log.daemon('cleanup', `Dry run failed: ${failure}`, 'error');
    } finally {
      await job.finish();
    }
    if (canceled) throw new CancelledFailure('dry run canceled');
    if (failure) throw ApplicationFailure.create({ type: 'TofuFailed', nonRetryable: true, message: failure });
    return { resources };
  }

  return { importTemplateVersion, dryRunTemplateVersion };
}
