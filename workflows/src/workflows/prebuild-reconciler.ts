/**
 * prebuildReconcilerWorkflow: the prebuild control loop (id `prebuild-reconciler`, one per
 * namespace). Every `reconcileIntervalMs`, and at once on the `prebuildsChanged` signal (a
 * template version promoted, a preset changed or reset), its activity snapshots every preset,
 * asks the pure `plan()` what to create and delete, and acts. Stateless per tick: a lost tick
 * is repaired by the next. Continues as new every 500 ticks or when Temporal suggests it.
 * Deterministic: imports only Temporal's workflow API, domain code and types.
 */
import * as wf from '@temporalio/workflow';
import type { BerthActivities } from '../activities';
import type { PrebuildConfig } from '../domain/prebuilds';
import type { BuildActivityOptions } from '../types';
import { prebuildsChangedSignal } from './definitions';

const control = wf.proxyActivities<BerthActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '1s', maximumInterval: '30s', maximumAttempts: 3, nonRetryableErrorTypes: ['InputError', 'NotFoundError', 'ConflictError'] },
});

export interface PrebuildReconcilerInput {
  config: PrebuildConfig;
  /** runTofu timeouts for the prebuilt workspaces it creates. */
  buildOptions: BuildActivityOptions;
}

const TICKS_PER_RUN = 500;

export async function prebuildReconcilerWorkflow(input: PrebuildReconcilerInput): Promise<void> {
  let config = input.config;
  let wake = false;
  wf.setHandler(prebuildsChangedSignal, (s) => {
    wake = true;
    if (s?.config) config = s.config;
  });
  for (let tick = 0; ; tick++) {
    wake = false;
    try {
      const summary = await control.reconcilePrebuilds({ now: Date.now(), config, buildOptions: input.buildOptions });
      const acted = summary.presets.filter((p) => p.created || p.deleted || p.errors.length || p.hardLimited || p.backoffUntil);
      if (acted.length) wf.log.info('prebuild reconciliation', { presets: acted });
    } catch (e) {
      // A failed tick is retried by the next one.
      wf.log.warn('prebuild reconciliation failed', { error: (e as Error).message });
    }
    if (tick + 1 >= TICKS_PER_RUN || wf.workflowInfo().continueAsNewSuggested) {
      await wf.condition(wf.allHandlersFinished);
      await wf.continueAsNew<typeof prebuildReconcilerWorkflow>({ ...input, config });
    }
    await wf.condition(() => wake, config.reconcileIntervalMs);
  }
}
