/**
 * Prebuild activities (control task queue): one reconciliation tick — snapshot, the pure
 * `plan()`, then act — and the metric labels of a prebuild. Creates and deletes go through the
 * workspace workflows (the single writers of builds): a create inserts the prebuilt workspace
 * and starts its workflow with a start build (reason `prebuild`); a delete asks the workflow for
 * a delete build that is refused if the workspace was claimed meanwhile. Builds are enqueued,
 * not awaited (Coder's fire-and-forget): the next tick sees what they became.
 */
import crypto from 'node:crypto';
import { Context } from '@temporalio/activity';
import { WithStartWorkflowOperation, type Client } from '@temporalio/client';
import type { Db } from '../db/connection';
import { deleteUnbuiltWorkspace } from '../db/builds';
import { insertPrebuildWorkspace, loadPrebuildSnapshot, setPresetPrebuildStatus } from '../db/prebuilds';
import { plan, prebuildName, PREBUILDS_OWNER, type PrebuildConfig, type PresetPlan } from '../domain/prebuilds';
import type { BerthMetrics } from '../metrics';
import type { BuildActivityOptions } from '../types';
import { requestBuildUpdate, WorkspaceIdKey, WorkspaceOwnerKey, workspaceWorkflowId } from '../workflows/definitions';
import type { workspaceWorkflow } from '../workflows/workspace';

/** What one tick did, per preset (kept in the reconciler's history). */
export interface ReconcileSummary {
  presets: Array<{
    template: string; preset: string; active: boolean; desired: number; running: number; eligible: number;
    created: number; deleted: number; backoffUntil: number | null; hardLimited: boolean; explanation: string; errors: string[];
  }>;
}

export function createPrebuildActivities(deps: { db: Db; metrics: BerthMetrics; temporal?: Client }) {
  const { db, metrics } = deps;

  const clientNow = (): Client => deps.temporal ?? Context.current().client;

  /** Creates one prebuild of a preset: the workspace row, then its workflow with the first (start) build. Undoes the row if the build is refused. */
  async function createOne(temporal: Client, taskQueue: string, p: { templateId: string; templateVersionId: string; presetId: string; presetName: string }, now: number, buildOptions: BuildActivityOptions): Promise<void> {
    let ws;
    for (let attempt = 0; ; attempt++) {
      try {
        ws = await insertPrebuildWorkspace(db, { name: prebuildName(crypto.randomBytes(4).toString('hex')), templateId: p.templateId, presetId: p.presetId, now });
        break;
      } catch (e) {
        if (attempt >= 2) throw e;
      }
    }
    try {
      const startOp = new WithStartWorkflowOperation<typeof workspaceWorkflow>('workspaceWorkflow', {
        workflowId: workspaceWorkflowId(ws.id), taskQueue, workflowIdConflictPolicy: 'FAIL',
        args: [{ workspaceId: ws.id, owner: ws.owner, name: ws.name, latestBuild: null, deleted: false, buildOptions }],
        typedSearchAttributes: [{ key: WorkspaceIdKey, value: ws.id }, { key: WorkspaceOwnerKey, value: ws.owner }],
      });
      await temporal.workflow.executeUpdateWithStart(requestBuildUpdate, {
        args: [{ kind: 'start', reason: 'prebuild', initiator: PREBUILDS_OWNER, templateVersionId: p.templateVersionId, preset: p.presetName }],
        startWorkflowOperation: startOp,
      });
    } catch (e) {
      await deleteUnbuiltWorkspace(db, ws.id);
      await temporal.workflow.getHandle(workspaceWorkflowId(ws.id)).terminate('first prebuild build refused').catch(() => undefined);
      throw e;
    }
  }

  /**
   * One reconciliation tick at the workflow's `now` (ms): snapshot every preset, `plan()`, mark
   * newly hard_limited presets, create and delete prebuilds, set the pool gauges. Errors of one
   * preset's actions are recorded in the summary and never stop the others (Coder: logged,
   * never fatal).
   */
  async function reconcilePrebuilds(input: { now: number; config: PrebuildConfig; buildOptions: BuildActivityOptions }): Promise<ReconcileSummary> {
    const temporal = clientNow();
    const taskQueue = Context.current().info.taskQueue;
    const snapshot = await loadPrebuildSnapshot(db);
    const plans = plan(snapshot, input.now, input.config);
    const summary: ReconcileSummary = { presets: [] };
    const gauges = new Map<string, { labels: { template_name: string; preset_name: string }; desired: number; running: number; eligible: number; hardLimited: number; active: boolean }>();
    const log = Context.current().log;
    for (let i = 0; i < snapshot.length; i++) {
      const s = snapshot[i];
      const pl: PresetPlan = plans[i];
      const labels = { template_name: s.templateName, preset_name: s.presetName };
      const errors: string[] = [];
      if (pl.markHardLimited) {
        await setPresetPrebuildStatus(db, s.presetId, 'hard_limited');
        log.warn('prebuild preset hard_limited: its last builds all failed; no new prebuilds until a new version or a reset', { template: s.templateName, preset: s.presetName });
      }
      if (pl.markHealthy) await setPresetPrebuildStatus(db, s.presetId, 'healthy');
      let created = 0;
      for (let n = 0; n < pl.create; n++) {
        try {
          await createOne(temporal, taskQueue, s, input.now, input.buildOptions);
          created++;
          metrics.prebuildsCreated.inc(labels);
        } catch (e) {
          errors.push(`create: ${(e as Error).message}`);
          break;
        }
      }
      let deleted = 0;
      for (const d of pl.delete) {
        try {
          await temporal.workflow.getHandle(workspaceWorkflowId(d.workspaceId)).executeUpdate(requestBuildUpdate, {
            args: [{ kind: 'delete', reason: 'prebuild', initiator: PREBUILDS_OWNER, onlyIfPrebuild: true }],
          });
          deleted++;
        } catch (e) {
          errors.push(`delete ${d.workspaceId} (${d.reason}): ${(e as Error).message}`);
        }
      }
      if (errors.length) log.warn('prebuild reconciliation errors', { template: s.templateName, preset: s.presetName, errors });
      // Presets of several versions share their names: sum them per (template, preset).
      const key = `${s.templateName}\u0000${s.presetName}`;
      const g = gauges.get(key) ?? { labels, desired: 0, running: 0, eligible: 0, hardLimited: 0, active: false };
      g.running += pl.state.running;
      if (s.active) { g.active = true; g.desired += pl.state.desired; g.eligible += pl.state.eligible; g.hardLimited = pl.hardLimited ? 1 : 0; }
      gauges.set(key, g);
      summary.presets.push({
        template: s.templateName, preset: s.presetName, active: s.active, desired: pl.state.desired, running: pl.state.running, eligible: pl.state.eligible,
        created, deleted, backoffUntil: pl.backoffUntil, hardLimited: pl.hardLimited, explanation: pl.explanation, errors,
      });
    }
    for (const g of gauges.values()) {
      metrics.prebuildsRunning.set(g.labels, g.running);
      if (g.active) {
        metrics.prebuildsDesired.set(g.labels, g.desired);
        metrics.prebuildsEligible.set(g.labels, g.eligible);
        metrics.prebuildsHardLimited.set(g.labels, g.hardLimited);
      } else {
        metrics.prebuildsDesired.remove(g.labels);
        metrics.prebuildsEligible.remove(g.labels);
        metrics.prebuildsHardLimited.remove(g.labels);
      }
    }
    return summary;
  }

  return { reconcilePrebuilds };
}
