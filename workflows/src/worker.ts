/**
 * The Berth worker: workflows + control activities on the control task queue, and tofu builds
 * on the provisioner task queue(s) of its tag set. Scale by running more processes against the
 * same Temporal and Postgres; give provisioner-only workers tags to route builds to them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DefaultLogger, Runtime, Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { createActivities, PROVISIONER_ACTIVITIES, type BerthActivities } from './activities';
import { connectDb, migrate, type Db } from './db/connection';
import { buildsQueueFor, queuesForWorker } from './domain/tags';
import { createMetrics, serveMetrics, type BerthMetrics } from './metrics';
import { connectClient, connectWorker } from './temporal';
import { ensureSearchAttributes } from './client';
import type { Client } from '@temporalio/client';
import { ensurePrebuildReconciler } from './prebuilds';
import { buildOptionsFromEnv, prebuildConfigFromEnv, prebuildsEnabledFromEnv } from './config';
import { DEFAULT_BUILD_ACTIVITY_OPTIONS } from './types';
import { resolveTofu, ToolchainError } from './toolchain';
import type { WorkerSettings } from './config';

/**
 * Modules the workflow bundler may skip. Empty: nothing in the workflow graph needs an
 * exception, so the bundler's own check catches any Node import.
 */
export const WORKFLOW_BUNDLE_IGNORE: string[] = [];

/** Where the workflow code comes from: a prebuilt bundle (BERTH_WORKFLOW_BUNDLE or dist/workflow-bundle.js) or the sources. */
export function workflowSource(): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath' | 'bundlerOptions'> {
  const candidates = [process.env.BERTH_WORKFLOW_BUNDLE, path.join(__dirname, 'workflow-bundle.js')].filter(Boolean) as string[];
  for (const c of candidates) if (fs.existsSync(c)) return { workflowBundle: { codePath: c } };
  return { workflowsPath: require.resolve('./workflows'), bundlerOptions: { ignoreModules: WORKFLOW_BUNDLE_IGNORE } };
}

/** The tofu.rc shipped with this package (used as TF_CLI_CONFIG_FILE unless the host has a real one). */
export function packagedTofuRc(): string {
  return path.join(__dirname, '..', 'tofu.rc');
}

export type WorkerRole = Pick<WorkerSettings, 'taskQueue' | 'runWorkflows' | 'runProvisioner' | 'provisionerTags' | 'workDir' | 'workerId'
  | 'cancelGraceMs' | 'cancelKillMs' | 'maxConcurrentBuilds' | 'shutdownGraceMs' | 'archiveLimits' | 'tofuPath'>;

export interface BerthWorkers {
  workers: Worker[];
  metrics: BerthMetrics;
  /** Task queues polled, for logs. */
  queues: string[];
  /** Runs every worker until shutdown; rejects if one fails. */
  run(): Promise<void>;
  /** Asks every worker to stop (running builds get `shutdownGraceMs` to finish). */
  shutdown(): void;
}

/**
 * Creates the workers for one process. Throws ToolchainError when tofu cannot be found (for a
 * provisioner), Error when a tag set is invalid.
 */
export async function createBerthWorkers(deps: {
  db: Db; connection: NativeConnection; namespace: string; metrics?: BerthMetrics;
  /** Replaces activities (benchmarks use a no-op runTofu to measure the scheduler alone). */
  activityOverrides?: Partial<BerthActivities>;
  /** Extra Temporal worker options (cache sizes, concurrency) for the control worker. */
  controlWorkerOptions?: Partial<WorkerOptions>;
  /** Client the prebuild activities use to drive workspace workflows (default: the worker's own). */
  temporal?: Client;
}, role: WorkerRole): Promise<BerthWorkers> {
  const metrics = deps.metrics ?? createMetrics();
  let tofuPath = '';
  if (role.runProvisioner) {
    tofuPath = role.tofuPath ?? resolveTofu().path;
    try { fs.accessSync(tofuPath, fs.constants.X_OK); } catch {
      throw new ToolchainError(`tofu binary ${tofuPath} is missing or not executable (BERTH_TOFU); run \`npm run setup\` or point BERTH_TOFU at tofu/terraform ≥ 1.5`);
    }
  }
  fs.mkdirSync(role.workDir, { recursive: true, mode: 0o700 });
  const activities: BerthActivities = { ...createActivities({
    db: deps.db, metrics, temporal: deps.temporal,
    provisioner: {
      workDir: role.workDir, tofuPath, cliConfigFile: packagedTofuRc(), workerId: role.workerId,
      cancelGraceMs: role.cancelGraceMs, cancelKillMs: role.cancelKillMs, archiveLimits: role.archiveLimits, hostEnv: process.env,
    },
  }), ...(deps.activityOverrides ?? {}) };
  const workers: Worker[] = [];
  const queues: string[] = [];
  if (role.runWorkflows) {
    const control = Object.fromEntries(Object.entries(activities).filter(([k]) => !(PROVISIONER_ACTIVITIES as readonly string[]).includes(k)));
    for (const taskQueue of [role.taskQueue, buildsQueueFor(role.taskQueue)]) {
      workers.push(await Worker.create({
        connection: deps.connection, namespace: deps.namespace, taskQueue,
        ...workflowSource(), activities: control, shutdownGraceTime: role.shutdownGraceMs, ...(deps.controlWorkerOptions ?? {}),
      }));
      queues.push(taskQueue);
    }
  }
  if (role.runProvisioner) {
    for (const q of queuesForWorker(role.provisionerTags)) {
      workers.push(await Worker.create({
        connection: deps.connection, namespace: deps.namespace, taskQueue: q,
        activities: Object.fromEntries(PROVISIONER_ACTIVITIES.map((k) => [k, activities[k]])), maxConcurrentActivityTaskExecutions: role.maxConcurrentBuilds,
        shutdownGraceTime: role.shutdownGraceMs,
        // Cancel requests reach an activity only with a heartbeat response: heartbeat at least
        // every second so a cancel interrupts tofu within about a second (default: 80 % of the
        // heartbeat timeout, i.e. up to 24 s).
        maxHeartbeatThrottleInterval: '1 second',
      }));
      queues.push(q);
    }
  }
  if (!workers.length) throw new Error('this worker has nothing to do: enable workflows or the provisioner');
  return {
    workers, metrics, queues,
    run: async () => { await Promise.all(workers.map((w) => w.run())); },
    shutdown: () => { for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown(); },
  };
}

/**
 * Runs a worker process from settings: migrates the database, registers search attributes,
 * serves metrics, and runs until SIGINT/SIGTERM (handled by the Temporal runtime, which shuts
 * the workers down gracefully). Resolves when every worker has stopped.
 */
export async function runWorkerProcess(settings: WorkerSettings, log: (m: string) => void = (m) => console.log(m)): Promise<void> {
  // The SDK warns that provisioner queues have no workflows: that is by design, drop it.
  Runtime.install({
    logger: new DefaultLogger('INFO', (entry) => {
      if (/No workflows registered, not polling for workflow tasks/.test(entry.message)) return;
      const meta = entry.meta && Object.keys(entry.meta).length ? ` ${JSON.stringify(entry.meta)}` : '';
      process.stderr.write(`${new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString()} [${entry.level}] ${entry.message}${meta}\n`);
    }),
  });
  const db = connectDb(settings.databaseUrl);
  try {
    await migrate(db);
  } catch (e) {
    await db.destroy();
    throw new Error(`cannot prepare the database (DATABASE_URL): ${(e as Error).message}`);
  }
  const { connection: clientConn, client } = await connectClient(settings.temporal).catch((e: Error) => {
    throw new Error(`cannot connect to Temporal at ${settings.temporal.address} (TEMPORAL_ADDRESS): ${e.message}`);
  });
  await ensureSearchAttributes(clientConn, settings.temporal.namespace);
  const connection = await connectWorker(settings.temporal);
  const metrics = createMetrics({ defaults: true });
  const w = await createBerthWorkers({ db, connection, namespace: settings.temporal.namespace, metrics, temporal: client }, settings);
  if (settings.runWorkflows && prebuildsEnabledFromEnv()) {
    // The prebuild reconciler runs in every deployment (one per namespace; signalWithStart is idempotent).
    await ensurePrebuildReconciler(client, {
      taskQueue: settings.taskQueue, config: prebuildConfigFromEnv(), buildOptions: { ...DEFAULT_BUILD_ACTIVITY_OPTIONS, ...buildOptionsFromEnv() }, reason: 'worker started',
    });
  }
  let server: Awaited<ReturnType<typeof serveMetrics>> | undefined;
  if (settings.metricsPort >= 0) {
    server = await serveMetrics(metrics.registry, settings.metricsPort, settings.metricsHost);
    const addr = server.address();
    log(`berth-worker: metrics on http://localhost:${typeof addr === 'object' && addr ? addr.port : settings.metricsPort}/metrics`);
  }
  log(`berth-worker ${settings.workerId}: Temporal ${settings.temporal.address} namespace ${settings.temporal.namespace}; queues ${w.queues.join(', ')}`);
  try {
    await w.run();
  } finally {
    server?.close();
    await connection.close();
    await clientConn.close();
    await db.destroy();
    log('berth-worker: stopped');
  }
}
