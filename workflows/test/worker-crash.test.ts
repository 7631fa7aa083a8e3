/**
 * Proof 4: `kill -9` of the worker process during apply. A new worker takes the build over
 * (the activity's heartbeat times out and it is retried), adopts the tofu process the dead
 * worker left running, and the build finishes: the workspace ends running with exactly one
 * workspace process. Uses the compiled `berth-worker` binary (npm run build).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { LOCAL_TEMPLATE, REPO, eventually, pgrep, processAlive, startTestStack, tempDir, type TestStack } from './support/stack';

const BIN = path.join(REPO, 'workflows', 'bin', 'berth-worker.js');
let stack: TestStack;
const children: ChildProcess[] = [];

beforeAll(async () => {
  if (!fs.existsSync(path.join(REPO, 'workflows', 'dist', 'cli', 'worker.js'))) throw new Error('workflows/dist is missing: run `npm run build` first');
  // This process runs workflows and control activities only; builds run in worker processes.
  stack = await startTestStack({ worker: { runProvisioner: false } });
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await stack?.teardown();
});

function startWorkerProcess(id: string): { child: ChildProcess; output: () => string } {
  let out = '';
  const child = spawn(process.execPath, [BIN, '--no-workflows', '--worker-id', id, '--metrics-port', '-1'], {
    env: {
      ...process.env, DATABASE_URL: stack.dbUrl, TEMPORAL_ADDRESS: stack.temporalAddress, BERTH_WORK_DIR: stack.workDir,
      BERTH_WORKFLOW_BUNDLE: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d) => { out += d; });
  child.stderr?.on('data', (d) => { out += d; });
  children.push(child);
  return { child, output: () => out };
}

test('a build survives kill -9 of its worker during apply', async () => {
  const { client } = stack;
  const root = tempDir('homes');
  const a = startWorkerProcess('worker-a');
  await eventually('worker A to poll', () => /queues berth-provisioner/.test(a.output()), 30_000);
  await client.pushTemplate({ name: 'local', dir: LOCAL_TEMPLATE, createdBy: 'user:default/admin' });

  const { workspace } = await client.createWorkspace({ owner: 'user:default/cy', name: 'crashy', template: 'local', parameters: { workspaces_root: root, start_delay_seconds: '10' } });
  await eventually('the apply to be running on worker A', async () => (await client.getBuildLogs(workspace.id, 1)).some((l) => /sleeping/.test(l.output)), 60_000);
  const running = await client.getBuild(workspace.id, 1);
  expect(running.jobStatus).toBe('running');
  const jobDir = path.join(stack.workDir, running.jobId);
  const tofuPid = Number(fs.readFileSync(path.join(jobDir, '.berth', 'tofu.pid'), 'utf8').split(' ')[0]);

  a.child.kill('SIGKILL');
  await eventually('worker A to die', () => a.child.exitCode !== null || a.child.signalCode !== null, 10_000);
  // the tofu apply it started keeps running (its output goes to files, not to the dead worker)
  expect(processAlive(tofuPid)).toBe(true);

  const b = startWorkerProcess('worker-b');
  const done = await client.waitForBuild(workspace.id, 1, { timeoutMs: 120_000 });
  expect(done.error).toBeNull();
  expect(done.jobStatus).toBe('succeeded');
  expect(done.status).toBe('running');
  expect(await stack.db('provisioner_jobs').where({ id: done.jobId }).first('worker_id')).toEqual({ worker_id: 'worker-b' });
  const pids = pgrep(`berth-workspace:${workspace.id}`);
  expect(pids).toHaveLength(1);
  expect(Number(done.outputs.pid)).toBe(pids[0]);
  const logs = await client.getBuildLogs(workspace.id, 1);
  expect(logs.map((l) => l.seq)).toEqual(logs.map((_, i) => i + 1)); // no gaps, no duplicates
  expect(logs.some((l) => /attempt 2/.test(l.output))).toBe(true);
  expect(logs.some((l) => /still running \(pid \d+\); following it/.test(l.output))).toBe(true);
  expect(logs.some((l) => /Continuing from the state an earlier attempt left/.test(l.output))).toBe(true);
  // the orphan's own apply output was followed, each line once
  expect(logs.filter((l) => /\(local-exec\): berth: workspace process started \(pid/.test(l.output))).toHaveLength(1);
  expect(b.output()).not.toMatch(/Error/);

  // stopping works normally afterwards, through worker B
  await client.requestBuild(workspace.id, { kind: 'stop', initiator: 'user:default/cy' });
  expect((await client.waitForBuild(workspace.id, 2)).status).toBe('stopped');
  expect(pgrep(`berth-workspace:${workspace.id}`)).toEqual([]);
});
