/**
 * Proof 2 and 3: a failing apply and a canceled apply, with real tofu.
 * - failed build: tofu's diagnostic is the build error, the partial state is saved, the next
 *   start succeeds from it;
 * - cancel during a slow apply: the build ends canceled, no process of the build is left
 *   (tofu, its provisioner shells, the sleep), the state is saved;
 * - cancel of a build that never started (no provisioner for its tags): canceled at once.
 */
import fs from 'node:fs';
import path from 'node:path';
import { FIXTURES, LOCAL_TEMPLATE, eventually, pgrep, processAlive, startTestStack, tempDir, type TestStack } from './support/stack';
import { getBuildState } from '../src/db/builds';
import { BerthClient } from '../src/client';

let stack: TestStack;
beforeAll(async () => { stack = await startTestStack(); });
afterAll(async () => { await stack?.teardown(); });

/** Pids whose working directory is inside `dir` (the processes of one build). */
function processesIn(dir: string): number[] {
  const out: number[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cwd = fs.readlinkSync(`/proc/${d}/cwd`);
      if ((cwd === dir || cwd.startsWith(`${dir}/`)) && processAlive(Number(d))) out.push(Number(d));
    } catch { /* gone or not ours */ }
  }
  return out;
}

test('a failing apply fails the build with tofu\'s diagnostic, keeps the state, and the next start succeeds', async () => {
  const { client } = stack;
  const markers = tempDir('markers');
  await client.pushTemplate({ name: 'failing', dir: path.join(FIXTURES, 'failing'), createdBy: 'user:default/admin' });
  const { workspace } = await client.createWorkspace({ owner: 'user:default/bo', name: 'breaks', template: 'failing', parameters: { marker_dir: markers, fail: 'true' } });
  const b1 = await client.waitForBuild(workspace.id, 1);
  expect(b1.jobStatus).toBe('failed');
  expect(b1.status).toBe('failed');
  expect(b1.error).toMatch(/local-exec provisioner error/);
  expect(b1.error).toMatch(/intentional failure/);
  expect(b1.errorCode).toBe('TofuFailed');
  // what was created before the failure is in the saved state
  expect(b1.hasState).toBe(true);
  const state = JSON.parse(String(await getBuildState(stack.db, b1.id)));
  expect(state.resources.map((r: { name: string }) => r.name)).toContain('created');
  expect(fs.existsSync(path.join(markers, `berth-failing-${workspace.id}.created`))).toBe(true);
  const logs = await client.getBuildLogs(workspace.id, 1);
  expect(logs.some((l) => l.level === 'error' && /intentional failure/.test(l.output))).toBe(true);
  expect((await client.getWorkspace(workspace.id)).status).toBe('failed');

  // the next start (fixed variable) starts from the saved state and succeeds
  await client.requestBuild(workspace.id, { kind: 'start', initiator: 'user:default/bo', parameters: { fail: 'false' } });
  const b2 = await client.waitForBuild(workspace.id, 2);
  expect(b2.error).toBeNull();
  expect(b2.status).toBe('running');
  const b2logs = await client.getBuildLogs(workspace.id, 2);
  expect(b2logs.some((l) => /Starting from the state of the previous build/.test(l.output))).toBe(true);
  // created was not created again: it came from the saved state (only broken is replaced)
  expect(b2logs.some((l) => /terraform_data\.created: Creating/.test(l.output))).toBe(false);
  expect(b2logs.some((l) => /terraform_data\.broken/.test(l.output))).toBe(true);
});

test('canceling a slow apply interrupts tofu, leaves no process behind and saves the state', async () => {
  // The default heartbeat timeout (30 s): a cancel must still reach tofu within seconds.
  const client = new BerthClient({ db: stack.db, temporal: stack.env.client, buildOptions: { heartbeatTimeoutMs: 30_000 } });
  const root = tempDir('homes');
  await client.pushTemplate({ name: 'local', dir: LOCAL_TEMPLATE, createdBy: 'user:default/admin' });
  const { workspace } = await client.createWorkspace({ owner: 'user:default/bo', name: 'slow', template: 'local', parameters: { workspaces_root: root, start_delay_seconds: '120' } });
  await eventually('the apply to be sleeping', async () => (await client.getBuildLogs(workspace.id, 1)).some((l) => /sleeping/.test(l.output)));
  const build = await client.getBuild(workspace.id, 1);
  expect(build.jobStatus).toBe('running');
  const jobDir = path.join(stack.workDir, build.jobId);
  expect(processesIn(jobDir).length).toBeGreaterThan(0); // tofu, sh, sleep

  // a second build is refused while this one runs
  await expect(client.requestBuild(workspace.id, { kind: 'stop', initiator: 'user:default/bo' })).rejects.toThrow(/cannot stop: workspace is starting \(build #1 \(start\)/);

  const t0 = Date.now();
  const res = await client.cancelBuild(workspace.id, 'user:default/bo');
  expect(res).toEqual({ buildNumber: 1, jobStatus: 'canceling' });
  await expect(client.cancelBuild(workspace.id, 'user:default/bo')).rejects.toThrow(/already canceling/);
  const b1 = await client.waitForBuild(workspace.id, 1);
  expect(Date.now() - t0).toBeLessThan(6_000); // SIGINT within about a second, not the 120 s sleep
  expect(b1.jobStatus).toBe('canceled');
  expect(b1.status).toBe('canceled');
  expect(b1.canceledAt).not.toBeNull();
  expect(processesIn(jobDir)).toEqual([]);
  expect(pgrep(`berth-workspace:${workspace.id}`)).toEqual([]);
  expect(b1.hasState).toBe(true);
  const state = JSON.parse(String(await getBuildState(stack.db, b1.id)));
  expect(state.resources.map((r: { name: string }) => r.name)).toContain('home');
  const logs = await client.getBuildLogs(workspace.id, 1);
  expect(logs.some((l) => /interrupted by a cancel request/.test(l.output))).toBe(true);

  // the workspace can be started again (no delay) from the saved state
  await client.requestBuild(workspace.id, { kind: 'start', initiator: 'user:default/bo', parameters: { start_delay_seconds: '0' } });
  const b2 = await client.waitForBuild(workspace.id, 2);
  expect(b2.status).toBe('running');
  expect(pgrep(`berth-workspace:${workspace.id}`)).toHaveLength(1);
  await client.requestBuild(workspace.id, { kind: 'delete', initiator: 'user:default/bo' });
  expect((await client.waitForBuild(workspace.id, 3)).status).toBe('deleted');
});

test('a build waiting for a provisioner is canceled at once', async () => {
  const { client } = stack;
  // The import runs on the tagged queue too (as in Coder): a matching worker imports it, then goes away.
  const importer = await stack.addWorker({ workerId: 'importer', runWorkflows: false, provisionerTags: { pool: 'rare' } });
  const { template, import: imported } = await client.pushTemplate({ name: 'tagged', dir: LOCAL_TEMPLATE, createdBy: 'user:default/admin', provisionerTags: { pool: 'rare' } });
  expect(imported?.importStatus).toBe('succeeded');
  expect(template.activeVersionId).not.toBeNull();
  importer.shutdown();
  await eventually('the importer to stop', () => importer.workers.every((w) => w.getState() === 'STOPPED'), 30_000);
  const { workspace } = await client.createWorkspace({ owner: 'user:default/bo', name: 'waits', template: 'tagged', parameters: { workspaces_root: tempDir('homes') } });
  await new Promise((r) => setTimeout(r, 1500));
  const pending = await client.getBuild(workspace.id, 1);
  expect(pending.jobStatus).toBe('pending');
  expect(pending.taskQueue).toBe('berth-provisioner:pool=rare');
  const res = await client.cancelBuild(workspace.id, 'user:default/bo');
  expect(res.jobStatus).toBe('canceled');
  const b1 = await client.waitForBuild(workspace.id, 1, { timeoutMs: 20_000 });
  expect(b1.jobStatus).toBe('canceled');
  expect(b1.startedAt).toBeNull();
});
