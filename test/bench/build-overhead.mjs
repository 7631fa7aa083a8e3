#!/usr/bin/env node
/**
 * Benchmark: create → running of templates/local through Berth (Temporal workflow + activity
 * running tofu init/plan/apply, logs and state into Postgres) versus raw `tofu init && tofu
 * apply` of the same template, 5 pairs measured side by side in one run (order alternates
 * within each pair). Prints each pair, the medians, and last `build-overhead ratio=<median of
 * the pair ratios>`. Target ≤ 1.10; the figure is printed whatever it is.
 *
 * Real parts: embedded Postgres, the pinned Temporal dev server, an in-process Berth worker,
 * the pinned tofu. Run: `npm run bench:build-overhead` (PAIRS=n to change the count).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(path.join(repo, 'workflows', 'package.json'));
const berth = require(path.join(repo, 'workflows', 'dist', 'index.js'));
const { TestWorkflowEnvironment } = require('@temporalio/testing');
const { Runtime, DefaultLogger } = require('@temporalio/worker');

const PAIRS = Number(process.env.PAIRS ?? 5);
const template = path.join(repo, 'templates', 'local');
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

Runtime.install({ logger: new DefaultLogger('ERROR') });
const base = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-bench-'));
fs.chmodSync(base, 0o755);
const roots = path.join(base, 'homes');
fs.mkdirSync(roots);

const pg = await berth.startEmbeddedPostgres({ baseDir: path.join(base, 'pg'), persistent: false });
const url = await pg.createDatabase('bench');
const db = berth.connectDb(url);
await berth.migrate(db);
const env = await TestWorkflowEnvironment.createLocal({
  server: { executable: { type: 'existing-path', path: berth.resolveTemporalCli().path }, searchAttributes: berth.SEARCH_ATTRIBUTES },
});
const tofu = berth.resolveTofu().path;
const workers = await berth.createBerthWorkers({ db, connection: env.nativeConnection, namespace: 'default' }, {
  taskQueue: berth.CONTROL_QUEUE, runWorkflows: true, runProvisioner: true, provisionerTags: {}, workDir: path.join(base, 'work'),
  workerId: 'bench', cancelGraceMs: 10_000, cancelKillMs: 20_000, maxConcurrentBuilds: 1, shutdownGraceMs: 1000,
  archiveLimits: { maxBytes: berth.DEFAULT_MAX_ARCHIVE_BYTES ?? 10 * 1024 * 1024 },
});
const running = workers.run();
const client = new berth.BerthClient({ db, temporal: env.client });
await client.pushTemplate({ name: 'local', dir: template, createdBy: 'bench' });

const rawEnv = {
  PATH: process.env.PATH, HOME: process.env.HOME, TF_CLI_CONFIG_FILE: path.join(repo, 'workflows', 'tofu.rc'),
  CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_INPUT: '0',
};

async function viaBerth(i) {
  const t0 = performance.now();
  const { workspace } = await client.createWorkspace({ owner: 'user:default/bench', name: `bench-${i}`, template: 'local', parameters: { workspaces_root: roots } });
  const b = await client.waitForBuild(workspace.id, 1, { pollMs: 10 });
  const ms = performance.now() - t0;
  if (b.status !== 'running') throw new Error(`Berth build ended ${b.status}: ${b.error}`);
  return { ms, cleanup: async () => { await client.requestBuild(workspace.id, { kind: 'delete', initiator: 'bench' }); await client.waitForBuild(workspace.id, 2); } };
}

function viaRaw(i) {
  const dir = fs.mkdtempSync(path.join(base, 'raw-'));
  fs.cpSync(template, dir, { recursive: true });
  const e = { ...rawEnv, TF_VAR_berth_workspace_id: `raw-${i}`, TF_VAR_workspaces_root: roots };
  const t0 = performance.now();
  for (const args of [['init', '-input=false', '-no-color'], ['apply', '-auto-approve', '-input=false', '-no-color']]) {
    const r = spawnSync(tofu, args, { cwd: dir, env: e, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`raw tofu ${args[0]} failed: ${r.stderr}`);
  }
  const ms = performance.now() - t0;
  return { ms, cleanup: async () => { spawnSync(tofu, ['apply', '-destroy', '-auto-approve', '-input=false', '-no-color'], { cwd: dir, env: e }); } };
}

// one warm-up of each (first tofu run and first workflow pay one-time costs)
for (const r of [await viaBerth('warm'), viaRaw('warm')]) await r.cleanup();

const rows = [];
for (let i = 0; i < PAIRS; i++) {
  const order = i % 2 === 0 ? ['berth', 'raw'] : ['raw', 'berth'];
  const got = {};
  for (const which of order) {
    const r = which === 'berth' ? await viaBerth(i) : viaRaw(i);
    got[which] = r.ms;
    await r.cleanup();
  }
  rows.push(got);
  console.log(`pair ${i + 1}: berth_ms=${got.berth.toFixed(0)} raw_ms=${got.raw.toFixed(0)} ratio=${(got.berth / got.raw).toFixed(2)}`);
}

workers.shutdown();
await running;
await env.teardown();
await db.destroy();
await pg.stop();
fs.rmSync(base, { recursive: true, force: true });

console.log(`median berth_ms=${median(rows.map((r) => r.berth)).toFixed(0)} raw_ms=${median(rows.map((r) => r.raw)).toFixed(0)}`);
console.log(`build-overhead ratio=${median(rows.map((r) => r.berth / r.raw)).toFixed(2)}`);
