/**
 * The prebuild reconciler on the time-skipping test server (real tofu, real Postgres): a preset
 * whose prebuilds always fail backs off (last build + failures × interval), is marked
 * hard_limited after 3 consecutive failures and then creates nothing, even over hours; a manual
 * reset (BerthClient.resetPrebuildHardLimit) resumes creation; a new version resets the pool.
 * Failed prebuilds are kept (evidence) and get no failure cleanup. Expired prebuilds are
 * deleted and replaced.
 */
import path from 'node:path';
import { FIXTURES, LOCAL_TEMPLATE, tempDir } from './support/stack';
import { stopPrebuildsAndKillWorkspaces, templateWithPresets } from './support/prebuilds';
import { advance as advanceBy, HOUR, startTimeSkippingStack, type TimeSkippingStack } from './support/time-skipping';
import { PREBUILDS_OWNER } from '../src/domain/prebuilds';

const MIN = 60_000;
let ts: TimeSkippingStack;
const advance = (ms: number, step = 30_000) => advanceBy(ts, ms, step);

beforeAll(async () => {
  ts = await startTimeSkippingStack({ prebuilds: { reconcileIntervalMs: MIN, backoffIntervalMs: MIN, backoffLookbackMs: HOUR, failureHardLimit: 3 } });
}, 120_000);
afterAll(async () => {
  if (ts) await stopPrebuildsAndKillWorkspaces(ts.db, ts.env.client);
  await ts?.teardown();
});

/** First builds of the template's prebuilds, oldest first: finish time (workflow clock) and status. */
async function prebuildFirstBuilds(template: string): Promise<Array<{ workspaceId: string; completedAt: number | null; jobStatus: string }>> {
  const rows = await ts.db('workspaces as w').join('templates as t', 't.id', 'w.template_id')
    .join('workspace_builds as b', function on() { this.on('b.workspace_id', 'w.id').andOn('b.build_number', ts.db.raw('1')); })
    .join('provisioner_jobs as j', 'j.id', 'b.job_id')
    .where('t.name', template).whereNotNull('w.prebuild_preset_id')
    .orderBy('b.created_at').select('w.id', 'j.completed_at', 'j.job_status');
  return rows.map((r: any) => ({ workspaceId: r.id, completedAt: r.completed_at ? r.completed_at.getTime() : null, jobStatus: r.job_status }));
}

/** Advances until `n` first builds have finished (or `maxMs` of simulated time passed). */
async function untilFinished(template: string, n: number, maxMs: number): Promise<void> {
  for (let passed = 0; passed < maxMs; passed += 30_000) {
    const b = await prebuildFirstBuilds(template);
    if (b.filter((x) => x.completedAt !== null && x.jobStatus !== 'pending' && x.jobStatus !== 'running').length >= n) return;
    await advance(30_000);
  }
}

test('failing prebuilds back off linearly, hit the hard limit, and resume after a reset or a new version', async () => {
  const markers = tempDir('markers');
  const failing = path.join(FIXTURES, 'failing');
  const dir = templateWithPresets(failing, [{ name: 'broken', parameters: { marker_dir: markers, fail: 'true' }, prebuilds: { instances: 1 } }]);
  await ts.push({ name: 'flaky-pool', dir, createdBy: 'user:default/admin' });
  // failure cleanup would stop a failed workspace after 1 min; unclaimed prebuilds are excluded
  await ts.client.updateTemplate('flaky-pool', { schedule: { failureTtlMs: MIN } });

  await untilFinished('flaky-pool', 3, 30 * MIN);
  const builds = await prebuildFirstBuilds('flaky-pool');
  expect(builds.length).toBe(3);
  expect(builds.map((b) => b.jobStatus)).toEqual(['failed', 'failed', 'failed']);
  // Each retry waits at least (failures so far) × the 1-minute backoff unit after the last build.
  const [t1, t2, t3] = builds.map((b) => b.completedAt as number);
  expect(t2 - t1).toBeGreaterThanOrEqual(1 * MIN);
  expect(t3 - t2).toBeGreaterThanOrEqual(2 * MIN);
  // …and not much more than that: the reconciler ticks every minute (plus build time).
  expect(t3 - t2).toBeLessThan(5 * MIN);

  // hard_limited: nothing more is created, for hours of simulated time
  await advance(2 * HOUR, 10 * MIN);
  expect(await prebuildFirstBuilds('flaky-pool')).toHaveLength(3);
  const [status] = await ts.client.getPrebuildPools('flaky-pool', await ts.now());
  expect(status).toMatchObject({ preset: 'broken', status: 'hard_limited', desired: 1, running: 0, eligible: 0, created: 3, failed: 3, claimed: 0 });
  expect(status.explanation).toMatch(/hard_limited/);
  const text = await ts.workers.metrics.registry.metrics();
  expect(text).toMatch(/berth_prebuilt_workspaces_preset_hard_limited\{template_name="flaky-pool",preset_name="broken"\} 1/);
  expect(text).toMatch(/berth_prebuilt_workspaces_failed_total\{template_name="flaky-pool",preset_name="broken"\} 3/);

  // failed prebuilds are kept and never cleaned up by the lifecycle (no stop builds)
  for (const b of builds) {
    const ws = await ts.client.getWorkspace(b.workspaceId);
    expect(ws).toMatchObject({ owner: PREBUILDS_OWNER, deleted: false, status: 'failed' });
    expect((await ts.client.listBuilds(b.workspaceId)).map((x) => x.buildNumber)).toEqual([1]);
  }

  // a manual reset: healthy again, and the next tick creates one at once (old failures no longer count)
  await ts.client.resetPrebuildHardLimit('flaky-pool', 'broken');
  expect((await ts.client.getPrebuildPools('flaky-pool', await ts.now()))[0].status).toBe('healthy');
  await untilFinished('flaky-pool', 4, 5 * MIN);
  expect(await prebuildFirstBuilds('flaky-pool')).toHaveLength(4);

  // a new version with a working preset: a fresh pool that fills
  const fixed = templateWithPresets(failing, [{ name: 'broken', parameters: { marker_dir: markers, fail: 'false' }, prebuilds: { instances: 1 } }]);
  await ts.push({ name: 'flaky-pool', dir: fixed, createdBy: 'user:default/admin', versionName: 'fixed' });
  for (let i = 0; i < 20; i++) {
    const active = (await ts.client.getPrebuildPools('flaky-pool', await ts.now())).find((p) => p.active);
    if (active?.eligible === 1) break;
    await advance(30_000);
  }
  const active = (await ts.client.getPrebuildPools('flaky-pool', await ts.now())).find((p) => p.active);
  expect(active).toMatchObject({ status: 'healthy', eligible: 1, running: 1 });
});

test('expired prebuilds are deleted and replaced (expiration_ttl_s)', async () => {
  const root = tempDir('homes');
  const dir = templateWithPresets(LOCAL_TEMPLATE, [{ name: 'short', parameters: { workspaces_root: root }, prebuilds: { instances: 1, expiration_ttl_s: 120 } }]);
  await ts.push({ name: 'short-lived', dir, createdBy: 'user:default/admin' });
  const pools = async () => (await ts.client.getPrebuildPools('short-lived', await ts.now()))[0];
  for (let i = 0; i < 20 && (await pools())?.eligible !== 1; i++) await advance(10_000, 10_000);
  const [first] = await ts.db('workspaces').where({ owner: PREBUILDS_OWNER, deleted: false }).whereIn('template_id', ts.db('templates').where({ name: 'short-lived' }).select('id')).pluck('id');
  expect(first).toBeDefined();
  // past the 2-minute TTL: deleted (reason prebuild) and replaced by a new one
  await advance(4 * MIN, 30_000);
  for (let i = 0; i < 20; i++) {
    const p = await pools();
    if (p.eligible === 1 && (await ts.client.getWorkspace(first)).deleted) break;
    await advance(10_000, 10_000);
  }
  expect((await ts.client.getWorkspace(first)).deleted).toBe(true);
  expect((await ts.client.listBuilds(first))[0]).toMatchObject({ transition: 'delete', reason: 'prebuild', initiator: PREBUILDS_OWNER });
  const p = await pools();
  // (a replacement may itself have expired and been replaced meanwhile: 4 min > 2 × the TTL)
  expect(p.eligible).toBe(1);
  expect(p.created).toBeGreaterThanOrEqual(2);
  expect(p.running).toBe(1);
});
