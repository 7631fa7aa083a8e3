/**
 * Proof 1: a workspace from templates/local goes create → running → stop → start → restart →
 * delete for real: Temporal dev server, Postgres, tofu. Build numbers 1..n; logs carry
 * init/plan/apply stages in order; resources and outputs recorded.
 */
import fs from 'node:fs';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { FIXTURES, LOCAL_TEMPLATE, processAlive, startTestStack, tempDir, type TestStack } from './support/stack';

let stack: TestStack;
let root: string;

beforeAll(async () => {
  stack = await startTestStack();
  root = tempDir('homes');
});
afterAll(async () => { await stack?.teardown(); });

function stageOrder(logs: { stage: string }[]): string[] {
  const order: string[] = [];
  for (const l of logs) if (order[order.length - 1] !== l.stage) order.push(l.stage);
  return order;
}

test('create, stop, start, restart and delete a local workspace', async () => {
  const { client } = stack;
  await client.pushTemplate({ name: 'local', dir: LOCAL_TEMPLATE, createdBy: 'user:default/admin' });
  const { workspace, build } = await client.createWorkspace({ owner: 'user:default/ana', name: 'dev', template: 'local', parameters: { workspaces_root: root } });
  expect(build.buildNumber).toBe(1);
  expect(build.transition).toBe('start');

  const b1 = await client.waitForBuild(workspace.id, 1);
  expect(b1.error).toBeNull();
  expect(b1.jobStatus).toBe('succeeded');
  expect(b1.status).toBe('running');
  const home = path.join(root, workspace.id);
  expect(b1.outputs.home).toBe(home);
  const pid1 = Number(b1.outputs.pid);
  expect(fs.existsSync(home)).toBe(true);
  expect(processAlive(pid1)).toBe(true);
  expect((await client.getWorkspace(workspace.id)).status).toBe('running');
  const resources = await client.getBuildResources(workspace.id, 1);
  expect(resources.map((r) => r.address)).toEqual(expect.arrayContaining(['terraform_data.home', 'terraform_data.workspace[0]']));

  const logs = await client.getBuildLogs(workspace.id, 1);
  expect(logs.map((l) => l.seq)).toEqual(logs.map((_, i) => i + 1));
  expect(stageOrder(logs)).toEqual(['setup', 'init', 'plan', 'apply', 'cleanup']);
  expect(logs.some((l) => l.stage === 'apply' && /Apply complete/.test(l.output))).toBe(true);

  // stop: process gone, home kept
  const stop = await client.requestBuild(workspace.id, { kind: 'stop', initiator: 'user:default/ana' });
  expect(stop.buildNumber).toBe(2);
  const b2 = await client.waitForBuild(workspace.id, 2);
  expect(b2.status).toBe('stopped');
  expect(b2.outputs.pid ?? null).toBeNull();
  expect(processAlive(pid1)).toBe(false);
  expect(fs.existsSync(home)).toBe(true);

  // start again
  await client.requestBuild(workspace.id, { kind: 'start', initiator: 'user:default/ana' });
  const b3 = await client.waitForBuild(workspace.id, 3);
  expect(b3.status).toBe('running');
  const pid3 = Number(b3.outputs.pid);
  expect(processAlive(pid3)).toBe(true);
  // the variables carried over from build 1
  expect(b3.outputs.home).toBe(home);

  // restart = stop (4) then start (5)
  const restart = await client.requestBuild(workspace.id, { kind: 'restart', initiator: 'user:default/ana' });
  expect(restart).toMatchObject({ buildNumber: 4, transition: 'stop', followedBy: 'start' });
  expect((await client.waitForBuild(workspace.id, 4)).status).toBe('stopped');
  const b5 = await client.waitForBuild(workspace.id, 5);
  expect(b5.transition).toBe('start');
  expect(b5.status).toBe('running');
  expect(b5.explanation).toMatch(/part of a restart/);
  const pid5 = Number(b5.outputs.pid);
  expect(pid5).not.toBe(pid3);
  expect(processAlive(pid3)).toBe(false);
  expect(processAlive(pid5)).toBe(true);

  // delete: directory gone, process gone, workspace deleted
  await client.requestBuild(workspace.id, { kind: 'delete', initiator: 'user:default/ana' });
  const b6 = await client.waitForBuild(workspace.id, 6);
  expect(b6.status).toBe('deleted');
  expect(processAlive(pid5)).toBe(false);
  expect(fs.existsSync(home)).toBe(false);
  const ws = await client.getWorkspace(workspace.id);
  expect(ws.deleted).toBe(true);
  expect(ws.status).toBe('deleted');
  expect((await client.listBuilds(workspace.id)).map((b) => b.buildNumber)).toEqual([6, 5, 4, 3, 2, 1]);
  // the name is free again
  expect(await client.findWorkspace('user:default/ana', 'dev')).toBeNull();

  // The workflow histories of this run are the replay fixtures (test/replay.test.ts):
  // BERTH_EXPORT_HISTORIES=1 rewrites them after a deliberate workflow change.
  if (process.env.BERTH_EXPORT_HISTORIES === '1') {
    const dir = path.join(__dirname, 'histories');
    fs.mkdirSync(dir, { recursive: true });
    const ids = [`workspace:${workspace.id}`, `workspace:${workspace.id}:build:1`, `workspace:${workspace.id}:build:4`];
    const names = ['workspace-lifecycle', 'build-start', 'build-restart-stop'];
    for (let i = 0; i < ids.length; i++) {
      const history = await stack.env.client.workflow.getHandle(ids[i]).fetchHistory();
      fs.writeFileSync(path.join(dir, `${names[i]}.json`), historyToJSON(history));
    }
  }
});

test('tofu gets a sanitised environment plus the workspace metadata', async () => {
  const { client } = stack;
  process.env.AWS_SECRET_ACCESS_KEY = 'canary-aws-secret';
  process.env.DATABASE_URL = 'postgres://canary:secret@db/berth';
  process.env.TEMPORAL_API_KEY = 'canary-temporal-key';
  try {
    const out = path.join(tempDir('probe'), 'env.txt');
    await client.pushTemplate({ name: 'env-probe', dir: path.join(FIXTURES, 'env-probe'), createdBy: 'user:default/admin' });
    const { workspace } = await client.createWorkspace({ owner: 'user:default/ana', name: 'probe', template: 'env-probe', parameters: { out_file: out } });
    expect((await client.waitForBuild(workspace.id, 1)).status).toBe('running');
    const env = Object.fromEntries(fs.readFileSync(out, 'utf8').split('\n').filter(Boolean).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    expect(env).toMatchObject({
      BERTH_WORKSPACE_ID: workspace.id, BERTH_WORKSPACE_NAME: 'probe', BERTH_WORKSPACE_OWNER: 'user:default/ana',
      BERTH_WORKSPACE_TRANSITION: 'start', BERTH_BUILD_NUMBER: '1', BERTH_TEMPLATE_NAME: 'env-probe',
      TF_VAR_berth_workspace_id: workspace.id, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1',
    });
    expect(env.PATH).toBe(process.env.PATH);
    const leaked = Object.entries(env).filter(([, v]) => /canary/.test(v)).map(([k]) => k);
    expect(leaked).toEqual([]);
    expect(env.DATABASE_URL).toBeUndefined();
    expect(fs.existsSync(env.TF_CLI_CONFIG_FILE)).toBe(true);
  } finally {
    delete process.env.AWS_SECRET_ACCESS_KEY;
    delete process.env.DATABASE_URL;
    delete process.env.TEMPORAL_API_KEY;
  }
});
