/**
 * Prebuilds on the real stack (Temporal dev server, Postgres, tofu running templates/local):
 * the pool fills, a claim returns a running workspace (same id, new owner and name, a start
 * build with reason `claim`, lifecycle fields from template and user), the pool refills,
 * promoting a new version replaces the pool (invalidation) and leaves claimed workspaces alone;
 * 20 simultaneous claims on a pool of 5 take exactly 5 prebuilds (15 cold builds, no workspace
 * with two owners); unclaimed prebuilds get no schedule; the pool status and metrics.
 */
import fs from 'node:fs';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { eventually, LOCAL_TEMPLATE, processAlive, startTestStack, tempDir, type TestStack } from './support/stack';
import { stopPrebuildsAndKillWorkspaces, templateWithPresets } from './support/prebuilds';
import { PREBUILDS_OWNER } from '../src/domain/prebuilds';
import { PREBUILD_RECONCILER_WORKFLOW_ID } from '../src/workflows/definitions';
import { ConflictError, InputError, NotFoundError } from '../src/errors';

let stack: TestStack;
const ADMIN = 'user:default/admin';
const HOUR = 3_600_000;

beforeAll(async () => {
  stack = await startTestStack({ prebuilds: { reconcileIntervalMs: 1000, backoffIntervalMs: 1000 } });
});
afterAll(async () => {
  if (stack) await stopPrebuildsAndKillWorkspaces(stack.db, stack.env.client);
  await stack?.teardown();
});

const pool = async (template: string, preset: string) => (await stack.client.getPrebuildPools(template)).filter((p) => p.preset === preset);
const activePool = async (template: string, preset: string) => (await pool(template, preset)).find((p) => p.active);
const prebuildIds = async (templateId: string) => (await stack.db('workspaces').where({ owner: PREBUILDS_OWNER, deleted: false, template_id: templateId }).pluck('id')) as string[];

test('the pool fills, a claim returns a running workspace, the pool refills, a new version replaces the pool', async () => {
  const { client } = stack;
  const root = tempDir('homes');
  const presets = [{ name: 'ready', default: true, parameters: { workspaces_root: root }, prebuilds: { instances: 2 } }];
  const dir = templateWithPresets(LOCAL_TEMPLATE, presets);
  const { template, version: v1 } = await client.pushTemplate({ name: 'pool', dir, createdBy: ADMIN });
  await client.updateTemplate('pool', { schedule: { defaultTtlMs: 8 * HOUR } });

  // fills
  await eventually('a full pool', async () => (await activePool('pool', 'ready'))?.eligible === 2, 90_000, 300);
  const first = await prebuildIds(template.id);
  expect(first).toHaveLength(2);
  for (const id of first) {
    const ws = await client.getWorkspace(id);
    expect(ws).toMatchObject({ owner: PREBUILDS_OWNER, isPrebuild: true, ttlMs: null, autostartSchedule: null, status: 'running' });
    expect(ws.name).toMatch(/^prebuild-[0-9a-f]{8}$/);
    const [b1] = await client.listBuilds(id);
    expect(b1).toMatchObject({ buildNumber: 1, transition: 'start', reason: 'prebuild', initiator: PREBUILDS_OWNER, templateVersionId: v1.id });
    // unclaimed prebuilds are excluded from autostop: no deadline, no next lifecycle decision
    expect(b1.deadline).toBeNull();
    expect((await client.describe(id)).nextLifecycle).toBeNull();
    await expect(client.setSchedule(id, { ttlMs: HOUR }, ADMIN)).rejects.toThrow(/unclaimed prebuilt workspace/);
  }
  await expect(client.createWorkspace({ owner: PREBUILDS_OWNER, name: 'sneaky', template: 'pool' })).rejects.toBeInstanceOf(InputError);

  // claim
  const t0 = Date.now();
  const r = await client.createWorkspace({ owner: 'user:default/ana', name: 'mine', template: 'pool', preset: 'ready', autostartSchedule: 'CRON_TZ=UTC 0 9 * * 1-5' });
  expect(r.claimed).toBe(true);
  expect(first).toContain(r.workspace.id);
  expect(r.workspace).toMatchObject({ owner: 'user:default/ana', name: 'mine', isPrebuild: false, ttlMs: 8 * HOUR, autostartSchedule: 'CRON_TZ=UTC 0 9 * * 1-5' });
  expect(r.workspace.claimedAt).not.toBeNull();
  expect(r.build).toMatchObject({ buildNumber: 2, transition: 'start' });
  const claimBuild = await client.waitForBuild(r.workspace.id, 2);
  const claimMs = Date.now() - t0;
  expect(claimBuild).toMatchObject({ status: 'running', reason: 'claim', initiator: 'user:default/ana' });
  expect(claimBuild.explanation).toMatch(/claimed by user:default\/ana as mine/);
  // a claimed workspace is an ordinary one: its start got a deadline from the template TTL
  expect(claimBuild.deadline).not.toBeNull();
  expect(claimBuild.deadline!.getTime() - claimBuild.completedAt!.getTime()).toBe(8 * HOUR);
  expect(processAlive(Number(claimBuild.outputs.pid))).toBe(true);
  expect(claimBuild.outputs.home).toBe(path.join(root, r.workspace.id));
  await eventually('the workflow to know the new owner', async () => (await client.describe(r.workspace.id)).nextLifecycle?.rule === 'autostop_deadline', 10_000);
  await eventually('the WorkspaceOwner search attribute', async () => {
    const ids: string[] = [];
    for await (const w of stack.env.client.workflow.list({ query: `WorkspaceOwner = "user:default/ana"` })) ids.push(w.workflowId);
    return ids.includes(`workspace:${r.workspace.id}`);
  }, 20_000, 500);
  console.log(`claim → running: ${claimMs} ms`);

  // refills: a new prebuild replaces the claimed one
  await eventually('the pool to refill', async () => {
    const p = await activePool('pool', 'ready');
    return p?.eligible === 2 && p.claimed === 1 && p.created === 3;
  }, 90_000, 300);
  const refilled = await prebuildIds(template.id);
  expect(refilled).not.toContain(r.workspace.id);
  expect(refilled.filter((id) => first.includes(id))).toHaveLength(1);

  // no eligible prebuild for these parameters (an immutable value differs) → a cold build
  const cold = await client.createWorkspace({ owner: 'user:default/ana', name: 'elsewhere', template: 'pool', preset: 'ready', parameters: { workspaces_root: tempDir('other') } })
    .catch((e) => e);
  // the preset fixes workspaces_root, so a different value is refused as on any cold create
  expect(cold).toBeInstanceOf(InputError);

  // a new version replaces the pool: the old prebuilds are deleted (invalidation), new ones built on v2
  const { version: v2 } = await client.pushTemplate({ name: 'pool', dir: templateWithPresets(LOCAL_TEMPLATE, presets), createdBy: ADMIN, versionName: 'v2' });
  expect((await client.getTemplate('pool')).activeVersionId).toBe(v2.id);
  await eventually('the pool on v2', async () => {
    const ps = await pool('pool', 'ready');
    const old = ps.find((p) => !p.active);
    const now = ps.find((p) => p.active);
    return now?.templateVersionId === v2.id && now.eligible === 2 && (!old || old.running === 0);
  }, 120_000, 500);
  const replaced = await prebuildIds(template.id);
  expect(replaced.filter((id) => refilled.includes(id))).toEqual([]);
  for (const id of refilled) {
    const builds = await client.listBuilds(id);
    expect(builds[0]).toMatchObject({ transition: 'delete', reason: 'prebuild', jobStatus: 'succeeded' });
  }
  // the claimed workspace is untouched by invalidation
  expect((await client.getWorkspace(r.workspace.id)).status).toBe('running');

  // metrics (the gauges show the snapshot of the latest tick)
  const text = await eventually('the pool gauges', async () => {
    const t = await stack.workers[0].metrics.registry.metrics();
    return /berth_prebuilt_workspaces_eligible\{template_name="pool",preset_name="ready"\} 2/.test(t) ? t : null;
  }, 20_000, 500);
  expect(text).toMatch(/berth_prebuilt_workspaces_created_total\{template_name="pool",preset_name="ready"\} 5/);
  expect(text).toMatch(/berth_prebuilt_workspaces_claimed_total\{template_name="pool",preset_name="ready"\} 1/);
  expect(text).toMatch(/berth_prebuilt_workspaces_desired\{template_name="pool",preset_name="ready"\} 2/);
  expect(text).toMatch(/berth_prebuilt_workspaces_eligible\{template_name="pool",preset_name="ready"\} 2/);
  expect(text).toMatch(/berth_prebuilt_workspaces_running\{template_name="pool",preset_name="ready"\} \d/);

  // The reconciler's history is a replay fixture (test/replay.test.ts).
  if (process.env.BERTH_EXPORT_HISTORIES === '1') {
    const history = await stack.env.client.workflow.getHandle(PREBUILD_RECONCILER_WORKFLOW_ID).fetchHistory();
    // keep the fixture small: the events up to the first ticks that acted
    history.events = (history.events ?? []).slice(0, 400);
    while (history.events.length && history.events[history.events.length - 1].workflowTaskCompletedEventAttributes === undefined) history.events.pop();
    fs.writeFileSync(path.join(__dirname, 'histories', 'prebuild-reconciler.json'), historyToJSON(history));
    const claimed = await stack.env.client.workflow.getHandle(`workspace:${r.workspace.id}`).fetchHistory();
    fs.writeFileSync(path.join(__dirname, 'histories', 'workspace-prebuild-claim.json'), historyToJSON(claimed));
  }
});

test('bad input to claims and the prebuild methods changes nothing', async () => {
  const { client } = stack;
  // (users' workspaces: the reconciler may be working on the pool meanwhile)
  const users = () => stack.db('workspaces').whereNot({ owner: PREBUILDS_OWNER }).orderBy('id').select('id', 'owner', 'name');
  const before = await users();
  await expect(client.getPrebuildPools('nope')).rejects.toBeInstanceOf(NotFoundError);
  await expect(client.getPrebuildPools(undefined, Number.NaN)).rejects.toBeInstanceOf(InputError);
  await expect(client.resetPrebuildHardLimit('nope', 'ready')).rejects.toBeInstanceOf(NotFoundError);
  await expect(client.resetPrebuildHardLimit('pool', 'missing')).rejects.toBeInstanceOf(NotFoundError);
  await expect(client.resetPrebuildHardLimit('pool', '')).rejects.toBeInstanceOf(InputError);
  await expect(client.createWorkspace({ owner: 'user:default/bo', name: 'Not Valid', template: 'pool', preset: 'ready' })).rejects.toBeInstanceOf(InputError);
  // the name is taken: refused before any prebuild changes hands
  await expect(client.createWorkspace({ owner: 'user:default/ana', name: 'mine', template: 'pool', preset: 'ready' })).rejects.toBeInstanceOf(ConflictError);
  expect(await users()).toEqual(before);
  // one claim in all (it was of v1's preset)
  expect((await pool('pool', 'ready')).reduce((n, p) => n + p.claimed, 0)).toBe(1);
});

test('20 simultaneous claims on a pool of 5: exactly 5 claimed, 15 cold builds, no workspace with two owners', async () => {
  const { client } = stack;
  const root = tempDir('homes');
  const dir = templateWithPresets(LOCAL_TEMPLATE, [{ name: 'crowd', parameters: { workspaces_root: root }, prebuilds: { instances: 5 } }]);
  const { template } = await client.pushTemplate({ name: 'crowd', dir, createdBy: ADMIN });
  await eventually('a pool of 5', async () => (await activePool('crowd', 'crowd'))?.eligible === 5, 180_000, 500);
  // Stop the reconciler so that no refill lands during the claims.
  await stack.env.client.workflow.getHandle(PREBUILD_RECONCILER_WORKFLOW_ID).terminate('concurrency test');
  const pool5 = await prebuildIds(template.id);
  expect(pool5).toHaveLength(5);

  const results = await Promise.all(Array.from({ length: 20 }, (_, i) =>
    client.createWorkspace({ owner: `user:default/dev${i}`, name: 'ws', template: 'crowd', preset: 'crowd' })));
  const claimed = results.filter((x) => x.claimed);
  expect(claimed).toHaveLength(5);
  expect(results.filter((x) => !x.claimed)).toHaveLength(15);
  expect(new Set(claimed.map((x) => x.workspace.id))).toEqual(new Set(pool5));
  expect(new Set(results.map((x) => x.workspace.id)).size).toBe(20);
  for (const x of results.filter((y) => !y.claimed)) expect(x.build.buildNumber).toBe(1);

  for (const x of results) {
    const b = await client.waitForBuild(x.workspace.id, x.build.buildNumber, { timeoutMs: 240_000 });
    expect(b.status).toBe('running');
  }
  // one owner per workspace, and each prebuild claimed by exactly one build
  const rows = await stack.db('workspaces').where({ template_id: template.id }).select('id', 'owner');
  expect(rows).toHaveLength(20);
  expect(new Set(rows.map((r: { owner: string }) => r.owner)).size).toBe(20);
  for (const id of pool5) {
    const builds = await client.listBuilds(id);
    expect(builds.filter((b) => b.reason === 'claim')).toHaveLength(1);
    const ws = await client.getWorkspace(id);
    expect(builds[0].initiator).toBe(ws.owner);
  }
  const status = await activePool('crowd', 'crowd');
  expect(status).toMatchObject({ eligible: 0, claimed: 5, created: 5 });
  // and the reconciler, woken again, refills
  await client.reconcilePrebuildsNow('test');
  await eventually('a refill', async () => ((await activePool('crowd', 'crowd'))?.starting ?? 0) + ((await activePool('crowd', 'crowd'))?.eligible ?? 0) === 5, 60_000, 500);
});
