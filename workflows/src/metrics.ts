/**
 * Prometheus metrics of a worker process (prom-client), served on `/metrics`. Names and buckets
 * follow Coder's (reference/lifecycle-semantics.md §6.1) with the `berth_` prefix.
 */
import http from 'node:http';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Coder's queue-wait buckets, seconds. */
export const QUEUE_WAIT_BUCKETS = [0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 600, 900, 1800];
/** Build duration buckets, seconds. */
export const BUILD_DURATION_BUCKETS = [1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];

export interface BerthMetrics {
  registry: Registry;
  /** Build enqueue attempts; status = success | failed. */
  buildsEnqueued: Counter<'provisioner_type' | 'build_reason' | 'transition' | 'status'>;
  /** Job creation → acquisition by a provisioner worker (s). */
  queueWait: Histogram<'provisioner_type' | 'job_type' | 'transition' | 'build_reason'>;
  /** Builds the lifecycle started by itself, and dormancy marks: transition (start|stop|delete|none) and reason. */
  lifecycleTransitions: Counter<'transition' | 'reason'>;
  /** Job start → completion (s); status = succeeded | failed | canceled. */
  buildDuration: Histogram<'provisioner_type' | 'transition' | 'build_reason' | 'status'>;
  /** Prebuilds (Coder's `coderd_prebuilt_workspaces_*`, labels template_name and preset_name): created by the reconciler. */
  prebuildsCreated: Counter<'template_name' | 'preset_name'>;
  /** Prebuilds whose first (creating) build failed. */
  prebuildsFailed: Counter<'template_name' | 'preset_name'>;
  /** Prebuilds claimed by a user's create. */
  prebuildsClaimed: Counter<'template_name' | 'preset_name'>;
  /** Desired pool size of active presets (set on every reconciliation tick). */
  prebuildsDesired: Gauge<'template_name' | 'preset_name'>;
  /** Running prebuilds (including expired ones). */
  prebuildsRunning: Gauge<'template_name' | 'preset_name'>;
  /** Running, unexpired prebuilds of the active version: claimable now. */
  prebuildsEligible: Gauge<'template_name' | 'preset_name'>;
  /** 1 while a preset is hard_limited. */
  prebuildsHardLimited: Gauge<'template_name' | 'preset_name'>;
}

const PREBUILD_LABELS = ['template_name', 'preset_name'] as const;

/** Creates a fresh registry with Berth's metrics (plus Node process metrics when `defaults`). */
export function createMetrics(opts: { defaults?: boolean } = {}): BerthMetrics {
  const registry = new Registry();
  if (opts.defaults) collectDefaultMetrics({ register: registry, prefix: 'berth_worker_' });
  return {
    registry,
    buildsEnqueued: new Counter({
      name: 'berth_workspace_builds_enqueued_total', help: 'Total number of workspace build enqueue attempts.',
      labelNames: ['provisioner_type', 'build_reason', 'transition', 'status'], registers: [registry],
    }),
    queueWait: new Histogram({
      name: 'berth_provisioner_job_queue_wait_seconds', help: 'Time from job creation to acquisition by a provisioner worker.',
      labelNames: ['provisioner_type', 'job_type', 'transition', 'build_reason'], buckets: QUEUE_WAIT_BUCKETS, registers: [registry],
    }),
    lifecycleTransitions: new Counter({
      name: 'berth_lifecycle_transitions_total', help: 'Transitions the workspace lifecycle made by itself (autostart, autostop, failure cleanup, dormancy, autodelete).',
      labelNames: ['transition', 'reason'], registers: [registry],
    }),
    buildDuration: new Histogram({
      name: 'berth_workspace_build_duration_seconds', help: 'Time from a build job starting to its completion.',
      labelNames: ['provisioner_type', 'transition', 'build_reason', 'status'], buckets: BUILD_DURATION_BUCKETS, registers: [registry],
    }),
    prebuildsCreated: new Counter({ name: 'berth_prebuilt_workspaces_created_total', help: 'Prebuilt workspaces created by the reconciler.', labelNames: PREBUILD_LABELS, registers: [registry] }),
    prebuildsFailed: new Counter({ name: 'berth_prebuilt_workspaces_failed_total', help: 'Prebuilt workspaces whose first build failed.', labelNames: PREBUILD_LABELS, registers: [registry] }),
    prebuildsClaimed: new Counter({ name: 'berth_prebuilt_workspaces_claimed_total', help: 'Prebuilt workspaces claimed by a user.', labelNames: PREBUILD_LABELS, registers: [registry] }),
    prebuildsDesired: new Gauge({ name: 'berth_prebuilt_workspaces_desired', help: 'Prebuilt workspaces a preset wants (active presets).', labelNames: PREBUILD_LABELS, registers: [registry] }),
    prebuildsRunning: new Gauge({ name: 'berth_prebuilt_workspaces_running', help: 'Running prebuilt workspaces (including expired ones).', labelNames: PREBUILD_LABELS, registers: [registry] }),
    prebuildsEligible: new Gauge({ name: 'berth_prebuilt_workspaces_eligible', help: 'Prebuilt workspaces ready to be claimed.', labelNames: PREBUILD_LABELS, registers: [registry] }),
    prebuildsHardLimited: new Gauge({ name: 'berth_prebuilt_workspaces_preset_hard_limited', help: '1 while the preset is hard_limited after consecutive failures.', labelNames: PREBUILD_LABELS, registers: [registry] }),
  };
}

/**
 * Serves `GET /metrics` (Prometheus text) and `GET /healthz` on `host:port`. Port 0 picks a free
 * port; the returned server's address tells which. Rejects when the port is taken.
 */
export async function serveMetrics(registry: Registry, port: number, host = '0.0.0.0'): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    if (req.url === '/metrics') {
      registry.metrics().then((text) => {
        res.writeHead(200, { 'content-type': registry.contentType });
        res.end(text);
      }, (err: Error) => { res.writeHead(500); res.end(err.message); });
    } else if (req.url === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok\n');
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found: try /metrics\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e) => reject(new Error(`cannot serve metrics on ${host}:${port}: ${e.message}`)));
    server.listen(port, host, () => resolve());
  });
  return server;
}
