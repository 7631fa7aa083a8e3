#!/usr/bin/env node
/**
 * Benchmark: claim → running versus cold create → running of templates/local, in one run.
 * A claim takes a prebuilt workspace of a preset's pool (ownership swap + a start build with
 * reason `claim`, which re-applies a workspace that already exists); a cold create builds a new
 * one from nothing (init, plan, apply). ROUNDS pairs (default 5), order alternating; before each
 * pair the pool is full and idle so no background prebuild competes for the CPU. Prints each
 * pair, and last `prebuild-claim claim_ms=<median> cold_ms=<median>`. Target claim ≤ 2,000 ms;
 * the figure is printed whatever it is.
 *
 * Real parts: embedded Postgres, the pinned Temporal dev server, an in-process Berth worker with
 * the prebuild reconciler, the pinned tofu. Run: `npm run bench:prebuild-claim`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(path.join(repo, 'workflows', 'package.json'));
const berth = require(path.join(repo, 'workflows', 'dist', 'index.js'));
const YAML = require('yaml');
const { TestWorkflowEnvironment } = require('@temporalio/testing');
const { Runtime, DefaultLogger } = require('@temporalio/worker');

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const POOL = 2;
const local = path.join(repo, 'templates', 'local');
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

Runtime.install({ logger: new DefaultLogger('ERROR') });
const base = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-bench-'));
fs.chmodSync(base, 0o755);
const roots = path.join(base, 'homes');
fs.mkdirSync(roots);

// templates/local with a preset that keeps a pool of POOL prebuilt workspaces
const tpl = path.join(base, 'tpl');
fs.mkdirSync(tpl);
for (const f of fs.readdirSync(local)) if (f.endsWith('.tf')) fs.copyFileSync(path.join(local, f), path.join(tpl, f));
const doc = YAML.parse(fs.readFileSync(path.join(local, 'berth.yaml'), 'utf8'));
doc.presets = [{ name: 'pooled', default: true, parameters: { workspaces_root: roots }, prebuilds: { instances: POOL } }];
fs.writeFileSync(path.join(tpl, 'berth.yaml'), YAML.stringify(doc));

const pg = await berth.startEmbeddedPostgres({ baseDir: path.join(base, 'pg'), persistent: false });
const url = await pg.createDatabase('bench');
const db = berth.connectDb(url);
await berth.migrate(db);
const env = await TestWorkflowEnvironment.createLocal({
  server: { executable: { type: 'existing-path', path: berth.resolveTemporalCli().path }, searchAttributes: berth.SEARCH_ATTRIBUTES },
});
const workers = await berth.createBerthWorkers({ db, connection: env.nativeConnection, namespace: 'default', temporal: env.client }, {
  taskQueue: berth.CONTROL_QUEUE, runWorkflows: true, runProvisioner: true, provisionerTags: {}, workDir: path.join(base, 'work'),
  workerId: 'bench', cancelGraceMs: 10_000, cancelKillMs: 20_000, maxConcurrentBuilds: 2, shutdownGraceMs: 1000,
  archiveLimits: { maxBytes: berth.DEFAULT_MAX_ARCHIVE_BYTES ?? 10 * 1024 * 1024 },
});
const running = workers.run();
const client = new berth.BerthClient({ db, temporal: env.client, prebuilds: { enabled: true, config: { reconcileIntervalMs: 1000 } } });
await client.pushTemplate({ name: 'pooled', dir: tpl, createdBy: 'bench' });

/** Waits until the pool is full and no prebuild build is in progress. */
async function poolReady() {
  for (let i = 0; i < 1200; i++) {
    const p = (await client.getPrebuildPools('pooled')).find((x) => x.active);
    if (p && p.eligible === POOL && p.starting === 0) {
      const active = await db('workspace_builds as b').join('provisioner_jobs as j', 'j.id', 'b.job_id').whereIn('j.job_status', ['pending', 'running']).count('b.id as n');
      if (Number(active[0].n) === 0) return;
    }
    await sleep(100);
  }
  throw new Error('the prebuild pool did not fill');
}

const created = [];
async function claim(i) {
  const t0 = performance.now();
  const r = await client.createWorkspace({ owner: `user:default/bench${i}`, name: 'claimed', template: 'pooled', preset: 'pooled' });
  if (!r.claimed) throw new Error('no prebuild was claimed');
  const b = await client.waitForBuild(r.workspace.id, r.build.buildNumber, { pollMs: 10 });
  const ms = performance.now() - t0;
  if (b.status !== 'running') throw new Error(`claim build ended ${b.status}: ${b.error}`);
  created.push(r.workspace.id);
  return ms;
}
async function cold(i) {
  const t0 = performance.now();
  const r = await client.createWorkspace({ owner: `user:default/bench${i}`, name: 'cold', template: 'pooled', parameters: { workspaces_root: roots } });
  const b = await client.waitForBuild(r.workspace.id, 1, { pollMs: 10 });
  const ms = performance.now() - t0;
  if (b.status !== 'running') throw new Error(`cold build ended ${b.status}: ${b.error}`);
  created.push(r.workspace.id);
  return ms;
}

// one warm-up of each (first workflow and first tofu runs pay one-time costs)
await poolReady();
await claim('warm');
await cold('warm');

const rows = [];
for (let i = 0; i < ROUNDS; i++) {
  const got = {};
  for (const which of i % 2 === 0 ? ['claim', 'cold'] : ['cold', 'claim']) {
    await poolReady();
    got[which] = which === 'claim' ? await claim(i) : await cold(i);
  }
  rows.push(got);
  console.log(`pair ${i + 1}: claim_ms=${got.claim.toFixed(0)} cold_ms=${got.cold.toFixed(0)}`);
}

// stop the workspace processes the runs left behind, then the stack
await env.client.workflow.getHandle(berth.PREBUILD_RECONCILER_WORKFLOW_ID).terminate('bench done').catch(() => undefined);
const outs = await db.raw('SELECT DISTINCT ON (workspace_id) outputs FROM workspace_builds ORDER BY workspace_id, build_number DESC');
for (const r of outs.rows) { const pid = Number(r.outputs?.pid); if (pid > 1) { try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ } } }
workers.shutdown();
await running;
await env.teardown();
await db.destroy();
await pg.stop();
fs.rmSync(base, { recursive: true, force: true });

console.log(`median claim_ms=${median(rows.map((r) => r.claim)).toFixed(0)} cold_ms=${median(rows.map((r) => r.cold)).toFixed(0)}`);
console.log(`prebuild-claim claim_ms=${median(rows.map((r) => r.claim)).toFixed(0)} cold_ms=${median(rows.map((r) => r.cold)).toFixed(0)}`);
