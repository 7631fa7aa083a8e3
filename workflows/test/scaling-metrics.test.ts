/**
 * Proof 6: metrics and routing.
 * - after N builds, berth_workspace_builds_enqueued_total and
 *   berth_provisioner_job_queue_wait_seconds carry the expected labels and counts (scraped over
 *   HTTP from /metrics), and the build duration histogram counts every build;
 * - two provisioner workers on one queue both run builds;
 * - a tagged job waits (pending) until a worker whose tags contain the job's tags starts, and
 *   untagged workers never take it.
 */
import type http from 'node:http';
import { LOCAL_TEMPLATE, eventually, startTestStack, tempDir, type TestStack } from './support/stack';
import { serveMetrics } from '../src/metrics';
import type { BerthWorkers } from '../src/worker';

let stack: TestStack;
let control: BerthWorkers;
let p1: BerthWorkers;
let p2: BerthWorkers;
const servers: http.Server[] = [];

beforeAll(async () => {
  stack = await startTestStack({ worker: false });
  control = await stack.addWorker({ workerId: 'control', runProvisioner: false });
  p1 = await stack.addWorker({ workerId: 'prov-1', runWorkflows: false, maxConcurrentBuilds: 1 });
  p2 = await stack.addWorker({ workerId: 'prov-2', runWorkflows: false, maxConcurrentBuilds: 1 });
});
afterAll(async () => {
  for (const s of servers) s.close();
  await stack?.teardown();
});

async function scrape(w: BerthWorkers): Promise<string> {
  const server = await serveMetrics(w.metrics.registry, 0, '127.0.0.1');
  servers.push(server);
  const port = (server.address() as { port: number }).port;
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  expect(res.status).toBe(200);
  return res.text();
}

/** Value of the first sample line matching `name{...labels}` (labels in any order), or 0. */
function sample(text: string, name: string, labels: Record<string, string>): number {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const body = line.slice(name.length + 1, line.lastIndexOf('}'));
    const got = Object.fromEntries([...body.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v) && Object.keys(got).length === Object.keys(labels).length) {
      return Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return 0;
}

test('N builds: both provisioner workers run builds and the metrics count them with their labels', async () => {
  const { client } = stack;
  const root = tempDir('homes');
  await client.pushTemplate({ name: 'local', dir: LOCAL_TEMPLATE, createdBy: 'user:default/admin' });
  const N = 4;
  const created = await Promise.all(Array.from({ length: N }, (_, i) => client.createWorkspace({
    owner: 'user:default/dee', name: `ws-${i}`, template: 'local', parameters: { workspaces_root: root, start_delay_seconds: '1' },
  })));
  const builds = await Promise.all(created.map(({ workspace }) => client.waitForBuild(workspace.id, 1)));
  expect(builds.map((b) => b.status)).toEqual(Array(N).fill('running'));
  const workersUsed = await stack.db('provisioner_jobs').whereIn('id', builds.map((b) => b.jobId)).distinct('worker_id').pluck('worker_id');
  expect(workersUsed.sort()).toEqual(['prov-1', 'prov-2']);

  // one stop build too, so the transition label is exercised
  await client.requestBuild(created[0].workspace.id, { kind: 'stop', initiator: 'user:default/dee' });
  expect((await client.waitForBuild(created[0].workspace.id, 2)).status).toBe('stopped');

  const controlText = await scrape(control);
  const enq = 'berth_workspace_builds_enqueued_total';
  expect(sample(controlText, enq, { provisioner_type: 'terraform', build_reason: 'initiator', transition: 'start', status: 'success' })).toBe(N);
  expect(sample(controlText, enq, { provisioner_type: 'terraform', build_reason: 'initiator', transition: 'stop', status: 'success' })).toBe(1);
  const dur = 'berth_workspace_build_duration_seconds_count';
  expect(sample(controlText, dur, { provisioner_type: 'terraform', transition: 'start', build_reason: 'initiator', status: 'succeeded' })).toBe(N);

  const qw = 'berth_provisioner_job_queue_wait_seconds';
  const labels = { provisioner_type: 'terraform', job_type: 'workspace_build', transition: 'start', build_reason: 'initiator' };
  const texts = [await scrape(p1), await scrape(p2)];
  const counts = texts.map((t) => sample(t, `${qw}_count`, labels));
  expect(counts[0] + counts[1]).toBe(N);
  expect(counts[0]).toBeGreaterThan(0);
  expect(counts[1]).toBeGreaterThan(0);
  // Coder's buckets, cumulative, ending at +Inf = count
  for (const t of texts) {
    for (const le of ['0.1', '0.5', '1', '5', '10', '30', '60', '120', '300', '600', '900', '1800', '+Inf']) {
      expect(t).toContain(`${qw}_bucket{le="${le}",provisioner_type="terraform",job_type="workspace_build",transition="start",build_reason="initiator"}`);
    }
  }
  expect(sample(texts[0], `${qw}_bucket`, { ...labels, le: '+Inf' })).toBe(counts[0]);
});

test('a tagged job waits for a provisioner whose tags contain its tags', async () => {
  const { client } = stack;
  // A tagged version's import also waits for a matching provisioner (Coder routes imports by tags too).
  const pushed = await client.pushTemplate({ name: 'gpu', dir: LOCAL_TEMPLATE, createdBy: 'user:default/admin', provisionerTags: { pool: 'gpu' }, wait: false });
  await new Promise((r) => setTimeout(r, 2000));
  expect((await client.getTemplateVersion(pushed.version.id)).importStatus).toBe('pending');
  await expect(client.createWorkspace({ owner: 'user:default/dee', name: 'early', template: 'gpu', templateVersionId: pushed.version.id })).rejects.toThrow(/still importing/);
  const importer = await stack.addWorker({ workerId: 'gpu-importer', runWorkflows: false, provisionerTags: { pool: 'gpu' } });
  expect((await client.waitForImport(pushed.version.id)).importStatus).toBe('succeeded');
  importer.shutdown();
  await eventually('the importer to stop', () => importer.workers.every((w) => w.getState() === 'STOPPED'), 30_000);
  const { workspace } = await client.createWorkspace({ owner: 'user:default/dee', name: 'trainer', template: 'gpu', parameters: { workspaces_root: tempDir('homes') } });
  await new Promise((r) => setTimeout(r, 3000));
  const waiting = await client.getBuild(workspace.id, 1);
  expect(waiting.jobStatus).toBe('pending'); // prov-1 and prov-2 are untagged: they never take it
  expect(waiting.provisionerTags).toEqual({ pool: 'gpu' });

  // a worker with a superset of the tags takes it
  await stack.addWorker({ workerId: 'gpu-worker', runWorkflows: false, provisionerTags: { pool: 'gpu', zone: 'a' } });
  const done = await client.waitForBuild(workspace.id, 1, { timeoutMs: 60_000 });
  expect(done.status).toBe('running');
  expect(await stack.db('provisioner_jobs').where({ id: done.jobId }).first('worker_id')).toEqual({ worker_id: 'gpu-worker' });
  expect(done.startedAt!.getTime() - done.createdAt.getTime()).toBeGreaterThanOrEqual(3000);
  await client.requestBuild(workspace.id, { kind: 'delete', initiator: 'user:default/dee' });
  expect((await client.waitForBuild(workspace.id, 2)).status).toBe('deleted');
});
