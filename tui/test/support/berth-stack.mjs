#!/usr/bin/env node
/**
 * A real Berth stack for the CLI/TUI end-to-end tests (and for trying `berth` by hand):
 * embedded Postgres, the pinned Temporal dev server, an in-process Berth worker running real
 * tofu, and a real Backstage backend (createBackend) with the berth plugin and its permission
 * policy and guest sign-in, listening on 127.0.0.1:<free port>. Seeds the `local` template (v1, active) and two
 * Berth API tokens: an admin's and a member's (user:default/dev).
 *
 * Prints one line `BERTH_STACK {"url":…,"adminToken":…,"userToken":…}` when ready, then runs
 * until SIGTERM/SIGINT (or, with BERTH_STACK_WATCH_STDIN=1, until its stdin closes, so a test
 * process that dies takes it down too).
 * Needs the built packages (npm run build). Run: node tui/test/support/berth-stack.mjs
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const require = createRequire(path.join(repo, 'plugins', 'backstage-backend', 'package.json'));
const berth = require(path.join(repo, 'workflows', 'dist', 'index.js'));
const plugin = require(path.join(repo, 'plugins', 'backstage-backend', 'dist', 'index.js'));
const { createBackend } = require('@backstage/backend-defaults');
const { coreServices, createServiceFactory } = require('@backstage/backend-plugin-api');
const { ConfigReader } = require('@backstage/config');
const { TestWorkflowEnvironment } = require('@temporalio/testing');
const { Runtime, DefaultLogger } = require('@temporalio/worker');

const log = (m) => process.stderr.write(`[stack] ${m}\n`);
// No Temporal shutdown-signal handling: this script's own handler stops everything in order.
Runtime.install({ logger: new DefaultLogger('ERROR'), shutdownSignals: [] });

const base = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-tui-stack-'));
fs.chmodSync(base, 0o755);
if (!process.env.TF_CLI_CONFIG_FILE || !fs.existsSync(process.env.TF_CLI_CONFIG_FILE)) {
  const rc = path.join(base, 'tofurc');
  fs.writeFileSync(rc, '');
  process.env.TF_CLI_CONFIG_FILE = rc;
}
const cleanups = [];
let stopping = false;
async function stop(code) {
  if (stopping) return;
  stopping = true;
  for (const fn of cleanups.reverse()) await fn().catch((e) => log(`cleanup: ${e.message}`));
  fs.rmSync(base, { recursive: true, force: true });
  process.exit(code);
}
process.on('SIGTERM', () => void stop(0));
process.on('SIGINT', () => void stop(0));
if (process.env.BERTH_STACK_WATCH_STDIN === '1') {
  process.stdin.on('end', () => void stop(0));
  process.stdin.resume();
}

try {
  const pg = await berth.startEmbeddedPostgres({ baseDir: path.join(base, 'pg'), persistent: false });
  cleanups.push(() => pg.stop());
  const env = await TestWorkflowEnvironment.createLocal({ server: { executable: { type: 'existing-path', path: berth.resolveTemporalCli().path }, searchAttributes: berth.SEARCH_ATTRIBUTES } });
  cleanups.push(() => env.teardown());
  const port = await berth.freePort();
  const pgUrl = new URL(pg.url);
  const config = new ConfigReader({
    app: { baseUrl: 'http://127.0.0.1:3000' },
    backend: {
      baseUrl: `http://127.0.0.1:${port}`, listen: { host: '127.0.0.1', port },
      database: { client: 'pg', connection: { host: pgUrl.hostname, port: Number(pgUrl.port), user: decodeURIComponent(pgUrl.username), password: decodeURIComponent(pgUrl.password) } },
    },
    permission: { enabled: true },
    // Guest sign-in (POST /api/auth/guest/refresh) gives a Backstage user token for `berth login`.
    auth: { providers: { guest: { dangerouslyAllowOutsideDevelopment: true, userEntityRef: 'user:default/guest', ownershipEntityRefs: ['user:default/guest'] } } },
    berth: { temporal: { address: env.address, namespace: 'default', uiUrl: 'http://localhost:8233' }, adminGroups: ['group:default/berth-admins'], logPollMs: 100 },
  });
  const backend = createBackend();
  backend.add(createServiceFactory({ service: coreServices.rootConfig, deps: {}, factory: () => config }));
  backend.add(createServiceFactory({ service: coreServices.rootLogger, deps: {}, factory: () => quietLogger() }));
  backend.add(plugin.berthPlugin);
  backend.add(require('@backstage/plugin-auth-backend'));
  backend.add(require('@backstage/plugin-auth-backend-module-guest-provider'));
  backend.add(require('@backstage/plugin-permission-backend'));
  backend.add(plugin.berthPermissionPolicyModule);
  await backend.start();
  cleanups.push(() => backend.stop());

  const db = berth.connectDb(`${pg.url.replace(/\/[^/?]*(\?|$)/, '/backstage_plugin_berth$1')}`, { max: 10 });
  cleanups.push(() => db.destroy());
  const workers = await berth.createBerthWorkers({ db, connection: env.nativeConnection, namespace: 'default', metrics: berth.createMetrics() }, {
    taskQueue: berth.CONTROL_QUEUE, runWorkflows: true, runProvisioner: true, provisionerTags: {}, workDir: path.join(base, 'work'), workerId: 'tui-test',
    cancelGraceMs: 10_000, cancelKillMs: 20_000, maxConcurrentBuilds: 3, shutdownGraceMs: 2_000, archiveLimits: { maxBytes: berth.DEFAULT_MAX_ARCHIVE_BYTES },
  });
  const running = workers.run();
  cleanups.push(async () => { workers.shutdown(); await running.catch(() => undefined); });

  const client = new berth.BerthClient({ db, temporal: env.client, buildOptions: { heartbeatTimeoutMs: 4000, startToCloseTimeoutMs: 600_000, maximumAttempts: 5 } });
  const r = await client.pushTemplate({ name: 'local', dir: path.join(repo, 'templates', 'local'), createdBy: 'user:default/admin', versionName: 'v1' });
  if (r.import?.importStatus !== 'succeeded') throw new Error(`local template import ${r.import?.importStatus}`);
  const { secret: adminToken } = await berth.createApiToken(db, { owner: 'user:default/admin', name: 'tui-admin', ownershipRefs: ['user:default/admin', 'group:default/berth-admins'], lifetimeMs: 86_400_000 });
  const { secret: userToken } = await berth.createApiToken(db, { owner: 'user:default/dev', name: 'tui-dev', ownershipRefs: ['user:default/dev'], lifetimeMs: 86_400_000 });
  // Backstage installs SIGTERM/SIGINT handlers that exit the process before the Temporal dev
  // server (a child process) and Postgres are stopped, leaving them running: use ours only.
  for (const sig of ['SIGTERM', 'SIGINT']) {
    process.removeAllListeners(sig);
    process.on(sig, () => void stop(0));
  }
  process.stdout.write(`BERTH_STACK ${JSON.stringify({ url: `http://127.0.0.1:${port}/api/berth`, adminToken, userToken, temporalAddress: env.address })}\n`);
} catch (e) {
  log(`failed: ${e.stack ?? e}`);
  await stop(1);
}

function quietLogger() {
  const make = () => ({
    error: (m, e) => log(`backend error: ${m}${e ? ` ${e}` : ''}`),
    warn: () => {}, info: () => {}, debug: () => {},
    child: () => make(),
  });
  return make();
}
