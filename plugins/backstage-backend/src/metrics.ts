/**
 * The API's Prometheus metrics (prom-client, own registry, served at `GET /api/berth/metrics`):
 * request counts and latencies per route, and gauges read from Postgres at scrape time
 * (workspaces per status). Build and queue metrics are the workers' (`berth-worker` /metrics).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { countWorkspacesByStatus, type Db } from '@berth/workflows';

export interface ApiMetrics {
  registry: Registry;
  requests: Counter<'route' | 'method' | 'status'>;
  requestDuration: Histogram<'route' | 'method' | 'status'>;
}

/** Creates the registry. `db` feeds the `berth_workspaces` gauge at scrape time. */
export function createApiMetrics(db: Db, opts: { processMetrics?: boolean } = {}): ApiMetrics {
  const registry = new Registry();
  if (opts.processMetrics) collectDefaultMetrics({ register: registry, prefix: 'berth_api_' });
  new Gauge({
    name: 'berth_workspaces', help: 'Live workspaces by status (from the latest build).', labelNames: ['status'], registers: [registry],
    async collect() {
      this.reset();
      for (const [status, n] of Object.entries(await countWorkspacesByStatus(db))) this.set({ status }, n);
    },
  });
  return {
    registry,
    requests: new Counter({ name: 'berth_api_requests_total', help: 'Berth API requests by route, method and status code.', labelNames: ['route', 'method', 'status'], registers: [registry] }),
    requestDuration: new Histogram({
      name: 'berth_api_request_duration_seconds', help: 'Berth API request latency (SSE log follows included, until the stream ends).',
      labelNames: ['route', 'method', 'status'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 60, 600], registers: [registry],
    }),
  };
}
