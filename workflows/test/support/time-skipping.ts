/**
 * A Berth stack on the Temporal time-skipping test server (the pinned binary through
 * @temporalio/testing): workflow timers of days and weeks pass in seconds, while builds still
 * run real tofu against real Postgres.
 */
import crypto from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { NativeConnection } from '@temporalio/worker';
import { BerthClient } from '../../src/client';
import { SEARCH_ATTRIBUTES } from '../../src/workflows/definitions';
import { createBerthWorkers, type BerthWorkers } from '../../src/worker';
import { createMetrics } from '../../src/metrics';
import { resolveTemporalTestServer } from '../../src/toolchain';
import { createTestDatabase, defaultRole, tempDir, TEST_BUILD_OPTIONS } from './stack';
import type { Db } from '../../src/db/connection';
import type { WorkspaceBuild } from '../../src/types';
import type { PrebuildConfig } from '../../src/domain/prebuilds';

export interface TimeSkippingStack {
  /**
   * Pushes a template and waits for its import by polling Postgres. (Awaiting a workflow result
   * on the time-skipping client unlocks time skipping, which then races real activities.)
   */
  push(input: Parameters<BerthClient['pushTemplate']>[0]): Promise<void>;
  env: TestWorkflowEnvironment;
  db: Db;
  client: BerthClient;
  workers: BerthWorkers;
  /** The test server's current time (ms). */
  now(): Promise<number>;
  teardown(): Promise<void>;
}

/** `prebuilds`: run the prebuild reconciler with these settings (off by default). */
export async function startTimeSkippingStack(opts: { prebuilds?: Partial<PrebuildConfig> } = {}): Promise<TimeSkippingStack> {
  const { db } = await createTestDatabase();
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: resolveTemporalTestServer().path } },
  });
  try {
    // The test server has no ListSearchAttributes; add ours directly (2 = KEYWORD).
    await env.connection.operatorService.addSearchAttributes({
      namespace: 'default', searchAttributes: Object.fromEntries(SEARCH_ATTRIBUTES.map((k) => [k.name, 2])),
    });
    const workers = await createBerthWorkers({ db, connection: env.nativeConnection as NativeConnection, namespace: 'default', metrics: createMetrics(), temporal: env.client },
      defaultRole(tempDir('work'), { workerId: `ts-${crypto.randomBytes(3).toString('hex')}` }));
    const running = workers.run();
    const client = new BerthClient({ db, temporal: env.client, buildOptions: TEST_BUILD_OPTIONS, prebuilds: { enabled: opts.prebuilds !== undefined, config: opts.prebuilds ?? {} } });
    const push = async (input: Parameters<BerthClient['pushTemplate']>[0]) => {
      const { version } = await client.pushTemplate({ ...input, wait: false });
      for (let i = 0; i < 600; i++) {
        const v = await client.getTemplateVersion(version.id);
        const done = (st: string | null) => st === 'succeeded' || st === 'failed' || st === 'canceled';
        if (done(v.importStatus) && (v.importStatus !== 'succeeded' || done(v.dryRunStatus))) {
          if (v.importStatus !== 'succeeded') throw new Error(`import of ${input.name} ${v.importStatus}: ${v.importError}`);
          if ((input.activate ?? true) && (await client.getTemplate(input.name)).activeVersionId !== v.id) continue;
          return;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`import of ${input.name} did not finish`);
    };
    return {
      push, env, db, client, workers,
      now: () => env.currentTimeMs(),
      async teardown() {
        workers.shutdown();
        await running.catch(() => undefined);
        await env.teardown();
        await db.destroy();
      },
    };
  } catch (e) {
    await env.teardown().catch(() => undefined);
    await db.destroy().catch(() => undefined);
    throw e;
  }
}

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/** Builds of a workspace, oldest first, once none is active. */
export async function settledBuilds(ts: TimeSkippingStack, workspaceId: string): Promise<WorkspaceBuild[]> {
  for (let i = 0; i < 300; i++) {
    const builds = (await ts.client.listBuilds(workspaceId)).reverse();
    if (builds.every((b) => !['pending', 'running', 'canceling'].includes(b.jobStatus))) return builds;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('builds did not settle');
}

/** Sleeps `ms` of simulated time in steps, letting builds run between steps. */
export async function advance(ts: TimeSkippingStack, ms: number, step = 6 * HOUR): Promise<void> {
  for (let left = ms; left > 0; left -= step) await ts.env.sleep(Math.min(step, left));
}

/** Local wall-clock "HH:MM" of an instant in a zone. */
export function localTime(ms: number, zone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(ms));
}
