#!/usr/bin/env node
/**
 * Benchmark: the `berth` TUI with 5,000 workspaces.
 *
 * Starts embedded Postgres, a Temporal dev server and a real Backstage backend with the berth
 * plugin (as bench:api-list does), seeds WORKSPACES (default 5,000) workspaces with a latest
 * build for one admin straight into the plugin's database, creates the admin's Berth API token,
 * warms the API with one request, and runs tui/test/bench-harness.mjs in a child process (its own CPU, like a user's terminal):
 * the real TUI (tui/dist) over HTTP, rendered by Ink into an in-memory 120x40 TTY.
 *   first_frame_ms: from render() to the first frame showing workspace rows (the first page of 100);
 *   all_loaded_ms: until all WORKSPACES are in the table;
 *   keypress_*: from writing `j` to stdin to the frame with the moved selection, KEYPRESSES (default 200)
 *   times, KEY_GAP_MS (default 50) apart; Ink options and React build as in the `berth` binary.
 * Last line: `tui first_frame_ms=<x> keypress_p95_ms=<y>`. Targets ≤ 500 ms and ≤ 50 ms.
 * Run: `npm run bench:tui` (needs the build: it runs setup first).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
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

const N = Number(process.env.WORKSPACES ?? 5_000);
const log = (m) => console.log(`[bench] ${m}`);

Runtime.install({ logger: new DefaultLogger('ERROR') });
const base = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-tui-bench-'));
fs.chmodSync(base, 0o755);
const pg = await berth.startEmbeddedPostgres({ baseDir: path.join(base, 'pg'), persistent: false });
const env = await TestWorkflowEnvironment.createLocal({ server: { executable: { type: 'existing-path', path: berth.resolveTemporalCli().path }, searchAttributes: berth.SEARCH_ATTRIBUTES } });
const port = await berth.freePort();
const pgUrl = new URL(pg.url);
const backend = createBackend();
const config = new ConfigReader({
  backend: {
    baseUrl: `http://127.0.0.1:${port}`, listen: { host: '127.0.0.1', port },
    database: { client: 'pg', connection: { host: pgUrl.hostname, port: Number(pgUrl.port), user: decodeURIComponent(pgUrl.username), password: decodeURIComponent(pgUrl.password) } },
  },
  permission: { enabled: true },
  berth: { temporal: { address: env.address, namespace: 'default' }, adminGroups: ['group:default/berth-admins'] },
});
backend.add(createServiceFactory({ service: coreServices.rootConfig, deps: {}, factory: () => config }));
backend.add(createServiceFactory({ service: coreServices.rootLogger, deps: {}, factory: () => quietLogger() }));
backend.add(plugin.berthPlugin);
backend.add(require('@backstage/plugin-permission-backend'));
backend.add(plugin.berthPermissionPolicyModule);
await backend.start();
log(`backend on :${port}`);

const db = berth.connectDb(`${pg.url.replace(/\/[^/?]*(\?|$)/, '/backstage_plugin_berth$1')}`, { max: 5 });
const t0 = Date.now();
const archive = await berth.createArchiveFromDirectory(path.join(repo, 'templates', 'local'));
const tpl = await berth.createTemplate(db, { name: 'local', createdBy: 'user:default/admin' });
const { version } = await berth.createTemplateVersion(db, { templateId: tpl.id, archive, name: 'v1', createdBy: 'user:default/admin', parameters: [], presets: [], warnings: [], readme: '' });
await db('templates').where({ id: tpl.id }).update({ active_version_id: version.id });
await db.raw(`INSERT INTO workspaces (owner, name, template_id)
  SELECT 'user:default/admin', 'ws-' || lpad(i::text, 5, '0'), ? FROM generate_series(1, ?) AS i`, [tpl.id, N]);
await db.raw(`WITH w AS (SELECT id, row_number() OVER (ORDER BY id) AS rn FROM workspaces),
  j AS (INSERT INTO provisioner_jobs (type, task_queue, initiator, started_at, completed_at, input)
        SELECT 'workspace_build', 'berth-provisioner', 'seed', now(), now(), jsonb_build_object('ws', w.id, 'rn', w.rn) FROM w RETURNING id, input)
  INSERT INTO workspace_builds (workspace_id, build_number, transition, initiator, template_version_id, job_id)
  SELECT (j.input->>'ws')::uuid, 1, CASE WHEN (j.input->>'rn')::int % 3 = 0 THEN 'stop' ELSE 'start' END, 'seed', ?, j.id FROM j`, [version.id]);
await db.raw('ANALYZE');
log(`seeded ${N} workspaces with builds in ${Date.now() - t0} ms`);
const { secret } = await berth.createApiToken(db, { owner: 'user:default/admin', name: 'bench', ownershipRefs: ['user:default/admin', 'group:default/berth-admins'], lifetimeMs: 3_600_000 });

// Warm the server (connection pool, permission backend) as a running deployment would be: the
// bench measures the TUI, not the backend's first request.
for (const q of ['/workspaces?limit=100', '/me']) {
  const r = await fetch(`http://127.0.0.1:${port}/api/berth${q}`, { headers: { Authorization: `Bearer ${secret}` } });
  if (!r.ok) throw new Error(`warm-up ${q}: ${r.status}`);
}

let exit = 0;
try {
  const result = await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(repo, 'tui', 'test', 'bench-harness.mjs')], {
      env: { ...process.env, CI: 'false', FORCE_COLOR: '0', NODE_OPTIONS: '', NODE_ENV: 'production', BERTH_URL: `http://127.0.0.1:${port}/api/berth`, BERTH_TOKEN: secret, EXPECT: String(N), ...(process.env.KEY_GAP_MS ? { KEY_GAP_MS: process.env.KEY_GAP_MS } : {}) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => { out += c; });
    child.stderr.on('data', (c) => { err += c; });
    child.on('exit', (code) => {
      const line = out.trim().split('\n').pop();
      if (code !== 0 || !line?.startsWith('{')) reject(new Error(`harness exited ${code}: ${out.slice(-500)}${err.slice(-1500)}`));
      else resolve(JSON.parse(line));
    });
  });
  const f = (x) => x.toFixed(1);
  log(`first paint ${f(result.first_paint_ms)} ms ("loading…"), first frame ${f(result.first_frame_ms)} ms (first page of 100 rows), all ${N} loaded ${f(result.all_loaded_ms)} ms`);
  log(`${result.keypresses} keypresses (j): p50 ${f(result.keypress_p50_ms)} ms, p95 ${f(result.keypress_p95_ms)} ms, max ${f(result.keypress_max_ms)} ms`);
  console.log(`tui first_frame_ms=${f(result.first_frame_ms)} keypress_p95_ms=${f(result.keypress_p95_ms)}`);
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

function quietLogger() {
  const make = () => ({
    error: (m, e) => console.error(`[backend] ${m}${e ? ` ${e}` : ''}`),
    warn: () => {}, info: () => {}, debug: () => {},
    child: () => make(),
  });
  return make();
}
