#!/usr/bin/env node
/**
 * Benchmark: `GET /api/berth/workspaces` with 10,000 workspaces, under concurrent load.
 *
 * Starts embedded Postgres, a Temporal dev server (the plugin connects at startup; listing does
 * not use it) and a real Backstage backend (`createBackend` from @backstage/backend-defaults)
 * with the berth plugin and its permission policy, seeds N workspaces (default 10,000; 100
 * owners; each with a latest build, a third of them stopped) straight into the plugin's
 * database, and loads the endpoint with autocannon (CONNECTIONS, default 10, for DURATION_S,
 * default 10 s) in two runs:
 *   - admin: an admin's Berth API token, default page (50) of all 10,000 (count included);
 *   - owner: a member's token with `q=owner:me status:running` (their 100, filtered on status).
 * Latencies are each request's response time as autocannon reports it. Prints both runs; the
 * last line is the admin run: `api-list n=<n> p50_ms=<x> p95_ms=<y>`. Target p95 ≤ 50 ms.
 * Run: `npm run bench:api-list` (WORKSPACES, CONNECTIONS, DURATION_S to change).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(path.join(repo, 'plugins', 'backstage-backend', 'package.json'));
const berth = require(path.join(repo, 'workflows', 'dist', 'index.js'));
const plugin = require(path.join(repo, 'plugins', 'backstage-backend', 'dist', 'index.js'));
const { createBackend } = require('@backstage/backend-defaults');
const { coreServices, createServiceFactory } = require('@backstage/backend-plugin-api');
const { ConfigReader } = require('@backstage/config');
const { TestWorkflowEnvironment } = require('@temporalio/testing');
const { Runtime, DefaultLogger } = require('@temporalio/worker');
const autocannon = require('autocannon');

const N = Number(process.env.WORKSPACES ?? 10_000);
const OWNERS = 100;
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 10);
const DURATION_S = Number(process.env.DURATION_S ?? 10);
const log = (m) => console.log(`[bench] ${m}`);
const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]; };

Runtime.install({ logger: new DefaultLogger('ERROR') });
const base = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-api-bench-'));
fs.chmodSync(base, 0o755);
const pg = await berth.startEmbeddedPostgres({ baseDir: path.join(base, 'pg'), persistent: false });
const env = await TestWorkflowEnvironment.createLocal({ server: { executable: { type: 'existing-path', path: berth.resolveTemporalCli().path }, searchAttributes: berth.SEARCH_ATTRIBUTES } });
const port = await berth.freePort();
const pgUrl = new URL(pg.url);

const config = new ConfigReader({
  backend: {
    baseUrl: `http://127.0.0.1:${port}`, listen: { host: '127.0.0.1', port },
    database: { client: 'pg', connection: { host: pgUrl.hostname, port: Number(pgUrl.port), user: decodeURIComponent(pgUrl.username), password: decodeURIComponent(pgUrl.password) } },
  },
  permission: { enabled: true },
  berth: { temporal: { address: env.address, namespace: 'default' }, adminGroups: ['group:default/berth-admins'] },
});
const backend = createBackend();
backend.add(createServiceFactory({ service: coreServices.rootConfig, deps: {}, factory: () => config }));
backend.add(createServiceFactory({ service: coreServices.rootLogger, deps: {}, factory: () => quietLogger() }));
backend.add(plugin.berthPlugin);
backend.add(require('@backstage/plugin-permission-backend'));
backend.add(plugin.berthPermissionPolicyModule);
await backend.start();
log(`backend on :${port}`);

// Seed the plugin's database (Backstage gives the plugin `backstage_plugin_berth`).
const db = berth.connectDb(`${pg.url.replace(/\/[^/?]*(\?|$)/, '/backstage_plugin_berth$1')}`, { max: 5 });
const t0 = Date.now();
const archive = await berth.createArchiveFromDirectory(path.join(repo, 'templates', 'local'));
const tpl = await berth.createTemplate(db, { name: 'local', createdBy: 'user:default/admin' });
const { version } = await berth.createTemplateVersion(db, { templateId: tpl.id, archive, name: 'v1', createdBy: 'user:default/admin', parameters: [], presets: [], warnings: [], readme: '' });
await db('templates').where({ id: tpl.id }).update({ active_version_id: version.id });
await db.raw(`INSERT INTO workspaces (owner, name, template_id)
  SELECT 'user:default/u' || (i % ${OWNERS}), 'ws-' || i, ? FROM generate_series(1, ?) AS i`, [tpl.id, N]);
await db.raw(`WITH w AS (SELECT id, row_number() OVER (ORDER BY id) AS rn FROM workspaces),
  j AS (INSERT INTO provisioner_jobs (type, task_queue, initiator, started_at, completed_at, input)
        SELECT 'workspace_build', 'berth-provisioner', 'seed', now(), now(), jsonb_build_object('ws', w.id, 'rn', w.rn) FROM w RETURNING id, input)
  INSERT INTO workspace_builds (workspace_id, build_number, transition, initiator, template_version_id, job_id)
  SELECT (j.input->>'ws')::uuid, 1, CASE WHEN (j.input->>'rn')::int % 3 = 0 THEN 'stop' ELSE 'start' END, 'seed', ?, j.id FROM j`, [version.id]);
await db.raw('ANALYZE');
log(`seeded ${N} workspaces with builds in ${Date.now() - t0} ms`);

const { secret: adminToken } = await berth.createApiToken(db, { owner: 'user:default/admin', name: 'bench', ownershipRefs: ['user:default/admin', 'group:default/berth-admins'], lifetimeMs: 3_600_000 });
const { secret: userToken } = await berth.createApiToken(db, { owner: 'user:default/u7', name: 'bench', ownershipRefs: ['user:default/u7'], lifetimeMs: 3_600_000 });

async function load(name, pathAndQuery, token, check) {
  const url = `http://127.0.0.1:${port}/api/berth${pathAndQuery}`;
  const first = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
  const body = await first.json();
  if (first.status !== 200) throw new Error(`${name}: ${first.status} ${JSON.stringify(body)}`);
  check(body);
  const latencies = [];
  let non2xx = 0;
  const instance = autocannon({ url, connections: CONNECTIONS, duration: DURATION_S, headers: { Authorization: `Bearer ${token}` } });
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    latencies.push(responseTime);
    if (statusCode !== 200) non2xx++;
  });
  const result = await instance;
  const p50 = pct(latencies, 50);
  const p95 = pct(latencies, 95);
  log(`${name}: ${latencies.length} requests in ${DURATION_S} s over ${CONNECTIONS} connections (${result.requests.average.toFixed(0)} req/s), non-2xx ${non2xx}, p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms, p99 ${pct(latencies, 99).toFixed(1)} ms`);
  if (non2xx) throw new Error(`${name}: ${non2xx} non-200 answers`);
  return { p50, p95 };
}

let exit = 0;
try {
  const owner = await load('owner  q=owner:me status:running', `/workspaces?q=${encodeURIComponent('owner:me status:running')}`, userToken, (b) => {
    const ok = b.count > 0 && b.count <= N / OWNERS && b.workspaces.every((w) => w.owner === 'user:default/u7' && w.status === 'running');
    if (!ok) throw new Error(`owner run: count ${b.count}, page ${JSON.stringify(b.workspaces.slice(0, 2))}`);
  });
  const admin = await load('admin  all (page of 50)', '/workspaces', adminToken, (b) => {
    if (b.count !== N || b.workspaces.length !== 50) throw new Error(`admin run: count ${b.count}, page ${b.workspaces.length}`);
  });
  log(`owner-filtered p50_ms=${owner.p50.toFixed(1)} p95_ms=${owner.p95.toFixed(1)}`);
  console.log(`api-list n=${N} p50_ms=${admin.p50.toFixed(1)} p95_ms=${admin.p95.toFixed(1)}`);
} catch (e) {
  console.error(`[bench] FAILED: ${e.stack ?? e}`);
  exit = 1;
} finally {
  await db.destroy();
  await backend.stop();
  await env.teardown();
  await pg.stop();
  fs.rmSync(base, { recursive: true, force: true });
}
process.exit(exit);

/** A root logger that prints warnings and errors only (the bench's own lines stay readable). */
function quietLogger() {
  const make = (meta = {}) => ({
    error: (m, e) => console.error(`[backend] ${m}${e ? ` ${e}` : ''}`),
    warn: (m) => { if (!/permissions disabled|Generated a secret|No catalog/i.test(m)) console.error(`[backend] ${m}`); },
    info: () => {}, debug: () => {},
    child: (more) => make({ ...meta, ...more }),
  });
  return make();
}
