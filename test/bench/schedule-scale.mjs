#!/usr/bin/env node
/**
 * Benchmark: the scheduler at scale. N workspaces (default 10,000), each a workspace workflow
 * holding an autostart schedule (a durable timer), in ONE worker on this machine, against the
 * pinned Temporal dev server and embedded Postgres. Builds use a no-op provisioner activity
 * (marks the job started and returns) so what is measured is the scheduling itself.
 *
 * Measures: workflow creation rate; worker and Temporal server memory (RSS) with every
 * workflow waiting; and the lateness of a batch of BATCH (default 1,000) workspaces whose
 * autostart falls on the same minute: lateness = the autostart build's enqueue time − the due
 * time. Last line: `schedule-scale workspaces=<n> p50_late_ms=<x> p99_late_ms=<y> worker_rss_mb=<z>`.
 * Target p99 ≤ 2,000 ms (Coder decides once a minute). Run: `npm run bench:schedule-scale`
 * (WORKSPACES=n BATCH=m to change the sizes).
 */
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

const N = Number(process.env.WORKSPACES ?? 10_000);
const BATCH = Math.min(N, Number(process.env.BATCH ?? 1_000));
const START_CONCURRENCY = 64;
const log = (m) => console.log(`[bench] ${m}`);
const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]; };
const rssMb = (pid) => { try { const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8')); return m ? Number(m[1]) / 1024 : NaN; } catch { return NaN; } };
const findPid = (needle) => { for (const d of fs.readdirSync('/proc')) { if (!/^\d+$/.test(d)) continue; try { if (fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').replace(/\0/g, ' ').includes(needle)) return Number(d); } catch { /* gone */ } } return null; };

Runtime.install({ logger: new DefaultLogger('ERROR') });
const base = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-scale-'));
fs.chmodSync(base, 0o755);
const pg = await berth.startEmbeddedPostgres({ baseDir: path.join(base, 'pg'), persistent: false });
const db = berth.connectDb(await pg.createDatabase('scale'), { max: 20 });
await berth.migrate(db);
const port = await berth.freePort();
const env = await TestWorkflowEnvironment.createLocal({
  server: { port, executable: { type: 'existing-path', path: berth.resolveTemporalCli().path }, searchAttributes: berth.SEARCH_ATTRIBUTES },
});
const serverPid = findPid(`--port ${port}`);

// The no-op provisioner: the job is started and the build completes at once.
const noopRunTofu = async (input) => {
  await db('provisioner_jobs').where({ id: input.jobId }).whereNull('started_at').update({ started_at: db.fn.now(), worker_id: 'noop' });
  return { outputs: {}, resources: 0 };
};
const workers = await berth.createBerthWorkers({
  db, connection: env.nativeConnection, namespace: 'default', activityOverrides: { runTofu: noopRunTofu },
  controlWorkerOptions: { maxCachedWorkflows: Number(process.env.CACHE ?? 11_000), maxConcurrentActivityTaskExecutions: 100, maxConcurrentWorkflowTaskExecutions: 50 },
}, {
  taskQueue: berth.CONTROL_QUEUE, runWorkflows: true, runProvisioner: true, provisionerTags: {}, workDir: path.join(base, 'work'),
  workerId: 'scale', cancelGraceMs: 10_000, cancelKillMs: 20_000, maxConcurrentBuilds: 100, shutdownGraceMs: 1_000,
  archiveLimits: { maxBytes: berth.DEFAULT_MAX_ARCHIVE_BYTES },
});
const running = workers.run();
const client = new berth.BerthClient({ db, temporal: env.client });
const { template, version } = await client.pushTemplate({ name: 'local', dir: path.join(repo, 'templates', 'local'), createdBy: 'bench' });

// Seed N stopped workspaces (one completed stop build each) holding an autostart 12 h away.
const t0 = Date.now();
const far = new Date(Date.now() + 12 * 3600_000);
const farCron = `CRON_TZ=UTC ${far.getUTCMinutes()} ${far.getUTCHours()} * * *`;
const ids = [];
for (let off = 0; off < N; off += 1000) {
  const n = Math.min(1000, N - off);
  await db.transaction(async (tx) => {
    const ws = await tx('workspaces').insert(Array.from({ length: n }, (_, i) => ({
      owner: 'user:default/bench', name: `ws-${off + i}`, template_id: template.id, autostart_schedule: farCron, next_start_at: far,
    }))).returning('id');
    const jobs = await tx('provisioner_jobs').insert(ws.map(() => ({
      type: 'workspace_build', task_queue: 'berth-provisioner', initiator: 'bench', started_at: tx.fn.now(), completed_at: tx.fn.now(),
    }))).returning('id');
    const builds = await tx('workspace_builds').insert(ws.map((w, i) => ({
      workspace_id: w.id, build_number: 1, transition: 'stop', initiator: 'bench', template_version_id: version.id, job_id: jobs[i].id,
    }))).returning('id');
    ws.forEach((w, i) => ids.push({ id: w.id, name: `ws-${off + i}`, buildId: builds[i].id, jobId: jobs[i].id }));
  });
}
log(`seeded ${N} workspaces in Postgres in ${((Date.now() - t0) / 1000).toFixed(1)}s`);

// Start their workflows (each loads its lifecycle state and sleeps until its autostart).
const t1 = Date.now();
let next = 0;
await Promise.all(Array.from({ length: START_CONCURRENCY }, async () => {
  while (next < ids.length) {
    const w = ids[next++];
    await env.client.workflow.start('workspaceWorkflow', {
      workflowId: berth.workspaceWorkflowId(w.id), taskQueue: berth.CONTROL_QUEUE,
      args: [{ workspaceId: w.id, owner: 'user:default/bench', name: w.name, deleted: false, buildOptions: berth.DEFAULT_BUILD_ACTIVITY_OPTIONS,
        latestBuild: { number: 1, transition: 'stop', jobStatus: 'succeeded', buildId: w.buildId, jobId: w.jobId } }],
      typedSearchAttributes: [{ key: berth.WorkspaceIdKey, value: w.id }, { key: berth.WorkspaceOwnerKey, value: 'user:default/bench' }],
    });
  }
}));
const startSecs = (Date.now() - t1) / 1000;
log(`started ${N} workspace workflows in ${startSecs.toFixed(1)}s (${(N / startSecs).toFixed(0)}/s)`);
// Wait until every workflow has loaded its lifecycle and is sleeping (its first task done).
const settleStart = Date.now();
for (;;) {
  const handle = env.client.workflow.getHandle(berth.workspaceWorkflowId(ids[ids.length - 1].id));
  try { const d = await handle.query('describe'); if (d.nextLifecycle) break; } catch { /* not yet */ }
  if (Date.now() - settleStart > 600_000) throw new Error('workflows did not settle');
  await new Promise((r) => setTimeout(r, 500));
}
const creationSecs = (Date.now() - t1) / 1000;
log(`all ${N} sleeping on their autostart timers after ${creationSecs.toFixed(1)}s: ${(N / creationSecs).toFixed(0)} workspaces/s`);
const idleWorker = process.memoryUsage().rss / 1024 / 1024;
const idleServer = rssMb(serverPid);
log(`idle memory: worker ${idleWorker.toFixed(0)} MB, Temporal server ${idleServer.toFixed(0)} MB`);

// Move BATCH of them to the same minute (through setSchedule, as a user would).
const due = new Date(Math.ceil((Date.now() + 75_000) / 60_000) * 60_000);
const cron = `CRON_TZ=UTC ${due.getUTCMinutes()} ${due.getUTCHours()} * * *`;
const batch = ids.slice(0, BATCH);
const t2 = Date.now();
next = 0;
await Promise.all(Array.from({ length: START_CONCURRENCY }, async () => {
  while (next < batch.length) {
    const w = batch[next++];
    await client.setSchedule(w.id, { autostartSchedule: cron }, 'user:default/bench');
  }
}));
log(`set ${BATCH} schedules to ${due.toISOString()} in ${((Date.now() - t2) / 1000).toFixed(1)}s; waiting for them to fire`);
if (Date.now() > due.getTime() - 5_000) throw new Error('setting the schedules took too long: the due time is too close');

// Wait until every batch workspace has its autostart build, then measure lateness.
let lateness = [];
const waitUntil = due.getTime() + 300_000;
let peakWorker = 0;
let peakServer = 0;
for (;;) {
  peakWorker = Math.max(peakWorker, process.memoryUsage().rss / 1024 / 1024);
  peakServer = Math.max(peakServer, rssMb(serverPid) || 0);
  const rows = await db('workspace_builds').whereIn('workspace_id', batch.map((w) => w.id)).andWhere({ reason: 'autostart' }).select('created_at');
  if (rows.length >= BATCH || Date.now() > waitUntil) { lateness = rows.map((r) => r.created_at.getTime() - due.getTime()); break; }
  await new Promise((r) => setTimeout(r, 500));
}
const extra = await db('workspace_builds').whereNotIn('workspace_id', batch.map((w) => w.id)).andWhere({ reason: 'autostart' }).count('* as c');
log(`autostart builds: ${lateness.length}/${BATCH} of the batch; ${extra[0].c} outside it (should be 0)`);
const p50 = pct(lateness, 50);
const p99 = pct(lateness, 99);
log(`lateness: p50 ${p50} ms, p99 ${p99} ms, max ${Math.max(...lateness)} ms`);
log(`peak memory during the batch: worker ${peakWorker.toFixed(0)} MB, Temporal server ${peakServer.toFixed(0)} MB`);

workers.shutdown();
await running;
await env.teardown();
await db.destroy();
await pg.stop();
fs.rmSync(base, { recursive: true, force: true });
console.log(`schedule-scale workspaces=${N} creation_per_s=${(N / creationSecs).toFixed(0)} temporal_rss_mb=${peakServer.toFixed(0)} p50_late_ms=${p50} p99_late_ms=${p99} worker_rss_mb=${peakWorker.toFixed(0)}`);
if (lateness.length < BATCH) process.exitCode = 1;
